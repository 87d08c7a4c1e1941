"""Static Qt 6 / QGIS 4 readiness check for the project's Python code.

PyQt6 (QGIS 4) rejects what PyQt5 (QGIS 3) tolerates; this finds it without a QGIS 4 build::

    .venv/bin/python tools/qt6_check.py          # report, exit 1 on any finding
    .venv/bin/python tools/qt6_check.py --fix    # rewrite what is safe to rewrite, report the rest
    .venv/bin/python tools/qt6_check.py FILE...  # only these files or folders
    .venv/bin/python tools/qt6_check.py --pyqt6 /path/to/python   # also resolve every Qt name in real PyQt6

Checks (one line per finding, ``path:line:col: CODE message``):

- ``QT6-ENUM``   an unscoped Qt enum member (``Qt.AlignLeft``, ``QDialogButtonBox.Ok``, ``QHeaderView.Stretch``,
                 ``self.Accepted`` in a ``QDialog`` subclass…). Found by introspecting the PyQt5 classes reached
                 through the file's ``qgis.PyQt`` / ``qgis.core`` / ``qgis.gui`` imports: a member whose enum is
                 nested in a Qt class. Scoped names (``Qt.AlignmentFlag.AlignLeft``) work on PyQt5 5.15 too.
                 QGIS's own enums are left alone: QGIS 4 keeps their unscoped names. ``--fix`` scopes them.
- ``QT6-RENAMED`` an enum member that Qt 6 removed under that name (``Qt.MidButton``). ``--fix`` renames it.
- ``QT6-EXEC``   ``exec_()`` (gone in PyQt6); ``--fix`` writes ``exec()``.
- ``QT6-REMOVED`` an API removed in Qt 6 / PyQt6 (``QRegExp``, ``QDesktopWidget``, ``desktop()``,
                 ``QFontMetrics.width()``, ``QLayout.setMargin()``, ``QVariant.String`` and the other
                 ``QVariant`` types, ``QVariant()`` nulls, ``activated[str]``, ``qApp``, compiled resources…).
- ``QT6-IMPORT`` Qt imported around ``qgis.PyQt`` (``PyQt5``/``PyQt6``, bare ``sip``), ``pyqtSignal`` from
                 elsewhere than ``qgis.PyQt.QtCore``, or a class imported from a module where only one
                 QGIS major finds it (``QAction`` from ``QtGui`` breaks QGIS < 3.34).

- ``QT6-PYQT6``  (with ``--pyqt6 PYTHON``, a Python that has PyQt6, e.g. a venv with ``pip install PyQt6``) a Qt
                 name the code spells from a ``qgis.PyQt`` import (``QDialogButtonBox.StandardButton.Ok``,
                 ``QHeaderView.ResizeMode.Stretch``, ``QtWidgets.QFoo``) that real PyQt6 does not have. This proves
                 the scoped spellings against Qt 6 itself; it is optional because PyQt6 is not on the machines.

Needs QGIS's Python (PyQt5 through ``qgis.PyQt``) for the introspection; it imports no project code.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROOTS = ("openmisto_plugin", "tests", "tools", "bench", "server")
SKIP_DIRS = {"__pycache__", ".venv", "build", "dist", "ext_libs", ".git"}

QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtXml", "QtTest", "QtPrintSupport", "QtSvg", "QtSql")
QGIS_MODULES = ("qgis.core", "qgis.gui", "qgis.analysis")

# Enum members Qt 6 dropped under their Qt 5 name: (class, member) -> scoped Qt 6 spelling after the class.
RENAMED_MEMBERS = {
    ("Qt", "MidButton"): "MouseButton.MiddleButton",
    ("Qt", "TextColorRole"): "ItemDataRole.ForegroundRole",
    ("Qt", "BackgroundColorRole"): "ItemDataRole.BackgroundRole",
    ("QPainter", "HighQualityAntialiasing"): "RenderHint.Antialiasing",
}

# Names that do not exist in PyQt6 builds of QGIS 4, whatever module they come from.
REMOVED_NAMES = {
    "QRegExp": "QRegExp is removed in Qt 6: use QRegularExpression",
    "QRegExpValidator": "QRegExpValidator is removed in Qt 6: use QRegularExpressionValidator",
    "QDesktopWidget": "QDesktopWidget is removed in Qt 6: use QScreen (widget.screen(), QGuiApplication.screens())",
    "QTextCodec": "QTextCodec is removed from Qt 6 core: decode with Python's str/bytes",
    "QMatrix": "QMatrix is removed in Qt 6: use QTransform",
    "QGLWidget": "QGLWidget is removed in Qt 6: use QOpenGLWidget",
    "QLinkedList": "QLinkedList is removed in Qt 6: use a Python list",
    "QStringList": "QStringList does not exist in PyQt: use a Python list",
    "qApp": "qApp is removed in PyQt6: use QApplication.instance()",
    "resources_rc": "compiled Qt resources are removed in QGIS 4: load icons by file path",
}
REMOVED_MODULES = {"QtWebKit", "QtWebKitWidgets", "QtScript", "QtXmlPatterns", "QtMultimediaWidgets"}

# Classes Qt 6 moved from QtWidgets to QtGui. QGIS makes QAction and QShortcut importable from
# both modules of qgis.PyQt (QGIS PR 55658, 3.34+), but QtGui has them only from 3.34 on:
# import these from QtWidgets. The others are not re-exported: QtWidgets lacks them on QGIS 4.
MOVED_TO_QTGUI_REEXPORTED = {"QAction", "QShortcut"}
MOVED_TO_QTGUI = {"QActionGroup", "QUndoCommand", "QUndoStack", "QUndoGroup", "QFileSystemModel"}

QT_SIGNAL_NAMES = {"pyqtSignal", "pyqtSlot", "pyqtProperty"}


@dataclass(frozen=True)
class Finding:
    """One problem, with the replacement text for the name it concerns when it can be rewritten."""

    path: Path
    line: int
    col: int
    code: str
    message: str
    fix: tuple[int, int, int, str, str] | None = None  # (line, byte start, byte end, old text, new text)

    def __str__(self) -> str:
        return f"{display(self.path)}:{self.line}:{self.col + 1}: {self.code} {self.message}"


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ----------------------------------------------------------------------------- introspection


class QtCatalog:
    """The PyQt5 (through ``qgis.PyQt``) and QGIS modules, and what tells a sip enum member from anything else."""

    def __init__(self) -> None:
        self.modules: dict[str, ModuleType] = {}
        for name in QT_MODULES:
            try:
                self.modules[f"qgis.PyQt.{name}"] = importlib.import_module(f"qgis.PyQt.{name}")
            except ImportError:
                continue
        for name in QGIS_MODULES:
            try:
                self.modules[name] = importlib.import_module(name)
            except ImportError:
                continue
        self.modules["qgis.PyQt"] = importlib.import_module("qgis.PyQt")
        qt = self.modules["qgis.PyQt.QtCore"].Qt
        self.enum_metatype = type(type(qt.AlignLeft))  # sip.enumtype on PyQt5

    def module(self, dotted: str) -> ModuleType | None:
        """``qgis.PyQt.QtCore`` and the equivalents spelled ``PyQt5.QtCore`` / ``PyQt6.QtCore``."""
        for prefix in ("PyQt5.", "PyQt6."):
            if dotted.startswith(prefix):
                dotted = "qgis.PyQt." + dotted[len(prefix) :]
        if dotted in self.modules:
            return self.modules[dotted]
        if dotted.startswith(("qgis.PyQt.", "qgis.core", "qgis.gui")):
            try:
                self.modules[dotted] = importlib.import_module(dotted)
            except ImportError:
                return None
            return self.modules[dotted]
        return None

    def is_enum_type(self, obj: object) -> bool:
        return isinstance(obj, self.enum_metatype)

    def qt_enum_of(self, owner: object, member: str) -> str | None:
        """The name of the Qt enum nested in ``owner`` that has ``member``, when ``owner.member`` is unscoped."""
        if not inspect.isclass(owner) or self.is_enum_type(owner):
            return None
        try:
            value = getattr(owner, member)
        except AttributeError:
            return None
        enum = type(value)
        if not self.is_enum_type(enum) or not enum.__module__.startswith("PyQt5"):
            return None  # not an enum member, or one of QGIS's own (QGIS 4 keeps those unscoped names)
        if getattr(owner, enum.__name__, None) is not enum:
            return None
        return enum.__name__


# ----------------------------------------------------------------------------- analysis


@dataclass
class FileChecker(ast.NodeVisitor):
    """Walks one file's syntax tree; names resolve through the file's own imports only."""

    path: Path
    source: str
    catalog: QtCatalog
    findings: list[Finding] = field(default_factory=list)
    names: dict[str, object] = field(default_factory=dict)
    instances: dict[str, object] = field(default_factory=dict)  # "self.layout" -> QVBoxLayout
    classes: list[object | None] = field(default_factory=list)  # Qt base of each enclosing class

    def __post_init__(self) -> None:
        self.lines = self.source.splitlines()

    # -- helpers

    def report(self, node: ast.AST, code: str, message: str, fix: tuple[int, int, int, str, str] | None = None):
        self.findings.append(Finding(self.path, node.lineno, node.col_offset, code, message, fix))

    def attr_fix(self, node: ast.Attribute, new: str) -> tuple[int, int, int, str, str] | None:
        """Replace the attribute name of ``node`` (byte offsets, as ast reports them) when the text is plain."""
        line = node.end_lineno or node.lineno
        raw = self.lines[line - 1].encode("utf-8")
        end = node.end_col_offset or 0
        start = end - len(node.attr.encode("utf-8"))
        if raw[start:end].decode("utf-8", "replace") != node.attr or raw[start - 1 : start] != b".":
            return None
        return (line, start, end, node.attr, new)

    def resolve(self, node: ast.AST) -> object | None:
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            text = ast.unparse(node)
            if text in self.instances:
                return self.instances[text]
            base = self.resolve(node.value)
            if base is None:
                return None
            return getattr(base, node.attr, None)
        return None

    def instance_class(self, node: ast.AST) -> object | None:
        """The Qt class of the object an expression denotes, where the file shows it plainly."""
        if isinstance(node, ast.Call):
            cls = self.resolve(node.func)
            return cls if inspect.isclass(cls) else None
        text = ast.unparse(node)
        return self.instances.get(text)

    # -- imports

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if top in ("PyQt5", "PyQt6"):
                self.report(node, "QT6-IMPORT", f"import {alias.name}: import Qt through qgis.PyQt")
            elif alias.name == "sip":
                self.report(node, "QT6-IMPORT", "import sip: use 'from qgis.PyQt import sip'")
            module = self.catalog.module(alias.name)
            if module is not None and alias.asname:
                self.names[alias.asname] = module

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = node.module or ""
        top = source.split(".")[0]
        if top in ("PyQt5", "PyQt6"):
            self.report(node, "QT6-IMPORT", f"from {source} import …: import Qt through qgis.PyQt")
        last = source.rsplit(".", 1)[-1]
        if last in REMOVED_MODULES:
            self.report(node, "QT6-REMOVED", f"{last} is removed in Qt 6")
        module = self.catalog.module(source)
        for alias in node.names:
            name = alias.name
            if name in REMOVED_NAMES:
                self.report(node, "QT6-REMOVED", REMOVED_NAMES[name])
            if name in REMOVED_MODULES:
                self.report(node, "QT6-REMOVED", f"{name} is removed in Qt 6")
            if name == "sip" and source not in ("qgis.PyQt",):
                self.report(node, "QT6-IMPORT", f"sip from {source}: use 'from qgis.PyQt import sip'")
            if name in QT_SIGNAL_NAMES and source not in ("qgis.PyQt.QtCore", "PyQt5.QtCore", "PyQt6.QtCore"):
                self.report(node, "QT6-IMPORT", f"{name} lives in qgis.PyQt.QtCore, not {source}")
            if name in MOVED_TO_QTGUI_REEXPORTED and last == "QtGui":
                self.report(node, "QT6-IMPORT", f"{name} from QtGui breaks QGIS < 3.34: import it from QtWidgets")
            if name in MOVED_TO_QTGUI and last == "QtWidgets":
                self.report(node, "QT6-REMOVED", f"{name} moved to QtGui in Qt 6 and qgis.PyQt.QtWidgets lacks it")
            if module is None:
                continue
            if name == "*":
                self.names.update({k: v for k, v in vars(module).items() if not k.startswith("_")})
                continue
            value = getattr(module, name, None)
            if value is None:
                value = self.catalog.module(f"{source}.{name}")
            if value is not None:
                self.names[alias.asname or name] = value

    # -- classes, assignments

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        qt_base = next((b for b in map(self.resolve, node.bases) if inspect.isclass(b)), None)
        self.classes.append(qt_base)
        self.generic_visit(node)
        self.classes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name == "exec_":
            self.report(node, "QT6-EXEC", "def exec_: PyQt6 calls exec()")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        cls = self.instance_class(node.value) if isinstance(node.value, ast.Call) else None
        for target in node.targets:
            if isinstance(target, (ast.Name, ast.Attribute)) and cls is not None:
                self.instances[ast.unparse(target)] = cls

    # -- uses

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.check_attribute(node)
        self.generic_visit(node)

    def check_attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr == "exec_":
            self.report(node, "QT6-EXEC", "exec_() is gone in PyQt6: use exec()", self.attr_fix(node, "exec"))
            return
        if attr in REMOVED_NAMES and isinstance(self.resolve(node.value), ModuleType):
            self.report(node, "QT6-REMOVED", REMOVED_NAMES[attr])
            return
        owner = self.resolve(node.value)
        owner_name = node.value.id if isinstance(node.value, ast.Name) else getattr(owner, "__name__", "")
        if owner is None and isinstance(node.value, ast.Name) and node.value.id == "self" and self.classes:
            owner, owner_name = self.classes[-1], "self"
        if owner is None:
            self.check_removed_method(node)
            return
        cls_name = getattr(owner, "__name__", "")
        if (cls_name, attr) in RENAMED_MEMBERS and hasattr(owner, attr):
            new = RENAMED_MEMBERS[(cls_name, attr)]
            self.report(
                node,
                "QT6-RENAMED",
                f"{owner_name}.{attr} is gone in Qt 6: use {owner_name}.{new}",
                self.attr_fix(node, new),
            )
            return
        if cls_name == "QVariant" and inspect.isclass(owner):
            value = getattr(owner, attr, None)
            if value is not None and self.catalog.is_enum_type(type(value)):
                self.report(
                    node,
                    "QT6-REMOVED",
                    f"QVariant.{attr}: QVariant types are gone in PyQt6 (QGIS 4 patches them back only for old "
                    "code); define fields by a memory-layer URI, or QMetaType.Type on QGIS >= 3.38",
                )
                return
        enum = self.catalog.qt_enum_of(owner, attr)
        if enum is not None:
            self.report(
                node,
                "QT6-ENUM",
                f"unscoped {owner_name}.{attr}: use {owner_name}.{enum}.{attr}",
                self.attr_fix(node, f"{enum}.{attr}"),
            )
            return
        self.check_removed_method(node)

    def check_removed_method(self, node: ast.Attribute) -> None:
        attr = node.attr
        receiver = node.value
        if attr == "desktop" and isinstance(receiver, (ast.Name, ast.Attribute, ast.Call)):
            cls = self.resolve(receiver) or self.instance_class(receiver)
            app = self.catalog.module("qgis.PyQt.QtWidgets")
            if inspect.isclass(cls) and app is not None and issubclass(cls, app.QApplication):
                self.report(node, "QT6-REMOVED", "QApplication.desktop() is removed in Qt 6: use QScreen")
            return
        if attr == "width":
            gui = self.catalog.module("qgis.PyQt.QtGui")
            metrics = (gui.QFontMetrics, gui.QFontMetricsF) if gui is not None else ()
            from_widget = (
                isinstance(receiver, ast.Call)
                and isinstance(receiver.func, ast.Attribute)
                and receiver.func.attr == "fontMetrics"
            )
            cls = self.instance_class(receiver)
            if from_widget or (inspect.isclass(cls) and issubclass(cls, metrics)):
                self.report(node, "QT6-REMOVED", "QFontMetrics.width() is removed in Qt 6: use horizontalAdvance()")
            return
        if attr == "setMargin":
            widgets = self.catalog.module("qgis.PyQt.QtWidgets")
            cls = self.instance_class(receiver)
            if widgets is not None and inspect.isclass(cls) and issubclass(cls, widgets.QLayout):
                self.report(node, "QT6-REMOVED", "QLayout.setMargin() is removed in Qt 6: use setContentsMargins()")

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in self.names:
            cls = self.names[node.func.id]
            name = getattr(cls, "__name__", "")
            if name == "QVariant" and not node.args:
                self.report(node, "QT6-REMOVED", "QVariant() as NULL: PyQt6 maps it to None; use qgis.core.NULL")
            if name == "QDateTime" and len(node.args) == 8:
                self.report(node, "QT6-REMOVED", "QDateTime(y, m, d, h, m, s, ms, spec) is gone: use QDate, QTime")
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if (
            isinstance(node.value, ast.Attribute)
            and node.value.attr == "activated"
            and isinstance(node.slice, ast.Name)
            and node.slice.id == "str"
        ):
            self.report(node, "QT6-REMOVED", "activated[str] is removed in Qt 6: use textActivated")
        self.generic_visit(node)


def check_source(path: Path, source: str, catalog: QtCatalog) -> list[Finding]:
    tree = ast.parse(source, filename=str(path))
    checker = FileChecker(path, source, catalog)
    # imports first, wherever they are (function-local imports are common in tests)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            checker.visit_Import(node)
        elif isinstance(node, ast.ImportFrom):
            checker.visit_ImportFrom(node)
    checker.findings.clear()  # the import findings are reported again, in order, by the walk below
    checker.visit(tree)
    return sorted(set(checker.findings), key=lambda f: (f.line, f.col, f.code))


def qt_names(source: str) -> list[tuple[str, int, int]]:
    """Each Qt name the code spells from a ``qgis.PyQt`` import, as ``("QtWidgets:QHeaderView.ResizeMode.Stretch",
    line, col)``: imported names and the longest attribute chains that start at an imported Qt class or module."""
    tree = ast.parse(source)
    origins: dict[str, str] = {}
    names: list[tuple[str, int, int]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        parts = node.module.split(".")
        if node.module in ("qgis.PyQt", "PyQt5", "PyQt6"):
            origins.update({a.asname or a.name: f"{a.name}:" for a in node.names if a.name in QT_MODULES})
        elif parts[-1] in QT_MODULES and (node.module.startswith("qgis.PyQt.") or parts[0] in ("PyQt5", "PyQt6")):
            for alias in node.names:
                if alias.name == "*":
                    continue
                origins[alias.asname or alias.name] = f"{parts[-1]}:{alias.name}"
                if not (parts[-1] == "QtWidgets" and alias.name in MOVED_TO_QTGUI_REEXPORTED):  # QGIS re-exports
                    names.append((f"{parts[-1]}:{alias.name}", node.lineno, node.col_offset))
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in inner:
            continue
        chain: list[str] = []
        current: ast.AST = node
        while isinstance(current, ast.Attribute):
            chain.append(current.attr)
            current = current.value
        if isinstance(current, ast.Name) and current.id in origins:
            module, _, first = origins[current.id].partition(":")
            dotted = ".".join(filter(None, [first, *reversed(chain)]))
            names.append((f"{module}:{dotted}", node.lineno, node.col_offset))
    return names


PYQT6_RESOLVER = """
import importlib, json, sys
from PyQt6.QtCore import PYQT_VERSION_STR
missing = []
for key in json.load(sys.stdin):
    module, _, chain = key.partition(":")
    obj = importlib.import_module("PyQt6." + module)
    for part in filter(None, chain.split(".")):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            missing.append(key)
            break
