"""Issue 9, item 6: no citizen report is dropped for its position.

Real answers (San Francisco and Bloomington with address-only reports, Helsinki with a swapped Turku record)
and the reference server's Pokrov reports with their lat/long swapped, through the parser, both stores, the
sync (the GUI's task and ``openmisto:sync``), the layer, the filters and the map tool.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from openmisto_plugin.core import city_area, positions
from openmisto_plugin.core.open311.client import Open311Client
from openmisto_plugin.core.open311.parser import parse_requests
from openmisto_plugin.core.store.gpkg import GeoPackageStore

DATA = Path(__file__).resolve().parent / "data" / "open311"
STATUS = DATA / "realworld" / "open311status"
SF_REQUESTS = STATUS / "san_francisco_requests.xml"
SF_SERVICES = STATUS / "san_francisco_services.xml"
BLOOMINGTON_REQUESTS = STATUS / "bloomington_requests.json"
HELSINKI_REQUESTS = DATA / "helsinki" / "requests.json"
POKROV = (33.95, 47.55, 34.30, 47.75)
KYIV_POINT = (50.4501, 30.5234)  # lat, long: 370 km from Pokrov


# ------------------------------------------------------------------ reading the files without the parser


def _raw_records(path: Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    """``id -> (lat, long, address)`` as the file writes them (text), read with json / ElementTree only."""
    out = {}
    if path.suffix == ".json":
        for record in json.loads(path.read_text(encoding="utf-8")):
            values = [record.get(k) for k in ("lat", "long", "address")]
            out[str(record["service_request_id"])] = tuple(None if v is None else str(v) for v in values)
        return out
    for request in ET.parse(path).getroot():
        fields = {child.tag.rsplit("}", 1)[-1]: (child.text or "") for child in request}
        out[fields["service_request_id"].strip()] = (fields.get("lat"), fields.get("long"), fields.get("address"))
    return out


def _unusable(lat: str | None, lon: str | None) -> bool:
    try:
        la, lo = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True
    return (la == 0 and lo == 0) or not (-90 <= la <= 90 and -180 <= lo <= 180)


# ------------------------------------------------------------------ parser


@pytest.mark.parametrize(("path", "dropped_before"), [(SF_REQUESTS, 9), (BLOOMINGTON_REQUESTS, 8)], ids=["sf", "bl"])
def test_real_reports_without_a_usable_position_are_kept(path: Path, dropped_before: int):
    raw = _raw_records(path)
    expected = {rid for rid, (lat, lon, _) in raw.items() if _unusable(lat, lon)}
    assert len(expected) == dropped_before  # what the issue counted as dropped
    page = parse_requests(path.read_bytes())
    assert not page.skipped
    assert {r.service_request_id for r in page.requests} == set(raw)
    assert {r.service_request_id for r in page.without_position} == expected
    for request in page.without_position:
        assert request.lat is None and request.long is None and request.position_source is None
        assert request.position_flag == "missing" and request.position_note
        address = raw[request.service_request_id][2]
        assert request.address == ((address or "").strip() or None)
    placed = [r for r in page.requests if r.lat is not None]
    assert all(r.position_source == "platform" and r.position_flag is None for r in placed)


def test_bulk_area_ignores_outliers_and_needs_enough_points():
    page = parse_requests(HELSINKI_REQUESTS.read_bytes())
    points = [(r.lat, r.long) for r in page.requests]
    area = positions.bulk_area(points)
    assert area is not None
    assert positions.inside(area, 60.1852955, 24.9364543)  # Helsinki
    assert not positions.inside(area, 22.266944, 60.451667)  # the swapped Turku record
    assert not positions.inside(area, 60.451667, 22.266944)  # Turku itself is not Helsinki either
    assert positions.bulk_area(points[:3]) is None
    assert positions.bulk_area([(0.0, 0.0)] * 20) is None  # "unknown" sentinels are no positions


def test_far_outside_means_beyond_the_margin():
    assert not positions.far_outside(POKROV, 47.80, 34.10)  # a village just north of the box
    assert positions.far_outside(POKROV, *KYIV_POINT)
    assert not positions.far_outside(None, *KYIV_POINT)  # no area, no judgement
    grown = positions.grown(POKROV)
    assert grown[1] == pytest.approx(POKROV[1] - positions.FAR_KM / 111.32)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("33.95, 47.55, 34.30, 47.75", POKROV),
        ("33.95 47.55 34.3 47.75", POKROV),
        ("", None),
        ("  ", None),
    ],
)
def test_city_area_text(text, expected):
    assert positions.parse_bbox(text) == expected
    if expected:
        assert positions.parse_bbox(positions.format_bbox(expected)) == expected


@pytest.mark.parametrize("text", ["33.95, 47.55, 34.30", "a, b, c, d", "34.3, 47.55, 33.95, 47.75", "0, 0, 200, 10"])
def test_city_area_text_refused(text):
    with pytest.raises(ValueError):
        positions.parse_bbox(text)


def test_pokrov_records_swapped_are_repaired_against_the_area_and_far_ones_flagged(refserver):
    """Real records of the reference server's Pokrov, swapped: repaired with the city's area; without one,
    the bulk of the same answer stands for it; a far point is kept, flagged."""
    import urllib.request

    url = refserver.url("requests.json?api_key=moderator-key&start_date=2000-01-01&extensions=true&page_size=60")
    with urllib.request.urlopen(url) as response:
        records = [r for r in json.loads(response.read()) if r.get("lat") is not None][:40]
    swapped_ids = [r["service_request_id"] for r in records[:6]]
    original = {r["service_request_id"]: (r["lat"], r["long"]) for r in records}
    for record in records[:6]:
        record["lat"], record["long"] = record["long"], record["lat"]
    far_id = records[6]["service_request_id"]
    records[6]["lat"], records[6]["long"] = KYIV_POINT
    body = json.dumps(records).encode()
    for area in (POKROV, None):  # Settings' area; the bulk of the answer
        page = parse_requests(body, expected_bbox=area)
        by_id = {r.service_request_id: r for r in page.requests}
        assert len(by_id) == len(records) and not page.skipped
        for sid in swapped_ids:
            assert (by_id[sid].lat, by_id[sid].long) == original[sid]
            assert by_id[sid].position_source == "repaired_swap" and str(original[sid][0]) in by_id[sid].position_note
        assert by_id[far_id].position_flag == "far_outside" and (by_id[far_id].lat, by_id[far_id].long) == KYIV_POINT
        others = [r for sid, r in by_id.items() if sid not in swapped_ids and sid != far_id]
        assert all(r.position_source == "platform" and r.position_flag is None for r in others)
    # a lone swapped record without an area cannot be told from a real far-away point: kept as sent
    (alone,) = parse_requests(json.dumps(records[:1]).encode()).requests
    assert (alone.lat, alone.long) == original[swapped_ids[0]][::-1] and alone.position_source == "platform"


# ------------------------------------------------------------------ both stores


@pytest.fixture(params=["gpkg", "postgis"])
def store(request, tmp_path):
    if request.param == "postgis":
        yield request.getfixturevalue("pg_store")
        return
    s = GeoPackageStore.create(str(tmp_path / "ws.gpkg"))
    yield s
    s.close()


def _one(store, sql: str, params=()):
    rows = store.query(sql, params)
    return next(iter(rows[0].values())) if rows else None


def test_reports_without_position_are_stored_without_geometry_and_a_hand_placement_stays(store):
    page = parse_requests(SF_REQUESTS.read_bytes())
    missing = sorted(r.service_request_id for r in page.without_position)
    counts = store.upsert_requests(page.requests)
    assert counts.new == 56
    assert _one(store, "SELECT count(*) FROM reports WHERE geom IS NULL") == 9
    assert _one(store, "SELECT count(*) FROM reports WHERE lat IS NULL AND position_flag = 'missing'") == 9
    assert _one(store, "SELECT count(*) FROM reports WHERE geom IS NOT NULL AND position_source = 'platform'") == 47
    assert store.upsert_requests(parse_requests(SF_REQUESTS.read_bytes()).requests).unchanged == 56

    sid = missing[0]
    before = store.report(sid)
    row = store.place_report(sid, 37.7749, -122.4194, "moderator", base_version=before["version"])
    assert (row["lat"], row["long"], row["position_source"], row["position_flag"]) == (
        37.7749,
        -122.4194,
        "placed_by_hand",
        None,
    )
    assert row["version"] == before["version"] + 1 and "moderator" in row["position_note"]
    assert "0,0" in row["position_note"]  # the platform's reason is kept beside who placed it
    assert _one(store, "SELECT count(*) FROM reports WHERE geom IS NULL") == 8
    assert store.outbox_entries() == []  # Open311 has no call for a position: nothing is queued

    # the next sync, the platform still without a position: the placement stays (and nothing changed)
    again = store.upsert_requests(parse_requests(SF_REQUESTS.read_bytes()).requests)
    assert again.unchanged == 56
    kept = store.report(sid)
    assert (kept["lat"], kept["long"], kept["position_source"]) == (37.7749, -122.4194, "placed_by_hand")
    # a far-away point from the platform does not replace it either; a real position does
    (request,) = [r for r in page.requests if r.service_request_id == sid]
    far = dataclasses.replace(request, lat=0.5, long=0.5, position_source="platform", position_flag="far_outside")
    store.upsert_requests([far])
    assert store.report(sid)["position_source"] == "placed_by_hand"
    real = dataclasses.replace(request, lat=37.78, long=-122.41, position_source="platform", position_flag=None)
    store.upsert_requests([real])
    now = store.report(sid)
    assert (now["lat"], now["long"], now["position_source"]) == (37.78, -122.41, "platform")


def test_placing_refuses_a_stale_view_and_nonsense(store):
    from openmisto_plugin.core.store import StoreError, VersionConflictError

    page = parse_requests(BLOOMINGTON_REQUESTS.read_bytes())
    store.upsert_requests(page.requests)
    sid = page.without_position[0].service_request_id
    version = store.report(sid)["version"]
    with pytest.raises(VersionConflictError):
        store.place_report(sid, 39.16, -86.53, "moderator", base_version=version - 1)
    with pytest.raises(StoreError):
        store.place_report(sid, 95.0, -86.53, "moderator")
    with pytest.raises(StoreError):
        store.place_report("no such report", 39.16, -86.53, "moderator")
    assert store.report(sid)["lat"] is None and store.report(sid)["version"] == version


def test_far_outside_points_do_not_stretch_the_extent(store):
    from qgis.core import QgsVectorLayer

    page = parse_requests(HELSINKI_REQUESTS.read_bytes())  # Turku swapped: 22.27 N 60.45 E, far from Helsinki
    store.upsert_requests(page.requests)
    assert store.count() == 25
    assert _one(store, "SELECT count(*) FROM reports WHERE position_flag = 'far_outside'") == 1
    xmin, ymin, xmax, ymax = city_area.reports_extent(store)
    assert xmin > 24.7 and xmax < 25.0 and ymin > 60.1 and ymax < 60.3
    if store.provider == "ogr":  # the GeoPackage's own extent, which QGIS's "Zoom to layer" uses
        layer = QgsVectorLayer(store.layer_uri("reports"), "reports", "ogr")
        extent = layer.extent()
        assert layer.featureCount() == 25
        assert extent.yMinimum() > 60.1 and extent.xMaximum() < 25.0, extent.toString()


def test_filters_cope_with_reports_without_a_position(tmp_path):
    from qgis.core import QgsRectangle

    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.model import ReportFilter

    page = parse_requests(SF_REQUESTS.read_bytes())
    with GeoPackageStore.create(str(tmp_path / "ws.gpkg")) as gpkg:
        gpkg.upsert_requests(page.requests)
        path = gpkg.path
    assert evaluate(ReportFilter(), path).count == 56
    # an attribute filter finds reports with and without a position
    codes = {r.service_code for r in page.without_position}
    raw_codes = [(req.find("service_code").text or "").strip() for req in ET.parse(SF_REQUESTS).getroot()]
    by_category = evaluate(ReportFilter(categories=sorted(codes)), path)
    assert by_category.count == sum(1 for code in raw_codes if code in codes) > len(page.without_position) > 0
    # a spatial one only the placed reports
    spatial = evaluate(ReportFilter(extent=QgsRectangle(-123, 37, -122, 38), extent_crs="EPSG:4326"), path)
    assert spatial.count == 47


# ------------------------------------------------------------------ migration from schema 1


def _to_schema_1_sql() -> list[str]:
    return [
        'DROP INDEX IF EXISTS "idx_reports_position_flag"',
        "ALTER TABLE reports DROP COLUMN position_source",
        "ALTER TABLE reports DROP COLUMN position_flag",
        "ALTER TABLE reports DROP COLUMN position_note",
        "UPDATE meta SET value = '1' WHERE key = 'schema_version'",
    ]


def _schema_1_reports():
    from tests.helpers_store import req

    swapped = req(2)
    swapped.extended = {"position_swapped": True}
    return [req(1), swapped]


def test_geopackage_workspace_of_schema_1_is_migrated(tmp_path):
    from openmisto_plugin.core.store import SCHEMA_VERSION

    path = str(tmp_path / "old.gpkg")
    with GeoPackageStore.create(path) as old:
        old.upsert_requests(_schema_1_reports())
    with sqlite3.connect(path) as conn:
        for sql in _to_schema_1_sql():
            conn.execute(sql)
    with GeoPackageStore.open(path) as migrated:
        assert migrated.schema_version == SCHEMA_VERSION == 2
        sources = {r["service_request_id"]: r["position_source"] for r in migrated.query("SELECT * FROM reports")}
        assert sources == {"1": "platform", "2": "repaired_swap"}
        migrated.upsert_requests(parse_requests(SF_REQUESTS.read_bytes()).requests)
        assert migrated.count("geom IS NULL") == 9


def test_postgis_workspace_of_schema_1_is_migrated(pg_info):
    from openmisto_plugin.core.store import SCHEMA_VERSION
    from openmisto_plugin.core.store.postgis import PostGisStore

    with PostGisStore.create(pg_info) as old:
        old.upsert_requests(_schema_1_reports())
        for sql in _to_schema_1_sql():
            old.execute(sql.replace('"idx_reports_position_flag"', f"{pg_info.schema}.idx_reports_position_flag"))
    with PostGisStore.open(pg_info) as migrated:
        assert migrated.schema_version == SCHEMA_VERSION
        sources = {r["service_request_id"]: r["position_source"] for r in migrated.query("SELECT * FROM reports")}
        assert sources == {"1": "platform", "2": "repaired_swap"}
        migrated.upsert_requests(parse_requests(SF_REQUESTS.read_bytes()).requests)
        assert migrated.count("geom IS NULL") == 9


# ------------------------------------------------------------------ the sync: GUI task and openmisto:sync


def _swap_on_server(server, count: int = 5) -> tuple[dict[str, tuple[float, float]], str]:
    """Swap lat/long of ``count`` placed reports in the server's database and move one to Kyiv."""
    with sqlite3.connect(server.db_path) as conn:
        rows = conn.execute(
            "SELECT id, lat, long FROM requests WHERE lat IS NOT NULL ORDER BY id LIMIT ?", (count + 1,)
        )
        rows = rows.fetchall()
        for rid, lat, lon in rows[:count]:
            conn.execute("UPDATE requests SET lat = ?, long = ? WHERE id = ?", (lon, lat, rid))
        conn.execute("UPDATE requests SET lat = ?, long = ? WHERE id = ?", (*KYIV_POINT, rows[count][0]))
    return {str(rid): (lat, lon) for rid, lat, lon in rows[:count]}, str(rows[count][0])


