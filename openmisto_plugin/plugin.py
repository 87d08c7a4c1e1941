"""The QGIS plugin object: glue between QGIS's interface and the plugin's pieces.

``initGui`` adds the menu "Відкрите Місто", a toolbar, the dock, the map tool,
the Processing provider, the translator, logging and the sync timer;
``unload`` removes every one of them again.

The workflow pages of the dock follow the role in the settings: the moderator gets
the moderation queue, every writer the outbox, everyone the filter with its list.
They share one store of the workspace (the "GUI store"), opened on the main thread
when first needed, re-opened when the workspace changes and closed on unload; the
sync task opens its own connection in its worker thread. A change made in a page
or a dialog reloads the layer and starts a sync that sends it.

The workspace is a GeoPackage file or a shared PostGIS schema (``factory.open_store``). On a
shared one the timer also refreshes: the layers are reloaded and the pages read again, so
every user sees the others' changes (and those of the server's scheduled sync) without a
restart; a sync that finds another one running on the workspace is skipped with a message.
"""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProject,
    QgsRectangle,
    QgsSettings,
)
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, Qt, QTimer, QTranslator, pyqtBoundSignal
from qgis.PyQt.QtWidgets import QAction, QMenu, QToolBar

from .core import project_layers
from .core import workflow as wf
from .core.i18n import tr
from .core.log import setup_logging, teardown_logging
from .core.paths import i18n_dir
from .core.settings import PluginSettings, save_last_sync
from .core.store.journal import restore_journal, use_rollback_journal
from .core.tasks import SyncParams, SyncSummary, SyncTask, TaskOutcome, is_workspace_failure
from .gui.common import icon, pop_message, push_plain_message

log = logging.getLogger(__name__)

