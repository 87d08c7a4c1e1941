"""PostGIS store: the store contract of tests/test_store.py against a real PostgreSQL, plus what sharing adds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from openmisto_plugin.core.model import RequestUpdate, Service, ServiceRequest
from openmisto_plugin.core.store import SCHEMA_VERSION, SchemaError, SchemaTooNewError, StoreError, UpsertCounts
from openmisto_plugin.core.store import postgis as postgis_module
from openmisto_plugin.core.store.pg_connection import PgConnectionError, PgConnectionInfo, parse_uri
from openmisto_plugin.core.store.postgis import PostGisStore, VersionConflictError, grant_sql
from openmisto_plugin.core.timeutil import to_store
from tests.fixtures_postgis import pg_admin
from tests.helpers_store import EAST, T0, WEST, req

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def store(pg_store):
    return pg_store


def sql(info: PgConnectionInfo, query: str, params=()) -> list[tuple]:
    """Rows of ``query`` on an independent connection, with the test's schema first in the path."""
    conn = pg_admin(info)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SET search_path TO {info.schema}, public")
            cur.execute(query, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


# -- schema ------------------------------------------------------------------------------------------------


def test_create_makes_every_table_with_typed_geometries_and_gist(store, pg_info):
    assert store.schema_version == SCHEMA_VERSION
    assert store.provider == "postgres"
    tables = {r[0] for r in sql(pg_info, "SELECT tablename FROM pg_tables WHERE schemaname = %s", (pg_info.schema,))}
    expected = {"reports", "services", "departments", "districts", "request_updates", "outbox", "sync_state"}
    assert expected | {"routing_category_rules", "routing_zones", "saved_filters", "meta"} <= tables
    geometry = dict(
        (t, (g, s, ty))
        for t, g, s, ty in sql(
            pg_info,
            "SELECT f_table_name, f_geometry_column, srid, type FROM geometry_columns WHERE f_table_schema = %s",
            (pg_info.schema,),
        )
    )
    assert geometry["reports"] == ("geom", 4326, "POINT")
    assert geometry["districts"] == ("geom", 4326, "MULTIPOLYGON")
    gist = sql(
        pg_info,
        "SELECT tablename FROM pg_indexes WHERE schemaname = %s AND indexdef LIKE '%%USING gist%%'",
        (pg_info.schema,),
    )
    assert {r[0] for r in gist} == {"reports", "districts", "routing_zones"}
    types = dict(
        sql(
            pg_info,
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s"
            " AND table_name = 'reports'",
            (pg_info.schema,),
        )
    )
    assert types["updated_datetime"] == "timestamp with time zone" and types["version"] == "bigint"


def test_create_refuses_an_existing_workspace_and_open_refuses_strangers(store, pg_info):
    with pytest.raises(SchemaError):
        PostGisStore.create(pg_info)
    with pytest.raises(SchemaError):
        PostGisStore.open(pg_info.with_schema(pg_info.schema + "_missing"))
    stranger = pg_info.with_schema(pg_info.schema + "_x")
    sql(stranger, f"CREATE SCHEMA {stranger.schema}; CREATE TABLE {stranger.schema}.meta (k text)")
    try:
        with pytest.raises(SchemaError):
            PostGisStore.open(stranger)
    finally:
        sql(stranger, f"DROP SCHEMA {stranger.schema} CASCADE")


def test_open_or_create_and_the_text_address(pg_info):
    address = pg_info.to_uri()
    assert address.startswith("postgres:") and f"schema={pg_info.schema}" in address
    assert parse_uri(address) == pg_info
    with pytest.raises(PgConnectionError):
        parse_uri(address + " password=secret")
    with PostGisStore.open_or_create(address) as s:
        s.upsert_requests([req(1)])
        assert s.path == address
    with PostGisStore.open_or_create(address) as s:
        assert s.count() == 1


def test_newer_schema_is_refused_and_older_is_migrated(store, pg_info, monkeypatch):
    store.close()
    sql(pg_info, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(SchemaTooNewError, match="99"):
        PostGisStore.open(pg_info)
    # version 0 without a column the description has: the column comes back, the migration runs once
    sql(pg_info, "UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    sql(pg_info, "ALTER TABLE reports DROP COLUMN deadline_stage")
    ran = []
    monkeypatch.setitem(postgis_module.PG_MIGRATIONS, 0, lambda cur: ran.append(cur))
    with PostGisStore.open(pg_info) as s:
        assert s.schema_version == SCHEMA_VERSION
        s.upsert_requests([req(1)])
    assert len(ran) == 1 if SCHEMA_VERSION == 1 else len(ran) >= 1
    columns = sql(
        pg_info,
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = 'reports'",
        (pg_info.schema,),
    )
    assert ("deadline_stage",) in columns


# -- upserts -----------------------------------------------------------------------------------------------


def test_upsert_counts_new_updated_unchanged_and_version(store, pg_info):
    assert store.upsert_requests([req(1), req(2), req(3)]) == UpsertCounts(3, 0, 0)
    assert store.upsert_requests([req(1), req(2), req(3)]) == UpsertCounts(0, 0, 3)
    changed = req(2, minutes=10, external_status_code="investigating")
    assert store.upsert_requests([req(1), changed, req(4)]) == UpsertCounts(1, 1, 1)
    assert store.count() == 4
    two = store.report("2")
    assert two["version"] == 2 and two["external_status_code"] == "investigating"
    assert two["updated_datetime"] == to_store(T0 + timedelta(minutes=10))
    assert store.report("1")["version"] == 1
    assert store.report("1")["synced_at"].endswith("Z")
    assert store.report("nope") is None
    assert store.count("external_status_code = ?", ("investigating",)) == 1
    assert store.count("updated_datetime > %s", (to_store(T0),)) == 1
    # a moved report: the geometry follows
    assert store.upsert_requests([req(1, lat=47.66, lon=34.12, minutes=5)]) == UpsertCounts(0, 1, 0)
    ((x, y),) = sql(pg_info, "SELECT ST_X(geom), ST_Y(geom) FROM reports WHERE service_request_id = '1'")
    assert (x, y) == (pytest.approx(34.12), pytest.approx(47.66))
    # a big page (execute_values paging)
    assert store.upsert_requests([req(100 + i, lat=47.6 + i * 1e-5) for i in range(2500)]).new == 2500


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
    history = store.history("1")
    assert [h["update_id"] for h in history] == ["u1", "u2"]
    assert history[0]["updated_datetime"] == to_store(T0)


def test_districts_and_point_in_polygon_fill(store):
    assert store.upsert_districts([("west", "Захід", WEST), ("east", "Схід", EAST)]) == UpsertCounts(2, 0, 0)
    assert store.upsert_districts([("west", "Захід", WEST)]) == UpsertCounts(0, 0, 1)
    assert store.upsert_districts([("west", "Захід-2", WEST)]) == UpsertCounts(0, 1, 0)
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
    assert store.upsert_requests([req(1, lon=34.08, district=None)]) == UpsertCounts(0, 0, 1)
    assert store.report("1")["district"] == "west"
    with pytest.raises(StoreError):
        store.upsert_districts([("bad", "Погано", "POLYGON((")])


# -- transactions ------------------------------------------------------------------------------------------


def test_exception_in_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.upsert_requests([req(i) for i in range(200)])
        store.set_state("k", "v")
        raise RuntimeError("boom")
    assert store.count() == 0
    assert store.get_state("k") is None
    store.upsert_requests([req(1)])  # the connection is usable afterwards
    assert store.count() == 1


def test_nested_transaction_rolls_back_only_the_inner_part(store):
    with store.transaction():
        store.upsert_requests([req(1)])
        with pytest.raises(ValueError), store.transaction():
            store.upsert_requests([req(2)])
            raise ValueError
        store.upsert_requests([req(3)])
    assert sorted(r["service_request_id"] for r in store.query("SELECT service_request_id FROM reports")) == [
        "1",
        "3",
    ]


def test_a_transaction_is_invisible_to_other_clients_until_commit(store, pg_info):
    with PostGisStore.open(pg_info) as other:
        with store.transaction():
            store.upsert_requests([req(1)])
            assert other.count() == 0
        assert other.count() == 1


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
    assert store.pending_outbox(claim=False) == [entry]
    with pytest.raises(StoreError):
        store.record_local_update("404", {"external_status_code": "fixed"}, author="x")


def test_outbox_failure_rolls_back_the_report_change(store, monkeypatch):
    import psycopg2

    store.upsert_requests([req(1)])
    store.record_local_update("1", {"external_status_code": "investigating"}, author="m")
    same = store.outbox_entries()[0].update_id
    monkeypatch.setattr(postgis_module.uuid, "uuid4", lambda: same)  # the inserts now violate UNIQUE
    with pytest.raises(psycopg2.IntegrityError):
        store.record_local_update("1", {"external_status_code": "hidden"}, author="m")
    assert store.report("1")["external_status_code"] == "investigating"
    assert store.report("1")["version"] == 2
    assert len(store.history("1")) == 1 and len(store.outbox_entries()) == 1


# (the pull-under-a-local-change and outbox-state tests run for both backends in tests/test_store.py)


# -- what sharing adds ---------------------------------------------------------------------------------------


def test_stale_base_version_raises_a_conflict_and_writes_nothing(store, pg_info):
    store.upsert_requests([req(1)])
    seen = store.report("1")["version"]
    with PostGisStore.open(pg_info) as officer_b:
        officer_b.record_local_update("1", {"external_status_code": "in_progress"}, "officer:roads", base_version=seen)
    with pytest.raises(VersionConflictError) as info:
        store.record_local_update("1", {"external_status_code": "fixed"}, "officer:ujkg", base_version=seen)
    err = info.value
    assert err.theirs["external_status_code"] == "in_progress" and err.current_version == seen + 1
    assert err.mine == {"external_status_code": "fixed"} and "officer:roads" in str(err)
    assert store.report("1")["external_status_code"] == "in_progress"
    assert len(store.outbox_entries()) == 1 and len(store.history("1")) == 1
    # applied again on the version now shown: it goes through
    store.record_local_update("1", {"external_status_code": "fixed"}, "officer:ujkg", base_version=err.current_version)
    assert store.report("1")["external_status_code"] == "fixed"


def test_claims_give_each_entry_to_one_client_and_keep_a_report_with_one_client(store, pg_info):
    store.upsert_requests([req(i) for i in range(1, 5)])
    first = [store.record_local_update(str(i), {"external_status_code": "investigating"}, "m") for i in range(1, 5)]
    with PostGisStore.open(pg_info) as other:
        mine = store.pending_outbox(limit=2)
        assert [e.update_id for e in mine] == first[:2]
        # a later entry of report 1 is not handed to another client while the first is leased
        extra = store.record_local_update("1", {"external_status_code": "action_scheduled"}, "m")
        theirs = other.pending_outbox()
        assert [e.update_id for e in theirs] == first[2:]
        assert store.pending_outbox() == [
            e for e in store.pending_outbox(claim=False) if e.update_id in (*first[:2], extra)
        ]
        # the owner sees its own claims again (a crash between POST and marking resends the same update_id)
        assert extra in [e.update_id for e in store.pending_outbox()]
        store.mark_outbox_sent(first[0])
        assert other.pending_outbox() == theirs  # still nothing of report 1 or 2 for the other client
        # a dead client's lease runs out
        store.close()
        sql(pg_info, "UPDATE outbox SET claimed_until = now() - interval '1 second'")
        taken = [e.update_id for e in other.pending_outbox()]
        assert first[1] in taken and extra in taken and first[0] not in taken
        assert other.release_claims() >= 3
        assert sql(pg_info, "SELECT count(*) FROM outbox WHERE claimed_by IS NOT NULL") == [(0,)]


def test_query_execute_with_sqlite_style_placeholders(store):
    store.upsert_requests([req(1), req(2)])
    with store.transaction():
        assert store.execute("UPDATE reports SET address = ? WHERE service_request_id = ?", ("вул. 1%", "1")) == 1
    rows = store.query("SELECT service_request_id, address, updated_datetime FROM reports WHERE address LIKE '%1%%'")
    assert rows == [{"service_request_id": "1", "address": "вул. 1%", "updated_datetime": to_store(T0)}]


def test_roles_from_grant_sql(store, pg_info):
    """The working group reads, an officer edits reports/outbox but not the reference tables."""
    import psycopg2

    admin = pg_admin(pg_info)
    try:
        with admin.cursor() as cur:
            for role in ("om_wg", "om_officer"):
                cur.execute(f"DROP ROLE IF EXISTS {role}")
            cur.execute("CREATE ROLE om_wg LOGIN")
            cur.execute("CREATE ROLE om_officer LOGIN")
    finally:
        admin.close()
    try:
        store.upsert_requests([req(1)])
        store.grant("om_wg", "read")
        store.grant("om_officer", "edit")
        assert any("GRANT SELECT" in s for s in grant_sql(pg_info.schema, "x", "read"))
        from dataclasses import replace

        with PostGisStore.open(replace(pg_info, user="om_wg")) as wg:
            assert wg.count() == 1
            with pytest.raises(psycopg2.Error):
                wg.record_local_update("1", {"external_status_code": "hidden"}, "wg")
        with PostGisStore.open(replace(pg_info, user="om_officer")) as officer:
            officer.record_local_update("1", {"external_status_code": "in_progress"}, "officer:ujkg")
            assert [e.update_id for e in officer.pending_outbox()]
            with pytest.raises(psycopg2.Error):
                officer.upsert_services([Service("x", "X")])
    finally:
        store.drop_schema()  # the roles own nothing then
        admin = pg_admin(pg_info)
        try:
            with admin.cursor() as cur:
                cur.execute("DROP ROLE om_wg")
                cur.execute("DROP ROLE om_officer")
        finally:
            admin.close()


# -- crash safety ------------------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from datetime import datetime, timezone
    from openmisto_plugin.core.model import ServiceRequest
    from openmisto_plugin.core.store.postgis import PostGisStore
    s = PostGisStore.open({uri!r})
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


def test_kill_minus_nine_mid_transaction_leaves_whole_transactions(store, pg_info, tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT), uri=pg_info.to_uri()))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        lines = [proc.stdout.readline() for _ in range(6)]
        assert all(lines), "the writer died early"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    reports = store.count()
    assert reports >= 2500 and reports % 500 == 0
    entries = store.outbox_entries()
    assert len(entries) == reports // 500
    assert all(store.report(e.service_request_id)["external_status_code"] == "investigating" for e in entries)
    store.upsert_requests([ServiceRequest("after", 47.65, 34.1)])
    assert store.count() == reports + 1


# -- QGIS postgres layers --------------------------------------------------------------------------------


def test_qgis_postgres_layer_shows_rows_and_sees_another_clients_change(store, pg_info, pg_cluster, qgis_app):
    from qgis.core import QgsDataSourceUri, QgsFeatureRequest, QgsRectangle, QgsVectorLayer

    store.upsert_requests([req(i, lat=47.60 + (i % 50) * 1e-3, lon=34.05 + (i // 50) * 1e-3) for i in range(500)])
    store.upsert_districts([("west", "Захід", WEST)])
    uri = store.layer_uri("reports")
    parsed = QgsDataSourceUri(uri)
    assert (parsed.schema(), parsed.table(), parsed.geometryColumn(), parsed.keyColumn()) == (
        pg_info.schema,
        "reports",
        "geom",
        "fid",
    )
    assert parsed.password() == "" and "password" not in uri
    layer = QgsVectorLayer(uri, "reports", "postgres")
    assert layer.isValid(), layer.error().summary()
    assert layer.featureCount() == 500
    assert layer.crs().authid() == "EPSG:4326"
    rect = QgsRectangle(34.05, 47.60, 34.0515, 47.6105)
    expected = sum(1 for i in range(500) if 34.05 + (i // 50) * 1e-3 <= 34.0515 and 47.60 + (i % 50) * 1e-3 <= 47.6105)
    assert len(list(layer.getFeatures(QgsFeatureRequest().setFilterRect(rect)))) == expected
    index = layer.fields().indexOf("external_status_code")
    # another client changes a report and adds one; this layer sees both after a reload
    with PostGisStore.open(pg_info) as other:
        other.record_local_update("7", {"external_status_code": "investigating"}, "officer:roads")
        other.upsert_requests([req(9999)])
    layer.dataProvider().reloadData()
    layer.reload()
    assert layer.featureCount() == 501
    values = {f["service_request_id"]: f.attribute(index) for f in layer.getFeatures()}
    assert values["7"] == "investigating" and "9999" in values
    districts = QgsVectorLayer(store.layer_uri("districts"), "d", "postgres")
    assert districts.isValid() and districts.featureCount() == 1
    outbox = QgsVectorLayer(store.layer_uri("outbox"), "o", "postgres")
    assert outbox.isValid() and outbox.featureCount() == 1
    # through the pg service, as a city sets it up
    if pg_cluster.service:
        by_service = PgConnectionInfo(service=pg_cluster.service, schema=pg_info.schema)
        with PostGisStore.open(by_service) as s:
            layer2 = QgsVectorLayer(s.layer_uri("reports"), "r", "postgres")
            assert "service=" in s.layer_uri("reports")
            assert layer2.isValid() and layer2.featureCount() == 501


def test_a_local_change_committed_while_a_page_is_compared_stays_on_top(store, pg_info, monkeypatch):
    """The upsert compares without locks, then locks the rows it writes and decides them again."""
    store.upsert_requests([req(1), req(2)])
    plan = store._plan
    other = PostGisStore.open(pg_info)

    def racing_plan(rows, lock):
        result = plan(rows, lock)
        if not lock:  # another officer saves a response right after our first look
            other.record_local_update("1", {"external_status_code": "in_progress"}, "officer:roads")
        return result

    monkeypatch.setattr(store, "_plan", racing_plan)
    try:
        changed = [req(1, minutes=30, description="нове"), req(2, minutes=30, description="теж")]
        assert store.upsert_requests(changed) == UpsertCounts(0, 2, 0)
    finally:
        other.close()
    one = store.report("1")
    assert (one["external_status_code"], one["description"], one["version"]) == ("in_progress", "нове", 3)
    assert store.outbox_entries()[0].platform["description"] == "нове"
    assert store.report("2")["description"] == "теж"


def test_saved_qgis_connection_with_authcfg_keeps_the_password_out(pg_cluster, pg_info, qgis_app):
    """A QGIS saved connection + an authentication configuration: the store connects, nothing stores the password."""
    from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsDataSourceUri, QgsProviderRegistry, QgsSettings

    from openmisto_plugin.core.store.pg_connection import from_qgis_connection, saved_connection_names

    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword("pytest-master-password", True)
    config = QgsAuthMethodConfig("Basic")
    config.setName("openmisto pg test")
    config.setConfig("username", pg_info.user)
    config.setConfig("password", "never-stored-S3cr3t")  # the test cluster trusts; the value just travels
    assert manager.storeAuthenticationConfig(config)
    authcfg = config.id()
    uri = QgsDataSourceUri()
    uri.setConnection(pg_info.host, str(pg_info.port), pg_info.dbname, "", "", QgsDataSourceUri.SslDisable, authcfg)
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    metadata.saveConnection(metadata.createConnection(uri.uri(False), {}), "Pokrov test")
    try:
        assert "Pokrov test" in saved_connection_names()
        info = from_qgis_connection("Pokrov test", schema=pg_info.schema)
        assert (info.host, info.port, info.dbname, info.authcfg, info.connection) == (
            pg_info.host,
            pg_info.port,
            pg_info.dbname,
            authcfg,
            "Pokrov test",
        )
        assert info.connect_kwargs()["password"] == "never-stored-S3cr3t"  # resolved in memory only
        address = f"postgres:connection='Pokrov test' schema={pg_info.schema}"
        with PostGisStore.create(address) as store:
            store.upsert_requests([req(1)])
            layer_uri = store.layer_uri()
            assert f"authcfg={authcfg}" in layer_uri and "S3cr3t" not in layer_uri
            assert "S3cr3t" not in store.path and "S3cr3t" not in info.describe() and "S3cr3t" not in repr(info)
            from qgis.core import QgsVectorLayer

            assert QgsVectorLayer(layer_uri, "r", "postgres").featureCount() == 1
        settings = QgsSettings()
        assert all("S3cr3t" not in str(settings.value(k)) for k in settings.allKeys())
    finally:
        metadata.deleteConnection("Pokrov test")
        manager.removeAuthenticationConfig(authcfg)
    with pytest.raises(PgConnectionError):
        from_qgis_connection("Pokrov test")


def test_routing_rules_and_districts_extent_are_the_same_on_both_backends(store, tmp_path):
    """The store keeps the routing rules and the districts' box: the same answers from PostGIS and a GeoPackage."""
    from qgis.core import QgsGeometry

    from openmisto_plugin.core import routing_storage
    from openmisto_plugin.core.rules import RoutingRules
    from openmisto_plugin.core.store.gpkg import GeoPackageStore

    park = "POLYGON((34.10 47.62, 34.12 47.62, 34.12 47.64, 34.10 47.64, 34.10 47.62))"
    rules = RoutingRules.from_rows(
        [("roads.pothole", "roads"), ("light.broken", "ujkg")],
        [("Парк «Шахтарів»", "landscaping", 5, park), ("Center", "roads", 1, WEST)],
    )
    gpkg = GeoPackageStore.create(str(tmp_path / "rules.gpkg"))
    try:
        for backend in (store, gpkg):
            assert backend.districts_extent() is None and backend.routing_zones() == []
            routing_storage.save_routing_rules(backend, rules)
            backend.upsert_districts([("d1", "Район", WEST), ("d2", "Центр", EAST)])
        on_pg, on_gpkg = (routing_storage.load_routing_rules(s) for s in (store, gpkg))
        assert on_pg.category_rules == on_gpkg.category_rules == rules.category_rules
        assert (
            [(z.name, z.department, z.priority) for z in on_pg.zones]
            == [(z.name, z.department, z.priority) for z in on_gpkg.zones]
            == [("Парк «Шахтарів»", "landscaping", 5), ("Center", "roads", 1)]
        )
        for mine, theirs in zip(on_pg.zones, on_gpkg.zones):
            assert mine.geometry.equals(theirs.geometry) and mine.geometry.isMultipart()
        stored = QgsGeometry()
        stored.fromWkb(store.routing_zones()[0]["wkb"])
        assert stored.equals(QgsGeometry.fromWkt(park).convertToType(stored.type(), True))
        assert store.districts_extent() == pytest.approx(gpkg.districts_extent())
        box = gpkg.query("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'routing_zones'")[0]
        assert (box["min_x"], box["min_y"], box["max_x"], box["max_y"]) == pytest.approx((34.05, 47.60, 34.12, 47.70))
        routing_storage.save_routing_rules(store, RoutingRules.from_rows([], []))
        assert store.routing_categories() == [] and store.routing_zones() == []
    finally:
        gpkg.close()
