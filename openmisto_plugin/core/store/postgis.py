"""PostGIS store: the shared workspace when several departments work at once (issue 5).

The same tables as the GeoPackage in a schema of their own (default ``openmisto``; DDL in
:mod:`.pg_schema`), the same statements (:mod:`.sql`) with this backend's hooks. The Python API speaks
the store's text datetimes (``YYYY-MM-DDTHH:MM:SS.sssZ``) in both directions, so callers see no
difference from :class:`GeoPackageStore`.

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

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from ..i18n import tr
from ..timeutil import now_utc, to_store
from .pg_connection import PgConnectionError, PgConnectionInfo, parse_uri
from .pg_schema import (
    PG_MIGRATIONS,
    PG_TYPES,
    TS_FORMAT,
    column_type,
    grant_sql,
    missing_ddl,
    schema_ddl,
)
from .pg_schema import (
    cast as _cast,
)
from .pg_schema import (
    pg_sql as _pg_sql,
)
from .pg_schema import (
    select_list as _select_list,
)
from .pg_schema import (
    shared_sql as _sql,
)
from .records import (
    DERIVED_COLUMNS,
    OutboxEntry,
    StoreError,
    SyncBusyError,
    UpsertCounts,
    VersionConflictError,
    outbox_entry,
)
from .rows import DeadlineColumns, district_rows
from .schema import SCHEMA_VERSION, SRID, TABLES, SchemaError, SchemaTooNewError, too_new_message
from .sql import WRITTEN_COLUMNS, SqlReportStore

log = logging.getLogger(__name__)

# Advisory lock keys: (class, hashtext(schema)); the class spells the purpose.
SYNC_LOCK = 0x4F4D5359  # 'OMSY': one sync per workspace (session lock)
CLAIM_LOCK = 0x4F4D434C  # 'OMCL': outbox claims, one client at a time (transaction lock)
DDL_LOCK = 0x4F4D4444  # 'OMDD': create / migrate (transaction lock)

CLAIM_LEASE = timedelta(minutes=5)


def _psycopg2():
    try:
        import psycopg2
        import psycopg2.extras
    except ImportError as exc:  # pragma: no cover - Debian's python3-psycopg2 is a dependency
        raise StoreError(tr("PostgreSQL support needs the psycopg2 module (Debian: python3-psycopg2).")) from exc
    return psycopg2


def _store_values(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (to_store(v) if isinstance(v, datetime) else v) for k, v in row.items()}


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


class PostGisStore(SqlReportStore):
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
            missing = missing_ddl(cur, self.schema)
            if version == SCHEMA_VERSION and not missing:
                return
            with self.transaction():
                cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (DDL_LOCK, self.schema))
                version = self._version(cur)  # another client may have migrated meanwhile
                for statement in missing_ddl(cur, self.schema):
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

    @property
    def schema_version(self) -> int:
        with self._lock, self._cursor() as cur:
            return self._version(cur)

    # -- transactions ----------------------------------------------------
    def _is_open(self) -> bool:
        return self._pg is not None

    def _control(self, sql: str) -> None:
        with self._cursor() as cur:
            cur.execute(sql)

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

    # -- backend hooks of SqlReportStore -----------------------------------
    row_lock = " FOR UPDATE"
    release_claim = ", claimed_by = NULL, claimed_until = NULL"
    same_as = "IS NOT DISTINCT FROM"

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock, self._cursor(dict_rows=True) as cur:
            cur.execute(_sql(sql), tuple(params))
            return cur.fetchall()

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._lock, self._cursor() as cur:
            cur.execute(_sql(sql), tuple(params))
            return cur.rowcount

    def _where_in(self, column: str, values: Sequence[Any]) -> Iterator[tuple[str, tuple[Any, ...]]]:
        if values:
            yield f"{column} = ANY(?)", (list(values),)

    def _param(self, table: str, column: str) -> str:
        return "?::" + PG_TYPES[column_type(TABLES[table], column)]

    def _select(self, table: str, names: Sequence[str] | None = None, prefix: str = "") -> str:
        return _select_list(TABLES[table], names, prefix)

    def _as_text(self, expression: str) -> str:
        return f"to_char({expression} AT TIME ZONE 'UTC', '{TS_FORMAT}')"

    def _json_text(self, column: str, key: str) -> str:
        return f"({column}::json ->> '{key}')"

    def _point(self, x: float, y: float) -> tuple[str, tuple[Any, ...]]:
        return f"ST_SetSRID(ST_MakePoint(?, ?), {SRID})", (x, y)

    _districts_extent_sql = (
        "SELECT ST_XMin(e) AS xmin, ST_YMin(e) AS ymin, ST_XMax(e) AS xmax, ST_YMax(e) AS ymax"
        " FROM (SELECT ST_Extent(geom) AS e FROM districts) AS extent"
    )

    def _multipolygon(self, table: str, geometry: Any) -> tuple[str, Any]:
        expression, value = self._geometry_sql(geometry)
        return expression.replace("%s", "?"), value

    def _wkb(self, column: str) -> str:
        return f"ST_AsBinary({column})"

    def _wkb_value(self, value: Any) -> bytes | None:
        return None if value is None else bytes(value)

    def _insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], tail: str = "") -> None:
        template = "(" + ", ".join(_cast(TABLES[table], c) for c in columns) + ")"
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES %s{tail}"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        with self._cursor() as cur:
            _psycopg2().extras.execute_values(cur, sql, rows, template=template, page_size=1000)

    def _insert_reports(self, rows: list[dict[str, Any]], synced: str | None) -> set[str]:
        extras = _psycopg2().extras
        table = TABLES["reports"]
        cols = ("service_request_id", *WRITTEN_COLUMNS)
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
        with self._cursor() as cur:
            done = extras.execute_values(cur, sql, params, template=template, page_size=1000, fetch=True)
        return {sid for (sid,) in done}

    def _update_reports(self, updates: list[tuple[dict[str, Any], int, bool]], synced: str | None) -> None:
        table = TABLES["reports"]
        cols = WRITTEN_COLUMNS
        sets = ", ".join(f"{c} = v.{c}" for c in cols)
        sql = (
            f"UPDATE reports AS r SET {sets}, version = r.version + 1, synced_at = v.synced_at,"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            f" geom = CASE WHEN v.moved THEN ST_SetSRID(ST_MakePoint(v.long, v.lat), {SRID}) ELSE r.geom END"
            f" FROM (VALUES %s) AS v(fid, {', '.join(cols)}, moved, synced_at) WHERE r.fid = v.fid"
        )
        template = "(%s::bigint, " + ", ".join(_cast(table, c) for c in cols) + ", %s::boolean, %s::timestamptz)"
        params = [(fid, *(r[c] for c in cols), moved, synced) for r, fid, moved in updates]
        with self._cursor() as cur:
            _psycopg2().extras.execute_values(cur, sql, params, template=template, page_size=1000)

    def _set_derived(self, rows: list[tuple[Any, ...]]) -> None:
        table = TABLES["reports"]
        sets = ", ".join(f"{c} = v.{c}" for c in DERIVED_COLUMNS)
        template = "(%s::bigint, " + ", ".join(_cast(table, c) for c in DERIVED_COLUMNS) + ")"
        sql = (
            f"UPDATE reports AS r SET {sets} FROM (VALUES %s) AS v(fid, {', '.join(DERIVED_COLUMNS)})"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            " WHERE r.fid = v.fid"
        )
        with self._cursor() as cur:
            _psycopg2().extras.execute_values(cur, sql, rows, template=template, page_size=1000)

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

    def layer_uri(self, table: str = "reports") -> str:
        """A ``postgres`` provider URI (service/authcfg, never a password) for ``table``."""
        return layer_uri(self.info, table)

    # -- the shared outbox: claims ------------------------------------------
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
                return super().pending_outbox(now, limit)
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
            entries = sorted((outbox_entry(r) for r in cur.fetchall()), key=lambda e: e.id)
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


__all__ = [
    "PG_MIGRATIONS",
    "PostGisStore",
    "SyncBusyError",
    "VersionConflictError",
    "grant_sql",
    "layer_uri",
    "schema_ddl",
]
