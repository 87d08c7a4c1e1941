"""The workflow pages in the plugin's dock (pytest-qgis): tabs by role, one shared store, moderation → outbox →
sync → platform, the officer's response from the detail view, the filter's list, and a clean unload."""

# ruff: noqa: F811 - the fixtures of tests/test_plugin.py are imported by name and used as parameters
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from qgis.core import Qgis
from qgis.PyQt.QtWidgets import QDialogButtonBox

from openmisto_plugin import classFactory
from openmisto_plugin.core import outbox_view, project_layers
from openmisto_plugin.core import workflow as wf
from openmisto_plugin.core.i18n import tr
from openmisto_plugin.core.settings import PluginSettings
from openmisto_plugin.core.store.base import PENDING, SENT
from tests.test_plugin import (  # noqa: F401 - fixtures
    canvas_items,
    clean_settings,
    flush_deletes,
    gui_counts,
    iface,
    unlocked_auth,
    wait_for,
)
from tests.test_workflow import api_updates, submit_reports, workspace

DISTRICT = "zaliznychnyi"
SYNC_TIMEOUT_S = 120


def configure(server: Any, path: Path, role: str, department: str = "") -> PluginSettings:
    """Settings of a user of ``role`` on ``server``, the key in the auth DB, no timer."""
    from openmisto_plugin.core.open311.auth import save_api_key

    key = server.officer_key(department) if role == "officer" else server.keys[role]
    settings = PluginSettings.load()
    settings.base_url = server.base_url
    settings.workspace_path = str(path)
    settings.authcfg = save_api_key(key, f"test {role}")
    settings.sync_interval_min = 0
    settings.role = role
    settings.department = department
    settings.save()
    return settings


def synced_workspace(server: Any, path: Path, role: str, department: str = "") -> Path:
    """A workspace pulled from the platform with the role's key (as the first sync would)."""
    key = server.officer_key(department) if role == "officer" else server.keys[role]
    store, _engine = workspace(server, key, path)
    store.close()
    return path


def load_plugin(iface) -> Any:
    plugin = classFactory(iface)
    plugin.initGui()
    return plugin


def unload(plugin: Any) -> None:
    if plugin.dock is not None:
        plugin.unload()
    flush_deletes()


def row_of(table: Any, text: str, column: int = 0) -> int:
    for row in range(table.rowCount()):
        item = table.item(row, column)
        if item is not None and item.text() == text:
            return row
    return -1


@pytest.fixture()
def moderator(iface, qgis_new_project, clean_settings, unlocked_auth, fresh_refserver, tmp_path):
    """A moderator's plugin on a synced workspace with three new reports in one district."""
    ids = submit_reports(fresh_refserver, DISTRICT, 3)
    path = synced_workspace(fresh_refserver, tmp_path / "moderator.gpkg", "moderator")
    configure(fresh_refserver, path, "moderator")
    plugin = load_plugin(iface)
    yield plugin, fresh_refserver, ids
    unload(plugin)


@pytest.fixture()
def officer(iface, qgis_new_project, clean_settings, unlocked_auth, fresh_refserver, tmp_path):
    """An officer of «roads» on a synced workspace."""
    path = synced_workspace(fresh_refserver, tmp_path / "roads.gpkg", "officer", "roads")
    configure(fresh_refserver, path, "officer", "roads")
    plugin = load_plugin(iface)
    yield plugin, fresh_refserver
    unload(plugin)


# --- tabs by role ---------------------------------------------------------------------------------------------------


def test_moderator_has_moderation_filter_and_outbox(moderator):
    plugin, _server, ids = moderator
    titles = plugin.dock.page_titles()
    assert titles[1:] == [tr("Moderation"), tr("No position"), tr("Filter"), tr("Outbox")]
    # One store for every page, opened on the workspace of the settings.
    store, pages = plugin.session.store, plugin.dock.workflow
    assert store is not None and store.path == PluginSettings.load().workspace_path
    assert pages.moderation_panel.store is store and pages.outbox_panel.store is store
    # «Без координат»: the reports the platform sent without a position, placeable by hand (issue 9)
    assert pages.no_position_panel.store is store
    assert pages.no_position_panel.table.rowCount() == store.count("position_flag IS NOT NULL")
    queued = [pages.moderation_panel.table.item(r, 0).text() for r in range(pages.moderation_panel.table.rowCount())]
    assert set(ids) <= set(queued)
    # The queue's district column shows the district's name, not its code (issue 11, item 5).
    district = pages.moderation_panel.table.item(queued.index(ids[0]), 4).text()
    assert district == dict(wf.districts(store))[DISTRICT] and district != DISTRICT
    assert plugin.actions["assign"].isVisible() and not plugin.actions["respond"].isVisible()
    assert plugin.dock.workflow.filter_panel.layer is project_layers.find_layer(project_layers.REPORTS)


