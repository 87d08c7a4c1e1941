"""The atlas's map layers: memory layers of the reports (points or grid cells), the heat map, the pages,
the figures and the overdue lists, with their renderers, and the workspace's districts under them.

:func:`atlas_features` makes the features (any thread); :func:`make_layers` the layers (main thread).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsFeature,
    QgsFillSymbol,
    QgsGeometry,
    QgsGradientColorRamp,
    QgsGradientStop,
    QgsHeatmapRenderer,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsPoint,
    QgsPointXY,
    QgsRectangle,
    QgsRuleBasedRenderer,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor

from .. import stats
from ..qgis_compat import LABEL_OVER_POINT, RENDER_MAP_UNITS
from ..statuses import STATUSES
from ..store.workspace import Workspace
from . import templates as tpl
from .columns import (
    _overdue_columns,
    _overdue_needs,
    elide_mm,
)
from .data import (
    CELL_SIZE_M,
    COVER_FIGURES,
    MAP_CRS,
    POINT_CRS,
    AtlasData,
    Lang,
    chunk_of,
)

log = logging.getLogger(__name__)


LAYER_PROPERTY = "openmisto/atlas"

GROUP_CONDITION = "(@atlas_feature IS NULL OR \"group_key\" = attribute(@atlas_feature, 'key'))"
"""Renderer filter: on an atlas page only the page's group, elsewhere (the cover) everything."""

CELL_CONDITION = "\"group_key\" = coalesce(attribute(@atlas_feature, 'key'), '*')"

#: The custom property QGIS reads to leave a memory layer out of its "temporary layers will be lost" question.
SKIP_MEMORY_CHECK = "skipMemoryLayersCheck"


def _memory_layer(uri: str, name: str, features: list[QgsFeature]) -> QgsVectorLayer:
    layer = QgsVectorLayer(uri, name, "memory")
    if not layer.isValid():
        raise RuntimeError(f"cannot create the layer {name}")
    layer.dataProvider().addFeatures(features)
    layer.updateExtents()
    layer.setCustomProperty(LAYER_PROPERTY, name)
    # Made again from the workspace whenever needed: QGIS must not warn on quit that its content "will be lost"
    # (the custom property QgisApp::checkMemoryLayers() skips).
    layer.setCustomProperty(SKIP_MEMORY_CHECK, 1)
    return layer


def _feature(values: list[Any], geometry: QgsGeometry | None = None) -> QgsFeature:
    feature = QgsFeature()
    feature.setAttributes(values)
    if geometry is not None:
        feature.setGeometry(geometry)
    return feature


def _rect(box: tuple[float, float, float, float]) -> QgsGeometry:
    return QgsGeometry.fromRect(QgsRectangle(*box))


def _status_renderer(lang: Lang, size: float = 1.6) -> QgsRuleBasedRenderer:
    """Points by status (colours of ``statuses.py``), overdue ringed in red; only the atlas page's group."""
    root = QgsRuleBasedRenderer.Rule(None)
    for code, status in STATUSES.items():
        symbol = QgsMarkerSymbol.createSimple(
            {
                "name": "circle",
                "color": status.colour,
                "outline_color": "#ffffff",
                "outline_width": "0.1",
                "size": str(size),
            }
        )
        rule = QgsRuleBasedRenderer.Rule(
            symbol, 0, 0, f"\"status\" = '{code}' AND {GROUP_CONDITION}", lang.status_label(code)
        )
        root.appendChild(rule)
    ring = QgsMarkerSymbol.createSimple(
        {
            "name": "circle",
            "color": "0,0,0,0",
            "outline_color": "#d50000",
            "outline_width": "0.25",
            "size": str(size + 1.0),
        }
    )
    root.appendChild(
        QgsRuleBasedRenderer.Rule(
            ring, 0, 0, f'"overdue" = 1 AND {GROUP_CONDITION}', lang.tr("Overdue (deadline passed)")
        )
    )
    return QgsRuleBasedRenderer(root)


