"""PostGIS store: the shared workspace when several departments work at once (issue 5).

The same tables as the GeoPackage (:data:`schema.TABLES`) in a schema of their own (default
``openmisto``), generated from the same description: TEXT → ``text``, INTEGER → ``bigint``,
REAL → ``double precision``, DATETIME → ``timestamptz`` (QGIS shows datetimes, as for the
GeoPackage's DATETIME), geometries ``geometry(Point,4326)`` / ``geometry(MultiPolygon,4326)`` with
GiST indexes. The Python API speaks the store's text datetimes (``YYYY-MM-DDTHH:MM:SS.sssZ``) in
both directions, so callers see no difference from :class:`GeoPackageStore`.

What several clients at once add (docs/postgis.md):

- **sync lock**: :meth:`PostGisStore.sync_lock` takes ``pg_try_advisory_lock`` per workspace; a
  second sync waits up to N s, then gets :class:`SyncBusyError` ("another sync is running");
- **optimistic locking**: ``record_local_update(..., base_version=v)`` raises
  :class:`VersionConflictError` when the report's ``version`` moved on since the user read it (rows
  are locked ``FOR UPDATE`` while changing, so two writers never silently overwrite each other);
- **shared outbox**: :meth:`PostGisStore.pending_outbox` *claims* what it returns for this client
  (``claimed_by``/``claimed_until`` lease, taken under a transaction advisory lock with
  ``FOR UPDATE SKIP LOCKED``), whole reports at a time and in order, so each entry is pushed by
  exactly one client; a crashed client's lease runs out after :attr:`PostGisStore.claim_lease`.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Callable

from ..deadlines import Procedure, cached_procedure
from ..i18n import tr
from ..model import RequestUpdate, ServiceRequest
from ..timeutil import now_utc, to_store
from .base import (
    ACTIVE_STATES,
    CONFLICT,
    DERIVED_COLUMNS,
    HISTORY_COLUMNS,
    HISTORY_SETS,
    PLATFORM_COLUMNS,
    SENT,
    DeadlineColumns,
    OutboxEntry,
    ReportStore,
    StoreError,
    SyncBusyError,
    UpsertCounts,
    VersionConflictError,
    assigned_value,
    assignment_candidates,
    backoff,
    district_rows,
    history_params,
    local_columns,
    local_update_params,
    outbox_entry,
    placement,
    plan_rows,
    platform_copy,
    request_row,
    store_time,
    undo_values,
    valid_requests,
    version_conflict,
    wire_payload,
)
from .pg_connection import PgConnectionError, PgConnectionInfo, parse_uri
from .schema import (
    DATETIME,
    INTEGER,
    POSITION_SOURCE_BACKFILL,
    REAL,
    SCHEMA_VERSION,
    SRID,
    TABLES,
    TEXT,
    SchemaError,
    SchemaTooNewError,
    Table,
    too_new_message,
)

log = logging.getLogger(__name__)

# Advisory lock keys: (class, hashtext(schema)); the class spells the purpose.
SYNC_LOCK = 0x4F4D5359  # 'OMSY': one sync per workspace (session lock)
CLAIM_LOCK = 0x4F4D434C  # 'OMCL': outbox claims, one client at a time (transaction lock)
DDL_LOCK = 0x4F4D4444  # 'OMDD': create / migrate (transaction lock)

PG_TYPES = {TEXT: "text", INTEGER: "bigint", REAL: "double precision", DATETIME: "timestamptz"}
PG_GEOMETRY = {"POINT": "Point", "MULTIPOLYGON": "MultiPolygon"}
# PostGIS-only columns: the outbox lease of the client that pushes an entry.
EXTRA_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "outbox": (("claimed_by", "text"), ("claimed_until", "timestamptz")),
}
_TS_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'
_WRITTEN_COLUMNS = (*PLATFORM_COLUMNS, *DERIVED_COLUMNS)
CLAIM_LEASE = timedelta(minutes=5)

# PG_MIGRATIONS[n] turns a version-n workspace into n+1: called with a cursor (search_path set to the
# workspace schema) after the tables were completed from schema.TABLES (new tables, columns and
# indexes are added generically), inside the migration transaction. Only data changes go here.
PG_MIGRATIONS: dict[int, Callable[[Any], None]] = {
    1: lambda cur: cur.execute(POSITION_SOURCE_BACKFILL),  # the position columns came with TABLES (no params: no %)
}


def _psycopg2():
    try:
        import psycopg2
        import psycopg2.extras
    except ImportError as exc:  # pragma: no cover - Debian's python3-psycopg2 is a dependency
        raise StoreError(tr("PostgreSQL support needs the psycopg2 module (Debian: python3-psycopg2).")) from exc
    return psycopg2


def _column_type(table: Table, name: str) -> str:
    for column in table.columns:
        if column.name == name:
            return column.type
    return TEXT


def _select_list(table: Table, names: Sequence[str] | None = None, prefix: str = "") -> str:
    """Columns of ``table`` for a SELECT, datetimes as store text (``…Z``)."""
    names = names if names is not None else (table.fid, *table.column_names)
    out = []
    for name in names:
        if name != table.fid and _column_type(table, name) == DATETIME:
            out.append(f"to_char({prefix}{name} AT TIME ZONE 'UTC', '{_TS_FORMAT}') AS {name}")
        else:
            out.append(f"{prefix}{name}")
    return ", ".join(out)


def _cast(table: Table, name: str) -> str:
    return "%s::" + PG_TYPES[_column_type(table, name)]


def _pg_sql(sql: str) -> str:
    """SQLite-style ``?`` placeholders (outside quotes) to psycopg2's ``%s``; a literal ``%`` doubled."""
    out = []
    quote: str | None = None
    for ch in sql:
        if quote:
            out.append("%%" if ch == "%" else ch)
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


def _store_values(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (to_store(v) if isinstance(v, datetime) else v) for k, v in row.items()}


def table_ddl(schema: str, table: Table) -> list[str]:
    """``CREATE TABLE IF NOT EXISTS`` and its indexes for one table of :data:`schema.TABLES`."""
    # integer, not bigint: QGIS's postgres provider uses an int4 key as the feature id itself (an int8 key
    # gets feature ids of its own), so the map's selection, filters and the store speak of the same fids
    cols = [f"{table.fid} integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"]
    for column in table.columns:
        text = f"{column.name} {PG_TYPES[column.type]}"
        if not column.nullable:
            text += " NOT NULL"
        if column.default is not None:
            text += f" DEFAULT {column.default}"
        if column.unique:
            text += " UNIQUE"
        cols.append(text)
    for name, type_ in EXTRA_COLUMNS.get(table.name, ()):
        cols.append(f"{name} {type_}")
    if table.geometry:
        cols.append(f"{table.geometry_column} geometry({PG_GEOMETRY[table.geometry]},{SRID})")
    statements = [f"CREATE TABLE IF NOT EXISTS {schema}.{table.name} ({', '.join(cols)})"]
    if table.geometry:
        statements.append(
            f"CREATE INDEX IF NOT EXISTS {table.name}_{table.geometry_column}_gist"
            f" ON {schema}.{table.name} USING gist ({table.geometry_column})"
        )
    for index in table.indexes:
        statements.append(
            f"CREATE INDEX IF NOT EXISTS idx_{table.name}_{'_'.join(index)}"
            f" ON {schema}.{table.name} ({', '.join(index)})"
        )
    if table.name == "outbox":
        statements.append(
            f"CREATE INDEX IF NOT EXISTS idx_outbox_claim ON {schema}.outbox (claimed_by) WHERE state = 'pending'"
        )
    return statements


