"""The plugin on a shared PostGIS workspace, end to end (issue 5, items 1, 2 and 4).

A real PostgreSQL (tests/fixtures_postgis.py: a schema of its own per test) and the reference server:
the settings dialog picks a QGIS saved connection, the plugin syncs into PostGIS and shows ``postgres``
layers, the reports phase already reloads the map, a moderator's acceptance goes through the workflow,
the shared outbox and the push to the platform, a second user (another connection) changes a report and
the first user's layer shows it after a refresh; ``openmisto:sync`` runs on a ``postgres:`` address and
a second run while a sync holds the lock reports busy (and on a GeoPackage too); optimistic locking
behaves alike on both backends; the same filters give the same reports on a GeoPackage and PostGIS.
"""

# ruff: noqa: F811 - the fixtures of tests/test_plugin.py are imported by name and used as parameters
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDataSourceUri,
    QgsPointXY,
    QgsProcessingFeedback,
    QgsProject,
    QgsProviderRegistry,
    QgsRectangle,
    QgsVectorLayer,
)

from openmisto_plugin.core import moderation, project_layers
from openmisto_plugin.core import workflow as wf
from openmisto_plugin.core.filters import evaluation, map_layer, model, saved
from openmisto_plugin.core.open311.client import Open311Client
from openmisto_plugin.core.settings import PluginSettings
from openmisto_plugin.core.store.base import PENDING, SENT, SyncBusyError, VersionConflictError
from openmisto_plugin.core.store.factory import layer_source, open_store, run_sync_exclusive
from openmisto_plugin.core.store.gpkg import GeoPackageStore
from openmisto_plugin.core.store.postgis import PostGisStore
from openmisto_plugin.core.store.workspace import POSTGRES, Workspace
from openmisto_plugin.core.sync import SyncEngine
from openmisto_plugin.core.timeutil import now_utc
from tests.test_dock_workflow import DISTRICT, SYNC_TIMEOUT_S, load_plugin, row_of, unload
from tests.test_plugin import (  # noqa: F401 - fixtures
    clean_settings,
    flush_deletes,
    iface,
    unlocked_auth,
    wait_for,
)
from tests.test_workflow import api_updates, submit_reports

CONNECTION = "Pokrov e2e"


def client(server: Any) -> Open311Client:
    return Open311Client(server.base_url, api_key=server.keys["moderator"], retries=1)


def new_report(store: Any) -> str:
    """A report waiting for moderation (``for_triage``)."""
    return next(
        i.service_request_id for i in moderation.moderation_queue(store) if i.external_status_code == "for_triage"
    )


class Feedback(QgsProcessingFeedback):
    """Keeps the warnings Processing is told."""

    def __init__(self) -> None:
        super().__init__()
        self.warnings: list[str] = []

    def pushWarning(self, text: str) -> None:
        self.warnings.append(text)
        super().pushWarning(text)


@pytest.fixture()
def saved_connection(pg_info) -> Any:
    """A QGIS saved PostgreSQL connection to the test cluster (no password: the test cluster trusts)."""
    uri = QgsDataSourceUri()
    uri.setConnection(pg_info.host, str(pg_info.port), pg_info.dbname, pg_info.user or "", "")
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    metadata.saveConnection(metadata.createConnection(uri.uri(False), {"saveUsername": True}), CONNECTION)
    yield f"postgres:connection='{CONNECTION}' schema={pg_info.schema}"
    metadata.deleteConnection(CONNECTION)


