"""The report filter (issue 3, item 5): definition, evaluation, saving, applying to the map layer.

How a filter is evaluated (``bench/bench_filters.py`` measures it against ``native:extractbylocation``):

* **Two backends, one result.** A GeoPackage workspace is filtered with SQLite SQL and its rtree, a
  shared PostGIS workspace (``postgres:`` address, ``postgres`` layer) with PostgreSQL SQL and the GiST
  index (``"geom" && ST_MakeEnvelope(…)`` for the candidate box, regular expressions with the same
  letter classes for the text). The exact spatial tests are the same Python/GEOS code for both, so the
  same :class:`ReportFilter` gives the same reports on either (``tests/test_postgis_end_to_end.py``).
* **Attributes** become one SQLite ``WHERE`` (:func:`attribute_where`) that the GeoPackage provider runs
  (a layer subset string): statuses, categories, departments, the period on ``requested_datetime``
  (Kyiv days, inclusive), overdue (``status = 'open' AND deadline < now``, the stored deadline) and the
  free text. SQLite's ``LIKE``/``lower()`` fold ASCII only, so the text is matched with ``GLOB`` and a
  ``[xX]`` class per letter: case-insensitive for Cyrillic too, still provider-side.
* **Space** (extent, districts, a drawn polygon, a distance) is turned into prepared GEOS engines in
  EPSG:4326 plus a bounding box. The box goes to SQL as a sub-query on the GeoPackage rtree
  (``fid IN (SELECT id FROM rtree_reports_geom WHERE …)``), so only candidates are read; each candidate
  point is then tested exactly with the prepared engines.
* **Distance in metres**: the source geometries (any CRS) are projected to a transverse Mercator centred
  on them (scale error < 2e-6 across a town, unlike UTM 36N whose zone edge is 1° away from Pokrov),
  buffered there, densified and projected back. A point inside the inner buffer ``d`` (vertices on the
  circle: the polygon is inside the true buffer) is in, a point outside the outer buffer (circumscribed
  polygon, ``d / cos(π/4n)``) is out, and the few points in the thin ring between get an exact GEOS
  distance in the local projection. So the result is the exact "distance ≤ d" without transforming every
  point.

Applying the result to the map layer (:func:`apply_to_layer`) sets a subset string: the attribute
``WHERE`` and, for spatial filters, the rtree box with either ``fid IN (passed)`` or
``fid NOT IN (rejected candidates)``, whichever list is shorter; the layer's previous subset is kept in
a custom property and restored by :func:`clear_layer_filter`. The lists stay short for the usual
shapes (a district, a corridor along a street) and SQLite takes long ones (its statement limit is 1e9
bytes); the rtree form is used only on an ``ogr`` GeoPackage layer, other providers get the plain
``fid IN (…)``. A subset string works in the map, the attribute table, the feature count and Processing
alike, which a renderer filter would not. The ``now`` of "overdue" is fixed when the filter is evaluated:
:meth:`gui.filter_panel.FilterPanel.refresh` evaluates again (after each sync).
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any, Callable

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsGeometry,
    QgsPoint,
    QgsPointXY,
    QgsProject,
    QgsProviderRegistry,
    QgsRectangle,
    QgsVectorLayer,
)

from .deadlines import overdue_where
from .i18n import tr
from .prepared_geometry import PreparedGeometry
from .store.base import ReportStore
from .store.failures import WORKSPACE_ERRORS
from .store.workspace import SQLITE, SqlDialect, Workspace
from .timeutil import KYIV, parse_day, to_store

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
WGS84 = "EPSG:4326"
REPORTS_TABLE = "reports"
DISTRICTS_TABLE = "districts"
GEOMETRY_COLUMN = "geom"
UNASSIGNED = ""  # department code meaning "no department yet"

BUFFER_SEGMENTS = 16  # per quarter circle
_RING_MARGIN_M = 0.01  # slack around the buffers for the projection round trip
_DENSIFY_M = 25.0  # densify buffers before projecting back, so straight edges stay straight
BASE_SUBSET_PROPERTY = "openmisto/filter_base_subset"
FILTER_PROPERTY = "openmisto/filter_active"


# ---------------------------------------------------------------------------------------------- definition


@dataclass
class ReportFilter:
    """What the officer asked for. Empty fields do not filter; the criteria are combined with AND."""

    statuses: list[str] = field(default_factory=list)  # external status codes
    categories: list[str] = field(default_factory=list)  # service codes
    departments: list[str] = field(default_factory=list)  # agency_responsible codes; "" = not assigned
    date_from: date | None = None  # requested on or after this Kyiv date
    date_to: date | None = None  # requested on or before this Kyiv date
    overdue_only: bool = False
    text: str = ""  # words in description, address or id (all words, any case)
    extent: QgsRectangle | None = None
    extent_crs: str = ""
    districts: list[str] = field(default_factory=list)  # district codes
    polygon_wkt: str = ""
    polygon_crs: str = ""
    near_wkts: list[str] = field(default_factory=list)  # geometries to measure the distance from
    near_crs: str = ""
    distance_m: float = 0.0
    near_layer: str = ""  # name of the layer the geometries came from (display only)

    # -- queries ------------------------------------------------------------------------------------
    @property
    def has_spatial(self) -> bool:
        return bool(self.extent is not None or self.districts or self.polygon_wkt or self.near_wkts)

    def is_empty(self) -> bool:
        """True when the filter lets every report through."""
        return not (
            self.statuses
            or self.categories
            or self.departments
            or self.date_from
            or self.date_to
            or self.overdue_only
            or self.text.strip()
            or self.has_spatial
        )

    # -- JSON ---------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": FORMAT_VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, QgsRectangle):
                value = [value.xMinimum(), value.yMinimum(), value.xMaximum(), value.yMaximum()]
            elif isinstance(value, list):
                value = list(value)
            data[f.name] = value
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportFilter:
        """Build from :meth:`to_dict` output; unknown keys are ignored, bad values raise ``ValueError``."""
        if int(data.get("version", FORMAT_VERSION)) > FORMAT_VERSION:
            raise ValueError(tr("The saved filter was made by a newer version of the plugin."))
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data or data[f.name] is None:
                continue
            value = data[f.name]
            if f.name in ("date_from", "date_to"):
                value = parse_day(str(value))
                if value is None:
                    raise ValueError(f"not a date: {data[f.name]!r}")
            elif f.name == "extent":
                xmin, ymin, xmax, ymax = (float(v) for v in value)
                value = QgsRectangle(xmin, ymin, xmax, ymax)
            elif f.name in ("statuses", "categories", "departments", "districts", "near_wkts"):
                value = [str(v) for v in value]
            elif f.name == "overdue_only":
                value = bool(value)
            elif f.name == "distance_m":
                value = float(value)
            else:
                value = str(value)
            kwargs[f.name] = value
        return cls(**kwargs)

    @classmethod
    def from_json(cls, text: str) -> ReportFilter:
        return cls.from_dict(json.loads(text))


@dataclass(frozen=True)
class FilterResult:
    """The reports a filter lets through (``fids`` sorted) and what :func:`apply_to_layer` needs."""

    fids: list[int]
    count: int
    where: str = ""  # the attribute WHERE ("" = none)
    bbox: tuple[float, float, float, float] | None = None  # EPSG:4326 candidate box of a spatial filter
    rejected: list[int] = field(default_factory=list)  # candidates in the box that failed the exact test
    seconds: float = 0.0
    empty_space: bool = False  # the spatial criteria cannot match anything (e.g. disjoint areas)


# ---------------------------------------------------------------------------------------------- SQL


# Every literal and identifier goes through the workspace's SQL dialect (core/escaping.py underneath).


def text_where(
    text: str, columns: Sequence[str] = ("description", "address", "service_request_id"), dialect: SqlDialect = SQLITE
) -> str:
    """Every word of ``text`` in one of ``columns``, any case ('' for no words)."""
    clauses = []
    for word in text.split():
        clauses.append("(" + " OR ".join(dialect.contains(c, word) for c in columns) + ")")
    return " AND ".join(clauses)


def kyiv_day_start(day: date) -> str:
    """Store text of 00:00 Kyiv time on ``day``."""
    return to_store(datetime.combine(day, dtime(0, 0), tzinfo=KYIV)) or ""


def attribute_where(flt: ReportFilter, now: datetime | None = None, dialect: SqlDialect = SQLITE) -> str:
    """The attribute part of ``flt`` as a WHERE clause ('' when there is none).

    ``dialect``: the workspace's (:attr:`Workspace.dialect`); only the text search differs between
    GeoPackage and PostGIS (datetimes are compared with store text, which PostgreSQL casts to ``timestamptz``).
    """
    clauses: list[str] = []
    if flt.statuses:
        clauses.append(dialect.in_list("external_status_code", flt.statuses))
    if flt.categories:
        clauses.append(dialect.in_list("service_code", flt.categories))
    if flt.departments:
        named = [d for d in flt.departments if d != UNASSIGNED]
        parts = [dialect.in_list("agency_responsible", named)] if named else []
        if UNASSIGNED in flt.departments:
            parts.append('("agency_responsible" IS NULL OR "agency_responsible" = \'\')')
        clauses.append(parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")")
    if flt.date_from:
        clauses.append(f'"requested_datetime" >= {dialect.literal(kyiv_day_start(flt.date_from))}')
    if flt.date_to:
        clauses.append(f'"requested_datetime" < {dialect.literal(kyiv_day_start(flt.date_to + timedelta(days=1)))}')
    if flt.overdue_only:
        clauses.append(overdue_where(now))
    words = text_where(flt.text, dialect=dialect)
    if words:
        clauses.append(words)
    return " AND ".join(clauses)


def rtree_table(table: str = REPORTS_TABLE, geometry_column: str = GEOMETRY_COLUMN) -> str:
    return f"rtree_{table}_{geometry_column}"


def bbox_sql(bbox: tuple[float, float, float, float], dialect: SqlDialect = SQLITE, rtree: str = rtree_table()) -> str:
    """Reports whose position's box meets ``bbox`` (EPSG:4326), by the spatial index of ``dialect``."""
    return dialect.bbox(bbox, GEOMETRY_COLUMN, rtree)


