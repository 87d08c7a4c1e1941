"""Help buttons: every page a screen asks for exists in both languages, and open_help opens the file."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtWidgets import QDialogButtonBox, QPushButton

from openmisto_plugin.core.i18n import tr
from openmisto_plugin.core.settings import PluginSettings
from openmisto_plugin.gui import help as helpmod

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import build_guide  # noqa: E402


@pytest.fixture(scope="module")
def guide(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("help")
    build_guide.build(out)
    return out


@pytest.fixture
def installed(guide, monkeypatch) -> Path:
    monkeypatch.setattr(helpmod, "help_dir", lambda: guide)
    return guide


@pytest.fixture
def opened(monkeypatch) -> list[QUrl]:
    urls: list[QUrl] = []
    monkeypatch.setattr(helpmod.QDesktopServices, "openUrl", lambda url: urls.append(QUrl(url)) or True)
    return urls


def pages_asked_for_in_code() -> set[str]:
    """Literal pages of every ``help_button(parent, "x")`` and ``open_help("x")`` in the plugin."""
    found: set[str] = set()
    for path in (ROOT / "openmisto_plugin").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            position = {"help_button": 1, "open_help": 0}.get(name or "")
            if position is not None and len(node.args) > position:
                arg = node.args[position]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
    return found


def test_the_dock_and_the_settings_ask_for_help():
    assert {"dock", "settings"} <= pages_asked_for_in_code()


@pytest.mark.parametrize("language", helpmod.LANGUAGES)
def test_every_page_and_anchor_asked_for_exists(installed, language):
    wanted = set(helpmod.TOPICS) | pages_asked_for_in_code()
    missing = []
    for page in sorted(wanted):
        name, _hash, anchor = helpmod.TOPICS.get(page, page).partition("#")
        path = installed / language / f"{name}.html"
        if not path.is_file():
            missing.append(f"{page}: no {language}/{name}.html")
        elif anchor and f'id="{anchor}"' not in path.read_text(encoding="utf-8"):
            missing.append(f"{page}: no anchor #{anchor} in {language}/{name}.html")
    assert not missing, missing


def test_open_help_opens_the_page_at_its_anchor(installed, opened):
    path = helpmod.open_help("settings", "en")
    assert path == installed / "en" / "install.html"
    assert len(opened) == 1
    assert opened[0].isLocalFile() and Path(opened[0].toLocalFile()) == path
    assert opened[0].fragment() == "connect"
    assert helpmod.open_help("officer#filter", "uk") == installed / "uk" / "officer.html"
    assert opened[1].fragment() == "filter"


def test_language_follows_qgis_and_falls_back(installed, opened, tmp_path, monkeypatch):
    assert helpmod.help_language("en_GB") == "en"
    assert helpmod.help_language("uk_UA") == "uk"
    assert helpmod.help_language("de_DE") == "uk"  # Ukrainian staff: Ukrainian unless QGIS is English
    assert helpmod.help_language("") == "uk"
    only_uk = tmp_path / "help"
    (only_uk / "uk").mkdir(parents=True)
    (only_uk / "uk" / "index.html").write_text("<h1>Зміст</h1>", encoding="utf-8")
    monkeypatch.setattr(helpmod, "help_dir", lambda: only_uk)
    assert helpmod.help_file("dock", "en") == only_uk / "uk" / "index.html"
    assert helpmod.open_help("no-such-page") is None
    assert helpmod.help_url("no-such-page") is None


def test_help_dir_prefers_the_zip_layout(monkeypatch, tmp_path):
    plugin = tmp_path / "openmisto_plugin"
    (plugin / "help").mkdir(parents=True)
    monkeypatch.setattr(helpmod, "PLUGIN_DIR", plugin)
    assert helpmod.help_dir() == plugin / "help"
    (plugin / "help").rmdir()
    assert helpmod.help_dir() == tmp_path / "build" / "help"


def test_help_button_opens_its_page(installed, opened):
    button = helpmod.help_button(None, "respond")
    assert button.text() == tr("Help") and button.property("helpPage") == "respond"
    button.click()
    assert opened and opened[0].fragment() == "respond" and opened[0].toLocalFile().endswith("officer.html")


def test_help_button_says_when_the_guide_is_missing(monkeypatch, tmp_path, opened):
    monkeypatch.setattr(helpmod, "help_dir", lambda: tmp_path / "nothing")
    shown: list[str] = []
    monkeypatch.setattr(helpmod.QMessageBox, "information", lambda *args: shown.append(args[2]))
    helpmod.help_button(None, "dock").click()
    assert not opened
    assert shown and str(tmp_path / "nothing") in shown[0]


def test_dock_and_settings_dialog_have_a_help_button(qgis_iface):
    from openmisto_plugin.gui.dock import OpenMistoDock
    from openmisto_plugin.gui.settings_dialog import SettingsDialog

    dock = OpenMistoDock()
    dialog = SettingsDialog(PluginSettings())
    try:
        dock_help = dock.findChild(QPushButton, "OpenMistoHelpButton")
        assert dock_help is not None and dock_help.property("helpPage") == "dock"
        box_help = [
            b
            for b in dialog.button_box.buttons()
            if dialog.button_box.buttonRole(b) == QDialogButtonBox.ButtonRole.HelpRole
        ]
        assert len(box_help) == 1 and box_help[0].property("helpPage") == "settings"
    finally:
        dialog.deleteLater()
        dock.deleteLater()


#: Every workflow screen and the help topic its Help button opens: (module under gui/, class, topic).
SCREENS = [
    ("moderation_panel", "ModerationPanel", "moderation"),
    ("assign_dialog", "AssignDialog", "assign"),
    ("duplicates_dialog", "DuplicatesDialog", "duplicates"),
    ("respond_dialog", "RespondDialog", "respond"),
    ("outbox_panel", "OutboxPanel", "outbox"),
    ("outbox_panel", "ConflictDialog", "conflict"),
    ("monthly_report_dialog", "MonthlyReportDialog", "monthly_report"),
    ("filter_panel", "FilterPanel", "filter"),
    ("report_detail", "ReportDetailDialog", "report"),
]


def help_pages_of_class(module: str, class_name: str) -> set[str]:
    """Literal pages of the ``help_button(…, "x")`` calls in the class's own code."""
    tree = ast.parse((ROOT / "openmisto_plugin" / "gui" / f"{module}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            return {
                call.args[1].value
                for call in ast.walk(node)
                if isinstance(call, ast.Call)
                and getattr(call.func, "id", None) == "help_button"
                and len(call.args) > 1
                and isinstance(call.args[1], ast.Constant)
            }
    raise AssertionError(f"no class {class_name} in gui/{module}.py")


@pytest.mark.parametrize(("module", "class_name", "topic"), SCREENS, ids=[s[1] for s in SCREENS])
def test_every_workflow_screen_has_a_help_button_to_an_existing_page(installed, module, class_name, topic):
    assert help_pages_of_class(module, class_name) == {topic}
    assert topic in helpmod.TOPICS
    for language in helpmod.LANGUAGES:
        url = helpmod.help_url(topic, language)
        assert url is not None and Path(url.toLocalFile()) == installed / language / Path(url.toLocalFile()).name
        _name, _hash, anchor = helpmod.TOPICS[topic].partition("#")
        assert not anchor or f'id="{anchor}"' in Path(url.toLocalFile()).read_text(encoding="utf-8")


def test_the_screens_show_their_help_buttons(qgis_iface, qgis_canvas, tmp_path):
    """The screens that need no store: the button is really there (in a dialog: in the button box, HelpRole)."""
    from openmisto_plugin.gui.filter_panel import FilterPanel
    from openmisto_plugin.gui.moderation_panel import ModerationPanel
    from openmisto_plugin.gui.monthly_report_dialog import MonthlyReportDialog
    from openmisto_plugin.gui.outbox_panel import OutboxPanel
    from openmisto_plugin.gui.report_detail import ReportDetailDialog

    panels = {
        "moderation": ModerationPanel(None, None, lambda: None, qgis_canvas),
        "outbox": OutboxPanel(None),
        "filter": FilterPanel(qgis_canvas),
    }
    dialogs = {
        "monthly_report": (report := MonthlyReportDialog(str(tmp_path / "w.gpkg"))).buttons,
        "report": (detail := ReportDetailDialog({"service_request_id": "1"}, [])).button_box,
    }
    try:
        for topic, panel in panels.items():
            buttons = panel.findChildren(QPushButton, "OpenMistoHelpButton")
            assert [b.property("helpPage") for b in buttons] == [topic]
        for topic, box in dialogs.items():
            helps = [b for b in box.buttons() if box.buttonRole(b) == QDialogButtonBox.ButtonRole.HelpRole]
            assert [b.property("helpPage") for b in helps] == [topic]
    finally:
        for widget in (*panels.values(), report, detail):
            widget.deleteLater()
