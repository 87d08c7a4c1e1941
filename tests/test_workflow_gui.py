"""The workflow GUI (queue, assign, respond, duplicates, outbox) driven through pytest-qgis, then the store and,
after a push, the reference platform are checked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from qgis.core import QgsPointXY, QgsProject
from qgis.PyQt.QtWidgets import QDialogButtonBox

from openmisto_plugin.core import media, moderation, officer_response, project_layers, routing_storage, statuses
from openmisto_plugin.core import workflow as wf
from openmisto_plugin.gui import moderation_panel
from openmisto_plugin.gui.assign_dialog import AssignDialog
from openmisto_plugin.gui.duplicates_dialog import DuplicatesDialog
from openmisto_plugin.gui.moderation_panel import ModerationPanel
from openmisto_plugin.gui.outbox_panel import ConflictDialog, OutboxPanel
from openmisto_plugin.gui.respond_dialog import RespondDialog
from tests.test_anonymise import jpeg_with_exif
from tests.test_workflow import ROUTING_EXAMPLE, api_updates, submit_reports, workspace

MODERATOR = wf.Actor("moderator")
ROADS = wf.Actor("officer", "roads")


def request_row(server, sid: str) -> tuple[str, str | None, str | None]:
    with server.db() as conn:
        return conn.execute(
            "SELECT external_status_code, agency_responsible, status_notes FROM requests WHERE id = ?", (int(sid),)
        ).fetchone()


@pytest.fixture()
def project(qgis_iface, qgis_new_project):
    yield QgsProject.instance()
    QgsProject.instance().clear()


@pytest.fixture()
def moderated(fresh_refserver, tmp_path, project, qgis_canvas):
    """Eight new citizen reports in one district; the moderator's workspace on the map."""
    ids = submit_reports(fresh_refserver, "zaliznychnyi", 8)
    store, sync = workspace(fresh_refserver, fresh_refserver.keys["moderator"], tmp_path / "moderator.gpkg")
    routing_storage.import_routing_json(store, ROUTING_EXAMPLE)
    layers = project_layers.add_layers(store.path, project)
    layer = layers[project_layers.REPORTS]
    qgis_canvas.setDestinationCrs(layer.crs())
    qgis_canvas.setLayers([layer])
    qgis_canvas.setExtent(layer.extent())
    yield fresh_refserver, store, sync, ids, layer
    store.close()


def click_ok(buttons: QDialogButtonBox) -> None:
    button = buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert button.isEnabled()
    button.click()


def test_queue_selection_follows_the_map_both_ways_and_pans(moderated, qgis_canvas):
    _server, store, _sync, ids, layer = moderated
    panel = ModerationPanel(store, MODERATOR, lambda: layer, qgis_canvas)
    queued = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert [i for i in queued if i in ids] == ids  # oldest first
    assert "Waiting for moderation" in panel.summary_label.text()

    qgis_canvas.zoomScale(2000)
    row = queued.index(ids[3])
    panel.table.selectRow(row)
    fid = wf.fids_of(store, [ids[3]])[ids[3]]
    assert layer.selectedFeatureIds() == [fid]
    report = store.report(ids[3])
    centre = qgis_canvas.center()
    assert centre.distance(QgsPointXY(report["long"], report["lat"])) < 1e-6  # panned to it

    other = wf.fids_of(store, ids[5:7])
    layer.selectByIds(list(other.values()))
    assert panel.selected_ids() == ids[5:7]
    assert panel.assign_button.isEnabled() and not panel.category_button.isEnabled()


