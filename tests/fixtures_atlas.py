"""A workspace for the atlas tests (plugin module listed in tests/conftest.py).

``atlas_workspace`` (session): the reference server with generated Pokrov data (1500 reports, fixed seed),
synced once into a GeoPackage with the plugin's own client and sync engine, then the server is stopped.
The object has ``path`` (the workspace), ``server_db`` (the server's database, for independent checks)
and ``departments`` (dicts with the officers' personal data, read from the server).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ATLAS_REPORTS = 1500
ATLAS_SEED = 20231


@dataclass
class AtlasWorkspace:
    path: Path
    server_db: Path
    departments: list[dict[str, Any]] = field(default_factory=list)


def build_workspace(directory: Path, reports: int = ATLAS_REPORTS, seed: int = ATLAS_SEED) -> AtlasWorkspace:
    """Generate a server database, serve it, sync it into ``directory/workspace.gpkg``, stop the server."""
    from openmisto_plugin.core.open311.client import Open311Client
    from openmisto_plugin.core.store.gpkg import GeoPackageStore
    from openmisto_plugin.core.sync import SyncEngine
    from server.generate import default_now, generate
    from tests.fixtures_server import start_refserver

    directory.mkdir(parents=True, exist_ok=True)
    server_db = directory / "server.sqlite"
    generate(server_db, reports=reports, seed=seed, now=default_now())
    server = start_refserver(server_db, directory / "server.log", test_hooks=False)
    workspace = directory / "workspace.gpkg"
    try:
        store = GeoPackageStore.create(str(workspace))
        try:
            client = Open311Client(server.base_url, api_key=server.keys["moderator"], page_size=1000)
            SyncEngine(store, client).pull(full=True)
        finally:
            store.close()
    finally:
        server.stop()
    return AtlasWorkspace(workspace, server_db, server.departments)


@pytest.fixture(scope="session")
def atlas_workspace(qgis_app: Any, tmp_path_factory: pytest.TempPathFactory) -> AtlasWorkspace:
    """One synced workspace of generated Pokrov data for the whole session (read it, never change it)."""
    return build_workspace(tmp_path_factory.mktemp("atlas"))
