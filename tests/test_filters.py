"""The report filter (core/filters/) on a real GeoPackage workspace made from the Pokrov generator.

Expected results are computed here independently of QGIS: ray casting over the generator's own district
rings, Web Mercator formulas, an ellipsoidal local-plane distance, Python string and date tests over the
raw rows read with ``sqlite3``.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from openmisto_plugin.core.deadlines import deadline_for
from openmisto_plugin.core.model import Service, ServiceRequest
from openmisto_plugin.core.statuses import open311_state
from openmisto_plugin.core.timeutil import KYIV, from_store, to_store

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
SEED = 7
REPORTS = 3000

# ---------------------------------------------------------------------------------------------- workspace


def build_workspace(gpkg: Path, reports: int = REPORTS, seed: int = SEED, now: datetime = NOW) -> Path:
    """Generator database -> store workspace (districts, services, departments, reports with deadlines)."""
    from openmisto_plugin.core.store.gpkg import GeoPackageStore, register_gpkg_functions
    from server.generate import generate

    server_db = gpkg.with_suffix(".server.sqlite")
    generate(server_db, reports=reports, seed=seed, now=now)
    src = sqlite3.connect(str(server_db))
    src.row_factory = sqlite3.Row
    store = GeoPackageStore.create(str(gpkg))
    try:
        names = {r["service_code"]: r["service_name"] for r in src.execute("SELECT * FROM services")}
        store.upsert_districts(
            (r["code"], r["name"], "POLYGON((" + ",".join(f"{x!r} {y!r}" for x, y in json.loads(r["ring_json"])) + "))")
            for r in src.execute("SELECT * FROM districts")
        )
        store.upsert_services(Service(code, name) for code, name in names.items())
        store.upsert_departments(dict(r) for r in src.execute("SELECT code, name FROM departments"))
        batch: list[ServiceRequest] = []
        deadlines: list[tuple[Any, ...]] = []
        for r in src.execute("SELECT * FROM requests ORDER BY id"):
            code = r["external_status_code"]
            batch.append(
                ServiceRequest(
                    str(r["id"]),
                    r["lat"],
                    r["long"],
                    status=open311_state(code),
                    external_status_code=code,
                    service_code=r["service_code"],
                    service_name=names.get(r["service_code"]),
                    description=r["description"],
                    agency_responsible=r["agency_responsible"],
                    requested_datetime=from_store(r["requested_utc"]),
                    updated_datetime=from_store(r["updated_utc"]),
                    expected_datetime=from_store(r["expected_utc"]),
                    address=r["address"],
                    district=r["district"],
                )
            )
            due = deadline_for(
                {
                    "external_status_code": code,
                    "service_code": r["service_code"],
                    "requested_datetime": r["requested_utc"],
                    "updated_datetime": r["updated_utc"],
                    "expected_datetime": r["expected_utc"],
                    "assigned_datetime": r["assigned_utc"],
                }
            )
            deadlines.append((r["assigned_utc"], to_store(due.due), due.stage, str(r["id"])))
            if len(batch) >= 5000:
                store.upsert_requests(batch, synced_at=now)
                batch = []
        store.upsert_requests(batch, synced_at=now)
    finally:
        store.close()
        src.close()
    # The deadline columns (attributes only: no geometry trigger is involved).
    conn = sqlite3.connect(str(gpkg))
    register_gpkg_functions(conn)  # the GeoPackage triggers call them
    with conn:
        conn.executemany(
            "UPDATE reports SET assigned_datetime = ?, deadline = ?, deadline_stage = ? WHERE service_request_id = ?",
            deadlines,
        )
    conn.close()
    return gpkg


def raw_rows(gpkg: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(str(gpkg))
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM reports ORDER BY fid")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, qgis_app: Any) -> Path:
    return build_workspace(tmp_path_factory.mktemp("filters") / "workspace.gpkg")


@pytest.fixture(scope="module")
def rows(workspace: Path) -> list[dict[str, Any]]:
    return raw_rows(workspace)


# ---------------------------------------------------------------------------------------------- independent geometry

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_E2 = WGS84_F * (2 - WGS84_F)


def point_in_ring(x: float, y: float, ring: Sequence[tuple[float, float]]) -> bool:
    """Even-odd ray casting."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """EPSG:3857 from degrees (spherical formulas)."""
    return WGS84_A * math.radians(lon), WGS84_A * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def local_xy(lon: float, lat: float, lon0: float, lat0: float) -> tuple[float, float]:
    """Metres east/north of (lon0, lat0) on the WGS 84 ellipsoid's local plane (exact to ~1e-5 in a town)."""
    phi = math.radians(lat0)
    w = math.sqrt(1 - WGS84_E2 * math.sin(phi) ** 2)
    n = WGS84_A / w
    m = WGS84_A * (1 - WGS84_E2) / w**3
    return n * math.cos(phi) * math.radians(lon - lon0), m * math.radians(lat - lat0)