def test_officer_has_filter_and_outbox_but_no_moderation(officer):
    plugin, _server = officer
    titles = plugin.dock.page_titles()
    assert tr("Filter") in titles and tr("Outbox") in titles
    assert tr("Moderation") not in titles
    assert plugin.dock.workflow.moderation_panel is None
    # The officer's own department is ticked in the filter by default.
    assert plugin.dock.workflow.filter_panel.department_list.checked() == ["roads"]
    # The role line names the department, not its internal code (issue 11, item 5).
    name = dict(wf.departments(plugin.session.store))["roads"]
    assert name != "roads" and name in plugin.dock.role_label.text() and "roads" not in plugin.dock.role_label.text()


def test_role_change_rebuilds_the_tabs_and_a_viewer_gets_only_the_filter(moderator):
    plugin, _server, _ids = moderator
    layer = project_layers.find_layer(project_layers.REPORTS)
    plugin.dock.workflow.filter_panel.district_list.set_checked([DISTRICT])
    assert plugin.dock.workflow.filter_panel.apply() is not None and layer.subsetString()
    settings = PluginSettings.load()
    settings.role = "viewer"
    settings.save()
    plugin.apply_settings(settings)
    flush_deletes()
    assert plugin.dock.page_titles()[1:] == [tr("Filter")]
    # the new role's empty filter form and the map agree: the old filter is gone from the layer too
    assert plugin.dock.workflow.filter_panel.district_list.checked() == [] and layer.subsetString() == ""
    pages = plugin.dock.workflow
    assert pages.moderation_panel is None and pages.outbox_panel is None and pages.no_position_panel is None


# --- moderation → outbox → sync → platform --------------------------------------------------------------------------


def test_accepting_in_the_queue_goes_through_the_outbox_to_the_platform(moderator, iface):
    plugin, server, ids = moderator
    panel, outbox = plugin.dock.workflow.moderation_panel, plugin.dock.workflow.outbox_panel
    sid = ids[0]
    row = row_of(panel.table, sid)
    assert row >= 0
    panel.table.selectRow(row)
    assert panel.selected_ids() == [sid]
    # The layer follows the queue's selection.
    layer = project_layers.find_layer(project_layers.REPORTS)
    assert [f["service_request_id"] for f in layer.selectedFeatures()] == [sid]

    panel.accept_button.click()

    # Written locally (store, history, outbox): the outbox page shows it waiting, the sync to send it started.
    assert plugin.session.store.report(sid)["external_status_code"] == "investigating"
    pending = [r for r in outbox.rows if r.service_request_id == sid]
    assert [r.state for r in pending] == [PENDING]
    assert row_of(outbox.table, sid, 1) >= 0
    assert plugin.sync.task is not None
    assert wait_for(lambda: plugin.sync.task is None, SYNC_TIMEOUT_S)

    # Sent: the outbox page says so after the sync, the platform has it once.
    outbox.set_state_filter(None)
    assert [r.state for r in outbox.rows if r.service_request_id == sid] == [SENT]
    assert [(u[0], u[2], u[3]) for u in api_updates(server, [sid])] == [(sid, "investigating", "moderator")]
    with server.db() as conn:
        assert conn.execute("SELECT external_status_code FROM requests WHERE id = ?", (int(sid),)).fetchone() == (
            "investigating",
        )
    # The message bar carried the sync's summary with the overdue count of the user's scope.
    messages = iface.messageBar().get_messages(Qgis.Success) + iface.messageBar().get_messages(Qgis.Warning)
    overdue = plugin.session.overdue_count()
    assert overdue is not None and any(plugin.sync.overdue_text(overdue) in m for m in messages), messages


def test_filter_by_district_lists_the_reports_and_opens_the_detail(moderator):
    plugin, _server, ids = moderator
    panel, report_list = plugin.dock.workflow.filter_panel, plugin.dock.workflow.report_list
    panel.district_list.set_checked([DISTRICT])
    result = panel.apply()
    assert result is not None and result.count > 0
    layer = project_layers.find_layer(project_layers.REPORTS)
    assert layer.subsetString() and layer.featureCount() == result.count
    listed = {report_list.table.item(r, 0).text() for r in range(report_list.table.rowCount())}
    assert set(ids) <= listed
    assert report_list.table.rowCount() == min(result.count, report_list.MAX_ROWS)

    # A row selects its report on the map; a double click opens the detail with the moderator's actions.
    row = row_of(report_list.table, ids[1])
    report_list.table.selectRow(row)
    assert [f["service_request_id"] for f in layer.selectedFeatures()] == [ids[1]]
    report_list.table.itemDoubleClicked.emit(report_list.table.item(row, 0))
    detail = plugin.dialogs.detail_dialogs[-1]
    assert detail.report["service_request_id"] == ids[1]
    assert detail.duplicates_button.isEnabled() and detail.assign_button.isEnabled()
    assert not hasattr(detail, "respond_button")
    detail.close()

    # After a sync the filter is applied again (the list stays).
    plugin.hub.dataChanged.emit()
    assert report_list.table.rowCount() == min(result.count, report_list.MAX_ROWS)


