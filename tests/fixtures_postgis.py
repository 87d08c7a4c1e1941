"""Pytest fixtures for a real PostgreSQL + PostGIS (plugin module listed in tests/conftest.py).

- ``pg_cluster`` (session): ``tools/pg-start.sh --fast`` in a temporary directory, stopped at the end of
  the session; or, when ``OPENMISTO_PG_SERVICE`` or ``PGHOST`` is set, that server is used as it is (and
  left running). When PostgreSQL cannot start, every test that needs it fails with the script's message:
  no skipping.
- ``pg_info`` (function): a :class:`PgConnectionInfo` with a schema name of its own (``t_<hex>``),
  dropped after the test, so tests never see each other's tables.
- ``pg_store`` (function): a new :class:`PostGisStore` in that schema.
- ``pg_admin(info)``: a plain autocommit psycopg2 connection for checks made independently of the store.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from openmisto_plugin.core.store.pg_connection import PgConnectionInfo, from_environment

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 120


@dataclass
class PgCluster:
    """A running PostgreSQL with PostGIS."""

    info: PgConnectionInfo  # host/port/dbname/user, schema "openmisto"
    env: dict[str, str] = field(default_factory=dict)  # what pg-start.sh exported
    started: bool = False  # started by this session (and so stopped at its end)

    @property
    def service(self) -> str | None:
        return self.env.get("OPENMISTO_PG_SERVICE")


def start_cluster(fast: bool = True) -> PgCluster:
    """Run tools/pg-start.sh and read its exports; raise RuntimeError with its output when it fails."""
    command = ["bash", str(ROOT / "tools" / "pg-start.sh")] + (["--fast"] if fast else [])
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"tools/pg-start.sh did not finish in {START_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise RuntimeError(f"tools/pg-start.sh failed (exit {done.returncode}):\n{done.stderr}{done.stdout}")
    env: dict[str, str] = {}
    for line in done.stdout.splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export ") :].partition("=")
            env[key] = shlex.split(value)[0] if value else ""
    info = PgConnectionInfo(host=env["PGHOST"], port=int(env["PGPORT"]), dbname=env["PGDATABASE"], user=env["PGUSER"])
    return PgCluster(info, env, started=True)


def stop_cluster(cluster: PgCluster) -> None:
    if cluster.started and cluster.env.get("OPENMISTO_PG_DIR"):
        subprocess.run(
            ["bash", str(ROOT / "tools" / "pg-stop.sh"), cluster.env["OPENMISTO_PG_DIR"]],
            capture_output=True,
            timeout=60,
            check=False,
        )


def pg_admin(info: PgConnectionInfo) -> Any:
    """An autocommit psycopg2 connection to the cluster (not through the store)."""
    import psycopg2

    conn = psycopg2.connect(**info.connect_kwargs("openmisto-tests"))
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """The session's PostgreSQL (started here unless OPENMISTO_PG_SERVICE / PGHOST name one)."""
    if os.environ.get("OPENMISTO_PG_SERVICE") or os.environ.get("PGHOST"):
        yield PgCluster(from_environment("openmisto"), dict(os.environ), started=False)
        return
    try:
        cluster = start_cluster(fast=True)
    except RuntimeError as exc:
        pytest.fail(f"PostgreSQL with PostGIS is required for these tests and did not start: {exc}", pytrace=False)
    # libpq (psycopg2 and QGIS's postgres provider) finds the test service through this file
    previous = os.environ.get("PGSERVICEFILE")
    os.environ["PGSERVICEFILE"] = cluster.env["PGSERVICEFILE"]
    try:
        yield cluster
    finally:
        if previous is None:
            os.environ.pop("PGSERVICEFILE", None)
        else:
            os.environ["PGSERVICEFILE"] = previous
        stop_cluster(cluster)


@pytest.fixture
def pg_info(pg_cluster: PgCluster) -> Iterator[PgConnectionInfo]:
    """Connection info with a fresh schema name; the schema is dropped after the test."""
    info = pg_cluster.info.with_schema(f"t_{uuid.uuid4().hex[:12]}")
    yield info
    conn = pg_admin(info)
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {info.schema} CASCADE")
    finally:
        conn.close()


@pytest.fixture
def pg_store(pg_info: PgConnectionInfo) -> Iterator[Any]:
    """A new PostGIS workspace in the test's own schema."""
    from openmisto_plugin.core.store.postgis import PostGisStore

    store = PostGisStore.create(pg_info)
    yield store
    store.close()
