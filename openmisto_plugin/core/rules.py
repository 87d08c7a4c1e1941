"""Routing suggestions: which department a report should go to (issue 3, item 4).

Two kinds of rules:

* a category rule ``service_code → department``;
* a zone rule: a polygon (EPSG:4326) ``→ department`` with a priority.

A zone rule beats a category rule. Of the zones containing the point (a point on the border
counts as inside), the highest ``priority`` wins; on equal priority the smaller zone (more
specific) wins, then the name in alphabetical order. Zones are found through a
``QgsSpatialIndex`` on their bounding boxes, then checked exactly with a prepared geometry.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qgis.core import QgsFields, QgsGeometry, QgsJsonUtils, QgsPointXY, QgsRectangle, QgsSpatialIndex

from .i18n import tr
from .prepared_geometry import PreparedGeometry
from .qgis_compat import GEOMETRY_POLYGON

log = logging.getLogger(__name__)

KIND_ZONE = "zone"
KIND_CATEGORY = "category"


class RulesError(ValueError):
    """Routing rules that cannot be used; the message is translated and names what is wrong."""


@dataclass
class Zone:
    """A polygon in EPSG:4326 whose reports go to ``department``."""

    name: str
    department: str
    priority: int
    geometry: QgsGeometry


@dataclass(frozen=True)
class Suggestion:
    """A suggested department and the rule that matched (``rule_description`` is translated)."""

    department: str
    rule_description: str
    kind: str = KIND_CATEGORY  # "zone" or "category"
    rule_name: str = ""  # zone name or service code


def _geojson_to_wkt(geometry: Any) -> str | None:
    """WKT of a GeoJSON geometry object, or None when it is missing or unreadable."""
    if not isinstance(geometry, Mapping):
        return None
    feature = json.dumps({"type": "Feature", "properties": {}, "geometry": geometry}, default=str)
    parsed = QgsJsonUtils.stringToFeatureList(feature, QgsFields())
    return parsed[0].geometry().asWkt() or None if parsed and parsed[0].hasGeometry() else None


@dataclass
class RoutingRules:
    """Category and zone rules; :meth:`suggest` picks the department for one report."""

    category_rules: dict[str, str] = field(default_factory=dict)
    zones: list[Zone] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index = QgsSpatialIndex()
        self._engines: list[PreparedGeometry] = []
        self._areas: list[float] = []
        for number, zone in enumerate(self.zones):
            geometry = zone.geometry
            if geometry is None or geometry.isNull() or geometry.type() != GEOMETRY_POLYGON:
                raise RulesError(tr("the zone «{name}» is not a polygon").format(name=zone.name))
            if not geometry.isGeosValid():
                log.warning("Zone %r has an invalid polygon; it is repaired with makeValid()", zone.name)
                geometry = geometry.makeValid()
                zone.geometry = geometry
            self._engines.append(PreparedGeometry(geometry))
            self._areas.append(geometry.area())
            self._index.addFeature(number, geometry.boundingBox())

    # ------------------------------------------------------------------ loading

    @classmethod
    def from_rows(
        cls,
        category_rows: Iterable[tuple[str, str]],
        zone_rows: Iterable[tuple[str, str, int, str]],
    ) -> RoutingRules:
        """Rules from plain rows: ``(service_code, department)`` and ``(name, department, priority, wkt)``."""
        categories: dict[str, str] = {}
        for service_code, department in category_rows:
            if service_code and department:
                categories[str(service_code)] = str(department)
        zones = [_zone(name, department, priority, wkt) for name, department, priority, wkt in zone_rows]
        return cls(categories, zones)

    @classmethod
    def from_json(cls, path: str | Path) -> RoutingRules:
        """Rules from ``{"categories": {code: department}, "zones": [{name, department, priority, wkt}]}``.

        ``category_rules`` is accepted for ``categories`` (the reference server's example file uses it), and a
        zone may give a GeoJSON ``geometry`` instead of ``wkt``. Errors name the file and the problem.
        """
        file = Path(path)
        try:
            data = json.loads(file.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise RulesError(
                tr("Routing rules {file} cannot be read ({reason})").format(file=file, reason=exc.strerror or exc)
            ) from exc
        except json.JSONDecodeError as exc:
            raise RulesError(
                tr("Routing rules {file}, line {line}: not valid JSON ({reason})").format(
                    file=file, line=exc.lineno, reason=exc.msg
                )
            ) from exc
        if not isinstance(data, Mapping):
            raise RulesError(tr("Routing rules {file}: expected a JSON object").format(file=file))
        categories = data.get("categories") or data.get("category_rules") or {}
        zones = data.get("zones") or []
        if not isinstance(categories, Mapping) or not isinstance(zones, list):
            raise RulesError(
                tr("Routing rules {file}: «categories» must be an object and «zones» a list").format(file=file)
            )
        zone_rows = []
        for number, item in enumerate(zones, start=1):
            if not isinstance(item, Mapping):
                raise RulesError(
                    tr("Routing rules {file}: zone {number} is not an object").format(file=file, number=number)
                )
            wkt = item.get("wkt") or _geojson_to_wkt(item.get("geometry"))
            present = (("name", item.get("name")), ("department", item.get("department")), ("wkt", wkt))
            missing = [key for key, value in present if not value]
            if missing:
                raise RulesError(
                    tr("Routing rules {file}: zone {number} lacks {keys}").format(
                        file=file, number=number, keys=", ".join(missing)
                    )
                )
            zone_rows.append((item["name"], item["department"], item.get("priority", 0), wkt))
        try:
            return cls.from_rows(categories.items(), zone_rows)
        except RulesError as exc:
            raise RulesError(tr("Routing rules {file}: {problem}").format(file=file, problem=exc)) from exc

    # ------------------------------------------------------------------ matching

    def zones_at(self, lat: float, long: float) -> list[Zone]:
        """Zones containing the point, best first (priority, then smaller area, then name)."""
        if lat is None or long is None or not (math.isfinite(lat) and math.isfinite(long)):
            return []
        point = QgsGeometry.fromPointXY(QgsPointXY(long, lat))
        candidates = self._index.intersects(QgsRectangle(long, lat, long, lat))
        hits = [n for n in candidates if self._engines[n].intersects(point.constGet())]
        hits.sort(key=lambda n: (-self.zones[n].priority, self._areas[n], self.zones[n].name))
        return [self.zones[n] for n in hits]

    def suggest(self, service_code: str | None, lat: float | None, long: float | None) -> Suggestion | None:
        """The department for a report: the best zone containing it, else its category's rule, else None."""
        zones = self.zones_at(lat, long) if lat is not None and long is not None else []
        if zones:
            zone = zones[0]
            return Suggestion(
                zone.department,
                tr("zone «{zone}» → department {department}").format(zone=zone.name, department=zone.department),
                KIND_ZONE,
                zone.name,
            )
        department = self.category_rules.get(service_code or "")
        if department:
            return Suggestion(
                department,
                tr("category {category} → department {department}").format(
                    category=service_code, department=department
                ),
                KIND_CATEGORY,
                service_code or "",
            )
        return None


def _zone(name: Any, department: Any, priority: Any, wkt: Any) -> Zone:
    try:
        number = int(priority if priority is not None else 0)
    except (TypeError, ValueError) as exc:
        raise RulesError(
            tr("the priority of the zone «{name}» is not a whole number: «{value}»").format(name=name, value=priority)
        ) from exc
    geometry = QgsGeometry.fromWkt(str(wkt or ""))
    if geometry.isNull():
        raise RulesError(tr("the zone «{name}» has no valid WKT geometry").format(name=name))
    return Zone(str(name), str(department), number, geometry)
