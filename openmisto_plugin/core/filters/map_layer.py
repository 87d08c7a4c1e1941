"""A filter's result on the map layer: a subset string (map, attribute table, counts, Processing), reversible."""

from __future__ import annotations

import logging

from qgis.core import QgsProviderRegistry, QgsVectorLayer

from ..store.workspace import Workspace
from .model import FilterResult
from .sql import REPORTS_TABLE, and_sql, result_sql

log = logging.getLogger(__name__)

BASE_SUBSET_PROPERTY = "openmisto/filter_base_subset"
FILTER_PROPERTY = "openmisto/filter_active"


def base_subset(layer: QgsVectorLayer | None) -> str:
    """The subset the layer had before the plugin's filter (its scope, e.g. one department)."""
    if layer is None:
        return ""
    if layer.customProperty(FILTER_PROPERTY):
        return str(layer.customProperty(BASE_SUBSET_PROPERTY) or "")
    return layer.subsetString()


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
