"""One sync, the same from the plugin's "Sync now" (:class:`core.tasks.SyncTask`) and from ``openmisto:sync``.

:func:`run_sync` takes what a sync needs (:class:`SyncParams`: the platform, the workspace, the key read
beforehand in the main thread) and a feedback, and does the rest in the calling (worker) thread: a client
whose transport aborts a request in flight when the feedback is canceled, with the city's area to repair
swapped positions against; the workspace's store; the :class:`~core.sync.SyncEngine`, run under the
workspace's sync lock (``run_sync_exclusive``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from qgis.core import QgsFeedback

from .open311.client import Open311Client
from .open311.transport import QgisTransport
from .store.factory import run_sync_exclusive
from .store.workspace import Workspace
from .sync import PushResult, SyncEngine, SyncResult

log = logging.getLogger(__name__)


@dataclass
class SyncParams:
    """What a sync needs; read in the main thread (the API key from the auth DB) before the sync starts."""

    base_url: str
    workspace_path: str
    api_key: str | None = None
    page_size: int = 1000
    full: bool = False
    lock_wait_s: float = 0.0  # another sync on the workspace: wait this long, then skip
    city_area: tuple[float, float, float, float] | None = None  # Settings; None: the workspace's (core/city_area.py)
    answer_format: str = "auto"  # auto (JSON when offered, else XML), json, xml
    jurisdiction_id: str = ""  # sent on every call when set
    allow_plain_http: bool = False  # the key over plain http to another machine (the user's choice)
    push: bool = True  # send the outbox first

    def __repr__(self) -> str:  # never show the key
        return (
            f"SyncParams(base_url={self.base_url!r}, workspace_path={self.workspace_path!r}, "
            f"api_key={'***' if self.api_key else None}, page_size={self.page_size}, full={self.full})"
        )

    @property
    def workspace(self) -> Workspace:
        """The workspace synced."""
        return Workspace(self.workspace_path)


@dataclass
class SyncRun:
    """What one sync did: the push and the pull, or why it did not run (``busy``)."""

    push: PushResult = field(default_factory=PushResult)
    pull: SyncResult = field(default_factory=SyncResult)
    busy: str = ""  # another sync held the workspace's lock: this one was skipped (the message why)

    @property
    def skipped(self) -> bool:
        return bool(self.busy)


def build_client(params: SyncParams, feedback: QgsFeedback | None = None) -> Open311Client:
    """The platform's client for ``params``; a cancel of ``feedback`` aborts its request in flight."""
    return Open311Client(
        params.base_url,
        api_key=params.api_key,
        page_size=params.page_size,
        transport=QgisTransport(feedback),
        expected_bbox=params.city_area,
        fmt=params.answer_format,
        jurisdiction_id=params.jurisdiction_id or None,
        allow_plain_http=params.allow_plain_http,
    )


def run_sync(
    params: SyncParams,
    feedback: QgsFeedback | None = None,
    reports_done: Callable[[SyncResult], None] | None = None,
) -> SyncRun:
    """Push the outbox (unless ``params.push`` is off), then pull, under the workspace's sync lock.

    Opens (creating when missing) the workspace and closes it after. ``reports_done`` as for
    :class:`~core.sync.SyncEngine`. Errors of the platform and of the workspace propagate.
    """
    client = build_client(params, feedback)
    with params.workspace.opened(create=True) as store:
        engine = SyncEngine(store, client, feedback, reports_done=reports_done)
        run = run_sync_exclusive(engine, full=params.full, wait_s=params.lock_wait_s, push=params.push)
    if run.skipped:
        return SyncRun(pull=SyncResult(full=params.full), busy=run.busy or "")
    if params.push:
        return SyncRun(run.result.push, run.result.pull)
    return SyncRun(pull=run.result)
