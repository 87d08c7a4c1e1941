"""Duplicate candidates: distances checked against an independent haversine in the test."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

import pytest

from openmisto_plugin.core.duplicates import (
    bbox_for_radius,
    candidate_query_params,
    distance_m,
    find_duplicate_candidates,
)
from openmisto_plugin.core.model import ServiceRequest
from openmisto_plugin.core.timeutil import KYIV, to_store

R = 6371008.8  # mean Earth radius (m)
LAT, LONG = 47.653, 34.112
T0 = datetime(2026, 11, 2, 9, 14, tzinfo=KYIV)


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(a))


def destination(lat: float, lon: float, bearing_deg: float, metres: float) -> tuple[float, float]:
    """Point ``metres`` away on the sphere (independent of the code under test)."""
    p1, l1, b, d = math.radians(lat), math.radians(lon), math.radians(bearing_deg), metres / R
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), math.degrees(l2)


def report(rid: str, metres: float = 0, bearing: float = 0, days: float = 0, code: str = "roads.pothole", **kw):
    lat, lon = destination(LAT, LONG, bearing, metres)
    return {
        "service_request_id": rid,
        "service_code": code,
        "lat": lat,
        "long": lon,
        "requested_datetime": T0 + timedelta(days=days),
        **kw,
    }


def test_distance_matches_haversine() -> None:
    for bearing in (0, 45, 90, 180, 270):
        for metres in (1, 10, 49, 500, 5000):
            lat, lon = destination(LAT, LONG, bearing, metres)
            assert distance_m(LAT, LONG, lat, lon) == pytest.approx(haversine(LAT, LONG, lat, lon), rel=0.005)


def test_candidates_filtered_and_sorted() -> None:
    me = report("me")
    candidates = [
        report("far-40", 40, 90, days=-3),
        report("near-10", 10, 0, days=2),
        report("near-25", 25, 200, days=29.5),
        report("too-far", 55, 10),
        report("too-old", 5, 0, days=-31),
        report("too-late", 5, 0, days=30.5),
        report("other-category", 3, 0, code="lights.out"),
        report("hidden", 3, 0, external_status_code="hidden"),
        report("dup", 3, 0, external_status_code="duplicate"),
        report("me", 0, 0),
        report("no-date", 3, 0, requested_datetime=None),
        {**report("zero", 3), "lat": 0.0, "long": 0.0},
    ]
    found = find_duplicate_candidates(me, candidates)
    assert [c.candidate_id for c in found] == ["near-10", "near-25", "far-40"]
    for cand in found:
        src = next(c for c in candidates if c["service_request_id"] == cand.candidate_id)
        expected = haversine(LAT, LONG, src["lat"], src["long"])
        assert cand.distance_m == pytest.approx(expected, rel=0.005)
        assert cand.days_apart == pytest.approx(abs((src["requested_datetime"] - T0).total_seconds()) / 86400)
    candidate_id, _metres, days = found[0]  # a plain tuple
    assert (candidate_id, round(days, 3)) == ("near-10", 2.0)


def test_limits_are_configurable() -> None:
    me = report("me")
    candidates = [report("a", 80, 0, days=1), report("b", 30, 0, days=45)]
    assert find_duplicate_candidates(me, candidates) == []
    ids = [c.candidate_id for c in find_duplicate_candidates(me, candidates, max_distance_m=100, max_days=60)]
    assert ids == ["b", "a"]


def test_service_request_objects_and_store_text() -> None:
    me = ServiceRequest("1", LAT, LONG, service_code="roads.pothole", requested_datetime=T0)
    lat, lon = destination(LAT, LONG, 90, 20)
    other = {
        "service_request_id": 2,
        "service_code": "roads.pothole",
        "lat": str(lat),
        "long": lon,
        "requested_datetime": to_store(T0 + timedelta(days=1)),
    }
    found = find_duplicate_candidates(me, [other])
    assert [c.candidate_id for c in found] == ["2"]
    assert found[0].distance_m == pytest.approx(20, rel=0.005)


def test_report_without_position_or_date() -> None:
    assert find_duplicate_candidates(report("me", requested_datetime=None), [report("a", 1)]) == []
    assert find_duplicate_candidates({**report("me"), "lat": None}, [report("a", 1)]) == []


@pytest.mark.parametrize("lat", [0.0, 47.653, -33.9, 69.5, 89.9995])
def test_bbox_holds_the_circle(lat: float) -> None:
    rng = random.Random(311)
    radius = 50.0
    box = bbox_for_radius(lat, 34.112, radius)
    for _ in range(300):
        p_lat, p_lon = destination(lat, 34.112, rng.uniform(0, 360), radius * 0.999)
        assert box.min_lat <= p_lat <= box.max_lat
        assert box.min_long <= p_lon <= box.max_long or box.max_long - box.min_long >= 359


def test_bbox_is_not_much_bigger_than_needed() -> None:
    box = bbox_for_radius(LAT, LONG, 50)
    north_lat, _ = destination(LAT, LONG, 0, 50)
    _, east_lon = destination(LAT, LONG, 90, 50)
    assert box.max_lat - LAT < (north_lat - LAT) * 1.05
    assert box.max_long - LONG < (east_lon - LONG) * 1.05


def test_candidate_query_params() -> None:
    params = candidate_query_params(report("me"), max_distance_m=50, max_days=30)
    assert params is not None
    assert params["service_code"] == "roads.pothole" and params["service_request_id"] == "me"
    assert params["min_lat"] < LAT < params["max_lat"] and params["min_long"] < LONG < params["max_long"]
    assert params["start"] == to_store(T0 - timedelta(days=30))
    assert params["end"] == to_store(T0 + timedelta(days=30))
    assert candidate_query_params({"service_code": "x", "lat": None, "long": None}) is None
