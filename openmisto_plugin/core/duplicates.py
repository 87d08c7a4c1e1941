"""Duplicate candidates of a report (issue 3, item 3).

A candidate is another report of the same ``service_code`` within ``max_distance_m`` metres
(ellipsoidal distance on WGS84, ``QgsDistanceArea``) and ``max_days`` days (either way, from
``requested_datetime``), not itself closed as ``duplicate`` or ``hidden``; nearest first.

The store fetches candidates cheaply with :func:`candidate_query_params`: a bounding box in
degrees that surely holds the circle, and a time window, both SQL-friendly.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple

from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransformContext, QgsDistanceArea, QgsPointXY

from .reportfields import as_datetime, as_text, get_value
from .timeutil import to_store

log = logging.getLogger(__name__)

DEFAULT_MAX_DISTANCE_M = 50.0
DEFAULT_MAX_DAYS = 30
EXCLUDED_STATUSES = ("duplicate", "hidden")

# WGS84: equatorial radius, and the shortest length of one degree of latitude (at the equator).
_WGS84_A = 6378137.0
_MIN_METRES_PER_DEGREE_LAT = 110574.0
_MARGIN = 1.01  # 1 % more, so the box surely holds the circle


class DuplicateCandidate(NamedTuple):
    """One candidate: a plain ``(candidate_id, distance_m, days_apart)`` tuple."""

    candidate_id: str
    distance_m: float
    days_apart: float


@dataclass(frozen=True)
class BBox:
    """A box in degrees (EPSG:4326)."""

    min_long: float
    min_lat: float
    max_long: float
    max_lat: float


def bbox_for_radius(lat: float, long: float, radius_m: float) -> BBox:
    """A box in degrees that holds every point within ``radius_m`` metres of ``(lat, long)``.

    Degrees per metre are taken where they are largest (the shortest degree of latitude, the
    spherical degree of longitude at the latitude, which is shorter than the ellipsoidal one),
    plus 1 %, so the box is never too small. Near the poles the longitude range is the whole circle.
    """
    dlat = radius_m / _MIN_METRES_PER_DEGREE_LAT * _MARGIN
    metres_per_degree_long = math.pi / 180.0 * _WGS84_A * math.cos(math.radians(min(abs(lat) + dlat, 90.0)))
    too_close_to_pole = metres_per_degree_long <= radius_m
    dlong = 180.0 if too_close_to_pole else min(180.0, radius_m / metres_per_degree_long * _MARGIN)
    return BBox(
        min_long=max(-180.0, long - dlong),
        min_lat=max(-90.0, lat - dlat),
        max_long=min(180.0, long + dlong),
        max_lat=min(90.0, lat + dlat),
    )


def candidate_query_params(
    report: Any, max_distance_m: float = DEFAULT_MAX_DISTANCE_M, max_days: float = DEFAULT_MAX_DAYS
) -> dict[str, Any] | None:
    """Named parameters to prefilter candidates in SQL, or None when the report lacks a position.

    Fits ``service_code = :service_code AND lat BETWEEN :min_lat AND :max_lat AND long BETWEEN
    :min_long AND :max_long AND requested_datetime BETWEEN :start AND :end AND service_request_id
    <> :service_request_id``; ``start``/``end`` are store-format UTC text (None without a date).
    Candidates fetched this way are then checked by :func:`find_duplicate_candidates`.
    """
    lat, long = _coords(report)
    if lat is None or long is None:
        return None
    box = bbox_for_radius(lat, long, max_distance_m)
    when = as_datetime(get_value(report, "requested_datetime"))
    return {
        "service_code": as_text(get_value(report, "service_code")),
        "service_request_id": as_text(get_value(report, "service_request_id")),
        "min_lat": box.min_lat,
        "max_lat": box.max_lat,
        "min_long": box.min_long,
        "max_long": box.max_long,
        "start": to_store(when - timedelta(days=max_days)) if when else None,
        "end": to_store(when + timedelta(days=max_days)) if when else None,
    }


def distance_m(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Ellipsoidal (WGS84) distance in metres between two EPSG:4326 points."""
    return _distance_area().measureLine(QgsPointXY(long1, lat1), QgsPointXY(long2, lat2))


def find_duplicate_candidates(
    report: Any,
    candidates: Iterable[Any],
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    max_days: float = DEFAULT_MAX_DAYS,
    exclude_statuses: tuple[str, ...] = EXCLUDED_STATUSES,
) -> list[DuplicateCandidate]:
    """Candidates of the same category near the report in space and time, nearest first.

    ``report`` and each candidate are mappings, ``ServiceRequest``-like objects or ``QgsFeature``\\ s
    with ``service_request_id``, ``service_code``, ``lat``, ``long``, ``requested_datetime`` and
    optionally ``external_status_code``. The report itself, candidates without a position or date,
    and candidates in ``exclude_statuses`` are left out. Ties are ordered by days apart, then id.
    """
    code = as_text(get_value(report, "service_code"))
    own_id = as_text(get_value(report, "service_request_id"))
    lat, long = _coords(report)
    when = as_datetime(get_value(report, "requested_datetime"))
    if lat is None or long is None or when is None:
        log.debug("Report %s has no position or date: no duplicate candidates", own_id)
        return []
    measure = _distance_area()
    origin = QgsPointXY(long, lat)
    found: list[DuplicateCandidate] = []
    for candidate in candidates:
        candidate_id = as_text(get_value(candidate, "service_request_id"))
        if candidate_id is None or candidate_id == own_id:
            continue
        if as_text(get_value(candidate, "service_code")) != code:
            continue
        if (as_text(get_value(candidate, "external_status_code")) or "").lower() in exclude_statuses:
            continue
        c_lat, c_long = _coords(candidate)
        c_when = as_datetime(get_value(candidate, "requested_datetime"))
        if c_lat is None or c_long is None or c_when is None:
            continue
        days = abs((c_when - when).total_seconds()) / 86400.0
        if days > max_days:
            continue
        metres = measure.measureLine(origin, QgsPointXY(c_long, c_lat))
        if metres <= max_distance_m:
            found.append(DuplicateCandidate(candidate_id, metres, days))
    found.sort(key=lambda c: (c.distance_m, c.days_apart, c.candidate_id))
    return found


def _coords(obj: Any) -> tuple[float | None, float | None]:
    try:
        lat = float(get_value(obj, "lat"))
        long = float(get_value(obj, "long"))
    except (TypeError, ValueError):
        return None, None
    if not (math.isfinite(lat) and math.isfinite(long)) or (lat == 0 and long == 0):
        return None, None
    return lat, long


def _distance_area() -> QgsDistanceArea:
    measure = QgsDistanceArea()
    measure.setSourceCrs(QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateTransformContext())
    measure.setEllipsoid("WGS84")
    return measure