def test_queue_accept_reject_and_bulk_assign_from_the_map_selection(moderated, qgis_canvas, monkeypatch):
    server, store, sync, ids, layer = moderated
    panel = ModerationPanel(store, MODERATOR, lambda: layer, qgis_canvas)
    changed = []
    panel.changed.connect(lambda: changed.append(True))

    panel.select_ids(ids[:6])
    panel.accept_button.click()
    assert "Accepted: 6." in panel.status_label.text()
    assert all(store.report(i)["external_status_code"] == "investigating" for i in ids[:6])
    assert changed

    panel.select_ids([ids[6]])
    asked = []

    def answer(text):
        def ask(_parent, _title, _prompt, reports, _action):
            asked.append(reports)
            return text

        return ask

    monkeypatch.setattr(moderation_panel, "ask_reason", answer("реклама"))
    panel.reject_button.click()
    assert store.report(ids[6])["external_status_code"] == "hidden"
    assert [r["service_request_id"] for r in asked[-1]] == [ids[6]]  # the dialog names the report
    panel.select_ids([ids[7]])
    monkeypatch.setattr(moderation_panel, "ask_reason", answer("Це зона відповідальності АТ «Укрзалізниця»"))
    panel.not_remit_button.click()
    assert store.report(ids[7])["status_notes"].startswith("Це зона")

    # Bulk: five reports selected on the map (the accepted ones), the dialog suggests and counts.
    layer.selectByIds(list(wf.fids_of(store, ids[:5]).values()))
    dialog = panel.assign_selected()
    assert isinstance(dialog, AssignDialog) and dialog.ids == ids[:5]
    assert dialog.table.rowCount() == 5
    roads = dict(wf.departments(store))["roads"]
    assert roads != "roads" and dialog.department_combo.findText(roads) >= 0  # names, not codes (issue 11, 5)
    assert dialog.table.item(0, 3).text() == roads and "category roads.pothole" in dialog.table.item(0, 4).text()
    assert dialog.suggested_radio.isChecked()
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Assign 5 reports"
    assert dialog.count_label.text() == f"Assign 5 ({roads}: 5)."  # the department's name, not "roads"
    assert dialog.reassign_check.isHidden()  # nobody is working on these yet
    asked = []
    monkeypatch.setattr(dialog, "ask_confirmation", lambda text: asked.append(text) or True)
    click_ok(dialog.buttons)
    assert asked and asked[0].startswith(f"Assign 5 ({roads}: 5).")
    assert dialog.result_.assigned == 5
    assert all(store.report(i)["agency_responsible"] == "roads" for i in ids[:5])
    assert ids[0] not in [
        item.service_request_id for item in panel.items if item.external_status_code != "investigating"
    ]

    pushed = sync.push()
    assert (pushed.sent, pushed.refused, pushed.conflicts) == (6 + 2 + 5, 0, 0)
    for sid in ids[:5]:
        assert request_row(server, sid)[:2] == ("action_scheduled", "roads")
        assert [u[2] for u in api_updates(server, [sid])] == ["investigating", "action_scheduled"]
    assert request_row(server, ids[6])[0] == "hidden"
    assert request_row(server, ids[7])[0] == "not_councils_responsibility"


def test_assign_one_department_for_all_refuses_nothing_silently(moderated, monkeypatch):
    _server, store, _sync, ids, _layer = moderated
    dialog = AssignDialog(store, MODERATOR, ids[:1])
    assert dialog.intro_label.text() == f"Report {ids[0]}"
    dialog.one_radio.setChecked(True)
    dialog.department_combo.setCurrentIndex(dialog.department_combo.findData("ujkg"))
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Assign the report"
    monkeypatch.setattr(dialog, "ask_confirmation", lambda text: pytest.fail("one report needs no confirmation"))
    click_ok(dialog.buttons)
    assert store.report(ids[0])["agency_responsible"] == "ujkg"
    viewer = AssignDialog(store, wf.Actor("viewer"), ids[1:2])
    assert not viewer.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert "moderator" in viewer.error_label.text()


def test_duplicates_dialog_closes_as_duplicate_of_the_nearest(fresh_refserver, tmp_path, project):
    server = fresh_refserver
    first, second = submit_reports(server, "skhidnyi", 2)
    store, sync = workspace(server, server.keys["moderator"], tmp_path / "m.gpkg")
    # Move the second report next to the first (a citizen reporting the same pothole again).
    lat, long = store.report(first)["lat"], store.report(first)["long"]
    with store.transaction():
        store._conn.execute(
            "UPDATE reports SET lat = ?, long = ? WHERE service_request_id = ?", (lat + 0.0001, long, second)
        )
    dialog = DuplicatesDialog(store, MODERATOR, second)
    shown = []
    dialog.candidatesShown.connect(shown.append)
    dialog.distance_spin.setValue(20)
    assert [c.service_request_id for c in dialog.candidates] == [first]
    assert shown[-1] == [second, first]
    assert 10 < float(dialog.table.item(0, 1).text()) < 13
    click_ok(dialog.buttons)
    assert store.report(second)["duplicate_of"] == first
    assert sync.push().sent == 1
    assert request_row(server, second)[0] == "duplicate"
    store.close()


