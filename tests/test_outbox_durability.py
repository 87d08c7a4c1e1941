"""Outbox durability: a process records 200 updates and pushes; it is killed (SIGKILL) while a request is on the
wire (the platform applies it, the process never learns); after a restart every update reaches the platform exactly
once (the reference server's ``/_test/stats`` and its database)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from openmisto_plugin.core import outbox_view
from openmisto_plugin.core.store.workspace import Workspace
from tests.test_workflow import submit_reports, workspace

pytestmark = pytest.mark.usefixtures("qgis_app")

ROOT = Path(__file__).resolve().parent.parent
UPDATES = 200
REPORTS = 50
PASS_THROUGH = 73  # the 74th POST is delayed; the process is killed while it waits
DELAY_S = 2.5

CHILD = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from qgis.core import QgsApplication
    app = QgsApplication([], False)
    app.initQgis()
    from openmisto_plugin.core import workflow as wf
    from openmisto_plugin.core import outbox_view
    from openmisto_plugin.core.open311.client import Open311Client
    from openmisto_plugin.core.store import GeoPackageStore
    from openmisto_plugin.core.sync import SyncEngine

    mode, path, url, key = sys.argv[1:5]
    store = GeoPackageStore.open(path)
    if mode == "record":
        ids = sys.argv[5].split(",")
        moderator = wf.Actor("moderator")
        departments = ("roads", "ujkg")
        with store.transaction():
            for n in range({updates}):
                wf.assign(store, moderator, [ids[n % len(ids)]], departments[(n // len(ids)) % 2], strict=True)
        print("recorded", len(store.outbox_entries(["pending"])), flush=True)
    result = SyncEngine(store, Open311Client(url, api_key=key, retries=0)).push()
    print("pushed", result.sent, result.refused, result.conflicts, result.retry_later, flush=True)
    store.close()
    """
)


def run_child(script: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen(
        [sys.executable, str(script), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def outbox_states(path: Path) -> dict[str, list[str]]:
    """update_ids by outbox state, read with sqlite3 (not through the store)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT state, update_id FROM outbox ORDER BY id").fetchall()
    states: dict[str, list[str]] = {}
    for state, update_id in rows:
        states.setdefault(state, []).append(update_id)
    return states


def test_killed_mid_push_every_update_reaches_the_platform_exactly_once(fresh_refserver, tmp_path):
    server = fresh_refserver
    ids = submit_reports(server, "pivdenno_zakhidnyi", REPORTS)
    store, _sync = workspace(server, server.keys["moderator"], tmp_path / "ws.gpkg")
    path = Path(store.path)
    store.close()
    before = server.stats()["applied"]
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), updates=UPDATES))

    # The first 73 POSTs pass untouched; the 74th waits before the server applies it.
    server.fault(path_contains="servicerequestupdates", method="POST", count=PASS_THROUGH)
    server.fault(path_contains="servicerequestupdates", method="POST", delay_s=DELAY_S)
    child = run_child(script, "record", str(path), server.base_url, server.keys["moderator"], ",".join(ids))
    try:
        assert child.stdout.readline().split() == ["recorded", str(UPDATES)]
        deadline = time.monotonic() + 60
        while server.stats()["pending_faults"] and time.monotonic() < deadline:
            assert child.poll() is None, child.stderr.read()
            time.sleep(0.01)
        assert not server.stats()["pending_faults"], "the push did not get to the delayed request"
        time.sleep(0.2)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    time.sleep(DELAY_S + 0.5)  # the server finishes the request the dead process sent
    states = outbox_states(path)
    assert len(states["sent"]) == PASS_THROUGH and len(states["pending"]) == UPDATES - PASS_THROUGH
    applied = {k: v for k, v in server.stats()["applied"].items() if k not in before}
    in_flight = states["pending"][0]
    assert applied.get(in_flight) == 1  # applied on the platform, unconfirmed in the workspace
    assert len(applied) == PASS_THROUGH + 1

    # Restart: a new process pushes what is left; the in-flight update is answered as a repeat.
    again = run_child(script, "push", str(path), server.base_url, server.keys["moderator"])
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert out.split() == ["pushed", str(UPDATES - PASS_THROUGH), "0", "0", "0"]

    states = outbox_states(path)
    assert set(states) == {"sent"} and len(states["sent"]) == UPDATES
    stats = server.stats()
    applied = {k: v for k, v in stats["applied"].items() if k not in before}
    assert set(applied) == set(states["sent"])
    assert all(count == 1 for count in applied.values())
    assert stats["replayed"].get(in_flight) == 1
    with server.db() as conn:
        rows = conn.execute(
            "SELECT service_request_id, count(*), count(DISTINCT update_id) FROM updates WHERE origin = 'api'"
            f" AND service_request_id IN ({','.join('?' * len(ids))}) GROUP BY service_request_id",
            [int(i) for i in ids],
        ).fetchall()
        final = dict(
            conn.execute(
                f"SELECT id, agency_responsible FROM requests WHERE id IN ({','.join('?' * len(ids))})",
                [int(i) for i in ids],
            ).fetchall()
        )
    assert len(rows) == REPORTS and all(n == distinct == UPDATES // REPORTS for _sid, n, distinct in rows)
    assert set(final.values()) == {"ujkg"}  # the last of the four assignments of each report
    with Workspace(path).opened() as reopened:
        for sid in ids:  # received (from the platform), then the four assignments, each once
            history = outbox_view.history(reopened, sid)
            assert [h["origin"] for h in history] == ["platform"] + ["local"] * (UPDATES // REPORTS)
            assert len({h["update_id"] for h in history}) == len(history)
