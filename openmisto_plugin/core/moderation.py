"""What the moderator reviews: the queue of reports waiting for moderation and a report's duplicate candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .deadlines import deadline_for
from .duplicates import DEFAULT_MAX_DAYS, DEFAULT_MAX_DISTANCE_M, candidate_query_params, find_duplicate_candidates
from .store.base import ReportStore
from .timeutil import from_store, now_utc
from .workdays import working_days_between
from .workflow import read_rows, report_of

QUEUE_CODES = ("for_triage", "investigating")


@dataclass(frozen=True)
class QueueItem:
    """One report waiting for the moderator."""

    fid: int
    service_request_id: str
    external_status_code: str
    service_code: str | None
    service_name: str | None
    district: str | None
    address: str | None
    description: str | None
    requested_datetime: datetime | None
    waited_working_days: int
    due: datetime | None
    overdue: bool
    version: int | None = None  # the report's version as listed (optimistic locking of the actions)
    has_position: bool = True  # False: the platform sent no usable position (to place by hand, issue 9)


def moderation_queue(
    store: ReportStore, now: datetime | None = None, codes: Sequence[str] = QUEUE_CODES
) -> list[QueueItem]:
    """Reports awaiting moderation (new, and accepted but not assigned), oldest first."""
    now = now or now_utc()
    marks = ",".join("?" * len(codes))
    rows = read_rows(
        store,
        "SELECT fid, service_request_id, external_status_code, status, service_code, service_name, district, address,"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        " description, requested_datetime, agency_responsible, version, lat FROM reports"
        f" WHERE external_status_code IN ({marks}) OR (external_status_code IS NULL AND status = 'open')"
        " ORDER BY requested_datetime IS NULL, requested_datetime, fid",
        codes,
    )
    items = []
    for row in rows:
        requested = from_store(row["requested_datetime"])
        deadline = deadline_for(row)
        items.append(
            QueueItem(
                fid=int(row["fid"]),
                service_request_id=row["service_request_id"],
                external_status_code=row["external_status_code"] or "for_triage",
                service_code=row["service_code"],
                service_name=row["service_name"],
                district=row["district"],
                address=row["address"],
                description=row["description"],
                requested_datetime=requested,
                waited_working_days=max(0, working_days_between(requested, now)) if requested else 0,
                due=deadline.due,
                overdue=deadline.is_overdue(now),
                version=None if row.get("version") is None else int(row["version"]),
                has_position=row.get("lat") is not None,
            )
        )
    return items


# --------------------------------------------------------------------------- duplicates


@dataclass(frozen=True)
class Candidate:
    """A possible original of a report: distance, days apart and what the moderator needs to judge."""

    service_request_id: str
    distance_m: float
    days_apart: float
    external_status_code: str | None
    description: str | None
    address: str | None
    requested_datetime: datetime | None


def duplicate_candidates(
    store: ReportStore,
    service_request_id: str,
    max_m: float = DEFAULT_MAX_DISTANCE_M,
    days: float = DEFAULT_MAX_DAYS,
) -> list[Candidate]:
    """Reports of the same category within ``max_m`` metres and ``days`` days, nearest first."""
    report = report_of(store, service_request_id)
    params = candidate_query_params(report, max_m, days)
    if params is None or params["start"] is None:
        return []
    rows = read_rows(
        store,
        "SELECT service_request_id, service_code, lat, long, requested_datetime, external_status_code, description,"
        " address FROM reports WHERE (service_code = ? OR (service_code IS NULL AND ? IS NULL))"
        " AND lat BETWEEN ? AND ? AND long BETWEEN ? AND ?"
        " AND requested_datetime BETWEEN ? AND ? AND service_request_id <> ?",
        (
            params["service_code"],
            params["service_code"],
            params["min_lat"],
            params["max_lat"],
            params["min_long"],
            params["max_long"],
            params["start"],
            params["end"],
            params["service_request_id"],
        ),
    )
    by_id = {r["service_request_id"]: r for r in rows}
    found = find_duplicate_candidates(report, rows, max_m, days)
    return [
        Candidate(
            c.candidate_id,
            c.distance_m,
            c.days_apart,
            by_id[c.candidate_id]["external_status_code"],
            by_id[c.candidate_id]["description"],
            by_id[c.candidate_id]["address"],
            from_store(by_id[c.candidate_id]["requested_datetime"]),
        )
        for c in found
    ]
