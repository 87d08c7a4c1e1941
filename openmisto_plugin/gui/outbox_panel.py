"""The outbox (issue 3, item 8): local changes and what the platform did with them.

Each change is waiting, sent, refused (with the platform's reason, explained) or in conflict
(someone changed the report first). The user retries now, drops a change, or compares both
versions of a conflict and re-applies or drops it. Nothing leaves the outbox silently.
"""

from __future__ import annotations

import logging
from typing import Any

from qgis.core import Qgis
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import outbox_view, statuses
from ..core.i18n import tr
from ..core.store.base import CONFLICT, PENDING, REFUSED, SENT, OutboxEntry, ReportStore, VersionConflictError
from .common import (
    ask_plain,
    button_box,
    format_datetime,
    plain_label,
    plain_tooltip,
    select_rows,
    selected_row_data,
    setup_list_table,
)
from .help import help_button

log = logging.getLogger(__name__)

STATE_COLOURS = {PENDING: "#1565c0", SENT: "#2e7d32", REFUSED: "#c62828", CONFLICT: "#ef6c00"}
ID_ROLE = Qt.ItemDataRole.UserRole


def _shown(name: str, value: Any) -> str:
    """A field value as the user reads it."""
    if value is None or value == "":
        return "—"
    if name == "external_status_code":
        return statuses.label(str(value))
    if name in ("expected_datetime", "updated_datetime"):
        return format_datetime(value) or str(value)
    return str(value)