def _cell_renderer(data: AtlasData) -> QgsRuleBasedRenderer:
    """Grid cells by number of reports (classes from the city's cells)."""
    counts = sorted(c.count for c in data.cells if c.group_key == stats.CITY_KEY) or [1]
    top = counts[-1]
    bounds = sorted({1, 3, 6, 11, 21, 51, 101, 201})
    classes = [(lo, hi - 1) for lo, hi in zip(bounds, bounds[1:]) if lo <= top]
    if not classes or classes[-1][1] < top:
        classes.append((bounds[len(classes)] if len(classes) < len(bounds) else top, 10**9))
    colours = ["#fff5eb", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#a63603", "#7f2704"]
    root = QgsRuleBasedRenderer.Rule(None)
    lang = data.lang
    for i, (lo, hi) in enumerate(classes):
        symbol = QgsFillSymbol.createSimple(
            {"color": colours[min(i, len(colours) - 1)], "outline_color": "#ffffff", "outline_width": "0.05"}
        )
        if hi >= 10**9:
            label = lang.tr("{n} and more").format(n=lo)
        elif lo == hi:
            label = str(lo)
        else:
            label = f"{lo}–{hi}"
        expr = f'"count" >= {lo} AND "count" <= {hi} AND {CELL_CONDITION}'
        root.appendChild(QgsRuleBasedRenderer.Rule(symbol, 0, 0, expr, label))
    return QgsRuleBasedRenderer(root)


def _heat_renderer(weight: str | None) -> QgsHeatmapRenderer:
    renderer = QgsHeatmapRenderer()
    renderer.setRadius(350)
    renderer.setRadiusUnit(RENDER_MAP_UNITS)
    renderer.setRenderQuality(2)
    ramp = QgsGradientColorRamp(QColor(255, 255, 178, 0), QColor(189, 0, 38, 235))
    ramp.setStops(
        [
            QgsGradientStop(0.15, QColor(254, 217, 118, 150)),
            QgsGradientStop(0.4, QColor(253, 141, 60, 200)),
            QgsGradientStop(0.7, QColor(240, 59, 32, 220)),
        ]
    )
    renderer.setColorRamp(ramp)
    if weight:
        renderer.setWeightExpression(weight)
    return renderer


def _style_districts(layer: QgsVectorLayer) -> None:
    symbol = QgsFillSymbol.createSimple(
        {"color": "255,255,255,160", "outline_color": "#7b8794", "outline_width": "0.35", "outline_style": "solid"}
    )
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    settings = QgsPalLayerSettings()
    settings.fieldName = "name"
    fmt = tpl.text_format(7.0, True, "#5b6672")
    buffer = fmt.buffer()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor("#ffffff"))
    fmt.setBuffer(buffer)
    settings.setFormat(fmt)
    settings.placement = LABEL_OVER_POINT
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


@dataclass
class AtlasLayers:
    """The layers of one atlas (in the project that holds the layouts)."""

    districts: QgsVectorLayer | None
    reports: QgsVectorLayer  # points by status, or grid cells
    heat: QgsVectorLayer
    pages: QgsVectorLayer
    figures: QgsVectorLayer
    overdue: QgsVectorLayer
    basemap: Any = None  # the OpenStreetMap layer under the maps (core/basemap.py), when asked for

    def base(self) -> list[Any]:
        """What every map draws under the reports: the districts, then the basemap (bottom)."""
        return [layer for layer in (self.districts, self.basemap) if layer is not None]

    def all(self) -> list[QgsVectorLayer]:
        layers = [self.districts, self.reports, self.heat, self.pages, self.figures, self.overdue]
        return [layer for layer in layers if layer is not None]


def _names(data: AtlasData) -> dict[str, str]:
    lang = data.lang
    period = lang.period(data.period)
    return {
        "reports": lang.tr("Reports {period}").format(period=period),
        "cells": lang.tr("Reports per {size} m cell {period}").format(size=int(CELL_SIZE_M), period=period),
        "heat": lang.tr("Heat map {period}").format(period=period),
        "pages": lang.tr("Atlas pages {period}").format(period=period),
        "figures": lang.tr("Figures {period}").format(period=period),
        "overdue": lang.tr("Overdue reports {period}").format(period=period),
        "districts": lang.tr("Districts"),
    }


@dataclass
class AtlasFeatures:
    """The features of the atlas's memory layers (:func:`atlas_features`): plain data, made in any thread."""

    reports: list[QgsFeature]  # points by status, or grid cells
    heat: list[QgsFeature] | None  # the cells' centres; None: the report points
    pages: list[QgsFeature]
    figures: list[QgsFeature]
    overdue: list[QgsFeature]


