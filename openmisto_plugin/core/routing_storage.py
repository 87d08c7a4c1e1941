"""Routing rules kept in the workspace (tables ``routing_category_rules`` and ``routing_zones``), imported from JSON.

The store keeps them (:meth:`ReportStore.routing_zones`, :meth:`ReportStore.replace_routing_rules`); zones
travel as WKB from the store and as WKT to it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from qgis.core import QgsGeometry

from .rules import RoutingRules
from .store.base import ReportStore

log = logging.getLogger(__name__)


def _wkb_geometry(wkb: bytes | None) -> QgsGeometry:
    geometry = QgsGeometry()
    if wkb:
        geometry.fromWkb(wkb)
    return geometry


def load_routing_rules(store: ReportStore) -> RoutingRules:
    """The routing rules kept in the workspace (``routing_category_rules``, ``routing_zones``)."""
    zones = [
        (z["name"] or f"#{z['fid']}", z["department"], z["priority"] or 0, _wkb_geometry(z["wkb"]).asWkt())
        for z in store.routing_zones()
    ]
    return RoutingRules.from_rows(store.routing_categories(), zones)


def save_routing_rules(store: ReportStore, rules: RoutingRules) -> None:
    """Replace the workspace's routing rules by ``rules`` (one transaction)."""
    zones = [(zone.name, zone.department, int(zone.priority), zone.geometry.asWkt()) for zone in rules.zones]
    store.replace_routing_rules(sorted(rules.category_rules.items()), zones)


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
