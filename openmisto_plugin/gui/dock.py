"""The plugin's dock: connection, last sync, Sync now / Cancel, layers, and the workflow tabs.

The dock only shows and asks: it emits signals that the plugin connects to its
actions. The plugin puts the workflow pages of the user's role (moderation queue,
filter with its list of reports, outbox) in with :meth:`OpenMistoDock.set_pages`.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from qgis.core import QgsFeatureRequest, QgsVectorLayer
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor, QIcon
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core import statuses
from ..core.deadlines import report_is_overdue
from ..core.i18n import tr
from ..core.qgis_compat import REQUEST_NO_GEOMETRY
from ..core.settings import PluginSettings
from ..core.timeutil import KYIV, now_utc
from .common import ElidedLabel, format_datetime, icon, logged_slot, plain_label, plain_tooltip, text_of, to_datetime
from .help import help_button

OBJECT_NAME = "OpenMistoDock"
WARNING_STYLE = "color: #b26a00;"
ERROR_STYLE = "color: #c62828;"


def role_label(role: str) -> str:
    """Translated name of a role."""
    return {
        "moderator": tr("Moderator"),
        "officer": tr("Department officer"),
        "viewer": tr("Viewer (read only)"),
    }.get(role, role)


class ReportList(QWidget):
    """The reports a filter found, most urgent first; a row selects and pans to its report on the map.

    A double click emits ``reportActivated(service_request_id)`` (the plugin opens the detail view).
    """

    reportActivated = pyqtSignal(str)

    MAX_ROWS = 500
    FIELDS = ("service_request_id", "external_status_code", "service_name", "deadline", "status")
    ID_ROLE = Qt.ItemDataRole.UserRole
    FID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, canvas: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OpenMistoReportList")
        self.canvas = canvas
        self.layer: QgsVectorLayer | None = None
        self.fids: list[int] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary_label = plain_label(tr("Apply a filter to list its reports here."), selectable=False)
        layout.addWidget(self.summary_label)
        # Three columns fit the dock; the deadline and the full texts are in each row's tooltip.
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("No."), tr("Status"), tr("Category")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(1, 120)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda item: self.reportActivated.emit(str(item.data(self.ID_ROLE))))
        layout.addWidget(self.table, 1)

    def show_reports(self, layer: QgsVectorLayer | None, fids: list[int]) -> int:
        """List the reports ``fids`` of ``layer`` (open and overdue first); returns the rows shown."""
        self.layer = layer
        self.fids = sorted(int(f) for f in fids)
        rows: list[tuple[tuple[Any, ...], list[str], int, bool, str, str]] = []
        if layer is not None and self.fids:
            request = QgsFeatureRequest().setFilterFids(self.fids).setFlags(REQUEST_NO_GEOMETRY)
            names = [n for n in self.FIELDS if layer.fields().indexOf(n) >= 0]
            request.setSubsetOfAttributes(names, layer.fields())
            now = now_utc()
            for feature in layer.getFeatures(request):
                values = {n: feature[n] for n in names}
                deadline = to_datetime(values.get("deadline"))
                is_open = text_of(values.get("status")) == "open"
                overdue = report_is_overdue(values, now)
                key = (
                    not overdue,
                    not is_open,
                    deadline is None,
                    deadline or now,
                    text_of(values.get("service_request_id")),
                )
                code = text_of(values.get("external_status_code"))
                cells = [
                    text_of(values.get("service_request_id")),
                    statuses.label(code),
                    text_of(values.get("service_name")),
                ]
                tip = " · ".join(cells[1:])
                if is_open and deadline is not None:
                    tip += "\n" + tr("Deadline: {0}").format(format_datetime(values.get("deadline")))
                    if overdue:
                        tip += " — " + tr("overdue")
                rows.append((key, cells, feature.id(), overdue, code, tip))
        rows.sort(key=lambda r: r[0])
        shown = rows[: self.MAX_ROWS]
        self.table.blockSignals(True)
        try:
            self.table.clearSelection()
            self.table.setRowCount(len(shown))
            for row, (_key, cells, fid, overdue, code, tip) in enumerate(shown):
                for column, value in enumerate(cells):
                    item = QTableWidgetItem(value)
                    item.setData(self.ID_ROLE, cells[0])
                    item.setData(self.FID_ROLE, fid)
                    item.setToolTip(plain_tooltip(tip))
                    if column == 0 and code in statuses.STATUSES:
                        item.setData(Qt.ItemDataRole.DecorationRole, QColor(statuses.STATUSES[code].colour))
                    if overdue:
                        item.setForeground(QBrush(QColor("#c62828")))
                    self.table.setItem(row, column, item)
        finally:
            self.table.blockSignals(False)
        overdue_count = sum(1 for r in rows if r[3])
        if not rows:
            text = tr("No report matches the filter.")
        elif len(rows) > len(shown):
            text = tr("The {shown} most urgent of {count} reports (narrow the filter to see the rest).").format(
                shown=len(shown), count=len(rows)
            )
        else:
            text = tr("Overdue (red): {overdue}.").format(overdue=overdue_count)  # the filter shows the count
        self.summary_label.setText(text + " " + tr("Double-click a report for its details."))
        return len(shown)

    def clear(self) -> None:
        """No filter: an empty list and the hint."""
        self.fids = []
        self.table.setRowCount(0)
        self.summary_label.setText(tr("Apply a filter to list its reports here."))

    def refresh(self) -> None:
        """List the same reports again (after a sync or a change of their status)."""
        if self.fids:
            self.show_reports(self.layer, self.fids)

    def selected_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [str(self.table.item(r, 0).data(self.ID_ROLE)) for r in rows if self.table.item(r, 0) is not None]

    def _selection_changed(self) -> None:
        layer = self.layer
        if layer is None:
            return
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        fids = [int(self.table.item(r, 0).data(self.FID_ROLE)) for r in rows if self.table.item(r, 0) is not None]
        try:
            layer.selectByIds(fids)
            if fids and self.canvas is not None:
                self.canvas.panToSelected(layer)
                self.canvas.flashFeatureIds(layer, fids)
        except RuntimeError:  # the layer was removed from the project
            self.layer = None


class FilterPage(QSplitter):
    """The filter panel above the list of the reports it found (the user drags the divider)."""

    def __init__(self, filter_panel: QWidget, report_list: ReportList, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setObjectName("OpenMistoFilterPage")
        self.setChildrenCollapsible(False)
        self.filter_panel = filter_panel
        self.report_list = report_list
        self.addWidget(filter_panel)
        self.addWidget(report_list)
        self.setStretchFactor(0, 1)
        self.setStretchFactor(1, 1)
        self._sized = False

    def showEvent(self, event: Any) -> None:
        """The first time: half for the filter, half for the list (the filter panel scrolls)."""
        super().showEvent(event)
        if not self._sized and self.height() > 0:
            self._sized = True
            self.setSizes([self.height() // 2, self.height() - self.height() // 2])


class OpenMistoDock(QgsDockWidget):
    """Status and controls of the plugin."""

    syncRequested = pyqtSignal()
    fullSyncRequested = pyqtSignal()
    cancelRequested = pyqtSignal()
    settingsRequested = pyqtSignal()
    addLayersRequested = pyqtSignal()
    zoomRequested = pyqtSignal()
    identifyRequested = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("Open City"), parent)
        self.setObjectName(OBJECT_NAME)
        self.setWindowIcon(icon("openmisto"))
        self.session: Any = None  # the workspace session and the plugin's hub (see attach)
        self.hub: Any = None
        self.workflow: Any = None  # the role's pages (gui/dock_pages.py)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)

        # Connection
        connection = QGroupBox(tr("Platform"))
        grid = QGridLayout(connection)
        self.connection_label = plain_label()
        self.role_label = plain_label()
        self.settings_button = QPushButton(icon("settings"), tr("Settings…"))
        self.settings_button.clicked.connect(self.settingsRequested)
        grid.addWidget(self.connection_label, 0, 0)
        grid.addWidget(self.settings_button, 0, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.role_label, 1, 0)
        grid.addWidget(help_button(self, "dock"), 1, 1, Qt.AlignmentFlag.AlignTop)
        self.platform_label = plain_label()  # what the platform lacks that users notice (its profile)
        self.platform_label.setVisible(False)
        grid.addWidget(self.platform_label, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        layout.addWidget(connection)

        # Sync
        sync = QGroupBox(tr("Synchronisation"))
        sync_layout = QVBoxLayout(sync)
        # One line each, cut with "…" (whole text in the tooltip): a wrapping line made the dock jump under
        # the pointer, so a click meant for a button landed on the next one.
        self.last_sync_label = ElidedLabel()
        self.message_label = ElidedLabel()
        self.message_label.setVisible(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        buttons = QHBoxLayout()
        # "Sync now" with "Full sync" in its drop-down: the row stays narrow enough for the dock.
        self.sync_button = QToolButton()
        self.sync_button.setIcon(icon("sync"))
        self.sync_button.setText(tr("Sync now"))
        self.sync_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.sync_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.sync_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.sync_button.setToolTip(tr("Send pending changes and fetch new and changed reports"))
        self.sync_button.clicked.connect(self.syncRequested)
        sync_menu = QMenu(self.sync_button)
        self.full_sync_action = sync_menu.addAction(tr("Full sync"))
        self.full_sync_action.setToolTip(tr("Fetch every report again (slower; repairs a damaged workspace)"))
        self.full_sync_action.triggered.connect(self.fullSyncRequested)
        self.sync_button.setMenu(sync_menu)
        self.cancel_button = QPushButton(icon("cancel"), tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.cancel_button.setEnabled(False)
        buttons.addWidget(self.sync_button, 1)
        buttons.addWidget(self.cancel_button)
        sync_layout.addWidget(self.last_sync_label)
        sync_layout.addWidget(self.progress)
        sync_layout.addWidget(self.message_label)
        sync_layout.addLayout(buttons)
        layout.addWidget(sync)

        # Tabs: an overview now, the workflows (queue, filters, outbox…) later.
        self.tabs = QTabWidget()
        self.tabs.setObjectName("OpenMistoDockTabs")
        self.overview = self._overview_page()
        # The overview is an icon-only tab: the four tabs of a moderator must fit a dock ~350 px wide.
        self.tabs.addTab(self.overview, icon("openmisto"), "")
        self.tabs.setTabToolTip(0, tr("Overview"))
        self.tabs.setUsesScrollButtons(True)
        layout.addWidget(self.tabs, 1)

        self.setWidget(body)
        self.set_busy(False)

    def _overview_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 4)
        self.counts_table = QTableWidget(0, 2)
        self.counts_table.setHorizontalHeaderLabels([tr("Status"), tr("Reports")])
        self.counts_table.verticalHeader().setVisible(False)
        self.counts_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.counts_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.counts_table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        header = self.counts_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.counts_table, 1)
        self.totals_label = plain_label()
        layout.addWidget(self.totals_label)
        self.identify_button = QPushButton(icon("identify"), tr("Report details (click on the map)"))
        self.identify_button.clicked.connect(self.identifyRequested)
        self.add_layers_button = QPushButton(icon("layers"), tr("Add layers to the map"))
        self.add_layers_button.clicked.connect(self.addLayersRequested)
        self.zoom_button = QPushButton(tr("Zoom to reports"))
        self.zoom_button.clicked.connect(self.zoomRequested)
        for button in (self.identify_button, self.add_layers_button, self.zoom_button):
            layout.addWidget(button)
        return page

    # --- API for the plugin -------------------------------------------------------------

    def attach(self, session: Any, hub: Any, canvas: Any) -> None:
        """Work on the workspace ``session``: the dock builds the role's pages and follows the ``hub``'s news."""
        from .dock_pages import WorkflowPages

        self.session, self.hub = session, hub
        self.workflow = WorkflowPages(self, session, hub, canvas)
        hub.settingsChanged.connect(self.show_state)
        hub.settingsChanged.connect(self.workflow.update)
        hub.dataChanged.connect(self.workflow.refresh)
        hub.dataChanged.connect(self.show_state)
        hub.reportsLayerChanged.connect(self.workflow.layers_changed)

    def detach(self) -> None:
        """Stop following the hub and delete the pages (on unload; the filter leaves the layer)."""
        if self.hub is not None:
            self.hub.settingsChanged.disconnect(self.show_state)
            self.hub.dataChanged.disconnect(self.show_state)
            self.hub.settingsChanged.disconnect(self.workflow.update)
            self.hub.dataChanged.disconnect(self.workflow.refresh)
            self.hub.reportsLayerChanged.disconnect(self.workflow.layers_changed)
            self.workflow.remove(clear_filter=True)
        self.hub = self.session = None

    @logged_slot()
    def show_state(self, settings: PluginSettings | None = None) -> None:
        """The settings, the workspace's last sync and profile, and the reports' counts."""
        if self.session is None:
            return
        settings = settings or PluginSettings.load()
        session = self.session
        self.show_settings(settings, session.last_pull(), session.platform_profile(), session.department_name(settings))
        self.show_counts(*session.status_counts(settings))

    def add_tab(self, widget: QWidget, title: str, tab_icon: QIcon | None = None) -> int:
        """Add a workflow page; returns its index."""
        return self.tabs.addTab(widget, tab_icon or QIcon(), title)

    def set_pages(self, pages: list[tuple[QWidget, str]]) -> None:
        """Replace the workflow pages (every tab but the overview) by ``pages`` (widget, title).

        The removed pages are not deleted: their owner (the plugin) does that.
        """
        current = self.tabs.currentWidget()
        for index in range(self.tabs.count() - 1, -1, -1):
            if self.tabs.widget(index) is not self.overview:
                self.tabs.removeTab(index)
        for widget, title in pages:
            self.tabs.addTab(widget, title)
        with contextlib.suppress(RuntimeError):
            if current is not None and self.tabs.indexOf(current) >= 0:
                self.tabs.setCurrentWidget(current)

    def page_titles(self) -> list[str]:
        """Titles of the tabs, in order."""
        return [self.tabs.tabText(i) or self.tabs.tabToolTip(i) for i in range(self.tabs.count())]

    def set_last_sync_attention(self, attention: bool) -> None:
        """Colour the last-sync line when that sync left something to look at (skipped, refused…)."""
        self.last_sync_label.setStyleSheet(WARNING_STYLE if attention else "")

    def show_settings(
        self,
        settings: PluginSettings,
        workspace_pull: datetime | None = None,
        profile: Any = None,
        department_name: str = "",
    ) -> None:
        """Show the platform, role and last sync (from the settings, else from the workspace).

        ``workspace_pull`` is the last pull recorded in the workspace: a sync made elsewhere (a scheduled
        ``qgis_process`` run, another workstation on a shared store) shows there too. ``profile`` (the
        workspace's ``PlatformProfile``) says what the platform lacks, e.g. that responses stay here.
        ``department_name``: the officer's department as the workspace names it (else its code shows).
        """
        self.show_profile(profile)
        shared = settings.current_workspace.shared
        workspace = settings.current_workspace.describe()
        if settings.is_configured:
            self.connection_label.setText(settings.base_url)
            self.connection_label.setToolTip(plain_tooltip(tr("Workspace: {0}").format(workspace)))
        elif shared:  # a shared workspace that the server (or a colleague) synchronises
            self.connection_label.setText(tr("Shared workspace: {0}").format(workspace))
            self.connection_label.setToolTip(plain_tooltip(tr("Workspace: {0}").format(workspace)))
        else:
            self.connection_label.setText(tr("Not configured: open the settings and enter the platform address."))
        role = role_label(settings.role)
        if settings.role == "officer" and settings.department:
            role = tr("{0}, department {1}").format(role, department_name or settings.department)
        self.role_label.setText(tr("Role: {0}").format(role))
        if shared and workspace_pull is not None:
            # shared: whoever synchronised last (the server's schedule, a colleague) counts
            text = tr("Last sync: {0} (recorded in the workspace)").format(
                workspace_pull.astimezone(KYIV).strftime("%d.%m.%Y %H:%M")
            )
            if settings.last_sync:
                text += "\n" + tr("Your last sync: {0}").format(settings.last_sync)
        elif settings.last_sync:
            text = tr("Last sync: {0}").format(settings.last_sync)
        elif workspace_pull is not None:
            text = tr("Last sync: {0} (recorded in the workspace)").format(
                workspace_pull.astimezone(KYIV).strftime("%d.%m.%Y %H:%M")
            )
        else:
            text = tr("Not synchronised yet.")
        self.last_sync_label.setText(text)
        self.sync_button.setEnabled(settings.is_configured and not self.cancel_button.isEnabled())

    def show_profile(self, profile: Any) -> None:
        """The platform profile: a notice when it lacks what users notice; every feature in the tooltip."""
        notice = profile.dock_notice() if profile is not None else ""
        self.platform_label.setText(notice)
        self.platform_label.setStyleSheet(WARNING_STYLE if notice else "")
        self.platform_label.setToolTip(plain_tooltip("\n".join(profile.lines())) if profile is not None else "")
        self.platform_label.setVisible(bool(notice))

    def set_busy(self, busy: bool) -> None:
        """Switch between "sync running" and idle."""
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_button.setEnabled(busy)
        self.sync_button.setEnabled(not busy)

    def set_progress(self, value: float) -> None:
        """Progress of the running sync (0-100)."""
        self.progress.setValue(int(value))

    def show_message(self, text: str, error: bool = False) -> None:
        """Result of the last sync (plain text; red for an error)."""
        self.message_label.setStyleSheet(ERROR_STYLE if error else "")
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def show_counts(self, counts: dict[str, int], overdue: int | None = None) -> None:
        """Reports per status (open statuses first) and the overdue count."""
        codes = [c for c in statuses.STATUS_CODES if counts.get(c)]
        others = sum(n for c, n in counts.items() if c not in statuses.STATUSES)
        self.counts_table.setRowCount(len(codes) + (1 if others else 0))
        for row, code in enumerate(codes):
            item = QTableWidgetItem(statuses.label(code))
            item.setData(Qt.ItemDataRole.DecorationRole, QColor(statuses.STATUSES[code].colour))
            self.counts_table.setItem(row, 0, item)
            number = QTableWidgetItem(str(counts[code]))
            number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.counts_table.setItem(row, 1, number)
        if others:
            row = len(codes)
            self.counts_table.setItem(row, 0, QTableWidgetItem(tr("Other status")))
            number = QTableWidgetItem(str(others))
            number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.counts_table.setItem(row, 1, number)
        total = sum(counts.values())
        open_total = sum(n for c, n in counts.items() if c in statuses.OPEN_CODES)
        text = tr("Total: {0}, open: {1}").format(total, open_total)
        if overdue is not None:
            text += ", " + tr("overdue: {0}").format(overdue)
        self.totals_label.setText(text if total else tr("No reports in the workspace yet."))