def _check_positions(store, original: dict[str, tuple[float, float]], far: str) -> None:
    for sid, (lat, lon) in original.items():
        row = store.report(sid)
        assert (row["lat"], row["long"], row["position_source"]) == (lat, lon, "repaired_swap"), sid
    far_row = store.report(far)
    assert (far_row["lat"], far_row["long"], far_row["position_flag"]) == (*KYIV_POINT, "far_outside")
    xmin, ymin, xmax, ymax = city_area.reports_extent(store)
    assert POKROV[0] <= xmin and xmax <= POKROV[2] and POKROV[1] <= ymin and ymax <= POKROV[3]


def test_gui_sync_and_processing_sync_repair_swapped_pokrov_reports(
    fresh_refserver, tmp_path, openmisto_provider, monkeypatch
):
    """Issue 12's finding: the GUI's sync task built its client without the city's area. Both paths repair now,
    from the districts (the GUI, no area set) and from the CITY_AREA parameter (openmisto:sync)."""
    import processing
    from qgis.core import QgsVectorLayer

    from openmisto_plugin.core.tasks import SyncParams, SyncTask

    original, far = _swap_on_server(fresh_refserver)
    gui_path = str(tmp_path / "gui.gpkg")
    params = SyncParams(
        base_url=fresh_refserver.base_url,
        workspace_path=gui_path,
        api_key=fresh_refserver.keys["moderator"],
        full=True,
    )
    summary = SyncTask(params).work()
    assert summary.new >= 400 and not summary.skipped
    with GeoPackageStore.open(gui_path) as store:
        _check_positions(store, original, far)
        assert store.count("lat IS NULL") == summary.without_position
    layer = QgsVectorLayer(f"{gui_path}|layername=reports", "reports", "ogr")
    assert layer.extent().xMinimum() > 33.9 and layer.extent().yMaximum() < 48  # Kyiv (30.52 E, 50.45 N) is not in it

    cli_path = str(tmp_path / "processing.gpkg")
    monkeypatch.setenv("OPENMISTO_API_KEY", fresh_refserver.keys["moderator"])  # openmisto:sync has no key parameter
    result = processing.run(
        "openmisto:sync",
        {
            "PLATFORM_URL": fresh_refserver.base_url,
            "WORKSPACE": cli_path,
            "FULL": True,
            "CITY_AREA": positions.format_bbox(POKROV),
        },
    )
    assert result["NEW"] == summary.new and result["NO_POSITION"] == summary.without_position
    with GeoPackageStore.open(cli_path) as store:
        _check_positions(store, original, far)


