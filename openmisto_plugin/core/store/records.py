"""The store's records: report columns, outbox states and entries, upsert counts, and its errors.

Shared by the interface (:mod:`.base`), the row helpers (:mod:`.rows`) and the SQL (:mod:`.sql`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

PENDING, SENT, REFUSED, CONFLICT = "pending", "sent", "refused", "conflict"
#: The ``sync_state`` key holding the platform profile (JSON of ``open311.profile.PlatformProfile``).
PLATFORM_PROFILE_KEY = "platform_profile"
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
    "position_source",
    "position_flag",
    "position_note",
)
# The position of a report: a position placed by hand stays while the platform has no usable one.
POSITION_COLUMNS: tuple[str, ...] = ("lat", "long", "position_source", "position_flag", "position_note")

# Report columns the store computes: the assignment time (the platform's, else the latest
# ``action_scheduled`` of the history) and the deadline of the current stage (core.deadlines).
DERIVED_COLUMNS: tuple[str, ...] = ("assigned_datetime", "deadline", "deadline_stage")

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


class SyncBusyError(StoreError):
    """Another sync holds the workspace's sync lock."""


class VersionConflictError(StoreError):
    """The report changed since the user read it (optimistic locking): nothing was written.

    ``theirs`` is the report as it is now, ``mine`` the change that was refused; the GUI shows both,
    as for a 409 from the platform, and the user applies again on the new version or drops it.
    """

    def __init__(self, message: str, service_request_id: str, base_version: int, current: dict[str, Any], mine: dict):
        super().__init__(message)
        self.service_request_id = service_request_id
        self.base_version = base_version
        self.current_version = int(current.get("version") or 0)
        self.theirs = current
        self.mine = mine


def version_conflict(
    current: dict[str, Any], base_version: int, mine: dict[str, Any], who: str | None
) -> VersionConflictError:
    """The :class:`VersionConflictError` of a change made on ``base_version`` of a report now at ``current``."""
    from ..i18n import tr

    message = tr(
        "Report {id} was changed meanwhile by {who} (version {theirs}; you edited version {yours}). "
        "Check the new values and apply your change again."
    ).format(
        id=current["service_request_id"], who=who or tr("another user"), theirs=current["version"], yours=base_version
    )
    return VersionConflictError(message, str(current["service_request_id"]), int(base_version), current, mine)


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


def outbox_entry(row: Any) -> OutboxEntry:
    """An :class:`OutboxEntry` from an ``outbox`` row mapping (JSON columns as text)."""
    return OutboxEntry(
        id=row["id"],
        update_id=row["update_id"],
        service_request_id=row["service_request_id"],
        payload=json.loads(row["payload_json"] or "{}"),
        expected_updated_datetime=row["expected_updated_datetime"],
        created_at=row["created_at"],
        state=row["state"],
        attempts=row["attempts"] or 0,
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        http_status=row["http_status"],
        author=row["author"],
        base_version=row["base_version"],
        base=json.loads(row["base_json"] or "{}"),
        platform=json.loads(row["platform_json"]) if row["platform_json"] else None,
        sent_at=row["sent_at"],
        platform_updated_datetime=row["platform_updated_datetime"],
    )


# Columns of a history entry as written by ``add_history``, and what a repeat of an entry replaces.
HISTORY_COLUMNS: tuple[str, ...] = (
    "update_id",
    "service_request_id",
    "status",
    "external_status_code",
    "updated_datetime",
    "description",
    "agency_responsible",
    "media_url",
    "author",
    "origin",
)
HISTORY_SETS = ", ".join(f"{c} = excluded.{c}" for c in HISTORY_COLUMNS[1:] if c not in ("author", "origin"))