@pytest.fixture()
def assigned(fresh_refserver, tmp_path):
    """Three reports assigned to roads on the platform; the roads officer's workspace."""
    server = fresh_refserver
    ids = submit_reports(server, "molodizhnyi", 3)
    mod, mod_sync = workspace(server, server.keys["moderator"], tmp_path / "moderator.gpkg")
    wf.assign(mod, MODERATOR, ids, "roads")
    assert mod_sync.push().sent == 3
    officer, officer_sync = workspace(server, server.keys["officer:roads"], tmp_path / "roads.gpkg")
    yield server, mod, mod_sync, officer, officer_sync, ids
    mod.close()
    officer.close()


def test_respond_dialog_offers_allowed_statuses_requires_answer_and_previews(assigned, tmp_path):
    server, _mod, _ms, store, sync, ids = assigned
    dialog = RespondDialog(store, ROADS, ids[0])
    roads_name = dict(wf.departments(store))["roads"]
    assert roads_name in dialog._header() and roads_name != "roads"  # the department by name, not its code
    offered = [dialog.status_combo.itemData(i) for i in range(dialog.status_combo.count())]
    assert tuple(offered) == statuses.allowed_next("action_scheduled", "officer")
    assert not dialog.set_status("hidden")  # the workflow does not offer it: it cannot be chosen
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)

    assert dialog.set_status("fixed")
    assert not ok.isEnabled() and "answer" in dialog.error_label.text()
    assert dialog.answer_label.text() == "Answer (required):"
    dialog.answer_edit.setPlainText("Яму залатано 12.03.")
    assert ok.isEnabled() and dialog.error_label.text() == ""
    photo = jpeg_with_exif(tmp_path / "after.jpg")
    dialog.choose_photo(str(photo))
    assert "stays internal" in dialog.note_label.text()
    preview = dialog.preview_edit.toPlainText()
    assert preview.splitlines()[-4:] == ["Status: Resolved", "", "The city's answer:", "Яму залатано 12.03."]
    click_ok(dialog.buttons)
    assert dialog.result_.attachment.local_path.exists()
    assert store.report(ids[0])["external_status_code"] == "fixed"

    # Planned: the date is required and bounded; with a public photo address the link is in the preview.
    media.set_media_base_url(store, "https://misto.pokrov.example/media")
    planned = RespondDialog(store, ROADS, ids[1])
    planned.set_status("planned")
    assert planned.planned_edit.isEnabled()
    planned.answer_edit.setPlainText("Ремонт після поставки асфальту")
    day = date.today() + timedelta(days=10)
    planned.set_planned_date(day)
    planned.choose_photo(str(photo))
    preview = planned.preview_edit.toPlainText()
    assert f"Planned for: {day.strftime('%d.%m.%Y')}" in preview
    assert f"Photo: https://misto.pokrov.example/media/{planned.photo_name}" in preview
    click_ok(planned.buttons)
    assert planned.result_.attachment.link in preview

    pushed = sync.push()
    assert (pushed.sent, pushed.refused) == (2, 0)
    assert request_row(server, ids[0]) == ("fixed", "roads", "Яму залатано 12.03.")
    assert request_row(server, ids[1])[0] == "planned"
    with server.db() as conn:
        sent_link = conn.execute(
            "SELECT media_url FROM updates WHERE service_request_id = ? AND origin = 'api' ORDER BY seq DESC",
            (int(ids[1]),),
        ).fetchone()[0]
    assert sent_link == planned.result_.attachment.link


def test_respond_dialog_for_another_department_explains_and_sends_nothing(assigned):
    _server, mod, _ms, _store, _sync, ids = assigned
    dialog = RespondDialog(mod, wf.Actor("officer", "ujkg"), ids[0])
    dialog.set_status("in_progress")
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert "roads" in dialog.error_label.text() and "ujkg" in dialog.error_label.text()
    assert not mod.outbox_entries(["pending"])


def test_outbox_panel_refused_conflict_reapply_and_drop(assigned):
    server, mod, mod_sync, store, sync, ids = assigned
    # A conflict: the moderator reassigns a report while the officer answers it.
    wf.assign(mod, MODERATOR, [ids[2]], "ujkg")
    assert mod_sync.push().sent == 1
    officer_response.respond(store, ROADS, ids[2], "in_progress")
    officer_response.respond(store, ROADS, ids[1], "in_progress")
    pushed = sync.push()
    assert (pushed.sent, pushed.refused + pushed.conflicts) == (1, 1)

    panel = OutboxPanel(store)
    pushes = []
    panel.pushRequested.connect(lambda: pushes.append(True))
    assert "sent: 1" in panel.counts_label.text()
    panel.set_state_filter("refused" if pushed.refused else "conflict")
    assert panel.table.rowCount() == 1
    row = panel.rows[0]
    assert row.service_request_id == ids[2]
    reason = panel.table.item(0, 5).text()
    assert "ujkg" in reason or "changed" in reason  # the platform's own words are shown

    # Drop it: nothing is sent, the report shows the platform's values again.
    panel.table.selectRow(0)
    assert panel.drop_button.isEnabled()
    panel.drop_selected()
    assert not store.outbox_entries(["refused", "conflict", "pending"])
    assert store.report(ids[2])["external_status_code"] == "action_scheduled"
    assert [u[2] for u in api_updates(server, [ids[2]])] == ["action_scheduled", "action_scheduled"]