def test_processing_sync_refuses_an_unreadable_city_area(openmisto_provider, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="four numbers"):
        processing.run(
            "openmisto:sync",
            {"PLATFORM_URL": "http://127.0.0.1:9/open311/v2/", "WORKSPACE": str(tmp_path / "w.gpkg"), "CITY_AREA": "x"},
        )


# ------------------------------------------------------------------ a replay of San Francisco and the map tool


class _Replay:
    """San Francisco's recorded answers on a loopback port (an XML-only server with no paging: page 2 is 404)."""

    def __init__(self) -> None:
        files = {"requests.xml": SF_REQUESTS.read_bytes(), "services.xml": SF_SERVICES.read_bytes()}
        not_found = b"<errors><error><code>404</code><description>Not found</description></error></errors>"

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                name = url.path.rsplit("/", 1)[-1]
                page = int(parse_qs(url.query).get("page", ["1"])[0])
                body = files.get(name) if page == 1 else None
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body or not_found)))
                self.end_headers()
                self.wfile.write(body or not_found)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/open311/v2/"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def sf_replay(qgis_app) -> Iterator[_Replay]:
    replay = _Replay()
    yield replay
    replay.close()


def _sync_sf(store, replay: _Replay, full: bool):
    from openmisto_plugin.core.sync import SyncEngine

    client = Open311Client(replay.base_url, fmt="xml", retries=0)
    return SyncEngine(store, client, history=False).pull(full=full)