MENU_OBJECT_NAME = "OpenMistoMenu"
TOOLBAR_OBJECT_NAME = "OpenMistoToolbar"
FALLBACK_LOCALE = "uk"
#: CRS of a new project the plugin fills: web mercator, like the basemaps users add.
NEW_PROJECT_CRS = "EPSG:3857"
MESSAGE_SECONDS = 8
#: A shared workspace that could not be opened is tried again after this many seconds (or after a sync).
STORE_RETRY_S = 30
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
        self.workflow_dialogs: list[Any] = []
        self._waiting_for_qgis = False
        self._last_error = ""
        self._sync_error_item: Any = None  # the message bar item of the last sync failure (cleared on success)
        # The workflow pages and the one store they share (see the module docstring).
        self.store: Any = None
        self._store_path = ""
        self.actor = wf.Actor(wf.VIEWER)
        self._pages_role: str | None = None
        self._pages_department: str | None = None
        self.moderation_panel: Any = None
        self.no_position_panel: Any = None  # «Без координат»: reports to place by hand (issue 9)
        self.filter_panel: Any = None
        self.report_list: Any = None
        self.outbox_panel: Any = None
        self.pages: list[Any] = []
        self._sync_again = False
        self._last_overdue: int | None = None
        self._store_failed: tuple[str, float] | None = None  # (address, when) of the last failed open

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

        main_window = self.iface.mainWindow()
        self.actions = {
            "sync": self._action("sync", tr("Sync now"), self.sync_now, tr("Fetch new and changed reports")),
            "dock": self._action("dock", tr("Show panel"), self.toggle_dock, checkable=True),
            "identify": self._action(
                "identify", tr("Report details"), self.activate_identify, tr("Click a report on the map"), True
            ),
            "layers": self._action("layers", tr("Add layers to the map"), self.add_layers),
            "basemap": self._action(
                "layers",
                tr("Add the OpenStreetMap basemap"),
                self.add_basemap,
                tr("Streets and house numbers under the reports (needs the internet)"),
            ),
            "respond": self._action(
                "respond", tr("Respond to selected…"), self.respond_to_selected, tr("One report selected on the map")
            ),
            "assign": self._action(
                "assign", tr("Assign selected…"), self.assign_selected, tr("The reports selected on the map")
            ),
            "monthly_report": self._action(
                "monthly_report",
                tr("Monthly report…"),
                self.show_monthly_report,
                tr("The working group's PDF atlas for a month or any dates"),
            ),
            "settings": self._action("settings", tr("Settings…"), self.show_settings),
        }
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
        self.dock.syncRequested.connect(self.sync_now)
        self.dock.fullSyncRequested.connect(self.full_sync)
        self.dock.cancelRequested.connect(self.cancel_sync)
        self.dock.settingsRequested.connect(self.show_settings)
        self.dock.addLayersRequested.connect(self.add_layers)
        self.dock.zoomRequested.connect(self.zoom_to_reports)
        self.dock.identifyRequested.connect(lambda: self.actions["identify"].setChecked(True))
        self.dock.visibilityChanged.connect(self.actions["dock"].setChecked)
        self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)

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
        # Only a real Qt signal will ever fire: a stand-in interface (pytest-qgis 4+) answers any
        # attribute with a mock, and waiting on that would never add the layers.
        ready_signal = getattr(self.iface, "initializationCompleted", None)
        if isinstance(ready_signal, pyqtBoundSignal) and not main_window.isVisible():
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
        self._layers_changed()
        self.announce_overdue(force=True)
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
        for dialog in self.detail_dialogs + self.workflow_dialogs:
            if not sip.isdeleted(dialog):
                dialog.close()
                dialog.deleteLater()
        self.detail_dialogs = []
        self.workflow_dialogs = []
        self._remove_pages(clear_filter=True)
        self.close_store()
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

    def _clear_sync_error(self) -> None:
        """A sync succeeded: the red bar of an earlier failure no longer tells the truth."""
        item, self._sync_error_item = self._sync_error_item, None
        pop_message(self.iface.messageBar(), item)

    # --- settings and timer ------------------------------------------------------------------------

    def apply_settings(self, settings: PluginSettings) -> None:
        """Show the settings in the dock, set up the pages of the role, (re)start the timer."""
        self.actor = wf.Actor.from_settings(settings)
        for key, role in (("respond", wf.OFFICER), ("assign", wf.MODERATOR)):
            if key in self.actions:
                self.actions[key].setVisible(settings.role == role)
        if self.dock is not None:
            self.dock.show_settings(
                settings, self._workspace_last_pull(), self._workspace_profile(), self._department_name(settings)
            )
            self._refresh_counts(settings)
            self.update_pages(settings)
        if self.timer is not None:
            self.timer.stop()
            # A shared workspace is refreshed by the timer even without a platform here (a server syncs it).
            if settings.sync_interval_min > 0 and (settings.is_configured or settings.is_postgres):
                self.timer.start(settings.sync_interval_min * 60 * 1000)

    def show_monthly_report(self) -> int | None:
        """The "Monthly report" dialog for the configured workspace (a GeoPackage or a PostGIS schema)."""
        from .gui.monthly_report_dialog import open_monthly_report_dialog

        settings = PluginSettings.load()
        if not settings.workspace_exists:
            self._message(tr("There is no workspace yet: synchronise first."), Qgis.Warning)
            return None
        return open_monthly_report_dialog(settings.workspace, self.iface, self.iface.mainWindow())

    def show_settings(self) -> None:
        """The settings dialog; applies and re-points the layers when accepted."""
        from .gui.settings_dialog import SettingsDialog

        before = PluginSettings.load()
        dialog = SettingsDialog(before, self.iface.mainWindow(), store=self.gui_store())
        if not dialog.exec():
            return
        self.settings_changed(before, PluginSettings.load())

    def settings_changed(self, before: PluginSettings, after: PluginSettings) -> None:
        """Apply new settings; another profile's workspace replaces the layers and the pages' store."""
        from .core.profiles import switch_note

        if after.workspace != before.workspace:
            self.close_store()  # the pages get the new workspace's store
            self._store_failed = None
        self.apply_settings(after)
        if after.workspace != before.workspace and project_layers.find_layer(project_layers.REPORTS):
            if after.workspace_exists:
                project_layers.add_layers(after.workspace)
            else:
                project_layers.remove_layers()
        note = switch_note(before, after)
        if note:
            self._message(note, Qgis.Info)

    def _timer_tick(self) -> None:
        settings = PluginSettings.load()
        if self.sync_task is None and settings.is_configured and self.start_sync(automatic=True) is not None:
            return  # its end reloads the layers and the pages
        if settings.is_postgres and self.sync_task is None:
            self.refresh_shared()

    def refresh_shared(self) -> None:
        """Show what others changed in the shared workspace: reload the layers, read the pages again."""
        self._store_failed = None
        project_layers.reload_layers()
        self.refresh_pages()
        settings = PluginSettings.load()
        if self.dock is not None and not sip.isdeleted(self.dock):
            self.dock.show_settings(
                settings, self._workspace_last_pull(), self._workspace_profile(), self._department_name(settings)
            )
            self._refresh_counts(settings)
        self.announce_overdue()

    # --- sync -------------------------------------------------------------------------------------------

    def sync_now(self) -> None:
        """Incremental sync, started by the user."""
        self.start_sync(full=False)

    def full_sync(self) -> None:
        """Full sync, started by the user."""
        self.start_sync(full=True)

    def request_push(self) -> SyncTask | None:
        """Send local changes now: a sync, or one more right after the running one."""
        if not PluginSettings.load().is_configured:
            return None  # the changes wait in the outbox until there is a platform
        if self.sync_task is not None:
            self._sync_again = True
            return None
        return self.start_sync(automatic=True, prompt=True)

    def start_sync(self, full: bool = False, automatic: bool = False, prompt: bool | None = None) -> SyncTask | None:
        """Start a SyncTask in QGIS's task manager unless one runs already.

        ``automatic``: started by the timer or by a change, not by the user (fewer messages);
        ``prompt``: may ask for the master password (default: when not automatic).
        """
        if self.sync_task is not None:
            if not automatic:
                self._message(tr("A synchronisation is already running."))
            return None
        self._sync_again = False
        settings = PluginSettings.load()
        if not settings.is_configured:
            if not automatic:
                self._message(tr("Enter the platform address in the settings first."), Qgis.Warning)
                self.show_settings()
            return None
        try:
            from .core.open311.auth import load_api_key

            ask = (not automatic) if prompt is None else prompt
            api_key = load_api_key(settings.authcfg, prompt=ask) if settings.authcfg else None
        except Exception as exc:  # noqa: BLE001 - AuthError explains itself
            message = TaskOutcome(False, error=exc).error_message()
            self._message(message, Qgis.Warning if automatic else Qgis.Critical)
            if self.dock is not None:
                self.dock.show_message(message, error=True)
            return None
        params = SyncParams(
            base_url=settings.base_url,
            workspace_path=settings.workspace,
            api_key=api_key,
            page_size=settings.page_size,
            full=full,
            lock_wait_s=0.0,  # another sync on the workspace: skip at once (it brings the same data)
            city_area=settings.city_area,  # swapped positions are repaired against it (issue 9)
            answer_format=settings.answer_format,
            jurisdiction_id=settings.jurisdiction_id,
            allow_plain_http=settings.allow_plain_http,
        )
        task = SyncTask(params, automatic=automatic)
        task.done.connect(self._sync_done)
        # emitted in the worker thread: queued, so the layers reload in the main thread
        task.reportsStored.connect(self._reports_stored, Qt.ConnectionType.QueuedConnection)
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

    def _reports_stored(self) -> None:
        """The sync's reports phase is committed (history still coming): the map shows the reports now."""
        if self.sync_task is None:
            return
        settings = PluginSettings.load()
        if not settings.workspace_exists:
            return
        self.gui_store()
        if project_layers.find_layer(project_layers.REPORTS) is None and not QgsProject.instance().mapLayers():
            self.add_layers(quiet=True)
        project_layers.reload_layers()

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
        self._store_failed = None  # the sync may have created the workspace
        self.gui_store()  # before the layers: they then open the workspace next to a live connection
        if settings.workspace_exists:
            # A manual sync brings the layers back; the timer only fills an empty project
            # (it must not re-add layers the user removed on purpose).
            project = QgsProject.instance()
            if project_layers.find_layer(project_layers.REPORTS) is None and (not automatic or not project.mapLayers()):
                self.add_layers(quiet=True)
            project_layers.reload_layers()
        self.refresh_pages()
        attention = False
        if outcome.ok and isinstance(outcome.result, SyncSummary) and outcome.result.busy:
            # Another sync (another user, the server's schedule) holds the workspace: its data shows anyway.
            message, error = outcome.result.busy, False
            if not automatic:
                self._message(message, Qgis.Info)
        elif outcome.ok and isinstance(outcome.result, SyncSummary):
            summary = outcome.result
            text = summary.message()
            level = (
                Qgis.Warning
                if (summary.skipped or summary.refused or summary.push_error or summary.notice)
                else Qgis.Success
            )
            overdue = self.overdue_count()
            overdue_changed = overdue is not None and overdue != self._last_overdue
            if not automatic or summary.changed or overdue_changed:
                shown = text
                if overdue is not None:
                    shown += " " + self.overdue_text(overdue)
                    self._last_overdue = overdue
                self._message(shown, level)
            self._last_error = ""
            self._clear_sync_error()
            settings.last_sync = tr("{0} — {1}").format(_now_text(), text)
            save_last_sync(settings.last_sync)
            # The summary is shown once, in "Last sync" (coloured when it needs attention), not repeated below it.
            message, error, attention = "", False, level == Qgis.Warning
        elif outcome.canceled:
            message, error = tr("Synchronisation canceled; the next sync completes it."), False
            self._message(message, Qgis.Info)
        else:
            if is_workspace_failure(outcome.error):
                self.reopen_workspace()  # no restart needed: the store and the layers open the file again
            message, error = tr("Synchronisation failed: {0}").format(outcome.error_message()), True
            # The timer repeats a failure every few minutes: say it once, until a sync succeeds again.
            if not automatic or message != self._last_error:
                self._clear_sync_error()  # one red bar at a time
                self._sync_error_item = self._message(message, Qgis.Critical, 0 if not automatic else MESSAGE_SECONDS)
            self._last_error = message
        if self.dock is not None and not sip.isdeleted(self.dock):
            self.dock.show_settings(
                settings, self._workspace_last_pull(), self._workspace_profile(), self._department_name(settings)
            )
            self.dock.set_last_sync_attention(attention)
            self.dock.show_message(message, error=error)
            self._refresh_counts(settings)
        if self._sync_again:  # changes made while this sync ran
            self._sync_again = False
            self.start_sync(automatic=True, prompt=True)

    def _refresh_counts(self, settings: PluginSettings) -> None:
        if self.dock is None:
            return
        try:
            store = self.gui_store() if settings.is_postgres else None
            counts, overdue = project_layers.status_counts(settings.workspace, store)
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
        layers = project_layers.add_layers(settings.workspace, project)
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

    def add_basemap(self) -> Any:
        """The OpenStreetMap basemap at the bottom of the project (once); offline its tiles simply do not load."""
        from .core.basemap import add_basemap

        layer = add_basemap(QgsProject.instance())
        self._message(
            tr("Basemap: {0}. Without the internet it stays empty; the reports are drawn anyway.").format(layer.name())
        )
        return layer

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
        extent, crs = self._placed_reports_extent(), QgsCoordinateReferenceSystem("EPSG:4326")
        if extent is None:
            extent, crs = layer.extent(), layer.crs()
        if extent.isEmpty() and (districts := project_layers.find_layer(project_layers.DISTRICTS)) is not None:
            extent, crs = districts.extent(), districts.crs()
        if extent.isNull():
            return
        transform = QgsCoordinateTransform(crs, canvas.mapSettings().destinationCrs(), QgsProject.instance())
        try:
            extent = transform.transformBoundingBox(extent)
        except Exception:  # noqa: BLE001 - a broken extent is not worth an error
            return
        extent.scale(1.1)
        canvas.setExtent(extent)
        canvas.refresh()

    def _placed_reports_extent(self) -> QgsRectangle | None:
        """The reports' box without those flagged far outside the city (a PostGIS layer's own extent has them)."""
        from .core.city_area import reports_extent

        store = self.store  # only the open one: a zoom queued before unload must not open the workspace again
        if store is None or getattr(store, "closed", False):
            return None
        try:
            box = reports_extent(store)
        except Exception:  # the layer's own extent will do
            log.debug("Cannot read the reports' extent from the store", exc_info=True)
            return None
        return None if box is None else QgsRectangle(*box)

    def _layers_changed(self, *_args: Any) -> None:
        layer = project_layers.find_layer(project_layers.REPORTS)
        if self.map_tool is not None and not sip.isdeleted(self.map_tool):
            self.map_tool.set_reports_layer(layer)
        panel = self.filter_panel
        if panel is not None and not sip.isdeleted(panel) and layer is not panel.layer:
            panel.set_layer(layer)
            if self.report_list is not None:
                self.report_list.clear()
        if self.moderation_panel is not None and not sip.isdeleted(self.moderation_panel):
            self.moderation_panel.layer()  # follows the layer's selection again

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
        from .gui.report_detail import feature_to_dict

        return self._open_detail(feature_to_dict(feature))

    def show_report_id(self, service_request_id: str) -> Any:
        """Open the detail view of a report by its number (from a list or the queue)."""
        store = self.gui_store()
        report = store.report(str(service_request_id)) if store is not None else None
        if report is None:
            layer = project_layers.find_layer(project_layers.REPORTS)
            if layer is not None:
                from .gui.report_detail import feature_to_dict

                escaped = str(service_request_id).replace("'", "''")
                for feature in layer.getFeatures(f"\"service_request_id\" = '{escaped}'"):
                    report = feature_to_dict(feature)
                    break
        if report is None:
            self._message(tr("Report {0} is not in the workspace.").format(service_request_id), Qgis.Warning)
            return None
        return self._open_detail(report)

    def _open_detail(self, report: dict[str, Any]) -> Any:
        from .gui.report_detail import (
            ReportDetailDialog,
            load_departments,
            load_districts,
            load_history,
            undelivered_states,
        )

        settings = PluginSettings.load()
        request_id = str(report.get("service_request_id") or "")
        store = self.gui_store()
        dialog = ReportDetailDialog(
            report,
            load_history(store, request_id),
            load_departments(settings.workspace),
            self.iface.mainWindow(),
            load_districts(settings.workspace),
            undelivered_states(store, request_id),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.panRequested.connect(self.pan_to_report)
        dialog.destroyed.connect(lambda _obj=None, d=dialog: self._forget_dialog(d))
        self._add_detail_actions(dialog, report)
        self.detail_dialogs.append(dialog)
        dialog.show()
        return dialog

    def _add_detail_actions(self, dialog: Any, report: dict[str, Any]) -> None:
        """The role's actions in the detail view: respond (officers), duplicates and assign (moderators)."""
        from .core import statuses
        from .gui.common import text_of

        store, actor = self.store, self.actor
        if store is None:
            return
        request_id = text_of(report.get("service_request_id"))
        if actor.role == wf.OFFICER:
            dialog.respond_button = dialog.add_action(
                tr("Respond…"), lambda d=dialog: self.respond(request_id, d, reopen=True)
            )
            own = text_of(report.get("agency_responsible")) == (actor.department or "")
            allowed = statuses.allowed_next(text_of(report.get("external_status_code")) or None, actor.role)
            dialog.respond_button.setEnabled(own and bool(allowed))
            if not own:
                dialog.respond_button.setToolTip(tr("Only reports assigned to your department can be answered."))
            elif not allowed:
                dialog.respond_button.setToolTip(tr("The report's status allows no response now."))
        elif actor.role == wf.MODERATOR:
            # the queue's decisions on the card itself: one click, not card → close → queue → button
            allowed = statuses.allowed_next(text_of(report.get("external_status_code")) or None, actor.role)
            dialog.accept_button = dialog.add_action(
                tr("Accept"), lambda d=dialog: self.moderate(request_id, "accept", d)
            )
            dialog.accept_button.setEnabled("investigating" in allowed)
            dialog.reject_button = dialog.add_action(
                tr("Reject…"), lambda d=dialog: self.moderate(request_id, "reject", d)
            )
            dialog.reject_button.setEnabled("hidden" in allowed)
            dialog.duplicates_button = dialog.add_action(
                tr("Duplicates…"), lambda d=dialog: self.show_duplicates(request_id, d)
            )
            dialog.assign_button = dialog.add_action(tr("Assign…"), lambda d=dialog: self.assign([request_id], d))

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

    # --- the workflow pages and their store ---------------------------------------------------------

    def _workspace_last_pull(self) -> datetime | None:
        """When the workspace was last pulled, by whoever did it (None without a workspace)."""
        from .core.sync import LAST_PULL
        from .core.timeutil import from_store

        store = self.gui_store()
        return from_store(store.get_state(LAST_PULL)) if store is not None else None

    def _department_name(self, settings: PluginSettings) -> str:
        """The officer's department by its name in the workspace ('' when unknown: the dock shows the code)."""
        store = self.gui_store()
        if store is None or not settings.department:
            return ""
        try:
            return dict(wf.departments(store)).get(settings.department, "")
        except Exception:
            log.debug("Cannot read the departments", exc_info=True)
            return ""

    def _workspace_profile(self) -> Any:
        """The platform profile kept in the workspace (None without a workspace or before the first probe)."""
        store = self.gui_store()
        try:
            return store.platform_profile() if store is not None else None
        except Exception:
            log.debug("Cannot read the platform profile", exc_info=True)
            return None

    def gui_store(self) -> Any:
        """The workspace's store for the dock and the dialogs (main thread), opened when first needed.

        None while there is no workspace (before the first sync) or when it cannot be opened.
        """
        settings = PluginSettings.load()
        path = settings.workspace if settings.workspace_exists else ""
        if self.store is not None and self._store_path == path and not getattr(self.store, "closed", False):
            return self.store  # (a shared workspace whose connection broke is opened again)
        self.close_store()
        if not path:
            return None
        failed = self._store_failed
        if failed is not None and failed[0] == path and time.monotonic() - failed[1] < STORE_RETRY_S:
            return None  # a database that did not answer is not asked again on every repaint
        from .core.store.factory import open_store

        try:
            self.store = open_store(path)
        except Exception as exc:  # noqa: BLE001 - SchemaError explains itself; tried again on the next need
            log.warning("Cannot open the workspace %s: %s", path, exc)
            self._store_failed = (path, time.monotonic())
            return None
        self._store_failed = None
        self._store_path = path
        # A layer that OGR opened (read-only) while no connection held the workspace's WAL files fails with
        # "unable to open database file" once this connection creates them: let the layers reconnect.
        project_layers.reload_layers()
        return self.store

    def reopen_workspace(self) -> None:
        """Open the workspace again after its file failed: a new store connection, the layers re-opened."""
        self.close_store()
        self._store_failed = None
        for _table, layer in project_layers.iter_layers():
            layer.setDataSource(layer.source(), layer.name(), layer.providerType())  # keeps the style
        self.gui_store()
        project_layers.reload_layers()

    def close_store(self) -> None:
        """Close the GUI store (on unload and when the workspace changes)."""
        store, self.store, self._store_path = self.store, None, ""
        if store is not None:
            try:
                store.close()
            except Exception:
                log.debug("Closing the workspace failed", exc_info=True)

    def update_pages(self, settings: PluginSettings | None = None) -> None:
        """The dock's pages for the role; the store and the user for the pages that exist."""
        if self.dock is None:
            return
        settings = settings or PluginSettings.load()
        store = self.gui_store()
        if (settings.role, settings.department) != (self._pages_role, self._pages_department):
            self._build_pages(settings)
            return
        if self.moderation_panel is not None:
            self.moderation_panel.set_context(store, self.actor)
        if self.no_position_panel is not None:
            self.no_position_panel.set_context(store, self.actor)
        if self.outbox_panel is not None:
            self.outbox_panel.set_store(store)
        if self.filter_panel is not None and settings.workspace_exists:
            self.filter_panel.set_workspace(settings.workspace)

    def _build_pages(self, settings: PluginSettings) -> None:
        from .gui.dock import FilterPage, ReportList
        from .gui.filter_panel import FilterPanel
        from .gui.moderation_panel import ModerationPanel
        from .gui.no_position_panel import NoPositionPanel
        from .gui.outbox_panel import OutboxPanel

        # a new role gets an empty filter form: the map must not stay filtered by the old one
        self._remove_pages(clear_filter=True)
        store, actor, canvas = self.gui_store(), self.actor, self.iface.mapCanvas()
        pages: list[tuple[Any, str]] = []
        if actor.role == wf.MODERATOR:
            self.moderation_panel = ModerationPanel(store, actor, canvas=canvas)
            self.moderation_panel.setObjectName("OpenMistoModerationPanel")
            self.moderation_panel.changed.connect(self.local_change)
            self.moderation_panel.message.connect(self._panel_message)
            self.moderation_panel.reportActivated.connect(self.show_report_id)
            pages.append((self.moderation_panel, tr("Moderation")))
            self.no_position_panel = NoPositionPanel(store, actor, canvas=canvas)
            self.no_position_panel.changed.connect(self.local_change)
            self.no_position_panel.message.connect(self._panel_message)
            self.no_position_panel.reportActivated.connect(self.show_report_id)
            pages.append((self.no_position_panel, tr("No position")))
        self.filter_panel = FilterPanel(canvas)
        self.report_list = ReportList(canvas)
        self.report_list.reportActivated.connect(self.show_report_id)
        self.filter_panel.filterApplied.connect(self._filter_applied)
        self.filter_panel.filterCleared.connect(self.report_list.clear)
        if settings.workspace_exists:
            self.filter_panel.set_workspace(settings.workspace)
        self.filter_panel.set_layer(project_layers.find_layer(project_layers.REPORTS))
        pages.append((FilterPage(self.filter_panel, self.report_list), tr("Filter")))
        if actor.role in (wf.MODERATOR, wf.OFFICER):
            self.outbox_panel = OutboxPanel(store)
            self.outbox_panel.setObjectName("OpenMistoOutboxPanel")
            self.outbox_panel.pushRequested.connect(self.request_push)
            self.outbox_panel.changed.connect(self._outbox_changed)
            self.outbox_panel.message.connect(self._panel_message)
            pages.append((self.outbox_panel, tr("Outbox")))
        self.pages = [widget for widget, _title in pages]
        self.dock.set_pages(pages)
        self._pages_role, self._pages_department = settings.role, settings.department

    def _remove_pages(self, clear_filter: bool) -> None:
        """Take the workflow pages out of the dock and delete them (the map tool, band and filter too)."""
        if self.filter_panel is not None and not sip.isdeleted(self.filter_panel):
            self.filter_panel.unload()
            layer = self.filter_panel.layer
            if clear_filter and layer is not None:
                from .core.filters import map_layer

                with contextlib.suppress(RuntimeError):  # a layer deleted with its project
                    map_layer.clear_layer_filter(layer)
                    layer.triggerRepaint()
        if self.moderation_panel is not None and not sip.isdeleted(self.moderation_panel):
            panel = self.moderation_panel
            panel.layer_getter = lambda: None
            panel.layer()  # lets go of the layer's selection signal
            for dialog in list(panel.dialogs):
                dialog.close()
        if self.outbox_panel is not None and not sip.isdeleted(self.outbox_panel):
            for dialog in list(self.outbox_panel.dialogs):
                dialog.close()
        if self.no_position_panel is not None and not sip.isdeleted(self.no_position_panel):
            self.no_position_panel.unload()
        if self.dock is not None and not sip.isdeleted(self.dock):
            self.dock.set_pages([])
        for page in self.pages:
            if not sip.isdeleted(page):
                page.setParent(None)
                page.deleteLater()
        self.pages = []
        self.moderation_panel = self.filter_panel = self.report_list = self.outbox_panel = None
        self.no_position_panel = None
        self._pages_role = self._pages_department = None

    def refresh_pages(self) -> None:
        """Every page reads the store again (after a sync or a change); the filter is applied again."""
        store = self.gui_store()
        if self.moderation_panel is not None:
            if self.moderation_panel.store is not store:
                self.moderation_panel.set_context(store, self.actor)
            else:
                self.moderation_panel.refresh()
        if self.no_position_panel is not None:
            if self.no_position_panel.store is not store:
                self.no_position_panel.set_context(store, self.actor)
            else:
                self.no_position_panel.refresh()
        if self.outbox_panel is not None:
            if self.outbox_panel.store is not store:
                self.outbox_panel.set_store(store)
            else:
                self.outbox_panel.refresh()
        if self.filter_panel is not None:
            settings = PluginSettings.load()
            if settings.workspace_exists:
                self.filter_panel.set_workspace(settings.workspace)
            layer = project_layers.find_layer(project_layers.REPORTS)
            if layer is not self.filter_panel.layer:
                self.filter_panel.set_layer(layer)
            if self.filter_panel.refresh() is None and self.report_list is not None:
                self.report_list.refresh()
        self._refresh_details(store)

    def _refresh_details(self, store: Any) -> None:
        """Open detail views show the history as it is now (sent changes lose their "waiting" mark)."""
        if store is None:
            return
        from .gui.report_detail import undelivered_states

        for dialog in self.detail_dialogs:
            if sip.isdeleted(dialog):
                continue
            request_id = str(dialog.report.get("service_request_id") or "")
            try:
                history = sorted(store.history(request_id), key=lambda r: str(r.get("updated_datetime") or ""))
            except Exception:
                log.debug("Cannot read the history of %s", request_id, exc_info=True)
                continue
            dialog.set_history(history, undelivered_states(store, request_id))

    def _filter_applied(self, fids: list[int]) -> None:
        if self.report_list is not None:
            self.report_list.show_reports(self.filter_panel.layer if self.filter_panel else None, fids)

    def _panel_message(self, text: str, level: int) -> None:
        self._message(text, level)

    def local_change(self, push: bool = True) -> None:
        """The user changed reports (store, history, outbox): show it everywhere and send it."""
        project_layers.reload_layers()
        self.refresh_pages()
        self._refresh_counts(PluginSettings.load())
        if push:
            self.request_push()

    def _outbox_changed(self) -> None:
        """Dropped or re-queued changes: the reports show other values now."""
        project_layers.reload_layers()
        if self.moderation_panel is not None:
            self.moderation_panel.refresh()
        if self.report_list is not None:
            self.report_list.refresh()
        self._refresh_counts(PluginSettings.load())

    # --- overdue ------------------------------------------------------------------------------------

    def overdue_count(self) -> int | None:
        """Open reports past their deadline in the user's scope (an officer: the own department)."""
        store = self.gui_store()
        if store is None:
            return None
        from .core.deadlines import overdue_where

        where = overdue_where()
        params: list[Any] = []
        if self.actor.role == wf.OFFICER and self.actor.department:
            where += " AND agency_responsible = ?"
            params.append(self.actor.department)
        try:
            return store.count(where, params)
        except Exception:
            log.debug("Cannot count overdue reports", exc_info=True)
            return None

    def overdue_text(self, count: int) -> str:
        """The overdue count in words, for the user's scope."""
        if self.actor.role == wf.OFFICER and self.actor.department:
            return tr("Overdue reports of your department: {0}.").format(count)
        return tr("Overdue reports: {0}.").format(count)

    def announce_overdue(self, force: bool = False) -> int | None:
        """Say in the message bar how many reports of the user's scope are overdue (when it changed, or ``force``)."""
        count = self.overdue_count()
        if count is None or (not force and count == self._last_overdue):
            return count
        self._last_overdue = count
        self._message(self.overdue_text(count), Qgis.Warning if count else Qgis.Info)
        return count

    # --- dialogs of the workflows -------------------------------------------------------------------

    def _keep_dialog(self, dialog: Any) -> Any:
        self.workflow_dialogs.append(dialog)
        dialog.finished.connect(lambda _r=0, d=dialog: self._dialog_finished(d))
        return dialog

    def _dialog_finished(self, dialog: Any) -> None:
        self.workflow_dialogs = [d for d in self.workflow_dialogs if d is not dialog]
        if not sip.isdeleted(dialog):
            dialog.deleteLater()

    def _writer_store(self, role: str) -> Any:
        """The GUI store when the user has ``role``; else None with a message."""
        if self.actor.role != role:
            names = {wf.OFFICER: tr("department officers"), wf.MODERATOR: tr("the moderator")}
            self._message(tr("This is for {0}: change the role in the settings.").format(names[role]), Qgis.Warning)
            return None
        store = self.gui_store()
        if store is None:
            self._message(tr("There is no workspace yet: synchronise first."), Qgis.Warning)
        return store

    def respond(self, service_request_id: str, parent: Any = None, reopen: bool = False) -> Any:
        """The officer's response dialog for one report; accepted: reload, send, (re)open the detail."""
        from .gui.respond_dialog import RespondDialog

        store = self._writer_store(wf.OFFICER)
        if store is None:
            return None
        dialog = RespondDialog(store, self.actor, service_request_id, parent or self.iface.mainWindow())
        self._connect_accepted(dialog, service_request_id if reopen else None, parent if reopen else None)
        self._keep_dialog(dialog)
        dialog.show()
        return dialog

    def respond_to_selected(self) -> Any:
        """Respond to the one report selected on the map."""
        from .gui.respond_dialog import open_for_selection

        store = self._writer_store(wf.OFFICER)
        if store is None:
            return None
        layer = project_layers.find_layer(project_layers.REPORTS)
        dialog = open_for_selection(store, self.actor, layer, self.iface.mainWindow())
        if dialog is None:
            self._message(tr("Select exactly one report on the map to respond to it."), Qgis.Warning)
            return None
        self._connect_accepted(dialog)
        self._keep_dialog(dialog)
        dialog.show()
        return dialog

    def moderate(self, service_request_id: str, action: str, detail: Any = None) -> bool:
        """Accept or reject (``action``) one report from its card; the card opens again showing the change."""
        from .core.store.base import VersionConflictError
        from .gui.reason_dialog import ask_reason

        store = self._writer_store(wf.MODERATOR)
        report = store.report(service_request_id) if store is not None else None
        if report is None:
            return False
        version = report.get("version")
        try:
            if action == "reject":
                reason = ask_reason(
                    detail or self.iface.mainWindow(),
                    tr("Reject"),
                    tr("Reason (internal; the report is hidden from the public):"),
                    [report],
                    tr("Reject"),
                )
                if not reason:
                    return False
                with store.transaction():
                    wf.reject(store, self.actor, service_request_id, reason, base_version=version)
                done = tr("Report {id} rejected.")
            else:
                with store.transaction():
                    wf.accept(store, self.actor, service_request_id, base_version=version)
                done = tr("Report {id} accepted for consideration.")
        except (wf.WorkflowError, VersionConflictError) as exc:
            self._message(str(exc), Qgis.Warning)
            return False
        self._message(done.format(id=service_request_id), Qgis.Success)
        self.local_change(push=False)
        if detail is not None and not sip.isdeleted(detail):
            detail.close()
        self.show_report_id(service_request_id)
        self.request_push()
        return True

    def assign(self, ids: list[str], parent: Any = None) -> Any:
        """The assignment dialog for these reports (moderator)."""
        from .gui.assign_dialog import AssignDialog

        store = self._writer_store(wf.MODERATOR)
        if store is None or not ids:
            return None
        dialog = AssignDialog(store, self.actor, list(ids), parent=parent or self.iface.mainWindow())
        self._connect_accepted(dialog, ids[0] if parent is not None and len(ids) == 1 else None, parent)
        self._keep_dialog(dialog)
        dialog.show()
        return dialog

    def assign_selected(self) -> Any:
        """Assign every report selected on the map (the dialog shows the count and asks to confirm)."""
        store = self._writer_store(wf.MODERATOR)
        if store is None:
            return None
        layer = project_layers.find_layer(project_layers.REPORTS)
        ids = wf.reports_by_fids(store, layer.selectedFeatureIds()) if layer is not None else []
        if not ids:
            self._message(tr("Select the reports to assign on the map first."), Qgis.Warning)
            return None
        return self.assign(ids)

    def show_duplicates(self, service_request_id: str, parent: Any = None) -> Any:
        """Duplicate candidates of a report (moderator); closing one as a duplicate reloads and sends."""
        from .gui.duplicates_dialog import DuplicatesDialog

        store = self._writer_store(wf.MODERATOR)
        if store is None:
            return None
        dialog = DuplicatesDialog(store, self.actor, service_request_id, parent or self.iface.mainWindow())
        layer = project_layers.find_layer(project_layers.REPORTS)
        if layer is not None:
            dialog.follow_on_map(self.iface.mapCanvas(), layer)
        self._connect_accepted(dialog, service_request_id if parent is not None else None, parent)
        self._keep_dialog(dialog)
        dialog.show()
        return dialog

    def _connect_accepted(self, dialog: Any, reopen_id: str | None = None, detail: Any = None) -> None:
        def accepted() -> None:
            self.local_change(push=False)
            if reopen_id is not None:
                if detail is not None and not sip.isdeleted(detail):
                    detail.close()
                self.show_report_id(reopen_id)  # the detail again, with the change waiting in its history
            self.request_push()

        dialog.accepted.connect(accepted)


def _now_text() -> str:
    from .core.timeutil import local, now_utc

    return local(now_utc()).strftime("%d.%m.%Y %H:%M")
