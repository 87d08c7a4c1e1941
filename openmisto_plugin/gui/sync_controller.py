"""The GUI's sync: the timer, starting and finishing the sync task, and what the message bar says about it.

One :class:`SyncController` per plugin. It starts a :class:`~..core.tasks.SyncTask` in QGIS's task manager
(never two at once), shows its progress in the dock, and at its end opens the workspace, brings the layers in
and tells the parts through the hub (``dataChanged``) that the data changed. On a shared workspace the timer
also refreshes without a platform: every user sees the others' changes (and those of the server's scheduled
sync); a sync that finds another one running on the workspace is skipped with a message.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from qgis.core import Qgis, QgsApplication, QgsProject
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, Qt, QTimer

from ..core import project_layers
from ..core import workflow as wf
from ..core.i18n import tr
from ..core.settings import PluginSettings, save_last_sync
from ..core.tasks import SyncParams, SyncSummary, SyncTask, TaskOutcome, is_workspace_failure
from .common import logged_slot, pop_message, push_plain_message
from .signal_hub import PluginSignals
from .workspace_session import WorkspaceSession

log = logging.getLogger(__name__)

MESSAGE_SECONDS = 8


def _sync_not_started() -> str:
    return tr("The synchronisation could not start; the log (Open City tab) says why.")


def _sync_end_not_shown() -> str:
    return tr("The synchronisation ended, but showing its result failed; the log (Open City tab) says why.")


class SyncController(QObject):
    """Starts and finishes the GUI's syncs and says in the message bar what they did."""

    def __init__(
        self,
        iface: Any,
        session: WorkspaceSession,
        hub: PluginSignals,
        add_layers: Callable[..., Any],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.iface = iface
        self.session = session
        self.hub = hub
        self.add_layers = add_layers
        self.dock: Any = None
        self.action: Any = None  # the "Sync now" action, off while a sync runs
        self.task: SyncTask | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self._sync_again = False
        self._last_error = ""
        self._error_item: Any = None  # the message bar item of the last sync failure (cleared on success)
        self._last_overdue: int | None = None
        hub.changesMade.connect(self.request_push)
        hub.settingsChanged.connect(self.apply_settings)

    def unload(self) -> None:
        """Stop the timer and cancel a running sync (its end is no longer handled)."""
        with contextlib.suppress(TypeError):
            self.hub.changesMade.disconnect(self.request_push)
            self.hub.settingsChanged.disconnect(self.apply_settings)
        self.timer.stop()
        self.timer.timeout.disconnect(self.tick)
        if self.task is not None:
            task, self.task = self.task, None
            with contextlib.suppress(TypeError):
                task.done.disconnect(self._done)
            if not sip.isdeleted(task):
                task.cancel()

    # --- the message bar ------------------------------------------------------------------------------

    def message(self, text: str, level: Any = Qgis.Info, duration: int = MESSAGE_SECONDS) -> Any:
        """One plain line in QGIS's message bar (returns its item)."""
        bar = self.iface.messageBar()
        if bar is not None:
            return push_plain_message(bar, tr("Open City"), text, level, duration)
        return None

    def _clear_error(self) -> None:
        """A sync succeeded: the red bar of an earlier failure no longer tells the truth."""
        item, self._error_item = self._error_item, None
        pop_message(self.iface.messageBar(), item)

    def overdue_text(self, count: int) -> str:
        """The overdue count in words, for the user's scope."""
        actor = self.session.actor
        if actor.role == wf.OFFICER and actor.department:
            return tr("Overdue reports of your department: {0}.").format(count)
        return tr("Overdue reports: {0}.").format(count)

    def announce_overdue(self, force: bool = False) -> int | None:
        """Say in the message bar how many reports of the user's scope are overdue (when it changed, or ``force``)."""
        count = self.session.overdue_count()
        if count is None or (not force and count == self._last_overdue):
            return count
        self._last_overdue = count
        self.message(self.overdue_text(count), Qgis.Warning if count else Qgis.Info)
        return count

    # --- the timer ----------------------------------------------------------------------------------------

    def apply_settings(self, settings: PluginSettings) -> None:
        """(Re)start the timer for the settings' interval."""
        self.timer.stop()
        # A shared workspace is refreshed by the timer even without a platform here (a server syncs it).
        if settings.sync_interval_min > 0 and (settings.is_configured or settings.current_workspace.shared):
            self.timer.start(settings.sync_interval_min * 60 * 1000)

    @logged_slot()
    def tick(self) -> None:
        """The timer: a sync when there is a platform; a shared workspace is read again in any case."""
        settings = PluginSettings.load()
        if self.task is None and settings.is_configured and self.start(automatic=True) is not None:
            return  # its end reloads the layers and the pages
        if settings.current_workspace.shared and self.task is None:
            self.refresh_shared()

    def refresh_shared(self) -> None:
        """Show what others changed in the shared workspace: reload the layers, read the pages again."""
        self.session.forget_failure()
        self.hub.dataChanged.emit()  # the layers reload, the pages read again
        self.announce_overdue()

    # --- starting and finishing --------------------------------------------------------------------------

    @logged_slot()
    def request_push(self) -> SyncTask | None:
        """Send local changes now: a sync, or one more right after the running one."""
        if not PluginSettings.load().is_configured:
            return None  # the changes wait in the outbox until there is a platform
        if self.task is not None:
            self._sync_again = True
            return None
        return self.start(automatic=True, prompt=True)

    @logged_slot(_sync_not_started)
    def start(self, full: bool = False, automatic: bool = False, prompt: bool | None = None) -> SyncTask | None:
        """Start a SyncTask in QGIS's task manager unless one runs already.

        ``automatic``: started by the timer or by a change, not by the user (fewer messages);
        ``prompt``: may ask for the master password (default: when not automatic).
        """
        if self.task is not None:
            if not automatic:
                self.message(tr("A synchronisation is already running."))
            return None
        self._sync_again = False
        settings = PluginSettings.load()
        if not settings.is_configured:
            if not automatic:
                self.message(tr("Enter the platform address in the settings first."), Qgis.Warning)
                self.hub.settingsRequested.emit()
            return None
        from ..core.open311.auth import AuthError, load_api_key

        try:
            ask = (not automatic) if prompt is None else prompt
            api_key = load_api_key(settings.authcfg, prompt=ask) if settings.authcfg else None
        except AuthError as exc:  # it explains itself
            message = TaskOutcome(False, error=exc).error_message()
            self.message(message, Qgis.Warning if automatic else Qgis.Critical)
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
        task.done.connect(self._done)
        # emitted in the worker thread: queued, so the layers reload in the main thread
        task.reportsStored.connect(self._reports_stored, Qt.ConnectionType.QueuedConnection)
        if self.dock is not None:
            task.progressChanged.connect(self.dock.set_progress)
            self.dock.set_busy(True)
            self.dock.show_message(tr("Synchronising…"))
        if self.action is not None:
            self.action.setEnabled(False)
        self.task = task
        QgsApplication.taskManager().addTask(task)
        return task

    def cancel(self) -> None:
        """Ask the running sync to stop (the store stays consistent; the next sync completes it)."""
        if self.task is not None:
            self.task.cancel()

    @logged_slot()
    def _reports_stored(self) -> None:
        """The sync's reports phase is committed (history still coming): the map shows the reports now."""
        if self.task is None:
            return
        settings = PluginSettings.load()
        if not settings.workspace_exists:
            return
        self.session.open_store()
        if project_layers.find_layer(project_layers.REPORTS) is None and not QgsProject.instance().mapLayers():
            self.add_layers(quiet=True)
        project_layers.reload_layers()

    @logged_slot(_sync_end_not_shown)
    def _done(self, outcome: TaskOutcome) -> None:
        """Main thread: reload the layers and tell the user what changed."""
        task = self.task
        self.task = None
        automatic = bool(task and task.automatic)
        if self.action is not None and not sip.isdeleted(self.action):
            self.action.setEnabled(True)
        if self.dock is not None and not sip.isdeleted(self.dock):
            self.dock.set_busy(False)
        settings = PluginSettings.load()
        self.session.forget_failure()  # the sync may have created the workspace
        self.session.open_store()  # before the layers: they then open the workspace next to a live connection
        if settings.workspace_exists:
            # A manual sync brings the layers back; the timer only fills an empty project
            # (it must not re-add layers the user removed on purpose).
            project = QgsProject.instance()
            if project_layers.find_layer(project_layers.REPORTS) is None and (not automatic or not project.mapLayers()):
                self.add_layers(quiet=True)
        message, error, attention = self._tell(outcome, automatic, settings)
        self.hub.dataChanged.emit()  # the layers reload, the pages read again, the dock shows the last sync
        if self.dock is not None and not sip.isdeleted(self.dock):
            self.dock.set_last_sync_attention(attention)
            self.dock.show_message(message, error=error)
        if self._sync_again:  # changes made while this sync ran
            self._sync_again = False
            self.start(automatic=True, prompt=True)

    def _tell(self, outcome: TaskOutcome, automatic: bool, settings: PluginSettings) -> tuple[str, bool, bool]:
        """Say in the message bar how the sync ended; returns the dock's line, whether it is an error, and
        whether the last-sync line needs attention."""
        if outcome.ok and isinstance(outcome.result, SyncSummary) and outcome.result.busy:
            # Another sync (another user, the server's schedule) holds the workspace: its data shows anyway.
            if not automatic:
                self.message(outcome.result.busy, Qgis.Info)
            return outcome.result.busy, False, False
        if outcome.ok and isinstance(outcome.result, SyncSummary):
            summary = outcome.result
            text = summary.message()
            level = (
                Qgis.Warning
                if (summary.skipped or summary.refused or summary.push_error or summary.notice)
                else Qgis.Success
            )
            overdue = self.session.overdue_count()
            overdue_changed = overdue is not None and overdue != self._last_overdue
            if not automatic or summary.changed or overdue_changed:
                shown = text
                if overdue is not None:
                    shown += " " + self.overdue_text(overdue)
                    self._last_overdue = overdue
                self.message(shown, level)
            self._last_error = ""
            self._clear_error()
            settings.last_sync = tr("{0} — {1}").format(_now_text(), text)
            save_last_sync(settings.last_sync)
            # The summary is shown once, in "Last sync" (coloured when it needs attention), not repeated below it.
            return "", False, level == Qgis.Warning
        if outcome.canceled:
            message = tr("Synchronisation canceled; the next sync completes it.")
            self.message(message, Qgis.Info)
            return message, False, False
        if is_workspace_failure(outcome.error):
            self.session.reopen()  # no restart needed: the store and the layers open the file again
        message = tr("Synchronisation failed: {0}").format(outcome.error_message())
        # The timer repeats a failure every few minutes: say it once, until a sync succeeds again.
        if not automatic or message != self._last_error:
            self._clear_error()  # one red bar at a time
            self._error_item = self.message(message, Qgis.Critical, 0 if not automatic else MESSAGE_SECONDS)
        self._last_error = message
        return message, True, False


def _now_text() -> str:
    from ..core.timeutil import local, now_utc

    return local(now_utc()).strftime("%d.%m.%Y %H:%M")