def fid_list_sql(fids: Sequence[int], negate: bool = False, dialect: SqlDialect = SQLITE) -> str:
    """``"fid" IN (…)`` (or ``NOT IN``) for integer ids."""
    if not fids:
        return dialect.boolean(negate)
    return f'"fid" {"NOT IN" if negate else "IN"} ({",".join(str(int(f)) for f in fids)})'


def and_sql(*clauses: str) -> str:
    """Join non-empty clauses with AND, each in parentheses."""
    parts = [c.strip() for c in clauses if c and c.strip()]
    if len(parts) == 1:
        return parts[0]
    return " AND ".join(f"({c})" for c in parts)


def result_sql(
    result: FilterResult, use_rtree: bool = True, rtree: str = rtree_table(), dialect: SqlDialect = SQLITE
) -> str:
    """The SQL that selects exactly ``result`` from the reports table ('' = everything).

    ``use_rtree``: the candidate box by the spatial index (GeoPackage rtree, or PostGIS ``&&``) minus the
    rejected candidates, when that list is the shorter one.
    """
    if result.bbox is None and not result.empty_space:
        return result.where
    if result.empty_space:
        return dialect.boolean(False)
    if use_rtree and len(result.rejected) < len(result.fids):
        rejected = fid_list_sql(result.rejected, negate=True, dialect=dialect) if result.rejected else ""
        return and_sql(result.where, bbox_sql(result.bbox, dialect, rtree), rejected)
    return and_sql(result.where, fid_list_sql(result.fids, dialect=dialect))


