"""The moderator's queue (issue 3, items 1–2): reports awaiting moderation, oldest first.

Selecting rows selects the reports on the map and pans to them; selecting on the map selects the
rows. The buttons accept, reject (hidden), close as «not the city's remit», change the category,
look for duplicates and assign. Every action goes through :mod:`core.workflow`; a refused one is
shown in words and changes nothing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from qgis.core import Qgis, QgsVectorLayer
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import moderation, statuses
from ..core import workflow as wf
from ..core.i18n import tr
from ..core.store.base import ReportStore, VersionConflictError
from .common import format_datetime, plain_label, plain_tooltip, select_rows, selected_row_data, setup_list_table
from .help import help_button
from .reason_dialog import ask_reason

log = logging.getLogger(__name__)

OVERDUE_COLOUR = QColor("#c62828")
ID_ROLE = Qt.ItemDataRole.UserRole
FID_ROLE = Qt.ItemDataRole.UserRole + 1


def default_reports_layer() -> QgsVectorLayer | None:
    """The project's layer of the workspace's reports."""
    from ..core import project_layers

    return project_layers.find_layer(project_layers.REPORTS)


def reload_layer(layer: QgsVectorLayer | None) -> None:
    """Make the layer show what the store holds now (3.22 repaints only after a provider reload)."""
    if layer is None:
        return
    layer.dataProvider().reloadData()
    layer.triggerRepaint()


class ModerationPanel(QWidget):
    """The moderation queue with its actions; to be embedded as a tab of the dock."""

    changed = pyqtSignal()  # the store changed: the layer was reloaded; the plugin may start a sync
    message = pyqtSignal(str, int)  # text, Qgis message level (for the message bar)
    reportActivated = pyqtSignal(str)  # a double-clicked report (open its detail view)

    COLUMNS = ("id", "waited", "status", "category", "district", "address")

    def __init__(
        self,
        store: ReportStore | None = None,
        actor: wf.Actor | None = None,
        layer_getter: Callable[[], QgsVectorLayer | None] = default_reports_layer,
        canvas: Any = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor or wf.Actor(wf.VIEWER)
        self.layer_getter = layer_getter
        self.canvas = canvas
        self._layer: QgsVectorLayer | None = None
        self._syncing = False
        self.items: list[moderation.QueueItem] = []
        self.dialogs: list[Any] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary_label = plain_label()
        layout.addWidget(self.summary_label)

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(
            [tr("No."), tr("Waiting"), tr("Status"), tr("Category"), tr("District"), tr("Address")]
        )
        self.table.horizontalHeaderItem(1).setToolTip(tr("Working days since the report was received"))
        setup_list_table(self.table)
        self.table.itemSelectionChanged.connect(self._table_selection_changed)
        self.table.itemDoubleClicked.connect(self._double_clicked)
        layout.addWidget(self.table, 1)

        # Three short rows: the queue lives in a dock about 350 px wide.
        row1 = QHBoxLayout()
        row2 = QHBoxLayout()
        row3 = QHBoxLayout()
        self.accept_button = self._button(row1, tr("Accept"), self.accept_selected, tr("Accept for consideration"))
        self.reject_button = self._button(row1, tr("Reject…"), self._ask_reject, tr("Reject as spam or abuse"))
        self.not_remit_button = self._button(
            row3, tr("Not the city's remit…"), self._ask_not_remit, tr("Close: not the city's remit (with a reason)")
        )
        self.category_button = self._button(row1, tr("Category…"), self._ask_category, tr("Change the category"))
        self.duplicates_button = self._button(
            row2, tr("Duplicates…"), self.show_duplicates, tr("Find duplicates of the selected report")
        )
        self.assign_button = self._button(
            row2, tr("Assign…"), self.assign_selected, tr("Assign the selected reports to a department")
        )
        self.refresh_button = self._button(row2, tr("Refresh"), self.refresh, tr("Read the queue again"))
        row3.addWidget(help_button(self, "moderation"))
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addLayout(row3)
        self.status_label = plain_label()
        layout.addWidget(self.status_label)
        self._update_buttons()
        self.refresh()

    # ------------------------------------------------------------------ set-up

    def _button(self, row: QHBoxLayout, text: str, slot: Callable[[], Any], tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda _checked=False: slot())
        row.addWidget(button)
        return button

    def set_context(self, store: ReportStore | None, actor: wf.Actor) -> None:
        """A new workspace or role (after the settings changed)."""
        self.store = store
        self.actor = actor
        self.refresh()

    def layer(self) -> QgsVectorLayer | None:
        """The reports layer, (re)connected to its selection signal when it changed."""
        try:
            layer = self.layer_getter() if self.layer_getter else None
        except RuntimeError:  # a deleted layer
            layer = None
        if layer is not self._layer:
            if self._layer is not None:
                with contextlib.suppress(TypeError, RuntimeError):
                    self._layer.selectionChanged.disconnect(self._layer_selection_changed)
            self._layer = layer
            if layer is not None:
                layer.selectionChanged.connect(self._layer_selection_changed)
        return layer

    # ------------------------------------------------------------------ the queue

    def refresh(self) -> None:
        """Read the queue from the store and keep the selection where it was."""
        selected = set(self.selected_ids())
        self.items = moderation.moderation_queue(self.store) if self.store is not None else []
        district_names = dict(wf.districts(self.store)) if self.store is not None else {}
        self._syncing = True
        try:
            self.table.setRowCount(len(self.items))
            for row, item in enumerate(self.items):
                waited = str(item.waited_working_days)
                values = (
                    item.service_request_id,
                    waited,
                    statuses.label(item.external_status_code),
                    item.service_name or item.service_code or "",
                    district_names.get(item.district or "", item.district or ""),  # the name; the code if unknown
                    (item.address or "") + ("" if item.has_position else " · " + tr("no position")),
                )
                tip = tr("Received: {when}. Due: {due}.").format(
                    when=format_datetime(item.requested_datetime), due=format_datetime(item.due)
                )
                if item.description:
                    tip += "\n\n" + item.description
                for column, value in enumerate(values):
                    cell = QTableWidgetItem(value)
                    cell.setData(ID_ROLE, item.service_request_id)
                    cell.setData(FID_ROLE, item.fid)
                    cell.setToolTip(plain_tooltip(tip))
                    if item.overdue:
                        cell.setForeground(QBrush(OVERDUE_COLOUR))
                    self.table.setItem(row, column, cell)
                if item.service_request_id in selected:
                    self.table.selectRow(row)
        finally:
            self._syncing = False
        overdue = sum(1 for i in self.items if i.overdue)
        self.summary_label.setText(
            tr("Waiting for moderation: {n}; overdue: {overdue}. Oldest first.").format(
                n=len(self.items), overdue=overdue
            )
        )
        self.layer()
        self._update_buttons()

    def selected_ids(self) -> list[str]:
        """Ids of the selected rows, in queue order."""
        return selected_row_data(self.table, ID_ROLE)

    def map_selection_ids(self) -> list[str]:
        """Ids of every report selected on the map (also those not in the queue)."""
        layer = self.layer()
        if layer is None or self.store is None or not layer.selectedFeatureCount():
            return []
        return wf.reports_by_fids(self.store, layer.selectedFeatureIds())

    def select_ids(self, ids: list[str]) -> None:
        """Select these reports in the list (and therefore on the map)."""
        wanted = set(ids)
        select_rows(self.table, lambda item: item.data(ID_ROLE) in wanted)

    # ------------------------------------------------------------------ selection both ways

    def _table_selection_changed(self) -> None:
        self._update_buttons()
        if self._syncing:
            return
        layer = self.layer()
        if layer is None:
            return
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        fids = [int(self.table.item(r, 0).data(FID_ROLE)) for r in rows]
        self._syncing = True
        try:
            layer.selectByIds(fids)
        finally:
            self._syncing = False
        if fids and self.canvas is not None:
            self.canvas.panToSelected(layer)
            self.canvas.flashFeatureIds(layer, fids)

    def _layer_selection_changed(self, *_args: Any) -> None:
        if self._syncing or self._layer is None:
            return
        fids = set(self._layer.selectedFeatureIds())
        self._syncing = True
        try:
            select_rows(self.table, lambda item: int(item.data(FID_ROLE)) in fids)
        finally:
            self._syncing = False
        self._update_buttons()

    def _double_clicked(self, item: QTableWidgetItem) -> None:
        self.reportActivated.emit(str(item.data(ID_ROLE)))

    def _update_buttons(self) -> None:
        moderator = self.actor.role == wf.MODERATOR and self.store is not None
        count = len(self.selected_ids())
        for button in (self.accept_button, self.reject_button, self.not_remit_button):
            button.setEnabled(moderator and count > 0)
        self.assign_button.setEnabled(
            moderator and (count > 0 or bool(self._layer and self._layer.selectedFeatureCount()))
        )
        for button in (self.category_button, self.duplicates_button):
            button.setEnabled(moderator and count == 1)
        if self.actor.role != wf.MODERATOR:
            self.status_label.setText(tr("Moderation is the moderator's: your role is read-only here."))

    # ------------------------------------------------------------------ actions

    def _run(self, action: Callable[[str], Any], ids: list[str], done_text: str) -> int:
        """Run ``action`` on each id; report what was done and what was refused and why."""
        done = 0
        refused: list[str] = []
        conflicts = 0
        with self.store.transaction():
            for sid in ids:
                try:
                    action(sid)
                    done += 1
                except wf.WorkflowError as exc:
                    refused.append(str(exc))
                except VersionConflictError as exc:  # changed by another user since the queue was read
                    refused.append(str(exc))
                    conflicts += 1
        text = done_text.format(n=done)
        if refused:
            text += " " + tr("Not done: {reasons}").format(reasons=" ".join(refused))
        self._report(text, Qgis.Warning if refused else Qgis.Success)
        if done:
            self._after_change()
        elif conflicts:
            self.refresh()  # the queue shows the others' change; the moderator decides again
        return done

    def _version(self, sid: str) -> int | None:
        """The version of a report as the queue shows it (None for a report not in the queue)."""
        return next((i.version for i in self.items if i.service_request_id == sid), None)

    def _report(self, text: str, level: int = Qgis.Info) -> None:
        self.status_label.setText(text)
        self.message.emit(text, int(level))

    def _after_change(self) -> None:
        reload_layer(self.layer())
        self.refresh()
        self.changed.emit()

    def accept_selected(self) -> int:
        """Accept the selected reports for consideration."""
        return self._run(
            lambda sid: wf.accept(self.store, self.actor, sid, base_version=self._version(sid)),
            self.selected_ids(),
            tr("Accepted: {n}."),
        )

    def reject_selected(self, reason: str = "") -> int:
        """Reject the selected reports as spam or abuse (hidden from the public)."""
        return self._run(
            lambda sid: wf.reject(self.store, self.actor, sid, reason, base_version=self._version(sid)),
            self.selected_ids(),
            tr("Rejected: {n}."),
        )

    def close_selected_not_remit(self, reason: str) -> int:
        """Close the selected reports as not the city's remit, with the reason for the citizen."""
        return self._run(
            lambda sid: wf.close_not_remit(self.store, self.actor, sid, reason, base_version=self._version(sid)),
            self.selected_ids(),
            tr("Closed as not the city's remit: {n}."),
        )

    def recategorise_selected(self, service_code: str) -> int:
        """Move the selected report to another category."""
        return self._run(
            lambda sid: wf.recategorise(self.store, self.actor, sid, service_code, base_version=self._version(sid)),
            self.selected_ids(),
            tr("Category changed: {n}."),
        )

    def _selected_reports(self) -> list[dict[str, Any]]:
        """The selected queue items as ``{service_request_id, service_name, address}`` (to name them)."""
        wanted = set(self.selected_ids())
        return [
            {"service_request_id": i.service_request_id, "service_name": i.service_name, "address": i.address}
            for i in self.items
            if i.service_request_id in wanted
        ]

    def _ask_reject(self) -> None:
        reason = ask_reason(
            self,
            tr("Reject"),
            tr("Reason (internal; the report is hidden from the public):"),
            self._selected_reports(),
            tr("Reject"),
        )
        if reason:
            self.reject_selected(reason)

    def _ask_not_remit(self) -> None:
        reason = ask_reason(
            self,
            tr("Not the city's remit"),
            tr("Why the city cannot act (the citizen reads it):"),
            self._selected_reports(),
            tr("Close the report"),
        )
        if reason:
            self.close_selected_not_remit(reason)

    def _ask_category(self) -> None:
        choices = wf.services(self.store)
        if not choices:
            self._report(tr("The workspace has no categories yet: synchronise first."), Qgis.Warning)
            return
        names = [name or code for code, name in choices]
        # names only; the code only where two categories share a name
        labels = [f"{n} ({code})" if names.count(n) > 1 else n for n, (code, _name) in zip(names, choices)]
        dialog = QInputDialog(self)
        dialog.setWindowTitle(tr("Change the category"))
        dialog.setLabelText(tr("New category:"))
        dialog.setComboBoxItems(labels)
        dialog.setComboBoxEditable(False)
        dialog.setOkButtonText(tr("Change"))
        dialog.setCancelButtonText(tr("Cancel"))
        if dialog.exec() and dialog.textValue() in labels:
            self.recategorise_selected(choices[labels.index(dialog.textValue())][0])

    def show_duplicates(self) -> Any:
        """Open the duplicates dialog for the selected report."""
        from .duplicates_dialog import DuplicatesDialog

        ids = self.selected_ids()
        if len(ids) != 1:
            return None
        dialog = DuplicatesDialog(self.store, self.actor, ids[0], self)
        layer = self.layer()
        if layer is not None and self.canvas is not None:
            dialog.follow_on_map(self.canvas, layer)
        dialog.accepted.connect(self._after_change)
        self._keep(dialog)
        dialog.show()
        return dialog

    def assign_selected(self) -> Any:
        """Open the assignment dialog for the selected reports."""
        from .assign_dialog import AssignDialog

        ids = self.map_selection_ids() or self.selected_ids()
        if not ids:
            return None
        dialog = AssignDialog(self.store, self.actor, ids, parent=self)
        dialog.accepted.connect(self._after_change)
        self._keep(dialog)
        dialog.show()
        return dialog

    def _keep(self, dialog: Any) -> None:
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _r=0, d=dialog: self.dialogs.remove(d) if d in self.dialogs else None)
