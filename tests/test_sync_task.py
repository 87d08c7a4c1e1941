"""The plugin's sync task against the reference server: Cancel reaches the request in flight; one sync path."""

from __future__ import annotations

import time

import pytest
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication

from openmisto_plugin.core.store import GeoPackageStore
from openmisto_plugin.core.sync import REQUESTS_WATERMARK
from openmisto_plugin.core.tasks import SyncParams, SyncSummary, SyncTask, TaskOutcome

pytestmark = pytest.mark.usefixtures("qgis_app")

#: The server holds the answer this long: far longer than any cancel may take, shorter than the client's timeout.
HELD_S = 25.0
#: A cancel must end the task within this: the transport looks at the feedback every 50 ms.
PROMPT_S = 5.0


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def _hits(server, endpoint: str) -> int:
    return int(server.stats()["hits"].get(f"GET {endpoint}", 0))


def _start(params: SyncParams) -> tuple[SyncTask, list[TaskOutcome]]:
    outcomes: list[TaskOutcome] = []
    task = SyncTask(params)
    task.done.connect(outcomes.append)
    QgsApplication.taskManager().addTask(task)
    return task, outcomes


def test_cancel_ends_the_request_in_flight(fresh_refserver, tmp_path):
    """The platform holds its answer to the reports; Cancel ends the sync at once, not after the answer."""
    fresh_refserver.fault(path_contains="/requests.", method="GET", delay_s=HELD_S, count=5)
    workspace = tmp_path / "cancel.gpkg"
    params = SyncParams(fresh_refserver.base_url, str(workspace), api_key=fresh_refserver.keys["moderator"], full=True)
    task, outcomes = _start(params)
    assert _wait(lambda: _hits(fresh_refserver, "requests") >= 1, 60), "the sync never asked for the reports"
    time.sleep(0.3)  # the request is on the wire, the server is holding it
    assert not outcomes

    canceled_at = time.monotonic()
    task.cancel()
    assert _wait(lambda: outcomes, PROMPT_S), f"the sync still waited for the platform {PROMPT_S} s after Cancel"
    latency = time.monotonic() - canceled_at
    print(f"cancel latency: {latency * 1000:.0f} ms")

    outcome = outcomes[0]
    assert outcome.error is None, outcome.error_message()  # a cancel, not a network failure shown in red
    assert outcome.canceled or (isinstance(outcome.result, SyncSummary) and outcome.result.canceled)
    assert _hits(fresh_refserver, "requests") == 1  # not retried
    with GeoPackageStore.open(str(workspace)) as store:
        assert store.get_state(REQUESTS_WATERMARK) is None  # the next sync fetches everything again
        assert store.count() == 0
