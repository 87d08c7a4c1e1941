"""Platform text is shown as text, never as HTML (issue 10, item 6).

A platform (or anything between it and the officer) controls error texts, skip reasons, category and
department names. Where Qt renders HTML (the message bar, tooltips, a QMessageBox, a label in auto mode),
a live link "re-enter your key here" must show as the literal characters. Each widget is checked on what
it renders: the plain text of its document, and no anchor in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from qgis.core import Qgis
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtGui import QTextDocument
from qgis.PyQt.QtWidgets import QApplication, QLabel, QMessageBox, QTextBrowser

HOSTILE = '<a href="http://evil.example/key">Re-enter your key</a> <b>now</b> <img src="http://evil.example/t.png">'


def rendered(markup: str) -> QTextDocument:
    """How Qt renders ``markup`` where it guesses the format (tooltips, auto-format labels)."""
    document = QTextDocument()
    if Qt.mightBeRichText(markup):
        document.setHtml(markup)
    else:
        document.setPlainText(markup)
    return document


def assert_literal(document: QTextDocument, text: str = HOSTILE) -> None:
    """``text`` is in what the document shows, and the document has no link, image or bold of its own."""
    assert text in document.toPlainText()
    markup = document.toHtml()
    assert "<a " not in markup and "<img" not in markup and "font-weight:600" not in markup


def test_message_bar_shows_platform_text_literally(qgis_app: Any) -> None:
    from qgis.gui import QgsMessageBar

    from openmisto_plugin.gui.common import push_plain_message

    bar = QgsMessageBar()  # the real widget (QGIS's own bar is this class)
    push_plain_message(bar, "Open City <i>", f"Synchronisation failed: {HOSTILE}", Qgis.Critical, 0)
    item = bar.currentItem()
    assert item is not None
    browsers = item.findChildren(QTextBrowser)
    labels = [w for w in item.findChildren(QLabel) if w.text()]
    shown = [b.document() for b in browsers] + [rendered(w.text()) for w in labels]
    text = "\n".join(d.toPlainText() for d in shown)
    assert HOSTILE in text and "Open City <i>" in text
    assert not any(d.toHtml().count("<a href") for d in shown)  # no live link, no image
    assert not any("<img" in d.toHtml() for d in shown)

    bar.clearWidgets()  # control: the same text pushed as it is becomes a live link
    bar.pushMessage("Open City", HOSTILE, Qgis.Critical, 0)
    assert any("<a href" in b.document().toHtml() for b in bar.currentItem().findChildren(QTextBrowser))
    bar.deleteLater()


def test_plain_tooltip_renders_literally() -> None:
    from openmisto_plugin.gui.common import plain_tooltip

    tip = plain_tooltip(HOSTILE + "\nsecond line")
    assert Qt.mightBeRichText(tip)
    document = rendered(tip)
    assert document.toPlainText().replace("\u2029", "\n") == HOSTILE + "\nsecond line"
    assert "<a href" not in document.toHtml()


def test_filter_panel_lists_and_message_take_platform_text_as_text(qgis_iface: Any, qgis_new_project: None) -> None:
    from openmisto_plugin.gui.filter_panel import FilterPanel

    panel = FilterPanel(qgis_iface.mapCanvas())
    try:
        panel.category_list.set_items([("", HOSTILE), ("c1", HOSTILE)])
        for i in range(panel.category_list.count()):
            item = panel.category_list.item(i)
            assert item.text() == HOSTILE  # a list item paints plain text
            assert_literal(rendered(item.toolTip()), item.data(Qt.ItemDataRole.UserRole) or HOSTILE)
        panel._message(f"The filter cannot be applied: {HOSTILE}")
        assert panel.message_label.textFormat() == Qt.TextFormat.PlainText
        assert HOSTILE in panel.message_label.text()
    finally:
        panel.unload()
        panel.deleteLater()


def test_dock_platform_profile_tooltip_is_text(qgis_iface: Any) -> None:
    from openmisto_plugin.gui.dock import OpenMistoDock

    class Profile:
        def dock_notice(self) -> str:
            return HOSTILE

        def lines(self) -> list[str]:
            return [HOSTILE, "history: no"]

    dock = OpenMistoDock(qgis_iface.mainWindow())
    try:
        dock.show_profile(Profile())
        assert dock.platform_label.textFormat() == Qt.TextFormat.PlainText
        assert_literal(rendered(dock.platform_label.toolTip()))
    finally:
        dock.deleteLater()


@pytest.fixture
def store(tmp_path: Path) -> Any:
    from openmisto_plugin.core.store.gpkg import GeoPackageStore
    from tests.helpers_store import req

    workspace = GeoPackageStore.create(str(tmp_path / "workspace.gpkg"))
    workspace.upsert_requests([req(1), req(2)])
    yield workspace
    workspace.close()


def test_assign_confirmation_shows_codes_as_text(store: Any, qgis_app: Any) -> None:
    from openmisto_plugin.core import workflow as wf
    from openmisto_plugin.gui.assign_dialog import AssignDialog

    dialog = AssignDialog(store, wf.Actor(wf.MODERATOR), ["1", "2"])
    seen: dict[str, Any] = {}

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        label = box.findChild(QLabel, "qt_msgbox_label")
        seen.update(format=box.textFormat(), label_format=label.textFormat(), text=label.text())
        box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(0, answer)
    assert dialog.ask_confirmation(f"Assign 2 reports ({HOSTILE}: 2)?") is False
    assert seen["format"] == Qt.TextFormat.PlainText and seen["label_format"] == Qt.TextFormat.PlainText
    assert HOSTILE in seen["text"]
    dialog.deleteLater()
