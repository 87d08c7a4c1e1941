"""The plugin's layout rules, checked on its source (as 3liz/lizmap-plugin polices its tree).

Each rule is a function from a package directory to its violations, so that a test can plant a
violation in a copy of the package and see the rule catch it.
"""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "openmisto_plugin"
MAX_LINES = 600

# Today's long modules, each with why it is not split yet (issue 12 splits them once the parallel work settles).
LONG_MODULES = {
    "core/open311/parser.py": "JSON and XML readers with their quick paths, kept together so they stay identical",
    "core/open311/client.py": "the Open311 client with paging, retries and the platform quirks it tolerates",
}

# A comment at the top of a long module that says why it is long (instead of an entry above).
LONG_MODULE_MARK = re.compile(r"^#\s*long module:\s*\S", re.IGNORECASE | re.MULTILINE)

# Reading or converting a datetime: only core/timeutil.py does it.
DATETIME_PARSING = re.compile(
    r"fromisoformat|strptime|QDateTime\.fromString|fromtimestamp|parsedate|dateutil|replace\(\s*tzinfo\s*="
)
DATETIME_EXCEPTIONS = {
    "core/open311/client.py": "the HTTP-date of a Retry-After header (RFC 9110), a header format, not a report stamp",
}

# "Overdue" worked out by hand: a deadline compared with something, or the open status tested beside a deadline.
OVERDUE_COMPUTATION = re.compile(
    r"(deadline|\bdue)\w*\"?\s*(<|>|<=|>=)\s*|(<|>|<=|>=)\s*\"?\w*(deadline|\bdue)\b|"
    r"status\W{1,6}(==|=)\s*\W?open\W.{0,40}deadline",
    re.IGNORECASE,
)
NOT_OVERDUE = re.compile(r"monotonic\(")  # a time-out's "deadline", not a report's

# Private attributes of a store reached from outside core/store/.
PRIVATE_STORE = re.compile(r"getattr\(\s*[\w.]*store\w*\s*,\s*[\"']_|\bstore\w*\._[a-z]")
PRIVATE_STORE_EXCEPTIONS: dict[tuple[str, str], str] = {}

# The workspace reached around the store: SQLite, OGR or a test of which backend it is (core/store/ only).
BACKEND_ACCESS = re.compile(
    r"\bimport sqlite3\b|\bsqlite3\.|\bfrom osgeo\b|\bimport osgeo\b|\.ExecuteSQL\(|\bis_postgres\b"
    r"|[=!]=\s*[\"']postgres[\"']|[\"']postgres[\"']\s*[=!]=|\bdialect\s*[=!]=|providerType\(\)\s*[=!]=\s*[\"']"
)
BACKEND_EXCEPTIONS = {
    ("core/escaping.py", 'dialect == "postgres"'): "the quoting module writes each dialect's literals for SqlDialect",
}

GUI_IMPORT = re.compile(
    r"^\s*(from|import)\s+(qgis\.gui|qgis\.PyQt\.QtWidgets|PyQt\d\.QtWidgets|qgis\.utils|\.+gui\b)", re.MULTILINE
)


def _modules(root: Path) -> list[tuple[str, Path]]:
    return sorted((path.relative_to(root).as_posix(), path) for path in root.rglob("*.py"))


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """The lines of code of a module: without docstrings and comments (texts in the code stay)."""
    text = path.read_text(encoding="utf-8")
    skipped = _docstring_lines(ast.parse(text))
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        code = "" if number in skipped or line.lstrip().startswith("#") else re.sub(r"\s#\s.*$", "", line)
        if code.strip():
            lines.append((number, code))
    return lines


def gui_imports(root: Path) -> list[str]:
    """GUI imports (``qgis.gui``, widgets, ``iface``, the plugin's ``gui``) under ``core/`` and ``processing/``."""
    found = []
    for name, path in _modules(root):
        if name.startswith(("core/", "processing/")):
            for match in GUI_IMPORT.finditer(path.read_text(encoding="utf-8")):
                found.append(f"{name}: {match.group(0).strip()}")
    return found


def datetime_parsing(root: Path) -> list[str]:
    """Datetime reading outside ``core/timeutil.py`` (and the listed exceptions)."""
    found = []
    for name, path in _modules(root):
        if name == "core/timeutil.py" or name in DATETIME_EXCEPTIONS:
            continue
        found += [f"{name}:{n}: {line.strip()}" for n, line in _code_lines(path) if DATETIME_PARSING.search(line)]
    return found


def overdue_computation(root: Path) -> list[str]:
    """The overdue rule written outside ``core/deadlines.py``."""
    found = []
    for name, path in _modules(root):
        if name == "core/deadlines.py":
            continue
        found += [
            f"{name}:{n}: {line.strip()}"
            for n, line in _code_lines(path)
            if OVERDUE_COMPUTATION.search(line) and not NOT_OVERDUE.search(line)
        ]
    return found