def test_conflict_dialog_shows_both_versions_and_reapplies(fresh_refserver, tmp_path):
    server = fresh_refserver
    [sid] = submit_reports(server, "tsentralnyi", 1)
    first, first_sync = workspace(server, server.keys["moderator"], tmp_path / "a.gpkg")
    second, second_sync = workspace(server, server.keys["moderator"], tmp_path / "b.gpkg")
    wf.assign(first, MODERATOR, [sid], "roads")
    wf.assign(second, MODERATOR, [sid], "ujkg")
    assert first_sync.push().sent == 1
    assert second_sync.push().conflicts == 1

    panel = OutboxPanel(second)
    panel.set_state_filter("conflict")
    panel.table.selectRow(0)
    assert panel.reapply_button.isEnabled() and panel.compare_button.isEnabled()
    dialog = panel.show_conflict(modal=False)
    assert isinstance(dialog, ConflictDialog)
    cells = {
        dialog.table.item(r, 0).text(): [dialog.table.item(r, c).text() for c in (1, 2, 3)]
        for r in range(dialog.table.rowCount())
    }
    assert cells["Department"] == ["—", "ujkg", "roads"]
    pushes = []
    panel.pushRequested.connect(lambda: pushes.append(True))
    dialog.reapply_button.click()
    assert pushes and second.outbox_entries(["pending"])
    assert second_sync.push().sent == 1
    assert request_row(server, sid)[1] == "ujkg"
    assert [u[2] for u in api_updates(server, [sid])] == ["action_scheduled", "action_scheduled"]
    first.close()
    second.close()


def test_reject_needs_a_reason_and_names_the_report(moderated, qgis_canvas):
    _server, store, _sync, ids, _layer = moderated
    with pytest.raises(wf.WorkflowError):
        wf.reject(store, MODERATOR, ids[0], "   ")
    assert store.report(ids[0])["external_status_code"] != "hidden"

    from openmisto_plugin.gui.reason_dialog import ReasonDialog

    report = store.report(ids[0])
    dialog = ReasonDialog("Reject", "Reason:", [report], "Reject")
    named = dialog.reports_label.text()
    assert ids[0] in named and report["service_name"] in named
    assert (report["address"] or "no address") in named
    assert not dialog.ok_button.isEnabled() and not dialog.hint_label.isHidden()
    dialog.reason_edit.setPlainText("  ")
    dialog.accept()
    assert dialog.result() == 0  # an empty reason does not close the dialog
    dialog.reason_edit.setPlainText("реклама")
    assert dialog.ok_button.isEnabled()
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"
    dialog.ok_button.click()
    assert dialog.result() == 1 and dialog.reason() == "реклама"


def _pending_with_duplicates(store) -> tuple[str, list[moderation.Candidate]]:
    """A report waiting for the moderator that the generated data repeats nearby, with its candidates at 50 m."""
    rows = store.query(
        "SELECT service_request_id FROM reports WHERE external_status_code IN ('for_triage', 'investigating') "
        "ORDER BY requested_datetime"
    )
    for row in rows:
        found = moderation.duplicate_candidates(store, row["service_request_id"], 50, 30)
        if found:
            return row["service_request_id"], found
    pytest.fail("the generated data holds no report with a duplicate within 50 m and 30 days")


def test_generated_data_has_duplicates_the_dialog_finds_at_its_defaults(refserver, tmp_path):
    store, _sync = workspace(refserver, refserver.keys["moderator"], tmp_path / "m.gpkg")
    try:
        sid, found = _pending_with_duplicates(store)
        dialog = DuplicatesDialog(store, MODERATOR, sid)
        assert dialog.distance_spin.value() == 50 and dialog.days_spin.value() == 30
        assert [c.service_request_id for c in dialog.candidates] == [c.service_request_id for c in found]
        report = store.report(sid)
        assert all(store.report(c.service_request_id)["service_code"] == report["service_code"] for c in found)
    finally:
        store.close()


