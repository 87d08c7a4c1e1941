"""Several clients on one PostGIS workspace at once: the sync lock, optimistic locking, the shared outbox."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from openmisto_plugin.core.open311.client import Open311Client
from openmisto_plugin.core.store.factory import run_sync_exclusive
from openmisto_plugin.core.store.postgis import PostGisStore, SyncBusyError, VersionConflictError
from openmisto_plugin.core.sync import SyncEngine

pytestmark = pytest.mark.usefixtures("qgis_app")
TIMEOUT_S = 60


def client_for(server, key: str = "moderator-key", **kw) -> Open311Client:
    kw.setdefault("retries", 0)
    return Open311Client(server.base_url, api_key=key, **kw)


def engine_for(store, client, feedback=None, **kw) -> SyncEngine:
    kw.setdefault("full_page_size", None)  # the client's page size for full pulls too
    return SyncEngine(store, client, feedback, **kw)


class Gate:
    """Feedback that stops the sync after its first committed page until ``release`` is set."""

    def __init__(self) -> None:
        self.holding = threading.Event()
        self.release = threading.Event()

    def setProgress(self, value: float) -> None:
        if 5 < value <= 85 and not self.holding.is_set():
            self.holding.set()
            assert self.release.wait(TIMEOUT_S), "the test never released the first sync"

    def isCanceled(self) -> bool:
        return False


def test_two_syncs_at_once_only_one_writes_the_other_skips_or_waits(fresh_refserver, pg_info, caplog):
    caplog.set_level(logging.INFO, logger="openmisto_plugin.core.store.postgis")
    PostGisStore.create(pg_info).close()
    first_store, second_store = PostGisStore.open(pg_info), PostGisStore.open(pg_info)
    gate = Gate()
    try:
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(
                run_sync_exclusive, engine_for(first_store, client_for(fresh_refserver, page_size=50), gate), True
            )
            assert gate.holding.wait(TIMEOUT_S), "the first sync did not start"
            # the second sync, while the first holds the lock: skipped at once…
            skipped = run_sync_exclusive(engine_for(second_store, client_for(fresh_refserver)), full=True)
            assert skipped.skipped and skipped.result is None
            assert "Another sync is running" in skipped.busy and "openmisto" in skipped.busy
            hits_before = fresh_refserver.stats()["hits"]
            # …or waiting: it runs only after the first is done
            waiting = pool.submit(
                run_sync_exclusive, engine_for(second_store, client_for(fresh_refserver)), False, TIMEOUT_S
            )
            threading.Event().wait(0.5)
            assert not waiting.done()
            assert fresh_refserver.stats()["hits"] == hits_before  # it has not even asked the platform yet
            gate.release.set()
            done_first = first.result(TIMEOUT_S)
            done_second = waiting.result(TIMEOUT_S)
    finally:
        gate.release.set()
        first_store.close()
        second_store.close()
    assert not done_first.skipped and done_first.result.pull.full
    total = sqlite3.connect(fresh_refserver.db_path).execute("SELECT count(*) FROM requests").fetchone()[0]
    assert done_first.result.pull.new == total - len(done_first.result.pull.skipped)
    # the waiting sync ran afterwards, incrementally, and found the work done
    assert not done_second.skipped and done_second.result.pull.new == 0 and not done_second.result.pull.full
    assert any("waiting up to" in r.getMessage() for r in caplog.records)
    with PostGisStore.open(pg_info) as store:
        assert store.query("SELECT count(DISTINCT service_request_id) AS n FROM reports")[0]["n"] == store.count()
        # the lock is free again
        with store.sync_lock():
            pass


def test_sync_lock_in_one_process_is_not_reentrant_across_threads(pg_store):
    with pg_store.sync_lock(), pytest.raises(SyncBusyError), pg_store.sync_lock(wait_s=0.3, poll_s=0.1):
        pass
    with pg_store.sync_lock():
        pass


def test_two_officers_editing_the_same_report_at_once_the_second_gets_the_conflict(fresh_refserver, pg_info):
    with PostGisStore.create(pg_info) as store:
        engine_for(store, client_for(fresh_refserver)).pull(full=True)
        ids = [
            r["service_request_id"] for r in store.query("SELECT service_request_id FROM reports ORDER BY fid LIMIT 10")
        ]
    officers = [PostGisStore.open(pg_info) for _ in range(2)]
    outcomes: Counter[str] = Counter()
    try:
        for rid in ids:
            seen = [o.report(rid)["version"] for o in officers]  # both opened the report
            barrier = threading.Barrier(2)

            def respond(k: int, rid=rid, seen=seen, barrier=barrier) -> str:
                barrier.wait(TIMEOUT_S)
                try:
                    officers[k].record_local_update(
                        rid,
                        {"external_status_code": "in_progress", "description": f"Відповідь {k}"},
                        f"officer{k}",
                        base_version=seen[k],
                    )
                except VersionConflictError as exc:
                    assert exc.theirs["status_notes"] == f"Відповідь {1 - k}"
                    return "conflict"
                return "saved"

            with ThreadPoolExecutor(2) as pool:
                results = list(pool.map(respond, range(2)))
            assert sorted(results) == ["conflict", "saved"], results
            outcomes.update(results)
            row = officers[0].report(rid)
            assert row["version"] == seen[0] + 1  # exactly one change went in
            assert (
                len(officers[0].history(rid))
                == len([h for h in officers[0].history(rid) if h["origin"] == "platform"]) + 1
            )
    finally:
        for o in officers:
            o.close()
    assert outcomes == Counter(saved=len(ids), conflict=len(ids))


def test_four_clients_push_one_shared_outbox_each_entry_is_sent_exactly_once(fresh_refserver, pg_info):
    agency = fresh_refserver.departments[0]["code"]
    with PostGisStore.create(pg_info) as store:
        engine_for(store, client_for(fresh_refserver)).pull(full=True)
        ids = [
            r["service_request_id"]
            for r in store.query("SELECT service_request_id FROM reports WHERE status = 'open' ORDER BY fid LIMIT 30")
        ]
        assert len(ids) == 30
        queued = []
        for n, rid in enumerate(ids):
            queued.append(store.record_local_update(rid, {"external_status_code": "investigating"}, f"m{n % 3}"))
            if n % 3 == 0:  # a chain of two changes on one report: must go in order, by one client
                queued.append(
                    store.record_local_update(
                        rid, {"external_status_code": "action_scheduled", "agency_responsible": agency}, "m"
                    )
                )
    before = fresh_refserver.stats()
    clients = [PostGisStore.open(pg_info) for _ in range(4)]
    barrier = threading.Barrier(4)

    def pusher(store: PostGisStore) -> int:
        # one entry per push: SyncEngine.push posts a chain of one report with the expected time read before
        # the first of them was confirmed (a 409 on itself, on either backend; reported to the sync owner)
        engine = engine_for(store, client_for(fresh_refserver), push_limit=1)
        barrier.wait(TIMEOUT_S)
        sent = 0
        for _ in range(200):
            result = engine.push()
            sent += result.sent
            assert result.conflicts == 0 and result.refused == 0 and not result.errors, result
            store.release_claims()
            if not store.pending_outbox(claim=False):
                break
        return sent

    try:
        with ThreadPoolExecutor(4) as pool:
            sent = list(pool.map(pusher, clients, timeout=TIMEOUT_S * 2))
    finally:
        for c in clients:
            c.close()
    stats = fresh_refserver.stats()
    applied = {k: v - before["applied"].get(k, 0) for k, v in stats["applied"].items()}
    assert sum(sent) == len(queued)
    assert sorted(k for k, v in applied.items() if v) == sorted(queued)
    assert all(applied[u] == 1 for u in queued)
    assert stats["replayed"] == before["replayed"]  # no entry was POSTed twice
    assert sum(1 for s in sent if s) >= 2, sent  # the work was really shared
    with PostGisStore.open(pg_info) as store:
        states = Counter(e.state for e in store.outbox_entries())
        assert states == Counter(sent=len(queued))
        with sqlite3.connect(fresh_refserver.db_path) as conn:
            for rid in ids[::3]:
                code, got = conn.execute(
                    "SELECT external_status_code, agency_responsible FROM requests WHERE id = ?", (int(rid),)
                ).fetchone()
                assert (code, got) == ("action_scheduled", agency)  # the chain arrived in order