def configure_postgres(server: Any, saved_connection: str, pg_info: Any, role: str = "moderator") -> PluginSettings:
    """The settings dialog: a PostgreSQL workspace from QGIS's saved connections, the moderator's key."""
    from openmisto_plugin.core.open311.auth import save_api_key
    from openmisto_plugin.gui.settings_dialog import KIND_POSTGRES, SettingsDialog

    dialog = SettingsDialog(PluginSettings.load())
    dialog.url_edit.setText(server.base_url)
    dialog.key_edit.setText(server.keys[role])
    dialog.workspace_kind_combo.setCurrentIndex(dialog.workspace_kind_combo.findData(KIND_POSTGRES))
    assert dialog.connection_combo.findData(CONNECTION) >= 0, "the saved QGIS connection is offered"
    dialog.connection_combo.setCurrentIndex(dialog.connection_combo.findData(CONNECTION))
    dialog.schema_edit.setText(pg_info.schema)
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(role))
    dialog.interval_spin.setValue(0)
    dialog.accept()
    settings = PluginSettings.load()
    assert settings.workspace_path == saved_connection
    assert settings.current_workspace.shared and "password" not in settings.workspace_path
    if not settings.authcfg:
        settings.authcfg = save_api_key(server.keys[role], "test pg")
        settings.save()
    dialog.deleteLater()
    return settings


@pytest.fixture()
def pg_moderator(iface, qgis_new_project, clean_settings, unlocked_auth, fresh_refserver, pg_info, saved_connection):
    """A moderator's plugin on a (not yet created) PostGIS workspace, three new reports on the platform."""
    ids = submit_reports(fresh_refserver, DISTRICT, 3)
    configure_postgres(fresh_refserver, saved_connection, pg_info)
    plugin = load_plugin(iface)
    yield plugin, fresh_refserver, ids, saved_connection
    unload(plugin)


def test_plugin_on_postgis_syncs_shows_postgres_layers_and_others_changes(pg_moderator, pg_info):
    plugin, server, ids, address = pg_moderator
    assert plugin.session.store is None  # no schema yet: the first sync creates it

    stored: list[tuple[bool, int]] = []
    reload_on_reports = plugin.sync._reports_stored

    def reports_stored() -> None:
        reload_on_reports()
        layer = project_layers.find_layer(project_layers.REPORTS)
        stored.append((plugin.sync.task is not None, layer.featureCount() if layer is not None else -1))

    plugin.sync._reports_stored = reports_stored  # connected (queued) when the task starts
    plugin.sync.start()
    assert plugin.sync.task is not None
    assert wait_for(lambda: plugin.sync.task is None, SYNC_TIMEOUT_S)
    # the map showed the reports after the reports phase, while the sync (history) still ran
    assert stored and stored[0][0] and stored[0][1] > 0, stored

    # postgres layers, the right count, the GUI store on the same workspace
    store = plugin.session.store
    assert isinstance(store, PostGisStore) and store.schema == pg_info.schema
    layer = project_layers.find_layer(project_layers.REPORTS)
    assert layer is not None and layer.providerType() == "postgres"
    assert "password" not in layer.source()
    assert layer.featureCount() == store.count() > 0
    assert stored[0][1] == store.count()
    districts = project_layers.find_layer(project_layers.DISTRICTS)
    assert districts is not None and districts.providerType() == "postgres" and districts.featureCount() > 0

    # the moderator accepts in the queue: workflow on PostGIS, shared outbox, pushed to the platform
    panel = plugin.dock.workflow.moderation_panel
    sid = ids[0]
    row = row_of(panel.table, sid)
    assert row >= 0
    panel.table.selectRow(row)
    panel.accept_button.click()
    assert store.report(sid)["external_status_code"] == "investigating"
    assert [e.state for e in store.outbox_entries() if e.service_request_id == sid] == [PENDING]
    assert wait_for(lambda: plugin.sync.task is None, SYNC_TIMEOUT_S)
    assert [e.state for e in store.outbox_entries() if e.service_request_id == sid] == [SENT]
    assert [(u[0], u[2], u[3]) for u in api_updates(server, [sid])] == [(sid, "investigating", "moderator")]

    # a second user (another connection to the same workspace) assigns the report and removes another …
    count = layer.featureCount()
    with open_store(address) as other:
        wf.assign(other, wf.Actor(wf.MODERATOR, name="colleague"), [sid], "roads")
        assert other.execute("DELETE FROM reports WHERE service_request_id = ?", (ids[2],)) == 1
    assert layer.featureCount() == count  # the provider's count is cached until a reload
    # … and the first user's map shows it after the next refresh (the timer's, without a platform here)
    settings = PluginSettings.load()
    settings.base_url = ""
    settings.save()
    plugin.sync.tick()
    assert layer.featureCount() == count - 1
    after = {f["service_request_id"]: f["agency_responsible"] for f in layer.getFeatures()}
    assert after[sid] == "roads" and ids[2] not in after
    assert row_of(panel.table, sid) < 0 and row_of(panel.table, ids[2]) < 0  # the queue follows too


