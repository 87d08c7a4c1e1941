"""Query parameters of list endpoints -> SQL conditions, order and page."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .auth import Principal
from .errors import ApiError
from .statuses import CLOSED_CODES, OPEN_CODES, STATUS_CODES
from .timefmt import BadDatetimeError, param_to_db, to_db

DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 10000
#: The highest page number accepted (its offset must fit SQLite's 64-bit integers with room to spare).
MAX_PAGE = 10**9
DEFAULT_WINDOW_DAYS = 90
DEFAULT_RADIUS_M = 1000.0
METRES_PER_DEGREE = 111320.0


@dataclass
class Query:
    """``WHERE`` conditions with their arguments, and the ``ORDER BY`` clause."""

    conditions: list[str] = field(default_factory=list)
    args: list = field(default_factory=list)
    order: str = "id"

    def add(self, condition: str, *args: object) -> None:
        self.conditions.append(condition)
        self.args.extend(args)

    @property
    def where(self) -> str:
        return " AND ".join(self.conditions) if self.conditions else "1 = 1"


@dataclass(frozen=True)
class Page:
    """1-based page number and its size."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def count(self, total: int) -> int:
        """Number of pages for ``total`` results (at least 1: an empty first page is still a page)."""
        return max(1, math.ceil(total / self.size))


def page_of(params: dict[str, str]) -> Page:
    number = _positive_int(params, "page", 1)
    size = _positive_int(params, "page_size", DEFAULT_PAGE_SIZE)
    if size > MAX_PAGE_SIZE:
        raise ApiError(400, f"page_size must be at most {MAX_PAGE_SIZE}.")
    if number > MAX_PAGE:
        raise ApiError(400, f"page must be at most {MAX_PAGE}.")
    return Page(number, size)


def _positive_int(params: dict[str, str], name: str, default: int) -> int:
    text = params.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number, not {text!r}.") from None
    if value < 1:
        raise ApiError(400, f"{name} must be 1 or more.")
    return value


def _datetime(params: dict[str, str], name: str) -> str | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        return param_to_db(name, text)
    except BadDatetimeError as error:
        raise ApiError(400, str(error)) from None


def _float(params: dict[str, str], name: str) -> float | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ApiError(400, f"{name} must be a number, not {text!r}.") from None
    if not math.isfinite(value):
        raise ApiError(400, f"{name} must be a finite number.")
    return value


def id_list(text: str) -> list[int]:
    """A comma list of request ids (anything that is not a whole number matches nothing)."""
    return [int(part) for part in (p.strip() for p in text.split(",")) if part.isdigit()]


def requests_query(params: dict[str, str], principal: Principal, now: datetime) -> Query:
    """Conditions and order for ``GET requests`` (see docs/server.md for the semantics)."""
    query = Query()
    visibility = principal.visibility_sql()
    if visibility:
        query.add(visibility[0], *visibility[1])

    ids_text = params.get("service_request_id", "").strip()
    if ids_text:
        ids = id_list(ids_text)
        query.add(f"id IN ({', '.join('?' * len(ids))})" if ids else "0 = 1", *ids)
        return query  # the ids override every other filter

    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        query.add(f"service_code IN ({', '.join('?' * len(codes))})", *codes)

    status_text = params.get("status", "").strip().lower()
    if status_text:
        wanted: list[str] = []
        for part in (p.strip() for p in status_text.split(",") if p.strip()):
            if part == "open":
                wanted += OPEN_CODES
            elif part == "closed":
                wanted += CLOSED_CODES
            elif part in STATUS_CODES:
                wanted.append(part)
            else:
                raise ApiError(400, f"status must be open or closed (or an external status code), not {part!r}.")
        query.add(f"external_status_code IN ({', '.join('?' * len(wanted))})", *wanted)

    start, end = _datetime(params, "start_date"), _datetime(params, "end_date")
    after, before = _datetime(params, "updated_after"), _datetime(params, "updated_before")
    if start:
        query.add("requested_utc >= ?", start)
    if end:
        query.add("requested_utc <= ?", end)
    if after:
        query.add("updated_utc > ?", after)
    if before:
        query.add("updated_utc < ?", before)
    if not (start or end or after):
        query.add("requested_utc >= ?", to_db(now - timedelta(days=DEFAULT_WINDOW_DAYS)))
    if after or before:
        query.order = "updated_utc, id"

    _add_radius(query, params)
    return query


def _add_radius(query: Query, params: dict[str, str]) -> None:
    lat, lon, radius = _float(params, "lat"), _float(params, "long"), _float(params, "radius")
    if lat is None and lon is None:
        if radius is not None:
            raise ApiError(400, "radius needs lat and long.")
        return
    if lat is None or lon is None:
        raise ApiError(400, "lat and long go together.")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ApiError(400, "lat must be within -90..90 and long within -180..180.")
    radius = DEFAULT_RADIUS_M if radius is None else radius
    if radius <= 0:
        raise ApiError(400, "radius must be more than 0 metres.")
    dlat = radius / METRES_PER_DEGREE
    dlon = radius / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6))
    query.add("lat BETWEEN ? AND ? AND long BETWEEN ? AND ?", lat - dlat, lat + dlat, lon - dlon, lon + dlon)
    query.add("distance_m(lat, long, ?, ?) <= ?", lat, lon, radius)


def updates_query(params: dict[str, str], principal: Principal) -> Query:
    """Conditions and order for ``GET servicerequestupdates`` (on ``updates u``)."""
    query = Query(order="u.updated_utc, u.seq")
    visibility = principal.update_visibility_sql()
    if visibility:
        query.add(visibility[0], *visibility[1])
    ids_text = params.get("service_request_id", "").strip()
    if ids_text:
        ids = id_list(ids_text)
        query.add(f"u.service_request_id IN ({', '.join('?' * len(ids))})" if ids else "0 = 1", *ids)
    for name, condition in (
        ("updated_after", "u.updated_utc > ?"),
        ("updated_before", "u.updated_utc < ?"),
        ("start_date", "u.updated_utc >= ?"),
        ("end_date", "u.updated_utc <= ?"),
    ):
        value = _datetime(params, name)
        if value:
            query.add(condition, value)
    return query
