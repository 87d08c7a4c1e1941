"""The Processing provider and ``openmisto:sync``: in-process and headless through ``qgis_process``."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProcessingException, QgsProcessingFeedback, QgsVectorLayer

from openmisto_plugin.processing.provider import OpenMistoProvider
from tests.helpers_qgis_process import isolated_profile_env

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = "openmisto_plugin"
QGIS_PROCESS = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
OUTPUT_KEYS = ("NEW", "UPDATED", "UNCHANGED", "SKIPPED", "PAGES")


@pytest.fixture(scope="module")
def provider(qgis_processing: None) -> Iterator[OpenMistoProvider]:
    """Our provider in the registry (reusing one the plugin may have registered already)."""
    registry = QgsApplication.processingRegistry()
    existing = registry.providerById("openmisto")
    if existing is not None:
        yield existing
        return
    prov = OpenMistoProvider()
    assert registry.addProvider(prov)
    yield registry.providerById("openmisto")
    registry.removeProvider("openmisto")


def store_report_count(path: Path) -> int:
    """Rows of the workspace's reports table, counted with sqlite3 (not through our store)."""
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM reports").fetchone()[0]


def ogr_report_count(path: Path) -> int:
    """Rows of the reports layer as QGIS's ogr provider sees them."""
    layer = QgsVectorLayer(f"{path}|layername=reports", "reports", "ogr")
    assert layer.isValid()
    return layer.featureCount()


def server_report_count(db_path: Path) -> int:
    """Reports in the reference server's own database."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in ("requests", "service_requests", "reports"):
            if table in tables:
                return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    raise AssertionError(f"no reports table in the server database: {sorted(tables)}")


def api_url(server) -> str:
    """The Open311 endpoint of a reference server fixture."""
    url = server.base_url
    return url if url.endswith("/") else url + "/"


# --- the provider ---------------------------------------------------------------------------------


def test_provider_registers_sync(provider: OpenMistoProvider) -> None:
    assert provider.id() == "openmisto"
    assert provider.name()
    assert not provider.icon().isNull()
    alg = QgsApplication.processingRegistry().algorithmById("openmisto:sync")
    assert alg is not None
    params = {p.name() for p in alg.parameterDefinitions()}
    assert {"PLATFORM_URL", "AUTHCFG", "WORKSPACE", "FULL", "PAGE_SIZE"} <= params
    assert "API_KEY" not in params  # a key parameter lands in Processing history and qgis_process output
    outputs = {o.name() for o in alg.outputDefinitions()}
    assert {*OUTPUT_KEYS, "WORKSPACE"} <= outputs


# --- in process -----------------------------------------------------------------------------------


def test_sync_outputs_match_store_and_server(provider, fresh_refserver, tmp_path: Path, monkeypatch) -> None:
    import processing

    monkeypatch.setenv("OPENMISTO_API_KEY", fresh_refserver.keys["moderator"])

    workspace = tmp_path / "ws" / "workspace.gpkg"
    params = {
        "PLATFORM_URL": api_url(fresh_refserver),
        "WORKSPACE": str(workspace),
        "FULL": True,
        "PAGE_SIZE": 250,
    }
    first = processing.run("openmisto:sync", params)
    in_store = store_report_count(workspace)
    assert first["WORKSPACE"] == str(workspace)
    assert first["NEW"] == in_store == ogr_report_count(workspace)
    assert in_store == server_report_count(fresh_refserver.db_path) > 0
    assert first["UPDATED"] == 0
    assert first["PAGES"] >= in_store // 250

    second = processing.run("openmisto:sync", {**params, "FULL": False})
    assert second["NEW"] == 0
    assert second["UPDATED"] == 0
    assert store_report_count(workspace) == in_store


def test_unreachable_platform_is_a_processing_error(provider, tmp_path: Path, monkeypatch) -> None:
    import processing

    monkeypatch.setenv("OPENMISTO_API_KEY", "secret-key-123")

    with pytest.raises(QgsProcessingException) as err:
        processing.run(
            "openmisto:sync",
            {
                "PLATFORM_URL": "http://127.0.0.1:9/open311/v2/",
                "WORKSPACE": str(tmp_path / "w.gpkg"),
            },
        )
    assert "secret-key-123" not in str(err.value)
    assert "Traceback" not in str(err.value)


def test_unknown_key_is_refused_in_words(provider, refserver, tmp_path: Path, monkeypatch) -> None:
    import processing

    monkeypatch.setenv("OPENMISTO_API_KEY", "no-such-key")

    with pytest.raises(QgsProcessingException) as err:
        processing.run(
            "openmisto:sync",
            {
                "PLATFORM_URL": api_url(refserver),
                "WORKSPACE": str(tmp_path / "w.gpkg"),
            },
        )
    message = str(err.value)
    assert "Unknown API key" in message  # the platform's reason
    assert "no-such-key" not in message


class CancelAfter(QgsProcessingFeedback):
    """Cancels once the progress passed ``threshold`` percent; records every progress value."""

    def __init__(self, threshold: float) -> None:
        super().__init__()
        self.threshold = threshold
        self.values: list[float] = []
        self.progressChanged.connect(self._on_progress)

    def _on_progress(self, value: float) -> None:
        self.values.append(value)
        if value > self.threshold:
            self.cancel()


def test_progress_cancel_and_resume(provider, fresh_refserver, tmp_path: Path, monkeypatch) -> None:
    import processing

    monkeypatch.setenv("OPENMISTO_API_KEY", fresh_refserver.keys["moderator"])

    workspace = tmp_path / "workspace.gpkg"
    params = {
        "PLATFORM_URL": api_url(fresh_refserver),
        "WORKSPACE": str(workspace),
        "PAGE_SIZE": 50,
    }
    canceled = CancelAfter(threshold=10)
    first = processing.run("openmisto:sync", params, feedback=canceled)
    assert canceled.isCanceled()
    held = store_report_count(workspace)
    assert first["NEW"] == held < server_report_count(fresh_refserver.db_path)

    watched = CancelAfter(threshold=101)
    second = processing.run("openmisto:sync", params, feedback=watched)
    assert max(watched.values) == 100
    assert store_report_count(workspace) == server_report_count(fresh_refserver.db_path)
    assert second["NEW"] == store_report_count(workspace) - held


# --- headless: qgis_process -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def qgis_process_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A throw-away QGIS profile that sees a staged copy of the plugin (QGIS_PLUGINPATH), with it enabled."""
    env = isolated_profile_env(tmp_path_factory.mktemp("qgis_process"))
    enabled = run_qgis_process(["plugins", "enable", PLUGIN], env)
    assert enabled.returncode == 0, enabled.stdout + enabled.stderr
    listed = run_qgis_process(["plugins"], env)
    assert f"* {PLUGIN}" in listed.stdout, listed.stdout + listed.stderr
    return env


