"""GeoPackage store: schema, upserts, transactions, outbox, crash safety, spatial index."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from openmisto_plugin.core.model import RequestUpdate, Service, ServiceRequest
from openmisto_plugin.core.store import (
    SCHEMA_VERSION,
    GeoPackageStore,
    SchemaError,
    SchemaTooNewError,
    StoreError,
    UpsertCounts,
)
from openmisto_plugin.core.store import gpkg as gpkg_module
from openmisto_plugin.core.store import sql as sql_module
from openmisto_plugin.core.timeutil import to_store
from tests.helpers_store import EAST, T0, WEST, req

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def store(tmp_path):
    s = GeoPackageStore.create(str(tmp_path / "ws.gpkg"))
    yield s
    s.close()


@pytest.fixture(params=["gpkg", "postgis"])
def backend(request, tmp_path):
    """A new store of each backend, for the contract tests whose bodies are the same for both."""
    if request.param == "postgis":
        yield request.getfixturevalue("pg_store")
        return
    s = GeoPackageStore.create(str(tmp_path / "ws.gpkg"))
    yield s
    s.close()


def raw(store: GeoPackageStore) -> sqlite3.Connection:
    return sqlite3.connect(store.path)


# -- schema ------------------------------------------------------------------------------------------------


def test_create_makes_standard_geopackage_with_every_table(store):
    from osgeo import ogr

    assert store.schema_version == SCHEMA_VERSION
    ds = ogr.Open(store.path)
    names = {ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())}
    assert {"reports", "services", "departments", "districts", "request_updates", "outbox", "sync_state"} <= names
    assert {"routing_category_rules", "routing_zones", "saved_filters", "meta"} <= names
    reports = ds.GetLayerByName("reports")
    assert reports.GetGeometryColumn() == "geom"
    assert reports.GetSpatialRef().GetAuthorityCode(None) == "4326"
    assert ds.GetLayerByName("districts").GetGeomType() == ogr.wkbMultiPolygon
    with raw(store) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        ext = conn.execute("SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'")
        assert {r[0] for r in ext} == {"reports", "districts", "routing_zones"}
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # no side files to lose


def test_create_refuses_an_existing_file_and_open_refuses_strangers(tmp_path, store):
    with pytest.raises(SchemaError):
        GeoPackageStore.create(store.path)
    with pytest.raises(SchemaError):
        GeoPackageStore.open(str(tmp_path / "missing.gpkg"))
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(SchemaError):
        GeoPackageStore.open(str(other))


def test_open_or_create(tmp_path):
    path = str(tmp_path / "new.gpkg")
    with GeoPackageStore.open_or_create(path) as s:
        s.upsert_requests([req(1)])
    with GeoPackageStore.open_or_create(path) as s:
        assert s.count() == 1


def test_newer_schema_is_refused_with_a_clear_error(store):
    path = store.path
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(SchemaTooNewError, match="99"):
        GeoPackageStore.open(path)


def test_older_schema_is_migrated(store, monkeypatch):
    path = store.path
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    ran = []
    monkeypatch.setitem(gpkg_module.MIGRATIONS, 0, lambda conn: ran.append(conn))
    with GeoPackageStore.open(path) as s:
        assert s.schema_version == SCHEMA_VERSION
    assert len(ran) == 1


# -- upserts -----------------------------------------------------------------------------------------------


def test_upsert_counts_new_updated_unchanged_and_version(store):
    assert store.upsert_requests([req(1), req(2), req(3)]) == UpsertCounts(3, 0, 0)
    assert store.upsert_requests([req(1), req(2), req(3)]) == UpsertCounts(0, 0, 3)
    changed = req(2, minutes=10, external_status_code="investigating")
    assert store.upsert_requests([req(1), changed, req(4)]) == UpsertCounts(1, 1, 1)
    assert store.count() == 4
    two = store.report("2")
    assert two["version"] == 2 and two["external_status_code"] == "investigating"
    assert two["updated_datetime"] == to_store(T0 + timedelta(minutes=10))
    assert store.report("1")["version"] == 1
    assert store.report("1")["synced_at"]
    assert store.report("nope") is None
    # a moved report: geometry, rtree and extent follow
    assert store.upsert_requests([req(1, lat=47.66, lon=34.12, minutes=5)]) == UpsertCounts(0, 1, 0)
    with raw(store) as conn:
        fid = store.report("1")["fid"]
        assert conn.execute("SELECT minx, miny FROM rtree_reports_geom WHERE id = ?", (fid,)).fetchone() == (
            pytest.approx(34.12, abs=1e-5),
            pytest.approx(47.66, abs=1e-5),
        )


def test_upsert_services_departments_state_and_history(store):
    services = [Service("roads.pothole", "Ями"), Service("light", "Освітлення", group="ЖКГ")]
    assert store.upsert_services(services) == UpsertCounts(2, 0, 0)
    services[1].service_name = "Вуличне освітлення"
    assert store.upsert_services(services) == UpsertCounts(0, 1, 1)
    deps = [{"code": "ujkg", "name": "УЖКГ", "officer_name": "Іваненко"}]
    assert store.upsert_departments(deps) == UpsertCounts(1, 0, 0)
    assert store.upsert_departments(deps) == UpsertCounts(0, 0, 1)
    assert store.get_state("x") is None
    store.set_state("x", "1")
    store.set_state("x", "2")
    assert store.get_state("x") == "2"
    ups = [
        RequestUpdate("u2", "1", T0 + timedelta(hours=1), external_status_code="investigating"),
        RequestUpdate("u1", "1", T0, external_status_code="for_triage"),
    ]
    assert store.add_history(ups) == 2
    assert store.add_history(ups) == 0
    assert [h["update_id"] for h in store.history("1")] == ["u1", "u2"]


def test_districts_and_point_in_polygon_fill(store):
    assert store.upsert_districts([("west", "Захід", WEST), ("east", "Схід", EAST)]) == UpsertCounts(2, 0, 0)
    assert store.upsert_districts([("west", "Захід", WEST)]) == UpsertCounts(0, 0, 1)
    store.upsert_requests(
        [
            req(1, lon=34.08, district=None),
            req(2, lon=34.14, district=None),
            req(3, lon=34.14),
            req(4, lon=35.0, district=None),
        ]
    )
    assert store.report("1")["district"] == "west"
    assert store.report("2")["district"] == "east"
    assert store.report("3")["district"] == "center"  # the platform's value wins
    assert store.report("4")["district"] is None  # outside every district
    # the filled district is not a change on the next identical pull
    assert store.upsert_requests([req(1, lon=34.08, district=None)]) == UpsertCounts(0, 0, 1)
    assert store.report("1")["district"] == "west"


# -- transactions ------------------------------------------------------------------------------------------


def test_exception_in_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.upsert_requests([req(i) for i in range(200)])  # the bulk path too
        store.set_state("k", "v")
        raise RuntimeError("boom")
    assert store.count() == 0
    assert store.get_state("k") is None
    with raw(store) as conn:
        assert conn.execute("SELECT count(*) FROM rtree_reports_geom").fetchone()[0] == 0
        trig = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'rtree_reports_geom_insert'")
        assert trig.fetchone()[0] == 1


def test_nested_transaction_rolls_back_only_the_inner_part(store):
    with store.transaction():
        store.upsert_requests([req(1)])
        with pytest.raises(ValueError), store.transaction():
            store.upsert_requests([req(2)])
            raise ValueError
        store.upsert_requests([req(3)])
    assert sorted(r[0] for r in raw(store).execute("SELECT service_request_id FROM reports")) == ["1", "3"]


def test_bulk_insert_keeps_standard_rtree_trigger_and_index(store):
    store.upsert_requests([req(i, lat=47.60 + i * 1e-4) for i in range(500)])
    store.upsert_requests([req(1000)])  # small page: through the trigger
    with raw(store) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'rtree_reports_geom_insert'").fetchone()[0]
        assert "ST_IsEmpty" in sql
        assert conn.execute("SELECT count(*) FROM rtree_reports_geom").fetchone()[0] == 501
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ext = conn.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'reports'")
        assert ext.fetchone() == pytest.approx((34.10, 47.60, 34.10, 47.65), abs=1e-9)
    from osgeo import ogr

    assert ogr.Open(store.path).GetLayerByName("reports").GetFeatureCount() == 501


def test_bulk_rtree_from_lat_long_matches_the_blobs(store):
    """Pages of many new reports get their rtree rows from lat/long in SQL: the same boxes as the blobs give."""
    import random
    import struct

    rng = random.Random(5)
    points = [(47.55 + rng.random() * 0.2, 33.95 + rng.random() * 0.35) for _ in range(300)]
    store.upsert_requests([req(i, lat=la, lon=lo) for i, (la, lo) in enumerate(points)])
    with raw(store) as conn:
        conn.create_function("blob_x", 1, lambda b: struct.unpack_from("<d", b, 13)[0])
        conn.create_function("blob_y", 1, lambda b: struct.unpack_from("<d", b, 21)[0])
        rows = conn.execute(
            "SELECT r.long, r.lat, blob_x(r.geom), blob_y(r.geom), t.minx, t.maxx, t.miny, t.maxy"
            " FROM reports r JOIN rtree_reports_geom t ON t.id = r.fid"
        ).fetchall()
        assert len(rows) == 300
        for lon, lat, x, y, minx, maxx, miny, maxy in rows:
            assert (x, y) == (lon, lat)
            assert minx <= x <= maxx and miny <= y <= maxy and maxx - minx < 1e-5 and maxy - miny < 1e-5
    assert gpkg_module.point_blob(34.1, 47.6) == (
        b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<BI", 1, 1) + struct.pack("<dd", 34.1, 47.6)
    )


def test_platform_history_moves_the_assignment_only_where_it_counts(store):
    """Platform history changes the assignment of reports without a platform assigned_datetime, and of
    reports whose local entry it updates (the platform's copy of a pushed assignment); no other."""
    platform_time = T0 + timedelta(days=1)
    store.upsert_requests(
        [
            req(1, external_status_code="action_scheduled", assigned_datetime=platform_time),
            req(2, external_status_code="action_scheduled", assigned_datetime=platform_time),
            req(3, external_status_code="action_scheduled"),
        ]
    )
    uid = store.record_local_update("2", {"external_status_code": "action_scheduled", "agency_responsible": "u"}, "m")
    local_time = store.report("2")["assigned_datetime"]
    assert local_time > to_store(platform_time)
    before = {sid: store.report(sid) for sid in ("1", "2", "3")}
    later = datetime.now(timezone.utc) + timedelta(hours=2)
    store.add_history(
        [
            RequestUpdate("p1", "1", T0 + timedelta(days=3), "open", "action_scheduled"),
            RequestUpdate(uid, "2", later, "open", "action_scheduled"),  # the platform's copy of the push
            RequestUpdate("p3", "3", T0 + timedelta(hours=5), "open", "action_scheduled"),
        ]
    )
    one, two, three = (store.report(sid) for sid in ("1", "2", "3"))
    assert one == before["1"]  # the platform's own assigned_datetime stays
    assert two["assigned_datetime"] == to_store(later)
    assert three["assigned_datetime"] == to_store(T0 + timedelta(hours=5))
    from openmisto_plugin.core.deadlines import deadline_for

    for row in (two, three):
        assert row["deadline"] == to_store(deadline_for(row).due)


# -- outbox ------------------------------------------------------------------------------------------------


def test_record_local_update_is_one_transaction(store):
    store.upsert_requests([req(1)])
    uid = store.record_local_update(
        "1", {"external_status_code": "investigating", "description": "Прийнято"}, author="moderator"
    )
    row = store.report("1")
    assert (row["status"], row["external_status_code"], row["status_notes"], row["version"]) == (
        "open",
        "investigating",
        "Прийнято",
        2,
    )
    (entry,) = store.outbox_entries()
    assert (entry.update_id, entry.state, entry.attempts) == (uid, "pending", 0)
    assert entry.expected_updated_datetime == to_store(T0)
    assert entry.payload == {"external_status_code": "investigating", "description": "Прийнято"}
    (hist,) = store.history("1")
    assert (hist["update_id"], hist["origin"], hist["author"]) == (uid, "local", "moderator")
    assert store.pending_outbox() == [entry]
    with pytest.raises(StoreError):
        store.record_local_update("404", {"external_status_code": "fixed"}, author="x")


def test_outbox_failure_rolls_back_the_report_change(store, monkeypatch):
    store.upsert_requests([req(1)])
    store.record_local_update("1", {"external_status_code": "investigating"}, author="m")
    same = store.outbox_entries()[0].update_id
    monkeypatch.setattr(sql_module.uuid, "uuid4", lambda: same)  # the outbox insert now violates UNIQUE
    with pytest.raises(sqlite3.IntegrityError):
        store.record_local_update("1", {"external_status_code": "hidden"}, author="m")
    assert store.report("1")["external_status_code"] == "investigating"
    assert store.report("1")["version"] == 2
    assert len(store.history("1")) == 1 and len(store.outbox_entries()) == 1


def test_pull_does_not_overwrite_a_pending_local_change(backend):
    store = backend
    store.upsert_requests([req(1)])
    uid = store.record_local_update("1", {"external_status_code": "investigating"}, author="m")
    platform = req(1, minutes=30, external_status_code="hidden", status="closed", description="нове")
    assert store.upsert_requests([platform]) == UpsertCounts(0, 1, 0)
    row = store.report("1")
    assert row["external_status_code"] == "investigating" and row["status"] == "open"  # local on top
    assert row["description"] == "нове"  # other fields from the platform
    (entry,) = store.outbox_entries()
    assert entry.platform["external_status_code"] == "hidden"
    # the same platform copy again is unchanged
    assert store.upsert_requests([platform]) == UpsertCounts(0, 0, 1)
    store.drop_outbox(uid)
    row = store.report("1")
    assert (row["external_status_code"], row["status"]) == ("hidden", "closed")
    assert store.outbox_entries() == [] and store.history("1") == []


def test_outbox_states_backoff_refused_conflict_reapply_sent(backend):
    store = backend
    store.upsert_requests([req(1), req(2)])
    a = store.record_local_update("1", {"external_status_code": "investigating"}, author="m")
    b = store.record_local_update("1", {"external_status_code": "action_scheduled", "agency_responsible": "ujkg"}, "m")
    c = store.record_local_update("2", {"external_status_code": "hidden"}, author="m")
    assert [e.update_id for e in store.pending_outbox()] == [a, b, c]

    store.mark_outbox_failed(c, "timeout", None)
    (failed,) = store.outbox_entries(["pending"])[2:]
    assert failed.attempts == 1 and failed.next_attempt_at > to_store(datetime.now(timezone.utc))
    assert c not in [e.update_id for e in store.pending_outbox()]
    later = datetime.now(timezone.utc) + timedelta(hours=2)
    assert c in [e.update_id for e in store.pending_outbox(later)]

    store.mark_outbox_refused(c, "Відмовлено", 403)
    assert store.report("2")["external_status_code"] == "for_triage"  # back to the platform's value
    assert store.outbox_entries(["refused"])[0].last_error == "Відмовлено"

    new_time = T0 + timedelta(hours=1)
    store.mark_outbox_sent(a, new_time)
    entry_b = next(e for e in store.outbox_entries() if e.update_id == b)
    assert entry_b.expected_updated_datetime == to_store(new_time)  # chained on the confirmed change
    assert store.report("1")["updated_datetime"] == to_store(new_time)

    store.mark_outbox_conflict(b, "changed meanwhile", {"updated_datetime": to_store(new_time + timedelta(hours=1))})
    assert store.outbox_entries(["conflict"])[0].platform["updated_datetime"] == to_store(new_time + timedelta(hours=1))
    assert store.report("1")["agency_responsible"] == "ujkg"  # local change kept while in conflict
    with pytest.raises(StoreError):
        store.reapply_outbox(a)
    store.reapply_outbox(b)
    entry_b = next(e for e in store.outbox_entries() if e.update_id == b)
    assert entry_b.state == "pending"
    assert entry_b.expected_updated_datetime == to_store(new_time + timedelta(hours=1))


# -- crash safety ------------------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from datetime import datetime, timezone
    from openmisto_plugin.core.model import ServiceRequest
    from openmisto_plugin.core.store import GeoPackageStore
    s = GeoPackageStore.open({path!r})
    t = datetime(2026, 11, 2, tzinfo=timezone.utc)
    n = 0
    while True:
        with s.transaction():
            s.upsert_requests([ServiceRequest(str(n + i), 47.6 + (n + i) % 997 * 1e-4, 34.1, updated_datetime=t)
                               for i in range(500)])
            s.record_local_update(str(n), {{"external_status_code": "investigating"}}, author="crash")
            print(n, flush=True)
            time.sleep(0.002)
        n += 500
    """
)


def test_kill_minus_nine_mid_transaction_leaves_a_consistent_workspace(tmp_path):
    path = str(tmp_path / "crash.gpkg")
    GeoPackageStore.create(path).close()
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT), path=path))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        lines = [proc.stdout.readline() for _ in range(6)]  # 6 transactions under way or done
        assert all(lines), "the writer died early"
        time.sleep(0.01)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    with GeoPackageStore.open(path) as s, raw(s) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        reports = s.count()
        assert reports >= 2500 and reports % 500 == 0  # whole transactions only
        assert conn.execute("SELECT count(*) FROM rtree_reports_geom").fetchone()[0] == reports
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name='rtree_reports_geom_insert'").fetchone()[0]
        entries = s.outbox_entries()
        assert len(entries) == reports // 500  # one outbox entry per committed transaction
        assert all(s.report(e.service_request_id)["external_status_code"] == "investigating" for e in entries)
        # and it keeps working
        s.upsert_requests([ServiceRequest("after", 47.65, 34.1)])
    from osgeo import ogr

    ds = ogr.Open(path)
    assert ds.GetLayerByName("reports").GetFeatureCount() == reports + 1


# -- spatial index through QGIS and OGR --------------------------------------------------------------------


def test_spatial_filter_in_qgis_and_ogr_matches_the_data(store, qgis_app):
    from osgeo import ogr
    from qgis.core import QgsFeatureRequest, QgsRectangle, QgsVectorLayer

    points = [(47.60 + (i % 100) * 1e-3, 34.05 + (i // 100) * 1e-3) for i in range(3000)]
    for start in range(0, 3000, 1000):  # pages: the bulk path
        store.upsert_requests(
            [req(i, lat=la, lon=lo) for i, (la, lo) in enumerate(points) if start <= i < start + 1000]
        )
    store.upsert_requests([req(5000 + i, lat=47.6305, lon=34.0605 + i * 1e-4) for i in range(5)])  # trigger path
    rect = (34.055, 47.62, 34.0625, 47.64)  # xmin, ymin, xmax, ymax

    def expected() -> int:
        rows = raw(store).execute("SELECT long, lat FROM reports").fetchall()
        return sum(1 for x, y in rows if rect[0] <= x <= rect[2] and rect[1] <= y <= rect[3])

    layer = QgsVectorLayer(store.layer_uri("reports"), "reports", "ogr")
    assert layer.isValid()
    request = QgsFeatureRequest().setFilterRect(QgsRectangle(*rect))
    assert len(list(layer.getFeatures(request))) == expected() > 0

    # QGIS keeps the layer open while the store writes: after a reload it sees the new rows, filtered right
    store.upsert_requests([req(9000 + i, lat=47.63, lon=34.058 + i * 1e-4) for i in range(100)])
    layer.dataProvider().reloadData()
    assert layer.featureCount() == store.count()
    assert len(list(layer.getFeatures(QgsFeatureRequest().setFilterRect(QgsRectangle(*rect))))) == expected()

    ds = ogr.Open(store.path)
    lyr = ds.GetLayerByName("reports")
    lyr.SetSpatialFilterRect(*rect)
    assert lyr.GetFeatureCount() == expected()
    assert layer.extent().contains(QgsRectangle(*rect))
    districts = QgsVectorLayer(store.layer_uri("districts"), "d", "ogr")
    assert districts.isValid()


# -- derived columns: assignment and deadlines --------------------------------------------------------------


def test_deadline_cache_matches_deadline_for_on_random_rows():
    import random

    from openmisto_plugin.core.deadlines import cached_procedure, deadline_for
    from openmisto_plugin.core.store.base import DeadlineColumns
    from openmisto_plugin.core.timeutil import to_store

    rng = random.Random(5)
    procedure = cached_procedure()
    columns = DeadlineColumns(procedure)
    codes = [None, "for_triage", "investigating", "action_scheduled", "in_progress", "planned", "fixed", "odd"]
    base = datetime(2025, 12, 20, tzinfo=timezone.utc)  # across New Year and both DST changes of 2026

    def moment() -> str | None:
        if rng.random() < 0.1:
            return None
        return to_store(base + timedelta(minutes=rng.randrange(0, 60 * 24 * 330)))

    for _ in range(5000):
        row = {
            "external_status_code": rng.choice(codes),
            "status": rng.choice(["open", "closed", None]),
            "service_code": rng.choice(["roads.pothole", "lighting.out", None]),
            "requested_datetime": moment(),
            "updated_datetime": moment(),
            "assigned_datetime": moment(),
            "expected_datetime": rng.choice([moment(), to_store(datetime(2026, 5, 4, 21, 0, tzinfo=timezone.utc))]),
        }
        expected = deadline_for(row, procedure)
        assert columns.columns(row) == (to_store(expected.due), expected.stage), row
    assert columns.misses < 5000 * 0.8  # the cache does its work


def test_upsert_and_local_changes_keep_assignment_and_deadline(store):
    from openmisto_plugin.core.deadlines import deadline_for

    assigned = T0 + timedelta(days=1)
    store.upsert_requests([req(1, external_status_code="in_progress", assigned_datetime=assigned), req(2)])
    one, two = store.report("1"), store.report("2")
    assert one["assigned_datetime"] == to_store(assigned) and one["deadline_stage"] == "answer"
    assert two["assigned_datetime"] is None and two["deadline_stage"] == "moderation"
    for row in (one, two):
        assert row["deadline"] == to_store(deadline_for(row).due)
    # no assigned_datetime from the platform: the history's latest action_scheduled
    store.upsert_requests([req(2, minutes=5, external_status_code="action_scheduled")])
    assert store.report("2")["assigned_datetime"] is None
    store.add_history(
        [
            RequestUpdate("u1", "2", T0 + timedelta(hours=1), "open", "action_scheduled"),
            RequestUpdate("u2", "2", T0 + timedelta(hours=3), "open", "action_scheduled"),
            RequestUpdate("u3", "2", T0 + timedelta(hours=4), "open", "in_progress"),
        ]
    )
    two = store.report("2")
    assert two["assigned_datetime"] == to_store(T0 + timedelta(hours=3))
    assert two["deadline"] == to_store(deadline_for(two).due) and two["deadline_stage"] == "answer"
    version = two["version"]
    # a local change of status moves the stage; dropping it moves it back
    uid = store.record_local_update("2", {"external_status_code": "fixed", "description": "Готово"}, "o")
    assert store.report("2")["deadline_stage"] == "closed" and store.report("2")["deadline"] is None
    store.drop_outbox(uid)
    assert store.report("2")["deadline"] == two["deadline"] and store.report("2")["version"] > version


def test_refresh_deadlines_after_the_procedure_changed(store, monkeypatch):
    from openmisto_plugin.core import deadlines
    from openmisto_plugin.core.store import base

    store.upsert_requests([req(1, external_status_code="in_progress", assigned_datetime=T0)])
    before = store.report("1")["deadline"]
    stricter = deadlines.parse_procedure("[defaults]\nanswer_working_days = 2\n")
    monkeypatch.setattr(base, "cached_procedure", lambda: stricter)
    assert store.deadline_fingerprint == base.procedure_fingerprint(stricter)
    assert store.refresh_deadlines() == 1
    after = store.report("1")["deadline"]
    assert after < before and after == to_store(deadlines.deadline_for(store.report("1"), stricter).due)
    assert store.refresh_deadlines() == 0


def test_bulk_load_defers_filter_indexes_and_keeps_gdal_triggers(tmp_path):
    path = str(tmp_path / "bulk.gpkg")
    store = GeoPackageStore.create(path)
    index_names = {r[0] for r in raw(store).execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    triggers = {r[0] for r in raw(store).execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    with store.bulk_load() as deferred:
        assert deferred
        assert not any(n.startswith("idx_reports_") for (n,) in raw(store).execute("SELECT name FROM sqlite_master"))
        store.upsert_requests([req(i, lat=47.6 + i / 10000, lon=34.05 + i / 10000) for i in range(500)])
        store.add_history([RequestUpdate(f"u{i}", str(i), T0, "open", "for_triage") for i in range(300)])
    with raw(store) as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")} == index_names
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")} == triggers
        assert conn.execute("SELECT count(*) FROM rtree_reports_geom").fetchone()[0] == 500
        assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again
    with store.bulk_load() as deferred:
        assert not deferred  # not empty any more: the indexes stay
    # an interrupted bulk load (a kill) leaves no indexes: opening the workspace brings them back
    store._conn.execute('DROP INDEX "idx_reports_district"')
    store.close()
    store = GeoPackageStore.open(path)
    with raw(store) as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")} == index_names
    from osgeo import ogr

    ds = ogr.Open(path)
    assert ds.GetLayerByName("reports").GetFeatureCount() == 500
    assert ds.GetLayerByName("request_updates").GetFeatureCount() == 300
    ds = None
    store.close()
