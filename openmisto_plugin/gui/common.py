"""Small GUI helpers: icons, plain-text widgets, value formatting."""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from qgis.PyQt.QtCore import QDateTime, Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ..core.escaping import html_text, rich_plain_text
from ..core.i18n import tr
from ..core.paths import resource
from ..core.timeutil import local, parse

log = logging.getLogger(__name__)

Result = TypeVar("Result")


def icon(name: str) -> QIcon:
    """Icon ``resources/icons/<name>.svg`` (an empty icon when missing)."""
    path = resource("icons", f"{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon()


def is_null(value: Any) -> bool:
    """True for None, QVariant NULL and empty strings."""
    if value is None:
        return True
    is_null_method = getattr(value, "isNull", None)
    if callable(is_null_method) and not isinstance(value, (str, QDateTime)):
        try:
            return bool(is_null_method())
        except TypeError:
            return False
    if isinstance(value, QDateTime):
        return value.isNull() or not value.isValid()
    return isinstance(value, str) and not value.strip()


def text_of(value: Any) -> str:
    """A value as plain text ('' for NULL)."""
    return "" if is_null(value) else str(value)


def to_datetime(value: Any) -> datetime | None:
    """A store datetime (text, ``QDateTime`` or ``datetime``; naive = Kyiv time) as an aware datetime."""
    return None if is_null(value) else parse(value)


def format_datetime(value: Any) -> str:
    """``DD.MM.YYYY HH:MM`` in Kyiv time ('' for NULL; the raw text when unreadable)."""
    moment = to_datetime(value)
    if moment is None:
        return text_of(value) if not isinstance(value, QDateTime) else ""
    return local(moment).strftime("%d.%m.%Y %H:%M")


def plain_label(text: str = "", parent: QWidget | None = None, selectable: bool = True) -> QLabel:
    """A QLabel that never interprets its text as HTML (citizen text is untrusted)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setText(text)
    return label


class ElidedLabel(QLabel):
    """One line of plain text, cut with "…" to the label's width; the whole text in the tooltip.

    Its height never changes with the text, so the widgets below it do not jump when a long message
    arrives (a wrapped label grows and moves the buttons under the user's pointer). ``text()`` is the
    whole text.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(1)
        self.setText(text)

    def setText(self, text: str | None) -> None:
        self._full = text or ""
        self.setToolTip(plain_tooltip(self._full) if self._full else "")
        self._elide()

    def text(self) -> str:
        return self._full

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        one_line = " · ".join(part.strip() for part in self._full.splitlines() if part.strip())
        shown = self.fontMetrics().elidedText(one_line, Qt.TextElideMode.ElideRight, max(1, self.width()))
        super().setText(shown)


def plain_tooltip(text: str) -> str:
    """Tooltip markup that shows ``text`` literally (Qt guesses rich text in tooltips)."""
    return rich_plain_text(text)


def push_plain_message(bar: Any, title: str, text: str, level: Any, duration: int = 0) -> Any:
    """A message bar message whose title and text are shown literally (the bar renders HTML).

    Returns the bar's item of the message (None where the bar does not say), to take it away later.
    """
    bar.pushMessage(html_text(title), html_text(text), level, duration)
    current = getattr(bar, "currentItem", None)
    return current() if callable(current) else None


def pop_message(bar: Any, item: Any) -> bool:
    """Take ``item`` off the message bar if it is still shown (e.g. an error that a later success answers)."""
    if bar is None or item is None or not hasattr(bar, "popWidget"):
        return False
    try:
        return bool(bar.popWidget(item))
    except RuntimeError:  # the user closed it: the item is gone already
        return False


def logged_slot(
    failure: Callable[[], str] | None = None, default: Any = None
) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Decorate a Qt slot (or a part of one that may fail on its own) so that no exception is lost.

    An unexpected exception is logged as a warning with its traceback (the plugin's log tab in QGIS) and the
    function returns ``default``; with ``failure`` (a function giving the translated line, called when it
    fails: the translator may come later than the decorator) the user also reads it in the message bar.
    An error that is expected and handled is caught where it happens, by its type, not here.
    """

    def decorate(function: Callable[..., Result]) -> Callable[..., Result]:
        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Result:
            try:
                return function(*args, **kwargs)
            except Exception as exc:  # an exception reaching Qt is lost or aborts QGIS
                log.warning("%s failed: %s", function.__qualname__, exc, exc_info=True)
                if failure is not None:
                    tell_user(failure(), exc)
                return default

        return guarded

    return decorate


def tell_user(failure: str, exc: BaseException) -> None:
    """One warning line in QGIS's message bar: ``failure`` and the exception's first line (the log has more)."""
    from qgis.core import Qgis
    from qgis.utils import iface

    bar = iface.messageBar() if iface is not None else None
    if bar is not None:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        push_plain_message(bar, tr("Open City"), f"{failure} ({detail})", Qgis.Warning, 8)


def plain_message_box(parent: QWidget | None, title: str, text: str, buttons: Any, icon: Any) -> QMessageBox:
    """A QMessageBox that never interprets ``text`` as HTML (it may carry platform values)."""
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def _label_standard_buttons(box: QMessageBox | QDialogButtonBox, standard: Any) -> None:
    """Label the box's standard buttons (``standard``: its ``StandardButton`` enum) in the plugin's language."""
    for which, text in (
        (standard.Yes, tr("Yes")),
        (standard.No, tr("No")),
        (standard.Ok, tr("OK")),
        (standard.Cancel, tr("Cancel")),
        (standard.Close, tr("Close")),
    ):
        button = box.button(which)
        if button is not None:
            button.setText(text)


def translate_buttons(box: QMessageBox) -> QMessageBox:
    """Label a message box's standard buttons in the plugin's language.

    Qt names Yes/No/Cancel from its own translations (``qtbase_uk.qm``), which a QGIS without the
    ``qttranslations5-l10n`` package lacks: a Ukrainian question would end with English buttons.
    """
    _label_standard_buttons(box, QMessageBox.StandardButton)
    return box


def warn_plain(parent: QWidget | None, title: str, text: str) -> None:
    """A warning box with ``text`` shown literally (it may quote a platform answer or what was typed)."""
    box = plain_message_box(parent, title, text, QMessageBox.StandardButton.Ok, QMessageBox.Icon.Warning)
    translate_buttons(box).exec()


def ask_plain(parent: QWidget | None, title: str, text: str) -> bool:
    """Yes/No question with ``text`` shown literally, its buttons in the plugin's language; True for Yes."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    box = translate_buttons(plain_message_box(parent, title, text, yes | no, QMessageBox.Icon.Question))
    return box.exec() == yes


def safe_link(url: str, caption: str) -> str:
    """Rich text of one link to an http(s) URL, everything escaped; '' for other schemes."""
    url = (url or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        return ""
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(caption)}</a>'


def button_box(buttons: Any) -> QDialogButtonBox:
    """A QDialogButtonBox whose standard buttons speak the plugin's language.

    Qt labels OK/Cancel/Close from its own translations, which QGIS does not always install: without this
    a Ukrainian dialog ends with an English "Cancel".
    """
    box = QDialogButtonBox(buttons)
    _label_standard_buttons(box, QDialogButtonBox.StandardButton)
    return box


def setup_list_table(table: QTableWidget) -> None:
    """A read-only table of whole-row, multi-row selection, sized to its contents, last column stretched."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)


def selected_row_data(table: QTableWidget, role: int) -> list[Any]:
    """The ``role`` data of the first cell of each selected row, top to bottom."""
    rows = sorted({index.row() for index in table.selectionModel().selectedRows()})
    return [table.item(r, 0).data(role) for r in rows if table.item(r, 0) is not None]


def select_rows(table: QTableWidget, matches: Callable[[QTableWidgetItem], bool]) -> None:
    """Select exactly the rows whose first cell ``matches`` (the table's selection mode is kept)."""
    table.clearSelection()
    mode = table.selectionMode()
    table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
    for row in range(table.rowCount()):
        if matches(table.item(row, 0)):
            table.selectRow(row)
    table.setSelectionMode(mode)