def schema_ddl(schema: str) -> list[str]:
    """Every statement that creates a workspace schema (for docs and for a DBA who creates it by hand)."""
    statements = [f"CREATE SCHEMA IF NOT EXISTS {schema}"]
    for table in TABLES.values():
        statements += table_ddl(schema, table)
    statements.append(
        f"INSERT INTO {schema}.meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}'), ('backend', 'postgis')"  # noqa: S608 - a module constant  # nosec B608
        " ON CONFLICT (key) DO NOTHING"
    )
    return statements


def layer_uri(info: PgConnectionInfo, table: str = "reports", subset: str = "") -> str:
    """A ``postgres`` provider URI of a workspace table (no connection needed; never a password)."""
    from ..qgis_compat import WKB_MULTIPOLYGON, WKB_POINT

    spec = TABLES[table]
    uri = info.qgis_uri(table, spec.geometry_column if spec.geometry else None, spec.fid)
    if spec.geometry:
        uri.setSrid(str(SRID))
        uri.setWkbType(WKB_POINT if spec.geometry == "POINT" else WKB_MULTIPOLYGON)
    if subset:
        uri.setSql(subset)
    return uri.uri(False)


ROLE_LEVELS = ("read", "edit", "sync")


def grant_sql(schema: str, role: str, level: str) -> list[str]:
    """GRANTs for a role: ``read`` (working group), ``edit`` (moderator, officers), ``sync`` (the sync account).

    ``edit`` may change reports, add history and outbox entries and push the outbox; ``sync`` also
    writes the reference tables and the sync state. Creating and migrating stays with the owner.
    """
    if level not in ROLE_LEVELS:
        raise StoreError(f"unknown level {level}")
    if not re.match(r"^[a-z_][a-z0-9_]{0,62}$", role):
        raise StoreError(f"invalid role name {role}")
    out = [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}",
    ]
    if level in ("edit", "sync"):
        out += [
            f"GRANT UPDATE ON {schema}.reports, {schema}.outbox TO {role}",
            f"GRANT INSERT, UPDATE, DELETE ON {schema}.request_updates, {schema}.saved_filters TO {role}",
            f"GRANT INSERT, DELETE ON {schema}.outbox TO {role}",
            f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        ]
    if level == "sync":
        writable = ", ".join(
            f"{schema}.{t}"
            for t in (
                "reports",
                "services",
                "departments",
                "districts",
                "sync_state",
                "routing_category_rules",
                "routing_zones",
            )
        )
        out.append(f"GRANT INSERT, UPDATE, DELETE ON {writable} TO {role}")
    return out