class ConflictDialog(QDialog):
    """Both versions of a conflicting change, field by field; the user re-applies or drops it.

    ``local=True``: the conflict was found in the shared workspace before anything was written (another
    user changed the report since this user opened it, optimistic locking); "re-apply" then means
    making the change again on the report's new version.
    """

    REAPPLY = 1
    DROP = 2

    def __init__(self, entry: OutboxEntry, parent: QWidget | None = None, local: bool = False) -> None:
        super().__init__(parent)
        self.entry = entry
        self.local = local
        self.decision = 0
        self.setWindowTitle(tr("Conflict on report {id}").format(id=entry.service_request_id))
        self.resize(720, 360)
        layout = QVBoxLayout(self)
        if local:
            intro = tr(
                "Another user changed report {id} in the shared workspace after you opened it, so your change "
                "({change}) was not saved. Compare the versions: apply yours on the new version, or drop it."
            )
        else:
            intro = tr(
                "Someone changed report {id} on the platform after you made your change ({change}). "
                "Compare the versions: re-apply yours over the platform's, or drop yours and keep the platform's."
            )
        layout.addWidget(
            plain_label(intro.format(id=entry.service_request_id, change=outbox_view.describe_change(entry.payload)))
        )
        if entry.last_error:
            said = entry.last_error if local else tr("The platform says: {0}").format(entry.last_error)
            layout.addWidget(plain_label(said))
        self.fields = outbox_view.conflict_fields(entry)
        self.table = QTableWidget(len(self.fields), 4)
        self.table.setHorizontalHeaderLabels(
            [
                tr("Field"),
                tr("Before your change"),
                tr("Your change"),
                tr("Workspace now") if local else tr("Platform now"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for row, item in enumerate(self.fields):
            values = (
                item.label,
                _shown(item.name, item.before),
                _shown(item.name, item.mine),
                _shown(item.name, item.platform),
            )
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setToolTip(plain_tooltip(value))
                self.table.setItem(row, column, cell)
        layout.addWidget(self.table, 1)
        buttons = button_box(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(help_button(self, "conflict"), QDialogButtonBox.ButtonRole.HelpRole)
        self.reapply_button = buttons.addButton(tr("Re-apply my change"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.drop_button = buttons.addButton(tr("Drop my change"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.reapply_button.clicked.connect(lambda _c=False: self._decide(self.REAPPLY))
        self.drop_button.clicked.connect(lambda _c=False: self._decide(self.DROP))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _decide(self, decision: int) -> None:
        self.decision = decision
        self.accept()


def version_conflict_entry(error: VersionConflictError, before: dict[str, Any] | None = None) -> OutboxEntry:
    """A :class:`VersionConflictError` as an outbox-like entry, for :class:`ConflictDialog` (``local=True``).

    ``before``: the report as the user saw it (the "before your change" column); ``error.theirs``
    is the report now, ``error.mine`` the refused change.
    """
    from ..core.store.base import LOCAL_FIELDS

    shown = before or {}
    columns = {LOCAL_FIELDS.get(key, key) for key in error.mine}
    return OutboxEntry(
        id=0,
        update_id="",
        service_request_id=error.service_request_id,
        payload=dict(error.mine),
        expected_updated_datetime=None,
        created_at="",
        state=CONFLICT,
        last_error=str(error),
        base={c: shown.get(c) for c in (*columns, "external_status_code", "agency_responsible") if c in shown},
        platform=dict(error.theirs),
    )


def resolve_version_conflict(error: VersionConflictError, parent: QWidget | None = None, before: Any = None) -> bool:
    """Show both versions of a refused change; True when the user applies it again on the new version."""
    dialog = ConflictDialog(version_conflict_entry(error, before), parent, local=True)
    dialog.reapply_button.setText(tr("Apply my change on the new version"))
    dialog.exec()
    return dialog.decision == ConflictDialog.REAPPLY


class OutboxPanel(QWidget):
    """The outbox table with retry, drop, re-apply and the conflict view; a tab of the dock."""

    changed = pyqtSignal()  # the store changed (reload the layer)
    pushRequested = pyqtSignal()  # the user wants the outbox sent now (the plugin starts a sync)
    message = pyqtSignal(str, int)

    FILTERS = (None, PENDING, REFUSED, CONFLICT, SENT)

    def __init__(self, store: ReportStore | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.rows: list[outbox_view.OutboxRow] = []
        self.dialogs: list[QDialog] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        top = QHBoxLayout()
        self.filter_combo = QComboBox()
        for state in self.FILTERS:
            self.filter_combo.addItem(outbox_view.state_label(state) if state else tr("All changes"), state)
        self.filter_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.counts_label = plain_label()
        top.addWidget(self.filter_combo, 1)
        layout.addLayout(top)
        layout.addWidget(self.counts_label)  # under the filter: the dock is narrow

        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(
            [tr("Made"), tr("Report"), tr("Change"), tr("State"), tr("Tries"), tr("Why / platform's reason")]
        )
        setup_list_table(self.table)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(2, 220)
        self.table.horizontalHeader().moveSection(3, 0)  # the state first: the dock is narrow
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self.show_conflict())
        layout.addWidget(self.table, 1)
        self.details_label = plain_label()
        layout.addWidget(self.details_label)

        buttons = QHBoxLayout()  # two short rows: the dock is about 350 px wide
        conflict_buttons = QHBoxLayout()
        self.retry_button = self._button(buttons, tr("Retry now"), self.retry_selected)
        self.drop_button = self._button(buttons, tr("Drop…"), self._ask_drop)
        self.reapply_button = self._button(conflict_buttons, tr("Re-apply"), self.reapply_selected)
        self.compare_button = self._button(conflict_buttons, tr("Compare versions…"), self.show_conflict)
        self.export_button = self._button(top, tr("Export waiting…"), self._ask_export)
        self.export_button.setToolTip(
            tr("Save the waiting changes as a table (XLSX or CSV), to enter them on the platform by hand")
        )
        self.refresh_button = self._button(buttons, tr("Refresh"), self.refresh)
        conflict_buttons.addWidget(help_button(self, "outbox"))
        layout.addLayout(buttons)
        layout.addLayout(conflict_buttons)
        self.status_label = plain_label()
        layout.addWidget(self.status_label)
        self.refresh()

    def _button(self, row: QHBoxLayout, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(lambda _c=False: slot())
        row.addWidget(button)
        return button

    def set_store(self, store: ReportStore | None) -> None:
        self.store = store
        self.refresh()

    # ------------------------------------------------------------------ view

    def state_filter(self) -> str | None:
        return self.filter_combo.currentData()

    def set_state_filter(self, state: str | None) -> None:
        self.filter_combo.setCurrentIndex(self.FILTERS.index(state))

    def refresh(self) -> None:
        """Read the outbox again."""
        selected = set(self.selected_ids())
        state = self.state_filter()
        self.rows = outbox_view.outbox_rows(self.store, [state] if state else None) if self.store is not None else []
        self.table.setRowCount(len(self.rows))
        for row, item in enumerate(self.rows):
            values = (
                format_datetime(item.created_at),
                item.service_request_id,
                item.change,
                item.state_label,
                str(item.attempts),
                item.explanation,
            )
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(ID_ROLE, item.update_id)
                cell.setToolTip(plain_tooltip(item.explanation))
                if column == 3:
                    cell.setForeground(QBrush(QColor(STATE_COLOURS.get(item.state, "#000000"))))
                self.table.setItem(row, column, cell)
            if item.update_id in selected:
                self.table.selectRow(row)
        if self.store is not None:
            counts = outbox_view.outbox_counts(self.store)
            self.counts_label.setText(
                tr("Waiting: {p}, refused: {r}, conflicts: {c}, sent: {s}").format(
                    p=counts[PENDING], r=counts[REFUSED], c=counts[CONFLICT], s=counts[SENT]
                )
            )
        else:
            self.counts_label.setText("")
        self._update_buttons()

    def selected_ids(self) -> list[str]:
        return selected_row_data(self.table, ID_ROLE)

    def select_ids(self, update_ids: list[str]) -> None:
        wanted = set(update_ids)
        select_rows(self.table, lambda item: item.data(ID_ROLE) in wanted)

    def _selected_rows(self) -> list[outbox_view.OutboxRow]:
        wanted = set(self.selected_ids())
        return [r for r in self.rows if r.update_id in wanted]

    def _update_buttons(self) -> None:
        selected = self._selected_rows()
        states = {r.state for r in selected}
        if len(selected) == 1:
            row = selected[0]
            self.details_label.setText(
                tr("Report {id}: {change}").format(id=row.service_request_id, change=row.change)
                + "\n"
                + row.state_label
                + ". "
                + row.explanation
            )
        else:
            self.details_label.setText("")
        self.retry_button.setEnabled(bool(states) and states <= {PENDING, REFUSED})
        self.drop_button.setEnabled(bool(states) and SENT not in states)
        self.reapply_button.setEnabled(states == {CONFLICT})
        self.compare_button.setEnabled(states == {CONFLICT} and len(self.selected_ids()) == 1)

    # ------------------------------------------------------------------ actions

    def _report(self, text: str, level: int = Qgis.Info) -> None:
        self.status_label.setText(text)
        self.message.emit(text, int(level))

    def _done(self, text: str, push: bool) -> None:
        self._report(text, Qgis.Success)
        self.refresh()
        self.changed.emit()
        if push:
            self.pushRequested.emit()

    def _ask_export(self) -> None:
        from qgis.PyQt.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getSaveFileName(
            self, tr("Export waiting changes"), "waiting-responses.xlsx", tr("Excel (*.xlsx);;CSV (*.csv)")
        )
        if path:
            self.export_waiting(path)

    def export_waiting(self, path: str) -> int:
        """Write the waiting changes to ``path`` (XLSX, else CSV); returns how many."""
        if self.store is None:
            return 0
        from ..core.outbox_export import export_waiting

        try:
            count = export_waiting(self.store, path)
        except OSError as exc:
            self._report(tr("The file could not be written: {0}").format(exc), Qgis.Warning)
            return 0
        self._report(tr("Waiting changes exported: {0} ({1}).").format(count, path), Qgis.Success)
        return count

    def retry_selected(self) -> int:
        """Waiting changes: try at the next push, now; refused ones: queue again. Asks for a sync."""
        ids = [r.update_id for r in self._selected_rows() if r.state in (PENDING, REFUSED)]
        if not ids:
            return 0
        count = outbox_view.retry_now(self.store, ids)
        self._done(tr("Queued to be sent now: {n}.").format(n=count), True)
        return count

    def confirm_drop(self, count: int) -> bool:
        return ask_plain(
            self,
            tr("Drop changes"),
            tr("Drop {n} changes? They are not sent; the reports show the platform's values again.").format(n=count),
        )

    def _ask_drop(self) -> None:
        ids = [r.update_id for r in self._selected_rows() if r.state != SENT]
        if ids and self.confirm_drop(len(ids)):
            self.drop_selected()

    def drop_selected(self) -> int:
        """Forget the selected undelivered changes."""
        ids = [r.update_id for r in self._selected_rows() if r.state != SENT]
        for update_id in ids:
            outbox_view.drop(self.store, update_id)
        if ids:
            self._done(tr("Dropped: {n}.").format(n=len(ids)), False)
        return len(ids)

    def reapply_selected(self) -> int:
        """Send the selected conflicting changes again, over the platform's version."""
        ids = [r.update_id for r in self._selected_rows() if r.state == CONFLICT]
        for update_id in ids:
            outbox_view.reapply(self.store, update_id)
        if ids:
            self._done(tr("Re-applied: {n}; they are sent at the next sync.").format(n=len(ids)), True)
        return len(ids)

    def show_conflict(self, modal: bool = True) -> ConflictDialog | None:
        """Open the comparison of the selected conflict; act on the user's decision."""
        rows = [r for r in self._selected_rows() if r.state == CONFLICT]
        if len(rows) != 1:
            return None
        entry = next((e for e in self.store.outbox_entries([CONFLICT]) if e.update_id == rows[0].update_id), None)
        if entry is None:
            return None
        dialog = ConflictDialog(entry, self)
        dialog.finished.connect(lambda _r=0, d=dialog: self._conflict_decided(d))
        self.dialogs.append(dialog)
        if modal:
            dialog.open()
        else:
            dialog.show()
        return dialog

    def _conflict_decided(self, dialog: ConflictDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
        if dialog.decision == ConflictDialog.REAPPLY:
            outbox_view.reapply(self.store, dialog.entry.update_id)
            self._done(tr("Your change is sent again at the next sync."), True)
        elif dialog.decision == ConflictDialog.DROP:
            outbox_view.drop(self.store, dialog.entry.update_id)
            self._done(tr("Your change was dropped; the report shows the platform's version."), False)