# ---------------------------------------------------------------------------------------------- geometry


def crs_from_text(text: str) -> QgsCoordinateReferenceSystem:
    """A CRS from an authority id (``EPSG:3857``) or WKT; EPSG:4326 for ''."""
    text = (text or "").strip()
    if not text:
        return QgsCoordinateReferenceSystem(WGS84)
    crs = QgsCoordinateReferenceSystem(text)
    if not crs.isValid():
        crs = QgsCoordinateReferenceSystem.fromWkt(text)
    if not crs.isValid():
        raise ValueError(tr("Unknown coordinate reference system: {crs}").format(crs=text[:80]))
    return crs


def crs_to_text(crs: QgsCoordinateReferenceSystem) -> str:
    """The authority id of ``crs`` or, for a custom one, its WKT."""
    return crs.authid() or crs.toWkt()


def _transform(source: QgsCoordinateReferenceSystem, dest: QgsCoordinateReferenceSystem) -> QgsCoordinateTransform:
    return QgsCoordinateTransform(source, dest, QgsProject.instance().transformContext())


def local_metric_crs(lon: float, lat: float) -> QgsCoordinateReferenceSystem:
    """A transverse Mercator (WGS 84, scale 1) centred on ``lon``/``lat``: metres, negligible distortion."""
    proj = f"+proj=tmerc +lat_0={lat:.6f} +lon_0={lon:.6f} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
    crs = QgsCoordinateReferenceSystem.fromProj(proj)
    if not crs.isValid():  # pragma: no cover - PROJ always knows tmerc
        raise ValueError(proj)
    return crs


