"""Backend-neutral row helpers of the store: a :class:`ServiceRequest` as a report row, what an upsert
does with each row (new, changed, unchanged, a local change kept on top), the derived assignment time and
deadline, a local update as history and outbox rows, a position placed by hand.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from ..deadlines import ANSWER_CODES, MODERATION_CODES, PLANNED_CODES, Procedure, cached_procedure, deadline_for
from ..escaping import valid_code_rows
from ..model import RequestUpdate, Service, ServiceRequest
from ..positions import FLAG_FAR, FLAG_MISSING, SOURCE_HAND, SOURCE_PLATFORM
from ..reportfields import as_datetime
from ..statuses import CLOSED_CODES, STATUSES, open311_state
from ..timeutil import parse, to_store
from ..workdays import kyiv_date
from .records import (
    DERIVED_COLUMNS,
    LOCAL_FIELDS,
    PLATFORM_COLUMNS,
    POSITION_COLUMNS,
    OutboxEntry,
    StoreError,
)

log = logging.getLogger(__name__)


# One encoder for every row: ``json.dumps`` with options builds a new JSONEncoder per call.
_json_encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str).encode
_json_string = json.encoder.encode_basestring  # "text" with JSON escapes, not ASCII-only (C)


def _encode_json(value: dict[str, Any]) -> str:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)``; a dict of text is joined here
    (the usual ``extended``: about half the time of the encoder)."""
    parts = []
    for key in sorted(value):
        item = value[key]
        if key.__class__ is not str or item.__class__ is not str:
            return _json_encoder(value)
        parts.append(_json_string(key) + ": " + _json_string(item))
    return "{" + ", ".join(parts) + "}"


def _json(value: dict[str, Any] | None) -> str | None:
    if not value:
        return None
    return _encode_json(value)


# Store text of recently seen datetimes with a fixed offset (what the parser gives for W3C text; a page
# repeats many). Keyed by the datetime: equal instants give the same UTC text. Cleared when full.
_STORE_TEXT: dict[datetime, str] = {}
_STORE_TEXT_MAX = 20_000
_UTC = timezone.utc


def fast_store(value: datetime | None) -> str | None:
    """:func:`core.timeutil.to_store`, faster (``isoformat`` instead of ``strftime``, cached): the same text."""
    if value is None:
        return None
    if value.tzinfo.__class__ is not timezone:  # naive (= Kyiv) or a zone with DST: not cached (fold)
        if value.tzinfo is None:
            value = parse(value)  # naive = Kyiv, as everywhere
        return value.astimezone(_UTC).isoformat(timespec="milliseconds")[:23] + "Z"
    text = _STORE_TEXT.get(value)
    if text is None:
        text = value.astimezone(_UTC).isoformat(timespec="milliseconds")[:23] + "Z"
        if len(_STORE_TEXT) >= _STORE_TEXT_MAX:
            _STORE_TEXT.clear()
        _STORE_TEXT[value] = text
    return text


def request_row(req: ServiceRequest) -> dict[str, Any]:
    """The platform columns of a report row for ``req`` (datetimes in store form).

    Also ``assigned_datetime``: the platform's value (``None`` when it sent none), which stays in
    ``extended_json`` too, so the store can tell the platform's value from one taken from the history.
    """
    extended = req.extended
    assigned = getattr(req, "assigned_datetime", None)
    if assigned is not None and not (extended or {}).get("assigned_datetime"):
        extended = dict(extended or {})
        extended["assigned_datetime"] = assigned.isoformat()
    cached = _STORE_TEXT.get
    lat, lon = req.lat, req.long
    if lat is None or lon is None:
        lat = lon = None
    requested = req.requested_datetime
    updated = req.updated_datetime
    expected = req.expected_datetime
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
        # the cache first (a hit is the common case); fast_store on a miss or for a naive value
        "requested_datetime": None if requested is None else cached(requested) or fast_store(requested),
        "updated_datetime": None if updated is None else cached(updated) or fast_store(updated),
        "expected_datetime": None if expected is None else cached(expected) or fast_store(expected),
        "address": req.address,
        "media_url": req.media_url,
        "district": req.district,
        "duplicate_of": req.duplicate_of,
        "lat": None if lat is None else float(lat),
        "long": None if lon is None else float(lon),
        "extended_json": _encode_json(extended) if extended else None,
        "assigned_datetime": None if assigned is None else cached(assigned) or fast_store(assigned),
        "position_source": getattr(req, "position_source", None) or (None if lat is None else SOURCE_PLATFORM),
        "position_flag": FLAG_MISSING if lat is None else getattr(req, "position_flag", None),
        "position_note": getattr(req, "position_note", None),
    }


