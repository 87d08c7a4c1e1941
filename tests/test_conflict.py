"""Two users (two workspaces) change the same report: the second push gets 409, the change waits in «conflict»
with both versions; re-apply sends it, drop discards it; nothing is lost or overwritten silently."""

from __future__ import annotations

import pytest

from openmisto_plugin.core import officer_response, outbox_view
from openmisto_plugin.core import workflow as wf
from tests.test_workflow import api_updates, submit_reports, workspace

pytestmark = pytest.mark.usefixtures("qgis_app")

MODERATOR = wf.Actor("moderator")


@pytest.fixture()
def two_moderators(fresh_refserver, tmp_path):
    server = fresh_refserver
    [sid] = submit_reports(server, "tsentralnyi", 1)
    first, first_sync = workspace(server, server.keys["moderator"], tmp_path / "first.gpkg")
    second, second_sync = workspace(server, server.keys["moderator"], tmp_path / "second.gpkg")
    wf.assign(first, wf.Actor("moderator", name="Olena"), [sid], "roads")
    mine = wf.assign(second, wf.Actor("moderator", name="Petro"), [sid], "ujkg").update_ids[sid]
    assert first_sync.push().sent == 1
    pushed = second_sync.push()
    assert (pushed.sent, pushed.conflicts, pushed.refused) == (0, 1, 0)
    yield server, sid, first, first_sync, second, second_sync, mine
    first.close()
    second.close()


def agency_on_platform(server, sid: str) -> str:
    with server.db() as conn:
        return conn.execute("SELECT agency_responsible FROM requests WHERE id = ?", (int(sid),)).fetchone()[0]


def test_second_push_gets_409_and_keeps_both_versions(two_moderators):
    server, sid, _first, _fs, second, second_sync, mine = two_moderators
    [entry] = second.outbox_entries(["conflict"])
    assert entry.update_id == mine and entry.http_status == 409
    assert entry.payload["agency_responsible"] == "ujkg"  # my version
    assert entry.platform["agency_responsible"] == "roads"  # theirs
    assert entry.base["agency_responsible"] is None  # what both started from
    fields = {f.name: f for f in outbox_view.conflict_fields(entry)}
    assert (fields["agency_responsible"].mine, fields["agency_responsible"].platform) == ("ujkg", "roads")
    row = outbox_view.outbox_rows(second, ["conflict"])[0]
    assert row.state_label == "Conflict: changed by someone else" and "re-apply" in row.explanation
    assert agency_on_platform(server, sid) == "roads"  # not overwritten
    assert second.report(sid)["agency_responsible"] == "ujkg"  # my change still shown until I decide
    # A pull does not lose it either, and a push does not resend it by itself.
    second_sync.pull()
    assert second.outbox_entries(["conflict"])[0].update_id == mine
    assert second.report(sid)["agency_responsible"] == "ujkg"
    assert second_sync.push().sent == 0
    assert [u[3] for u in api_updates(server, [sid])] == ["moderator"]


def test_reapply_sends_it_over_the_platform_version(two_moderators):
    server, sid, first, first_sync, second, second_sync, mine = two_moderators
    outbox_view.reapply(second, mine)
    assert [e.update_id for e in second.outbox_entries(["pending"])] == [mine]
    pushed = second_sync.push()
    assert (pushed.sent, pushed.conflicts) == (1, 0)
    assert agency_on_platform(server, sid) == "ujkg"
    updates = api_updates(server, [sid])
    assert [u[2] for u in updates] == ["action_scheduled", "action_scheduled"]
    assert updates[-1][1] == mine
    # The first user sees the result and the whole story after a pull.
    first_sync.pull()
    assert first.report(sid)["agency_responsible"] == "ujkg"
    assert [h["agency_responsible"] for h in outbox_view.history(first, sid)][-2:] == ["roads", "ujkg"]


def test_drop_discards_it_and_the_platform_version_stays(two_moderators):
    server, sid, _first, _fs, second, second_sync, mine = two_moderators
    outbox_view.drop(second, mine)
    assert second.outbox_entries() == []
    assert second.report(sid)["agency_responsible"] == "roads"  # the platform's version
    assert mine not in [h["update_id"] for h in outbox_view.history(second, sid)]
    assert second_sync.push().sent == 0
    assert [u[1] for u in api_updates(server, [sid])] != [mine]
    assert agency_on_platform(server, sid) == "roads"
    with pytest.raises(wf.WorkflowError):
        outbox_view.reapply(second, mine)


def test_two_officers_answer_the_same_report(fresh_refserver, tmp_path):
    server = fresh_refserver
    [sid] = submit_reports(server, "molodizhnyi", 1)
    moderator, moderator_sync = workspace(server, server.keys["moderator"], tmp_path / "m.gpkg")
    wf.assign(moderator, MODERATOR, [sid], "roads")
    assert moderator_sync.push().sent == 1
    key = server.keys["officer:roads"]
    a, a_sync = workspace(server, key, tmp_path / "a.gpkg")
    b, b_sync = workspace(server, key, tmp_path / "b.gpkg")
    roads = wf.Actor("officer", "roads")
    officer_response.respond(a, roads, sid, "in_progress", "Виїхали")
    late = officer_response.respond(b, roads, sid, "fixed", "Яму залатано").update_id
    assert a_sync.push().sent == 1
    assert b_sync.push().conflicts == 1
    [entry] = b.outbox_entries(["conflict"])
    assert entry.platform["external_status_code"] == "in_progress" and entry.payload["external_status_code"] == "fixed"
    outbox_view.reapply(b, late)
    assert b_sync.push().sent == 1
    assert [u[2] for u in api_updates(server, [sid])] == ["action_scheduled", "in_progress", "fixed"]
    for store in (moderator, a, b):
        store.close()