def run_qgis_process(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([QGIS_PROCESS, *args], env=env, capture_output=True, text=True, timeout=240, check=False)


def parse_json_output(stdout: str) -> dict:
    """qgis_process --json prints one JSON object (QGIS may print warnings before it)."""
    return json.loads(stdout[stdout.index("{") :])


def sync_args(server, workspace: Path, *extra: str) -> list[str]:
    return [
        "--json",
        "run",
        "openmisto:sync",
        "--",
        f"PLATFORM_URL={api_url(server)}",
        f"WORKSPACE={workspace}",
        *extra,
    ]


needs_qgis_process = pytest.mark.skipif(not Path(QGIS_PROCESS).exists(), reason="qgis_process.bin is not installed")


@needs_qgis_process
def test_qgis_process_sync_matches_store(qgis_process_env, fresh_refserver, tmp_path: Path) -> None:
    """The key from the environment (never on the command line: --json echoes the inputs)."""
    workspace = tmp_path / "workspace.gpkg"
    env = {**qgis_process_env, "OPENMISTO_API_KEY": fresh_refserver.keys["moderator"]}
    ran = run_qgis_process(sync_args(fresh_refserver, workspace, "FULL=true", "PAGE_SIZE=500"), env)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    results = parse_json_output(ran.stdout)["results"]
    in_store = store_report_count(workspace)
    assert int(results["NEW"]) == in_store == server_report_count(fresh_refserver.db_path)
    assert int(results["UPDATED"]) == int(results["SKIPPED"]) == 0
    assert int(results["PAGES"]) >= in_store // 500
    assert Path(results["WORKSPACE"]) == workspace
    key = fresh_refserver.keys["moderator"]
    assert key not in ran.stdout + ran.stderr
    # nor in anything QGIS keeps in its profile: Processing history and logs, settings, caches
    profile_files = [p for p in Path(qgis_process_env["QGIS_CUSTOM_CONFIG_PATH"]).rglob("*") if p.is_file()]
    assert profile_files
    assert not [p for p in profile_files if key.encode() in p.read_bytes()]
    assert key.encode() not in fresh_refserver.log_path.read_bytes()  # the server's log


@needs_qgis_process
def test_qgis_process_sync_with_authcfg(qgis_process_env, refserver, tmp_path: Path) -> None:
    """The recommended headless set-up: the key in the auth DB, unlocked by QGIS_AUTH_PASSWORD_FILE."""
    key = refserver.keys["viewer"]
    password_file = tmp_path / "master-password.txt"
    made = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "demo_sync.py"), "profile", "--url", api_url(refserver),
         "--workspace", str(tmp_path / "settings.gpkg"), "--key", key, "--password-file", str(password_file)],
        env=qgis_process_env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    authcfg = json.loads(made.stdout.strip().splitlines()[-1])["authcfg"]
    assert authcfg

    workspace = tmp_path / "workspace.gpkg"
    locked = run_qgis_process(sync_args(refserver, workspace, f"AUTHCFG={authcfg}"), qgis_process_env)
    assert locked.returncode != 0
    assert "QGIS_AUTH_PASSWORD_FILE" in locked.stdout + locked.stderr  # says how to unlock it headless
    assert "Traceback" not in locked.stdout + locked.stderr

    env = {**qgis_process_env, "QGIS_AUTH_PASSWORD_FILE": str(password_file)}
    ran = run_qgis_process(sync_args(refserver, workspace, f"AUTHCFG={authcfg}"), env)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    results = parse_json_output(ran.stdout)["results"]
    assert int(results["NEW"]) == store_report_count(workspace) > 0
    assert key not in ran.stdout + ran.stderr

    again = run_qgis_process(sync_args(refserver, workspace, f"AUTHCFG={authcfg}"), env)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert int(parse_json_output(again.stdout)["results"]["NEW"]) == 0