def test_processing_sync_on_a_postgres_address_and_a_second_run_is_busy(
    fresh_refserver, pg_info, openmisto_provider, monkeypatch
):
    import processing

    monkeypatch.setenv("OPENMISTO_API_KEY", fresh_refserver.keys["moderator"])

    address = pg_info.to_uri()
    params = {
        "PLATFORM_URL": fresh_refserver.base_url,
        "WORKSPACE": address,
    }
    first = processing.run("openmisto:sync", params)
    assert first["NEW"] > 0 and first["BUSY"] == 0 and first["WORKSPACE"] == address
    with open_store(address) as store:
        assert store.count() == first["NEW"]
        layer = QgsVectorLayer(*layer_source(address, "reports")[:1], "reports", layer_source(address, "reports")[1])
        assert layer.providerType() == "postgres" and layer.featureCount() == first["NEW"]

        # another sync holds the workspace (the server's schedule, another user's "Sync now")
        feedback = Feedback()
        with store.sync_lock():
            busy = processing.run("openmisto:sync", {**params, "LOCK_WAIT": 0.5}, feedback=feedback)
        assert busy["BUSY"] == 1 and busy["NEW"] == busy["UNCHANGED"] == 0
        assert any(pg_info.schema in m for m in feedback.warnings), feedback.warnings
        # free again: the next run works
        again = processing.run("openmisto:sync", params)
        assert again["BUSY"] == 0 and again["NEW"] == 0


def test_geopackage_sync_lock_is_a_lock_file(fresh_refserver, tmp_path):
    path = tmp_path / "w.gpkg"
    with GeoPackageStore.create(str(path)) as first, GeoPackageStore.open(str(path)) as second:
        with first.sync_lock():
            with pytest.raises(SyncBusyError), second.sync_lock(wait_s=0.2):
                pass
            engine = SyncEngine(second, client(fresh_refserver))
            run = run_sync_exclusive(engine, wait_s=0)
            assert run.skipped and "Another sync is running" in run.busy
            assert second.count() == 0  # the skipped sync wrote nothing
        run = run_sync_exclusive(SyncEngine(second, client(fresh_refserver)), wait_s=0)
        assert not run.skipped and second.count() > 0


# --- optimistic locking, alike on both backends ---------------------------------------------------------------------


@pytest.fixture(params=["gpkg", "postgis"])
def any_store(request, fresh_refserver, tmp_path):
    if request.param == "gpkg":
        store = GeoPackageStore.create(str(tmp_path / "w.gpkg"))
        address = store.path
    else:
        pg_info = request.getfixturevalue("pg_info")
        store = PostGisStore.create(pg_info)
        address = pg_info.to_uri()
    SyncEngine(store, client(fresh_refserver)).pull(full=True)
    yield store, address
    store.close()


def test_a_stale_version_is_refused_on_both_backends(any_store):
    store, address = any_store
    sid = new_report(store)
    seen = store.report(sid)["version"]
    with open_store(address) as other:  # another user, another connection
        wf.accept(other, wf.Actor(wf.MODERATOR, name="colleague"), sid, base_version=seen)
    outbox = len(store.outbox_entries())
    with pytest.raises(VersionConflictError) as info:
        wf.reject(store, wf.Actor(wf.MODERATOR), sid, "spam", base_version=seen)
    assert info.value.base_version == seen and info.value.current_version == seen + 1
    assert info.value.theirs["external_status_code"] == "investigating" and "colleague" in str(info.value)
    assert info.value.mine["external_status_code"] == "hidden"
    assert len(store.outbox_entries()) == outbox  # nothing written
    # without a version (or on the new one) the change is applied
    wf.reject(store, wf.Actor(wf.MODERATOR), sid, "spam", base_version=info.value.current_version)
    assert store.report(sid)["external_status_code"] == "hidden"