def test_moderator_accepts_and_rejects_from_the_report_card(moderator, monkeypatch):
    plugin, _server, ids = moderator
    detail = plugin.dialogs.show_report_id(ids[0])
    assert detail.accept_button.isEnabled() and detail.reject_button.isEnabled()
    detail.accept_button.click()
    assert plugin.session.store.report(ids[0])["external_status_code"] == "investigating"
    reopened = plugin.dialogs.detail_dialogs[-1]
    assert reopened is not detail and reopened.report["external_status_code"] == "investigating"
    assert not reopened.accept_button.isEnabled()  # accepted already

    from openmisto_plugin.gui import reason_dialog

    asked = []
    monkeypatch.setattr(reason_dialog, "ask_reason", lambda *a: asked.append(a[3]) or "реклама")
    card = plugin.dialogs.show_report_id(ids[1])
    card.reject_button.click()
    assert [r["service_request_id"] for r in asked[0]] == [ids[1]]  # the reason dialog names the report
    assert plugin.session.store.report(ids[1])["external_status_code"] == "hidden"
    monkeypatch.setattr(reason_dialog, "ask_reason", lambda *a: None)  # cancelled: nothing changes
    card = plugin.dialogs.show_report_id(ids[2])
    card.reject_button.click()
    assert plugin.session.store.report(ids[2])["external_status_code"] == "for_triage"
    for dialog in list(plugin.dialogs.detail_dialogs):
        dialog.close()
    assert wait_for(lambda: plugin.sync.task is None, SYNC_TIMEOUT_S)


# --- the officer responds from the detail view ---------------------------------------------------------------------


def test_officer_responds_from_the_detail_and_the_history_shows_it_waiting(officer):
    plugin, server = officer
    store = plugin.session.store
    assert plugin.actions["respond"].isVisible() and not plugin.actions["assign"].isVisible()
    layer = project_layers.find_layer(project_layers.REPORTS)
    sid = next(
        f["service_request_id"]
        for f in layer.getFeatures()
        if f["agency_responsible"] == "roads" and f["external_status_code"] == "action_scheduled"
    )
    detail = plugin.dialogs.show_report_id(sid)
    assert detail.respond_button.isEnabled()
    detail.respond_button.click()
    dialog = plugin.dialogs.workflow_dialogs[-1]
    assert dialog.set_status("in_progress")
    dialog.answer_edit.setPlainText("Бригаду направлено.")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled()
    ok.click()

    # The detail opens again with the response in its history, marked as not sent yet.
    reopened = plugin.dialogs.detail_dialogs[-1]
    assert reopened is not detail and reopened.report["external_status_code"] == "in_progress"
    assert reopened.undelivered and not reopened.history_legend.isHidden()
    last = reopened.history_table.rowCount() - 1
    assert reopened.history_table.item(last, 3).text() == "officer:roads"
    assert reopened.history_table.item(last, 0).font().italic()

    assert wait_for(lambda: plugin.sync.task is None, SYNC_TIMEOUT_S)
    assert [(u[2], u[3]) for u in api_updates(server, [sid])] == [("in_progress", "officer:roads")]
    assert not outbox_view.pending_for(store, sid)
    # The open detail follows the sync: the response is no longer marked as waiting.
    assert reopened.history_legend.isHidden()
    assert not reopened.history_table.item(reopened.history_table.rowCount() - 1, 0).font().italic()
    reopened.close()


def test_respond_to_selected_needs_exactly_one_report(officer, iface):
    plugin, _server = officer
    layer = project_layers.find_layer(project_layers.REPORTS)
    layer.removeSelection()
    assert plugin.dialogs.respond_to_selected() is None
    assert iface.messageBar().get_messages(Qgis.Warning)
    fid = next(f.id() for f in layer.getFeatures() if f["agency_responsible"] == "roads")
    layer.selectByIds([fid])
    dialog = plugin.dialogs.respond_to_selected()
    assert dialog is not None and dialog in plugin.dialogs.workflow_dialogs
    dialog.reject()


# --- unload ------------------------------------------------------------------------------------------------------


def test_unload_with_pages_leaves_nothing_behind(
    iface, qgis_new_project, clean_settings, unlocked_auth, refserver, tmp_path
):
    path = synced_workspace(refserver, tmp_path / "w.gpkg", "moderator")
    configure(refserver, path, "moderator")
    flush_deletes()
    before = gui_counts(iface)
    canvas = iface.mapCanvas()
    items_before = canvas_items(iface)

    plugin = load_plugin(iface)
    assert len(plugin.dock.page_titles()) == 5
    layer = project_layers.find_layer(project_layers.REPORTS)
    plugin.dock.workflow.filter_panel.status_list.set_checked(["for_triage"])
    assert plugin.dock.workflow.filter_panel.apply() is not None and layer.subsetString()
    plugin.dock.workflow.filter_panel.draw_button.setChecked(True)  # the polygon tool is on the map
    assert canvas.mapTool() is not None
    plugin.dialogs.show_report_id(plugin.dock.workflow.moderation_panel.items[0].service_request_id)

    plugin.unload()
    flush_deletes()
    assert plugin.session.store is None and plugin.dock is None
    assert layer.subsetString() == ""  # the plugin's filter is gone with it
    assert canvas.mapTool() is None
    assert canvas_items(iface) <= items_before  # the polygon tool's bands are gone
    after = gui_counts(iface)
    assert after == before, (before, after)
