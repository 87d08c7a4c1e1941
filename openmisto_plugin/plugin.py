"""The QGIS plugin object: glue between QGIS's interface and the plugin's pieces.

``initGui`` adds the menu "Відкрите Місто", a toolbar, the dock, the map tool,
the Processing provider, the translator, logging and the sync timer;
``unload`` removes every one of them again.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProject,
    QgsSettings,
)
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, Qt, QTimer, QTranslator
from qgis.PyQt.QtWidgets import QAction, QMenu, QToolBar

from .core import project_layers
from .core.i18n import tr
from .core.log import setup_logging, teardown_logging
from .core.paths import i18n_dir
from .core.settings import PluginSettings, save_last_sync
from .core.tasks import SyncParams, SyncSummary, SyncTask, TaskOutcome
from .gui.common import icon

log = logging.getLogger(__name__)

MENU_OBJECT_NAME = "OpenMistoMenu"
TOOLBAR_OBJECT_NAME = "OpenMistoToolbar"
FALLBACK_LOCALE = "uk"
#: CRS of a new project the plugin fills: web mercator, like the basemaps users add.
NEW_PROJECT_CRS = "EPSG:3857"
MESSAGE_SECONDS = 8


def qgis_locale() -> str:
    """QGIS's user interface locale (``locale/userLocale`` when set, else QGIS's own)."""
    settings = QgsSettings()
    user_locale = str(settings.value("locale/userLocale", "") or "")
    if user_locale:
        return user_locale
    try:
        return QgsApplication.locale() or ""
    except Exception:  # noqa: BLE001 - old or headless QGIS
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
        self.timer: QTimer | None = None
        self.sync_task: SyncTask | None = None
        self.detail_dialogs: list[Any] = []
        self._waiting_for_qgis = False
        self._last_error = ""

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
        self._install_translator()
        self.initProcessing()

        main_window = self.iface.mainWindow()
        self.actions = {
            "sync": self._action("sync", tr("Sync now"), self.sync_now, tr("Fetch new and changed reports")),
            "dock": self._action("dock", tr("Show panel"), self.toggle_dock, checkable=True),
            "identify": self._action(
                "identify", tr("Report details"), self.activate_identify, tr("Click a report on the map"), True
            ),
            "layers": self._action("layers", tr("Add layers to the map"), self.add_layers),
            "settings": self._action("settings", tr("Settings…"), self.show_settings),
        }
        self.menu = QMenu(tr("Open City"), main_window)
        self.menu.setObjectName(MENU_OBJECT_NAME)
        for key in ("sync", "dock", "identify", "layers"):
            self.menu.addAction(self.actions[key])
        self.menu.addSeparator()
        self.menu.addAction(self.actions["settings"])
        self._insert_menu(self.menu)

        self.toolbar = QToolBar(tr("Open City"), main_window)
        self.toolbar.setObjectName(TOOLBAR_OBJECT_NAME)
        for key in ("sync", "dock", "identify", "settings"):
            self.toolbar.addAction(self.actions[key])
        self.iface.addToolBar(self.toolbar)

        from .gui.dock import OpenMistoDock

        self.dock = OpenMistoDock(main_window)
        self.dock.syncRequested.connect(self.sync_now)
        self.dock.fullSyncRequested.connect(self.full_sync)
        self.dock.cancelRequested.connect(self.cancel_sync)
        self.dock.settingsRequested.connect(self.show_settings)
        self.dock.addLayersRequested.connect(self.add_layers)
        self.dock.zoomRequested.connect(self.zoom_to_reports)
        self.dock.identifyRequested.connect(lambda: self.actions["identify"].setChecked(True))
        self.dock.visibilityChanged.connect(self.actions["dock"].setChecked)
        self.iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)

        from .gui.map_tools import ReportIdentifyTool

        self.map_tool = ReportIdentifyTool(self.iface.mapCanvas())
        self.map_tool.setAction(self.actions["identify"])
        self.map_tool.reportIdentified.connect(self.show_report)

        QgsProject.instance().layersAdded.connect(self._layers_changed)
        QgsProject.instance().layersRemoved.connect(self._layers_changed)

        self.timer = QTimer()
        self.timer.timeout.connect(self._timer_tick)
        self.apply_settings(PluginSettings.load())

        # At QGIS start-up plugins load before QGIS opens its first (empty or given) project:
        # add the layers only when QGIS is ready, else they would be dropped with that project.
        ready_signal = getattr(self.iface, "initializationCompleted", None)
        if ready_signal is not None and not main_window.isVisible():
            ready_signal.connect(self._qgis_ready)
            self._waiting_for_qgis = True
        else:
            self._qgis_ready()

    def _qgis_ready(self) -> None:
        """Show the workspace's layers in a new, empty project."""
        if self._waiting_for_qgis:
            self._waiting_for_qgis = False
            with contextlib.suppress(TypeError):
                self.iface.initializationCompleted.disconnect(self._qgis_ready)
        project = QgsProject.instance()
        if PluginSettings.load().workspace_exists and not project.mapLayers() and not project.fileName():
            self.add_layers(quiet=True)
            project.setDirty(False)

    def unload(self) -> None:
        """Remove everything ``initGui`` added."""
        if self._waiting_for_qgis:
            self._waiting_for_qgis = False
            with contextlib.suppress(TypeError):
                self.iface.initializationCompleted.disconnect(self._qgis_ready)
        if self.timer is not None:
            self.timer.stop()
            self.timer.timeout.disconnect(self._timer_tick)
            self.timer.deleteLater()
            self.timer = None
        if self.sync_task is not None:
            task = self.sync_task
            self.sync_task = None
            with contextlib.suppress(TypeError):
                task.done.disconnect(self._sync_done)
            if not sip.isdeleted(task):
                task.cancel()
        for signal in (QgsProject.instance().layersAdded, QgsProject.instance().layersRemoved):
            with contextlib.suppress(TypeError):
                signal.disconnect(self._layers_changed)
        for dialog in self.detail_dialogs:
            if not sip.isdeleted(dialog):
                dialog.close()
                dialog.deleteLater()
        self.detail_dialogs = []
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
        teardown_logging()

    # --- building blocks ------------------------------------------------------------------------

    def _action(self, name: str, text: str, slot: Any, tip: str = "", checkable: bool = False) -> QAction:
        action = QAction(icon(name), text, self.iface.mainWindow())
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

    def _message(self, text: str, level: Any = Qgis.Info, duration: int = MESSAGE_SECONDS) -> None:
        bar = self.iface.messageBar()
        if bar is not None:
            bar.pushMessage(tr("Open City"), text, level, duration)

    # --- settings and timer ------------------------------------------------------------------------

    def apply_settings(self, settings: PluginSettings) -> None:
        """Show the settings in the dock and (re)start the timer."""
        if self.dock is not None:
            self.dock.show_settings(settings)
            self._refresh_counts(settings)
        if self.timer is not None:
            self.timer.stop()
            if settings.sync_interval_min > 0 and settings.is_configured:
                self.timer.start(settings.sync_interval_min * 60 * 1000)

    def show_settings(self) -> None:
        """The settings dialog; applies and re-points the layers when accepted."""
        from .gui.settings_dialog import SettingsDialog

        before = PluginSettings.load()
        dialog = SettingsDialog(before, self.iface.mainWindow())
        if not dialog.exec_():
            return
        after = dialog.settings
        self.apply_settings(after)
        if after.workspace_path != before.workspace_path and project_layers.find_layer(project_layers.REPORTS):
            if after.workspace_exists:
                project_layers.add_layers(after.workspace_path)
            else:
                project_layers.remove_layers()

    def _timer_tick(self) -> None:
        if self.sync_task is None:
            self.start_sync(automatic=True)

    # --- sync -------------------------------------------------------------------------------------------

    def sync_now(self) -> None:
        """Incremental sync, started by the user."""
        self.start_sync(full=False)

    def full_sync(self) -> None:
        """Full sync, started by the user."""
        self.start_sync(full=True)

    def start_sync(self, full: bool = False, automatic: bool = False) -> SyncTask | None:
        """Start a SyncTask in QGIS's task manager unless one runs already."""
        if self.sync_task is not None:
            if not automatic:
                self._message(tr("A synchronisation is already running."))
            return None
        settings = PluginSettings.load()
        if not settings.is_configured:
            if not automatic:
                self._message(tr("Enter the platform address in the settings first."), Qgis.Warning)
                self.show_settings()
            return None
        try:
            from .core.open311.auth import load_api_key

            api_key = load_api_key(settings.authcfg, prompt=not automatic) if settings.authcfg else None
        except Exception as exc:  # noqa: BLE001 - AuthError explains itself
            message = TaskOutcome(False, error=exc).error_message()
            self._message(message, Qgis.Warning if automatic else Qgis.Critical)
            if self.dock is not None:
                self.dock.show_message(message, error=True)
            return None
        params = SyncParams(
            base_url=settings.base_url,
            workspace_path=settings.workspace_path,
            api_key=api_key,
            page_size=settings.page_size,
            full=full,
        )
        task = SyncTask(params, automatic=automatic)
        task.done.connect(self._sync_done)
        if self.dock is not None:
            task.progressChanged.connect(self.dock.set_progress)
            self.dock.set_busy(True)
            self.dock.show_message(tr("Synchronising…"))
        self.actions["sync"].setEnabled(False)
        self.sync_task = task
        QgsApplication.taskManager().addTask(task)
        return task

    def cancel_sync(self) -> None:
        """Ask the running sync to stop (the store stays consistent; the next sync completes it)."""
        if self.sync_task is not None:
            self.sync_task.cancel()

    def _sync_done(self, outcome: TaskOutcome) -> None:
        """Main thread: reload the layers and tell the user what changed."""
        task = self.sync_task
        self.sync_task = None
        automatic = bool(task and task.automatic)
        if "sync" in self.actions:
            self.actions["sync"].setEnabled(True)
        if self.dock is not None and not sip.isdeleted(self.dock):
            self.dock.set_busy(False)
        settings = PluginSettings.load()
        if settings.workspace_exists:
            # A manual sync brings the layers back; the timer only fills an empty project
            # (it must not re-add layers the user removed on purpose).
            project = QgsProject.instance()
            if project_layers.find_layer(project_layers.REPORTS) is None and (not automatic or not project.mapLayers()):
                self.add_layers(quiet=True)
            project_layers.reload_layers()
        if outcome.ok and isinstance(outcome.result, SyncSummary):
            summary = outcome.result
            text = summary.message()
            level = Qgis.Warning if (summary.skipped or summary.refused or summary.push_error) else Qgis.Success
            if not automatic or summary.changed:
                self._message(text, level)
            self._last_error = ""
            settings.last_sync = tr("{0} — {1}").format(_now_text(), text)
            save_last_sync(settings.last_sync)
            # The summary is in "Last sync"; the dock repeats it only when something needs attention.
            message, error = (text if level == Qgis.Warning else ""), False
        elif outcome.canceled:
            message, error = tr("Synchronisation canceled; the next sync completes it."), False
            self._message(message, Qgis.Info)
        else:
            message, error = tr("Synchronisation failed: {0}").format(outcome.error_message()), True
            # The timer repeats a failure every few minutes: say it once, until a sync succeeds again.
            if not automatic or message != self._last_error:
                self._message(message, Qgis.Critical, 0 if not automatic else MESSAGE_SECONDS)
            self._last_error = message
        if self.dock is not None and not sip.isdeleted(self.dock):
            self.dock.show_settings(settings)
            self.dock.show_message(message, error=error)
            self._refresh_counts(settings)

    def _refresh_counts(self, settings: PluginSettings) -> None:
        if self.dock is None:
            return
        try:
            counts, overdue = project_layers.status_counts(settings.workspace_path)
        except Exception:
            log.debug("Cannot count reports", exc_info=True)
            counts, overdue = {}, 0
        self.dock.show_counts(counts, overdue)

    # --- layers, map and details --------------------------------------------------------------------

    def add_layers(self, quiet: bool = False) -> dict[str, Any]:
        """Add the workspace's layers to the project (zooming when the project was empty)."""
        settings = PluginSettings.load()
        if not settings.workspace_exists:
            if not quiet:
                self._message(tr("There is no workspace yet: synchronise first."), Qgis.Warning)
            return {}
        project = QgsProject.instance()
        was_empty = not project.mapLayers()
        layers = project_layers.add_layers(settings.workspace_path, project)
        if not layers and not quiet:
            self._message(tr("The workspace has no layers to add."), Qgis.Warning)
        if was_empty and layers:
            self.zoom_to_reports()
            if not project.fileName():
                # QGIS gives a new project the CRS of its first layer (EPSG:4326) once control returns
                # to the event loop; set the map CRS after that.
                QTimer.singleShot(0, self._new_project_view)
        self._layers_changed()
        return layers

    def _new_project_view(self) -> None:
        project = QgsProject.instance()
        if project_layers.find_layer(project_layers.REPORTS, project) is None:
            return
        project.setCrs(QgsCoordinateReferenceSystem(NEW_PROJECT_CRS))
        self.zoom_to_reports()
        project.setDirty(False)

    def zoom_to_reports(self) -> None:
        """Zoom the map to the reports (or the districts)."""
        layer = project_layers.find_layer(project_layers.REPORTS) or project_layers.find_layer(project_layers.DISTRICTS)
        canvas = self.iface.mapCanvas()
        if layer is None or canvas is None:
            self._message(tr("The reports layer is not in the project."), Qgis.Warning)
            return
        layer.updateExtents()
        extent = layer.extent()
        if extent.isEmpty() and (districts := project_layers.find_layer(project_layers.DISTRICTS)) is not None:
            extent = districts.extent()
        if extent.isNull():
            return
        transform = QgsCoordinateTransform(layer.crs(), canvas.mapSettings().destinationCrs(), QgsProject.instance())
        try:
            extent = transform.transformBoundingBox(extent)
        except Exception:  # noqa: BLE001 - a broken extent is not worth an error
            return
        extent.scale(1.1)
        canvas.setExtent(extent)
        canvas.refresh()

    def _layers_changed(self, *_args: Any) -> None:
        if self.map_tool is not None and not sip.isdeleted(self.map_tool):
            self.map_tool.set_reports_layer(project_layers.find_layer(project_layers.REPORTS))

    def toggle_dock(self, visible: bool) -> None:
        if self.dock is not None:
            self.dock.setVisible(visible)
            if visible:
                self.dock.raise_()

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

    def show_report(self, feature: Any) -> Any:
        """Open the detail view of a report feature."""
        from .gui.report_detail import (
            ReportDetailDialog,
            feature_to_dict,
            load_departments,
            load_districts,
            load_history,
        )

        settings = PluginSettings.load()
        report = feature_to_dict(feature)
        request_id = str(report.get("service_request_id") or "")
        dialog = ReportDetailDialog(
            report,
            load_history(settings.workspace_path, request_id),
            load_departments(settings.workspace_path),
            self.iface.mainWindow(),
            load_districts(settings.workspace_path),
        )
        dialog.setAttribute(Qt.WA_DeleteOnClose, True)
        dialog.panRequested.connect(self.pan_to_report)
        dialog.destroyed.connect(lambda _obj=None, d=dialog: self._forget_dialog(d))
        self.detail_dialogs.append(dialog)
        dialog.show()
        return dialog

    def _forget_dialog(self, dialog: Any) -> None:
        self.detail_dialogs = [d for d in self.detail_dialogs if d is not dialog]

    def pan_to_report(self, service_request_id: str) -> None:
        """Select the report and pan the map to it."""
        layer = project_layers.find_layer(project_layers.REPORTS)
        canvas = self.iface.mapCanvas()
        if layer is None or canvas is None:
            return
        escaped = service_request_id.replace("'", "''")
        layer.selectByExpression(f"\"service_request_id\" = '{escaped}'")
        canvas.panToSelected(layer)
        canvas.flashFeatureIds(layer, layer.selectedFeatureIds())


def _now_text() -> str:
    from .core.timeutil import local, now_utc

    return local(now_utc()).strftime("%d.%m.%Y %H:%M")