def test_moderator_places_an_address_only_report_with_the_map_tool(sf_replay, tmp_path, qgis_canvas):
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject, QgsRectangle, QgsVectorLayer
    from qgis.gui import QgsMapMouseEvent
    from qgis.PyQt.QtCore import QEvent, QPoint, Qt

    from openmisto_plugin.core import workflow as wf
    from openmisto_plugin.gui.no_position_panel import NoPositionPanel

    path = str(tmp_path / "sf.gpkg")
    store = GeoPackageStore.create(path)
    try:
        first = _sync_sf(store, sf_replay, full=True)
        assert first.new == 56 and first.without_position == 9 and not first.skipped
        layer = QgsVectorLayer(f"{path}|layername=reports", "reports", "ogr")
        assert layer.featureCount() == 56
        assert sum(1 for f in layer.getFeatures() if not f.hasGeometry()) == 9

        mercator = QgsCoordinateReferenceSystem("EPSG:3857")
        wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
        to_map = QgsCoordinateTransform(wgs84, mercator, QgsProject.instance())
        qgis_canvas.resize(600, 400)
        qgis_canvas.setDestinationCrs(mercator)
        qgis_canvas.setExtent(to_map.transformBoundingBox(QgsRectangle(-122.52, 37.70, -122.35, 37.83)))
        qgis_canvas.setLayers([layer])

        panel = NoPositionPanel(
            store, wf.Actor(wf.MODERATOR, name="Olena"), canvas=qgis_canvas, layer_getter=lambda: layer
        )
        assert panel.table.rowCount() == 9
        sid = panel.table.item(0, 0).text()
        panel.table.selectRow(0)
        tool = panel.place_selected()
        assert qgis_canvas.mapTool() is tool
        target = to_map.transform(-122.4194, 37.7749)
        pixel = qgis_canvas.getCoordinateTransform().transform(target)
        placed = []
        tool.placed.connect(placed.append)
        event = QgsMapMouseEvent(
            qgis_canvas,
            QEvent.Type.MouseButtonRelease,
            QPoint(round(pixel.x()), round(pixel.y())),
            Qt.MouseButton.LeftButton,
        )
        tool.canvasReleaseEvent(event)
        assert placed == [sid] and qgis_canvas.mapTool() is not tool
        assert panel.table.rowCount() == 8

        metres_per_pixel = qgis_canvas.mapUnitsPerPixel()
        feature = next(f for f in layer.getFeatures() if f["service_request_id"] == sid)
        assert feature.hasGeometry() and feature["position_source"] == "placed_by_hand"
        point = feature.geometry().asPoint()
        assert math.hypot((point.x() + 122.4194) * 88_000, (point.y() - 37.7749) * 111_000) < 2 * metres_per_pixel
        assert "Olena" in feature["position_note"]

        # the next sync: the platform still has no position for it; the layer still shows it where placed
        second = _sync_sf(store, sf_replay, full=True)
        assert second.unchanged == 56 and second.without_position == 9
        layer.dataProvider().reloadData()
        again = next(f for f in layer.getFeatures() if f["service_request_id"] == sid)
        assert again.geometry().asPoint() == point and again["position_source"] == "placed_by_hand"
        assert sum(1 for f in layer.getFeatures() if not f.hasGeometry()) == 8
    finally:
        store.close()