def test_assign_dialog_shows_both_versions_and_applies_on_the_new_one(any_store, qgis_app):
    from openmisto_plugin.gui.assign_dialog import AssignDialog

    store, address = any_store
    actor = wf.Actor(wf.MODERATOR)
    sid = new_report(store)
    wf.accept(store, actor, sid)
    dialog = AssignDialog(store, actor, [sid])
    category = next(code for code, _name in wf.services(store) if code != store.report(sid)["service_code"])
    with open_store(address) as other:  # changed meanwhile by a colleague
        wf.recategorise(other, wf.Actor(wf.MODERATOR, name="colleague"), sid, category)
    shown: list[Any] = []
    dialog.conflict_resolver = lambda error, parent, before: shown.append(error) or True
    assert dialog._assign({sid: "roads"})
    assert len(shown) == 1 and shown[0].theirs["service_code"] == category
    assert shown[0].mine["agency_responsible"] == "roads"
    report = store.report(sid)
    assert (report["agency_responsible"], report["service_code"]) == ("roads", category)
    # the dialog's "both versions" view of it
    from openmisto_plugin.gui.outbox_panel import ConflictDialog, version_conflict_entry

    view = ConflictDialog(version_conflict_entry(shown[0]), local=True)
    names = {f.name: (f.mine, f.platform) for f in view.fields}
    assert names["agency_responsible"][0] == "roads" and "external_status_code" in names
    view.deleteLater()
    dialog.deleteLater()


# --- the same filters on both backends ------------------------------------------------------------------------------


