"""Background work in ``QgsTask``: a base class that captures errors and owns a cancelable feedback, and the sync task.

``run()`` executes in a worker thread: it never touches layers, the project or
widgets. The result (or the error) reaches the main thread through
``finished()``, which emits :attr:`OpenMistoTask.done` with a :class:`TaskOutcome`.
Keep a Python reference to a task until ``done`` fired (QGIS only holds the C++ side).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qgis.core import QgsFeedback, QgsTask
from qgis.PyQt.QtCore import Qt, pyqtSignal

from .i18n import tr
from .store.failures import is_workspace_failure
from .sync import PushResult, SyncResult
from .sync_run import SyncParams, run_sync

log = logging.getLogger(__name__)

# Python references of tasks that have not finished: QGIS's task manager holds only the C++ side,
# and a task whose Python wrapper is collected while it runs crashes QGIS.
_LIVE_TASKS: set[OpenMistoTask] = set()


@dataclass
class TaskOutcome:
    """What a task ended with: a result, an error, or a cancellation."""

    ok: bool
    result: Any = None
    error: BaseException | None = None
    canceled: bool = False

    def error_message(self) -> str:
        """The error in words for the user (``Open311Error.user_message()`` when there is one)."""
        if self.error is None:
            return tr("Canceled.") if self.canceled else ""
        if is_workspace_failure(self.error):
            return tr(
                "The workspace file could not be read or written: another program may have changed, moved or "
                "removed it (or its -wal/-shm files) while QGIS had it open. It has been opened again; "
                "synchronise once more. (SQLite: {0})"
            ).format(self.error)
        user_message = getattr(self.error, "user_message", None)
        if callable(user_message):
            try:
                return str(user_message())
            except Exception:  # the error's own wording failed: say the error plainly, log why
                log.warning("The error's message could not be written (%s)", type(self.error).__name__, exc_info=True)
        return tr("Unexpected error: {0}").format(self.error)


class OpenMistoTask(QgsTask):
    """Base task: subclasses implement :meth:`work`; errors are captured and logged.

    ``done(TaskOutcome)`` is emitted in the main thread when the task ends
    (success, failure or cancel).
    """

    done = pyqtSignal(object)

    def __init__(self, description: str, flags: QgsTask.Flags | QgsTask.Flag = QgsTask.CanCancel) -> None:
        super().__init__(description, flags)
        self.result: Any = None
        self.exception: BaseException | None = None
        #: Hand it to what :meth:`work` runs: canceled with the task (a request in flight is aborted, see
        #: ``QgisTransport``), its progress is the task's.
        self.feedback = QgsFeedback()
        self.feedback.progressChanged.connect(self.setProgress, Qt.ConnectionType.DirectConnection)
        _LIVE_TASKS.add(self)

    def cancel(self) -> None:
        """Cancel the feedback first (what runs stops at its next check, a request in flight ends), then the task."""
        self.feedback.cancel()
        super().cancel()

    def work(self) -> Any:
        """Do the job in the worker thread and return its result (pass :attr:`feedback` to what it runs)."""
        raise NotImplementedError

    def run(self) -> bool:
        """QGIS calls this in a worker thread."""
        if self.isCanceled():
            self.feedback.cancel()
        try:
            self.result = self.work()
        except Exception as exc:
            self.exception = exc
            log.error("%s failed: %s", self.description(), exc, exc_info=True)
            return False
        return not self.isCanceled()

    def finished(self, result: bool) -> None:
        """Main thread: publish the outcome."""
        _LIVE_TASKS.discard(self)
        outcome = TaskOutcome(
            ok=bool(result),
            result=self.result,
            error=self.exception,
            canceled=self.isCanceled() and self.exception is None,
        )
        self.done.emit(outcome)


class CallableTask(OpenMistoTask):
    """Run one function in the background (e.g. "Test connection")."""

    def __init__(self, description: str, function: Callable[[], Any]) -> None:
        super().__init__(description, QgsTask.CanCancel)
        self._function = function

    def work(self) -> Any:
        return self._function()


@dataclass
class SyncSummary:
    """Counts of one sync (pull and push), ready to be shown."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    skipped_reasons: list[str] = field(default_factory=list)
    sent: int = 0
    refused: int = 0
    conflicts: int = 0
    retry_later: int = 0
    push_error: str = ""
    notice: str = ""  # told once: e.g. the platform takes no responses from QGIS
    canceled: bool = False
    busy: str = ""  # another sync held the workspace's lock: this one was skipped (the message why)
    without_position: int = 0  # reports kept without a position, to place by hand (core/positions.py)
    missing: list[str] = field(default_factory=list)  # features the platform lacks (information)

    @classmethod
    def from_results(cls, pull: SyncResult, push: PushResult | None = None) -> SyncSummary:
        """Build from the engine's results."""
        push = push or PushResult()
        return cls(
            new=pull.new,
            updated=pull.updated,
            unchanged=pull.unchanged,
            skipped=len(pull.skipped),
            skipped_reasons=[f"{r.record_id}: {r.reason}" if r.record_id else r.reason for r in pull.skipped],
            sent=push.sent,
            refused=push.refused,
            conflicts=push.conflicts,
            retry_later=push.retry_later,
            push_error="; ".join(push.errors[:3]),
            notice=push.notice,
            canceled=pull.canceled or push.canceled,
            without_position=pull.without_position,
            missing=list(pull.missing) if pull.notices else [],  # said when found (and by full syncs)
        )

    @property
    def changed(self) -> bool:
        """True when the layer has something new to show or the user has something to read."""
        return bool(
            self.new
            or self.updated
            or self.skipped
            or self.sent
            or self.refused
            or self.conflicts
            or self.push_error
            or self.notice
        )

    def message(self) -> str:
        """One line for the message bar."""
        if self.busy:
            return self.busy
        text = tr("New: {0}, updated: {1}, unchanged: {2}.").format(self.new, self.updated, self.unchanged)
        if self.skipped:
            text += " " + tr("Skipped: {0}").format(self.skipped)
            if self.skipped_reasons:
                text += " (" + "; ".join(self.skipped_reasons[:3])
                text += ", …)" if len(self.skipped_reasons) > 3 else ")"
            text += "."
        if self.without_position:
            text += " " + tr("Without a position (to place by hand): {0}.").format(self.without_position)
        if self.sent or self.refused or self.conflicts:
            text += " " + tr("Sent to the platform: {0}, refused: {1}, conflicts: {2}.").format(
                self.sent, self.refused, self.conflicts
            )
        if self.retry_later:
            text += " " + tr("Waiting to be sent again: {0}.").format(self.retry_later)
        if self.push_error:
            text += " " + tr("Sending failed: {0}").format(self.push_error)
        if self.notice:
            text += " " + self.notice
        if self.canceled:
            text += " " + tr("Canceled: the next sync completes what is missing.")
        if self.missing:
            text += " " + tr("Not offered by this platform: {0}.").format(", ".join(self.missing))
        return text


