"""The GUI's workspace session: the one store of the workspace that the dock and the dialogs share.

The store is opened on the main thread when first needed, opened again when the settings point at another
workspace or its connection broke, and closed on unload; a sync task opens its own connection in its worker
thread. The session also knows who works on it (the :class:`~..core.workflow.Actor` of the settings) and
answers the dock's questions about the workspace (last pull, platform profile, counts, overdue reports).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from ..core import project_layers
from ..core import workflow as wf
from ..core.settings import PluginSettings
from ..core.store.base import ReportStore
from ..core.store.failures import WORKSPACE_ERRORS
from .common import logged_slot

log = logging.getLogger(__name__)

#: A shared workspace that could not be opened is tried again after this many seconds (or after a sync).
STORE_RETRY_S = 30


class WorkspaceSession:
    """The workspace of the current settings, with its GUI store and the user who works on it."""

    def __init__(self) -> None:
        self.store: ReportStore | None = None
        self.actor = wf.Actor(wf.VIEWER)
        self._store_address = ""
        self._failed: tuple[str, float] | None = None  # (address, when) of the last failed open

    # --- the store ---------------------------------------------------------------------------------

    def open_store(self) -> ReportStore | None:
        """The workspace's store for the dock and the dialogs (main thread), opened when first needed.

        None while there is no workspace (before the first sync) or when it cannot be opened.
        """
        settings = PluginSettings.load()
        address = settings.workspace if settings.workspace_exists else ""
        # a shared workspace whose connection broke is opened again (only a PostGIS store knows "closed")
        if self.store is not None and self._store_address == address and not self.store.closed:
            return self.store
        self.close()
        if not address:
            return None
        failed = self._failed
        if failed is not None and failed[0] == address and time.monotonic() - failed[1] < STORE_RETRY_S:
            return None  # a database that did not answer is not asked again on every repaint
        from ..core.store.workspace import Workspace

        try:
            self.store = Workspace(address).open()
        except (*WORKSPACE_ERRORS, OSError) as exc:  # SchemaError explains itself; tried again on the next need
            log.warning("Cannot open the workspace %s: %s", address, exc)
            self._failed = (address, time.monotonic())
            return None
        self._failed = None
        self._store_address = address
        # A layer that OGR opened (read-only) while no connection held the workspace's WAL files fails with
        # "unable to open database file" once this connection creates them: let the layers reconnect.
        project_layers.reload_layers()
        return self.store

    def open_store_if_open(self) -> ReportStore | None:
        """The store when it is open now (a zoom queued before unload must not open the workspace again)."""
        store = self.store
        return None if store is None or store.closed else store

    def change_workspace(self) -> None:
        """The settings point at another workspace: close this one's store; the next need opens the new one."""
        self.close()
        self._failed = None

    def forget_failure(self) -> None:
        """Try a workspace that failed to open again at the next need (after a sync, on a refresh)."""
        self._failed = None

    def close(self) -> None:
        """Close the GUI store (on unload and when the workspace changes)."""
        store, self.store, self._store_address = self.store, None, ""
        if store is not None:
            _close(store)

    def reopen(self) -> None:
        """Open the workspace again after its file failed: a new store connection, the layers re-opened."""
        self.close()
        self._failed = None
        for _table, layer in project_layers.iter_layers():
            layer.setDataSource(layer.source(), layer.name(), layer.providerType())  # keeps the style
        self.open_store()
        project_layers.reload_layers()

    # --- what the dock shows ---------------------------------------------------------------------------

    def last_pull(self) -> datetime | None:
        """When the workspace was last pulled, by whoever did it (None without a workspace)."""
        from ..core.sync import LAST_PULL
        from ..core.timeutil import from_store

        store = self.open_store()
        return from_store(store.get_state(LAST_PULL)) if store is not None else None

    @logged_slot(default="")
    def department_name(self, settings: PluginSettings) -> str:
        """The officer's department by its name in the workspace ('' when unknown: the dock shows the code)."""
        store = self.open_store()
        if store is None or not settings.department:
            return ""
        return dict(wf.departments(store)).get(settings.department, "")

    @logged_slot(default=None)
    def platform_profile(self) -> Any:
        """The platform profile kept in the workspace (None without a workspace or before the first probe)."""
        store = self.open_store()
        return store.platform_profile() if store is not None else None

    @logged_slot(default=({}, 0))
    def status_counts(self, settings: PluginSettings) -> tuple[dict[str, int], int]:
        """Reports per status and the overdue count (nothing when the workspace cannot be read)."""
        store = self.open_store() if settings.current_workspace.shared else None
        return project_layers.status_counts(settings.workspace, store)

    @logged_slot(default=None)
    def overdue_count(self) -> int | None:
        """Open reports past their deadline in the user's scope (an officer: the own department)."""
        store = self.open_store()
        if store is None:
            return None
        from ..core.deadlines import overdue_where

        where = overdue_where()
        params: list[Any] = []
        if self.actor.role == wf.OFFICER and self.actor.department:
            where += " AND agency_responsible = ?"
            params.append(self.actor.department)
        return store.count(where, params)


@logged_slot()  # a store that fails to close (a broken connection) is dropped all the same; unload goes on
def _close(store: ReportStore) -> None:
    store.close()
