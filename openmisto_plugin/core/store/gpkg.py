"""GeoPackage store: the embedded default workspace for one user.

The file is created by GDAL/OGR (:func:`schema.create_gpkg`), so its metadata,
rtree indexes and triggers are the standard ones; QGIS opens the tables as
plain ``ogr`` layers. Writes go through Python's ``sqlite3`` with the functions
the GeoPackage rtree triggers call (``ST_IsEmpty``, ``ST_MinX``…) registered on
the connection and geometry blobs written here — measured faster than OGR's
feature API and it gives real SQL transactions, savepoints and upserts
(docs/store.md has the numbers and the reasons).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sqlite3
import struct
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter
from typing import Any

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
    LOCAL_FIELDS,
    PENDING,
    PLATFORM_COLUMNS,
    REFUSED,
    SENT,
    DeadlineColumns,
    OutboxEntry,
    ReportStore,
    StoreError,
    SyncBusyError,
    UpsertCounts,
    assigned_value,
    assignment_candidates,
    backoff,
    district_rows,
    extent_points,
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
from .schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    SRID,
    TABLES,
    SchemaError,
    SchemaTooNewError,
    create_gpkg,
    index_statements,
    too_new_message,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15000
BULK_RTREE_MIN = 64  # from this many new rows per insert, GDAL's per-row triggers are replaced by set statements
_IN_CHUNK = 500  # ids per "IN (...)" query
_LOCAL_COLUMNS = tuple(dict.fromkeys(LOCAL_FIELDS.values()))
_WRITTEN_COLUMNS = (*PLATFORM_COLUMNS, *DERIVED_COLUMNS)
_SET_DERIVED = f"UPDATE reports SET {', '.join(f'{c} = ?' for c in DERIVED_COLUMNS)} WHERE fid = ?"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
_INSERT_COLUMNS = ("service_request_id", *_WRITTEN_COLUMNS, "version", "synced_at", "geom")
_insert_values = itemgetter("service_request_id", *_WRITTEN_COLUMNS)
# rtree entries of points written by this store, from their lat/long columns (the blob is made from
# the same two numbers): plain SQL, so SQLite does it without calling back into Python
_POINT_ENVELOPES = {"reports": "long, long, lat, lat"}

# ---------------------------------------------------------------------------
# GeoPackage geometry blobs (GeoPackage spec §2.1.3) and the ST_* trigger functions

_POINT_HEADER = b"GP\x00\x01" + struct.pack("<i", SRID)  # v0, flags: little endian, no envelope
_POINT_WKB = struct.pack("<BI", 1, 1)
_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}
# the whole point blob in one precompiled pack: magic, version 0, flags, srs_id, then the ISO WKB point
_pack_point = functools.partial(struct.Struct("<2sBBiBIdd").pack, b"GP", 0, 1, SRID, 1, 1)


def point_blob(x: float, y: float) -> bytes:
    """A GeoPackage blob of a 2D point in EPSG:4326 (no envelope, as GDAL writes points)."""
    return _pack_point(x, y)


def _point_or_null(row: dict[str, Any]) -> bytes | None:
    """The geometry blob of a report row; ``None`` (NULL geometry) for a report without a position."""
    return None if row["lat"] is None else point_blob(row["long"], row["lat"])


def geometry_blob(geometry: Any) -> bytes:
    """A GeoPackage blob with an xy envelope for an ``ogr.Geometry``."""
    from osgeo import ogr

    if geometry.IsEmpty():
        return b"GP\x00" + bytes([0x11]) + struct.pack("<i", SRID) + geometry.ExportToIsoWkb(ogr.wkbNDR)
    minx, maxx, miny, maxy = geometry.GetEnvelope()
    header = b"GP\x00" + bytes([0x03]) + struct.pack("<i", SRID) + struct.pack("<dddd", minx, maxx, miny, maxy)
    return header + geometry.ExportToIsoWkb(ogr.wkbNDR)


@functools.lru_cache(maxsize=1024)
def _envelope(blob: bytes) -> tuple[int, float | None, float | None, float | None, float | None]:
    """``(is_empty, minx, maxx, miny, maxy)`` of a GeoPackage blob (cached: triggers ask 5 times)."""
    if len(blob) < 8 or blob[:2] != b"GP":
        return (1, None, None, None, None)
    flags = blob[3]
    if flags & 0x10:
        return (1, None, None, None, None)
    order = "<" if flags & 0x01 else ">"
    indicator = (flags >> 1) & 0x07
    if indicator:
        minx, maxx, miny, maxy = struct.unpack_from(order + "dddd", blob, 8)
        return (0, minx, maxx, miny, maxy)
    wkb_at = 8 + 8 * _ENVELOPE_DOUBLES.get(indicator, 0)
    wkb_order = "<" if blob[wkb_at] == 1 else ">"
    (wkb_type,) = struct.unpack_from(wkb_order + "I", blob, wkb_at + 1)
    if wkb_type == 1:  # 2D point
        x, y = struct.unpack_from(wkb_order + "dd", blob, wkb_at + 5)
        if x != x or y != y:  # NaN: empty point
            return (1, None, None, None, None)
        return (0, x, x, y, y)
    from osgeo import ogr

    geometry = ogr.CreateGeometryFromWkb(bytes(blob[wkb_at:]))
    if geometry is None or geometry.IsEmpty():
        return (1, None, None, None, None)
    minx, maxx, miny, maxy = geometry.GetEnvelope()
    return (0, minx, maxx, miny, maxy)


def _st(index: int):
    def function(blob: bytes | None):
        if blob is None:
            return None
        return _envelope(bytes(blob))[index]

    return function


def register_gpkg_functions(conn: sqlite3.Connection) -> None:
    """Register what the GeoPackage rtree triggers call, so plain SQL writes keep the index right."""
    for index, name in enumerate(("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        conn.create_function(name, 1, _st(index), deterministic=True)


def _chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _parse_geometry(value: Any) -> Any:
    """``ogr.Geometry`` (multipolygon) from WKT, GeoJSON text/dict or an ``ogr.Geometry``."""
    from osgeo import ogr

    if hasattr(value, "ExportToIsoWkb"):
        geometry = value.Clone()
    elif isinstance(value, dict):
        geometry = ogr.CreateGeometryFromJson(json.dumps(value))
    elif isinstance(value, str) and value.lstrip().startswith("{"):
        geometry = ogr.CreateGeometryFromJson(value)
    elif isinstance(value, str):
        geometry = ogr.CreateGeometryFromWkt(value)
    else:
        raise StoreError(tr("Unsupported geometry: {value}").format(value=type(value).__name__))
    if geometry is None:
        raise StoreError(tr("Unreadable geometry"))
    return ogr.ForceToMultiPolygon(geometry)


# ---------------------------------------------------------------------------


def _leave_wal(conn: sqlite3.Connection, path: str) -> None:
    """Use the rollback journal (``journal_mode=DELETE``, GDAL's default for GeoPackage), never WAL.

    In WAL mode committed changes live in ``-wal``/``-shm`` files beside the workspace until a checkpoint:
    a backup tool or a user removing them, another program opening and closing the file in this process
    (which drops SQLite's POSIX locks), or a network share gives "disk I/O error" and loses those changes.
    With the rollback journal every commit is in the file itself and nothing is left beside it when idle.
    A file still held in WAL mode by another program keeps it until that program lets go (logged).
    """
    conn.execute("PRAGMA busy_timeout=2000")
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlite3.OperationalError as exc:  # another connection holds it in WAL mode right now
        mode = f"wal ({exc})"
    if str(mode).lower() != "delete":
        log.warning("The workspace %s stays in journal mode %s while another program holds it", path, mode)


class GeoPackageStore(ReportStore):
    """A workspace in one GeoPackage file (see module docstring)."""

    provider = "ogr"

    def __init__(self, path: str, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()
        self._depth = 0
        self._extents: dict[str, list[float]] = {}
        self._dirty: set[str] = set()
        self._districts_cache: list[tuple[str, Any, Any, Any]] | None = None
        self._deadlines: DeadlineColumns | None = None

    # -- lifecycle -------------------------------------------------------
    @classmethod
    def create(cls, path: str) -> GeoPackageStore:
        """Create a new workspace (fails when the file exists)."""
        create_gpkg(str(path))
        return cls.open(path)

    @classmethod
    def open(cls, path: str) -> GeoPackageStore:
        """Open an existing workspace; migrates older schemas, refuses newer ones."""
        path = str(path)
        if not os.path.exists(path):
            raise SchemaError(tr("The workspace {path} does not exist.").format(path=path))
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        try:
            conn.row_factory = sqlite3.Row
            _leave_wal(conn, path)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA cache_size=-32768")
            register_gpkg_functions(conn)
            store = cls(path, conn)
            store._check_schema()
            if store._missing_indexes():
                store._ensure_indexes()  # a bulk load was interrupted
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def open_or_create(cls, path: str) -> GeoPackageStore:
        """Open ``path``, creating the workspace first when the file does not exist."""
        return cls.open(path) if os.path.exists(str(path)) else cls.create(path)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None  # type: ignore[assignment]

    def _check_schema(self) -> None:
        conn = self._conn
        try:
            (app_id,) = conn.execute("PRAGMA application_id").fetchone()
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise SchemaError(
                tr("{path} is not an OpenMisto workspace: {error}").format(path=self.path, error=exc)
            ) from exc
        if app_id != 0x47504B47 or row is None:  # 'GPKG'
            raise SchemaError(tr("{path} is not an OpenMisto workspace.").format(path=self.path))
        version = int(row[0])
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(too_new_message(self.path, version))
        while version < SCHEMA_VERSION:
            log.info("Migrating %s from schema %s to %s", self.path, version, version + 1)
            with self.transaction():
                MIGRATIONS[version](conn)
                version += 1
                conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))

    def _missing_indexes(self) -> bool:
        names = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        return any(name not in names for table in TABLES for name, _sql in index_statements(table))

    @property
    def schema_version(self) -> int:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0])

    # -- transactions ----------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One SQLite transaction (``BEGIN IMMEDIATE``); nested calls are savepoints."""
        with self._lock:
            if self._conn is None:
                raise StoreError(tr("The workspace is closed."))
            if self._depth == 0:
                self._conn.execute("BEGIN IMMEDIATE")
                self._depth = 1
                try:
                    yield
                    self._write_contents()
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    self._extents.clear()
                    self._dirty.clear()
                    raise
                else:
                    self._conn.execute("COMMIT")
                finally:
                    self._depth = 0
            else:
                name = f"sp_{self._depth}"
                self._conn.execute(f"SAVEPOINT {name}")
                self._depth += 1
                try:
                    yield
                except BaseException:
                    self._conn.execute(f"ROLLBACK TO {name}")
                    self._conn.execute(f"RELEASE {name}")
                    raise
                else:
                    self._conn.execute(f"RELEASE {name}")
                finally:
                    self._depth -= 1

    def _grow_extent(self, table: str, xs: Sequence[float], ys: Sequence[float]) -> None:
        if not xs:
            return
        box = [min(xs), min(ys), max(xs), max(ys)]
        old = self._extents.get(table)
        if old:
            box = [min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]), max(old[3], box[3])]
        self._extents[table] = box

    def _write_contents(self) -> None:
        """Keep ``gpkg_contents`` (extent, last_change) in step, as GDAL does."""
        stamp = to_store(now_utc())
        for table, (minx, miny, maxx, maxy) in self._extents.items():
            self._conn.execute(
                "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), min_y = min(coalesce(min_y, ?), ?),"
                " max_x = max(coalesce(max_x, ?), ?), max_y = max(coalesce(max_y, ?), ?), last_change = ?"
                " WHERE table_name = ?",
                (minx, minx, miny, miny, maxx, maxx, maxy, maxy, stamp, table),
            )
        for table in self._dirty - set(self._extents):
            self._conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (stamp, table))
        self._extents.clear()
        self._dirty.clear()

    # -- reports ---------------------------------------------------------
    def _existing_reports(self, ids: Sequence[str]) -> dict[str, sqlite3.Row]:
        cols = ", ".join(("fid", "service_request_id", "version", *PLATFORM_COLUMNS, *DERIVED_COLUMNS))
        found: dict[str, sqlite3.Row] = {}
        for chunk in _chunks(ids):
            sql = f"SELECT {cols} FROM reports WHERE service_request_id IN ({_marks(len(chunk))})"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            for row in self._conn.execute(sql, chunk):
                found[row["service_request_id"]] = row
        return found

    def _active_entries(self, ids: Sequence[str]) -> dict[str, list[OutboxEntry]]:
        """Pending/conflict outbox entries of these reports (none in most pages: one indexed probe)."""
        if not self._conn.execute("SELECT 1 FROM outbox WHERE state IN ('pending', 'conflict') LIMIT 1").fetchone():
            return {}
        found: dict[str, list[OutboxEntry]] = {}
        for chunk in _chunks(ids):
            sql = (
                f"SELECT * FROM outbox WHERE service_request_id IN ({_marks(len(chunk))})"  # noqa: S608 - only ? placeholders are interpolated; values are bound  # nosec B608
                " AND state IN ('pending', 'conflict') ORDER BY id"
            )
            for row in self._conn.execute(sql, chunk):
                found.setdefault(row["service_request_id"], []).append(_entry(row))
        return found

    def upsert_requests(self, requests: Sequence[ServiceRequest], synced_at: datetime | None = None) -> UpsertCounts:
        """Insert or update reports; unchanged = same ``updated_datetime`` and content.

        Reports with local changes still in the outbox keep those changes on top of the
        platform's copy; the platform's copy is kept in the outbox entry (docs/store.md).
        """
        rows: dict[str, dict[str, Any]] = {}
        for req in valid_requests(requests):
            row = request_row(req)
            rows[row["service_request_id"]] = row
        counts = UpsertCounts()
        if not rows:
            return counts
        synced = to_store(synced_at or now_utc())
        ids = list(rows)
        with self.transaction():
            existing = self._existing_reports(ids)
            active = self._active_entries(ids)
            assignments = self._assignments(assignment_candidates(rows, active))
            inserts, updates, derived, counts.unchanged = plan_rows(
                rows, existing, active, assignments, self._deadline_columns(), self._note_platform_copy
            )
            if inserts:
                self._insert_reports(inserts, synced)
                counts.new = len(inserts)
            if updates:
                self._update_reports(updates, synced)
                counts.updated = len(updates)
            if derived:
                self._conn.executemany(_SET_DERIVED, [(*values, fid) for _, fid, *values in derived])
            if inserts or updates or derived:
                self._dirty.add("reports")
                need = [r["service_request_id"] for r in inserts] + [r["service_request_id"] for r, _, _ in updates]
                self.fill_districts([sid for sid in need if rows[sid]["district"] is None])
        return counts

    def _insert_reports(self, rows: list[dict[str, Any]], synced: str) -> None:
        sql = f"INSERT INTO reports ({', '.join(_INSERT_COLUMNS)}) VALUES ({_marks(len(_INSERT_COLUMNS))})"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        tail = (1, synced)
        pack = _pack_point
        params = [(*_insert_values(r), *tail, None if r["lat"] is None else pack(r["long"], r["lat"])) for r in rows]
        self._grow_extent("reports", *extent_points(rows))  # not by reports far outside the city
        self._bulk_insert("reports", sql, params)

    def _bulk_insert(self, table: str, sql: str, params: Sequence[Sequence[Any]]) -> None:
        """``executemany(sql, params)``; for many rows GDAL's per-row insert triggers (rtree entry,
        ``gpkg_ogr_contents.feature_count``) are replaced by one set statement each.

        The triggers are dropped and re-created inside this transaction (DDL is transactional in
        SQLite), so every committed state, and every reader, has them.
        """
        triggers = self._insert_triggers(table) if len(params) >= BULK_RTREE_MIN else {}
        if not triggers:
            self._conn.executemany(sql, params)
            return
        info = TABLES[table]
        with self.transaction():
            (last_fid,) = self._conn.execute(f'SELECT coalesce(max("{info.fid}"), 0) FROM "{table}"').fetchone()  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            for name in triggers.values():
                self._conn.execute(f'DROP TRIGGER "{name[0]}"')
            self._conn.executemany(sql, params)
            if "rtree" in triggers:
                g, fid = info.geometry_column, info.fid
                envelope = _POINT_ENVELOPES.get(table)
                if envelope:  # points from their own lat/long: no Python call per row, the GIL stays free
                    select = f'SELECT "{fid}", {envelope} FROM "{table}" WHERE "{fid}" > ? AND {g} NOT NULL'  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                else:
                    select = (
                        f'SELECT "{fid}", ST_MinX({g}), ST_MaxX({g}), ST_MinY({g}), ST_MaxY({g}) FROM "{table}"'  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                        f' WHERE "{fid}" > ? AND {g} NOT NULL AND NOT ST_IsEmpty({g})'
                    )
                self._conn.execute(f'INSERT OR REPLACE INTO "rtree_{table}_{g}" {select}', (last_fid,))
            if "count" in triggers:
                (added,) = self._conn.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{info.fid}" > ?',  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                    (last_fid,),
                ).fetchone()
                self._conn.execute(
                    "UPDATE gpkg_ogr_contents SET feature_count = feature_count + ? WHERE lower(table_name) = lower(?)",
                    (added, table),
                )
            for _name, trigger_sql in triggers.values():
                self._conn.execute(trigger_sql)

    def _insert_triggers(self, table: str) -> dict[str, tuple[str, str]]:
        """GDAL's per-row insert triggers of ``table`` that :meth:`_bulk_insert` knows how to replace."""
        names = {"count": f"trigger_insert_feature_count_{table}"}
        if TABLES[table].geometry:
            names["rtree"] = f"rtree_{table}_{TABLES[table].geometry_column}_insert"
        found: dict[str, tuple[str, str]] = {}
        for kind, name in names.items():
            row = self._conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
            ).fetchone()
            if row:
                found[kind] = (name, row[0])
        return found

    # -- bulk loading -----------------------------------------------------
    @contextmanager
    def bulk_load(self) -> Iterator[bool]:
        """A block of many writes in many transactions (a full sync).

        - Each page is one transaction in the rollback journal with ``synchronous=FULL``: a kill or a
          power cut loses at most the page being written, which the next sync fetches again (its
          watermark is only saved after the block).
        - Into an empty ``reports`` table (a first sync) the filter indexes are dropped and built
          once at the end, much faster than row by row. They come back at the end of the block,
          also on an error; a workspace left without them (a kill) gets them back when next opened.

        Yields whether the indexes were deferred.
        """
        with self._lock:
            deferred = self._conn.execute("SELECT 1 FROM reports LIMIT 1").fetchone() is None
            if deferred:
                with self.transaction():
                    for name, _sql in index_statements("reports"):
                        self._conn.execute(f'DROP INDEX IF EXISTS "{name}"')
            try:
                yield deferred
            finally:
                if deferred:
                    self._ensure_indexes()

    def _ensure_indexes(self) -> None:
        """Create the secondary indexes of the schema that are missing."""
        with self.transaction():
            for table in TABLES:
                for _name, sql in index_statements(table):
                    self._conn.execute(sql)

    def _update_reports(self, updates: list[tuple[dict[str, Any], int, bool]], synced: str) -> None:
        assignments = ", ".join(f"{c} = ?" for c in _WRITTEN_COLUMNS)
        plain = f"UPDATE reports SET {assignments}, version = version + 1, synced_at = ? WHERE fid = ?"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        moved = f"UPDATE reports SET {assignments}, geom = ?, version = version + 1, synced_at = ? WHERE fid = ?"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        same = [(*(r[c] for c in _WRITTEN_COLUMNS), synced, fid) for r, fid, m in updates if not m]
        move = [(*(r[c] for c in _WRITTEN_COLUMNS), _point_or_null(r), synced, fid) for r, fid, m in updates if m]
        if same:
            self._conn.executemany(plain, same)
        if move:
            self._conn.executemany(moved, move)
            self._grow_extent("reports", *extent_points(r for r, _, m in updates if m))

    def _note_platform_copy(self, entries: list[OutboxEntry], row: dict[str, Any]) -> None:
        """Keep the platform's version of a report that has local changes in the outbox."""
        copy, stale = platform_copy(entries, row)
        for entry in stale:
            self._conn.execute("UPDATE outbox SET platform_json = ? WHERE id = ?", (copy, entry.id))
            entry.platform = json.loads(copy)

    # -- assignment and deadlines -----------------------------------------
    def _load_procedure(self) -> Procedure:
        return cached_procedure()  # this module's name, so that it can be patched here (tests)

    def _assignments(self, ids: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        """``id -> (latest action_scheduled of the history, latest local one)`` (store text)."""
        found: dict[str, tuple[str | None, str | None]] = {}
        if not ids or not self._conn.execute("SELECT 1 FROM request_updates LIMIT 1").fetchone():
            return found
        for chunk in _chunks(list(ids)):
            sql = (
                "SELECT service_request_id, max(updated_datetime),"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                " max(CASE WHEN origin = 'local' THEN updated_datetime END) FROM request_updates"
                f" WHERE service_request_id IN ({_marks(len(chunk))}) AND external_status_code = 'action_scheduled'"
                " GROUP BY service_request_id"
            )
            for sid, latest, local in self._conn.execute(sql, chunk):
                found[sid] = (latest, local)
        return found

    def _refresh_derived(self, ids: Iterable[str] | None = None, without_platform_assignment: bool = False) -> int:
        """Recompute ``assigned_datetime``, ``deadline``, ``deadline_stage`` of these reports (all: ``None``);
        ``without_platform_assignment``: only those of them whose platform copy has no ``assigned_datetime``."""
        deadlines = self._deadline_columns()
        cols = (
            "fid, service_request_id, status, external_status_code, service_code, requested_datetime,"
            " updated_datetime, expected_datetime, assigned_datetime, deadline, deadline_stage,"
            " json_extract(extended_json, '$.assigned_datetime') AS platform_assigned"
        )
        if ids is None:
            ids = [r[0] for r in self._conn.execute("SELECT service_request_id FROM reports")]
        changed = 0
        only = " AND coalesce(platform_assigned, '') = ''" if without_platform_assignment else ""
        for chunk in _chunks(list(dict.fromkeys(str(i) for i in ids))):
            rows = self._conn.execute(
                f"SELECT {cols} FROM reports WHERE service_request_id IN ({_marks(len(chunk))}){only}",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                chunk,
            ).fetchall()
            if not rows:
                continue
            assignments = self._assignments([r["service_request_id"] for r in rows])
            writes = []
            for old in rows:
                row = dict(old)
                row["assigned_datetime"] = assigned_value(
                    store_time(old["platform_assigned"]), *assignments.get(old["service_request_id"], (None, None))
                )
                row["deadline"], row["deadline_stage"] = deadlines.columns(row)
                values = tuple(row[c] for c in DERIVED_COLUMNS)
                if values != tuple(old[c] for c in DERIVED_COLUMNS):
                    writes.append((*values, old["fid"]))
            if writes:
                self._conn.executemany(_SET_DERIVED, writes)
                self._dirty.add("reports")
                changed += len(writes)
        return changed

    def refresh_deadlines(self, service_request_ids: Sequence[str] | None = None) -> int:
        """Recompute the assignment time and deadline of reports (all by default, e.g. after the
        Procedure file changed); returns how many rows changed."""
        with self.transaction():
            return self._refresh_derived(service_request_ids)

    # -- districts -------------------------------------------------------
    def upsert_districts(self, districts: Iterable[tuple[str, str, Any]]) -> UpsertCounts:
        counts = UpsertCounts()
        with self.transaction():
            for code, name, geometry_value in district_rows(districts):
                geometry = _parse_geometry(geometry_value)
                blob = geometry_blob(geometry)
                old = self._conn.execute("SELECT fid, name, geom FROM districts WHERE code = ?", (code,)).fetchone()
                if old is None:
                    self._conn.execute("INSERT INTO districts (code, name, geom) VALUES (?, ?, ?)", (code, name, blob))
                    counts.new += 1
                elif old["name"] == name and bytes(old["geom"] or b"") == blob:
                    counts.unchanged += 1
                    continue
                else:
                    self._conn.execute(
                        "UPDATE districts SET name = ?, geom = ? WHERE fid = ?", (name, blob, old["fid"])
                    )
                    counts.updated += 1
                minx, maxx, miny, maxy = geometry.GetEnvelope()
                self._grow_extent("districts", [minx, maxx], [miny, maxy])
            self._districts_cache = None
        return counts

    def _district_engines(self) -> list[tuple[str, Any, Any, Any]]:
        if self._districts_cache is None:
            from qgis.core import QgsGeometry

            from ..prepared_geometry import PreparedGeometry

            engines = []
            for row in self._conn.execute("SELECT code, geom FROM districts WHERE geom NOT NULL ORDER BY code"):
                blob = bytes(row["geom"])
                flags = blob[3]
                wkb_at = 8 + 8 * _ENVELOPE_DOUBLES.get((flags >> 1) & 0x07, 0)
                geometry = QgsGeometry()
                geometry.fromWkb(blob[wkb_at:])
                if geometry.isEmpty():
                    continue
                engines.append((row["code"], geometry, PreparedGeometry(geometry), geometry.boundingBox()))
            self._districts_cache = engines
        return self._districts_cache

    def fill_districts(self, service_request_ids: Sequence[str] | None = None) -> int:
        """Point-in-polygon against ``districts`` for reports without a district."""
        from qgis.core import QgsPoint, QgsPointXY

        with self.transaction():
            engines = self._district_engines()
            if not engines:
                return 0
            if service_request_ids is None:
                candidates = self._conn.execute(
                    "SELECT fid, long, lat FROM reports WHERE district IS NULL AND geom NOT NULL"
                ).fetchall()
            else:
                candidates = []
                for chunk in _chunks(list(service_request_ids)):
                    candidates += self._conn.execute(
                        f"SELECT fid, long, lat FROM reports WHERE district IS NULL AND service_request_id IN"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                        f" ({_marks(len(chunk))})",
                        chunk,
                    ).fetchall()
            found = []
            for fid, x, y in candidates:
                if x is None or y is None:
                    continue
                point = QgsPoint(x, y)
                xy = QgsPointXY(x, y)
                for code, _geometry, engine, bbox in engines:
                    if bbox.contains(xy) and engine.intersects(point):
                        found.append((code, fid))
                        break
            if found:
                self._conn.executemany("UPDATE reports SET district = ? WHERE fid = ?", found)
                self._dirty.add("reports")
        return len(found)

    # -- reference tables ------------------------------------------------
    def _upsert_keyed(self, table: str, key: str, rows: list[dict[str, Any]]) -> UpsertCounts:
        counts = UpsertCounts()
        if not rows:
            return counts
        cols = list(rows[0])
        with self.transaction():
            keys = [r[key] for r in rows]
            existing: dict[Any, sqlite3.Row] = {}
            for chunk in _chunks(keys):
                sql = f"SELECT {', '.join(cols)} FROM {table} WHERE {key} IN ({_marks(len(chunk))})"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                for row in self._conn.execute(sql, chunk):
                    existing[row[key]] = row
            insert = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({_marks(len(cols))})"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            others = [c for c in cols if c != key]
            update = f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in others)} WHERE {key} = ?"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            for row in rows:
                old = existing.get(row[key])
                if old is None:
                    self._conn.execute(insert, [row[c] for c in cols])
                    counts.new += 1
                    existing[row[key]] = row  # type: ignore[assignment]
                elif all(old[c] == row[c] for c in others):
                    counts.unchanged += 1
                else:
                    self._conn.execute(update, [*(row[c] for c in others), row[key]])
                    counts.updated += 1
            if counts.new or counts.updated:
                self._dirty.add(table)
        return counts

    # -- history ---------------------------------------------------------
    def add_history(self, updates: Iterable[RequestUpdate], origin: str = "platform", author: str | None = None) -> int:
        cols = HISTORY_COLUMNS
        params = [history_params(u, author, origin) for u in updates]
        if not params:
            return 0
        sets = HISTORY_SETS
        sql = (
            f"INSERT INTO request_updates ({', '.join(cols)}) VALUES ({_marks(len(cols))})"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            f" ON CONFLICT(update_id) DO UPDATE SET {sets}, author = coalesce(excluded.author, author)"
        )
        ids = list(dict.fromkeys(p[0] for p in params))
        assigned = {p[1] for p in params if (p[3] or "").lower() == "action_scheduled"}
        with self.transaction():
            known = 0
            local: set[str] = set()  # reports of local entries this batch changes (the platform's copy of a push)
            for chunk in _chunks(ids):
                for (sid,) in self._conn.execute(
                    f"SELECT CASE WHEN origin = 'local' THEN service_request_id END FROM request_updates"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                    f" WHERE update_id IN ({_marks(len(chunk))})",
                    chunk,
                ):
                    known += 1
                    if sid is not None:
                        local.add(sid)
            self._bulk_insert("request_updates", sql, params)
            self._dirty.add("request_updates")
            if origin == "platform":
                # Platform entries change a report's assignment time only where the platform sends no
                # assigned_datetime of its own (the history's latest action_scheduled is used then), or
                # through a local entry of the report that they update; other reports keep theirs.
                if assigned - local:
                    self._refresh_derived(assigned - local, without_platform_assignment=True)
                if local:
                    self._refresh_derived(local)
            elif assigned:
                self._refresh_derived(assigned)
        return len(ids) - known

    def history(self, service_request_id: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM request_updates WHERE service_request_id = ? ORDER BY updated_datetime, fid",
                (str(service_request_id),),
            ).fetchall()
        return [dict(r) for r in rows]

    # -- reading ---------------------------------------------------------
    def report(self, service_request_id: str) -> dict[str, Any] | None:
        cols = ", ".join(c.name for c in TABLES["reports"].columns)
        with self._lock:
            row = self._conn.execute(
                f"SELECT fid, {cols} FROM reports WHERE service_request_id = ?",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                (str(service_request_id),),
            ).fetchone()
        return dict(row) if row else None

    def count(self, where: str | None = None, params: Sequence[Any] = ()) -> int:
        """Number of reports, optionally ``WHERE <where>`` (trusted SQL from code, values in ``params``)."""
        sql = "SELECT count(*) FROM reports" + (f" WHERE {where}" if where else "")  # noqa: S608 - where is the calling code's SQL, never platform or user text  # nosec B608
        with self._lock:
            return int(self._conn.execute(sql, tuple(params)).fetchone()[0])

    def get_state(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return row[0] if row and row[0] is not None else default

    def set_state(self, key: str, value: str | None) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO sync_state (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def layer_uri(self, table: str = "reports") -> str:
        return f"{self.path}|layername={table}"

    # -- generic SQL -----------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts (``?`` placeholders), the same API as :meth:`PostGisStore.query`."""
        with self._lock:
            if self._conn is None:
                raise StoreError(tr("The workspace is closed."))
            return [dict(r) for r in self._conn.execute(sql, tuple(params)).fetchall()]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One write statement (``?`` placeholders); joins the caller's transaction. Returns the row count."""
        with self.transaction():
            return self._conn.execute(sql, tuple(params)).rowcount

    # -- sync lock -------------------------------------------------------
    @contextmanager
    def sync_lock(self, wait_s: float = 0.0, poll_s: float = 0.25) -> Iterator[None]:
        """One sync at a time on this file: a lock file ``<workspace>.sync.lock`` (Qt's ``QLockFile``).

        Works between QGIS and a scheduled ``qgis_process`` on the same machine (and between two tasks of
        one process); a lock left by a killed process is stale (its pid is gone) and taken over.
        :class:`SyncBusyError` when another sync keeps it past ``wait_s`` seconds.
        """
        from qgis.PyQt.QtCore import QLockFile

        lock = QLockFile(self.path + ".sync.lock")
        lock.setStaleLockTime(0)  # stale only when its process is gone: a full sync may take minutes
        if not lock.tryLock(int(max(0.0, wait_s) * 1000)):
            ok, pid, host, _app = lock.getLockInfo()
            holder = tr("process {pid} on {host}").format(pid=pid, host=host) if ok else "?"
            message = tr("Another sync is running on {where} ({holder}); this one is skipped.").format(
                where=self.path, holder=holder
            )
            log.info("%s", message)
            raise SyncBusyError(message)
        try:
            yield
        finally:
            lock.unlock()

    # -- outbox ----------------------------------------------------------
    def record_local_update(
        self, service_request_id: str, fields: dict[str, Any], author: str, base_version: int | None = None
    ) -> str:
        """Apply a change to the report, add it to the history and queue it — one transaction.

        ``base_version``: the report's ``version`` the user saw; when it moved on (another change since,
        e.g. a sync or a second dialog) nothing is written and :class:`VersionConflictError` is raised.
        """
        update_id = str(uuid.uuid4())
        now = to_store(now_utc())
        sid = str(service_request_id)
        payload = wire_payload(fields)
        with self.transaction():
            row = self._conn.execute("SELECT * FROM reports WHERE service_request_id = ?", (sid,)).fetchone()
            if row is None:
                raise StoreError(tr("Unknown report {id}").format(id=sid))
            if base_version is not None and int(row["version"] or 0) != int(base_version):
                last = self._conn.execute(
                    "SELECT author FROM request_updates WHERE service_request_id = ? AND origin = 'local'"
                    " ORDER BY updated_datetime DESC, fid DESC LIMIT 1",
                    (sid,),
                ).fetchone()
                current = dict(row)
                current.pop("geom", None)
                log.info("Version conflict on report %s: base %s, now %s", sid, base_version, row["version"])
                raise version_conflict(current, int(base_version), payload, last["author"] if last else None)
            columns = local_columns(fields)
            history, outbox = local_update_params(update_id, sid, row, fields, columns, author, now, payload)
            sets = "".join(f"{c} = ?, " for c in columns)
            self._conn.execute(
                f"UPDATE reports SET {sets}version = version + 1 WHERE fid = ?",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                (*columns.values(), row["fid"]),
            )
            self._conn.execute(
                "INSERT INTO request_updates (update_id, service_request_id, status, external_status_code,"
                " updated_datetime, description, agency_responsible, media_url, author, origin)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'local')",
                history,
            )
            self._conn.execute(
                "INSERT INTO outbox (update_id, service_request_id, payload_json, base_version,"
                " expected_updated_datetime, created_at, state, attempts, next_attempt_at, author, base_json)"
                " VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
                outbox,
            )
            self._refresh_derived([sid])
            self._dirty.update(("reports", "request_updates", "outbox"))
        return update_id

    def place_report(
        self, service_request_id: str, lat: float, lon: float, author: str, base_version: int | None = None
    ) -> dict[str, Any]:
        """A position by hand (:meth:`ReportStore.place_report`): the point, its district, the version."""
        sid = str(service_request_id)
        now = to_store(now_utc())
        with self.transaction():
            row = self._conn.execute("SELECT * FROM reports WHERE service_request_id = ?", (sid,)).fetchone()
            if row is None:
                raise StoreError(tr("Unknown report {id}").format(id=sid))
            if base_version is not None and int(row["version"] or 0) != int(base_version):
                current = dict(row)
                current.pop("geom", None)
                raise version_conflict(current, int(base_version), {"lat": lat, "long": lon}, None)
            values = placement(lat, lon, author, now, row)
            sets = "".join(f"{c} = ?, " for c in values)
            self._conn.execute(
                f"UPDATE reports SET {sets}geom = ?, version = version + 1 WHERE fid = ?",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                (*values.values(), point_blob(values["long"], values["lat"]), row["fid"]),
            )
            self._grow_extent("reports", [values["long"]], [values["lat"]])
            self._dirty.add("reports")
            if row["district"] is None:
                self.fill_districts([sid])
        log.info("Report %s placed by hand by %s at lat=%s, long=%s (kept locally)", sid, author, lat, lon)
        return self.report(sid) or {}

    def _entry(self, update_id: str) -> OutboxEntry:
        row = self._conn.execute("SELECT * FROM outbox WHERE update_id = ?", (update_id,)).fetchone()
        if row is None:
            raise StoreError(tr("Unknown outbox entry {id}").format(id=update_id))
        return _entry(row)

    def pending_outbox(self, now: datetime | None = None, limit: int | None = None) -> list[OutboxEntry]:
        """Pending entries due at ``now``, oldest first."""
        stamp = to_store(now or now_utc())
        sql = (
            "SELECT * FROM outbox WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
            " ORDER BY id"
        )
        params: tuple[Any, ...] = (stamp,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (int(limit),)
        with self._lock:
            return [_entry(r) for r in self._conn.execute(sql, params)]

    def outbox_entries(self, states: Sequence[str] | None = None) -> list[OutboxEntry]:
        sql = "SELECT * FROM outbox"
        params: tuple[Any, ...] = ()
        if states:
            sql += f" WHERE state IN ({_marks(len(states))})"
            params = tuple(states)
        with self._lock:
            return [_entry(r) for r in self._conn.execute(sql + " ORDER BY id", params)]

    def mark_outbox_sent(self, update_id: str, platform_updated_datetime: datetime | str | None = None) -> None:
        """The platform confirmed: the entry is done; later entries of the report expect the new time."""
        stamp = platform_updated_datetime
        if isinstance(stamp, datetime):
            stamp = to_store(stamp)
        with self.transaction():
            entry = self._entry(update_id)
            self._conn.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?, platform_updated_datetime = ?, last_error = NULL,"
                " http_status = NULL, attempts = attempts + 1 WHERE id = ?",
                (to_store(now_utc()), stamp, entry.id),
            )
            if stamp:
                self._conn.execute(
                    "UPDATE reports SET updated_datetime = ? WHERE service_request_id = ?"
                    " AND (updated_datetime IS NULL OR updated_datetime < ?)",
                    (stamp, entry.service_request_id, stamp),
                )
                self._conn.execute(
                    "UPDATE outbox SET expected_updated_datetime = ? WHERE service_request_id = ? AND state = 'pending'"
                    " AND id > ? AND expected_updated_datetime IS ?",
                    (stamp, entry.service_request_id, entry.id, entry.expected_updated_datetime),
                )
                self._refresh_derived([entry.service_request_id])
            self._dirty.update(("outbox", "reports"))

    def mark_outbox_failed(
        self,
        update_id: str,
        error: str,
        http_status: int | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        """A try failed for a passing reason: stays pending, next try after a growing delay."""
        with self.transaction():
            entry = self._entry(update_id)
            attempts = entry.attempts + 1
            when = retry_at or (now_utc() + backoff(attempts))
            self._conn.execute(
                "UPDATE outbox SET attempts = ?, last_error = ?, http_status = ?, next_attempt_at = ? WHERE id = ?",
                (attempts, error, http_status, to_store(when), entry.id),
            )
            self._dirty.add("outbox")

    def mark_outbox_refused(self, update_id: str, reason: str, http_status: int | None = None) -> None:
        """The platform refused (400/403): kept with the reason; the report shows the platform's values again."""
        with self.transaction():
            entry = self._entry(update_id)
            self._conn.execute(
                "UPDATE outbox SET state = 'refused', last_error = ?, http_status = ?, attempts = attempts + 1"
                " WHERE id = ?",
                (reason, http_status, entry.id),
            )
            if entry.state in ACTIVE_STATES:
                self._undo_local(entry)

    def mark_outbox_conflict(self, update_id: str, reason: str, platform: dict[str, Any] | None = None) -> None:
        """409: both versions are kept (the local payload and ``platform``) until the user decides."""
        with self.transaction():
            entry = self._entry(update_id)
            self._conn.execute(
                "UPDATE outbox SET state = 'conflict', last_error = ?, http_status = 409, attempts = attempts + 1,"
                " platform_json = coalesce(?, platform_json) WHERE id = ?",
                (reason, json.dumps(platform, ensure_ascii=False, default=str) if platform else None, entry.id),
            )
            self._dirty.add("outbox")

    def reapply_outbox(self, update_id: str) -> None:
        """Conflict -> pending again, now expecting the platform's current ``updated_datetime``."""
        with self.transaction():
            entry = self._entry(update_id)
            if entry.state != CONFLICT:
                raise StoreError(tr("Only a conflicting change can be re-applied."))
            report = self._conn.execute(
                "SELECT fid, updated_datetime FROM reports WHERE service_request_id = ?", (entry.service_request_id,)
            ).fetchone()
            expected = report["updated_datetime"] if report else None
            platform_time = (entry.platform or {}).get("updated_datetime")
            if platform_time and (expected is None or platform_time > expected):
                expected = platform_time
            self._conn.execute(
                "UPDATE outbox SET state = 'pending', expected_updated_datetime = ?, attempts = 0,"
                " next_attempt_at = ?, last_error = NULL, http_status = NULL WHERE id = ?",
                (expected, to_store(now_utc()), entry.id),
            )
            columns = local_columns(entry.payload)
            if report is not None and columns:
                sets = "".join(f"{c} = ?, " for c in columns)
                self._conn.execute(
                    f"UPDATE reports SET {sets}version = version + 1 WHERE fid = ?",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                    (*columns.values(), report["fid"]),
                )
                self._refresh_derived([entry.service_request_id])
            self._dirty.update(("outbox", "reports"))

    def drop_outbox(self, update_id: str) -> None:
        """Forget a change; if it was not confirmed, the report shows the platform's values again."""
        with self.transaction():
            entry = self._entry(update_id)
            if entry.state in ACTIVE_STATES:
                self._undo_local(entry)
            self._conn.execute("DELETE FROM outbox WHERE id = ?", (entry.id,))
            self._dirty.add("outbox")

    def _undo_local(self, removed: OutboxEntry) -> None:
        """Recompose the report from the platform's values and the entries still active."""
        sid = removed.service_request_id
        rows = self._conn.execute(
            "SELECT * FROM outbox WHERE service_request_id = ? AND (state IN ('pending', 'conflict') OR id = ?)"
            " ORDER BY id",
            (sid, removed.id),
        ).fetchall()
        values = undo_values([_entry(r) for r in rows], removed.id)
        if values:
            sets = "".join(f"{c} = ?, " for c in values)
            self._conn.execute(
                f"UPDATE reports SET {sets}version = version + 1 WHERE service_request_id = ?",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                (*values.values(), sid),
            )
        if removed.state != SENT:
            self._conn.execute(
                "DELETE FROM request_updates WHERE update_id = ? AND origin = 'local'", (removed.update_id,)
            )
        self._refresh_derived([sid])
        self._dirty.update(("reports", "request_updates", "outbox"))


_entry = outbox_entry

__all__ = [
    "CONFLICT",
    "PENDING",
    "REFUSED",
    "SENT",
    "GeoPackageStore",
    "geometry_blob",
    "point_blob",
    "register_gpkg_functions",
]