def keeps_hand_position(old: Mapping[str, Any] | None, row: Mapping[str, Any]) -> bool:
    """Does a stored position placed by hand stay over the platform's ``row``? Yes while the platform
    has no usable position (none, or one far outside the city): Open311 cannot carry ours back."""
    return (
        old is not None
        and old["position_source"] == SOURCE_HAND
        and (row["lat"] is None or row["position_flag"] == FLAG_FAR)
    )


def extent_points(rows: Iterable[Mapping[str, Any]]) -> tuple[list[float], list[float]]:
    """``(xs, ys)`` of the rows that count for the layer's extent: placed, not flagged far outside."""
    xs: list[float] = []
    ys: list[float] = []
    for row in rows:
        if row["lat"] is not None and row["position_flag"] != FLAG_FAR:
            xs.append(row["long"])
            ys.append(row["lat"])
    return xs, ys


def store_time(value: Any) -> str | None:
    """A datetime, store text or ISO text (naive = Kyiv) in store form; ``None`` when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) == 24 and value.endswith("Z") and value[10] == "T":
        return value  # already store form
    return to_store(as_datetime(value))


def assigned_value(platform: str | None, history_latest: str | None, local_latest: str | None) -> str | None:
    """``assigned_datetime`` of a report (store text).

    The platform's value when it sends one (a newer local assignment still counts: it is the one
    the user made since); otherwise the latest ``action_scheduled`` of the history.
    """
    if platform:
        return local_latest if local_latest and local_latest > platform else platform
    return history_latest


def procedure_fingerprint(procedure: Procedure) -> str:
    """Text that changes whenever the Procedure's terms change (to know when to recompute deadlines)."""
    categories = sorted((code, repr(terms)) for code, terms in procedure.categories.items())
    return repr((procedure.defaults, categories, procedure.end_of_working_day.isoformat()))


class DeadlineColumns:
    """``(deadline, deadline_stage)`` of report rows by :func:`core.deadlines.deadline_for`, cached.

    The due moment of the moderation and answer stages depends only on the terms and on the Kyiv
    date the term starts (the start day never counts, a term ends at the end of a working day), so
    results are cached per (stage, terms, start date); the planned stage keys on the planned date
    too. A cache miss calls :func:`deadline_for` on the row itself. One instance per Procedure.
    """

    def __init__(self, procedure: Procedure | None = None) -> None:
        self.procedure = procedure if procedure is not None else cached_procedure()
        self.fingerprint = procedure_fingerprint(self.procedure)
        self._cache: dict[tuple[Any, ...], tuple[str | None, str]] = {}
        self._dates: dict[str, Any] = {}
        self.misses = 0

    def _date(self, value: Any) -> Any:
        """Kyiv date of a store datetime (cached per UTC hour: Kyiv's offset is whole hours)."""
        if not value:
            return None
        if isinstance(value, str) and len(value) == 24 and value.endswith("Z"):
            hour = value[:13]
            day = self._dates.get(hour)
            if day is None:
                moment = as_datetime(value)
                day = self._dates[hour] = kyiv_date(moment) if moment else None
            return day
        moment = as_datetime(value)
        return kyiv_date(moment) if moment else None

    def columns(self, row: Any) -> tuple[str | None, str]:
        """``(deadline as store text or None, stage)`` of a row mapping with the report columns."""
        code = (row.get("external_status_code") or "").strip().lower()
        status = (row.get("status") or "").strip().lower()
        key: tuple[Any, ...]
        if code in CLOSED_CODES or (status == "closed" and code not in STATUSES):
            key = ("closed",)
        else:
            code = code or "for_triage"
            terms = self.procedure.terms_for((row.get("service_code") or "").strip() or None)
            if code in MODERATION_CODES:
                key = ("moderation", terms, self._date(row.get("requested_datetime")))
            elif code in ANSWER_CODES or code in PLANNED_CODES:
                # the same start as deadlines._assignment_time without a history
                start = (
                    row.get("assigned_datetime")
                    or (row.get("updated_datetime") if code == "action_scheduled" else None)
                    or row.get("requested_datetime")
                )
                if code in PLANNED_CODES:
                    key = ("planned", terms, self._date(start), row.get("expected_datetime"))
                else:
                    key = ("answer", terms, self._date(start))
            else:
                key = ("unknown", code)
        hit = self._cache.get(key)
        if hit is None:
            self.misses += 1
            deadline = deadline_for(row, self.procedure, history=())
            hit = self._cache[key] = (to_store(deadline.due), deadline.stage)
        return hit


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


