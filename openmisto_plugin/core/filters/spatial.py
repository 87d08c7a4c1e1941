"""Spatial criteria of a filter as prepared GEOS tests in EPSG:4326: extent, districts, a drawn polygon, a distance.

See the package docstring for how the distance in metres stays exact without transforming every point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)

from ..i18n import tr
from ..prepared_geometry import PreparedGeometry
from ..store.workspace import Workspace
from .model import ReportFilter

WGS84 = "EPSG:4326"
DISTRICTS_TABLE = "districts"

BUFFER_SEGMENTS = 16  # per quarter circle
_RING_MARGIN_M = 0.01  # slack around the buffers for the projection round trip
_DENSIFY_M = 25.0  # densify buffers before projecting back, so straight edges stay straight


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