def _geometry_from_wkt(wkt: str) -> QgsGeometry:
    geometry = QgsGeometry.fromWkt(wkt)
    if geometry.isNull() or geometry.isEmpty():
        raise ValueError(tr("Unreadable geometry: {wkt}").format(wkt=wkt[:60]))
    return geometry


def _to_wgs84(geometry: QgsGeometry, crs: QgsCoordinateReferenceSystem) -> QgsGeometry:
    """``geometry`` in EPSG:4326, densified first in its own CRS so its straight edges survive."""
    geometry = QgsGeometry(geometry)
    wgs84 = QgsCoordinateReferenceSystem(WGS84)
    if crs == wgs84:
        return geometry
    box = geometry.boundingBox()
    step = max(box.width(), box.height()) / 256.0
    if step > 0 and geometry.constGet().dimension() > 0:  # lines and polygons
        geometry = geometry.densifyByDistance(step)
    geometry.transform(_transform(crs, wgs84))
    return geometry


@dataclass
class _Prepared:
    """One spatial criterion: a candidate box in EPSG:4326 and an exact test of a point."""

    bbox: QgsRectangle
    accepts: Callable[[Any, float, float], bool]  # (QgsAbstractGeometry, x, y) -> bool


def _area_criterion(area: QgsGeometry) -> _Prepared:
    if not area.isGeosValid():
        area = area.makeValid()
    prepared = PreparedGeometry(area)
    return _Prepared(area.boundingBox(), lambda g, _x, _y: prepared.intersects(g))


def extent_criterion(rect: QgsRectangle, crs_text: str) -> _Prepared:
    """Reports inside a map extent (edges included)."""
    crs = crs_from_text(crs_text)
    if crs == QgsCoordinateReferenceSystem(WGS84):
        box = QgsRectangle(rect)
        xmin, ymin, xmax, ymax = box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()
        return _Prepared(box, lambda _g, x, y: xmin <= x <= xmax and ymin <= y <= ymax)
    return _area_criterion(_to_wgs84(QgsGeometry.fromRect(rect), crs))


def polygon_criterion(wkt: str, crs_text: str) -> _Prepared:
    """Reports inside (or on the edge of) a polygon given in any CRS."""
    return _area_criterion(_to_wgs84(_geometry_from_wkt(wkt), crs_from_text(crs_text)))


def district_geometry(workspace: Workspace, codes: Sequence[str]) -> QgsGeometry:
    """The union of the districts ``codes`` of the workspace (EPSG:4326); an empty geometry if none."""
    uri, provider = workspace.layer_source(DISTRICTS_TABLE)
    layer = QgsVectorLayer(uri, "districts", provider)
    if not layer.isValid():
        raise ValueError(tr("The workspace has no districts layer: {path}").format(path=workspace.describe()))
    subset = workspace.dialect.in_list("code", codes)
    if not layer.setSubsetString(subset):
        raise ValueError(tr("The filter is not valid SQL for the workspace: {sql}").format(sql=subset[:200]))
    wgs84 = QgsCoordinateReferenceSystem(WGS84)
    parts = []
    for feature in layer.getFeatures(QgsFeatureRequest().setNoAttributes()):
        geometry = feature.geometry()
        if geometry and not geometry.isEmpty():
            parts.append(_to_wgs84(geometry, layer.crs()) if layer.crs() != wgs84 else geometry)
    if not parts:
        return QgsGeometry()
    return QgsGeometry.unaryUnion(parts)