# One planned upsert: (rows to insert, (row, fid, moved) to update, (sid, fid, *derived) to set, unchanged count).
RowPlan = tuple[list[dict[str, Any]], list[tuple[dict[str, Any], int, bool]], list[tuple[Any, ...]], int]


def assignment_candidates(rows: Mapping[str, dict[str, Any]], active: Mapping[str, Any]) -> list[str]:
    """Reports whose history's assignments are needed: the platform sends none, or a local one may be newer."""
    return [sid for sid, r in rows.items() if not r.get("assigned_datetime") or sid in active]


def plan_rows(
    rows: dict[str, dict[str, Any]],
    existing: Mapping[str, Any],
    active: Mapping[str, list[OutboxEntry]],
    assignments: Mapping[str, tuple[str | None, str | None]],
    deadlines: DeadlineColumns,
    note_platform_copy: Callable[[list[OutboxEntry], dict[str, Any]], None],
) -> RowPlan:
    """Decide per row of an upsert: new, updated or unchanged (with only the derived columns to set).

    ``rows`` (:func:`request_row` dicts, completed here) against ``existing`` (stored rows by id):
    a district filled locally stays while the point does not move; pending local changes (``active``
    outbox entries) stay on top, the platform's copy going to ``note_platform_copy``; the assignment
    time and deadline are derived. Returns ``(inserts, updates, derived, unchanged)``: ``updates`` as
    ``(row, fid, moved)``, ``derived`` as ``(sid, fid, *DERIVED_COLUMNS values)``.
    """
    inserts: list[dict[str, Any]] = []
    updates: list[tuple[dict[str, Any], int, bool]] = []
    derived: list[tuple[Any, ...]] = []
    unchanged = 0
    for sid, row in rows.items():
        old = existing.get(sid)
        if keeps_hand_position(old, row):
            for column in POSITION_COLUMNS:
                row[column] = old[column]
        moved = old is None or old["lat"] != row["lat"] or old["long"] != row["long"]
        if old is not None and row["district"] is None and not moved:
            row["district"] = old["district"]  # filled locally by point-in-polygon
        if sid in active:
            note_platform_copy(active[sid], row)
            for entry in active[sid]:
                row.update(local_columns(entry.payload))
        latest = assignments.get(sid)
        row.setdefault("assigned_datetime", None)
        if latest is not None:
            row["assigned_datetime"] = assigned_value(row["assigned_datetime"], *latest)
        row["deadline"], row["deadline_stage"] = deadlines.columns(row)
        if old is None:
            inserts.append(row)
        elif all(old[c] == row[c] for c in PLATFORM_COLUMNS):
            unchanged += 1
            if any(old[c] != row[c] for c in DERIVED_COLUMNS):  # e.g. the Procedure changed
                derived.append((sid, old["fid"], *(row[c] for c in DERIVED_COLUMNS)))
        else:
            updates.append((row, old["fid"], moved))
    return inserts, updates, derived, unchanged


def platform_copy(entries: list[OutboxEntry], row: dict[str, Any]) -> tuple[str, list[OutboxEntry]]:
    """The platform's version of a report with local changes (JSON text) and the entries to keep it in."""
    copy = json.dumps({c: row[c] for c in ("service_request_id", *PLATFORM_COLUMNS)}, ensure_ascii=False)
    stale = []
    for entry in entries:
        if entry.platform is not None and json.dumps(entry.platform, ensure_ascii=False) == copy:
            continue
        if entry.platform is None and row["updated_datetime"] == entry.expected_updated_datetime:
            continue  # the platform has not changed since the change was made
        stale.append(entry)
    return copy, stale


def undo_values(entries: list[OutboxEntry], removed_id: int) -> dict[str, Any]:
    """Report columns once entry ``removed_id`` is undone: the platform's values, then the other entries on top.

    ``entries``: the report's active entries and the removed one, by id. Platform truth is the newest
    platform copy, else the oldest entry's "before" values.
    """
    values: dict[str, Any] = {}
    for entry in reversed(entries):
        for column, value in entry.base.items():
            values[column] = value
    copies = [e.platform for e in entries if e.platform]
    if copies:
        newest = max(copies, key=lambda p: p.get("updated_datetime") or "")
        for column in list(values):
            if column in newest:
                values[column] = newest[column]
    for entry in entries:
        if entry.id != removed_id:
            values.update(local_columns(entry.payload))
    return values


