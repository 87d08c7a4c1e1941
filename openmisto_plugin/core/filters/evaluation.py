"""Evaluating a filter on a workspace: the attribute ``WHERE`` by the layer's provider, then the exact spatial tests."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from qgis.core import QgsFeatureRequest, QgsPoint, QgsVectorLayer

from ..i18n import tr
from ..store.workspace import Workspace
from .map_layer import base_subset
from .model import FilterResult, ReportFilter
from .spatial import spatial_criteria
from .sql import REPORTS_TABLE, and_sql, attribute_where, bbox_sql

log = logging.getLogger(__name__)


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