def distance_criterion(wkts: Sequence[str], crs_text: str, distance_m: float) -> _Prepared:
    """Reports within ``distance_m`` metres of any of the geometries (see the module docstring)."""
    source_crs = crs_from_text(crs_text)
    wgs84 = QgsCoordinateReferenceSystem(WGS84)
    geoms = [_geometry_from_wkt(w) for w in wkts]
    centre_geo = QgsGeometry.collectGeometry([QgsGeometry(g) for g in geoms])
    if source_crs != wgs84:
        centre_geo.transform(_transform(source_crs, wgs84))
    centre = centre_geo.boundingBox().center()
    metric = local_metric_crs(centre.x(), centre.y())
    to_metric = _transform(source_crs, metric)
    back = _transform(metric, wgs84)
    projected = []
    for geometry in geoms:
        geometry = QgsGeometry(geometry)
        geometry.transform(to_metric)
        projected.append(geometry)
    source = QgsGeometry.unaryUnion(projected) if len(projected) > 1 else projected[0]
    d = max(0.0, float(distance_m))
    exact = PreparedGeometry(source)

    def buffered(radius: float) -> QgsGeometry | None:
        if radius <= 0:
            return None
        ring = source.buffer(radius, BUFFER_SEGMENTS).densifyByDistance(_DENSIFY_M)
        ring.transform(back)
        return ring

    inner = buffered(d - _RING_MARGIN_M)
    outer = buffered(d / math.cos(math.pi / (4 * BUFFER_SEGMENTS)) + _RING_MARGIN_M)
    if outer is None:  # d == 0: on the geometry itself
        outer_box = QgsGeometry(source)
        outer_box.transform(back)
        box = outer_box.boundingBox()
        box.grow(1e-7)
        outer_engine = None
    else:
        box = outer.boundingBox()
        outer_engine = PreparedGeometry(outer)
    inner_engine = PreparedGeometry(inner) if inner is not None else None
    to_point_metric = _transform(wgs84, metric)

    def accepts(geometry: Any, x: float, y: float) -> bool:
        if inner_engine is not None and inner_engine.intersects(geometry):
            return True
        if outer_engine is not None and not outer_engine.intersects(geometry):
            return False
        point = QgsGeometry.fromPointXY(to_point_metric.transform(QgsPointXY(x, y)))
        return exact.distance(point.constGet()) <= d

    return _Prepared(box, accepts)


def spatial_criteria(flt: ReportFilter, workspace: Workspace) -> list[_Prepared] | None:
    """The prepared spatial criteria of ``flt``; ``None`` when they cannot match anything."""
    criteria: list[_Prepared] = []
    if flt.extent is not None:
        criteria.append(extent_criterion(flt.extent, flt.extent_crs))
    if flt.districts:
        area = district_geometry(workspace, flt.districts)
        if area.isEmpty():
            return None
        criteria.append(_area_criterion(area))
    if flt.polygon_wkt:
        criteria.append(polygon_criterion(flt.polygon_wkt, flt.polygon_crs))
    if flt.near_wkts:
        criteria.append(distance_criterion(flt.near_wkts, flt.near_crs, flt.distance_m))
    return criteria


# ---------------------------------------------------------------------------------------------- evaluation


def base_subset(layer: QgsVectorLayer | None) -> str:
    """The subset the layer had before the plugin's filter (its scope, e.g. one department)."""
    if layer is None:
        return ""
    if layer.customProperty(FILTER_PROPERTY):
        return str(layer.customProperty(BASE_SUBSET_PROPERTY) or "")
    return layer.subsetString()