def test_duplicates_zoom_to_the_pair_not_too_close_and_cancel_gives_the_map_back(
    refserver, tmp_path, project, qgis_canvas
):
    store, _sync = workspace(refserver, refserver.keys["moderator"], tmp_path / "m.gpkg")
    layer = project_layers.add_layers(store.path, project)[project_layers.REPORTS]
    qgis_canvas.setDestinationCrs(layer.crs())
    qgis_canvas.setLayers([layer])
    qgis_canvas.resize(800, 600)
    qgis_canvas.setExtent(layer.extent())
    before_extent = qgis_canvas.extent()
    mine = list(
        wf.fids_of(
            store, [store.query("SELECT service_request_id FROM reports LIMIT 3")[2]["service_request_id"]]
        ).values()
    )
    layer.selectByIds(mine)
    sid, _found = _pending_with_duplicates(store)

    dialog = DuplicatesDialog(store, MODERATOR, sid)
    dialog.follow_on_map(qgis_canvas, layer)
    dialog.distance_spin.setValue(500)
    assert dialog.candidates
    dialog.table.selectRow(len(dialog.candidates) - 1)
    pair = [sid, dialog.selected_id()]
    assert qgis_canvas.scale() >= 4999  # never closer than 1:5 000 (was 1:2 324)
    extent = qgis_canvas.extent()
    for rid in pair:
        report = store.report(rid)
        assert extent.contains(QgsPointXY(report["long"], report["lat"]))
    assert set(layer.selectedFeatureIds()) == set(
        wf.fids_of(store, [sid] + [c.service_request_id for c in dialog.candidates]).values()
    )

    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert layer.selectedFeatureIds() == mine
    after = qgis_canvas.extent()
    assert (
        abs(after.width() - before_extent.width()) < 1e-9
        and abs(after.center().x() - before_extent.center().x()) < 1e-9
    )
    store.close()


def test_bulk_assign_dialog_lists_each_group_and_reassigns_work_in_progress_only_when_ticked(moderated, monkeypatch):
    _server, store, _sync, ids, _layer = moderated
    wf.assign(store, MODERATOR, ids[:1], "roads")
    officer_response.respond(store, ROADS, ids[0], "in_progress", "Бригада виїхала")
    wf.reject(store, MODERATOR, ids[1], "реклама")
    selected = ids[:4]  # in progress with roads, closed, two new
    dialog = AssignDialog(store, MODERATOR, selected)
    dialog.one_radio.setChecked(True)
    dialog.department_combo.setCurrentIndex(dialog.department_combo.findData("ujkg"))
    assert dialog.reassign_check.isVisibleTo(dialog) and not dialog.reassign_check.isChecked()
    text = dialog.count_label.text()
    names = dict(wf.departments(store))  # the dialog names departments, not their codes (issue 11, item 5)
    assert f"Assign 2 ({names['ujkg']}: 2)." in text
    assert f"{names['roads']} is working on it (In progress); reassigning was not chosen ({ids[0]})" in text
    assert "closed (Rejected by the moderator)" in text and "Reassign" not in text
    asked = []
    monkeypatch.setattr(dialog, "ask_confirmation", lambda question: asked.append(question) or True)
    click_ok(dialog.buttons)
    assert "Leave 2 as they are" in asked[0]
    assert store.report(ids[0])["agency_responsible"] == "roads"
    assert [store.report(i)["agency_responsible"] for i in ids[2:4]] == ["ujkg", "ujkg"]

    again = AssignDialog(store, MODERATOR, ids[:1])
    again.one_radio.setChecked(True)
    again.department_combo.setCurrentIndex(again.department_combo.findData("ujkg"))
    assert not again.buttons.button(
        QDialogButtonBox.StandardButton.Ok
    ).isEnabled()  # nothing to do unless reassigning is chosen
    again.reassign_check.setChecked(True)
    assert f"{ids[0]}: In progress with {names['roads']} → {names['ujkg']}" in again.count_label.text()
    asked.clear()
    monkeypatch.setattr(again, "ask_confirmation", lambda question: asked.append(question) or True)
    click_ok(again.buttons)
    assert asked and "Reassign 1 from another department" in asked[0]  # even one report: it is asked
    assert store.report(ids[0])["agency_responsible"] == "ujkg"
