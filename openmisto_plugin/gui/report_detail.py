"""The detail view of one report: what the citizen wrote, where, when, its status and history.

Citizen text is untrusted: it is shown only through plain-text widgets
(``QLabel`` with ``Qt.PlainText``, read-only ``QPlainTextEdit``, table items),
never as rich text. The photo link is the one piece of markup, built from an
escaped http(s) URL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from qgis.core import QgsFeature
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor, QFont
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core import statuses, workflow
from ..core.deadlines import report_is_overdue
from ..core.i18n import tr
from ..core.store.base import ReportStore
from ..core.store.failures import WORKSPACE_ERRORS
from ..core.store.workspace import Workspace
from ..core.unplaced import position_text
from .common import button_box, format_datetime, icon, plain_label, plain_tooltip, safe_link, text_of, to_datetime
from .help import help_button

log = logging.getLogger(__name__)

HISTORY_COLUMNS = ("updated_datetime", "external_status_code", "agency_responsible", "description", "author", "origin")
#: Colours of local history entries the platform has not confirmed yet, by outbox state.
UNDELIVERED_COLOURS = {"pending": "#1565c0", "conflict": "#ef6c00", "refused": "#c62828"}


def feature_to_dict(feature: QgsFeature) -> dict[str, Any]:
    """Attributes of a feature by field name."""
    return {name: feature[name] for name in feature.fields().names()}


def _record_to_dict(record: Any) -> dict[str, Any]:
    if isinstance(record, dict):
        return dict(record)
    if hasattr(record, "__dataclass_fields__"):
        return {name: getattr(record, name) for name in record.__dataclass_fields__}
    return {name: getattr(record, name, None) for name in HISTORY_COLUMNS}


def load_history(store: ReportStore | None, service_request_id: str) -> list[dict[str, Any]]:
    """The report's history, oldest first, through the workspace's store (the GUI's); [] without one."""
    if store is None or not service_request_id:
        return []
    try:
        rows = [_record_to_dict(r) for r in store.history(str(service_request_id))]
    except WORKSPACE_ERRORS as exc:
        log.warning("Cannot read the history of report %s: %s", service_request_id, exc)
        return []
    return sorted(rows, key=lambda r: str(text_of(r.get("updated_datetime"))))


def undelivered_states(store: ReportStore | None, service_request_id: str) -> dict[str, str]:
    """``update_id -> outbox state`` of the report's local changes not confirmed by the platform yet."""
    if store is None or not service_request_id:
        return {}
    try:
        entries = store.outbox_entries(("pending", "conflict", "refused"))
    except WORKSPACE_ERRORS as exc:
        log.warning("Cannot read the outbox: %s", exc)
        return {}
    return {e.update_id: e.state for e in entries if e.service_request_id == str(service_request_id)}


def _names(target: ReportStore | str | None, read: Callable[[ReportStore], list[tuple[str, str]]]) -> dict[str, str]:
    """``code -> name`` through the store of ``target`` (the GUI's store, or a workspace address); {} without one."""
    try:
        if isinstance(target, ReportStore):
            return dict(read(target))
        workspace = Workspace.of(target) if target else None
        if workspace is None or not workspace.exists():
            return {}
        with workspace.opened() as store:
            return dict(read(store))
    except WORKSPACE_ERRORS as exc:
        log.warning("Cannot read the names of the workspace's departments or districts: %s", exc)
        return {}


def load_departments(workspace: ReportStore | str | None) -> dict[str, str]:
    """Department names by code (empty when the workspace has none); ``workspace``: its store or its address."""
    return _names(workspace, workflow.departments)


def load_districts(workspace: ReportStore | str | None) -> dict[str, str]:
    """District names by code (empty when the workspace has none); ``workspace``: its store or its address."""
    return _names(workspace, workflow.districts)


def is_overdue(report: dict[str, Any]) -> bool:
    """Open and past its deadline (:func:`core.deadlines.report_is_overdue`, the rule of the layer style)."""
    return report_is_overdue(report)


class ReportDetailDialog(QDialog):
    """Read-only view of one report; later workflows add their buttons with :meth:`add_action`."""

    panRequested = pyqtSignal(str)  # service_request_id

    def __init__(
        self,
        report: dict[str, Any],
        history: list[dict[str, Any]] | None = None,
        departments: dict[str, str] | None = None,
        parent: QWidget | None = None,
        districts: dict[str, str] | None = None,
        undelivered: dict[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.report = report
        self.history = history or []
        self.departments = departments or {}
        self.districts = districts or {}
        self.undelivered = undelivered or {}  # update_id -> outbox state of local changes not yet confirmed
        self.setObjectName("OpenMistoReportDetail")
        self.setWindowIcon(icon("report"))
        request_id = text_of(report.get("service_request_id"))
        self.setWindowTitle(tr("Report №{0}").format(request_id))
        self.resize(640, 680)
        self._build()

    # --- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        report = self.report
        layout = QVBoxLayout(self)

        self.title_label = plain_label(text_of(report.get("service_name")) or tr("Report"))
        font = QFont(self.title_label.font())
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.title_label.setFont(font)
        layout.addWidget(self.title_label)

        status_row = QHBoxLayout()
        code = text_of(report.get("external_status_code"))
        chip = QLabel()
        chip.setFixedSize(14, 14)
        colour = statuses.STATUSES[code].colour if code in statuses.STATUSES else "#bdbdbd"
        chip.setStyleSheet(f"background-color: {colour}; border-radius: 7px;")
        status_row.addWidget(chip)
        self.status_label = plain_label(statuses.label(code) or tr("Unknown status"))
        bold = QFont(self.status_label.font())
        bold.setBold(True)
        self.status_label.setFont(bold)
        status_row.addWidget(self.status_label)
        self.overdue_label = plain_label(tr("Overdue"))
        self.overdue_label.setStyleSheet("color: #d50000; font-weight: bold;")
        self.overdue_label.setVisible(is_overdue(report))
        status_row.addWidget(self.overdue_label)
        status_row.addStretch(1)
        layout.addLayout(status_row)

        self.form = form = QFormLayout()
        form.setFieldGrowthPolicy(
            QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )  # wrapped labels get their height
        self.fields: dict[str, QLabel] = {}

        def add(key: str, caption: str, value: str) -> None:
            widget = plain_label(value or "—")
            self.fields[key] = widget
            form.addRow(caption, widget)

        department = text_of(report.get("agency_responsible"))
        department_text = self.departments.get(department, department)  # the name; the code only if unknown
        add("service_request_id", tr("Report number"), text_of(report.get("service_request_id")))
        add("service_name", tr("Category"), text_of(report.get("service_name")))
        add("agency_responsible", tr("Department"), department_text)
        district = text_of(report.get("district"))
        add("district", tr("District"), self.districts.get(district, district))
        add("address", tr("Address"), text_of(report.get("address")))
        position = position_text(text_of(report.get("position_source")), text_of(report.get("position_flag")))
        if position:
            add("position_source", tr("Position"), position)
            self.fields["position_source"].setToolTip(plain_tooltip(text_of(report.get("position_note"))))
        add("requested_datetime", tr("Received"), format_datetime(report.get("requested_datetime")))
        add("updated_datetime", tr("Updated"), format_datetime(report.get("updated_datetime")))
        add("assigned_datetime", tr("Assigned"), format_datetime(report.get("assigned_datetime")))
        self._add_deadlines(add)
        if text_of(report.get("duplicate_of")):
            add("duplicate_of", tr("Duplicate of"), text_of(report.get("duplicate_of")))

        media_url = text_of(report.get("media_url"))
        self.photo_label = QLabel()
        link = safe_link(media_url, tr("Open the photo"))
        if link:
            self.photo_label.setTextFormat(Qt.TextFormat.RichText)
            self.photo_label.setText(link)
            self.photo_label.setOpenExternalLinks(True)
            self.photo_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            self.photo_label.setToolTip(tr("Opens the link in the web browser"))
        else:
            self.photo_label.setTextFormat(Qt.TextFormat.PlainText)
            self.photo_label.setText(media_url or "—")
        form.addRow(tr("Photo"), self.photo_label)
        layout.addLayout(form)

        self.tabs = QTabWidget()
        self.description_edit = self._plain_box(text_of(report.get("description")))
        self.tabs.addTab(self.description_edit, tr("Description"))
        answer = "\n\n".join(
            t for t in (text_of(report.get("status_notes")), text_of(report.get("service_notice"))) if t
        )
        self.answer_edit = self._plain_box(answer)
        self.tabs.addTab(self.answer_edit, tr("Answer to the citizen"))
        self.tabs.setTabEnabled(1, bool(answer))
        self.history_index = self.tabs.addTab(self._history_page(), "")
        self._fill_history()
        layout.addWidget(self.tabs, 1)

        self.button_box = button_box(QDialogButtonBox.StandardButton.Close)
        self.button_box.addButton(help_button(self, "report"), QDialogButtonBox.ButtonRole.HelpRole)
        self.button_box.rejected.connect(self.reject)
        self.pan_button = self.add_action(tr("Show on map"), self._emit_pan)
        layout.addWidget(self.button_box)

    def _add_deadlines(self, add: Callable[[str, str, str], None]) -> None:
        """The Procedure's deadline and the platform's expected date, each named for what it is; one row when
        they fall on the same day."""
        deadline, expected = (self.report.get(k) for k in ("deadline", "expected_datetime"))
        due, planned = to_datetime(deadline), to_datetime(expected)
        procedure_tip = tr(
            "The deadline the Procedure sets for the report's current stage (moderation, the answer within "
            "the working days of the Procedure, or the planned date). Overdue is counted from it."
        )
        expected_tip = tr(
            "The date the platform or the department expects the work to be done (as the platform sent it). "
            "It is informative: overdue is counted from the Procedure's deadline."
        )
        if due is not None and planned is not None and format_datetime(due)[:10] == format_datetime(planned)[:10]:
            add("deadline", tr("Deadline (Procedure and platform agree)"), format_datetime(deadline))
            self.fields["deadline"].setToolTip(plain_tooltip(procedure_tip + "\n\n" + expected_tip))
            return
        add("deadline", tr("Deadline by the Procedure"), format_datetime(deadline))
        self.fields["deadline"].setToolTip(plain_tooltip(procedure_tip))
        if planned is not None or text_of(expected):
            add("expected_datetime", tr("Expected date (platform or department)"), format_datetime(expected))
            self.fields["expected_datetime"].setToolTip(plain_tooltip(expected_tip))

    @staticmethod
    def _plain_box(text: str) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setReadOnly(True)
        box.setPlainText(text)
        box.setMinimumHeight(60)
        return box

    def _history_page(self) -> QWidget:
        """The history as a table (oldest first); local changes not yet confirmed by the platform stand out."""
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        self.history_table = QTableWidget(0, 5)
        self.history_table.setObjectName("historyTable")
        self.history_table.setHorizontalHeaderLabels(
            [tr("When"), tr("Status"), tr("Department"), tr("Author"), tr("Note")]
        )
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_table.verticalHeader().setVisible(False)
        self.history_table.setWordWrap(True)
        header = self.history_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column, width in ((1, 130), (2, 125)):  # long status and department names wrap; the note keeps room
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.history_table.setColumnWidth(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        box.addWidget(self.history_table, 1)
        self.history_empty = plain_label(tr("No history yet."), selectable=False)
        box.addWidget(self.history_empty)
        self.history_legend = plain_label(
            tr("Italic rows are changes made on this workstation that the platform has not confirmed yet."),
            selectable=False,
        )
        box.addWidget(self.history_legend)
        return page

    def set_history(self, history: list[dict[str, Any]], undelivered: dict[str, str] | None = None) -> None:
        """Show a newer history (after a sync sent or refused the local changes)."""
        self.history = history or []
        self.undelivered = undelivered or {}
        self._fill_history()

    def _fill_history(self) -> None:
        origins = {"platform": tr("platform"), "local": tr("this workstation")}
        states = {
            "pending": tr("made here, waiting to be sent to the platform"),
            "conflict": tr("made here, in conflict with a change on the platform: see the outbox"),
            "refused": tr("made here, refused by the platform: see the outbox"),
        }
        table = self.history_table
        table.setRowCount(len(self.history))
        for row, entry in enumerate(self.history):
            department = text_of(entry.get("agency_responsible"))
            origin = text_of(entry.get("origin"))
            state = self.undelivered.get(text_of(entry.get("update_id")), "")
            values = (
                format_datetime(entry.get("updated_datetime")) or "—",
                statuses.label(text_of(entry.get("external_status_code"))) or text_of(entry.get("status")),
                self.departments.get(department, department),
                text_of(entry.get("author")) or origins.get(origin, origin),
                text_of(entry.get("description")),
            )
            tip = "\n".join(part for part in (values[4], states.get(state) or origins.get(origin, origin)) if part)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)  # a table item never renders markup: citizen text stays plain
                item.setToolTip(plain_tooltip(tip))
                if state:
                    font = QFont(item.font())
                    font.setItalic(True)
                    item.setFont(font)
                    item.setForeground(QBrush(QColor(UNDELIVERED_COLOURS.get(state, "#1565c0"))))
                table.setItem(row, column, item)
        table.resizeRowsToContents()
        table.setVisible(bool(self.history))
        self.history_empty.setVisible(not self.history)
        shown = {text_of(e.get("update_id")) for e in self.history}
        self.history_legend.setVisible(any(u in shown for u in self.undelivered))
        self.tabs.setTabText(self.history_index, tr("History ({0})").format(len(self.history)))

    def history_text(self) -> str:
        """The history as plain text, one block per entry, oldest first."""
        origins = {"platform": tr("platform"), "local": tr("this workstation")}
        blocks = []
        for entry in self.history:
            department = text_of(entry.get("agency_responsible"))
            origin = text_of(entry.get("origin"))
            head = [
                format_datetime(entry.get("updated_datetime")) or "—",
                statuses.label(text_of(entry.get("external_status_code"))) or text_of(entry.get("status")),
                self.departments.get(department, department),
                text_of(entry.get("author")),
                origins.get(origin, origin),
            ]
            if self.undelivered.get(text_of(entry.get("update_id"))):
                head.append(tr("not sent yet"))
            lines = [" · ".join(part for part in head if part)]
            description = text_of(entry.get("description"))
            if description:
                lines.append(description)
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) if blocks else tr("No history yet.")

    # --- actions ----------------------------------------------------------------------------

    def add_action(self, text: str, callback: Callable[[], None]) -> QPushButton:
        """Add a button next to "Close" (the workflow dialogs hook in here)."""
        button = self.button_box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.clicked.connect(lambda _checked=False: callback())
        return button

    def _emit_pan(self) -> None:
        self.panRequested.emit(text_of(self.report.get("service_request_id")))