json.dump({"version": PYQT_VERSION_STR, "missing": missing}, sys.stdout)
"""


def pyqt6_findings(paths: Iterable[Path], python: str) -> list[Finding]:
    """Qt names of ``paths`` that PyQt6 (imported by ``python``) lacks."""
    spelled: list[tuple[Path, str, int, int]] = [
        (path, key, line, col)
        for path in python_files(paths)
        for key, line, col in qt_names(path.read_text(encoding="utf-8"))
    ]
    keys = sorted({key for _, key, _, _ in spelled})
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [python, "-c", PYQT6_RESOLVER], input=json.dumps(keys), capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"qt6_check: {python} cannot resolve names in PyQt6:\n{done.stderr.strip()}")
    answer = json.loads(done.stdout)
    missing = set(answer["missing"])
    return [
        Finding(
            path,
            line,
            col,
            "QT6-PYQT6",
            f"{key.partition(':')[2]} ({key.partition(':')[0]}) is not in PyQt6 {answer['version']}",
        )
        for path, key, line, col in spelled
        if key in missing
    ]


def apply_fixes(source: str, findings: Iterable[Finding]) -> tuple[str, int]:
    """``source`` with every rewritable finding rewritten; the number of rewrites."""
    lines = source.splitlines(keepends=True)
    edits: dict[int, list[tuple[int, int, str, str]]] = {}
    for finding in findings:
        if finding.fix is not None:
            line, start, end, old, new = finding.fix
            edits.setdefault(line, []).append((start, end, old, new))
    count = 0
    for line, changes in edits.items():
        raw = lines[line - 1].encode("utf-8")
        for start, end, old, new in sorted(set(changes), reverse=True):
            if raw[start:end] != old.encode("utf-8"):
                continue
            raw = raw[:start] + new.encode("utf-8") + raw[end:]
            count += 1
        lines[line - 1] = raw.decode("utf-8")
    return "".join(lines), count


def python_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file() and path.suffix == ".py":
            yield path
        elif path.is_dir():
            for child in sorted(path.rglob("*.py")):
                if not SKIP_DIRS.intersection(child.relative_to(path).parts):
                    yield child


def run(paths: list[Path], fix: bool, out=sys.stdout) -> tuple[list[Finding], int]:
    """Check (and with ``fix`` rewrite) ``paths``; the findings left and the number of rewrites."""
    catalog = QtCatalog()
    remaining: list[Finding] = []
    rewritten = 0
    changed: list[Path] = []
    for path in python_files(paths):
        source = path.read_text(encoding="utf-8")
        findings = check_source(path, source, catalog)
        if fix and any(f.fix for f in findings):
            fixed, count = apply_fixes(source, findings)
            ast.parse(fixed, filename=str(path))  # never write a file that no longer parses
            path.write_text(fixed, encoding="utf-8")
            rewritten += count
            changed.append(path)
            print(f"{display(path)}: {count} rewritten", file=out)
            findings = check_source(path, fixed, catalog)
        remaining.extend(findings)
    reformat(changed)
    return remaining, rewritten


def reformat(paths: list[Path]) -> None:
    """Scoped names are longer: re-wrap the project's rewritten files with its ruff settings."""
    ruff = ROOT / ".venv" / "bin" / "ruff"
    ours = [str(p) for p in paths if p.resolve().is_relative_to(ROOT)]
    if ours and ruff.exists():
        subprocess.run([str(ruff), "format", "--quiet", *ours], cwd=ROOT, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the project's code)")
    parser.add_argument("--fix", action="store_true", help="scope enums, exec_() -> exec(), renamed members")
    parser.add_argument("--pyqt6", metavar="PYTHON", help="a Python with PyQt6: resolve every Qt name there too")
    args = parser.parse_args(argv)
    paths = args.paths or [ROOT / name for name in DEFAULT_ROOTS]
    findings, rewritten = run(paths, args.fix)
    if args.pyqt6:
        findings += pyqt6_findings(paths, args.pyqt6)
    for finding in findings:
        print(finding)
    fixable = sum(1 for f in findings if f.fix)
    summary = f"qt6_check: {len(findings)} finding(s)"
    if args.fix:
        summary += f", {rewritten} rewritten"
    elif fixable:
        summary += f" ({fixable} fixable with --fix)"
    print(summary)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
