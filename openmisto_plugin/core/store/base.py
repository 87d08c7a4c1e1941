"""What every store backend promises (GeoPackage now, PostGIS later), and the logic they share.

The GUI, the sync, the rules and the stats talk to :class:`ReportStore` only.
Helpers here are backend-neutral: turning a :class:`ServiceRequest` into a row,
mapping a local update to report columns, the retry backoff.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..model import RequestUpdate, Service, ServiceRequest
from ..statuses import open311_state
from ..timeutil import to_store
from .schema import SchemaError, SchemaTooNewError

__all__ = [
    "ACTIVE_STATES",
    "LOCAL_FIELDS",
    "OUTBOX_STATES",
    "PLATFORM_COLUMNS",
    "OutboxEntry",
    "ReportStore",
    "SchemaError",
    "SchemaTooNewError",
    "StoreError",
    "UpsertCounts",
    "backoff",
    "local_columns",
    "request_row",
]

PENDING, SENT, REFUSED, CONFLICT = "pending", "sent", "refused", "conflict"
OUTBOX_STATES = (PENDING, SENT, REFUSED, CONFLICT)
# Entries whose change is shown locally and still to be settled with the platform.
ACTIVE_STATES = (PENDING, CONFLICT)

# Report columns that come from the platform (compared to decide "unchanged").
PLATFORM_COLUMNS: tuple[str, ...] = (
    "status",
    "external_status_code",
    "service_code",
    "service_name",
    "description",
    "agency_responsible",
    "service_notice",
    "status_notes",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "media_url",
    "district",
    "duplicate_of",
    "lat",
    "long",
    "extended_json",
)

# Keys of a local update (the servicerequestupdates fields) -> the report column they change.
# ``description`` of an update is the answer to the citizen: it becomes ``status_notes``.
LOCAL_FIELDS: dict[str, str] = {
    "status": "status",
    "external_status_code": "external_status_code",
    "agency_responsible": "agency_responsible",
    "description": "status_notes",
    "service_code": "service_code",
    "duplicate_of": "duplicate_of",
    "expected_datetime": "expected_datetime",
}

BACKOFF_FIRST_S = 30
BACKOFF_MAX_S = 3600


class StoreError(Exception):
    """A store operation that cannot be done (unknown report, wrong outbox state…)."""


@dataclass
class UpsertCounts:
    """What an upsert did: rows inserted, changed, and left as they were."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged)

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


@dataclass
class OutboxEntry:
    """One local change waiting for (or settled with) the platform."""

    id: int
    update_id: str
    service_request_id: str
    payload: dict[str, Any]
    expected_updated_datetime: str | None
    created_at: str
    state: str
    attempts: int = 0
    next_attempt_at: str | None = None
    last_error: str | None = None
    http_status: int | None = None
    author: str | None = None
    base_version: int | None = None
    base: dict[str, Any] = field(default_factory=dict)
    platform: dict[str, Any] | None = None
    sent_at: str | None = None
    platform_updated_datetime: str | None = None


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failures: 30 s, 1 min, 2 min… at most 1 h."""
    seconds = BACKOFF_FIRST_S * (2 ** max(0, attempts - 1))
    return timedelta(seconds=min(seconds, BACKOFF_MAX_S))


def _json(value: dict[str, Any] | None) -> str | None:
    if not value:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def request_row(req: ServiceRequest) -> dict[str, Any]:
    """The platform columns of a report row for ``req`` (datetimes in store form)."""
    extended = dict(req.extended or {})
    return {
        "service_request_id": str(req.service_request_id),
        "status": req.status,
        "external_status_code": req.external_status_code,
        "service_code": req.service_code,
        "service_name": req.service_name,
        "description": req.description,
        "agency_responsible": req.agency_responsible,
        "service_notice": req.service_notice,
        "status_notes": req.status_notes,
        "requested_datetime": to_store(req.requested_datetime),
        "updated_datetime": to_store(req.updated_datetime),
        "expected_datetime": to_store(req.expected_datetime),
        "address": req.address,
        "media_url": req.media_url,
        "district": req.district,
        "duplicate_of": req.duplicate_of,
        "lat": float(req.lat),
        "long": float(req.long),
        "extended_json": _json(extended),
    }


def local_columns(fields: dict[str, Any]) -> dict[str, Any]:
    """Report columns changed by a local update with ``fields`` (wire keys)."""
    columns: dict[str, Any] = {}
    for key, column in LOCAL_FIELDS.items():
        if key not in fields:
            continue
        value = fields[key]
        if isinstance(value, datetime):
            value = to_store(value)
        columns[column] = value
    if "external_status_code" in columns and "status" not in columns and columns["external_status_code"]:
        columns["status"] = open311_state(columns["external_status_code"])
    return columns


def wire_payload(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` made JSON-safe for the outbox (datetimes as W3C strings)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


class ReportStore(ABC):
    """The store: reports, reference tables, history, outbox and sync state.

    Every write method joins the caller's :meth:`transaction` when there is one
    and otherwise runs in its own.
    """

    path: str

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
    def upsert_services(self, services: Iterable[Service]) -> UpsertCounts: ...

    @abstractmethod
    def upsert_departments(self, departments: Iterable[dict[str, Any]]) -> UpsertCounts: ...

    @abstractmethod
    def upsert_districts(self, districts: Iterable[tuple[str, str, Any]]) -> UpsertCounts:
        """``(code, name, geometry)``; the geometry as WKT, a GeoJSON dict or GeoJSON text."""

    @abstractmethod
    def fill_districts(self, service_request_ids: Sequence[str] | None = None) -> int:
        """Set ``district`` by point-in-polygon where it is empty; returns how many were set."""

    @abstractmethod
    def add_history(self, updates: Iterable[RequestUpdate], origin: str = "platform", author: str | None = None) -> int:
        """Store history entries by ``update_id`` (a repeat replaces); returns how many were new."""

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

    @abstractmethod
    def layer_uri(self, table: str = "reports") -> str:
        """Data source of a QGIS layer on ``table``."""

    @property
    @abstractmethod
    def provider(self) -> str:
        """QGIS provider key of :meth:`layer_uri` (``ogr`` or ``postgres``)."""

    # -- outbox ------------------------------------------------------------
    @abstractmethod
    def record_local_update(self, service_request_id: str, fields: dict[str, Any], author: str) -> str:
        """Apply a user's change locally, add it to the history and queue it; returns the update_id."""

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