def distance_to_line(lon: float, lat: float, line: Sequence[tuple[float, float]]) -> float:
    best = math.inf
    pts = [local_xy(x, y, lon, lat) for x, y in line]
    for (ax, ay), (bx, by) in zip(pts, pts[1:]):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def district_ring(code: str) -> list[tuple[float, float]]:
    from server.pokrov_data import district_rings

    return next(ring for c, _n, ring, _w in district_rings() if c == code)


def kyiv_date(store_text: str) -> date:
    return from_store(store_text).astimezone(KYIV).date()


# ---------------------------------------------------------------------------------------------- pure helpers


def test_glob_pattern_is_case_insensitive_for_cyrillic_and_escapes() -> None:
    from openmisto_plugin.core.escaping import glob_pattern

    assert glob_pattern("Вул") == "*[вВ][уУ][лЛ]*"
    assert glob_pattern("a*?[") == "*[aA][*][?][[]*"
    assert glob_pattern("п'ять").count("['’ʼ`]") == 1
    assert glob_pattern("12") == "*12*"


def test_attribute_where_sql() -> None:
    from openmisto_plugin.core.filters.model import ReportFilter
    from openmisto_plugin.core.filters.sql import attribute_where

    assert attribute_where(ReportFilter()) == ""
    sql = attribute_where(
        ReportFilter(
            statuses=["fixed", "in_progress"],
            categories=["roads.pothole"],
            departments=["roads", ""],
            date_from=date(2026, 1, 1),
            date_to=date(2026, 1, 31),
            overdue_only=True,
            text="O'Neil",
        ),
        now=NOW,
    )
    assert "\"external_status_code\" IN ('fixed', 'in_progress')" in sql
    assert "\"service_code\" = 'roads.pothole'" in sql
    assert '"agency_responsible" IS NULL' in sql
    # Kyiv midnight (UTC+2 in winter), the end date inclusive.
    assert "\"requested_datetime\" >= '2025-12-31T22:00:00.000Z'" in sql
    assert "\"requested_datetime\" < '2026-01-31T22:00:00.000Z'" in sql
    assert "\"deadline\" < '2026-03-01T00:00:00.000Z'" in sql
    assert "[oO][''’ʼ`][nN]" in sql  # the apostrophe class, quoted for SQL


def test_filter_json_round_trip() -> None:
    from qgis.core import QgsRectangle

    from openmisto_plugin.core.filters.model import ReportFilter

    flt = ReportFilter(
        statuses=["fixed"],
        date_from=date(2026, 1, 2),
        extent=QgsRectangle(1, 2, 3, 4),
        extent_crs="EPSG:3857",
        near_wkts=["LINESTRING(0 0, 1 1)"],
        near_crs="EPSG:4326",
        distance_m=25.5,
        text="Шевченка",
    )
    again = ReportFilter.from_json(flt.to_json())
    assert again == flt
    assert ReportFilter.from_json("{}").is_empty()
    with pytest.raises(ValueError):
        ReportFilter.from_json(json.dumps({"version": 99}))


def test_result_sql_picks_the_shorter_list() -> None:
    from openmisto_plugin.core.filters.model import FilterResult
    from openmisto_plugin.core.filters.sql import result_sql

    box = (1.0, 2.0, 3.0, 4.0)
    many_pass = FilterResult([1, 2, 3, 4], 4, "x = 1", box, [9])
    assert result_sql(many_pass).endswith('("fid" NOT IN (9))')
    assert "rtree_reports_geom" in result_sql(many_pass)
    few_pass = FilterResult([5], 1, "", box, [1, 2, 3])
    assert result_sql(few_pass) == '"fid" IN (5)'
    assert result_sql(many_pass, use_rtree=False) == '(x = 1) AND ("fid" IN (1,2,3,4))'
    assert result_sql(FilterResult([], 0, "", None, [], empty_space=True)) == "0"
    assert result_sql(FilterResult([1], 1, "a = 'b'")) == "a = 'b'"


# ---------------------------------------------------------------------------------------------- spatial filters


