"""Routing rules kept in the workspace (tables ``routing_category_rules`` and ``routing_zones``), imported from JSON.

The SQL is the common subset of both backends; geometries are the one difference (a GeoPackage blob or WKB).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from qgis.core import QgsGeometry

from .rules import RoutingRules
from .store.base import ReportStore
from .workflow import _execute, _rows

log = logging.getLogger(__name__)


def _blob_geometry(blob: bytes | None) -> QgsGeometry:
    """A QgsGeometry from a GeoPackage geometry blob (empty geometry when unreadable)."""
    geometry = QgsGeometry()
    if not blob or len(blob) < 8 or bytes(blob[:2]) != b"GP":
        return geometry
    flags = blob[3]
    doubles = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}.get((flags >> 1) & 0x07, 0)
    geometry.fromWkb(bytes(blob[8 + 8 * doubles :]))
    return geometry


def _wkb_geometry(wkb: Any) -> QgsGeometry:
    geometry = QgsGeometry()
    if wkb:
        geometry.fromWkb(bytes(wkb))
    return geometry


def load_routing_rules(store: ReportStore) -> RoutingRules:
    """The routing rules kept in the workspace (``routing_category_rules``, ``routing_zones``)."""
    categories = [(r["service_code"], r["department"]) for r in _rows(store, "SELECT * FROM routing_category_rules")]
    zones = []
    postgres = store.dialect == "postgres"
    geom = "ST_AsBinary(geom) AS geom" if postgres else "geom"
    for r in _rows(store, f"SELECT fid, name, department, priority, {geom} FROM routing_zones ORDER BY fid"):  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        geometry = _wkb_geometry(r["geom"]) if postgres else _blob_geometry(r["geom"])
        zones.append((r["name"] or f"#{r['fid']}", r["department"], r["priority"] or 0, geometry.asWkt()))
    return RoutingRules.from_rows(categories, zones)


def save_routing_rules(store: ReportStore, rules: RoutingRules) -> None:
    """Replace the workspace's routing rules by ``rules`` (one transaction)."""
    from osgeo import ogr

    from .store.gpkg import geometry_blob

    with store.transaction():
        _execute(store, "DELETE FROM routing_category_rules")
        for code, department in sorted(rules.category_rules.items()):
            _execute(
                store, "INSERT INTO routing_category_rules (service_code, department) VALUES (?, ?)", (code, department)
            )
        _execute(store, "DELETE FROM routing_zones")
        xs: list[float] = []
        ys: list[float] = []
        postgres = store.dialect == "postgres"
        value_sql = "ST_Multi(ST_GeomFromWKB(?, 4326))" if postgres else "?"
        for zone in rules.zones:
            geometry = ogr.ForceToMultiPolygon(ogr.CreateGeometryFromWkt(zone.geometry.asWkt()))
            minx, maxx, miny, maxy = geometry.GetEnvelope()
            xs += [minx, maxx]
            ys += [miny, maxy]
            value = bytes(geometry.ExportToIsoWkb(ogr.wkbNDR)) if postgres else geometry_blob(geometry)
            _execute(
                store,
                f"INSERT INTO routing_zones (name, department, priority, geom) VALUES (?, ?, ?, {value_sql})",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                (zone.name, zone.department, int(zone.priority), value),
            )
        grow = getattr(store, "_grow_extent", None)
        if callable(grow) and xs:
            grow("routing_zones", xs, ys)
        dirty = getattr(store, "_dirty", None)
        if isinstance(dirty, set):
            dirty.update(("routing_category_rules", "routing_zones"))


def read_routing_json(path: str | Path) -> RoutingRules:
    """Rules from a JSON file (see :meth:`RoutingRules.from_json`); errors raise :class:`RulesError`."""
    return RoutingRules.from_json(path)


def import_routing_json(store: ReportStore, path: str | Path) -> RoutingRules:
    """Read rules from JSON and make them the workspace's rules."""
    rules = read_routing_json(path)
    save_routing_rules(store, rules)
    log.info(
        "Imported routing rules from %s: %d categories, %d zones", path, len(rules.category_rules), len(rules.zones)
    )
    return rules
