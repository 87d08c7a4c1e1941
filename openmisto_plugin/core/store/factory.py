"""Open the right store from one workspace address, and run a sync that holds the workspace's sync lock.

Every part of the plugin opens a workspace through :func:`open_store` (the sync task, the GUI's store,
the Processing algorithms, the workflow helpers) and builds its layers with :func:`layer_source`.

Workspace addresses (plugin settings, ``openmisto:sync``'s WORKSPACE parameter):

- a GeoPackage path: ``/home/officer/pokrov.gpkg`` → :class:`GeoPackageStore`;
- ``postgres:service=pokrov schema=openmisto``, ``postgres:connection=<QGIS saved connection> schema=…`` or
  ``postgres:host=db.city port=5432 dbname=gis authcfg=ab12cd3 schema=openmisto`` → :class:`PostGisStore`.
  Never a password: an authcfg, a ``pg_service.conf`` service or ``~/.pgpass`` holds it.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import tr
from .base import ReportStore, SyncBusyError
from .failures import WORKSPACE_ERRORS
from .pg_connection import URI_PREFIX

log = logging.getLogger(__name__)


def is_postgres(uri: str) -> bool:
    """Whether ``uri`` names a PostGIS workspace."""
    return str(uri).startswith(URI_PREFIX)


def open_store(uri: str, create: bool = False) -> ReportStore:
    """The store at ``uri``; ``create=True`` creates it when missing (GeoPackage file or PostGIS schema)."""
    uri = str(uri)
    if is_postgres(uri):
        from .postgis import PostGisStore

        return PostGisStore.open_or_create(uri) if create else PostGisStore.open(uri)
    from .gpkg import GeoPackageStore

    if create:
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
        return GeoPackageStore.open_or_create(uri)
    return GeoPackageStore.open(uri)


def workspace_exists(uri: str) -> bool:
    """Whether there may be a workspace at ``uri`` without connecting: the file exists, or an address is set.

    A PostGIS address is taken as existing (it is checked when opened: the schema may be missing
    until the first sync creates it).
    """
    uri = str(uri or "")
    if not uri:
        return False
    return True if is_postgres(uri) else Path(uri).is_file()


def layer_source(uri: str, table: str, subset: str = "") -> tuple[str, str]:
    """``(data source, provider key)`` of a QGIS layer on ``table`` of the workspace ``uri``.

    GeoPackage: ``<path>|layername=<table>`` (``ogr``); PostGIS: a ``postgres`` URI with the service or
    authcfg and never a password. ``subset`` is an optional SQL filter built with ``core/escaping.py``
    (its literals never hold ``|``); it is encoded by QGIS (``encodeUri`` / ``QgsDataSourceUri.setSql``),
    and one holding ``|`` is refused, as is a path holding ``|`` (OGR reads it as the start of an option).
    """
    uri = str(uri)
    if is_postgres(uri):
        from .pg_connection import parse_uri
        from .postgis import layer_uri

        return layer_uri(parse_uri(uri), table, subset), "postgres"
    if "|" in uri or "|" in table:
        raise ValueError(tr("A workspace path cannot contain the character |: {path}").format(path=uri))
    if "|" in subset:
        raise ValueError(f"a filter for an OGR layer cannot hold '|': {subset[:200]!r}")
    from qgis.core import QgsProviderRegistry

    parts: dict[str, Any] = {"path": uri, "layerName": table}
    if subset:
        parts["subset"] = subset
    return QgsProviderRegistry.instance().encodeUri("ogr", parts), "ogr"


def describe(uri: str) -> str:
    """The workspace in words for messages and tooltips (secret-free)."""
    uri = str(uri or "")
    if is_postgres(uri):
        from .pg_connection import PgConnectionError, parse_uri

        try:
            return tr("PostgreSQL: {where}").format(where=parse_uri(uri).describe())
        except PgConnectionError as exc:
            return str(exc)
    return uri


def sync_lock(store: ReportStore, wait_s: float = 0.0) -> AbstractContextManager[Any]:
    """The store's sync lock (PostGIS: an advisory lock per workspace; GeoPackage: a lock file)."""
    return store.sync_lock(wait_s)


@dataclass
class ExclusiveRun:
    """What :func:`run_sync_exclusive` did: the engine's result, or why it did not run."""

    result: Any = None
    busy: str | None = None  # translated "another sync is running…" when skipped

    @property
    def skipped(self) -> bool:
        return self.busy is not None


def run_sync_exclusive(engine: Any, full: bool = False, wait_s: float = 0.0, push: bool = True) -> ExclusiveRun:
    """``engine.run(full)`` (or ``engine.pull(full)`` with ``push=False``) under the workspace's sync lock.

    A second sync on the same workspace waits up to ``wait_s`` seconds, then is skipped with a logged
    "another sync is running" (the result's ``busy``). Other errors propagate.
    """
    try:
        with sync_lock(engine.store, wait_s):
            result = engine.run(full=full) if push else engine.pull(full=full)
    except SyncBusyError as exc:
        return ExclusiveRun(None, str(exc))
    finally:
        try:
            engine.store.release_claims()
        except WORKSPACE_ERRORS as exc:  # closed or broken: the lease runs out by itself
            log.warning("The outbox entries this sync claimed were not given back (their lease runs out): %s", exc)
    return ExclusiveRun(result, None)


def busy_message() -> str:
    """The short text shown when a sync was skipped because another one runs."""
    return tr("Another sync is running on this workspace; this one was skipped.")


__all__ = [
    "ExclusiveRun",
    "busy_message",
    "describe",
    "is_postgres",
    "layer_source",
    "open_store",
    "run_sync_exclusive",
    "sync_lock",
    "workspace_exists",
]