def _reports_layer(workspace: Workspace, subset: str) -> QgsVectorLayer:
    # The subset goes in through the data source, encoded by QGIS (the plugin's literals hold no "|":
    # core/escaping.py). On GeoPackage, setSubsetString on this short-lived layer breaks the dataset QGIS
    # shares with the map layer of the same file ("unable to open database file"); the encoded data source
    # does not. Only a layer's own subset (the user's, already in their data source) can hold "|", which an
    # OGR data source refuses: that one is set on the layer.
    try:
        uri, provider = workspace.layer_source(REPORTS_TABLE, subset)
        encoded = True
    except ValueError:
        uri, provider = workspace.layer_source(REPORTS_TABLE)
        encoded = False
    layer = QgsVectorLayer(uri, "reports", provider)
    if not layer.isValid():
        raise ValueError(tr("Cannot open the reports of the workspace {path}").format(path=workspace.describe()))
    if not encoded and subset and not layer.setSubsetString(subset):
        raise ValueError(tr("The filter is not valid SQL for the workspace: {sql}").format(sql=subset[:200]))
    return layer


def evaluate(
    flt: ReportFilter,
    workspace: Any,
    now: datetime | None = None,
    scope: str = "",
) -> FilterResult:
    """The reports of ``workspace`` (a :class:`Workspace`, an address, a store or the reports layer) ``flt`` passes.

    ``scope`` is an extra SQL condition always applied (by default the layer's own subset when a
    layer is given).
    """
    started = time.perf_counter()
    space = Workspace.of(workspace)
    dialect = space.dialect
    if not scope and isinstance(workspace, QgsVectorLayer):
        scope = base_subset(workspace)
    where = and_sql(scope, attribute_where(flt, now, dialect))
    criteria = spatial_criteria(flt, space) if flt.has_spatial else []
    if criteria is None:
        return FilterResult([], 0, where, None, [], time.perf_counter() - started, empty_space=True)
    if not criteria:
        layer = _reports_layer(space, where)
        fids = sorted(layer.allFeatureIds())
        return FilterResult(fids, len(fids), where, None, [], time.perf_counter() - started)

    boxes = [c.bbox for c in criteria]
    bbox = (
        max(b.xMinimum() for b in boxes),
        max(b.yMinimum() for b in boxes),
        min(b.xMaximum() for b in boxes),
        min(b.yMaximum() for b in boxes),
    )
    if bbox[0] > bbox[2] or bbox[1] > bbox[3]:
        return FilterResult([], 0, where, None, [], time.perf_counter() - started, empty_space=True)
    layer = _reports_layer(space, and_sql(where, bbox_sql(bbox, dialect)))
    request = QgsFeatureRequest().setNoAttributes()
    passed: list[int] = []
    rejected: list[int] = []
    tests = [c.accepts for c in criteria]
    for feature in layer.getFeatures(request):
        geometry = feature.geometry()
        if geometry.isNull() or geometry.isEmpty():
            rejected.append(feature.id())
            continue
        inner = geometry.constGet()
        if isinstance(inner, QgsPoint):
            x, y = inner.x(), inner.y()
        else:
            centre = geometry.boundingBox().center()
            x, y = centre.x(), centre.y()
        if all(test(inner, x, y) for test in tests):
            passed.append(feature.id())
        else:
            rejected.append(feature.id())
    passed.sort()
    rejected.sort()
    seconds = time.perf_counter() - started
    log.debug("Filter: %d of %d candidates in %.3f s", len(passed), len(passed) + len(rejected), seconds)
    return FilterResult(passed, len(passed), where, bbox, rejected, seconds)


# ---------------------------------------------------------------------------------------------- the map layer


def _uses_spatial_index(layer: QgsVectorLayer, workspace: Workspace) -> bool:
    """Whether the candidate box of a result can select from ``layer`` by the workspace's spatial index.

    A shared workspace's layers have it (``&&`` on their geometry); of a file only the reports table of a
    GeoPackage (its rtree), not another OGR layer.
    """
    if workspace.shared:
        return True
    parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
    path = str(parts.get("path") or "")
    table = str(parts.get("layerName") or "")
    return path.lower().endswith(".gpkg") and table == REPORTS_TABLE


