"""Sync against the real reference server: full, incremental, interrupted, idempotent, push."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from openmisto_plugin.core.open311.client import Open311Client
from openmisto_plugin.core.open311.errors import Open311Error
from openmisto_plugin.core.store import GeoPackageStore
from openmisto_plugin.core.sync import REQUESTS_WATERMARK, SyncEngine
from tests.helpers_store import FailingPages, Feedback, client_for, for_triage, post, server_count

pytestmark = pytest.mark.usefixtures("qgis_app")


@pytest.fixture()
def store(tmp_path):
    s = GeoPackageStore.create(str(tmp_path / "ws.gpkg"))
    yield s
    s.close()


# -- pull --------------------------------------------------------------------------------------------------


def test_full_sync_then_idempotent_resync(fresh_refserver, store):
    total = server_count(fresh_refserver, "SELECT count(*) FROM requests")
    feedback = Feedback()
    engine = SyncEngine(store, client_for(fresh_refserver, page_size=100), feedback, full_page_size=None)
    result = engine.pull(full=True)
    assert result.full and not result.canceled
    assert result.new == store.count() == total - len(result.skipped)
    assert result.updated == 0 and result.pages >= total // 100
    assert result.services > 0 and result.districts > 0 and result.departments > 0
    assert result.history == server_count(fresh_refserver, "SELECT count(*) FROM updates")
    assert store.count("district IS NULL") == 0
    assert feedback.progress[-1] == 100 and feedback.progress == sorted(feedback.progress)
    assert store.get_state(REQUESTS_WATERMARK)
    # every report once
    assert store.count() == len(
        {r for (r,) in sqlite3.connect(store.path).execute("SELECT service_request_id FROM reports")}
    )

    again = SyncEngine(store, client_for(fresh_refserver, page_size=100)).pull(full=True)
    assert (again.new, again.updated, again.unchanged) == (0, 0, store.count())
    assert again.history == 0
    incremental = SyncEngine(store, client_for(fresh_refserver)).pull()
    assert (incremental.new, incremental.updated) == (0, 0)
    assert incremental.unchanged < 20  # only the overlap window, not the whole city


def test_incremental_sync_picks_exactly_the_changes(fresh_refserver, store):
    engine = SyncEngine(store, client_for(fresh_refserver))
    engine.pull(full=True)
    ids = [
        r
        for (r,) in sqlite3.connect(fresh_refserver.db_path).execute(
            "SELECT id FROM requests WHERE external_status_code = 'fixed' ORDER BY id LIMIT 5"  # reopened below
        )
    ]
    assert len(ids) == 5
    for rid in ids:
        post(fresh_refserver, "moderator-key", service_request_id=str(rid), external_status_code="investigating")
    new_id = client_for(fresh_refserver).post_request(
        {"service_code": "roads.pothole", "lat": 47.6536, "long": 34.1117, "description": "Нова яма"}
    )["service_request_id"]

    result = engine.pull()
    assert not result.full
    assert (result.new, result.updated) == (1, 5)
    assert result.unchanged < 20
    assert result.history >= 6
    for rid in ids:
        assert store.report(str(rid))["external_status_code"] == "investigating"
        assert store.report(str(rid))["version"] == 2
    assert store.report(new_id)["district"]  # the platform's district (or point-in-polygon)
    assert store.count() == server_count(fresh_refserver, "SELECT count(*) FROM requests")


def test_interrupted_sync_resumes_consistently(fresh_refserver, store):
    total = server_count(fresh_refserver, "SELECT count(*) FROM requests")
    page = 50
    # 1) cancelled after page 2
    feedback = Feedback(cancel_after_pages=2)
    feedback.store = store
    engine = SyncEngine(store, client_for(fresh_refserver, page_size=page), feedback, full_page_size=None)
    result = engine.pull(full=True)
    assert result.canceled and result.pages == 2
    assert store.count() == 2 * page
    assert store.get_state(REQUESTS_WATERMARK) is None
    # 2) an error on page 3
    failing = FailingPages(fresh_refserver, fail_at=3, page_size=page)
    with pytest.raises(Open311Error):
        SyncEngine(store, failing, full_page_size=None).pull()
    assert store.count() == 2 * page
    assert store.get_state(REQUESTS_WATERMARK) is None
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM rtree_reports_geom").fetchone()[0] == 2 * page
    # 3) the next sync completes it, nothing twice
    result = SyncEngine(store, client_for(fresh_refserver, page_size=page)).pull()
    assert result.new == total - 2 * page - len(result.skipped)
    assert result.unchanged == 2 * page
    assert store.count() == total - len(result.skipped)
    distinct = sqlite3.connect(store.path).execute("SELECT count(DISTINCT service_request_id) FROM reports")
    assert distinct.fetchone()[0] == store.count()
    assert store.get_state(REQUESTS_WATERMARK)


# -- push --------------------------------------------------------------------------------------------------


def test_push_reaches_the_platform_once_even_after_a_crash_before_marking(fresh_refserver, store, monkeypatch):
    engine = SyncEngine(store, client_for(fresh_refserver))
    engine.pull(full=True)
    rid = for_triage(fresh_refserver)[0]
    uid = store.record_local_update(rid, {"external_status_code": "investigating", "description": "Прийнято"}, "m")

    # the POST succeeds but the process "dies" before mark_outbox_sent
    def crash(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "mark_outbox_sent", crash)
    with pytest.raises(KeyboardInterrupt):
        engine.push()
    monkeypatch.undo()
    assert store.outbox_entries()[0].state == "pending"

    result = engine.push()
    assert (result.sent, result.refused, result.conflicts, result.retry_later) == (1, 0, 0, 0)
    assert store.outbox_entries()[0].state == "sent"
    assert server_count(fresh_refserver, "SELECT count(*) FROM updates WHERE update_id = ?", (uid,)) == 1
    assert (
        server_count(
            fresh_refserver,
            "SELECT count(*) FROM requests WHERE id = ? AND external_status_code = 'investigating'",
            (int(rid),),
        )
        == 1
    )
    assert engine.push().sent == 0  # nothing left
    pulled = engine.pull()
    assert pulled.updated == 0 or store.report(rid)["external_status_code"] == "investigating"
    assert store.report(rid)["external_status_code"] == "investigating"
    assert [h["update_id"] for h in store.history(rid)].count(uid) == 1


def test_push_conflict_refused_and_retry(fresh_refserver, store):
    engine = SyncEngine(store, client_for(fresh_refserver))
    engine.pull(full=True)
    a, b, c = for_triage(fresh_refserver)
    # conflict: someone else changes report a on the platform first
    conflict_id = store.record_local_update(a, {"external_status_code": "investigating"}, "m")
    post(fresh_refserver, "moderator-key", service_request_id=a, external_status_code="hidden")
    # refused: a viewer may not post; the push uses the viewer key for entry b only
    result = engine.push()
    assert result.conflicts == 1
    (entry,) = store.outbox_entries(["conflict"])
    assert entry.update_id == conflict_id
    assert entry.platform["external_status_code"] == "hidden"  # both versions kept
    assert store.report(a)["external_status_code"] == "investigating"
    store.reapply_outbox(conflict_id)
    assert engine.push().sent == 1
    assert (
        server_count(
            fresh_refserver,
            "SELECT count(*) FROM requests WHERE id = ? AND external_status_code = 'investigating'",
            (int(a),),
        )
        == 1
    )

    refused_id = store.record_local_update(b, {"external_status_code": "investigating"}, "viewer")
    viewer = SyncEngine(store, client_for(fresh_refserver, "viewer-key"))
    result = viewer.push()
    assert result.refused == 1
    (entry,) = store.outbox_entries(["refused"])
    assert entry.update_id == refused_id and entry.http_status == 403 and "viewer" in entry.last_error.lower()
    assert store.report(b)["external_status_code"] == "for_triage"

    # the platform is down: retry later with backoff
    later_id = store.record_local_update(c, {"external_status_code": "investigating"}, "m")
    fresh_refserver.fault(path_contains="servicerequestupdates", status=503, count=1)
    result = engine.push()
    assert result.retry_later == 1
    (entry,) = [e for e in store.outbox_entries(["pending"]) if e.update_id == later_id]
    assert entry.attempts == 1 and entry.next_attempt_at > datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    assert engine.push().sent == 0  # not due yet
    assert store.pending_outbox(datetime.now(timezone.utc) + timedelta(hours=2))[0].update_id == later_id


# -- derived columns, extensions ---------------------------------------------------------------------------


def test_sync_fills_assignment_and_deadlines_as_deadline_for(fresh_refserver, store):
    from openmisto_plugin.core.deadlines import cached_procedure, deadline_for
    from openmisto_plugin.core.timeutil import to_store

    SyncEngine(store, client_for(fresh_refserver)).pull(full=True)
    with sqlite3.connect(fresh_refserver.db_path) as conn:
        platform = dict(conn.execute("SELECT CAST(id AS TEXT), assigned_utc FROM requests"))
    rows = [dict(r) for r in store._conn.execute("SELECT * FROM reports")]
    assert rows and all(r["deadline_stage"] for r in rows)
    procedure = cached_procedure()
    for row in rows:
        expected = deadline_for(row, procedure)
        assert (row["deadline"], row["deadline_stage"]) == (to_store(expected.due), expected.stage)
        assert row["assigned_datetime"] == platform[row["service_request_id"]]  # both UTC store text
    assert store.count("deadline IS NOT NULL AND status = 'open'") == store.count("status = 'open'")
    assert store.count("assigned_datetime IS NOT NULL") == sum(1 for v in platform.values() if v)

    # an assignment made here: assigned now, the answer term from now; after the push and pull, the platform's time
    rid = for_triage(fresh_refserver)[0]
    store.record_local_update(rid, {"external_status_code": "action_scheduled", "agency_responsible": "ujkg"}, "m")
    row = store.report(rid)
    assert row["deadline_stage"] == "answer" and row["assigned_datetime"] == store.history(rid)[-1]["updated_datetime"]
    assert row["deadline"] == to_store(deadline_for(row).due)
    engine = SyncEngine(store, client_for(fresh_refserver))
    assert engine.push().sent == 1
    engine.pull()
    with sqlite3.connect(fresh_refserver.db_path) as conn:
        (assigned,) = conn.execute("SELECT assigned_utc FROM requests WHERE id = ?", (int(rid),)).fetchone()
    row = store.report(rid)
    assert row["assigned_datetime"] == assigned
    assert row["deadline"] == to_store(deadline_for(row).due)


def test_assignment_from_history_when_the_platform_sends_none(fresh_refserver, store):
    from openmisto_plugin.core.deadlines import deadline_for
    from openmisto_plugin.core.timeutil import to_store

    class NoAssigned(Open311Client):
        """The real client, but reports come without assigned_datetime (as from other Open311 servers)."""

        def iter_request_pages(self, **kw):
            for page in super().iter_request_pages(**kw):
                for req in page.requests:
                    req.assigned_datetime = None
                    req.extended.pop("assigned_datetime", None)
                yield page

    SyncEngine(store, NoAssigned(fresh_refserver.base_url, api_key="moderator-key", retries=0)).pull(full=True)
    with sqlite3.connect(fresh_refserver.db_path) as conn:
        latest = dict(
            conn.execute(
                "SELECT CAST(service_request_id AS TEXT), max(updated_utc) FROM updates"
                " WHERE external_status_code = 'action_scheduled' GROUP BY service_request_id"
            )
        )
    assert latest
    for rid, when in latest.items():
        row = store.report(rid)
        assert row["assigned_datetime"] == when
        assert json.loads(row["extended_json"] or "{}").get("assigned_datetime") is None
        expected = deadline_for(row)
        assert (row["deadline"], row["deadline_stage"]) == (to_store(expected.due), expected.stage)


class _Fake404:
    def request(self, method, url, params=None, data=None, headers=None, timeout_s=30):
        from openmisto_plugin.core.open311.transport import HttpResponse

        if url.endswith("services.json"):
            return HttpResponse(200, {"content-type": "application/json"}, b"[]", url)
        return HttpResponse(404, {"content-type": "application/json"}, b'[{"code":404,"description":"no"}]', url)


def test_client_extensions_are_none_on_other_servers(refserver):
    other = Open311Client("http://example.invalid/open311/v2/", transport=_Fake404())
    assert other.districts() is None and other.departments() is None
    client = client_for(refserver, "viewer-key")
    districts = client.districts()
    assert districts and all(isinstance(g, dict) and g["type"] for _c, _n, g in districts)
    departments = client.departments()
    assert departments and {"code", "name"} <= set(departments[0])
    assert all(d["officer_name"] is None for d in departments)  # personal data only for staff keys


def test_sync_without_extensions_and_with_a_refused_page_size(fresh_refserver, store):
    from openmisto_plugin.core.open311.client import Open311Client as Client

    class Small(Client):
        """A server that refuses large pages (400) and has no districts/departments."""

        def iter_request_pages(self, page_size=None, **kw):
            if page_size and page_size > 1000:
                raise Open311Error("bad_request", "page_size must be at most 1000", 400, None)
            return super().iter_request_pages(**kw)

        def districts(self):
            return None

        def departments(self):
            return None

    client = Small(fresh_refserver.base_url, api_key="moderator-key", retries=0)
    result = SyncEngine(store, client, history=False).pull(full=True)
    assert result.new == store.count() > 0 and result.districts == 0 and result.departments == 0


# -- phases of a full pull ---------------------------------------------------------------------------------


class CancelInHistory(Feedback):
    """Cancels as soon as the history phase reports progress (> 85)."""

    def isCanceled(self) -> bool:
        return any(p > 85 for p in self.progress)


def test_full_pull_phases_reports_first_then_history(fresh_refserver, store):
    from openmisto_plugin.core.sync import FULL_HISTORY_PAGE_SIZE

    total = server_count(fresh_refserver, "SELECT count(*) FROM requests")
    entries = server_count(fresh_refserver, "SELECT count(*) FROM updates")
    # a full pull asks for the history in pages of FULL_HISTORY_PAGE_SIZE (the client's below 1 000 are kept)
    default = SyncEngine(store, client_for(fresh_refserver))
    assert default._page_size(True, FULL_HISTORY_PAGE_SIZE) == FULL_HISTORY_PAGE_SIZE
    assert default._page_size(True) == 5000

    engine = SyncEngine(store, client_for(fresh_refserver, page_size=100), CancelInHistory())
    result = engine.pull(full=True)
    assert result.canceled and set(result.phase_seconds) == {"reference", "reports", "history"}
    # the reports phase is complete: every report, the filter indexes, the watermark
    assert result.new == store.count() == total - len(result.skipped)
    assert not store._missing_indexes()
    assert store.get_state(REQUESTS_WATERMARK)
    assert store.get_state("updates_watermark") is None
    assert result.history == 100 < entries
    assert engine.feedback.progress == sorted(engine.feedback.progress)
    assert all(85 < p <= 95 for p in engine.feedback.progress if p > 85)

    # the next (incremental) pull completes the history, nothing twice
    again = SyncEngine(store, client_for(fresh_refserver)).pull()
    assert not again.full and (again.new, again.updated) == (0, 0)
    assert result.history + again.history == entries
    assert store.get_state("updates_watermark")
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT count(DISTINCT update_id) FROM request_updates").fetchone()[0] == entries
