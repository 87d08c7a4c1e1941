"""The plugin's dock: connection, last sync, Sync now / Cancel, layers, and the workflow tabs.

The dock only shows and asks: it emits signals that the plugin connects to its
actions. Later workflows add their pages with :meth:`OpenMistoDock.add_tab`.
"""

from __future__ import annotations

from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QIcon
from qgis.PyQt.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core import statuses
from ..core.i18n import tr
from ..core.settings import PluginSettings
from .common import icon, plain_label

OBJECT_NAME = "OpenMistoDock"


def role_label(role: str) -> str:
    """Translated name of a role."""
    return {
        "moderator": tr("Moderator"),
        "officer": tr("Department officer"),
        "viewer": tr("Viewer (read only)"),
    }.get(role, role)


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
        grid.addWidget(self.settings_button, 0, 1, Qt.AlignTop)
        grid.addWidget(self.role_label, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        layout.addWidget(connection)

        # Sync
        sync = QGroupBox(tr("Synchronisation"))
        sync_layout = QVBoxLayout(sync)
        self.last_sync_label = plain_label()
        self.message_label = plain_label()
        self.message_label.setVisible(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        buttons = QHBoxLayout()
        # "Sync now" with "Full sync" in its drop-down: the row stays narrow enough for the dock.
        self.sync_button = QToolButton()
        self.sync_button.setIcon(icon("sync"))
        self.sync_button.setText(tr("Sync now"))
        self.sync_button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.sync_button.setPopupMode(QToolButton.MenuButtonPopup)
        self.sync_button.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
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
        self.tabs.addTab(self.overview, icon("layers"), tr("Overview"))
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
        self.counts_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.counts_table.setSelectionMode(QTableWidget.NoSelection)
        header = self.counts_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeToContents)
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

    def add_tab(self, widget: QWidget, title: str, tab_icon: QIcon | None = None) -> int:
        """Add a workflow page; returns its index."""
        return self.tabs.addTab(widget, tab_icon or QIcon(), title)

    def show_settings(self, settings: PluginSettings) -> None:
        """Show the platform, role and last sync from the settings."""
        if settings.is_configured:
            self.connection_label.setText(settings.base_url)
            self.connection_label.setToolTip(tr("Workspace: {0}").format(settings.workspace_path))
        else:
            self.connection_label.setText(tr("Not configured: open the settings and enter the platform address."))
        role = role_label(settings.role)
        if settings.role == "officer" and settings.department:
            role = tr("{0}, department {1}").format(role, settings.department)
        self.role_label.setText(tr("Role: {0}").format(role))
        self.last_sync_label.setText(
            tr("Last sync: {0}").format(settings.last_sync) if settings.last_sync else tr("Not synchronised yet.")
        )
        self.sync_button.setEnabled(settings.is_configured and not self.cancel_button.isEnabled())

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
        self.message_label.setStyleSheet("color: #c62828;" if error else "")
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def show_counts(self, counts: dict[str, int], overdue: int | None = None) -> None:
        """Reports per status (open statuses first) and the overdue count."""
        codes = [c for c in statuses.STATUS_CODES if counts.get(c)]
        others = sum(n for c, n in counts.items() if c not in statuses.STATUSES)
        self.counts_table.setRowCount(len(codes) + (1 if others else 0))
        for row, code in enumerate(codes):
            item = QTableWidgetItem(statuses.label(code))
            item.setData(Qt.DecorationRole, QColor(statuses.STATUSES[code].colour))
            self.counts_table.setItem(row, 0, item)
            number = QTableWidgetItem(str(counts[code]))
            number.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.counts_table.setItem(row, 1, number)
        if others:
            row = len(codes)
            self.counts_table.setItem(row, 0, QTableWidgetItem(tr("Other status")))
            number = QTableWidgetItem(str(others))
            number.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.counts_table.setItem(row, 1, number)
        total = sum(counts.values())
        open_total = sum(n for c, n in counts.items() if c in statuses.OPEN_CODES)
        text = tr("Total: {0}, open: {1}").format(total, open_total)
        if overdue is not None:
            text += ", " + tr("overdue: {0}").format(overdue)
        self.totals_label.setText(text if total else tr("No reports in the workspace yet."))
