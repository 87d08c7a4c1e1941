"""The store schema (docs/architecture.md), described once for every backend.

The tables are described backend-neutrally (:data:`TABLES`); :func:`create_gpkg`
builds a GeoPackage from the description with GDAL/OGR, so that the GeoPackage
metadata, the rtree spatial index and its triggers are exactly what GDAL and
QGIS expect. A PostGIS backend generates its DDL from the same description.

Each table has an integer feature id (``fid``, ``id`` for the outbox) as its
physical primary key, which OGR and QGIS need; the natural key of the contract
(``service_request_id``, ``service_code``, ``code``, ``update_id``, ``key``,
``name``) is ``UNIQUE NOT NULL``, which is what the upserts conflict on.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Callable

from ..i18n import tr

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
SRID = 4326

# Logical column types; each backend maps them (GPKG: TEXT, INTEGER, REAL, DATETIME).
TEXT = "TEXT"
INTEGER = "INTEGER"
REAL = "REAL"
DATETIME = "DATETIME"


@dataclass(frozen=True)
class Column:
    """One attribute column."""

    name: str
    type: str = TEXT
    nullable: bool = True
    unique: bool = False
    default: str | None = None  # SQL literal


@dataclass(frozen=True)
class Table:
    """One table or layer of the store."""

    name: str
    columns: tuple[Column, ...]
    geometry: str | None = None  # "POINT", "MULTIPOLYGON" or None
    fid: str = "fid"
    indexes: tuple[tuple[str, ...], ...] = ()
    geometry_column: str = "geom"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def key(self) -> str | None:
        """The natural (unique) key column, if any."""
        for column in self.columns:
            if column.unique:
                return column.name
        return None


def _c(name: str, type_: str = TEXT, **kw) -> Column:
    return Column(name, type_, **kw)


REPORT_COLUMNS: tuple[Column, ...] = (
    _c("service_request_id", nullable=False, unique=True),
    _c("status"),
    _c("external_status_code"),
    _c("service_code"),
    _c("service_name"),
    _c("description"),
    _c("agency_responsible"),
    _c("service_notice"),
    _c("status_notes"),
    _c("requested_datetime", DATETIME),
    _c("updated_datetime", DATETIME),
    _c("expected_datetime", DATETIME),
    _c("address"),
    _c("media_url"),
    _c("district"),
    _c("duplicate_of"),
    _c("lat", REAL),
    _c("long", REAL),
    _c("extended_json"),
    _c("assigned_datetime", DATETIME),
    _c("deadline", DATETIME),
    _c("deadline_stage"),
    _c("version", INTEGER, nullable=False, default="1"),
    _c("synced_at", DATETIME),
    # Schema 2 (issue 9, core/positions.py): a report without a usable position has no geometry.
    # position_source: platform | repaired_swap | placed_by_hand (NULL without a position);
    # position_flag: missing | far_outside | NULL; position_note: why (the platform's values, who placed it).
    _c("position_source"),
    _c("position_flag"),
    _c("position_note"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "reports",
            REPORT_COLUMNS,
            geometry="POINT",
            indexes=(
                ("updated_datetime",),
                ("external_status_code",),
                ("agency_responsible",),
                ("district",),
                ("service_code",),
                ("position_flag",),
            ),
        ),
        Table(
            "services",
            (
                _c("service_code", nullable=False, unique=True),
                _c("service_name"),
                _c("description"),
                _c("group_name"),
                _c("keywords"),
                _c("type"),
                _c("metadata", INTEGER),
            ),
        ),
        Table(
            "departments",
            (
                _c("code", nullable=False, unique=True),
                _c("name"),
                _c("officer_name"),
                _c("officer_phone"),
                _c("officer_email"),
            ),
        ),
        Table(
            "districts",
            (_c("code", nullable=False, unique=True), _c("name")),
            geometry="MULTIPOLYGON",
        ),
        Table(
            "request_updates",
            (
                _c("update_id", nullable=False, unique=True),
                _c("service_request_id", nullable=False),
                _c("status"),
                _c("external_status_code"),
                _c("updated_datetime", DATETIME),
                _c("description"),
                _c("agency_responsible"),
                _c("media_url"),
                _c("author"),
                _c("origin", nullable=False, default="'platform'"),
            ),
            indexes=(("service_request_id", "updated_datetime"),),
        ),
        Table(
            "outbox",
            (
                _c("update_id", nullable=False, unique=True),
                _c("service_request_id", nullable=False),
                _c("payload_json", nullable=False),
                _c("base_version", INTEGER),
                _c("expected_updated_datetime", DATETIME),
                _c("created_at", DATETIME, nullable=False),
                _c("state", nullable=False, default="'pending'"),
                _c("attempts", INTEGER, nullable=False, default="0"),
                _c("next_attempt_at", DATETIME),
                _c("last_error"),
                _c("http_status", INTEGER),
                # Additions to the contract (docs/store.md): who, the values before the change
                # (to undo a dropped/refused entry), the platform's copy (for a conflict), and
                # when and with which updated_datetime the platform confirmed it.
                _c("author"),
                _c("base_json"),
                _c("platform_json"),
                _c("sent_at", DATETIME),
                _c("platform_updated_datetime", DATETIME),
            ),
            fid="id",
            indexes=(("state", "next_attempt_at"), ("service_request_id", "state")),
        ),
        Table("sync_state", (_c("key", nullable=False, unique=True), _c("value"))),
        Table(
            "routing_category_rules",
            (_c("service_code", nullable=False, unique=True), _c("department")),
        ),
        Table(
            "routing_zones",
            (_c("name"), _c("department"), _c("priority", INTEGER)),
            geometry="MULTIPOLYGON",
        ),
        Table("saved_filters", (_c("name", nullable=False, unique=True), _c("definition_json"))),
        Table("meta", (_c("key", nullable=False, unique=True), _c("value"))),
    )
}

# Migrations: MIGRATIONS[n] turns a version-n workspace into version n+1. Each gets the
# sqlite3 connection inside the open transaction (a PostGIS store keeps its own list).
MIGRATIONS: dict[int, Callable] = {}

#: Schema 1 -> 2, the data part (both backends): where the stored positions came from. Schema 1 kept
#: only reports with a position; a repaired swap was marked in extended_json.
POSITION_SOURCE_BACKFILL = (
    "UPDATE reports SET position_source = CASE WHEN extended_json LIKE '%\"position_swapped\": true%'"
    " THEN 'repaired_swap' ELSE 'platform' END WHERE geom IS NOT NULL AND position_source IS NULL"
)


def _gpkg_1_to_2(conn) -> None:
    """Schema 2: the position columns of ``reports`` (``geom`` is nullable already) and their index."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(reports)")}
    for name in ("position_source", "position_flag", "position_note"):
        if name not in have:
            conn.execute(f"ALTER TABLE reports ADD COLUMN {name} TEXT")
    for _name, sql in index_statements("reports"):
        conn.execute(sql)
    conn.execute(POSITION_SOURCE_BACKFILL)


