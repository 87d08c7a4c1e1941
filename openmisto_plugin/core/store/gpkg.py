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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from ..i18n import tr
from ..timeutil import now_utc, to_store
from .records import DERIVED_COLUMNS, StoreError, SyncBusyError, UpsertCounts
from .rows import DeadlineColumns, district_rows, extent_points
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
from .sql import WRITTEN_COLUMNS, SqlReportStore

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15000
BULK_RTREE_MIN = 64  # from this many new rows per insert, GDAL's per-row triggers are replaced by set statements
_IN_CHUNK = 500  # ids per "IN (...)" query
_WRITTEN_COLUMNS = WRITTEN_COLUMNS
_SET_DERIVED = f"UPDATE reports SET {', '.join(f'{c} = ?{n}' for n, c in enumerate(DERIVED_COLUMNS, 2))} WHERE fid = ?1"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
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


def blob_wkb(blob: bytes | None) -> bytes | None:
    """The ISO WKB inside a GeoPackage geometry blob (``None`` for no blob or one that is not a GeoPackage's)."""
    if not blob or len(blob) < 8 or bytes(blob[:2]) != b"GP":
        return None
    return bytes(blob[8 + 8 * _ENVELOPE_DOUBLES.get((blob[3] >> 1) & 0x07, 0) :])


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


class GeoPackageStore(SqlReportStore):
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
    begin_sql = "BEGIN IMMEDIATE"

    def _is_open(self) -> bool:
        return self._conn is not None

    def _control(self, sql: str) -> None:
        self._conn.execute(sql)

    def _after_rollback(self) -> None:
        self._extents.clear()
        self._dirty.clear()

    def _grew(self, table: str, xs: Sequence[float], ys: Sequence[float]) -> None:
        if not xs:
            return
        box = [min(xs), min(ys), max(xs), max(ys)]
        old = self._extents.get(table)
        if old:
            box = [min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]), max(old[3], box[3])]
        self._extents[table] = box

    def _before_commit(self) -> None:
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

    # -- backend hooks of SqlReportStore -----------------------------------
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self._conn.execute(sql, params).fetchall()

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._conn.execute(sql, params).rowcount

    def _json_text(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.{key}')"

    def _point(self, x: float, y: float) -> tuple[str, tuple[Any, ...]]:
        return "?", (point_blob(x, y),)

    def _touched(self, *tables: str) -> None:
        self._dirty.update(tables)

    def _set_derived(self, rows: list[tuple[Any, ...]]) -> None:
        self._conn.executemany(_SET_DERIVED, rows)

    _districts_extent_sql = (  # the spatial index holds each district's box
        'SELECT min(minx) AS xmin, min(miny) AS ymin, max(maxx) AS xmax, max(maxy) AS ymax FROM "rtree_districts_geom"'
    )

    def _multipolygon(self, table: str, geometry: Any) -> tuple[str, Any]:
        parsed = _parse_geometry(geometry)
        minx, maxx, miny, maxy = parsed.GetEnvelope()
        self._grew(table, [minx, maxx], [miny, maxy])
        return "?", geometry_blob(parsed)

    def _wkb(self, column: str) -> str:
        return column

    def _wkb_value(self, value: Any) -> bytes | None:
        return blob_wkb(value)

    def _insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], tail: str = "") -> None:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(len(columns))}){tail}"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        self._bulk_insert(table, sql, rows)

    def _insert_reports(self, rows: list[dict[str, Any]], synced: str | None) -> set[str]:
        sql = f"INSERT INTO reports ({', '.join(_INSERT_COLUMNS)}) VALUES ({_marks(len(_INSERT_COLUMNS))})"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        tail = (1, synced)
        pack = _pack_point
        params = [(*_insert_values(r), *tail, None if r["lat"] is None else pack(r["long"], r["lat"])) for r in rows]
        self._grew("reports", *extent_points(rows))  # not by reports far outside the city
        self._bulk_insert("reports", sql, params)
        return {r["service_request_id"] for r in rows}

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

    def _update_reports(self, updates: list[tuple[dict[str, Any], int, bool]], synced: str | None) -> None:
        assignments = ", ".join(f"{c} = ?" for c in _WRITTEN_COLUMNS)
        plain = f"UPDATE reports SET {assignments}, version = version + 1, synced_at = ? WHERE fid = ?"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        moved = f"UPDATE reports SET {assignments}, geom = ?, version = version + 1, synced_at = ? WHERE fid = ?"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        same = [(*(r[c] for c in _WRITTEN_COLUMNS), synced, fid) for r, fid, m in updates if not m]
        move = [(*(r[c] for c in _WRITTEN_COLUMNS), _point_or_null(r), synced, fid) for r, fid, m in updates if m]
        if same:
            self._conn.executemany(plain, same)
        if move:
            self._conn.executemany(moved, move)
            self._grew("reports", *extent_points(r for r, _, m in updates if m))

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
                self._grew("districts", [minx, maxx], [miny, maxy])
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

    def layer_uri(self, table: str = "reports") -> str:
        return f"{self.path}|layername={table}"

    # -- generic SQL -----------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts (``?`` placeholders), the same API as :meth:`PostGisStore.query`."""
        with self._lock:
            if self._conn is None:
                raise StoreError(tr("The workspace is closed."))
            return [dict(r) for r in self._conn.execute(sql, tuple(params)).fetchall()]

    def records(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """:meth:`ReportStore.records` as plain tuples (no ``sqlite3.Row``): a big read makes no object per row."""
        with self._lock:
            cursor = self._conn.cursor()  # as _rows: a closed store has no connection
            cursor.row_factory = None
            return cursor.execute(sql, tuple(params)).fetchall()

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


__all__ = [
    "BUSY_TIMEOUT_MS",
    "GeoPackageStore",
    "geometry_blob",
    "point_blob",
    "register_gpkg_functions",
]