def service_rows(services: Iterable[Service]) -> list[dict[str, Any]]:
    """``services`` table rows (a service with an invalid code is skipped with a logged reason)."""
    services = valid_code_rows(services, lambda s: s.service_code, "category")
    return [
        {
            "service_code": s.service_code,
            "service_name": s.service_name,
            "description": s.description,
            "group_name": s.group,
            "keywords": s.keywords if not isinstance(s.keywords, (list, tuple)) else ",".join(s.keywords),
            "type": s.type,
            "metadata": 1 if s.metadata else 0,
        }
        for s in services
    ]


def department_rows(departments: Iterable[Any]) -> list[dict[str, Any]]:
    """``departments`` table rows from dicts (or objects) with ``code``, ``name`` and the officer's contacts."""
    cols = ("code", "name", "officer_name", "officer_phone", "officer_email")
    rows = []
    for dep in departments:
        get = dep.get if isinstance(dep, dict) else (lambda k, d=dep: getattr(d, k, None))
        if not get("code"):
            continue
        rows.append({c: get(c) for c in cols})
    return valid_code_rows(rows, lambda r: r["code"], "department")


def valid_requests(requests: Iterable[ServiceRequest]) -> list[ServiceRequest]:
    """The reports whose ``service_request_id`` is a valid code (others skipped with a logged reason)."""
    return valid_code_rows(requests, lambda r: r.service_request_id, "report")


def district_rows(districts: Iterable[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
    """``(code, name, geometry)`` of the districts whose code is valid (others skipped, logged)."""
    return valid_code_rows(districts, lambda d: d[0], "district")


def history_params(
    update: RequestUpdate,
    author: str | None,
    origin: str,
    store: Callable[[Any], str | None] = fast_store,
) -> tuple[Any, ...]:
    """Values of :data:`HISTORY_COLUMNS` for ``update`` (its time in store form by ``store``)."""
    return (
        str(update.update_id),
        str(update.service_request_id),
        update.status,
        update.external_status_code,
        store(update.updated_datetime),
        update.description,
        update.agency_responsible,
        update.media_url,
        author,
        origin,
    )


def local_update_params(
    update_id: str,
    sid: str,
    row: Mapping[str, Any],
    fields: dict[str, Any],
    columns: dict[str, Any],
    author: str,
    now: str | None,
    payload: dict[str, Any],
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Values of a local change's history entry and outbox entry, on the report ``row`` before the change.

    History: ``update_id, service_request_id, status, external_status_code, updated_datetime, description,
    agency_responsible, media_url, author`` (origin 'local'). Outbox: ``update_id, service_request_id,
    payload_json, base_version, expected_updated_datetime, created_at, next_attempt_at, author, base_json``.
    """
    history = (
        update_id,
        sid,
        columns.get("status", row["status"]),
        columns.get("external_status_code", row["external_status_code"]),
        now,
        fields.get("description"),
        columns.get("agency_responsible", row["agency_responsible"]),
        fields.get("media_url"),
        author,
    )
    outbox = (
        update_id,
        sid,
        json.dumps(payload, ensure_ascii=False),
        row["version"],
        row["updated_datetime"],
        now,
        now,
        author,
        json.dumps({c: row[c] for c in columns}, ensure_ascii=False),
    )
    return history, outbox


def placement(lat: float, lon: float, author: str, now: str, before: Mapping[str, Any]) -> dict[str, Any]:
    """Report columns of a position placed by hand at ``lat``/``lon`` (checked) on the report ``before``."""
    from ..i18n import tr

    lat, lon = float(lat), float(lon)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        raise StoreError(tr("Not a position on the map: latitude {lat}, longitude {lon}.").format(lat=lat, lon=lon))
    note = f"placed by {author or '?'} at {now}"
    if before["position_note"] and before["position_source"] != SOURCE_HAND:
        note += f"; platform: {before['position_note']}"
    elif before["lat"] is not None and before["position_source"] != SOURCE_HAND:
        note += f"; platform: lat={before['lat']}, long={before['long']}"
    return {"lat": lat, "long": lon, "position_source": SOURCE_HAND, "position_flag": None, "position_note": note}


def wire_payload(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` made JSON-safe for the outbox (datetimes as W3C strings)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out