MIGRATIONS[1] = _gpkg_1_to_2


class SchemaError(Exception):
    """The file is not a workspace this plugin can use."""


class SchemaTooNewError(SchemaError):
    """The workspace was made by a newer plugin version."""


def too_new_message(path: str, found: int) -> str:
    """User-visible text for a workspace with a newer schema."""
    return tr(
        "The workspace {path} has schema version {found}, newer than this plugin knows ({known}). Update the plugin."
    ).format(path=path, found=found, known=SCHEMA_VERSION)


def index_statements(table: str) -> list[tuple[str, str]]:
    """``(name, CREATE INDEX IF NOT EXISTS …)`` of the secondary indexes of ``table``."""
    statements = []
    for cols in TABLES[table].indexes:
        name = f"idx_{table}_{'_'.join(cols)}"
        statements.append((name, f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({", ".join(cols)})'))
    return statements


def create_gpkg(path: str) -> None:
    """Create a new GeoPackage workspace at ``path`` with every table, via GDAL/OGR."""
    from osgeo import ogr, osr

    if os.path.exists(path):
        raise SchemaError(tr("The file {path} exists already.").format(path=path))
    ogr_types = {TEXT: ogr.OFTString, INTEGER: ogr.OFTInteger64, REAL: ogr.OFTReal, DATETIME: ogr.OFTDateTime}
    geom_types = {"POINT": ogr.wkbPoint, "MULTIPOLYGON": ogr.wkbMultiPolygon, None: ogr.wkbNone}
    use_exceptions = ogr.GetUseExceptions()
    ogr.UseExceptions()
    try:
        driver = ogr.GetDriverByName("GPKG")
        ds = driver.CreateDataSource(path)
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(SRID)
        for table in TABLES.values():
            options = [f"FID={table.fid}"]
            if table.geometry:
                options += [f"GEOMETRY_NAME={table.geometry_column}", "SPATIAL_INDEX=YES"]
            layer = ds.CreateLayer(
                table.name, srs if table.geometry else None, geom_types[table.geometry], options=options
            )
            for column in table.columns:
                defn = ogr.FieldDefn(column.name, ogr_types[column.type])
                defn.SetNullable(column.nullable)
                defn.SetUnique(column.unique)
                if column.default is not None:
                    defn.SetDefault(column.default)
                layer.CreateField(defn)
        for table in TABLES.values():
            for _name, sql in index_statements(table.name):
                ds.ExecuteSQL(sql)
        ds.ExecuteSQL(f"INSERT INTO meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}')")  # noqa: S608 - a module constant  # nosec B608
        ds.FlushCache()
        ds = None  # close: GDAL writes the deferred spatial indexes and triggers now
    finally:
        if not use_exceptions:
            ogr.DontUseExceptions()
    log.info("Created workspace %s (schema version %s)", path, SCHEMA_VERSION)
