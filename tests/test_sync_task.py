"""The plugin's sync task against the reference server: Cancel reaches the request in flight; one sync path."""

from __future__ import annotations

import sqlite3
import time

import pytest
from qgis.core import QgsApplication

from openmisto_plugin.core.model import SkippedRecord
from openmisto_plugin.core.open311.client import DEFAULT_CITY_BBOX
from openmisto_plugin.core.store import GeoPackageStore
from openmisto_plugin.core.sync import REQUESTS_WATERMARK, PushResult, SyncResult
from openmisto_plugin.core.tasks import SyncParams, SyncSummary, SyncTask, TaskOutcome
from tests.test_plugin import wait_for

pytestmark = pytest.mark.usefixtures("qgis_app")

#: The server holds the answer this long: far longer than any cancel may take, shorter than the client's timeout.
HELD_S = 25.0
#: A cancel must end the task within this: the transport looks at the feedback every 50 ms.
PROMPT_S = 5.0


def _hits(server, endpoint: str) -> int:
    return int(server.stats()["hits"].get(f"GET {endpoint}", 0))


def _start(params: SyncParams) -> tuple[SyncTask, list[TaskOutcome]]:
    outcomes: list[TaskOutcome] = []
    task = SyncTask(params)
    task.done.connect(outcomes.append)
    QgsApplication.taskManager().addTask(task)
    return task, outcomes


def test_sync_summary_message():
    skipped = [SkippedRecord("77", "no position")]
    pushed = PushResult(sent=1, errors=["12: refused"])
    summary = SyncSummary.from_results(SyncResult(new=2, updated=1, unchanged=5, skipped=skipped), pushed)
    text = summary.message()
    assert "2" in text and "77: no position" in text and "12: refused" in text
    assert summary.changed and not summary.canceled
    assert SyncSummary.from_results(SyncResult(), PushResult(canceled=True)).canceled


def test_cancel_ends_the_request_in_flight(fresh_refserver, tmp_path):
    """The platform holds its answer to the reports; Cancel ends the sync at once, not after the answer."""
    fresh_refserver.fault(path_contains="/requests.", method="GET", delay_s=HELD_S, count=5)
    workspace = tmp_path / "cancel.gpkg"
    params = SyncParams(fresh_refserver.base_url, str(workspace), api_key=fresh_refserver.keys["moderator"], full=True)
    task, outcomes = _start(params)
    assert wait_for(lambda: _hits(fresh_refserver, "requests") >= 1, 60), "the sync never asked for the reports"
    time.sleep(0.3)  # the request is on the wire, the server is holding it
    assert not outcomes

    canceled_at = time.monotonic()
    task.cancel()
    assert wait_for(lambda: outcomes, PROMPT_S), f"the sync still waited for the platform {PROMPT_S} s after Cancel"
    latency = time.monotonic() - canceled_at
    print(f"cancel latency: {latency * 1000:.0f} ms")

    outcome = outcomes[0]
    assert outcome.error is None, outcome.error_message()  # a cancel, not a network failure shown in red
    assert outcome.canceled or (isinstance(outcome.result, SyncSummary) and outcome.result.canceled)
    assert _hits(fresh_refserver, "requests") == 1  # not retried
    with GeoPackageStore.open(str(workspace)) as store:
        assert store.get_state(REQUESTS_WATERMARK) is None  # the next sync fetches everything again
        assert store.count() == 0


def test_the_task_repairs_swapped_positions_against_the_settings_city_area(fresh_refserver, tmp_path):
    """The plugin's sync (a task in QGIS's task manager, the Settings' city area) repairs swapped lat/long."""
    with sqlite3.connect(fresh_refserver.db_path) as conn:
        rows = conn.execute("SELECT id, lat, long FROM requests WHERE lat IS NOT NULL ORDER BY id LIMIT 4").fetchall()
        for rid, lat, lon in rows:
            conn.execute("UPDATE requests SET lat = ?, long = ? WHERE id = ?", (lon, lat, rid))
    workspace = tmp_path / "swapped.gpkg"
    params = SyncParams(
        fresh_refserver.base_url,
        str(workspace),
        api_key=fresh_refserver.keys["moderator"],
        full=True,
        city_area=DEFAULT_CITY_BBOX,
    )
    _task, outcomes = _start(params)
    assert wait_for(lambda: outcomes, 120)
    assert outcomes[0].ok, outcomes[0].error_message()
    assert outcomes[0].result.new >= 400 and not outcomes[0].result.skipped
    with GeoPackageStore.open(str(workspace)) as store:
        for rid, lat, lon in rows:
            row = store.report(str(rid))
            assert (row["lat"], row["long"], row["position_source"]) == (lat, lon, "repaired_swap")
        assert store.count("position_source = 'repaired_swap'") == len(rows)


def test_cancel_of_openmisto_sync_ends_the_request_in_flight(
    fresh_refserver, tmp_path, openmisto_provider, monkeypatch
):
    """The same path from Processing: canceling the algorithm's task aborts the held request."""
    from qgis.core import QgsProcessingAlgRunnerTask, QgsProcessingContext, QgsProcessingFeedback

    monkeypatch.setenv("OPENMISTO_API_KEY", fresh_refserver.keys["moderator"])
    fresh_refserver.fault(path_contains="/requests.", method="GET", delay_s=HELD_S, count=5)
    algorithm = QgsApplication.processingRegistry().algorithmById("openmisto:sync")
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    parameters = {"PLATFORM_URL": fresh_refserver.base_url, "WORKSPACE": str(tmp_path / "cli.gpkg"), "FULL": True}
    finished: list[bool] = []
    task = QgsProcessingAlgRunnerTask(algorithm, parameters, context, feedback)
    task.executed.connect(lambda ok, _results: finished.append(ok))
    QgsApplication.taskManager().addTask(task)
    assert wait_for(lambda: _hits(fresh_refserver, "requests") >= 1, 60), "the sync never asked for the reports"
    time.sleep(0.3)
    assert not finished

    canceled_at = time.monotonic()
    task.cancel()
    assert wait_for(lambda: finished, PROMPT_S), f"openmisto:sync still waited {PROMPT_S} s after Cancel"
    print(f"cancel latency (openmisto:sync): {(time.monotonic() - canceled_at) * 1000:.0f} ms")
    assert finished == [False] and feedback.isCanceled()
    assert _hits(fresh_refserver, "requests") == 1