def test_moderation_queue_lists_reports_without_a_position(sf_replay, tmp_path):
    from openmisto_plugin.core import moderation

    with GeoPackageStore.create(str(tmp_path / "sf.gpkg")) as store:
        _sync_sf(store, sf_replay, full=True)
        queue = moderation.moderation_queue(store)
        open_without = store.count("lat IS NULL AND status = 'open'")
        assert open_without > 0
        assert sum(1 for item in queue if not item.has_position) == open_without


def test_city_area_comes_from_settings_else_districts_else_the_learned_bulk(sf_replay, tmp_path):
    from openmisto_plugin.core.sync import SyncEngine
    from tests.helpers_store import EAST, WEST

    with GeoPackageStore.create(str(tmp_path / "sf.gpkg")) as store:
        first = _sync_sf(store, sf_replay, full=True)
        assert first.city_area is None and first.city_area_source == ""  # nothing known: each page's bulk
        learned = city_area.learned_area(store)
        assert learned is not None and positions.inside(learned, 37.7749, -122.4194)  # where SF's reports are
        second = _sync_sf(store, sf_replay, full=False)
        assert (second.city_area, second.city_area_source) == (learned, "reports")
        client = Open311Client(sf_replay.base_url, fmt="xml", retries=0, expected_bbox=POKROV)
        configured = SyncEngine(store, client, history=False).pull(full=True)
        assert configured.city_area_source == "settings" and client.expected_bbox == POKROV
        assert configured.far_outside == 47  # Settings name another city: every SF point is far outside it
        assert store.count("position_flag = 'far_outside'") == 47
        assert city_area.reports_extent(store) is None  # and none of them counts for zooming
        store.upsert_districts([("w", "West", WEST), ("e", "East", EAST)])
        assert city_area.resolve(store) == (city_area.districts_extent(store), "districts")
        assert city_area.resolve(store, POKROV) == (POKROV, "settings")


