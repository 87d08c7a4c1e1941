"""What every store backend promises: :class:`ReportStore`, the interface the GUI, the sync, the rules and the
stats talk to.

Its records (columns, outbox entries, errors) are in :mod:`.records`, the backend-neutral row helpers in
:mod:`.rows`, the SQL of both backends in :mod:`.sql`; the names are here too, as every caller knows them.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..deadlines import Procedure, ProcedureError, cached_procedure
from ..model import RequestUpdate, Service, ServiceRequest
from ..open311.profile import PlatformProfile
from .records import (
    ACTIVE_STATES,
    CONFLICT,
    DERIVED_COLUMNS,
    HISTORY_COLUMNS,
    HISTORY_SETS,
    LOCAL_FIELDS,
    OUTBOX_STATES,
    PENDING,
    PLATFORM_COLUMNS,
    PLATFORM_PROFILE_KEY,
    POSITION_COLUMNS,
    REFUSED,
    SENT,
    OutboxEntry,
    StoreError,
    SyncBusyError,
    UpsertCounts,
    VersionConflictError,
    backoff,
    outbox_entry,
)
from .rows import (
    DeadlineColumns,
    assigned_value,
    department_rows,
    extent_points,
    history_params,
    keeps_hand_position,
    local_columns,
    local_update_params,
    placement,
    plan_rows,
    platform_copy,
    procedure_fingerprint,
    request_row,
    service_rows,
    undo_values,
)
from .schema import SchemaError, SchemaTooNewError

if TYPE_CHECKING:
    from .workspace import Workspace

__all__ = [
    "ACTIVE_STATES",
    "CONFLICT",
    "DERIVED_COLUMNS",
    "HISTORY_COLUMNS",
    "HISTORY_SETS",
    "LOCAL_FIELDS",
    "OUTBOX_STATES",
    "PENDING",
    "PLATFORM_COLUMNS",
    "PLATFORM_PROFILE_KEY",
    "POSITION_COLUMNS",
    "REFUSED",
    "SENT",
    "DeadlineColumns",
    "OutboxEntry",
    "ReportStore",
    "SchemaError",
    "SchemaTooNewError",
    "StoreError",
    "SyncBusyError",
    "UpsertCounts",
    "VersionConflictError",
    "assigned_value",
    "backoff",
    "department_rows",
    "extent_points",
    "history_params",
    "keeps_hand_position",
    "local_columns",
    "local_update_params",
    "outbox_entry",
    "placement",
    "plan_rows",
    "platform_copy",
    "procedure_fingerprint",
    "request_row",
    "service_rows",
    "undo_values",
]

log = logging.getLogger(__name__)


class ReportStore(ABC):
    """The store: reports, reference tables, history, outbox and sync state.

    Every write method joins the caller's :meth:`transaction` when there is one
    and otherwise runs in its own.
    """

    path: str  # the workspace address (GeoPackage path or ``postgres:`` address)

    _deadlines: DeadlineColumns | None = None

    @property
    def workspace(self) -> Workspace:
        """The workspace this store opens (:class:`.workspace.Workspace`)."""
        from .workspace import Workspace

        return Workspace(self.path)

    # -- lifecycle -------------------------------------------------------
    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Context manager: commit on success, roll back on exception; nests (savepoints)."""

    def __enter__(self) -> ReportStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- platform data ---------------------------------------------------
    @abstractmethod
    def upsert_requests(self, requests: Sequence[ServiceRequest], synced_at: datetime | None = None) -> UpsertCounts:
        """Insert or update reports by ``service_request_id``; pending local changes stay on top."""

    @abstractmethod
    def _upsert_keyed(self, table: str, key: str, rows: list[dict[str, Any]]) -> UpsertCounts:
        """Insert or update reference-table ``rows`` by their ``key`` column."""

    def upsert_services(self, services: Iterable[Service]) -> UpsertCounts:
        return self._upsert_keyed("services", "service_code", service_rows(services))

    def upsert_departments(self, departments: Iterable[Any]) -> UpsertCounts:
        """Departments as dicts (or objects) with ``code``, ``name`` and the officer's contacts."""
        return self._upsert_keyed("departments", "code", department_rows(departments))

    @abstractmethod
    def upsert_districts(self, districts: Iterable[tuple[str, str, Any]]) -> UpsertCounts:
        """``(code, name, geometry)``; the geometry as WKT, a GeoJSON dict or GeoJSON text."""

    @abstractmethod
    def fill_districts(self, service_request_ids: Sequence[str] | None = None) -> int:
        """Set ``district`` by point-in-polygon where it is empty; returns how many were set."""

    @abstractmethod
    def add_history(self, updates: Iterable[RequestUpdate], origin: str = "platform", author: str | None = None) -> int:
        """Store history entries by ``update_id`` (a repeat replaces); returns how many were new."""

    @abstractmethod
    def districts_extent(self) -> tuple[float, float, float, float] | None:
        """The box of the districts (``xmin, ymin, xmax, ymax`` in EPSG:4326); ``None`` without any."""

    # -- routing rules (core/routing_storage.py) -------------------------------
    @abstractmethod
    def routing_categories(self) -> list[tuple[str, str]]:
        """The category rules: ``(service_code, department)``."""

    @abstractmethod
    def routing_zones(self) -> list[dict[str, Any]]:
        """The zone rules by fid: ``fid, name, department, priority, wkb`` (ISO WKB in EPSG:4326 or ``None``)."""

    @abstractmethod
    def replace_routing_rules(
        self, categories: Iterable[tuple[str, str]], zones: Iterable[tuple[str, str, int, Any]]
    ) -> None:
        """Make these the routing rules: ``(service_code, department)`` and ``(name, department, priority,
        geometry)`` (WKT, GeoJSON); one transaction."""

    # -- reading -----------------------------------------------------------
    @abstractmethod
    def history(self, service_request_id: str) -> list[dict[str, Any]]: ...

    @abstractmethod
    def report(self, service_request_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def count(self, where: str | None = None, params: Sequence[Any] = ()) -> int: ...

    @abstractmethod
    def get_state(self, key: str, default: str | None = None) -> str | None: ...

    @abstractmethod
    def set_state(self, key: str, value: str | None) -> None: ...

    # -- platform profile (what the Open311 platform offers; core/open311/profile.py) --------
    def platform_profile(self) -> PlatformProfile | None:
        """The platform's profile as last probed or seen by a sync; ``None`` before the first."""
        return PlatformProfile.from_json(self.get_state(PLATFORM_PROFILE_KEY))

    def save_platform_profile(self, profile: PlatformProfile) -> None:
        """Keep ``profile`` in the workspace (one record, replaced each time)."""
        self.set_state(PLATFORM_PROFILE_KEY, profile.to_json())

    @abstractmethod
    def layer_uri(self, table: str = "reports") -> str:
        """Data source of a QGIS layer on ``table``."""

    @property
    @abstractmethod
    def provider(self) -> str:
        """QGIS provider key of :meth:`layer_uri` (``ogr`` or ``postgres``)."""

    # -- outbox ------------------------------------------------------------
    @abstractmethod
    def record_local_update(
        self, service_request_id: str, fields: dict[str, Any], author: str, base_version: int | None = None
    ) -> str:
        """Apply a user's change locally, add it to the history and queue it; returns the update_id.

        ``base_version``: the report's ``version`` the user saw; when it moved on since (someone else
        changed the report), nothing is written and :class:`VersionConflictError` is raised.
        """

    @abstractmethod
    def place_report(
        self, service_request_id: str, lat: float, lon: float, author: str, base_version: int | None = None
    ) -> dict[str, Any]:
        """Give a report a position by hand (a moderator's click on the map); returns the report's row.

        Kept locally (``position_source = 'placed_by_hand'``, who and when in ``position_note``): Open311
        has no call that changes a report's position, so nothing goes to the outbox. A later sync keeps
        it while the platform has no usable position (:func:`keeps_hand_position`). ``base_version`` as
        for :meth:`record_local_update` (:class:`VersionConflictError`).
        """

    # -- generic SQL (the workflow's and the panels' reading helpers) -----------
    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts; ``?`` placeholders on every backend; datetimes as store text."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One write statement (``?`` placeholders); joins the caller's transaction; returns the row count."""

    # -- deadlines ---------------------------------------------------------
    def _load_procedure(self) -> Procedure:
        """The current Procedure (:func:`core.deadlines.cached_procedure`); raises ``ProcedureError``."""
        return cached_procedure()

    def _deadline_columns(self) -> DeadlineColumns:
        """The deadline calculator of the current Procedure (the last good one if the file is broken)."""
        try:
            procedure = self._load_procedure()
        except ProcedureError as exc:
            if self._deadlines is None:
                log.warning("%s; deadlines use the built-in terms", exc)
                self._deadlines = DeadlineColumns(Procedure())
            return self._deadlines
        if self._deadlines is None or self._deadlines.procedure is not procedure:
            self._deadlines = DeadlineColumns(procedure)
        return self._deadlines

    @property
    def deadline_fingerprint(self) -> str:
        """Fingerprint of the Procedure the deadlines are computed with (see ``refresh_deadlines``)."""
        return self._deadline_columns().fingerprint

    @property
    def dialect(self) -> str:
        """SQL dialect of :meth:`query`: ``sqlite`` (GeoPackage) or ``postgres``."""
        return "postgres" if self.provider == "postgres" else "sqlite"

    @abstractmethod
    def refresh_deadlines(self, service_request_ids: Sequence[str] | None = None) -> int:
        """Recompute the assignment time and deadline of reports (all by default, e.g. after the Procedure
        changed); returns how many rows changed."""

    def sync_lock(self, wait_s: float = 0.0) -> AbstractContextManager[None]:
        """Hold the workspace's sync lock; :class:`SyncBusyError` when another sync keeps it past ``wait_s``."""
        from contextlib import nullcontext

        return nullcontext()

    def bulk_load(self) -> AbstractContextManager[bool]:
        """A block of many writes in many transactions (a full sync), yielding whether the backend deferred
        work (indexes) to its end; by default nothing is deferred."""
        from contextlib import nullcontext

        return nullcontext(False)

    @property
    @abstractmethod
    def closed(self) -> bool:
        """Closed, or its connection broke (the database restarted, the network went): open the store again."""

    def release_claims(self) -> int:
        """Give back the outbox entries this connection claimed and did not send (a shared outbox); returns
        how many. A store whose outbox only one user sends has none."""
        return 0

    @abstractmethod
    def pending_outbox(self, now: datetime | None = None, limit: int | None = None) -> list[OutboxEntry]: ...

    @abstractmethod
    def mark_outbox_sent(self, update_id: str, platform_updated_datetime: datetime | str | None = None) -> None: ...

    @abstractmethod
    def mark_outbox_failed(
        self,
        update_id: str,
        error: str,
        http_status: int | None = None,
        retry_at: datetime | None = None,
    ) -> None: ...

    @abstractmethod
    def mark_outbox_refused(self, update_id: str, reason: str, http_status: int | None = None) -> None: ...

    @abstractmethod
    def mark_outbox_conflict(self, update_id: str, reason: str, platform: dict[str, Any] | None = None) -> None: ...

    @abstractmethod
    def outbox_entries(self, states: Sequence[str] | None = None) -> list[OutboxEntry]: ...

    @abstractmethod
    def drop_outbox(self, update_id: str) -> None: ...

    @abstractmethod
    def reapply_outbox(self, update_id: str) -> None: ...

    # -- big reads (the figures, core/stats/) -------------------------------
    def records(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Rows of a SELECT as tuples in the order of its columns (``?`` placeholders, datetimes as store text).

        :meth:`query` without a dict per row, for reads of many rows (a city's history for the figures).
        """
        return [tuple(row.values()) for row in self.query(sql, params)]