def test_filters_give_the_same_reports_on_geopackage_and_postgis(fresh_refserver, pg_info, tmp_path, qgis_app):
    gpkg = GeoPackageStore.create(str(tmp_path / "w.gpkg"))
    pg = PostGisStore.create(pg_info)
    try:
        for store in (gpkg, pg):
            SyncEngine(store, client(fresh_refserver)).pull(full=True)
        now = now_utc()

        def ids(store: Any, fids: list[int]) -> set[str]:
            by_fid = {
                r["fid"]: r["service_request_id"] for r in store.query("SELECT fid, service_request_id FROM reports")
            }
            return {by_fid[f] for f in fids}

        rows = gpkg.query("SELECT lat, long, service_code, agency_responsible, description FROM reports")
        lats = sorted(r["lat"] for r in rows)
        longs = sorted(r["long"] for r in rows)
        middle = (longs[len(longs) // 2], lats[len(lats) // 2])
        word = next(w for r in rows if r["description"] for w in r["description"].split() if len(w) > 3)
        district = gpkg.query("SELECT code FROM districts ORDER BY code")[0]["code"]
        box = QgsRectangle(longs[len(longs) // 4], lats[len(lats) // 4], middle[0], middle[1])
        to_mercator = QgsCoordinateTransform(
            QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem("EPSG:3857"), QgsProject.instance()
        )
        corners = [
            to_mercator.transform(QgsPointXY(x, y))
            for x, y in ((longs[0], lats[0]), (middle[0], lats[-1]), (longs[-1], middle[1]))
        ]
        mercator_triangle = "POLYGON((" + ", ".join(f"{p.x()} {p.y()}" for p in [*corners, corners[0]]) + "))"
        cases = {
            "status": model.ReportFilter(statuses=["action_scheduled", "in_progress"]),
            "category+department": model.ReportFilter(
                categories=[rows[0]["service_code"]], departments=["roads", model.UNASSIGNED]
            ),
            "period+overdue": model.ReportFilter(
                date_from=date.today() - timedelta(days=200), date_to=date.today(), overdue_only=True
            ),
            "text (other case)": model.ReportFilter(text=word.upper()),
            "extent": model.ReportFilter(extent=box, extent_crs="EPSG:4326"),
            "district": model.ReportFilter(districts=[district]),
            "polygon 3857": model.ReportFilter(polygon_wkt=mercator_triangle, polygon_crs="EPSG:3857"),
            "distance": model.ReportFilter(
                near_wkts=[f"POINT({middle[0]} {middle[1]})"], near_crs="EPSG:4326", distance_m=800
            ),
            "everything at once": model.ReportFilter(
                statuses=["for_triage", "investigating", "action_scheduled"],
                near_wkts=[f"POINT({middle[0]} {middle[1]})"],
                near_crs="EPSG:4326",
                distance_m=1500,
            ),
        }
        nonempty = 0
        for name, flt in cases.items():
            on_gpkg = evaluation.evaluate(flt, gpkg.path, now=now)
            on_pg = evaluation.evaluate(flt, pg.path, now=now)
            assert ids(gpkg, on_gpkg.fids) == ids(pg, on_pg.fids), name
            nonempty += bool(on_gpkg.fids)
            # applied to the postgres layer, the layer shows exactly those reports
            layer = QgsVectorLayer(layer_source(pg.path, "reports")[0], "reports", "postgres")
            assert map_layer.apply_to_layer(layer, on_pg), name
            assert sorted(layer.allFeatureIds()) == on_pg.fids, name
            assert map_layer.clear_layer_filter(layer) and layer.subsetString() == ""
        assert nonempty >= 6, "most cases must select something"

        # saved filters and the lists work on PostGIS too
        saved.save_filter(pg.path, "Ями", cases["text (other case)"])
        assert saved.list_filters(pg.path) == ["Ями"]
        assert saved.load_filter(pg, "Ями").text == word.upper()
        assert saved.delete_filter(pg.path, "Ями") and not saved.list_filters(pg)
        assert saved.workspace_choices(pg.path) == saved.workspace_choices(gpkg.path)
        # a postgres layer knows its workspace
        layer = project_layers.make_layer(pg.path, "reports")
        assert Workspace.of(layer) == Workspace(pg.path) and Workspace.of(layer).dialect == POSTGRES
    finally:
        gpkg.close()
        pg.close()


def test_project_layers_and_counts_on_postgis(pg_store, fresh_refserver, qgis_new_project):
    SyncEngine(pg_store, client(fresh_refserver)).pull(full=True)
    layers = project_layers.add_layers(pg_store.path)
    assert {t: lay.providerType() for t, lay in layers.items()} == dict.fromkeys(project_layers.TABLES, "postgres")
    counts, overdue = project_layers.status_counts(pg_store.path, pg_store)
    assert sum(counts.values()) == pg_store.count() == layers["reports"].featureCount()
    assert overdue == pg_store.count("status = 'open' AND deadline < now()")
    project_layers.remove_layers()


def test_figures_and_atlas_data_read_alike_from_geopackage_and_postgis(fresh_refserver, pg_info, tmp_path, qgis_app):
    from openmisto_plugin.core import stats
    from openmisto_plugin.core.atlas import data as atlas_data

    gpkg = GeoPackageStore.create(str(tmp_path / "w.gpkg"))
    pg = PostGisStore.create(pg_info)
    try:
        for store in (gpkg, pg):
            SyncEngine(store, client(fresh_refserver)).pull(full=True)
        since = now_utc() - timedelta(days=60)
        for kwargs in ({}, {"since": since, "extra_columns": ("lat", "long", "address")}):
            on_gpkg = stats.load_rows(gpkg.path, **kwargs)
            for source in (pg, pg.path):
                on_pg = stats.load_rows(source, **kwargs)
                assert on_pg.reports == on_gpkg.reports
                assert list(on_pg.history) == list(on_gpkg.history)
                assert on_pg.names == on_gpkg.names
        today = now_utc()
        period = stats.Period.month(today.year, today.month)
        data = {
            name: atlas_data.prepare(path, period, stats.DEPARTMENT, now=today)
            for name, path in (("gpkg", gpkg.path), ("pg", pg.path))
        }
        assert [(g.key, g.label) for g in data["pg"].groups] == [(g.key, g.label) for g in data["gpkg"].groups]
        assert len(data["pg"].points) == len(data["gpkg"].points)
        assert atlas_data._district_extents(pg.path) == atlas_data._district_extents(tmp_path / "w.gpkg")
        assert atlas_data._contacts(pg.path) == atlas_data._contacts(tmp_path / "w.gpkg")
    finally:
        gpkg.close()
        pg.close()
