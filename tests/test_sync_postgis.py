"""Sync into a PostGIS store against the real reference server: full, incremental, interrupted, push."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from openmisto_plugin.core.open311.errors import Open311Error
from openmisto_plugin.core.store.factory import open_store, run_sync_exclusive
from openmisto_plugin.core.store.postgis import PostGisStore
from openmisto_plugin.core.sync import REQUESTS_WATERMARK, SyncEngine
from tests.helpers_store import FailingPages, Feedback, client_for, for_triage, post, server_count

pytestmark = pytest.mark.usefixtures("qgis_app")


def engine_for(store, client, feedback=None) -> SyncEngine:
    """A SyncEngine that keeps the client's page size for full pulls too."""
    return SyncEngine(store, client, feedback, full_page_size=None)


@pytest.fixture()
def store(pg_store) -> PostGisStore:
    return pg_store


def distinct_reports(store: PostGisStore) -> int:
    return store.query("SELECT count(DISTINCT service_request_id) AS n FROM reports")[0]["n"]


# -- pull --------------------------------------------------------------------------------------------------


def test_full_sync_then_idempotent_resync(fresh_refserver, store):
    total = server_count(fresh_refserver, "SELECT count(*) FROM requests")
    feedback = Feedback()
    result = engine_for(store, client_for(fresh_refserver, page_size=100), feedback).pull(full=True)
    assert result.full and not result.canceled
    assert result.new == store.count() == total - len(result.skipped)
    assert result.updated == 0 and result.pages >= total // 100
    assert result.services > 0 and result.districts > 0 and result.departments > 0
    assert result.history == server_count(fresh_refserver, "SELECT count(*) FROM updates")
    assert store.count("district IS NULL") == 0
    assert feedback.progress[-1] == 100
    assert store.get_state(REQUESTS_WATERMARK)
    assert distinct_reports(store) == store.count()
    # the same values as the platform, datetimes in store form
    with sqlite3.connect(fresh_refserver.db_path) as conn:
        rid, code = conn.execute("SELECT id, external_status_code FROM requests ORDER BY id LIMIT 1").fetchone()
    row = store.report(str(rid))
    assert row["external_status_code"] == code and row["updated_datetime"].endswith("Z")

    again = engine_for(store, client_for(fresh_refserver, page_size=100)).pull(full=True)
    assert (again.new, again.updated, again.unchanged) == (0, 0, store.count())
    assert again.history == 0
    incremental = engine_for(store, client_for(fresh_refserver)).pull()
    assert (incremental.new, incremental.updated) == (0, 0)
    assert incremental.unchanged < 20


def test_incremental_sync_picks_exactly_the_changes(fresh_refserver, store):
    engine = engine_for(store, client_for(fresh_refserver))
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
    assert store.report(new_id)["district"]
    assert store.count() == server_count(fresh_refserver, "SELECT count(*) FROM requests")


def test_interrupted_sync_resumes_consistently(fresh_refserver, store):
    total = server_count(fresh_refserver, "SELECT count(*) FROM requests")
    page = 50
    result = engine_for(store, client_for(fresh_refserver, page_size=page), Feedback(cancel_after_pages=2)).pull(
        full=True
    )
    assert result.canceled and result.pages == 2
    assert store.count() == 2 * page
    assert store.get_state(REQUESTS_WATERMARK) is None
    failing = FailingPages(fresh_refserver, fail_at=3, page_size=page)
    with pytest.raises(Open311Error):
        engine_for(store, failing).pull()
    assert store.count() == 2 * page
    assert store.get_state(REQUESTS_WATERMARK) is None
    result = engine_for(store, client_for(fresh_refserver, page_size=page)).pull()
    assert result.new == total - 2 * page - len(result.skipped)
    assert result.unchanged == 2 * page
    assert store.count() == total - len(result.skipped)
    assert distinct_reports(store) == store.count()
    assert store.get_state(REQUESTS_WATERMARK)


# -- push --------------------------------------------------------------------------------------------------


def test_push_reaches_the_platform_once_even_after_a_crash_before_marking(fresh_refserver, store, monkeypatch):
    engine = engine_for(store, client_for(fresh_refserver))
    engine.pull(full=True)
    rid = for_triage(fresh_refserver)[0]
    uid = store.record_local_update(rid, {"external_status_code": "investigating", "description": "Прийнято"}, "m")

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
    assert engine.push().sent == 0
    engine.pull()
    assert store.report(rid)["external_status_code"] == "investigating"
    assert [h["update_id"] for h in store.history(rid)].count(uid) == 1


def test_push_conflict_refused_and_retry(fresh_refserver, store):
    engine = engine_for(store, client_for(fresh_refserver))
    engine.pull(full=True)
    a, b, c = for_triage(fresh_refserver)
    conflict_id = store.record_local_update(a, {"external_status_code": "investigating"}, "m")
    post(fresh_refserver, "moderator-key", service_request_id=a, external_status_code="hidden")
    result = engine.push()
    assert result.conflicts == 1
    (entry,) = store.outbox_entries(["conflict"])
    assert entry.update_id == conflict_id
    assert entry.platform["external_status_code"] == "hidden"
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
    result = engine_for(store, client_for(fresh_refserver, "viewer-key")).push()
    assert result.refused == 1
    (entry,) = store.outbox_entries(["refused"])
    assert entry.update_id == refused_id and entry.http_status == 403
    assert store.report(b)["external_status_code"] == "for_triage"

    later_id = store.record_local_update(c, {"external_status_code": "investigating"}, "m")
    fresh_refserver.fault(path_contains="servicerequestupdates", status=503, count=1)
    result = engine.push()
    assert result.retry_later == 1
    (entry,) = [e for e in store.outbox_entries(["pending"]) if e.update_id == later_id]
    assert entry.attempts == 1 and entry.next_attempt_at > datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    assert engine.push().sent == 0
    later = datetime.now(timezone.utc) + timedelta(hours=2)
    assert store.pending_outbox(later, claim=False)[0].update_id == later_id


def test_scheduled_sync_through_the_workspace_address(fresh_refserver, pg_info):
    """What ``openmisto:sync`` does on the server: open by address (created once), sync under the lock."""
    with open_store(pg_info.to_uri(), create=True) as store:
        done = run_sync_exclusive(engine_for(store, client_for(fresh_refserver)), full=True)
        assert not done.skipped and done.result.pull.new == store.count() > 0
    with open_store(pg_info.to_uri()) as store:
        again = run_sync_exclusive(engine_for(store, client_for(fresh_refserver)))
        assert again.result.pull.new == 0 and not again.result.pull.full
