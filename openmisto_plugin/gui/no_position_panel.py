"""The dock's «Без координат» list (issue 9): reports the platform sent without a usable position.

A moderator selects one and clicks «Place on the map», then clicks on the map where it is
(:class:`PlaceReportTool`). The position stays in the workspace, marked as placed by hand: the
platform cannot take it (Open311 has no call that changes a position).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from qgis.core import Qgis, QgsVectorLayer
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import statuses
from ..core import workflow as wf
from ..core.i18n import tr
from ..core.store.base import ReportStore
from ..core.store.failures import WORKSPACE_ERRORS
from ..core.unplaced import UnplacedReport, reason_label, unplaced_reports
from .common import plain_label, plain_tooltip, selected_row_data, setup_list_table
from .moderation_panel import default_reports_layer, reload_layer

log = logging.getLogger(__name__)

ID_ROLE = Qt.ItemDataRole.UserRole


class NoPositionPanel(QWidget):
    """Reports without a position (and far outside the city), with «Place on the map»."""

    changed = pyqtSignal()  # a report got its position: the layer was reloaded
    message = pyqtSignal(str, int)  # text, Qgis message level
    reportActivated = pyqtSignal(str)  # a double-clicked report (open its detail view)

    def __init__(
        self,
        store: ReportStore | None = None,
        actor: wf.Actor | None = None,
        canvas: Any = None,
        layer_getter: Callable[[], QgsVectorLayer | None] = default_reports_layer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("OpenMistoNoPositionPanel")
        self.store = store
        self.actor = actor or wf.Actor(wf.VIEWER)
        self.canvas = canvas
        self.layer_getter = layer_getter
        self.items: list[UnplacedReport] = []
        self.tool: Any = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary_label = plain_label()
        layout.addWidget(self.summary_label)
        # Three columns fit a dock ~350 px wide; the category, status and description are in the tooltip.
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("No."), tr("Why"), tr("Address")])
        setup_list_table(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 90)  # platform ids can be long (Mongo ids, "import:…")
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda item: self.reportActivated.emit(str(item.data(ID_ROLE))))
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.place_button = QPushButton(tr("Place on the map"))
        self.place_button.setToolTip(
            tr(
                "Click on the map where the selected report is. The position is kept in this workspace only,"
                " marked as placed by hand: Open311 cannot send a position back to the platform."
            )
        )
        self.place_button.clicked.connect(lambda _checked=False: self.place_selected())
        self.refresh_button = QPushButton(tr("Refresh"))
        self.refresh_button.clicked.connect(lambda _checked=False: self.refresh())
        row.addWidget(self.place_button)
        row.addWidget(self.refresh_button)
        layout.addLayout(row)
        self.status_label = plain_label()
        layout.addWidget(self.status_label)
        self.refresh()

    def set_context(self, store: ReportStore | None, actor: wf.Actor) -> None:
        """A new workspace or role."""
        self.store = store
        self.actor = actor
        self.refresh()

    def refresh(self) -> None:
        """Read the list from the store."""
        selected = set(self.selected_ids())
        try:
            self.items = unplaced_reports(self.store) if self.store is not None else []
        except WORKSPACE_ERRORS as exc:  # a workspace the list cannot read: say so, keep the dock
            log.warning("Cannot read the reports without a position: %s", exc)
            self.items = []
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            values = (
                item.service_request_id,
                reason_label(item.position_flag, item.position_note),
                item.address or "",
            )
            status = statuses.label(item.external_status_code) if item.external_status_code else item.status
            tip = " · ".join(t for t in (item.service_request_id, item.service_name, status) if t)
            if item.position_note:
                tip += "\n" + tr("Platform: {0}").format(item.position_note)
            if item.description:
                tip += "\n\n" + item.description
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(ID_ROLE, item.service_request_id)
                cell.setToolTip(plain_tooltip(tip))
                self.table.setItem(row, column, cell)
            if item.service_request_id in selected:
                self.table.selectRow(row)
        missing = sum(1 for i in self.items if i.position_flag == "missing")
        self.summary_label.setText(
            tr("Without a position: {n}; far outside the city: {far}.").format(n=missing, far=len(self.items) - missing)
        )
        self._update_buttons()

    def selected_ids(self) -> list[str]:
        return [str(v) for v in selected_row_data(self.table, ID_ROLE)]

    def _update_buttons(self) -> None:
        moderator = self.actor.role == wf.MODERATOR and self.store is not None
        self.place_button.setEnabled(moderator and self.canvas is not None and len(self.selected_ids()) == 1)
        if self.actor.role != wf.MODERATOR:
            self.status_label.setText(tr("Placing reports on the map is the moderator's."))

    def place_selected(self) -> Any:
        """Let the moderator click the selected report's position on the map; returns the map tool."""
        ids = self.selected_ids()
        if len(ids) != 1 or self.store is None or self.canvas is None:
            return None
        from .place_report_tool import PlaceReportTool

        if self.tool is None:
            self.tool = PlaceReportTool(self.canvas)
            self.tool.placed.connect(self._placed)
            self.tool.failed.connect(lambda text: self._report(text, Qgis.Warning))
        version = next((i.version for i in self.items if i.service_request_id == ids[0]), None)
        self.tool.start(self.store, ids[0], self.actor.author, version)
        self._report(tr("Click on the map where report {id} is (Esc cancels).").format(id=ids[0]), Qgis.Info)
        return self.tool

    def _placed(self, sid: str) -> None:
        reload_layer(self.layer_getter() if self.layer_getter else None)
        self.refresh()
        self._report(tr("Report {id} placed on the map (kept in this workspace only).").format(id=sid), Qgis.Success)
        self.changed.emit()

    def _report(self, text: str, level: int = Qgis.Info) -> None:
        self.status_label.setText(text)
        self.message.emit(text, int(level))

    def unload(self) -> None:
        """Give the map back its previous tool."""
        if self.tool is not None and self.canvas is not None and self.canvas.mapTool() is self.tool:
            self.canvas.unsetMapTool(self.tool)