@stats.paused_gc()  # tens of thousands of features: see stats.paused_gc
def atlas_features(data: AtlasData) -> AtlasFeatures:
    """The features of the layers the layouts show; no layer yet, so any thread (the dialog: its task's)."""
    lang = data.lang
    heat: list[QgsFeature] | None = None
    if data.aggregate_cells:
        half = CELL_SIZE_M
        reports = [
            _feature(
                [c.group_key, c.count, c.overdue],
                _rect((c.ix * half, c.iy * half, (c.ix + 1) * half, (c.iy + 1) * half)),
            )
            for c in data.cells
        ]
        heat = [
            _feature([c.count], QgsGeometry.fromPointXY(QgsPointXY((c.ix + 0.5) * half, (c.iy + 0.5) * half)))
            for c in data.cells
            if c.group_key == stats.CITY_KEY
        ]
    else:
        reports = [
            _feature([p.group_key, p.status, int(p.overdue)], QgsGeometry(QgsPoint(p.x, p.y))) for p in data.points
        ]

    pages: list[QgsFeature] = []
    figures: list[QgsFeature] = []
    overdue: list[QgsFeature] = []
    grouping = lang.grouping_label(data.grouping)
    period = lang.period(data.period)
    for group in data.groups:
        for chunk in range(1, group.page_count + 1):
            first = 0 if chunk == 1 else data.rows_first + (chunk - 2) * data.rows_next
            last = min(
                group.overdue_total, len(group.overdue_rows), data.rows_first if chunk == 1 else first + data.rows_next
            )
            caption = lang.tr("Overdue reports: {n}").format(n=group.overdue_total)
            if len(group.overdue_rows) < group.overdue_total:
                caption += " " + lang.tr("(the {n} longest overdue)").format(n=len(group.overdue_rows))
            if chunk > 1:
                caption += " " + lang.tr("— continued, {a}–{b}").format(a=first + 1, b=last)
            title = group.label if chunk == 1 else lang.tr("{name} (continued)").format(name=group.label)
            pages.append(
                _feature(
                    [
                        group.first_page + chunk - 1,
                        group.key,
                        chunk,
                        title,
                        f"{grouping} · {period}",
                        group.contact,
                        caption,
                    ],
                    _rect(group.extent),
                )
            )
    rows = [(g.key, g.figures) for g in data.groups] + [(stats.CITY_KEY, data.figure_set.city)]
    labels = lang.figure_labels()
    for key, comparison in rows:
        for order, name in enumerate(stats.FIGURE_FIELDS):
            figures.append(
                _feature(
                    [
                        key,
                        order,
                        labels[name],
                        lang.value(name, comparison.current.value(name)),
                        lang.value(name, comparison.previous.value(name)),
                        lang.delta(name, comparison.delta(name)),
                        COVER_FIGURES.index(name) if name in COVER_FIGURES else -1,
                    ]
                )
            )
    # A category name wider than its column ends in "…" (a visible cut), not mid-word ("Пошкоджений дитячий май").
    # A value wider than its column ends in "…" (a visible cut), not mid-word ("Пошкоджений дитячий май").
    needs = _overdue_needs(data)
    room = {
        first: {a: w for a, _h, w, _al in _overdue_columns(lang, frame[2], data.keep_citizen_text, *needs)}
        for first, frame in ((True, tpl.OVERDUE_FIRST_FRAME), (False, tpl.OVERDUE_NEXT_FRAME))
    }
    for group in data.groups:
        for i, row in enumerate(group.overdue_rows):
            chunk = chunk_of(i, data.rows_first, data.rows_next)
            widths = room[chunk == 1]
            category = elide_mm(row.category or "", widths["category"])
            address = row.address if data.keep_citizen_text else elide_mm(row.address or "", widths["address"])
            overdue.append(
                _feature([row.group_key, chunk, i, row.number, category, address, row.days_late, row.description])
            )
    return AtlasFeatures(reports, heat, pages, figures, overdue)


@stats.paused_gc()  # tens of thousands of features: see stats.paused_gc
def make_layers(data: AtlasData, workspace_path: str | Path, features: AtlasFeatures | None = None) -> AtlasLayers:
    """Memory layers (and the workspace's districts) with what the layouts show (``features``: made ahead by
    :func:`atlas_features`, else now)."""
    made = features if features is not None else atlas_features(data)
    names = _names(data)
    crs = f"crs={MAP_CRS}"
    if data.aggregate_cells:
        reports = _memory_layer(
            f"Polygon?{crs}&field=group_key:string&field=count:integer&field=overdue:integer",
            names["cells"],
            made.reports,
        )
        reports.setRenderer(_cell_renderer(data))
        heat = _memory_layer(f"Point?{crs}&field=count:integer", names["heat"], made.heat or [])
        heat.setRenderer(_heat_renderer('"count"'))
    else:
        uri = f"Point?crs={POINT_CRS}&field=group_key:string&field=status:string&field=overdue:integer"
        reports = _memory_layer(uri, names["reports"], made.reports)
        reports.setRenderer(_status_renderer(data.lang))
        heat = reports.clone()  # the memory provider copies the features in C++
        heat.setName(names["heat"])
        heat.setCustomProperty(LAYER_PROPERTY, names["heat"])
        heat.setRenderer(_heat_renderer(None))
    page_layer = _memory_layer(
        f"Polygon?{crs}&field=page_no:integer&field=key:string&field=chunk:integer&field=title:string"
        "&field=subtitle:string&field=contact:string&field=overdue_caption:string",
        names["pages"],
        made.pages,
    )
    page_layer.setRenderer(
        QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_style": "no"}))
    )
    figure_layer = _memory_layer(
        "None?field=group_key:string&field=ord:integer&field=figure:string&field=value:string"
        "&field=previous:string&field=change:string&field=cover:integer",
        names["figures"],
        made.figures,
    )
    overdue_layer = _memory_layer(
        "None?field=group_key:string&field=chunk:integer&field=ord:integer&field=number:string&field=category:string"
        "&field=address:string&field=days_late:integer&field=description:string",
        names["overdue"],
        made.overdue,
    )
    uri, provider = Workspace.of(workspace_path).layer_source("districts")  # GeoPackage or PostGIS
    districts = QgsVectorLayer(uri, names["districts"], provider)
    if districts.isValid():
        _style_districts(districts)
        districts.setCustomProperty(LAYER_PROPERTY, "districts")
    else:
        log.warning("The workspace has no districts layer: the maps show the reports only")
        districts = None
    return AtlasLayers(districts, reports, heat, page_layer, figure_layer, overdue_layer)


__all__ = [
    "AtlasFeatures",
    "AtlasLayers",
    "atlas_features",
    "make_layers",
]