class SyncTask(OpenMistoTask):
    """Push the outbox and pull new and changed reports into the workspace.

    Runs :func:`core.sync_run.run_sync` (the path ``openmisto:sync`` takes too) in the worker thread
    with the task's feedback: Cancel stops the engine and aborts the request in flight. The sync holds
    the workspace's sync lock: when another sync (another user's QGIS, a scheduled ``qgis_process``)
    holds it, this one waits ``lock_wait_s`` and is then skipped; the summary's ``busy`` says so.

    ``reportsStored`` is emitted (from the worker thread; connect it queued) when the reports
    phase of the pull has committed the reports, before the history: the layer can be reloaded then.
    """

    reportsStored = pyqtSignal()

    def __init__(self, params: SyncParams, automatic: bool = False) -> None:
        description = tr("Open City: full sync") if params.full else tr("Open City: sync")
        super().__init__(description, QgsTask.CanCancel)
        self.params = params
        self.automatic = automatic

    def work(self) -> SyncSummary:
        run = run_sync(self.params, self.feedback, reports_done=lambda _result: self.reportsStored.emit())
        summary = SyncSummary(busy=run.busy) if run.skipped else SyncSummary.from_results(run.pull, run.push)
        for reason in summary.skipped_reasons:
            log.warning("Skipped record %s", reason)
        log.info("Sync finished: %s", summary.message())
        return summary