def apply_to_layer(layer: QgsVectorLayer, result: FilterResult) -> bool:
    """Show only ``result`` on ``layer`` (a subset string); reversible with :func:`clear_layer_filter`.

    The layer's own subset (``result.where`` already contains it when the result was evaluated on this
    layer) is remembered and restored on clear.
    """
    base = base_subset(layer)
    workspace = Workspace.of(layer)
    sql = result_sql(result, use_rtree=_uses_spatial_index(layer, workspace), dialect=workspace.dialect)
    if base and not sql.startswith(f"({base})") and sql != base:
        sql = and_sql(base, sql)
    if not layer.customProperty(FILTER_PROPERTY):
        layer.setCustomProperty(BASE_SUBSET_PROPERTY, base)
        layer.setCustomProperty(FILTER_PROPERTY, True)
    if layer.subsetString() == sql:
        return True
    ok = layer.setSubsetString(sql)
    if not ok:
        log.warning("The layer %s refused the filter subset (%d characters)", layer.name(), len(sql))
    return ok


def clear_layer_filter(layer: QgsVectorLayer) -> bool:
    """Remove the plugin's filter: the layer gets back the subset it had before."""
    if not layer.customProperty(FILTER_PROPERTY):
        return True
    base = str(layer.customProperty(BASE_SUBSET_PROPERTY) or "")
    layer.removeCustomProperty(FILTER_PROPERTY)
    layer.removeCustomProperty(BASE_SUBSET_PROPERTY)
    return layer.setSubsetString(base) if layer.subsetString() != base else True


def is_filtered(layer: QgsVectorLayer | None) -> bool:
    return bool(layer is not None and layer.customProperty(FILTER_PROPERTY))


# ---------------------------------------------------------------------------------------------- saved filters


@contextmanager
def _store(target: Any) -> Iterator[ReportStore]:
    """The store of ``target``: the store itself, or the workspace's (an address, a layer) for the ``with`` block."""
    if isinstance(target, ReportStore):
        yield target
        return
    with Workspace.of(target).opened() as store:
        yield store


def save_filter(target: Any, name: str, flt: ReportFilter) -> None:
    """Save ``flt`` under ``name`` (replacing a filter of that name) in the workspace."""
    name = name.strip()
    if not name:
        raise ValueError(tr("A saved filter needs a name."))
    with _store(target) as store:
        store.execute(
            "INSERT INTO saved_filters (name, definition_json) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET definition_json = excluded.definition_json",
            (name, flt.to_json()),
        )


def load_filter(target: Any, name: str) -> ReportFilter | None:
    """The filter saved under ``name``, or None."""
    with _store(target) as store:
        rows = store.query("SELECT definition_json FROM saved_filters WHERE name = ?", (name,))
    text = rows[0]["definition_json"] if rows else None
    return ReportFilter.from_json(text) if text else None


def list_filters(target: Any) -> list[str]:
    """Names of the saved filters, sorted regardless of case."""
    with _store(target) as store:
        names = [str(r["name"]) for r in store.query("SELECT name FROM saved_filters")]
    return sorted(names, key=lambda n: (n.casefold(), n))


def delete_filter(target: Any, name: str) -> bool:
    """Delete a saved filter; False when there was none of that name."""
    with _store(target) as store:
        return store.execute("DELETE FROM saved_filters WHERE name = ?", (name,)) > 0


# ---------------------------------------------------------------------------------------------- choices


@dataclass(frozen=True)
class Choices:
    """What the panel's lists offer, read from the workspace: ``(code, name)`` pairs."""

    categories: list[tuple[str, str]]
    departments: list[tuple[str, str]]
    districts: list[tuple[str, str]]


def workspace_choices(target: Any) -> Choices:
    """Categories, departments and districts of the workspace, in name order (read only)."""
    with _store(target) as store:

        def pairs(sql: str) -> list[tuple[str, str]]:
            try:
                rows = store.query(sql)
            except WORKSPACE_ERRORS as exc:
                log.warning("Cannot read the lists of %s: %s", Workspace.of(store).describe(), exc)
                return []
            found = [(str(r["code"]), str(r["name"] or r["code"])) for r in rows if r["code"]]
            return sorted(found, key=lambda p: p[1].casefold())

        return Choices(
            categories=pairs("SELECT service_code AS code, service_name AS name FROM services"),
            departments=pairs("SELECT code, name FROM departments"),
            districts=pairs("SELECT code, name FROM districts"),
        )
