"""``openmisto:sync`` against replays of real third-party Open311 servers (``tests/replay_open311.py``).

For each kind of server: the run succeeds, every record with an id is stored (or skipped with its
reason), what the platform lacks is said once as information, and after the platform changes (a report
closed, a new one, a history entry) an incremental sync brings exactly that.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from qgis.core import QgsProcessingFeedback

from openmisto_plugin.core.open311.profile import NO, PAGING_NEXT_URL, PAGING_NONE, YES, feature_label
from openmisto_plugin.core.store.factory import open_store
from tests import replay_open311 as replay
from tests.replay_open311 import DATA, ReplayServer, Update
from tests.test_processing import QGIS_PROCESS, parse_json_output, run_qgis_process
from tests.test_processing import qgis_process_env as qgis_process_env


class Recorder(QgsProcessingFeedback):
    """Keeps what the algorithm tells the user: information lines and (non-fatal) errors."""

    def __init__(self) -> None:
        super().__init__()
        self.info: list[str] = []
        self.errors: list[str] = []

    def pushInfo(self, info: str) -> None:
        self.info.append(info)
        super().pushInfo(info)

    def reportError(self, error: str, fatalError: bool = False) -> None:
        self.errors.append(error)
        super().reportError(error, fatalError)


def sync(
    server: ReplayServer, workspace: Path, full: bool, key: str | None = None, **extra: Any
) -> tuple[dict, Recorder]:
    """``openmisto:sync`` in process; ``key`` through the environment (the algorithm has no key parameter)."""
    import os

    import processing

    feedback = Recorder()
    params = {"PLATFORM_URL": server.base_url, "WORKSPACE": str(workspace), "FULL": full, **extra}
    before = os.environ.pop("OPENMISTO_API_KEY", None)
    if key:
        os.environ["OPENMISTO_API_KEY"] = key
    try:
        outputs = processing.run("openmisto:sync", params, feedback=feedback)
    finally:
        os.environ.pop("OPENMISTO_API_KEY", None)
        if before is not None:
            os.environ["OPENMISTO_API_KEY"] = before
    return outputs, feedback


def stored(workspace: Path) -> dict[str, dict]:
    with open_store(str(workspace)) as store:
        return {row["service_request_id"]: row for row in store.query("SELECT * FROM reports")}


def profile_of(workspace: Path):
    with open_store(str(workspace)) as store:
        return store.platform_profile()


def ids_in(path: Path) -> list[str]:
    """The report ids of a capture, read straight from the file."""
    if path.suffix == ".json":
        records = json.loads(path.read_text(encoding="utf-8"))
        values = [r.get("service_request_id") for r in records]
    else:
        values = [e.findtext("service_request_id") for e in ET.parse(path).getroot()]
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def skipped_ids(feedback: Recorder) -> dict[str, str]:
    """``{report id: reason}`` from the "Skipped report X: reason" lines."""
    found = {}
    for line in feedback.errors:
        head, _, reason = line.partition(": ")
        found[head.rsplit(" ", 1)[-1]] = reason
    return found


def check_first_sync(outputs: dict, feedback: Recorder, workspace: Path, capture: Path) -> dict[str, dict]:
    """Every record with an id is stored (a report without a position too); a skip would need its reason."""
    expected = ids_in(capture)
    rows = stored(workspace)
    skips = skipped_ids(feedback)
    assert outputs["NEW"] == len(rows) == len(expected)
    assert set(rows) == set(expected)
    assert outputs["SKIPPED"] == len(skips) == 0
    return rows


@pytest.fixture
def six_aika() -> Iterator[ReplayServer]:
    server = replay.six_aika()
    yield server
    server.stop()


@pytest.fixture
def sf311() -> Iterator[ReplayServer]:
    server = replay.spec_only_xml(cap=20)
    yield server
    server.stop()


@pytest.fixture
def ureport() -> Iterator[ReplayServer]:
    server = replay.ignores_updated_after()
    yield server
    server.stop()


@pytest.fixture
def fixmystreet() -> Iterator[ReplayServer]:
    server = replay.fixmystreet()
    yield server
    server.stop()


def test_six_aika_paged_without_history(openmisto_provider, six_aika, tmp_path: Path) -> None:
    workspace = tmp_path / "helsinki.gpkg"
    outputs, feedback = sync(six_aika, workspace, True, PAGE_SIZE=10)
    check_first_sync(outputs, feedback, workspace, DATA / "helsinki" / "requests.json")
    assert outputs["PAGES"] == 3  # 25 reports, 10 a page, following X-Next-Page-URL
    history = [line for line in feedback.info if "servicerequestupdates.json" in line]
    assert len(history) == 1 and "answered 404" in history[0]  # said once, as information
    assert not feedback.errors
    profile = profile_of(workspace)
    assert (profile.paging, profile.history, profile.districts, profile.format) == (PAGING_NEXT_URL, NO, NO, "json")

    six_aika.change("lq8gl5vf", status="closed", updated_datetime="2026-12-05T10:00:00+02:00")
    six_aika.add("w6zzup4k", "new00001", requested_datetime="2026-12-05T09:00:00+02:00",
                 updated_datetime="2026-12-05T09:00:00+02:00")  # fmt: skip
    before = len(six_aika.calls)
    outputs, feedback = sync(six_aika, workspace, False, PAGE_SIZE=10)
    rows = stored(workspace)
    assert (outputs["NEW"], outputs["UPDATED"]) == (1, 1)
    assert not any("servicerequestupdates" in path for _m, path, _p in six_aika.calls[before:])  # known absent
    assert not any("answered 404" in line for line in feedback.info)  # not repeated by each sync
    assert any(feature_label("history") in line for line in feedback.info)  # but still listed as lacking
    assert rows["lq8gl5vf"]["status"] == "closed" and "new00001" in rows
    calls = [params for method, path, params in six_aika.calls if path.endswith("requests.json")]
    assert "updated_after" in calls[-1]


def test_six_aika_past_the_last_page_is_the_end(openmisto_provider, six_aika, tmp_path: Path) -> None:
    """A 404 {"detail": "Invalid page."} after the last page ends the walk (page numbers, no next URL used)."""
    from openmisto_plugin.core.open311.client import Open311Client

    six_aika.behaviour.headers = False  # no X-… headers: 5 full pages of 5, then page 6 answers 404
    client = Open311Client(six_aika.base_url, page_size=5, retries=0)
    pages = list(client.iter_request_pages(start_date="2000-01-01T00:00:00+00:00"))
    assert sum(len(p.requests) + len(p.skipped) for p in pages) == 25
    asked = [int(p["page"]) for _m, path, p in six_aika.calls if path.endswith("requests.json")]
    assert asked == [1, 2, 3, 4, 5, 6]


def test_spec_only_xml_server_with_a_cap(openmisto_provider, sf311, tmp_path: Path) -> None:
    workspace = tmp_path / "sf.gpkg"
    capture = DATA / "realworld" / "open311status" / "san_francisco_requests.xml"
    outputs, feedback = sync(sf311, workspace, True)
    check_first_sync(outputs, feedback, workspace, capture)  # 56 reports through answers of at most 20
    profile = profile_of(workspace)
    assert (profile.format, profile.paging, profile.result_cap) == ("xml", PAGING_NONE, 20)
    asked = [path for _m, path, _p in sf311.calls if "/requests." in path]
    assert asked and all(path.endswith("requests.xml") for path in asked)  # JSON is not offered

    opened = next(i for i, r in stored(workspace).items() if r["status"] == "open")
    sf311.change(opened, status="Closed", updated_datetime="2012-05-23 10:00:00.0")
    sf311.add(opened, "9999001", requested_datetime="2012-05-23 09:00:00.0", updated_datetime="2012-05-23 09:00:00.0")
    outputs, feedback = sync(sf311, workspace, False)
    rows = stored(workspace)
    assert rows[opened]["status"] == "closed"
    assert "9999001" in rows
    assert outputs["NEW"] == 1 and outputs["UPDATED"] >= 1
    assert profile_of(workspace).updated_after == NO
    assert any("start_date" in line for line in feedback.info)  # says which method it used


def test_server_ignoring_updated_after(openmisto_provider, ureport, tmp_path: Path) -> None:
    workspace = tmp_path / "bloomington.gpkg"
    capture = DATA / "realworld" / "open311status" / "bloomington_requests.json"
    outputs, feedback = sync(ureport, workspace, True)
    rows = check_first_sync(outputs, feedback, workspace, capture)
    # the oldest open report: only the refresh by ids can see its change (start_date covers new ones)
    opened = min((r["requested_datetime"], i) for i, r in rows.items() if r["status"] == "open")[1]
    ureport.change(opened, status="closed", updated_datetime="2012-05-24T08:00:00-04:00")
    ureport.add(opened, "new-bloomington", requested_datetime="2012-05-24T09:00:00-04:00",
                updated_datetime="2012-05-24T09:00:00-04:00")  # fmt: skip

    ureport.add(opened, "", requested_datetime="2012-05-24T10:00:00-04:00")  # a broken record: no id

    outputs, feedback = sync(ureport, workspace, False)
    rows = stored(workspace)
    assert rows[opened]["status"] == "closed" and "new-bloomington" in rows
    assert len(rows) == len(ids_in(capture)) + 1  # every record with an id
    skips = skipped_ids(feedback)
    assert outputs["SKIPPED"] == len(skips) == 1 and "service_request_id" in skips["?"]  # skipped, with its reason
    assert profile_of(workspace).updated_after == NO
    notices = [line for line in feedback.info if "updated_after" in line]
    assert notices and all(line.count("updated_after") >= 1 for line in notices)
    refreshed = [p for _m, path, p in ureport.calls if "service_request_id" in p]
    assert refreshed and opened in refreshed[-1]["service_request_id"].split(",")

    # a third sync goes straight to the fallback, without asking updated_after again
    before = len(ureport.calls)
    sync(ureport, workspace, False)
    assert not any("updated_after" in p for _m, _path, p in ureport.calls[before:])


def test_fixmystreet_history_feed(openmisto_provider, fixmystreet, tmp_path: Path) -> None:
    workspace = tmp_path / "toronto.gpkg"
    capture = DATA / "realworld" / "open311status" / "toronto_requests_many.xml"
    outputs, feedback = sync(fixmystreet, workspace, True)
    rows = check_first_sync(outputs, feedback, workspace, capture)
    with open_store(str(workspace)) as store:
        assert len(store.query("SELECT * FROM request_updates")) == len(fixmystreet.updates)
        assert store.platform_profile().history == YES

    report = next(iter(rows))
    fixmystreet.change(report, status="closed", updated_datetime="2018-08-02T12:00:00-04:00")
    fixmystreet.add_update(Update(f"{report}-9", report, "2018-08-02T12:00:00-04:00", "closed", "Fixed"))
    outputs, _feedback = sync(fixmystreet, workspace, False)
    assert stored(workspace)[report]["status"] == "closed"
    with open_store(str(workspace)) as store:
        history = store.history(report)
    assert any(entry["update_id"] == f"{report}-9" for entry in history)


# --- the reference server in its "plain" mode, and a headless run --------------------------------


@pytest.fixture
def plain_refserver(refserver_template, tmp_path: Path):
    import shutil

    from tests.fixtures_server import start_refserver

    db_path = tmp_path / "plain.sqlite"
    shutil.copyfile(refserver_template.db_path, db_path)
    server = start_refserver(db_path, tmp_path / "plain.log", extra=("--plain", "--xml-only", "--result-cap", "50"))
    yield server
    server.stop()


def test_plain_reference_server(openmisto_provider, plain_refserver, tmp_path: Path) -> None:
    """No paging, no updated_after, no history, no write-back, no districts, XML only, 50 reports an answer."""
    import sqlite3

    from openmisto_plugin.core.open311.client import Open311Client
    from openmisto_plugin.core.open311.probe import probe

    key = plain_refserver.keys["moderator"]
    profile = probe(Open311Client(plain_refserver.base_url, api_key=key, fmt="auto", retries=0))
    assert (profile.json, profile.xml, profile.paging) == (NO, YES, PAGING_NONE)
    assert (profile.history, profile.write_back, profile.districts, profile.departments) == (NO, NO, NO, NO)
    assert profile.updated_after == NO
    assert "QGIS" in profile.dock_notice()

    workspace = tmp_path / "plain.gpkg"
    outputs, feedback = sync(plain_refserver, workspace, True, key=key)
    with sqlite3.connect(f"file:{plain_refserver.db_path}?mode=ro", uri=True) as db:
        on_server = {str(row[0]) for row in db.execute("SELECT id FROM requests")}
        changed = db.execute(
            "SELECT id FROM requests WHERE external_status_code = 'for_triage' ORDER BY requested_utc LIMIT 1"
        ).fetchone()[0]
    assert set(stored(workspace)) | set(skipped_ids(feedback)) == on_server
    assert profile_of(workspace).result_cap == 50

    with sqlite3.connect(plain_refserver.db_path) as db:  # the platform closes the oldest report waiting
        db.execute(
            "UPDATE requests SET external_status_code = 'fixed', updated_utc = strftime('%Y-%m-%dT%H:%M:%fZ')"
            " WHERE id = ?",
            (changed,),
        )
    outputs, feedback = sync(plain_refserver, workspace, False, key=key)
    assert stored(workspace)[str(changed)]["external_status_code"] == "fixed"
    assert outputs["UPDATED"] >= 1


@pytest.mark.skipif(not Path(QGIS_PROCESS).exists(), reason="qgis_process.bin is not installed")
def test_qgis_process_against_a_platform_without_history(six_aika, tmp_path: Path, qgis_process_env: dict) -> None:
    """Headless: exit 0, the reports stored, the missing history said as information."""
    workspace = tmp_path / "headless.gpkg"
    args = ["--json", "run", "openmisto:sync", "--", f"PLATFORM_URL={six_aika.base_url}", f"WORKSPACE={workspace}"]
    ran = run_qgis_process(args, qgis_process_env)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    results = parse_json_output(ran.stdout)["results"]
    assert int(results["NEW"]) == len(stored(workspace)) == len(ids_in(DATA / "helsinki" / "requests.json"))
    assert "servicerequestupdates" in ran.stdout + ran.stderr


def test_settings_show_the_profile_and_keep_it(qgis_app, sf311, tmp_path: Path) -> None:
    """Test connection lists each feature (the lacking ones marked), and the workspace keeps the profile."""
    from qgis.core import QgsSettings

    from openmisto_plugin.core.settings import PluginSettings
    from openmisto_plugin.core.store.gpkg import GeoPackageStore
    from openmisto_plugin.gui.settings_dialog import SettingsDialog
    from tests.test_plugin import wait_for

    QgsSettings().remove("openmisto")
    workspace = tmp_path / "w.gpkg"
    GeoPackageStore.create(workspace).close()
    try:
        dialog = SettingsDialog(PluginSettings(base_url=sf311.base_url, workspace_path=str(workspace)))
        dialog.url_edit.setText(sf311.base_url)
        assert dialog.test_connection() is not None
        assert wait_for(lambda: dialog.test_button.isEnabled(), 60)
        assert not dialog.profile_view.isHidden()
        texts = [w.text() for w in dialog.profile_view.findChildren(type(dialog.test_label))]
        assert any("XML" in text for text in texts)
        kept = profile_of(workspace)
        assert kept is not None and (kept.format, kept.history, kept.write_back) == ("xml", NO, NO)
        marked = [w for w in dialog.profile_view.findChildren(type(dialog.test_label)) if w.styleSheet()]
        assert len(marked) == len(kept.missing())  # history, write-back, districts, departments, updated_after
        dialog.reject()
    finally:
        QgsSettings().remove("openmisto")


def test_a_server_limiting_its_date_windows(qgis_app) -> None:
    """400 for a window wider than a year: the walk splits it, and still finds all 56 SF reports (20 an answer)."""
    from datetime import timedelta

    from openmisto_plugin.core.open311.client import Open311Client

    server = replay.spec_only_xml(cap=20)
    server.behaviour.max_span = timedelta(days=365)
    try:
        client = Open311Client(server.base_url, fmt="xml", retries=0)
        client.paging = PAGING_NONE
        pages = list(client.iter_request_pages(start_date="2000-01-01T00:00:00+00:00"))
        found = {r.service_request_id for p in pages for r in p.requests}
        assert found == set(ids_in(DATA / "realworld" / "open311status" / "san_francisco_requests.xml"))
        assert client.result_cap == 20
    finally:
        server.stop()


def test_a_capped_server_ignoring_dates_is_said(openmisto_provider, tmp_path: Path) -> None:
    """It gives its newest 20 whatever is asked: the 20 are stored, and the summary says reports may be missing."""
    server = replay.spec_only_xml(cap=20)
    server.behaviour.ignores_dates = True
    try:
        outputs, feedback = sync(server, tmp_path / "w.gpkg", True)
        assert outputs["NEW"] == 20
        assert any("start_date" in line and "end_date" in line for line in feedback.info)
    finally:
        server.stop()
