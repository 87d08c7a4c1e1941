"""The workspace survives other programs while QGIS holds it open (issue 11, item 1).

The plugin's store and its layers keep the GeoPackage open, as in QGIS; ``ogrinfo`` and ``sqlite3`` read it,
a second program writes it, and the ``-wal``/``-shm`` files are removed (a backup tool, a user cleaning up):
no I/O error, no change lost, and the file is left in a journal mode another program cannot break.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from qgis.core import QgsProject

from openmisto_plugin.core import project_layers
from openmisto_plugin.core import workflow as wf
from openmisto_plugin.core.settings import PluginSettings
from openmisto_plugin.core.store.gpkg import GeoPackageStore
from tests.test_plugin import clean_settings, iface, plugin  # noqa: F401 - fixtures
from tests.test_workflow import store as _store_fixture  # noqa: F401 - the small workspace of the workflow tests

MODERATOR = wf.Actor("moderator")
SQLITE3 = shutil.which("sqlite3")
OGRINFO = shutil.which("ogrinfo")
pytestmark = pytest.mark.skipif(not (SQLITE3 and OGRINFO), reason="sqlite3 and ogrinfo (gdal-bin) are needed")


@pytest.fixture()
def held(_store_fixture, plugin):  # noqa: F811
    """The workspace open as in QGIS with the plugin loaded: a store and its layers, one of them filtered."""
    store = _store_fixture
    layers = project_layers.add_layers(store.path, QgsProject.instance())
    reports = layers[project_layers.REPORTS]
    assert reports.featureCount() > 0
    # a filter: QGIS opens the file for writing to apply it, which used to switch it to WAL
    assert reports.setSubsetString("\"status\" = 'open'") and reports.featureCount() > 0
    assert reports.setSubsetString("")
    yield store, layers
    QgsProject.instance().clear()


def _cli(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "error" not in done.stderr.lower(), (args, done.stdout, done.stderr)
    return done.stdout


def _fresh_read(path: str, sql: str) -> list[tuple]:
    """What another program sees now (its own connection, opened and closed)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute(sql).fetchall()


def test_removing_the_wal_files_loses_nothing_and_breaks_nothing(held):
    store, layers = held
    wf.accept(store, MODERATOR, "1")
    for suffix in ("-wal", "-shm"):
        Path(store.path + suffix).unlink(missing_ok=True)  # what happened in the walkthrough
    # the accepted report is in the file itself, for any program, and the store goes on working
    assert _fresh_read(store.path, "SELECT external_status_code FROM reports WHERE service_request_id = '1'") == [
        ("investigating",)
    ]
    wf.assign(store, MODERATOR, ["1"], "roads")
    store.close()
    reopened = GeoPackageStore.open(store.path)
    try:
        assert reopened.report("1")["agency_responsible"] == "roads"
        assert len(reopened.outbox_entries(("pending",))) == 2
    finally:
        reopened.close()
    layer = layers[project_layers.REPORTS]
    project_layers.reload_layers()
    assert layer.isValid() and layer.featureCount() == len(_fresh_read(store.path, "SELECT 1 FROM reports"))


def test_other_programs_read_and_write_while_qgis_holds_it(held):
    store, layers = held
    wf.accept(store, MODERATOR, "1")
    count = _cli(OGRINFO, "-ro", "-q", "-sql", "SELECT count(*) AS n FROM reports", store.path)
    assert f"n (Integer) = {len(_fresh_read(store.path, 'SELECT 1 FROM reports'))}" in count.replace(
        "Integer64", "Integer"
    )
    assert _cli(
        SQLITE3, store.path, "SELECT external_status_code FROM reports WHERE service_request_id = '1'"
    ).strip() == ("investigating")
    # a second writer (another program) changes a report while the plugin holds the file
    _cli(
        SQLITE3,
        "-cmd",
        ".timeout 15000",
        store.path,
        "UPDATE sync_state SET value = value WHERE 0; "
        "INSERT OR REPLACE INTO sync_state (key, value) VALUES ('note_from_elsewhere', 'kept')",
    )
    wf.assign(store, MODERATOR, ["2"], "ujkg")  # the plugin writes after it: no I/O error, nothing lost
    assert store.get_state("note_from_elsewhere") == "kept"
    assert _fresh_read(store.path, "SELECT agency_responsible FROM reports WHERE service_request_id = '2'") == [
        ("ujkg",)
    ]
    project_layers.reload_layers()
    assert layers[project_layers.REPORTS].featureCount() == len(_fresh_read(store.path, "SELECT 1 FROM reports"))
    # idle, the file is in a journal mode that needs no side files: nothing another program can break
    assert _cli(SQLITE3, store.path, "PRAGMA journal_mode").strip() == "delete"
    assert not Path(store.path + "-wal").exists()


def test_a_workspace_left_in_wal_mode_is_taken_back_to_the_rollback_journal(tmp_path):
    path = str(tmp_path / "old.gpkg")
    GeoPackageStore.create(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"  # as earlier versions left it
    store = GeoPackageStore.open(path)
    try:
        assert _cli(SQLITE3, path, "PRAGMA journal_mode").strip() == "delete"
    finally:
        store.close()


def _real_io_error(tmp_path: Path) -> sqlite3.DatabaseError:
    """The walkthrough's error, made for real: a WAL file removed under an open connection."""
    path = str(tmp_path / "broken.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x)")
    db.execute("INSERT INTO t VALUES (1)")
    Path(path + "-wal").unlink()
    Path(path + "-shm").unlink()
    try:
        sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("SELECT * FROM t").fetchall()
        db.execute("INSERT INTO t VALUES (2)")
    except sqlite3.DatabaseError as exc:
        return exc
    finally:
        db.close()
    pytest.skip("this SQLite did not fail on a removed WAL file")


def test_a_failed_workspace_is_said_in_ukrainian_and_opened_again_without_a_restart(
    tmp_path,
    iface,  # noqa: F811
    plugin,  # noqa: F811
):
    from qgis.core import Qgis

    from openmisto_plugin.core.tasks import TaskOutcome
    from tests.test_plugin import make_workspace

    path = make_workspace(tmp_path / "workspace.gpkg")
    settings = PluginSettings.load()
    settings.workspace_path, settings.base_url, settings.role = str(path), "", "moderator"
    settings.save()
    plugin.apply_settings(PluginSettings.load())
    plugin.map.add_layers(quiet=True)
    before = plugin.session.open_store()
    layer = project_layers.find_layer(project_layers.REPORTS)
    count = layer.featureCount()
    assert before is not None and count > 0

    plugin.sync._done(TaskOutcome(False, error=_real_io_error(tmp_path)))  # the sync task ended with it
    shown = iface.messageBar().get_messages(Qgis.Critical)
    assert any("Робочий простір" in m and "ще раз" in m for m in shown), shown
    after = plugin.session.open_store()
    assert after is not None and after is not before and after.query("SELECT count(*) AS n FROM reports")
    layer = project_layers.find_layer(project_layers.REPORTS)
    assert layer.isValid() and layer.featureCount() == count