@pytest.mark.parametrize("codes", [["tsentralnyi"], ["zakhidnyi", "skhidnyi"]])
def test_district_filter_matches_ray_casting(workspace: Path, rows: list[dict], codes: list[str]) -> None:
    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.model import ReportFilter

    rings = [district_ring(c) for c in codes]
    expected = [r["fid"] for r in rows if any(point_in_ring(r["long"], r["lat"], ring) for ring in rings)]
    result = evaluate(ReportFilter(districts=codes), workspace)
    assert result.count == len(expected) > 100
    assert result.fids == expected
    # Independent of the platform's district attribute, but it agrees on the generated data.
    assert all(r["district"] in codes for r in rows if r["fid"] in set(result.fids))


def test_drawn_polygon_in_web_mercator(workspace: Path, rows: list[dict]) -> None:
    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.model import ReportFilter

    # A concave polygon drawn on a Web Mercator canvas.
    ring_ll = [
        (34.095, 47.640),
        (34.125, 47.642),
        (34.128, 47.665),
        (34.112, 47.652),
        (34.098, 47.662),
        (34.095, 47.640),
    ]
    ring = [mercator(x, y) for x, y in ring_ll]
    wkt = "POLYGON((" + ",".join(f"{x!r} {y!r}" for x, y in ring) + "))"
    expected = [r["fid"] for r in rows if point_in_ring(*mercator(r["long"], r["lat"]), ring)]
    result = evaluate(ReportFilter(polygon_wkt=wkt, polygon_crs="EPSG:3857"), workspace)
    assert len(expected) > 100
    # Straight edges in EPSG:3857 are densified before the transformation; points within a
    # few centimetres of an edge may differ.
    differ = set(result.fids) ^ set(expected)
    assert len(differ) <= 2, differ


def test_extent_filter_in_wgs84_and_in_web_mercator(workspace: Path, rows: list[dict]) -> None:
    from qgis.core import QgsRectangle

    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.model import ReportFilter

    xmin, ymin, xmax, ymax = 34.100, 47.645, 34.118, 47.660
    expected = [r["fid"] for r in rows if xmin <= r["long"] <= xmax and ymin <= r["lat"] <= ymax]
    result = evaluate(ReportFilter(extent=QgsRectangle(xmin, ymin, xmax, ymax), extent_crs="EPSG:4326"), workspace)
    assert result.fids == expected and len(expected) > 100

    (mx1, my1), (mx2, my2) = mercator(xmin, ymin), mercator(xmax, ymax)
    result = evaluate(ReportFilter(extent=QgsRectangle(mx1, my1, mx2, my2), extent_crs="EPSG:3857"), workspace)
    assert len(set(result.fids) ^ set(expected)) <= 2


@pytest.mark.parametrize(("distance", "crs"), [(150.0, "EPSG:4326"), (400.0, "EPSG:3857"), (0.0, "EPSG:4326")])
def test_distance_from_a_line(workspace: Path, rows: list[dict], distance: float, crs: str) -> None:
    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.model import ReportFilter

    street = [(34.090, 47.640), (34.108, 47.652), (34.121, 47.655), (34.140, 47.650)]
    coords = street if crs == "EPSG:4326" else [mercator(x, y) for x, y in street]
    wkt = "LINESTRING(" + ",".join(f"{x!r} {y!r}" for x, y in coords) + ")"
    result = evaluate(ReportFilter(near_wkts=[wkt], near_crs=crs, distance_m=distance), workspace)
    got = set(result.fids)
    tolerance = 0.05 + distance * 2e-5
    if distance == 0:
        assert got == set()
        return
    expected = inside = outside = 0
    for r in rows:
        dist = distance_to_line(r["long"], r["lat"], street)
        if dist <= distance:
            expected += 1
        if dist < distance - tolerance:
            inside += 1
            assert r["fid"] in got, (r["fid"], dist)
        elif dist > distance + tolerance:
            outside += 1
            assert r["fid"] not in got, (r["fid"], dist)
    assert expected > 50
    assert abs(result.count - expected) <= 1


