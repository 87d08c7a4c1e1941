"""One overdue rule (core.deadlines): the Python predicate, the SQL condition and the layer style agree."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from qgis.core import QgsFeatureRequest, QgsRuleBasedRenderer

from openmisto_plugin.core import project_layers
from openmisto_plugin.core.deadlines import overdue_expression, overdue_where, report_is_overdue
from openmisto_plugin.core.filters.model import ReportFilter
from openmisto_plugin.core.filters.sql import attribute_where
from openmisto_plugin.core.model import ServiceRequest
from openmisto_plugin.core.store import GeoPackageStore
from openmisto_plugin.core.store.workspace import Workspace
from openmisto_plugin.core.sync import SyncEngine
from openmisto_plugin.core.timeutil import now_utc, to_store
from tests.helpers_store import client_for

pytestmark = pytest.mark.usefixtures("qgis_app")


@pytest.fixture()
def synced(fresh_refserver, tmp_path):
    """A real GeoPackage workspace filled by a full sync from the reference server."""
    path = str(tmp_path / "ws.gpkg")
    store = GeoPackageStore.create(path)
    SyncEngine(store, client_for(fresh_refserver)).pull(full=True)
    yield path, store
    store.close()


def _overdue_rule(layer) -> QgsRuleBasedRenderer.Rule:
    renderer = layer.renderer()
    assert isinstance(renderer, QgsRuleBasedRenderer)
    (rule,) = [r for r in renderer.rootRule().children() if r.ruleKey() == project_layers.OVERDUE_RULE_KEY]
    return rule


def test_python_sql_and_style_count_the_same_overdue_reports(synced):
    path, store = synced
    before = now_utc()
    rows = store.query("SELECT status, deadline FROM reports")
    by_python = sum(report_is_overdue(row, before) for row in rows)
    by_sql = store.count(overdue_where(before))
    open_reports = store.count("status = 'open'")
    assert 0 < by_python < open_reports  # the server's data has both: the comparison can tell them apart
    assert by_sql == by_python

    # the dock counts and the message bar (the GUI's store, or one opened from the address), the layer, its style
    layer = project_layers.make_layer(path, project_layers.REPORTS)
    assert layer is not None and layer.isValid()
    rule = _overdue_rule(layer)
    assert rule.filterExpression() == overdue_expression(Workspace(path).reads_utc_stamps_as_local())
    by_features = sum(report_is_overdue(f, before) for f in layer.getFeatures())
    by_style = sum(1 for _ in layer.getFeatures(QgsFeatureRequest().setFilterExpression(rule.filterExpression())))
    filtered = project_layers.make_layer(path, project_layers.REPORTS)
    assert filtered.setSubsetString(attribute_where(ReportFilter(overdue_only=True), now=before))
    by_filter = sum(1 for _ in filtered.getFeatures())  # the filter panel's "Overdue only"
    counted_by_store = project_layers.status_counts(path, store)[1]
    counted_from_address = project_layers.status_counts(path)[1]  # opens the workspace's store itself
    after = now_utc()
    by_python_after = sum(report_is_overdue(row, after) for row in rows)
    assert by_features == by_filter == by_python
    for count in (by_style, counted_by_store, counted_from_address):  # these read the clock themselves
        assert by_python <= count <= by_python_after


@pytest.fixture()
def kyiv_clock(monkeypatch):
    """The machine's clock set to Kyiv time, as on the city's computers (CI machines run in UTC)."""
    monkeypatch.setenv("TZ", "Europe/Kyiv")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_style_counts_overdue_right_on_a_kyiv_clock(kyiv_clock, tmp_path):
    """A deadline an hour ahead is not overdue on the map either, whatever this QGIS does with UTC stamps."""
    path = str(tmp_path / "kyiv.gpkg")
    now = now_utc()
    with GeoPackageStore.create(path) as store:
        store.upsert_requests([ServiceRequest(f"r{n}", 47.65, 34.1, requested_datetime=now) for n in range(2)])
        store.execute(
            "UPDATE reports SET status = 'open', deadline = ? WHERE service_request_id = 'r0'",
            (to_store(now - timedelta(hours=1)),),
        )
        store.execute(
            "UPDATE reports SET status = 'open', deadline = ? WHERE service_request_id = 'r1'",
            (to_store(now + timedelta(hours=1)),),
        )
        rows = store.query("SELECT service_request_id, status, deadline FROM reports ORDER BY service_request_id")
        assert [report_is_overdue(row, now) for row in rows] == [True, False]
    layer = project_layers.make_layer(path, project_layers.REPORTS)
    rule = _overdue_rule(layer)
    request = QgsFeatureRequest().setFilterExpression(rule.filterExpression())
    assert sorted(f["service_request_id"] for f in layer.getFeatures(request)) == ["r0"]