def _outside_store(root: Path, pattern: re.Pattern, exceptions: dict[tuple[str, str], str]) -> list[str]:
    """Lines matching ``pattern`` outside ``core/store/``, but for the listed ``(file, text)`` exceptions."""
    found = []
    for name, path in _modules(root):
        if name.startswith("core/store/"):
            continue
        for n, line in _code_lines(path):
            if pattern.search(line) and not any(name == file and text in line for file, text in exceptions):
                found.append(f"{name}:{n}: {line.strip()}")
    return found


def private_store_access(root: Path) -> list[str]:
    """Private store attributes used outside ``core/store/`` (and the listed exceptions)."""
    return _outside_store(root, PRIVATE_STORE, PRIVATE_STORE_EXCEPTIONS)


def backend_access(root: Path) -> list[str]:
    """SQLite, OGR or backend tests outside ``core/store/``: everything else goes through the Workspace door."""
    return _outside_store(root, BACKEND_ACCESS, BACKEND_EXCEPTIONS)


def unexplained_long_modules(root: Path) -> list[str]:
    """Modules over ``MAX_LINES`` lines with neither an entry in ``LONG_MODULES`` nor a top comment saying why."""
    found = []
    for name, path in _modules(root):
        text = path.read_text(encoding="utf-8")
        count = text.count("\n")
        if count > MAX_LINES and name not in LONG_MODULES and not LONG_MODULE_MARK.search(text[:3000]):
            found.append(f"{name}: {count} lines")
    return found


RULES: dict[str, Callable[[Path], list[str]]] = {
    "gui_imports": gui_imports,
    "datetime_parsing": datetime_parsing,
    "overdue_computation": overdue_computation,
    "private_store_access": private_store_access,
    "backend_access": backend_access,
    "unexplained_long_modules": unexplained_long_modules,
}


@pytest.mark.parametrize("rule", list(RULES))
def test_the_plugin_keeps_the_rule(rule):
    assert RULES[rule](PACKAGE) == []


def test_every_exception_is_still_needed():
    for name in LONG_MODULES:
        assert (PACKAGE / name).is_file(), f"{name} is listed as a long module but does not exist"
    for name in DATETIME_EXCEPTIONS:
        assert DATETIME_PARSING.search((PACKAGE / name).read_text(encoding="utf-8")), name
    for name, text in BACKEND_EXCEPTIONS:
        assert text in (PACKAGE / name).read_text(encoding="utf-8"), (name, text)
    for name, attribute in PRIVATE_STORE_EXCEPTIONS:
        assert attribute in (PACKAGE / name).read_text(encoding="utf-8"), (name, attribute)


# One planted violation per rule: (file, text appended to it).
PLANTED = {
    "gui_imports": ("core/statuses.py", "\nfrom qgis.gui import QgsMapCanvas\n"),
    "datetime_parsing": ("gui/common.py", "\nWHEN = datetime.fromisoformat('2026-11-02T09:14:00')\n"),
    "overdue_computation": ("gui/dock.py", "\nLATE = bool(is_open and deadline is not None and deadline < now)\n"),
    "private_store_access": ("core/sync.py", '\nGROW = getattr(self.store, "_pending_ids", None)\n'),
    "backend_access": ("gui/dock.py", '\nSHARED = layer.providerType() == "postgres"\n'),
    "unexplained_long_modules": ("core/statuses.py", "\n" + "VALUE = 1\n" * (MAX_LINES + 1)),
}


@pytest.mark.parametrize("rule", list(RULES))
def test_the_rule_catches_a_planted_violation(rule, tmp_path):
    copy = tmp_path / "openmisto_plugin"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.qm", "resources"))
    assert RULES[rule](copy) == []
    name, text = PLANTED[rule]
    with (copy / name).open("a", encoding="utf-8") as module:
        module.write(text)
    found = RULES[rule](copy)
    assert len(found) == 1 and found[0].startswith(name), found


def test_a_top_comment_explains_a_long_module(tmp_path):
    copy = tmp_path / "pkg"
    (copy / "core").mkdir(parents=True)
    body = "VALUE = 1\n" * (MAX_LINES + 1)
    (copy / "core" / "big.py").write_text(body, encoding="utf-8")
    assert unexplained_long_modules(copy) == [f"core/big.py: {MAX_LINES + 1} lines"]
    (copy / "core" / "big.py").write_text(
        '"""Big."""\n# Long module: one table of constants\n' + body, encoding="utf-8"
    )
    assert unexplained_long_modules(copy) == []