def test_distance_from_several_geometries_and_a_park(workspace: Path, rows: list[dict]) -> None:
    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.model import ReportFilter

    park = [(34.110, 47.650), (34.114, 47.650), (34.114, 47.653), (34.110, 47.653), (34.110, 47.650)]
    pipe = [(34.095, 47.645), (34.100, 47.650)]
    wkts = [
        "POLYGON((" + ",".join(f"{x} {y}" for x, y in park) + "))",
        "LINESTRING(" + ",".join(f"{x} {y}" for x, y in pipe) + ")",
    ]
    result = evaluate(ReportFilter(near_wkts=wkts, near_crs="EPSG:4326", distance_m=100), workspace)
    got = set(result.fids)
    for r in rows:
        in_park = point_in_ring(r["long"], r["lat"], park)
        dist = (
            0.0
            if in_park
            else min(distance_to_line(r["long"], r["lat"], park), distance_to_line(r["long"], r["lat"], pipe))
        )
        if dist < 99.9:
            assert r["fid"] in got
        elif dist > 100.1:
            assert r["fid"] not in got


# ---------------------------------------------------------------------------------------------- attribute filters


def test_attribute_filters(workspace: Path, rows: list[dict]) -> None:
    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.model import UNASSIGNED, ReportFilter

    def check(flt: ReportFilter, keep) -> None:
        expected = [r["fid"] for r in rows if keep(r)]
        assert evaluate(flt, workspace).fids == expected
        assert expected, flt

    check(
        ReportFilter(statuses=["in_progress", "planned"]),
        lambda r: r["external_status_code"] in ("in_progress", "planned"),
    )
    category = rows[0]["service_code"]
    check(ReportFilter(categories=[category]), lambda r: r["service_code"] == category)
    check(ReportFilter(departments=["roads"]), lambda r: r["agency_responsible"] == "roads")
    check(
        ReportFilter(departments=["roads", UNASSIGNED]),
        lambda r: r["agency_responsible"] in ("roads", None, ""),
    )
    first, last = date(2026, 1, 10), date(2026, 1, 20)
    check(ReportFilter(date_from=first, date_to=last), lambda r: first <= kyiv_date(r["requested_datetime"]) <= last)
    check(ReportFilter(date_from=last), lambda r: kyiv_date(r["requested_datetime"]) >= last)
    # Free text: any case, Cyrillic included, every word.
    word = "ВИБОЇНА"
    check(ReportFilter(text=word), lambda r: word.lower() in (r["description"] or "").lower())
    check(
        ReportFilter(text="вул. шевченка"),
        lambda r: all(any(w in (r[c] or "").lower() for c in ("description", "address")) for w in ("вул.", "шевченка")),
    )
    rid = rows[1234]["service_request_id"]
    assert rows[1234]["fid"] in evaluate(ReportFilter(text=rid), workspace).fids


def test_overdue_uses_the_stored_deadline(workspace: Path, rows: list[dict]) -> None:
    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.model import ReportFilter

    now = to_store(NOW)
    expected = [r["fid"] for r in rows if r["status"] == "open" and r["deadline"] and r["deadline"] < now]
    assert len(expected) > 10
    assert evaluate(ReportFilter(overdue_only=True), workspace, now=NOW).fids == expected
    earlier = NOW - timedelta(days=30)
    fewer = evaluate(ReportFilter(overdue_only=True), workspace, now=earlier)
    assert fewer.count < len(expected)


def test_combined_filter(workspace: Path, rows: list[dict]) -> None:
    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.model import ReportFilter

    ring = district_ring("tsentralnyi")
    statuses = {"action_scheduled", "in_progress", "planned"}
    start = date(2025, 12, 1)
    flt = ReportFilter(districts=["tsentralnyi"], statuses=sorted(statuses), date_from=start, text="вул")
    expected = [
        r["fid"]
        for r in rows
        if point_in_ring(r["long"], r["lat"], ring)
        and r["external_status_code"] in statuses
        and kyiv_date(r["requested_datetime"]) >= start
        and ("вул" in (r["address"] or "").lower() or "вул" in (r["description"] or "").lower())
    ]
    result = evaluate(flt, workspace)
    assert result.fids == expected and len(expected) > 20
    # Two disjoint spatial criteria: nothing, without reading a report.
    west = ReportFilter(districts=["zakhidnyi"], near_wkts=["POINT(34.2 47.7)"], near_crs="EPSG:4326", distance_m=10)
    assert evaluate(west, workspace).count == 0


# ---------------------------------------------------------------------------------------------- the layer