def test_districts_extent_on_both_backends(store):
    from tests.helpers_store import EAST, WEST

    assert city_area.districts_extent(store) is None and city_area.resolve(store) == (None, "")
    store.upsert_districts([("w", "West", WEST), ("e", "East", EAST)])
    assert city_area.districts_extent(store) == pytest.approx((34.05, 47.60, 34.17, 47.70))


def test_report_card_says_where_the_position_came_from(qgis_app, tmp_path):
    from openmisto_plugin.core.i18n import tr
    from openmisto_plugin.gui.report_detail import ReportDetailDialog

    page = parse_requests(HELSINKI_REQUESTS.read_bytes())
    with GeoPackageStore.create(str(tmp_path / "ws.gpkg")) as store:
        store.upsert_requests(page.requests + parse_requests(BLOOMINGTON_REQUESTS.read_bytes()).requests)
        missing = parse_requests(BLOOMINGTON_REQUESTS.read_bytes()).without_position[0].service_request_id
        far = next(r.service_request_id for r in page.requests if r.position_flag == "far_outside")
        plain = page.requests[0].service_request_id
        cards = {sid: ReportDetailDialog(store.report(sid), []) for sid in (missing, far, plain)}
        assert "«" in cards[missing].fields["position_source"].text()
        assert cards[missing].fields["position_source"].toolTip()  # the platform's values
        assert cards[far].fields["position_source"].text() == tr("far outside the city (left out of the map's extent)")
        assert "position_source" not in cards[plain].fields  # the platform's own position: nothing to say
        store.place_report(missing, 39.16, -86.53, "Olena")
        placed = ReportDetailDialog(store.report(missing), [])
        assert "Olena" in placed.fields["position_source"].toolTip()
        for card in (*cards.values(), placed):
            card.deleteLater()
