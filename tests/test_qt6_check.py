"""tools/qt6_check.py finds what PyQt6 rejects, rewrites it into names PyQt5 accepts too, and passes clean code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import qt6_check  # noqa: E402

VIOLATIONS = """\
from qgis.PyQt import QtCore
from qgis.PyQt.QtCore import Qt, QVariant
from qgis.PyQt.QtGui import QAction
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QLabel, QMessageBox, QTableWidget, QVBoxLayout
from PyQt5.QtCore import QRegExp


class Dialog(QDialog):
    def run(self):
        return self.exec_() == self.Accepted


def build(widget):
    label = QLabel("Звернення")  ; label.setAlignment(Qt.AlignLeft | Qt.AlignTop)
    box = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    table = QTableWidget()
    table.setSelectionBehavior(QTableWidget.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
    right = QtCore.Qt.AlignRight
    middle = Qt.MidButton
    layout = QVBoxLayout()
    layout.setMargin(0)
    width = widget.fontMetrics().width("x")
    kind = QVariant.String
    return QMessageBox.Yes, box, right, middle, width, kind
"""

EXPECTED = [
    (3, "QT6-IMPORT"),  # QAction from QtGui: QGIS < 3.34 has it in QtWidgets only
    (5, "QT6-IMPORT"),  # PyQt5 directly
    (5, "QT6-REMOVED"),  # QRegExp
    (10, "QT6-EXEC"),
    (10, "QT6-ENUM"),  # self.Accepted in a QDialog subclass
    (14, "QT6-ENUM"),  # after Cyrillic text on the same line: byte offsets
    (14, "QT6-ENUM"),
    (15, "QT6-ENUM"),
    (15, "QT6-ENUM"),
    (17, "QT6-ENUM"),  # SelectRows, an enum of the base QAbstractItemView
    (18, "QT6-ENUM"),
    (19, "QT6-ENUM"),  # through the module: QtCore.Qt.AlignRight
    (20, "QT6-RENAMED"),
    (22, "QT6-REMOVED"),  # QLayout.setMargin
    (23, "QT6-REMOVED"),  # QFontMetrics.width
    (24, "QT6-REMOVED"),  # QVariant.String
    (25, "QT6-ENUM"),
]

CLEAN = """\
from qgis.core import Qgis, QgsPalLayerSettings
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import QAction, QDialog, QDialogButtonBox, QHeaderView, QLabel


class Dialog(QDialog):
    changed = pyqtSignal()

    def run(self):
        return self.exec() == QDialog.DialogCode.Accepted


def build():
    label = QLabel("Звернення")
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
    mode = QHeaderView.ResizeMode.Stretch
    level = Qgis.Info  # QGIS's own enums keep their unscoped names on QGIS 4
    settings = QgsPalLayerSettings()
    return box, mode, level, settings, QAction, sip.isdeleted(label)
"""


def findings_of(path: Path) -> list[tuple[int, str]]:
    found, _ = qt6_check.run([path], fix=False)
    return [(f.line, f.code) for f in found]


def test_known_violations_are_found(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(VIOLATIONS, encoding="utf-8")
    assert findings_of(sample) == EXPECTED


def test_scoped_code_is_clean(tmp_path: Path) -> None:
    sample = tmp_path / "clean.py"
    sample.write_text(CLEAN, encoding="utf-8")
    assert findings_of(sample) == []


def test_fix_rewrites_enums_and_exec_and_leaves_the_rest_reported(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(VIOLATIONS, encoding="utf-8")
    remaining, rewritten = qt6_check.run([sample], fix=True)
    assert rewritten == 11  # 9 enums, 1 renamed member, 1 exec_
    text = sample.read_text(encoding="utf-8")
    assert 'QLabel("Звернення")  ; label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)' in text
    assert "self.exec() == self.DialogCode.Accepted" in text
    assert "QtCore.Qt.AlignmentFlag.AlignRight" in text
    assert "QTableWidget.SelectionBehavior.SelectRows" in text
    assert "Qt.MouseButton.MiddleButton" in text
    assert "QMessageBox.StandardButton.Yes" in text
    assert [(f.line, f.code) for f in remaining] == [
        (line, code) for line, code in EXPECTED if code in ("QT6-IMPORT", "QT6-REMOVED")
    ]


def test_fixed_names_mean_the_same_on_pyqt5(tmp_path: Path) -> None:
    """The rewrite is not only clean text: each scoped name is the very value the unscoped one was."""
    names = (
        "Qt.AlignLeft, Qt.UserRole, Qt.ISODate, Qt.MidButton, QDialogButtonBox.Ok, QDialogButtonBox.HelpRole, "
        "QTableWidget.SelectRows, QHeaderView.Stretch, QMessageBox.Yes, QEvent.MouseButtonRelease, "
        "QLocale.Ukrainian, QSizePolicy.Expanding, QPainter.Antialiasing"
    )
    source = (
        "from qgis.PyQt.QtCore import QEvent, QLocale, Qt\n"
        "from qgis.PyQt.QtGui import QPainter\n"
        "from qgis.PyQt.QtWidgets import QDialogButtonBox, QHeaderView, QMessageBox, QSizePolicy, QTableWidget\n"
        f"VALUES = [{names}]\n"
    )
    sample = tmp_path / "values.py"
    sample.write_text(source, encoding="utf-8")
    _, rewritten = qt6_check.run([sample], fix=True)
    assert rewritten == 13
    fixed = sample.read_text(encoding="utf-8")
    assert findings_of(sample) == []
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    exec(compile(source, "before", "exec"), before)
    exec(compile(fixed, "after", "exec"), after)
    assert [int(v) for v in after["VALUES"]] == [int(v) for v in before["VALUES"]]


def test_command_line_fails_on_findings_and_passes_clean_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(VIOLATIONS, encoding="utf-8")
    good = tmp_path / "good.py"
    good.write_text(CLEAN, encoding="utf-8")
    tool = str(ROOT / "tools" / "qt6_check.py")
    failed = subprocess.run([sys.executable, tool, str(bad)], capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert "QT6-ENUM unscoped QDialogButtonBox.Ok: use QDialogButtonBox.StandardButton.Ok" in failed.stdout
    assert failed.stdout.strip().endswith("qt6_check: 17 finding(s) (11 fixable with --fix)")
    passed = subprocess.run([sys.executable, tool, str(good)], capture_output=True, text=True, timeout=120)
    assert passed.returncode == 0, passed.stdout


def test_qt_names_lists_what_pyqt6_must_have() -> None:
    """--pyqt6 resolves these in real PyQt6: imported names and whole attribute chains from Qt classes or modules."""
    source = (
        "from qgis.PyQt import QtCore\n"
        "from qgis.PyQt.QtCore import Qt\n"
        "from qgis.PyQt.QtWidgets import QAction, QHeaderView as Header\n"
        "from qgis.core import QgsProject\n"
        "a = Header.ResizeMode.Stretch\n"
        "b = QtCore.Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop\n"
        "c = QgsProject.instance()\n"
    )
    assert sorted(key for key, _, _ in qt6_check.qt_names(source)) == [
        "QtCore:Qt",  # imported; QAction from QtWidgets is left out: QGIS re-exports it there
        "QtCore:Qt.AlignmentFlag.AlignLeft",
        "QtCore:Qt.AlignmentFlag.AlignTop",
        "QtWidgets:QHeaderView",
        "QtWidgets:QHeaderView.ResizeMode.Stretch",
    ]