def test_apply_to_layer_and_clear(workspace: Path, rows: list[dict]) -> None:
    from qgis.core import QgsVectorLayer

    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.map_layer import apply_to_layer, clear_layer_filter, is_filtered
    from openmisto_plugin.core.filters.model import ReportFilter

    layer = QgsVectorLayer(f"{workspace}|layername=reports", "reports", "ogr")
    assert layer.isValid()
    scope = "\"agency_responsible\" = 'ujkg'"
    layer.setSubsetString(scope)  # the officer's scope, set by someone else
    scoped = layer.featureCount()
    for flt in (
        ReportFilter(districts=["tsentralnyi"]),  # many pass: rtree box + NOT IN
        ReportFilter(near_wkts=["LINESTRING(34.09 47.64, 34.14 47.66)"], near_crs="EPSG:4326", distance_m=80),
        ReportFilter(statuses=["fixed"]),
    ):
        result = evaluate(flt, layer)  # the layer's scope is part of the evaluation
        assert all(rows[fid - 1]["agency_responsible"] == "ujkg" for fid in result.fids)
        assert apply_to_layer(layer, result)
        assert is_filtered(layer)
        uses_rtree = result.bbox is not None and len(result.rejected) < result.count
        assert ("rtree_reports_geom" in layer.subsetString()) == uses_rtree
        assert layer.featureCount() == result.count
        assert sorted(layer.allFeatureIds()) == result.fids
    assert clear_layer_filter(layer)
    assert not is_filtered(layer)
    assert layer.subsetString() == scope and layer.featureCount() == scoped


# ---------------------------------------------------------------------------------------------- saved filters


def test_saved_filter_reloads_the_same_result(workspace: Path, tmp_path: Path) -> None:
    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.model import ReportFilter
    from openmisto_plugin.core.filters.saved import delete_filter, list_filters, load_filter, save_filter
    from openmisto_plugin.core.store.gpkg import GeoPackageStore

    flt = ReportFilter(
        districts=["molodizhnyi"],
        statuses=["in_progress", "action_scheduled"],
        near_wkts=["POINT(34.125 47.655)"],
        near_crs="EPSG:4326",
        distance_m=900,
        text="вул",
    )
    first = evaluate(flt, workspace)
    assert first.count > 0
    save_filter(workspace, "Мій район", flt)
    store = GeoPackageStore.open(str(workspace))  # the same table through a store object
    try:
        save_filter(store, "other", ReportFilter(statuses=["fixed"]))
        assert list_filters(store) == ["other", "Мій район"]
        loaded = load_filter(store, "Мій район")
    finally:
        store.close()
    assert loaded == flt
    assert evaluate(loaded, workspace).fids == first.fids
    save_filter(workspace, "other", ReportFilter(statuses=["hidden"]))  # replace
    assert load_filter(workspace, "other").statuses == ["hidden"]
    assert delete_filter(workspace, "other") and not delete_filter(workspace, "other")
    assert list_filters(workspace) == ["Мій район"]
    assert load_filter(workspace, "nope") is None
    with pytest.raises(ValueError):
        save_filter(workspace, "  ", flt)


def test_postgres_text_pattern_matches_what_the_glob_matches() -> None:
    """The PostGIS filter's regular expression: the same letter classes as the GeoPackage's GLOB."""
    import re

    from openmisto_plugin.core.escaping import regex_pattern
    from openmisto_plugin.core.filters.model import FilterResult, ReportFilter
    from openmisto_plugin.core.filters.sql import attribute_where, result_sql
    from openmisto_plugin.core.store.workspace import POSTGRES

    pattern = regex_pattern("Вул.(1)")
    assert pattern == "[вВ][уУ][лЛ]\\.\\([1]\\)".replace("[1]", "1")
    assert re.search(pattern, "на ВУЛ.(1) біля") and not re.search(pattern, "вулX(1)")
    apostrophe = regex_pattern("п'ять")
    assert all(re.search(apostrophe, text) for text in ("П’ять", "пʼять", "п'ЯТЬ"))
    sql = attribute_where(ReportFilter(text="яма"), dialect=POSTGRES)
    assert (
        sql == "(\"description\" ~ '[яЯ][мМ][аА]' OR \"address\" ~ '[яЯ][мМ][аА]'"
        " OR \"service_request_id\" ~ '[яЯ][мМ][аА]')"
    )
    empty = FilterResult([], 0, "", None, [], empty_space=True)
    assert result_sql(empty, dialect=POSTGRES) == "FALSE"
    box = FilterResult([1, 2, 3], 3, "", (1.0, 2.0, 3.0, 4.0), [9])
    assert result_sql(box, dialect=POSTGRES) == (
        '("geom" && ST_MakeEnvelope(1.0, 2.0, 3.0, 4.0, 4326)) AND ("fid" NOT IN (9))'
    )