class PostGisStore(ReportStore):
    """A workspace in a PostgreSQL/PostGIS schema (see the module docstring)."""

    provider = "postgres"
    claim_lease: timedelta = CLAIM_LEASE

    def __init__(self, info: PgConnectionInfo, conn: Any) -> None:
        self.info = info
        self.schema = info.schema
        self.path = info.to_uri()
        self.client_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pg = conn
        self._lock = threading.RLock()
        self._depth = 0
        self._sync_held = False
        self._deadlines: DeadlineColumns | None = None

    # -- lifecycle -------------------------------------------------------
    @staticmethod
    def _info(target: PgConnectionInfo | str, schema: str | None) -> PgConnectionInfo:
        info = parse_uri(target) if isinstance(target, str) else target
        return info.with_schema(schema) if schema else info

    @classmethod
    def _connect(cls, info: PgConnectionInfo) -> Any:
        psycopg2 = _psycopg2()
        try:
            conn = psycopg2.connect(**info.connect_kwargs(f"openmisto {socket.gethostname()}"))
        except psycopg2.Error as exc:
            raise StoreError(
                tr("Cannot connect to PostgreSQL ({where}): {error}").format(
                    where=info.describe(), error=str(exc).strip()
                )
            ) from exc
        except PgConnectionError as exc:
            raise StoreError(str(exc)) from exc
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
                " WHERE e.extname = 'postgis'"
            )
            row = cur.fetchone()
            if row is None:
                conn.close()
                raise SchemaError(
                    tr("The database {where} has no PostGIS: run CREATE EXTENSION postgis first.").format(
                        where=info.describe()
                    )
                )
            path = [info.schema, "public"] + ([row[0]] if row[0] not in ("public", info.schema) else [])
            cur.execute(f"SET search_path TO {', '.join(path)}")
            cur.execute("SET TIME ZONE 'UTC'")
        return conn

    @classmethod
    def create(cls, target: PgConnectionInfo | str, schema: str | None = None) -> PostGisStore:
        """Create the workspace schema and its tables (fails when a workspace is there already)."""
        info = cls._info(target, schema)
        conn = cls._connect(info)
        store = cls(info, conn)
        try:
            with store.transaction(), store._cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (DDL_LOCK, info.schema))
                if store._has_meta(cur):
                    raise SchemaError(tr("The workspace {where} exists already.").format(where=info.describe()))
                for statement in schema_ddl(info.schema):
                    cur.execute(statement)
        except BaseException:
            store.close()
            raise
        log.info("Created PostGIS workspace %s (schema version %s)", info.describe(), SCHEMA_VERSION)
        return store

    @classmethod
    def open(cls, target: PgConnectionInfo | str, schema: str | None = None) -> PostGisStore:
        """Open an existing workspace; migrates older schemas, refuses newer ones."""
        info = cls._info(target, schema)
        store = cls(info, cls._connect(info))
        try:
            store._check_schema()
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def open_or_create(cls, target: PgConnectionInfo | str, schema: str | None = None) -> PostGisStore:
        info = cls._info(target, schema)
        try:
            return cls.open(info)
        except SchemaTooNewError:
            raise
        except SchemaError as exc:
            if getattr(exc, "missing", False):
                return cls.create(info)
            raise

    def close(self) -> None:
        with self._lock:
            if self._pg is not None:
                try:
                    self._pg.close()
                finally:
                    self._pg = None
                    self._sync_held = False

    @property
    def closed(self) -> bool:
        """Closed here, or the connection broke (server restarted, network gone): open the store again."""
        return self._pg is None or bool(getattr(self._pg, "closed", 0))

    @contextmanager
    def _cursor(self, dict_rows: bool = False) -> Iterator[Any]:
        if self._pg is None:
            raise StoreError(tr("The workspace is closed."))
        factory = _psycopg2().extras.RealDictCursor if dict_rows else None
        cur = self._pg.cursor(cursor_factory=factory)
        try:
            yield cur
        finally:
            cur.close()

    def _has_meta(self, cur: Any) -> bool:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{self.schema}.meta",))
        return bool(cur.fetchone()[0])

    def _check_schema(self) -> None:
        with self._lock, self._cursor() as cur:
            if not self._has_meta(cur):
                error = SchemaError(tr("There is no workspace in {where}.").format(where=self.info.describe()))
                error.missing = True  # type: ignore[attr-defined]
                raise error
            version = self._version(cur)
            if version > SCHEMA_VERSION:
                raise SchemaTooNewError(self._too_new(version))
            missing = self._missing_ddl(cur)
            if version == SCHEMA_VERSION and not missing:
                return
            with self.transaction():
                cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (DDL_LOCK, self.schema))
                version = self._version(cur)  # another client may have migrated meanwhile
                for statement in self._missing_ddl(cur):
                    cur.execute(statement)
                while version < SCHEMA_VERSION:
                    log.info("Migrating %s from schema %s to %s", self.info.describe(), version, version + 1)
                    migration = PG_MIGRATIONS.get(version)
                    if migration is not None:
                        migration(cur)
                    version += 1
                    cur.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(version),))

    def _too_new(self, found: int) -> str:
        return too_new_message(self.info.describe(), found)

    def _version(self, cur: Any) -> int:
        psycopg2 = _psycopg2()
        try:
            with self.transaction():  # a savepoint when called inside a transaction
                cur.execute("SELECT value FROM meta WHERE key = 'schema_version'")
                row = cur.fetchone()
        except psycopg2.Error as exc:
            raise SchemaError(
                tr("{path} is not an OpenMisto workspace: {error}").format(
                    path=self.info.describe(), error=str(exc).strip()
                )
            ) from exc
        if row is None:
            raise SchemaError(tr("{where} is not an OpenMisto workspace.").format(where=self.info.describe()))
        return int(row[0])

    def _missing_ddl(self, cur: Any) -> list[str]:
        """Statements that complete the schema from :data:`TABLES` (new tables, columns, indexes)."""
        cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s", (self.schema,)
        )
        present: dict[str, set[str]] = {}
        for table, column in cur.fetchall():
            present.setdefault(table, set()).add(column)
        cur.execute("SELECT indexname FROM pg_indexes WHERE schemaname = %s", (self.schema,))
        indexes = {r[0] for r in cur.fetchall()}
        cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s"
            " AND data_type = 'bigint' AND is_identity = 'YES'",
            (self.schema,),
        )
        wide_keys = {(t, c) for t, c in cur.fetchall()}
        out: list[str] = []
        for table in TABLES.values():  # workspaces made before the key became integer (see table_ddl)
            if (table.name, table.fid) in wide_keys:
                out.append(f"ALTER TABLE {self.schema}.{table.name} ALTER COLUMN {table.fid} TYPE integer")
        for table in TABLES.values():
            ddl = table_ddl(self.schema, table)
            if table.name not in present:
                out += ddl
                continue
            have = present[table.name]
            wanted = [(c.name, c) for c in table.columns]
            for name, column in wanted:
                if name not in have:
                    text = f"ALTER TABLE {self.schema}.{table.name} ADD COLUMN {name} {PG_TYPES[column.type]}"
                    if column.default is not None:
                        text += f" DEFAULT {column.default}"
                    if not column.nullable and column.default is not None:
                        text += " NOT NULL"
                    out.append(text)
                    if column.unique:
                        out.append(f"ALTER TABLE {self.schema}.{table.name} ADD UNIQUE ({name})")
            for name, type_ in EXTRA_COLUMNS.get(table.name, ()):
                if name not in have:
                    out.append(f"ALTER TABLE {self.schema}.{table.name} ADD COLUMN {name} {type_}")
            for statement in ddl[1:]:
                index_name = statement.split(" ON ")[0].rsplit(" ", 1)[-1]
                if index_name not in indexes:
                    out.append(statement)
        return out

    @property
    def schema_version(self) -> int:
        with self._lock, self._cursor() as cur:
            return self._version(cur)

    # -- transactions ----------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One PostgreSQL transaction; nested calls are savepoints (an inner failure undoes the inner part)."""
        with self._lock:
            if self._pg is None:
                raise StoreError(tr("The workspace is closed."))
            with self._cursor() as cur:
                if self._depth == 0:
                    cur.execute("BEGIN")
                    self._depth = 1
                    try:
                        yield
                    except BaseException:
                        self._quiet(cur, "ROLLBACK")
                        raise
                    else:
                        cur.execute("COMMIT")
                    finally:
                        self._depth = 0
                else:
                    name = f"sp_{self._depth}"
                    cur.execute(f"SAVEPOINT {name}")
                    self._depth += 1
                    try:
                        yield
                    except BaseException:
                        self._quiet(cur, f"ROLLBACK TO SAVEPOINT {name}")
                        self._quiet(cur, f"RELEASE SAVEPOINT {name}")
                        raise
                    else:
                        cur.execute(f"RELEASE SAVEPOINT {name}")
                    finally:
                        self._depth -= 1

    @staticmethod
    def _quiet(cur: Any, sql: str) -> None:
        try:
            cur.execute(sql)
        except Exception as exc:  # noqa: BLE001 - the connection may be gone; the original error matters
            log.warning("%s failed: %s", sql, exc)

    # -- generic SQL (for the workflow's reading helpers) ------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts; ``?`` placeholders work as in SQLite; datetimes as store text."""
        with self._lock, self._cursor(dict_rows=True) as cur:
            cur.execute(_pg_sql(sql), tuple(params))
            return [_store_values(dict(r)) for r in cur.fetchall()]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One write statement (``?`` placeholders); joins the caller's transaction. Returns the row count."""
        with self.transaction(), self._cursor() as cur:
            cur.execute(_pg_sql(sql), tuple(params))
            return cur.rowcount

    # -- sync lock ---------------------------------------------------------
    @contextmanager
    def sync_lock(self, wait_s: float = 0.0, poll_s: float = 0.25) -> Iterator[None]:
        """Hold the workspace's sync lock; :class:`SyncBusyError` when another sync keeps it past ``wait_s``."""
        deadline = time.monotonic() + max(0.0, wait_s)
        logged = False
        while True:
            with self._lock, self._cursor() as cur:
                if not self._sync_held:
                    cur.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", (SYNC_LOCK, self.schema))
                    if cur.fetchone()[0]:
                        self._sync_held = True
                        break
            holder = self.sync_lock_holder()
            if time.monotonic() >= deadline:
                message = tr("Another sync is running on {where} ({holder}); this one is skipped.").format(
                    where=self.info.describe(), holder=holder
                )
                log.info("%s", message)
                raise SyncBusyError(message)
            if not logged:
                log.info("Another sync is running (%s); waiting up to %.0f s", holder, wait_s)
                logged = True
            time.sleep(poll_s)
        try:
            yield
        finally:
            with self._lock:
                self._sync_held = False
                if self._pg is not None:
                    with self._cursor() as cur:
                        cur.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (SYNC_LOCK, self.schema))

    def sync_lock_holder(self) -> str:
        """Who holds the sync lock: ``application_name since HH:MM`` (empty when nobody)."""
        with self._lock, self._cursor() as cur:
            cur.execute(
                "SELECT a.application_name, to_char(a.backend_start AT TIME ZONE 'UTC', 'HH24:MI:SS') FROM pg_locks l"
                " LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
                " AND l.classid = %s::bigint::oid AND l.objid = hashtext(%s)::oid AND l.objsubid = 2",
                (SYNC_LOCK, self.schema),
            )
            row = cur.fetchone()
        if row is None:
            return ""
        return tr("{who}, connected at {since} UTC").format(who=row[0] or "?", since=row[1] or "?")

    # -- reports ---------------------------------------------------------
    def _existing_reports(self, cur: Any, ids: Sequence[str], lock: bool = False) -> dict[str, dict[str, Any]]:
        """The stored platform and derived columns of these reports (``lock``: ``FOR UPDATE``, in fid order)."""
        table = TABLES["reports"]
        cols = _select_list(table, ("fid", "service_request_id", "version", *_WRITTEN_COLUMNS))
        cur.execute(
            f"SELECT {cols} FROM reports WHERE service_request_id = ANY(%s)"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            + (" ORDER BY fid FOR UPDATE" if lock else ""),
            (list(ids),),
        )
        return {r["service_request_id"]: r for r in cur.fetchall()}

    def _active_entries(self, cur: Any, ids: Sequence[str]) -> dict[str, list[OutboxEntry]]:
        cur.execute("SELECT 1 FROM outbox WHERE state IN ('pending', 'conflict') LIMIT 1")
        if cur.fetchone() is None:
            return {}
        cur.execute(
            f"SELECT {_select_list(TABLES['outbox'])} FROM outbox WHERE service_request_id = ANY(%s)"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            " AND state IN ('pending', 'conflict') ORDER BY id",
            (list(ids),),
        )
        found: dict[str, list[OutboxEntry]] = {}
        for row in cur.fetchall():
            found.setdefault(row["service_request_id"], []).append(_entry(row))
        return found

    def upsert_requests(self, requests: Sequence[ServiceRequest], synced_at: datetime | None = None) -> UpsertCounts:
        """Insert or update reports; unchanged = same ``updated_datetime`` and content.

        The rows to write are locked and compared again, so a local change committed meanwhile by another
        client is seen (and stays on top, as in the GeoPackage store); unchanged rows are not locked.
        """
        rows: dict[str, dict[str, Any]] = {}
        for req in valid_requests(requests):
            row = request_row(req)
            rows[row["service_request_id"]] = row
        if not rows:
            return UpsertCounts()
        synced = to_store(synced_at or now_utc())
        return self._upsert_rows(rows, synced)

    def _upsert_rows(self, rows: dict[str, dict[str, Any]], synced: str | None) -> UpsertCounts:
        """Compare without locks; lock only the rows to write, and decide those again on what is committed."""
        pristine = {sid: dict(r) for sid, r in rows.items()}
        with self.transaction(), self._cursor(dict_rows=True) as cur:
            inserts, updates, derived, unchanged = self._plan(cur, rows, lock=False)
            touched = [r["service_request_id"] for r, _, _ in updates] + [sid for sid, *_ in derived]
            if touched:
                again = {sid: dict(pristine[sid]) for sid in touched}
                late_inserts, updates, derived, late_unchanged = self._plan(cur, again, lock=True)
                inserts += late_inserts  # deleted meanwhile
                unchanged += late_unchanged
                rows.update(again)
            counts = UpsertCounts(unchanged=unchanged)
            if inserts:
                done = self._insert_reports(cur, inserts, synced)
                counts.new = len(done)
                late = {r["service_request_id"] for r in inserts if r["service_request_id"] not in done}
                if late:  # inserted by another client since we looked: compare and update them
                    log.info("%d reports were inserted meanwhile by another client", len(late))
                    counts += self._upsert_rows({sid: dict(pristine[sid]) for sid in late}, synced)
            if updates:
                self._update_reports(cur, updates, synced)
                counts.updated = len(updates)
            if derived:
                self._set_derived(cur, [(fid, *values) for _, fid, *values in derived])
            need = [r["service_request_id"] for r in inserts] + [r["service_request_id"] for r, _, _ in updates]
            need = [sid for sid in need if rows[sid]["district"] is None]
            if need:
                self.fill_districts(need)
        return counts

    def _plan(
        self, cur: Any, rows: dict[str, dict[str, Any]], lock: bool
    ) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], int, bool]], list[tuple[Any, ...]], int]:
        """``(inserts, updates, derived-only writes, unchanged count)`` for ``rows`` against the stored ones.

        Pending local changes stay on top (and the platform's copy goes to their outbox entries); the
        assignment time and deadline are derived as in the GeoPackage store.
        """
        ids = list(rows)
        existing = self._existing_reports(cur, ids, lock)
        active = self._active_entries(cur, ids)
        assignments = self._assignments(cur, assignment_candidates(rows, active))
        return plan_rows(
            rows,
            existing,
            active,
            assignments,
            self._deadline_columns(),
            functools.partial(self._note_platform_copy, cur),
        )

    def _insert_reports(self, cur: Any, rows: list[dict[str, Any]], synced: str | None) -> set[str]:
        extras = _psycopg2().extras
        table = TABLES["reports"]
        cols = ("service_request_id", *_WRITTEN_COLUMNS)
        template = (
            "("
            + ", ".join(_cast(table, c) for c in cols)
            + f", 1, %s::timestamptz, ST_SetSRID(ST_MakePoint(%s, %s), {SRID}))"
        )
        sql = (
            f"INSERT INTO reports ({', '.join(cols)}, version, synced_at, geom) VALUES %s"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            " ON CONFLICT (service_request_id) DO NOTHING RETURNING service_request_id"
        )
        params = [(*(r[c] for c in cols), synced, r["long"], r["lat"]) for r in rows]
        done = extras.execute_values(cur, sql, params, template=template, page_size=1000, fetch=True)
        return {r["service_request_id"] for r in done}

    def _update_reports(self, cur: Any, updates: list[tuple[dict[str, Any], int, bool]], synced: str | None) -> None:
        table = TABLES["reports"]
        cols = _WRITTEN_COLUMNS
        sets = ", ".join(f"{c} = v.{c}" for c in cols)
        sql = (
            f"UPDATE reports AS r SET {sets}, version = r.version + 1, synced_at = v.synced_at,"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            f" geom = CASE WHEN v.moved THEN ST_SetSRID(ST_MakePoint(v.long, v.lat), {SRID}) ELSE r.geom END"
            f" FROM (VALUES %s) AS v(fid, {', '.join(cols)}, moved, synced_at) WHERE r.fid = v.fid"
        )
        template = "(%s::bigint, " + ", ".join(_cast(table, c) for c in cols) + ", %s::boolean, %s::timestamptz)"
        params = [(fid, *(r[c] for c in cols), moved, synced) for r, fid, moved in updates]
        _psycopg2().extras.execute_values(cur, sql, params, template=template, page_size=1000)

    def _note_platform_copy(self, cur: Any, entries: list[OutboxEntry], row: dict[str, Any]) -> None:
        """Keep the platform's version of a report that has local changes in the outbox."""
        copy, stale = platform_copy(entries, row)
        for entry in stale:
            cur.execute("UPDATE outbox SET platform_json = %s WHERE id = %s", (copy, entry.id))
            entry.platform = json.loads(copy)

    # -- assignment and deadlines (the same rules as the GeoPackage store, base.DeadlineColumns) --
    def _load_procedure(self) -> Procedure:
        return cached_procedure()  # this module's name, so that it can be patched here (tests)

    @staticmethod
    def _assignments(cur: Any, ids: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        """``id -> (latest action_scheduled of the history, latest local one)`` (store text)."""
        if not ids:
            return {}
        latest = f"to_char(max(updated_datetime) AT TIME ZONE 'UTC', '{_TS_FORMAT}')"
        local = f"to_char(max(CASE WHEN origin = 'local' THEN updated_datetime END) AT TIME ZONE 'UTC', '{_TS_FORMAT}')"
        with cur.connection.cursor() as plain:
            plain.execute(
                f"SELECT service_request_id, {latest}, {local} FROM request_updates"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                " WHERE service_request_id = ANY(%s) AND external_status_code = 'action_scheduled'"
                " GROUP BY service_request_id",
                (list(ids),),
            )
            return {sid: (a, b) for sid, a, b in plain.fetchall()}

    @staticmethod
    def _set_derived(cur: Any, rows: list[tuple[Any, ...]]) -> None:
        table = TABLES["reports"]
        sets = ", ".join(f"{c} = v.{c}" for c in DERIVED_COLUMNS)
        template = "(%s::bigint, " + ", ".join(_cast(table, c) for c in DERIVED_COLUMNS) + ")"
        _psycopg2().extras.execute_values(
            cur,
            f"UPDATE reports AS r SET {sets} FROM (VALUES %s) AS v(fid, {', '.join(DERIVED_COLUMNS)})"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            " WHERE r.fid = v.fid",
            rows,
            template=template,
            page_size=1000,
        )

    def _refresh_derived(self, ids: Iterable[str] | None = None) -> int:
        """Recompute ``assigned_datetime``, ``deadline``, ``deadline_stage`` of these reports (all: ``None``)."""
        deadlines = self._deadline_columns()
        table = TABLES["reports"]
        names = (
            "fid",
            "service_request_id",
            "status",
            "external_status_code",
            "service_code",
            "requested_datetime",
            "updated_datetime",
            "expected_datetime",
            "extended_json",
            *DERIVED_COLUMNS,
        )
        cols = _select_list(table, names)
        changed = 0
        with self.transaction(), self._cursor(dict_rows=True) as cur:
            if ids is None:
                cur.execute(f"SELECT {cols} FROM reports")  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            else:
                cur.execute(f"SELECT {cols} FROM reports WHERE service_request_id = ANY(%s)", (list(ids),))  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            rows = cur.fetchall()
            for start in range(0, len(rows), 1000):
                chunk = rows[start : start + 1000]
                assignments = self._assignments(cur, [r["service_request_id"] for r in chunk])
                writes = []
                for old in chunk:
                    row = dict(old)
                    platform = None
                    if old["extended_json"]:
                        try:
                            platform = store_time(json.loads(old["extended_json"]).get("assigned_datetime"))
                        except (ValueError, AttributeError):
                            platform = None
                    row["assigned_datetime"] = assigned_value(
                        platform, *assignments.get(old["service_request_id"], (None, None))
                    )
                    row["deadline"], row["deadline_stage"] = deadlines.columns(row)
                    values = tuple(row[c] for c in DERIVED_COLUMNS)
                    if values != tuple(old[c] for c in DERIVED_COLUMNS):
                        writes.append((old["fid"], *values))
                if writes:
                    self._set_derived(cur, writes)
                    changed += len(writes)
        return changed

    def refresh_deadlines(self, service_request_ids: Sequence[str] | None = None) -> int:
        """Recompute the assignment time and deadline of reports (all by default); returns how many changed."""
        return self._refresh_derived(service_request_ids)

    # -- districts -------------------------------------------------------
    @staticmethod
    def _geometry_sql(value: Any) -> tuple[str, Any]:
        """SQL expression (one parameter) and the parameter for a district geometry."""
        if hasattr(value, "ExportToIsoWkb"):  # ogr.Geometry
            return f"ST_Multi(ST_GeomFromWKB(%s, {SRID}))", bytes(value.ExportToIsoWkb())
        if hasattr(value, "asWkb"):  # QgsGeometry
            return f"ST_Multi(ST_GeomFromWKB(%s, {SRID}))", bytes(value.asWkb())
        if isinstance(value, dict):
            return f"ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(%s), {SRID}))", json.dumps(value)
        if isinstance(value, str) and value.lstrip().startswith("{"):
            return f"ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(%s), {SRID}))", value
        if isinstance(value, str):
            return f"ST_Multi(ST_GeomFromText(%s, {SRID}))", value
        raise StoreError(tr("Unsupported geometry: {value}").format(value=type(value).__name__))

    def upsert_districts(self, districts: Iterable[tuple[str, str, Any]]) -> UpsertCounts:
        counts = UpsertCounts()
        psycopg2 = _psycopg2()
        with self.transaction(), self._cursor() as cur:
            for code, name, geometry_value in district_rows(districts):
                expr, param = self._geometry_sql(geometry_value)
                try:
                    with self.transaction():
                        cur.execute(
                            f"SELECT fid, name, ST_AsEWKB(geom) = ST_AsEWKB({expr}) FROM districts WHERE code = %s"  # noqa: S608 - expr is a fixed geometry SQL template; values are bound  # nosec B608
                            " FOR UPDATE",
                            (param, code),
                        )
                        old = cur.fetchone()
                        if old is None:
                            cur.execute(
                                f"INSERT INTO districts (code, name, geom) VALUES (%s, %s, {expr})",  # noqa: S608 - expr is a fixed geometry SQL template; values are bound  # nosec B608
                                (code, name, param),
                            )
                            counts.new += 1
                        elif old[1] == name and old[2]:
                            counts.unchanged += 1
                        else:
                            cur.execute(
                                f"UPDATE districts SET name = %s, geom = {expr} WHERE fid = %s",  # noqa: S608 - expr is a fixed geometry SQL template; values are bound  # nosec B608
                                (name, param, old[0]),
                            )
                            counts.updated += 1
                except psycopg2.Error as exc:
                    raise StoreError(tr("Unreadable geometry") + f": {code}: {str(exc).strip()}") from exc
        return counts

    def fill_districts(self, service_request_ids: Sequence[str] | None = None) -> int:
        """Point-in-polygon (``ST_Intersects`` with the GiST index) for reports without a district."""
        with self.transaction(), self._cursor() as cur:
            cur.execute("SELECT EXISTS (SELECT 1 FROM districts WHERE geom IS NOT NULL)")
            if not cur.fetchone()[0]:
                return 0
            sql = (
                "UPDATE reports AS r SET district = (SELECT d.code FROM districts d WHERE ST_Intersects(d.geom, r.geom)"
                " ORDER BY d.code LIMIT 1) WHERE r.district IS NULL AND r.geom IS NOT NULL"
                " AND EXISTS (SELECT 1 FROM districts d WHERE ST_Intersects(d.geom, r.geom))"
            )
            params: tuple[Any, ...] = ()
            if service_request_ids is not None:
                sql += " AND r.service_request_id = ANY(%s)"
                params = ([str(s) for s in service_request_ids],)
            cur.execute(sql, params)
            return cur.rowcount

    # -- reference tables ------------------------------------------------
    def _upsert_keyed(self, table: str, key: str, rows: list[dict[str, Any]]) -> UpsertCounts:
        counts = UpsertCounts()
        if not rows:
            return counts
        rows = list({r[key]: r for r in rows}.values())
        cols = list(rows[0])
        others = [c for c in cols if c != key]
        with self.transaction(), self._cursor(dict_rows=True) as cur:
            cur.execute(
                f"SELECT {', '.join(cols)} FROM {table} WHERE {key} = ANY(%s) FOR UPDATE",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                ([r[key] for r in rows],),
            )
            existing = {r[key]: r for r in cur.fetchall()}
            insert = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            update = f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in others)} WHERE {key} = %s"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            for row in rows:
                old = existing.get(row[key])
                if old is None:
                    cur.execute(insert, [row[c] for c in cols])
                    counts.new += 1
                elif all(old[c] == row[c] for c in others):
                    counts.unchanged += 1
                else:
                    cur.execute(update, [*(row[c] for c in others), row[key]])
                    counts.updated += 1
        return counts

    # -- history ---------------------------------------------------------
    def add_history(self, updates: Iterable[RequestUpdate], origin: str = "platform", author: str | None = None) -> int:
        table = TABLES["request_updates"]
        cols = HISTORY_COLUMNS
        rows: dict[str, tuple[Any, ...]] = {}
        for u in updates:
            rows[str(u.update_id)] = history_params(u, author, origin, to_store)
        if not rows:
            return 0
        sets = HISTORY_SETS
        sql = (
            f"INSERT INTO request_updates ({', '.join(cols)}) VALUES %s ON CONFLICT (update_id) DO UPDATE SET {sets},"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            " author = coalesce(excluded.author, request_updates.author) RETURNING (xmax = 0)"
        )
        template = "(" + ", ".join(_cast(table, c) for c in cols) + ")"
        assigned = {p[1] for p in rows.values() if (p[3] or "").lower() == "action_scheduled"}
        with self.transaction(), self._cursor() as cur:
            result = _psycopg2().extras.execute_values(
                cur, sql, list(rows.values()), template=template, page_size=1000, fetch=True
            )
            if assigned:
                self._refresh_derived(assigned)
        return sum(1 for (inserted,) in result if inserted)

    def history(self, service_request_id: str) -> list[dict[str, Any]]:
        with self._lock, self._cursor(dict_rows=True) as cur:
            cur.execute(
                f"SELECT {_select_list(TABLES['request_updates'])} FROM request_updates"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                " WHERE service_request_id = %s ORDER BY request_updates.updated_datetime, fid",
                (str(service_request_id),),
            )
            return [dict(r) for r in cur.fetchall()]

    # -- reading ---------------------------------------------------------
    def report(self, service_request_id: str) -> dict[str, Any] | None:
        with self._lock, self._cursor(dict_rows=True) as cur:
            cur.execute(
                f"SELECT {_select_list(TABLES['reports'])} FROM reports WHERE service_request_id = %s",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                (str(service_request_id),),
            )
            row = cur.fetchone()
        return dict(row) if row else None

    def count(self, where: str | None = None, params: Sequence[Any] = ()) -> int:
        """Number of reports, optionally ``WHERE <where>`` (trusted SQL from code; ``?`` or ``%s`` placeholders)."""
        sql = "SELECT count(*) FROM reports" + (f" WHERE {where}" if where else "")  # noqa: S608 - where is the calling code's SQL, never platform or user text  # nosec B608
        if "?" in sql:
            sql = _pg_sql(sql)
        with self._lock, self._cursor() as cur:
            cur.execute(sql, tuple(params))
            return int(cur.fetchone()[0])

    def get_state(self, key: str, default: str | None = None) -> str | None:
        with self._lock, self._cursor() as cur:
            cur.execute("SELECT value FROM sync_state WHERE key = %s", (key,))
            row = cur.fetchone()
        return row[0] if row and row[0] is not None else default

    def set_state(self, key: str, value: str | None) -> None:
        with self.transaction(), self._cursor() as cur:
            cur.execute(
                "INSERT INTO sync_state (key, value) VALUES (%s, %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def layer_uri(self, table: str = "reports") -> str:
        """A ``postgres`` provider URI (service/authcfg, never a password) for ``table``."""
        return layer_uri(self.info, table)

    # -- outbox ----------------------------------------------------------
    def record_local_update(
        self, service_request_id: str, fields: dict[str, Any], author: str, base_version: int | None = None
    ) -> str:
        """Apply a change to the report, add it to the history and queue it — one transaction.

        ``base_version``: the report's ``version`` the user saw; when it moved on (someone else changed
        the report meanwhile) nothing is written and :class:`VersionConflictError` is raised.
        """
        update_id = str(uuid.uuid4())
        now = to_store(now_utc())
        sid = str(service_request_id)
        payload = wire_payload(fields)
        with self.transaction(), self._cursor(dict_rows=True) as cur:
            row = self._locked_report(cur, sid, base_version, payload)
            columns = local_columns(fields)
            history, outbox = local_update_params(update_id, sid, row, fields, columns, author, now, payload)
            table = TABLES["reports"]
            sets = "".join(f"{c} = {_cast(table, c)}, " for c in columns)
            cur.execute(
                f"UPDATE reports SET {sets}version = version + 1 WHERE fid = %s",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                (*columns.values(), row["fid"]),
            )
            cur.execute(
                "INSERT INTO request_updates (update_id, service_request_id, status, external_status_code,"
                " updated_datetime, description, agency_responsible, media_url, author, origin)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'local')",
                history,
            )
            cur.execute(
                "INSERT INTO outbox (update_id, service_request_id, payload_json, base_version,"
                " expected_updated_datetime, created_at, state, attempts, next_attempt_at, author, base_json)"
                " VALUES (%s, %s, %s, %s, %s, %s, 'pending', 0, %s, %s, %s)",
                outbox,
            )
            self._refresh_derived([sid])
        return update_id

    def place_report(
        self, service_request_id: str, lat: float, lon: float, author: str, base_version: int | None = None
    ) -> dict[str, Any]:
        """A position by hand (:meth:`ReportStore.place_report`): the point, its district, the version."""
        sid = str(service_request_id)
        now = to_store(now_utc())
        with self.transaction(), self._cursor(dict_rows=True) as cur:
            row = self._locked_report(cur, sid, base_version, {"lat": lat, "long": lon})
            values = placement(lat, lon, author, now, row)
            sets = "".join(f"{c} = %s, " for c in values)
            cur.execute(
                f"UPDATE reports SET {sets}geom = ST_SetSRID(ST_MakePoint(%s, %s), {SRID}),"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                " version = version + 1 WHERE fid = %s",
                (*values.values(), values["long"], values["lat"], row["fid"]),
            )
            if row["district"] is None:
                self.fill_districts([sid])
        log.info("Report %s placed by hand by %s at lat=%s, long=%s (kept locally)", sid, author, lat, lon)
        return self.report(sid) or {}

    def _locked_report(self, cur: Any, sid: str, base_version: int | None, mine: dict) -> Any:
        """The report's row, locked ``FOR UPDATE`` until the transaction ends.

        Raises :class:`StoreError` for an unknown report and :class:`VersionConflictError` when ``base_version``
        (the version the user saw) is given and the report moved on; ``mine`` is the change the user wanted.
        """
        cur.execute(
            f"SELECT {_select_list(TABLES['reports'])} FROM reports WHERE service_request_id = %s FOR UPDATE",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            (sid,),
        )
        row = cur.fetchone()
        if row is None:
            raise StoreError(tr("Unknown report {id}").format(id=sid))
        if base_version is not None and int(row["version"]) != int(base_version):
            raise self._version_conflict(cur, dict(row), int(base_version), mine)
        return row

    def _version_conflict(self, cur: Any, current: dict[str, Any], base_version: int, mine: dict) -> StoreError:
        cur.execute(
            "SELECT author FROM request_updates WHERE service_request_id = %s AND origin = 'local'"
            " ORDER BY updated_datetime DESC, fid DESC LIMIT 1",
            (current["service_request_id"],),
        )
        last = cur.fetchone()
        log.info(
            "Version conflict on report %s: base %s, now %s",
            current["service_request_id"],
            base_version,
            current["version"],
        )
        return version_conflict(current, base_version, mine, last["author"] if last else None)

    def _entry_row(self, update_id: str) -> OutboxEntry:
        """The entry, locked for the current transaction."""
        with self._cursor(dict_rows=True) as cur:
            cur.execute(
                f"SELECT {_select_list(TABLES['outbox'])} FROM outbox WHERE update_id = %s FOR UPDATE",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                (update_id,),
            )
            row = cur.fetchone()
        if row is None:
            raise StoreError(tr("Unknown outbox entry {id}").format(id=update_id))
        return _entry(row)

    def pending_outbox(
        self, now: datetime | None = None, limit: int | None = None, claim: bool = True
    ) -> list[OutboxEntry]:
        """Pending entries due at ``now``, oldest first, *claimed* for this client.

        Claims are taken one client at a time (transaction advisory lock) and per report: a report
        with an entry leased by another client is left to that client, so the entries of one report
        are pushed in order by one client and every entry by exactly one client.
        ``claim=False`` only reads (for a view).
        """
        stamp = to_store(now or now_utc())
        cols = _select_list(TABLES["outbox"], prefix="o.")
        due = "o.state = 'pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= %s::timestamptz)"
        limit_sql = " LIMIT %s" if limit is not None else ""
        limit_params: tuple[Any, ...] = () if limit is None else (int(limit),)
        with self.transaction(), self._cursor(dict_rows=True) as cur:
            if not claim:
                cur.execute(f"SELECT {cols} FROM outbox o WHERE {due} ORDER BY o.id{limit_sql}", (stamp, *limit_params))  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                return [_entry(r) for r in cur.fetchall()]
            cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (CLAIM_LOCK, self.schema))
            cur.execute(
                f"WITH mine AS (SELECT o.id FROM outbox o WHERE {due} AND NOT EXISTS ("  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                " SELECT 1 FROM outbox x WHERE x.service_request_id = o.service_request_id AND x.state = 'pending'"
                " AND x.claimed_by IS NOT NULL AND x.claimed_by <> %s AND x.claimed_until > now())"
                f" ORDER BY o.id{limit_sql} FOR UPDATE SKIP LOCKED)"
                " UPDATE outbox o SET claimed_by = %s, claimed_until = now() + %s FROM mine WHERE o.id = mine.id"
                f" RETURNING {cols}",
                (stamp, self.client_id, *limit_params, self.client_id, self.claim_lease),
            )
            entries = sorted((_entry(r) for r in cur.fetchall()), key=lambda e: e.id)
        if entries:
            log.debug("Claimed %d outbox entries for %s", len(entries), self.client_id)
        return entries

    claim_outbox = pending_outbox

    def release_claims(self) -> int:
        """Give back this client's unsent claims (end of a push); returns how many."""
        with self.transaction(), self._cursor() as cur:
            cur.execute(
                "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = %s", (self.client_id,)
            )
            return cur.rowcount

    def outbox_entries(self, states: Sequence[str] | None = None) -> list[OutboxEntry]:
        sql = f"SELECT {_select_list(TABLES['outbox'])} FROM outbox"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        params: tuple[Any, ...] = ()
        if states:
            sql += " WHERE state = ANY(%s)"
            params = (list(states),)
        with self._lock, self._cursor(dict_rows=True) as cur:
            cur.execute(sql + " ORDER BY id", params)
            return [_entry(r) for r in cur.fetchall()]

    def mark_outbox_sent(self, update_id: str, platform_updated_datetime: datetime | str | None = None) -> None:
        """The platform confirmed: the entry is done; later entries of the report expect the new time."""
        stamp = platform_updated_datetime
        if isinstance(stamp, datetime):
            stamp = to_store(stamp)
        with self.transaction(), self._cursor() as cur:
            entry = self._entry_row(update_id)
            cur.execute(
                "UPDATE outbox SET state = 'sent', sent_at = %s, platform_updated_datetime = %s, last_error = NULL,"
                " http_status = NULL, attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL WHERE id = %s",
                (to_store(now_utc()), stamp, entry.id),
            )
            if stamp:
                cur.execute(
                    "UPDATE reports SET updated_datetime = %s WHERE service_request_id = %s"
                    " AND (updated_datetime IS NULL OR updated_datetime < %s::timestamptz)",
                    (stamp, entry.service_request_id, stamp),
                )
                cur.execute(
                    "UPDATE outbox SET expected_updated_datetime = %s WHERE service_request_id = %s"
                    " AND state = 'pending' AND id > %s"
                    " AND expected_updated_datetime IS NOT DISTINCT FROM %s::timestamptz",
                    (stamp, entry.service_request_id, entry.id, entry.expected_updated_datetime),
                )
                self._refresh_derived([entry.service_request_id])

    def mark_outbox_failed(
        self,
        update_id: str,
        error: str,
        http_status: int | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        """A try failed for a passing reason: stays pending, next try after a growing delay (claim released)."""
        with self.transaction(), self._cursor() as cur:
            entry = self._entry_row(update_id)
            attempts = entry.attempts + 1
            when = retry_at or (now_utc() + backoff(attempts))
            cur.execute(
                "UPDATE outbox SET attempts = %s, last_error = %s, http_status = %s, next_attempt_at = %s,"
                " claimed_by = NULL, claimed_until = NULL WHERE id = %s",
                (attempts, error, http_status, to_store(when), entry.id),
            )

    def mark_outbox_refused(self, update_id: str, reason: str, http_status: int | None = None) -> None:
        """The platform refused (400/403): kept with the reason; the report shows the platform's values again."""
        with self.transaction(), self._cursor(dict_rows=True) as cur:
            entry = self._entry_row(update_id)
            cur.execute(
                "UPDATE outbox SET state = 'refused', last_error = %s, http_status = %s, attempts = attempts + 1,"
                " claimed_by = NULL, claimed_until = NULL WHERE id = %s",
                (reason, http_status, entry.id),
            )
            if entry.state in ACTIVE_STATES:
                self._undo_local(cur, entry)

    def mark_outbox_conflict(self, update_id: str, reason: str, platform: dict[str, Any] | None = None) -> None:
        """409: both versions are kept (the local payload and ``platform``) until the user decides."""
        with self.transaction(), self._cursor() as cur:
            entry = self._entry_row(update_id)
            cur.execute(
                "UPDATE outbox SET state = 'conflict', last_error = %s, http_status = 409, attempts = attempts + 1,"
                " platform_json = coalesce(%s, platform_json), claimed_by = NULL, claimed_until = NULL WHERE id = %s",
                (reason, json.dumps(platform, ensure_ascii=False, default=str) if platform else None, entry.id),
            )

    def reapply_outbox(self, update_id: str) -> None:
        """Conflict -> pending again, now expecting the platform's current ``updated_datetime``."""
        with self.transaction(), self._cursor(dict_rows=True) as cur:
            entry = self._entry_row(update_id)
            if entry.state != CONFLICT:
                raise StoreError(tr("Only a conflicting change can be re-applied."))
            cur.execute(
                f"SELECT fid, to_char(updated_datetime AT TIME ZONE 'UTC', '{_TS_FORMAT}') AS updated_datetime"  # noqa: S608 - a module constant  # nosec B608
                " FROM reports WHERE service_request_id = %s FOR UPDATE",
                (entry.service_request_id,),
            )
            report = cur.fetchone()
            expected = report["updated_datetime"] if report else None
            platform_time = (entry.platform or {}).get("updated_datetime")
            if platform_time and (expected is None or platform_time > expected):
                expected = platform_time
            cur.execute(
                "UPDATE outbox SET state = 'pending', expected_updated_datetime = %s, attempts = 0,"
                " next_attempt_at = %s, last_error = NULL, http_status = NULL WHERE id = %s",
                (expected, to_store(now_utc()), entry.id),
            )
            columns = local_columns(entry.payload)
            if report is not None and columns:
                table = TABLES["reports"]
                sets = "".join(f"{c} = {_cast(table, c)}, " for c in columns)
                cur.execute(
                    f"UPDATE reports SET {sets}version = version + 1 WHERE fid = %s",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                    (*columns.values(), report["fid"]),
                )
                self._refresh_derived([entry.service_request_id])

    def drop_outbox(self, update_id: str) -> None:
        """Forget a change; if it was not confirmed, the report shows the platform's values again."""
        with self.transaction(), self._cursor(dict_rows=True) as cur:
            entry = self._entry_row(update_id)
            if entry.state in ACTIVE_STATES:
                self._undo_local(cur, entry)
            cur.execute("DELETE FROM outbox WHERE id = %s", (entry.id,))

    def _undo_local(self, cur: Any, removed: OutboxEntry) -> None:
        """Recompose the report from the platform's values and the entries still active."""
        sid = removed.service_request_id
        cur.execute("SELECT fid FROM reports WHERE service_request_id = %s FOR UPDATE", (sid,))
        cur.execute(
            f"SELECT {_select_list(TABLES['outbox'])} FROM outbox WHERE service_request_id = %s"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            " AND (state IN ('pending', 'conflict') OR id = %s) ORDER BY id",
            (sid, removed.id),
        )
        values = undo_values([_entry(r) for r in cur.fetchall()], removed.id)
        if values:
            table = TABLES["reports"]
            sets = "".join(f"{c} = {_cast(table, c)}, " for c in values)
            cur.execute(
                f"UPDATE reports SET {sets}version = version + 1 WHERE service_request_id = %s",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                (*values.values(), sid),
            )
        if removed.state != SENT:
            cur.execute("DELETE FROM request_updates WHERE update_id = %s AND origin = 'local'", (removed.update_id,))
        self._refresh_derived([sid])

    # -- administration ------------------------------------------------------
    def grant(self, role: str, level: str) -> None:
        """Run :func:`grant_sql` (needs the owner's rights)."""
        with self.transaction(), self._cursor() as cur:
            for statement in grant_sql(self.schema, role, level):
                cur.execute(statement)

    def drop_schema(self) -> None:
        """Remove the whole workspace schema (tests, or a city starting over)."""
        with self._lock, self._cursor() as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


_entry = outbox_entry

__all__ = [
    "PG_MIGRATIONS",
    "PostGisStore",
    "SyncBusyError",
    "VersionConflictError",
    "grant_sql",
    "layer_uri",
    "schema_ddl",
]
