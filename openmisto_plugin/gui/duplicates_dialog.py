"""Duplicates of a report (issue 3, item 3): same category, near in space and time, nearest first.

The moderator sets the distance (default 50 m) and the period (default 30 days), sees the
candidates (also on the map) and closes the report as a duplicate of the chosen original; the
report links to it (``duplicate_of``) and the history shows it.
"""

from __future__ import annotations

import logging
from typing import Any

from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import moderation, statuses
from ..core import workflow as wf
from ..core.duplicates import DEFAULT_MAX_DAYS, DEFAULT_MAX_DISTANCE_M
from ..core.i18n import tr
from ..core.store.base import ReportStore
from .common import button_box, format_datetime, plain_label, plain_tooltip
from .help import help_button
from .map_focus import MapFocus

log = logging.getLogger(__name__)
ID_ROLE = Qt.ItemDataRole.UserRole


class DuplicatesDialog(QDialog):
    """Candidates for one report; OK closes it as a duplicate of the selected one."""

    candidatesShown = pyqtSignal(list)  # ids of the report and its candidates (to select on the map)
    pairShown = pyqtSignal(list)  # the report and the selected candidate (to zoom to)

    def __init__(self, store: ReportStore, actor: wf.Actor, service_request_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.service_request_id = str(service_request_id)
        self.candidates: list[moderation.Candidate] = []
        self.update_id: str | None = None
        report = store.report(self.service_request_id) or {}
        self.setWindowTitle(tr("Duplicates of report {id}").format(id=self.service_request_id))
        self.resize(760, 440)

        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                tr("Report {id}: {category}, {address}").format(
                    id=self.service_request_id,
                    category=report.get("service_name") or report.get("service_code") or "",
                    address=report.get("address") or "",
                )
            )
        )
        row = QHBoxLayout()
        self.distance_spin = QDoubleSpinBox()
        self.distance_spin.setRange(1, 5000)
        self.distance_spin.setDecimals(0)
        self.distance_spin.setSuffix(tr(" m"))
        self.distance_spin.setValue(DEFAULT_MAX_DISTANCE_M)
        self.days_spin = QSpinBox()
        self.days_spin.setRange(1, 365)
        self.days_spin.setSuffix(tr(" days"))
        self.days_spin.setValue(DEFAULT_MAX_DAYS)
        row.addWidget(plain_label(tr("Within"), selectable=False))
        row.addWidget(self.distance_spin)
        row.addWidget(plain_label(tr("and"), selectable=False))
        row.addWidget(self.days_spin)
        row.addStretch(1)
        layout.addLayout(row)

        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(
            [tr("No."), tr("Distance, m"), tr("Days apart"), tr("Status"), tr("Received"), tr("Description")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.count_label = plain_label()
        layout.addWidget(self.count_label)

        note_row = QHBoxLayout()
        note_row.addWidget(plain_label(tr("Note for the citizen (optional):"), selectable=False))
        self.note_edit = QLineEdit()
        note_row.addWidget(self.note_edit, 1)
        layout.addLayout(note_row)
        self.error_label = plain_label()
        self.error_label.setStyleSheet("color: #c62828")
        layout.addWidget(self.error_label)

        self.buttons = button_box(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(help_button(self, "duplicates"), QDialogButtonBox.ButtonRole.HelpRole)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Close as a duplicate of the selected"))
        self.buttons.accepted.connect(self.mark)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.distance_spin.valueChanged.connect(lambda _v: self.search())
        self.days_spin.valueChanged.connect(lambda _v: self.search())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemSelectionChanged.connect(self._show_pair)
        self.map_focus: MapFocus | None = None
        self.search()

    def follow_on_map(self, canvas: Any, layer: Any) -> MapFocus:
        """Select the candidates on ``layer`` and zoom to the chosen pair; Cancel gives the map back as it was."""
        focus = MapFocus(canvas, layer, lambda ids: wf.fids_of(self.store, ids))
        self.map_focus = focus
        self.candidatesShown.connect(focus.select)
        self.pairShown.connect(focus.zoom_to)
        self.rejected.connect(focus.restore)
        focus.select([self.service_request_id] + [c.service_request_id for c in self.candidates])
        self._show_pair()
        return focus

    def _show_pair(self) -> None:
        chosen = self.selected_id()
        self.pairShown.emit([self.service_request_id] + ([chosen] if chosen else []))

    def search(self) -> None:
        """Look for candidates with the current distance and period."""
        try:
            self.candidates = moderation.duplicate_candidates(
                self.store, self.service_request_id, self.distance_spin.value(), self.days_spin.value()
            )
        except wf.WorkflowError as exc:
            self.candidates = []
            self.error_label.setText(str(exc))
        self.table.setRowCount(len(self.candidates))
        for row, c in enumerate(self.candidates):
            values = (
                c.service_request_id,
                f"{c.distance_m:.0f}",
                f"{c.days_apart:.1f}",
                statuses.label(c.external_status_code),
                format_datetime(c.requested_datetime),
                c.description or "",
            )
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(ID_ROLE, c.service_request_id)
                if column == 5:
                    cell.setToolTip(plain_tooltip(value))
                self.table.setItem(row, column, cell)
        if self.candidates:
            self.table.selectRow(0)
        self.count_label.setText(tr("Candidates: {n}, nearest first.").format(n=len(self.candidates)))
        self.candidatesShown.emit([self.service_request_id] + [c.service_request_id for c in self.candidates])
        self._update_buttons()

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.table.item(rows[0].row(), 0).data(ID_ROLE) if rows else None

    def select_candidate(self, candidate_id: str) -> bool:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(ID_ROLE) == candidate_id:
                self.table.selectRow(row)
                return True
        return False

    def _update_buttons(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            self.selected_id() is not None and self.actor.role == wf.MODERATOR
        )

    def mark(self) -> bool:
        """Close the report as a duplicate of the selected candidate."""
        original = self.selected_id()
        if original is None:
            return False
        try:
            self.update_id = wf.mark_duplicate(
                self.store, self.actor, self.service_request_id, original, self.note_edit.text()
            )
        except wf.WorkflowError as exc:
            self.error_label.setText(str(exc))
            return False
        self.accept()
        return True
