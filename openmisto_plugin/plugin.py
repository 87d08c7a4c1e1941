"""The QGIS plugin object: glue between QGIS's interface and the plugin's pieces.

``initGui`` adds the menu "Відкрите Місто", a toolbar, the dock, the map tool,
the Processing provider, the translator and logging; ``unload`` removes every one of them again.

The pieces live in ``gui/`` and talk through one hub of signals (:mod:`.gui.signal_hub`): the
:class:`~.gui.workspace_session.WorkspaceSession` holds the workspace's store for the GUI, the
:class:`~.gui.sync_controller.SyncController` runs the syncs and their timer, the dock builds the role's
pages (:mod:`.gui.dock_pages`), :class:`~.gui.report_dialogs.ReportDialogs` opens the report dialogs.
This module makes them, connects them, and keeps the project's layers and the map.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsProject,
    QgsSettings,
)
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, Qt, QTranslator, pyqtBoundSignal
from qgis.PyQt.QtWidgets import QAction, QMenu, QToolBar

from .core import project_layers
from .core import workflow as wf
from .core.i18n import tr
from .core.log import setup_logging, teardown_logging
from .core.paths import i18n_dir
from .core.settings import PluginSettings
from .core.store.journal import restore_journal, use_rollback_journal
from .gui.common import icon, logged_slot, push_plain_message
from .gui.map_view import ProjectMap
from .gui.report_dialogs import ReportDialogs
from .gui.signal_hub import PluginSignals
from .gui.sync_controller import SyncController
from .gui.workspace_session import WorkspaceSession

log = logging.getLogger(__name__)

MENU_OBJECT_NAME = "OpenMistoMenu"
TOOLBAR_OBJECT_NAME = "OpenMistoToolbar"
FALLBACK_LOCALE = "uk"
MESSAGE_SECONDS = 8


def _not_done() -> str:
    return tr("That did not work; the log (Open City tab) says why.")


#: QGIS theme icons for the actions that have none under resources/icons.
THEME_ICONS = {"respond": "/mMessageLog.svg", "assign": "/user.svg", "monthly_report": "/mActionNewReport.svg"}


def qgis_locale() -> str:
    """QGIS's user interface locale (``locale/userLocale`` when set, else QGIS's own)."""
    settings = QgsSettings()
    user_locale = str(settings.value("locale/userLocale", "") or "")
    if user_locale:
        return user_locale
    try:
        return QgsApplication.locale() or ""
    except (AttributeError, RuntimeError):  # old or headless QGIS
        return ""


def translation_file(locale: str) -> Path | None:
    """The ``.qm`` for ``locale``: an exact match, the language, else Ukrainian (none for English).

    The plugin serves Ukrainian city staff: a QGIS in a language the plugin has no
    translation for (Russian, German…) gets the Ukrainian interface; English gets the source strings.
    """
    folder = i18n_dir()
    locale = (locale or "").replace("-", "_")
    for candidate in (locale, locale.split("_", 1)[0]):
        if candidate and (folder / f"openmisto_{candidate}.qm").is_file():
            return folder / f"openmisto_{candidate}.qm"
    if locale.split("_", 1)[0].lower() == "en":
        return None
    fallback = folder / f"openmisto_{FALLBACK_LOCALE}.qm"
    return fallback if fallback.is_file() else None


class OpenMistoPlugin:
    """Відкрите Місто in QGIS."""

    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.translator: QTranslator | None = None
        self.provider: Any = None
        self.menu: QMenu | None = None
        self.toolbar: QToolBar | None = None
        self.actions: dict[str, QAction] = {}
        self.dock: Any = None
        self.map_tool: Any = None
        self.hub: PluginSignals | None = None
        self.session = WorkspaceSession()
        self.map: ProjectMap | None = None
        self.sync: SyncController | None = None
        self.dialogs: ReportDialogs | None = None
        self._waiting_for_qgis = False

    # --- QGIS entry points --------------------------------------------------------------------

    def initProcessing(self) -> None:
        """Register the Processing provider (also called by ``qgis_process``)."""
        if self.provider is not None:
            return
        try:
            from .processing.provider import OpenMistoProvider
        except ImportError:
            log.info("Processing provider not available yet")
            return
        provider = OpenMistoProvider()
        if QgsApplication.processingRegistry().addProvider(provider):
            self.provider = provider

    def initGui(self) -> None:
        """Build the interface."""
        setup_logging()
        use_rollback_journal()  # QGIS must not turn the workspace to WAL (see core/store/journal.py)
        self._install_translator()
        self.initProcessing()

        hub = self.hub = PluginSignals()
        hub.dataChanged.connect(project_layers.reload_layers)  # first: the parts then read the reloaded layers
        hub.messageRequested.connect(self._message)
        hub.workspaceChanged.connect(self.session.change_workspace)
        hub.settingsRequested.connect(lambda: self.show_settings())  # looked up late: tests replace it
        self.map = ProjectMap(self.iface, self.session, hub)
        hub.reportsLayerChanged.connect(self._follow_reports_layer)
        self.sync = SyncController(self.iface, self.session, hub, self.map.add_layers)
        self.dialogs = ReportDialogs(self.iface, self.session, hub)
        sync, dialogs = self.sync, self.dialogs

        main_window = self.iface.mainWindow()
        self.actions = {
            "sync": self._action("sync", tr("Sync now"), sync.start, tr("Fetch new and changed reports")),
            "dock": self._action("dock", tr("Show panel"), self.toggle_dock, checkable=True),
            "identify": self._action(
                "identify", tr("Report details"), self.activate_identify, tr("Click a report on the map"), True
            ),
            "layers": self._action("layers", tr("Add layers to the map"), self.map.add_layers),
            "basemap": self._action(
                "layers",
                tr("Add the OpenStreetMap basemap"),
                self.map.add_basemap,
                tr("Streets and house numbers under the reports (needs the internet)"),
            ),
            "respond": self._action(
                "respond", tr("Respond to selected…"), dialogs.respond_to_selected, tr("One report selected on the map")
            ),
            "assign": self._action(
                "assign", tr("Assign selected…"), dialogs.assign_selected, tr("The reports selected on the map")
            ),
            "monthly_report": self._action(
                "monthly_report",
                tr("Monthly report…"),
                self.show_monthly_report,
                tr("The working group's PDF atlas for a month or any dates"),
            ),
            "settings": self._action("settings", tr("Settings…"), self.show_settings),
        }
        sync.action = self.actions["sync"]
        self.menu = QMenu(tr("Open City"), main_window)
        self.menu.setObjectName(MENU_OBJECT_NAME)
        for key in ("sync", "dock", "identify", "layers", "basemap", "respond", "assign", "monthly_report"):
            self.menu.addAction(self.actions[key])
        self.menu.addSeparator()
        self.menu.addAction(self.actions["settings"])
        self._insert_menu(self.menu)

        self.toolbar = QToolBar(tr("Open City"), main_window)
        self.toolbar.setObjectName(TOOLBAR_OBJECT_NAME)
        for key in ("sync", "dock", "identify", "respond", "assign", "monthly_report", "settings"):
            self.toolbar.addAction(self.actions[key])
        self.iface.addToolBar(self.toolbar)

        from .gui.dock import OpenMistoDock

        self.dock = OpenMistoDock(main_window)
        self.dock.attach(self.session, hub, self.iface.mapCanvas())
        sync.dock = self.dock
        self.dock.syncRequested.connect(lambda: sync.start(full=False))
        self.dock.fullSyncRequested.connect(lambda: sync.start(full=True))
        self.dock.cancelRequested.connect(sync.cancel)
        self.dock.settingsRequested.connect(self.show_settings)
        self.dock.addLayersRequested.connect(self.map.add_layers)
        self.dock.zoomRequested.connect(self.map.zoom_to_reports)
        self.dock.identifyRequested.connect(lambda: self.actions["identify"].setChecked(True))
        self.dock.visibilityChanged.connect(self.actions["dock"].setChecked)
        self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)

        from .gui.map_tools import ReportIdentifyTool

        self.map_tool = ReportIdentifyTool(self.iface.mapCanvas())
        self.map_tool.setAction(self.actions["identify"])
        self.map_tool.reportIdentified.connect(dialogs.show_report)

        QgsProject.instance().layersAdded.connect(self.map.layers_changed)
        QgsProject.instance().layersRemoved.connect(self.map.layers_changed)

        self.apply_settings(PluginSettings.load())

        # At QGIS start-up plugins load before QGIS opens its first (empty or given) project:
        # add the layers only when QGIS is ready, else they would be dropped with that project.
        # Only a real Qt signal will ever fire: a stand-in interface (pytest-qgis 4+) answers any
        # attribute with a mock, and waiting on that would never add the layers.
        ready_signal = getattr(self.iface, "initializationCompleted", None)
        if isinstance(ready_signal, pyqtBoundSignal) and not main_window.isVisible():
            ready_signal.connect(self._qgis_ready)
            self._waiting_for_qgis = True
        else:
            self._qgis_ready()

    @logged_slot()
    def _qgis_ready(self) -> None:
        """Show the workspace's layers in a new, empty project."""
        if self._waiting_for_qgis:
            self._waiting_for_qgis = False
            with contextlib.suppress(TypeError):
                self.iface.initializationCompleted.disconnect(self._qgis_ready)
        project = QgsProject.instance()
        if PluginSettings.load().workspace_exists and not project.mapLayers() and not project.fileName():
            self.map.add_layers(quiet=True)
            project.setDirty(False)
        self.map.layers_changed()
        self.sync.announce_overdue(force=True)
        self._warn_without_holidays()

    def _warn_without_holidays(self) -> None:
        """Say once per start when deadlines cannot know public holidays (the plugin works on without them)."""
        from .core import workdays

        if not workdays.holidays_available():
            # the bar stays short; the exception (technical, long) goes to the log
            log.warning("Public holidays are unknown: %s", workdays.holidays_problem())
            self._message(
                tr(
                    "Public holidays are unknown: deadlines treat only Saturdays and Sundays as days off (see the log)."
                ),
                Qgis.Warning,
            )

    def unload(self) -> None:
        """Remove everything ``initGui`` added."""
        restore_journal()
        if self._waiting_for_qgis:
            self._waiting_for_qgis = False
            with contextlib.suppress(TypeError):
                self.iface.initializationCompleted.disconnect(self._qgis_ready)
        if self.sync is not None:
            self.sync.unload()
            self.sync.deleteLater()
            self.sync = None
        if self.map is not None:
            for signal in (QgsProject.instance().layersAdded, QgsProject.instance().layersRemoved):
                with contextlib.suppress(TypeError):
                    signal.disconnect(self.map.layers_changed)
            self.map.deleteLater()
            self.map = None
        if self.dialogs is not None:
            self.dialogs.close_all()
            self.dialogs.deleteLater()
            self.dialogs = None
        if self.dock is not None:
            self.dock.detach()
        self.session.close()
        if self.map_tool is not None:
            canvas = self.iface.mapCanvas()
            if canvas is not None and canvas.mapTool() is self.map_tool:
                canvas.unsetMapTool(self.map_tool)
            self.map_tool.deleteLater()
            self.map_tool = None
        if self.dock is not None:
            self.iface.removeDockWidget(self.dock)
            self.dock.setParent(None)
            self.dock.deleteLater()
            self.dock = None
        if self.toolbar is not None:
            main_window = self.iface.mainWindow()
            if main_window is not None:
                main_window.removeToolBar(self.toolbar)
            self.toolbar.setParent(None)
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.menu is not None:
            main_window = self.iface.mainWindow()
            if main_window is not None:
                main_window.menuBar().removeAction(self.menu.menuAction())
            self.menu.setParent(None)
            self.menu.deleteLater()
            self.menu = None
        for action in self.actions.values():
            action.setParent(None)
            action.deleteLater()
        self.actions = {}
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None
        if self.hub is not None:
            self.hub.deleteLater()
            self.hub = None
        teardown_logging()

    # --- building blocks ------------------------------------------------------------------------

    def _action(self, name: str, text: str, slot: Any, tip: str = "", checkable: bool = False) -> QAction:
        action_icon = icon(name)
        if action_icon.isNull() and name in THEME_ICONS:  # no icon of our own: QGIS's (the toolbar stays narrow)
            action_icon = QgsApplication.getThemeIcon(THEME_ICONS[name])
        action = QAction(action_icon, text, self.iface.mainWindow())
        action.setObjectName(f"OpenMisto_{name}")
        action.setCheckable(checkable)
        if tip:
            action.setToolTip(f"{text}: {tip}" if tip else text)
            action.setStatusTip(tip)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _checked=False: slot())
        return action

    def _insert_menu(self, menu: QMenu) -> None:
        """Our own menu in the menu bar, before "Help" when QGIS tells us where that is."""
        menu_bar = self.iface.mainWindow().menuBar()
        before = None
        try:
            help_menu = self.iface.helpMenu()
            before = help_menu.menuAction() if help_menu is not None else None
        except AttributeError:  # test doubles of the interface
            before = None
        if before is not None and before in menu_bar.actions():
            menu_bar.insertMenu(before, menu)
        else:
            menu_bar.addMenu(menu)

    def _install_translator(self) -> None:
        path = translation_file(qgis_locale())
        if path is None:
            return
        translator = QTranslator()
        if translator.load(str(path)):
            QCoreApplication.installTranslator(translator)
            self.translator = translator
            log.debug("Translation loaded from %s", path)
        else:
            log.warning("Cannot load translation %s", path)

    def _message(self, text: str, level: Any = Qgis.Info, duration: int = MESSAGE_SECONDS) -> Any:
        bar = self.iface.messageBar()
        if bar is not None:
            return push_plain_message(bar, tr("Open City"), text, level, duration)
        return None

    # --- settings -------------------------------------------------------------------------------------

    def apply_settings(self, settings: PluginSettings) -> None:
        """Show the settings in the dock, set up the pages of the role, (re)start the timer."""
        self.session.actor = wf.Actor.from_settings(settings)
        for key, role in (("respond", wf.OFFICER), ("assign", wf.MODERATOR)):
            if key in self.actions:
                self.actions[key].setVisible(settings.role == role)
        if self.hub is not None:
            self.hub.settingsChanged.emit(settings)

    @logged_slot(_not_done)
    def show_monthly_report(self) -> int | None:
        """The "Monthly report" dialog for the configured workspace (a GeoPackage or a PostGIS schema)."""
        from .gui.monthly_report_dialog import open_monthly_report_dialog

        settings = PluginSettings.load()
        if not settings.workspace_exists:
            self._message(tr("There is no workspace yet: synchronise first."), Qgis.Warning)
            return None
        return open_monthly_report_dialog(settings.workspace, self.iface, self.iface.mainWindow())

    @logged_slot(_not_done)
    def show_settings(self) -> None:
        """The settings dialog; applies and re-points the layers when accepted."""
        from .gui.settings_dialog import SettingsDialog

        before = PluginSettings.load()
        dialog = SettingsDialog(before, self.iface.mainWindow(), store=self.session.open_store())
        if not dialog.exec():
            return
        self.settings_changed(before, PluginSettings.load())

    @logged_slot(_not_done)
    def settings_changed(self, before: PluginSettings, after: PluginSettings) -> None:
        """Apply new settings; another profile's workspace replaces the layers and the pages' store."""
        from .core.profiles import switch_note

        if after.workspace != before.workspace and self.hub is not None:
            self.hub.workspaceChanged.emit()  # the session lets the old store go: the pages get the new one
        self.apply_settings(after)
        if after.workspace != before.workspace and project_layers.find_layer(project_layers.REPORTS):
            if after.workspace_exists:
                project_layers.add_layers(after.workspace)
            else:
                project_layers.remove_layers()
        note = switch_note(before, after)
        if note:
            self._message(note, Qgis.Info)

    # --- the map tool -----------------------------------------------------------------------------------

    def _follow_reports_layer(self, layer: Any) -> None:
        """The map tool identifies reports on the project's reports layer (None: none)."""
        if self.map_tool is not None and not sip.isdeleted(self.map_tool):
            self.map_tool.set_reports_layer(layer)

    def toggle_dock(self, visible: bool) -> None:
        if self.dock is not None:
            self.dock.setVisible(visible)
            if visible:
                self.dock.raise_()

    @logged_slot(_not_done)
    def activate_identify(self, checked: bool = True) -> None:
        """Switch the map tool that opens a clicked report's details."""
        canvas = self.iface.mapCanvas()
        if self.map_tool is None or canvas is None:
            return
        if not checked:
            if canvas.mapTool() is self.map_tool:
                canvas.unsetMapTool(self.map_tool)
            return
        if canvas.mapTool() is self.map_tool:
            return
        layer = project_layers.find_layer(project_layers.REPORTS)
        if layer is None:
            self._message(tr("The reports layer is not in the project: add the layers first."), Qgis.Warning)
            self.actions["identify"].setChecked(False)
            return
        self.map_tool.set_reports_layer(layer)
        canvas.setMapTool(self.map_tool)  # the tool checks its action
