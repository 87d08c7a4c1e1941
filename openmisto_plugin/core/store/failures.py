"""Which errors mean the workspace itself failed, in the store's words (no one outside ``core/store/`` knows SQLite)."""

from __future__ import annotations

import sqlite3

from .base import StoreError
from .pg_connection import PgConnectionError
from .schema import SchemaError

# SQLite's words for a workspace file that another program changed, moved or damaged under an open connection
WORKSPACE_FAILURES = ("disk i/o error", "malformed", "unable to open database", "not a database", "no such table")

#: Errors of opening or using a workspace (its store, its schema, its database connection, its file).
WORKSPACE_ERRORS: tuple[type[BaseException], ...] = (StoreError, SchemaError, PgConnectionError, sqlite3.DatabaseError)
try:  # a shared workspace's connection dropping mid-query (server restart, network) raises psycopg2's errors
    import psycopg2

    WORKSPACE_ERRORS += (psycopg2.Error,)
except ImportError:  # pragma: no cover - python3-psycopg2 is a dependency; without it no PostGIS store opens
    pass


def is_workspace_failure(error: BaseException | None) -> bool:
    """The workspace file itself failed (not the network, not the platform): it must be opened again."""
    return isinstance(error, sqlite3.DatabaseError) and any(w in str(error).lower() for w in WORKSPACE_FAILURES)
