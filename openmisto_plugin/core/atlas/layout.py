"""The monthly PDF atlas for the working group (issue 4, items 3–6).

:func:`build_atlas` reads the workspace, computes the figures (``core.stats``), builds the
print layouts from the templates in ``resources/layouts/`` in a :class:`QgsProject` of its
own (never ``QgsProject.instance()``: it runs in a ``QgsTask`` and in ``qgis_process``) and
exports one PDF: the cover (status map, heat map, the city's key figures), then one atlas
page per department or district (its map, legend, figures and overdue list; a long list
flows onto further pages). :func:`add_layouts_to_project` puts the same layouts into the
user's project, so that they can be tweaked in the layout designer and printed again.

Internal and public versions: the public one holds no officers' names, phones or e-mails,
no rejected reports, no citizens' text (unless ``keep_citizen_text``; then contacts, names and
house numbers are masked), street names without house numbers, and grid-cell counts, never points.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsFillSymbol,
    QgsGeometry,
    QgsGradientColorRamp,
    QgsGradientStop,
    QgsHeatmapRenderer,
    QgsLayerTreeGroup,
    QgsLayoutExporter,
    QgsLayoutItemAttributeTable,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutTableColumn,
    QgsLegendRenderer,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsPoint,
    QgsPointXY,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsRuleBasedRenderer,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor

from .. import stats
from ..paths import resource
from ..qgis_compat import LABEL_OVER_POINT, LEGEND_HIDDEN, RENDER_MAP_UNITS
from ..statuses import STATUSES
from ..store.workspace import Workspace
from ..timeutil import now_utc
from . import templates as tpl
from .data import (
    CELL_SIZE_M,
    COVER_FIGURES,
    MAP_CRS,
    OVERDUE_LIMIT,
    POINT_CRS,
    AtlasCanceled,
    AtlasData,
    Lang,
    chunk_of,
    prepare,
)
from .printer import AtlasPrinter

log = logging.getLogger(__name__)

DPI = 200
COVER_LAYOUT = "cover"
GROUP_LAYOUT = "group"
LAYER_PROPERTY = "openmisto/atlas"

GROUP_CONDITION = "(@atlas_feature IS NULL OR \"group_key\" = attribute(@atlas_feature, 'key'))"
"""Renderer filter: on an atlas page only the page's group, elsewhere (the cover) everything."""

CELL_CONDITION = "\"group_key\" = coalesce(attribute(@atlas_feature, 'key'), '*')"


@dataclass
class AtlasResult:
    """What :func:`build_atlas` made."""

    pages: int
    pdf: str
    groups: list[str]
    group_pages: dict[str, int] = field(default_factory=dict)  # group key -> its first page (1-based)
    csv: str | None = None
    xlsx: str | None = None
    rows_first: int = 0  # overdue rows on a group's first page
    rows_next: int = 0  # overdue rows on each further page
    data: AtlasData | None = field(default=None, repr=False)
    workspace_path: str = ""


# --------------------------------------------------------------------------- periods


def parse_period(value: Any) -> stats.Period:
    """A :class:`stats.Period` from a Period, ``"2026-11"``, ``(first_day, last_day)`` or ``(start, end)`` datetimes."""
    if isinstance(value, stats.Period):
        return value
    if isinstance(value, str):
        year, month = value.strip().split("-")[:2]
        return stats.Period.month(int(year), int(month))
    if isinstance(value, Sequence) and len(value) == 2:
        a, b = value
        if isinstance(a, datetime) and isinstance(b, datetime):
            return stats.Period(a, b)
        if isinstance(a, date) and isinstance(b, date):
            return stats.Period.days(a, b)
    raise ValueError(f"not a period: {value!r}")


# --------------------------------------------------------------------------- layers


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


# --------------------------------------------------------------------------- layouts


def _variables(data: AtlasData, made: datetime) -> dict[str, Any]:
    lang = data.lang
    period = lang.period(data.period)
    previous = lang.period(data.previous)
    return {
        "om_title": lang.tr("Citizen reports: monthly report of the working group"),
        "om_subtitle": lang.tr("Pokrov city council · period: {period} · compared with: {previous}").format(
            period=period, previous=previous
        ),
        "om_badge": lang.tr("Public version") if data.public else lang.tr("For internal use"),
        "om_period_text": lang.tr("Period: {period}").format(period=period),
        "om_made_text": lang.tr("Made: {date}").format(date=lang.datetime(made)),
        "om_page_pattern": lang.tr("Page %1 of %2"),
        "om_total_pages": data.total_pages,
        "om_cover_page_text": lang.tr("Page %1 of %2").replace("%1", "1").replace("%2", str(data.total_pages)),
        "om_status_caption": (
            lang.tr("Reports per {size} m cell").format(size=int(CELL_SIZE_M))
            if data.aggregate_cells
            else lang.tr("Reports by status")
        ),
        "om_heat_caption": lang.tr("Where problems concentrate (heat map)"),
        "om_figures_caption": lang.tr("Key figures"),
        "om_group_map_caption": (
            lang.tr("Reports per {size} m cell").format(size=int(CELL_SIZE_M))
            if data.aggregate_cells
            else lang.tr("Reports of the period and still open")
        ),
    }


def _find(layout: QgsPrintLayout, item_id: str) -> Any:
    item = layout.itemById(item_id)
    if item is None:
        log.debug("The template has no item %s", item_id)
    return item


def _table_of(layout: QgsPrintLayout, frame_id: str) -> QgsLayoutItemAttributeTable | None:
    frame = _find(layout, frame_id)
    if frame is None or not hasattr(frame, "multiFrame"):
        return None
    table = frame.multiFrame()
    return table if isinstance(table, QgsLayoutItemAttributeTable) else None


def _columns(table: QgsLayoutItemAttributeTable, spec: list[tuple[str, str, float, int]]) -> None:
    columns = []
    for attribute, heading, width, align in spec:
        column = QgsLayoutTableColumn(heading)
        column.setAttribute(attribute)
        column.setWidth(width)
        column.setHAlignment(align)
        columns.append(column)
    table.setColumns(columns)


def _figure_columns(lang: Lang, width: float) -> list[tuple[str, str, float, int]]:
    value_w = 17.5
    return [
        ("figure", lang.tr("Figure"), width - 3 * value_w - 4.0, Qt.AlignmentFlag.AlignLeft),
        ("value", lang.tr("Period"), value_w, Qt.AlignmentFlag.AlignRight),
        ("previous", lang.tr("Previous"), value_w, Qt.AlignmentFlag.AlignRight),
        ("change", lang.tr("Change"), value_w, Qt.AlignmentFlag.AlignRight),
    ]


#: Points per millimetre-scale pixel of the context that measures table text (any positive factor works).
_MEASURE_SCALE = 10.0
#: Font size (points) and cell margin (mm) of the atlas tables' content (``templates._table``).
TABLE_TEXT_SIZE, TABLE_CELL_MARGIN = 6.8, 0.9


@functools.lru_cache(maxsize=1 << 16)  # the same categories and addresses are measured again and again
def text_width_mm(text: str, size: float = TABLE_TEXT_SIZE) -> float:
    """Printed width (mm) of one line of ``text`` in the atlas tables' font."""
    from qgis.core import QgsRenderContext, QgsTextRenderer

    context = QgsRenderContext()
    context.setScaleFactor(_MEASURE_SCALE)  # painter units per mm
    return QgsTextRenderer.textWidth(context, tpl.text_format(size), [text]) / _MEASURE_SCALE


def elide_mm(text: str, width: float) -> str:
    """``text`` cut with "…" to fit ``width`` mm of a table cell (unchanged when it fits)."""
    room = width - 2 * TABLE_CELL_MARGIN
    if text_width_mm(text) <= room:
        return text
    cut = text
    while cut and text_width_mm(cut.rstrip() + "…") > room:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def column_need_mm(texts: Sequence[str]) -> float:
    """The column width (mm) the widest of ``texts`` needs, margins included."""
    return max((text_width_mm(t) for t in texts if t), default=0.0) + 2 * TABLE_CELL_MARGIN + 0.5


def _overdue_needs(data: AtlasData) -> tuple[float, float]:
    """What the widest category and address of the overdue lists need (mm)."""
    rows = [row for group in data.groups for row in group.overdue_rows]
    return column_need_mm([r.category for r in rows]), column_need_mm([r.address for r in rows])


def _overdue_columns(
    lang: Lang, width: float, with_text: bool, category_need: float = 0.0, address_need: float = 0.0
) -> list[tuple[str, str, float, int]]:
    """Columns of an overdue table ``width`` mm wide. Without the citizen's text the category and the address
    share the room by what their widest values need (``*_need``), each between 40 and 60 %."""
    number_w, days_w = 11.0, 17.0  # six-digit numbers fit in 11 mm
    rest = width - number_w - days_w - 5.0
    if with_text:
        category_w = min(max(category_need, rest * 0.25), rest * 0.25 + 2.0)  # the citizen's text keeps its room
        address_w = rest * 0.3
        text = [("description", lang.tr("Citizen's text"), rest - category_w - address_w, Qt.AlignmentFlag.AlignLeft)]
    else:
        if category_need + address_need <= rest:
            category_w = category_need + (rest - category_need - address_need) / 2
        elif category_need and address_need:
            category_w = rest * category_need / (category_need + address_need)
        else:
            category_w = rest * 0.45
        category_w = min(max(category_w, rest * 0.4), rest * 0.6)
        address_w, text = rest - category_w, []
    return [
        ("number", lang.tr("No."), number_w, Qt.AlignmentFlag.AlignLeft),
        ("category", lang.tr("Category"), category_w, Qt.AlignmentFlag.AlignLeft),
        ("address", lang.tr("Address"), address_w, Qt.AlignmentFlag.AlignLeft),
        *text,
        ("days_late", lang.tr("Working days late"), days_w, Qt.AlignmentFlag.AlignRight),
    ]


def _set_table(
    table: QgsLayoutItemAttributeTable | None,
    layer: QgsVectorLayer,
    expression: str,
    columns: list[tuple[str, str, float, int]],
) -> None:
    if table is None:
        return
    # Each setter refreshes the table's contents: the limit and the filter first, while the table has no
    # layer (or still the template's), so that the contents are only worked out once, with the filter.
    table.setMaximumNumberOfFeatures(100000)
    table.setFeatureFilter(expression)
    table.setFilterFeatures(True)
    table.setVectorLayer(layer)
    _columns(table, columns)
    table.refreshAttributes()


def _set_legend(legend: QgsLayoutItemLegend | None, layer: QgsVectorLayer, title: str) -> None:
    if legend is None:
        return
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.clear()
    node = root.addLayer(layer)
    QgsLegendRenderer.setNodeLegendStyle(node, LEGEND_HIDDEN)
    legend.setTitle(title)
    legend.adjustBoxSize()
    legend.refresh()


def _set_map(
    item: QgsLayoutItemMap | None, layers: list[QgsVectorLayer], extent: tuple[float, float, float, float] | None
) -> None:
    if item is None:
        return
    item.setCrs(QgsCoordinateReferenceSystem(MAP_CRS))
    item.setKeepLayerSet(True)
    item.setLayers(layers)
    if extent is not None:
        # zoomToExtent() keeps the ratio of the current extent, which a fresh template lacks
        x0, y0, x1, y1 = extent
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        w, h = (x1 - x0) * 1.06, (y1 - y0) * 1.06
        rect = item.rect()
        ratio = rect.width() / rect.height() if rect.height() > 0 else 1.0
        if w / h > ratio:
            h = w / ratio
        else:
            w = h * ratio
        item.setExtent(QgsRectangle(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))


def fill_cover(layout: QgsPrintLayout, data: AtlasData, layers: AtlasLayers, made: datetime) -> None:
    """Put the data into a layout loaded from the cover template."""
    lang = data.lang
    QgsExpressionContextUtils.setLayoutVariables(layout, _variables(data, made))
    base = layers.base()
    _set_map(_find(layout, "om_map_status"), [layers.reports, *base], data.city_extent)
    _set_map(_find(layout, "om_map_heat"), [layers.heat, *base], data.city_extent)
    _set_legend(_find(layout, "om_legend_status"), layers.reports, "")
    table = _table_of(layout, "om_figures")
    if table is not None:
        width = _find(layout, "om_figures").rect().width()
        _set_table(table, layers.figures, '"group_key" = \'*\' AND "cover" >= 0', _figure_columns(lang, width))

        sort = QgsLayoutTableColumn()
        sort.setAttribute("cover")
        sort.setSortOrder(Qt.SortOrder.AscendingOrder)
        table.setSortColumns([sort])
        table.refreshAttributes()
    layout.setName(lang.tr("Monthly report {period}: cover").format(period=lang.period(data.period)))


def fill_group(layout: QgsPrintLayout, data: AtlasData, layers: AtlasLayers, made: datetime) -> None:
    """Put the data into a layout loaded from the group (atlas) template."""
    lang = data.lang
    QgsExpressionContextUtils.setLayoutVariables(layout, _variables(data, made))
    atlas = layout.atlas()
    atlas.setCoverageLayer(layers.pages)
    atlas.setEnabled(True)
    atlas.setHideCoverage(True)
    atlas.setSortFeatures(True)
    atlas.setSortAscending(True)
    atlas.setSortExpression('"page_no"')
    atlas.setPageNameExpression('"title"')
    atlas.setFilenameExpression("'page_' || lpad(to_string(\"page_no\"), 4, '0')")
    base = layers.base()
    _set_map(_find(layout, "om_map_group"), [layers.reports, *base], data.city_extent)
    _set_legend(_find(layout, "om_legend_group"), layers.reports, "")
    key = "attribute(@atlas_feature, 'key')"
    chunk = "attribute(@atlas_feature, 'chunk')"
    figures = _table_of(layout, "om_figures")
    if figures is not None:
        width = _find(layout, "om_figures").rect().width()
        _set_table(figures, layers.figures, f'"group_key" = {key} AND {chunk} = 1', _figure_columns(lang, width))
    with_text = data.keep_citizen_text
    needs = _overdue_needs(data)
    for frame_id, expression in (
        ("om_overdue_first", f'"group_key" = {key} AND "chunk" = 1 AND {chunk} = 1'),
        ("om_overdue_next", f'"group_key" = {key} AND "chunk" = {chunk} AND {chunk} > 1'),
    ):
        table = _table_of(layout, frame_id)
        if table is not None:
            width = _find(layout, frame_id).rect().width()
            _set_table(table, layers.overdue, expression, _overdue_columns(lang, width, with_text, *needs))
    layout.setName(lang.tr("Monthly report {period}: atlas").format(period=lang.period(data.period)))


def load_layouts(project: QgsProject, folder: Path | None = None) -> tuple[QgsPrintLayout, QgsPrintLayout]:
    """Empty cover and group layouts from the templates (``resources/layouts`` by default)."""
    folder = Path(folder) if folder else resource("layouts")
    cover = QgsPrintLayout(project)
    tpl.load_template(cover, folder / tpl.COVER_TEMPLATE)
    group = QgsPrintLayout(project)
    tpl.load_template(group, folder / tpl.GROUP_TEMPLATE)
    return cover, group


def measure_rows(layout: QgsPrintLayout, lang: Lang) -> tuple[int, int]:
    """How many overdue rows fit in the first-page frame and in an overflow-page frame of ``layout``."""
    sample = [_feature(["k", 1, i, "123456", "Ями на дорозі Щ", "вул. Центральна, 12Й", 99, "Щ"]) for i in range(3)]
    probe = _memory_layer(
        "None?field=group_key:string&field=chunk:integer&field=ord:integer&field=number:string&field=category:string"
        "&field=address:string&field=days_late:integer&field=description:string",
        "probe",
        sample,
    )
    out = []
    for frame_id, fallback in (("om_overdue_first", 16), ("om_overdue_next", 36)):
        table = _table_of(layout, frame_id)
        frame = _find(layout, frame_id)
        if table is None or frame is None:
            out.append(fallback)
            continue
        width = frame.rect().width()
        table.setVectorLayer(probe)
        _columns(table, _overdue_columns(lang, width, False))
        table.setFilterFeatures(False)
        heights = []
        for n in (1, 3):
            table.setMaximumNumberOfFeatures(n)
            table.refreshAttributes()
            heights.append(table.totalSize().height())
        row = (heights[1] - heights[0]) / 2
        header = heights[0] - row
        if row <= 0:
            out.append(fallback)
            continue
        out.append(max(1, int((frame.rect().height() - header - 0.6) // row)))
    return out[0], out[1]


# --------------------------------------------------------------------------- export


def pdf_settings() -> QgsLayoutExporter.PdfExportSettings:
    """Vector PDF with real text (so it can be searched and read by pdftotext)."""
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = DPI
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = False
    settings.simplifyGeometries = True
    settings.appendGeoreference = False
    settings.exportMetadata = False
    settings.textRenderFormat = Qgis.TextRenderFormat.AlwaysText
    return settings


def export_pdf(cover: QgsPrintLayout, group: QgsPrintLayout, path: str | Path, feedback: Any = None) -> None:
    """Write the cover and all atlas pages into one PDF, now (:meth:`AtlasPrinter.run`)."""
    AtlasPrinter(cover, group, path, pdf_settings(), feedback).run()


# --------------------------------------------------------------------------- API


def _workspace(workspace_path: str | Path | Workspace) -> Workspace:
    """The workspace at ``workspace_path``; ``FileNotFoundError`` when there is none (a GeoPackage file is missing)."""
    workspace = Workspace.of(workspace_path)
    if not workspace.exists():
        raise FileNotFoundError(workspace.address)
    return workspace


def layout_rows(language: str = "uk", templates: Path | None = None) -> tuple[int, int]:
    """How many overdue rows the group template's tables hold (first page, next pages). Main thread: a layout."""
    project = QgsProject()
    _cover, group = load_layouts(project, templates)
    rows = measure_rows(group, Lang(language))
    del _cover, group
    return rows


def prepare_atlas(
    workspace_path: str | Path,
    period: Any,
    grouping: str,
    public: bool,
    rows: tuple[int, int],
    aggregate_cells: bool = False,
    language: str = "uk",
    feedback: Any = None,
    *,
    with_figure_sets: bool = False,
    now: datetime | None = None,
    keep_citizen_text: bool = False,
    overdue_limit: int | None = OVERDUE_LIMIT,
) -> AtlasData:
    """Read the workspace and compute everything the atlas prints (:func:`atlas_data.prepare`).

    No layout, no layer: safe in a worker thread (a QgsTask), where the long part of an atlas runs.
    """
    return prepare(
        _workspace(workspace_path),
        parse_period(period),
        grouping,
        public=public,
        aggregate_cells=aggregate_cells,
        language=language,
        now=now,
        keep_citizen_text=keep_citizen_text,
        overdue_limit=overdue_limit,
        rows_first=rows[0],
        rows_next=rows[1],
        feedback=feedback,
        progress_span=(0.0, 30.0),
        all_groupings=with_figure_sets,
    )


@dataclass(eq=False)
class AtlasPrint:
    """An atlas being printed (:func:`open_print`): its own project, the filled layouts, the layers, the printer."""

    printer: AtlasPrinter
    project: QgsProject
    layouts: tuple[QgsPrintLayout, QgsPrintLayout]
    layers: AtlasLayers
    output: Path
    workspace: Workspace


def open_print_steps(
    data: AtlasData,
    workspace_path: str | Path,
    output_pdf: str | Path,
    feedback: Any = None,
    templates: Path | None = None,
    basemap: bool = False,
    features: AtlasFeatures | None = None,
) -> Iterator[AtlasPrint | None]:
    """:func:`open_print` in steps short enough for the event loop: yields ``None`` after each, the
    :class:`AtlasPrint` at the end. Raises :class:`AtlasCanceled` when ``feedback`` cancels."""

    def step(progress: float) -> None:
        if feedback is not None:
            if feedback.isCanceled():
                raise AtlasCanceled()
            feedback.setProgress(progress)

    workspace = _workspace(workspace_path)
    project = QgsProject()
    project.setCrs(QgsCoordinateReferenceSystem(MAP_CRS))
    cover, group = load_layouts(project, templates)
    yield step(31)
    if features is None:
        features = atlas_features(data)
        yield step(32)
    layers = make_layers(data, workspace, features)
    if basemap:
        from ..basemap import osm_layer

        layers.basemap = osm_layer()
    project.addMapLayers(layers.all(), False)
    yield step(33)
    made = now_utc()
    fill_cover(cover, data, layers, made)
    yield step(34)
    fill_group(group, data, layers, made)
    yield step(35)
    printer = AtlasPrinter(cover, group, Path(output_pdf), pdf_settings(), feedback)
    yield AtlasPrint(printer, project, (cover, group), layers, Path(output_pdf), workspace)


def open_print(
    data: AtlasData,
    workspace_path: str | Path,
    output_pdf: str | Path,
    feedback: Any = None,
    templates: Path | None = None,
    basemap: bool = False,
    features: AtlasFeatures | None = None,
) -> AtlasPrint:
    """Fill the layouts with ``data``; the printer of the PDF, not started. Main thread (a layout is a graphics
    scene, which Qt does not allow outside the GUI thread); the printer draws the maps in QGIS's renderer threads.

    ``basemap``: OpenStreetMap under the maps (its tiles need the internet; without it the maps print as before);
    ``features``: the layers' features made ahead (:func:`atlas_features`).
    """
    steps = [*open_print_steps(data, workspace_path, output_pdf, feedback, templates, basemap, features)]
    return steps[-1]


def close_print(
    job: AtlasPrint,
    data: AtlasData,
    csv_path: str | Path | None = None,
    xlsx_path: str | Path | None = None,
    feedback: Any = None,
) -> AtlasResult:
    """After the printer wrote the PDF: the CSV/XLSX of the figures, and what was made."""
    csv_out = xlsx_out = None
    if csv_path or xlsx_path:
        from ..export import write_csv, write_xlsx

        sets = data.figure_sets
        if csv_path:
            csv_out = str(write_csv(csv_path, sets))
        if xlsx_path:
            xlsx_out = str(write_xlsx(xlsx_path, sets))
    if feedback is not None:
        feedback.setProgress(100)
    log.info("Atlas of %s: %d pages in %s", data.period.label(), data.total_pages, job.output)
    return AtlasResult(
        pages=data.total_pages,
        pdf=str(job.output),
        groups=[g.label for g in data.groups],
        group_pages={g.key: g.first_page for g in data.groups},
        csv=csv_out,
        xlsx=xlsx_out,
        rows_first=data.rows_first,
        rows_next=data.rows_next,
        data=data,
        workspace_path=job.workspace.address,
    )


def render_atlas(
    data: AtlasData,
    workspace_path: str | Path,
    output_pdf: str | Path,
    feedback: Any = None,
    csv_path: str | Path | None = None,
    xlsx_path: str | Path | None = None,
    templates: Path | None = None,
    basemap: bool = False,
) -> AtlasResult:
    """Fill the layouts with ``data`` and write the PDF (and the CSV/XLSX of the figures), now, in the calling
    (main) thread: :func:`open_print`, :meth:`AtlasPrinter.run`, :func:`close_print`."""
    job = open_print(data, workspace_path, output_pdf, feedback, templates, basemap)
    job.printer.run()
    return close_print(job, data, csv_path, xlsx_path, feedback)


def build_atlas(
    workspace_path: str | Path,
    period: Any,
    grouping: str,
    public: bool,
    output_pdf: str | Path,
    aggregate_cells: bool = False,
    language: str = "uk",
    feedback: Any = None,
    csv_path: str | Path | None = None,
    xlsx_path: str | Path | None = None,
    *,
    now: datetime | None = None,
    keep_citizen_text: bool = False,
    overdue_limit: int | None = OVERDUE_LIMIT,
    templates: Path | None = None,
) -> AtlasResult:
    """Write the monthly atlas of ``period`` (a :class:`stats.Period`, ``"2026-11"`` or two dates) to ``output_pdf``.

    ``grouping`` is ``department`` or ``district``; ``public`` leaves out personal data;
    ``aggregate_cells`` shows counts per grid cell instead of points. ``feedback`` is any object with
    ``isCanceled()`` and ``setProgress(float)``; a cancel raises :class:`AtlasCanceled`. The CSV and
    XLSX get the figures of every grouping. :func:`layout_rows`, :func:`prepare_atlas` and
    :func:`render_atlas` in one go: call it in the main thread (the dialog runs only the middle one in a task).
    """
    _workspace(workspace_path)
    data = prepare_atlas(
        workspace_path,
        period,
        grouping,
        public,
        layout_rows(language, templates),
        aggregate_cells,
        language,
        feedback,
        with_figure_sets=bool(csv_path or xlsx_path),
        now=now,
        keep_citizen_text=keep_citizen_text,
        overdue_limit=overdue_limit,
    )
    return render_atlas(data, workspace_path, output_pdf, feedback, csv_path, xlsx_path, templates)


def _save_to_geopackage(layers: AtlasLayers, path: Path, project_context: Any) -> AtlasLayers:
    """Copy the memory layers into a GeoPackage (so a saved project keeps them) and open them from there."""
    from qgis.core import QgsVectorFileWriter

    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    opened: dict[str, QgsVectorLayer] = {}
    for attr in ("reports", "heat", "pages", "figures", "overdue"):
        layer: QgsVectorLayer = getattr(layers, attr)
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GPKG"
        options.layerName = attr
        options.actionOnExistingFile = (
            QgsVectorFileWriter.CreateOrOverwriteLayer if path.exists() else QgsVectorFileWriter.CreateOrOverwriteFile
        )
        write = getattr(QgsVectorFileWriter, "writeAsVectorFormatV3", None) or QgsVectorFileWriter.writeAsVectorFormatV2
        error = write(layer, str(path), project_context, options)
        if error[0] != QgsVectorFileWriter.NoError:
            raise OSError(f"cannot write {attr} into {path}: {error[1]}")
        uri, provider = Workspace.of(path).layer_source(attr)  # a GeoPackage file, as a workspace's tables
        copy = QgsVectorLayer(uri, layer.name(), provider)
        if layer.isSpatial() and layer.renderer() is not None:
            copy.setRenderer(layer.renderer().clone())
        copy.setCustomProperty(LAYER_PROPERTY, attr)
        opened[attr] = copy
    return AtlasLayers(layers.districts, **opened)


def add_layouts_to_project(
    project: QgsProject,
    result: AtlasResult,
    data_path: str | Path | None = None,
    templates: Path | None = None,
) -> list[QgsPrintLayout]:
    """Add the atlas's layers (in a hidden group) and its two layouts to ``project``; returns the layouts.

    Call in the main thread with the result of :func:`build_atlas`. With ``data_path`` the atlas
    data is written to that GeoPackage (so a saved project keeps it); else memory layers are used.
    Layouts of the same name are replaced.
    """
    data = result.data
    if data is None:
        raise ValueError("the result holds no atlas data")
    layers = make_layers(data, result.workspace_path)
    if data_path:
        layers = _save_to_geopackage(layers, Path(data_path), project.transformContext())
    lang = data.lang
    root = project.layerTreeRoot()
    group_name = lang.tr("Monthly report {period}").format(period=lang.period(data.period))
    old = root.findGroup(group_name)
    if old is not None:
        for layer_id in old.findLayerIds():
            project.removeMapLayer(layer_id)
        root.removeChildNode(old)
    tree_group: QgsLayerTreeGroup = root.addGroup(group_name)
    project.addMapLayers(layers.all(), False)
    for layer in layers.all():
        node = tree_group.addLayer(layer)
        node.setItemVisibilityChecked(layer is layers.reports)
    tree_group.setExpanded(False)
    tree_group.setItemVisibilityChecked(False)

    cover, group = load_layouts(project, templates)
    made = now_utc()
    fill_cover(cover, data, layers, made)
    fill_group(group, data, layers, made)
    manager = project.layoutManager()
    for layout in (cover, group):
        existing = manager.layoutByName(layout.name())
        if existing is not None:
            manager.removeLayout(existing)
        manager.addLayout(layout)
    return [cover, group]


__all__ = [
    "AtlasCanceled",
    "AtlasPrint",
    "AtlasResult",
    "add_layouts_to_project",
    "atlas_features",
    "build_atlas",
    "close_print",
    "export_pdf",
    "fill_cover",
    "fill_group",
    "layout_rows",
    "load_layouts",
    "make_layers",
    "open_print",
    "open_print_steps",
    "parse_period",
    "prepare_atlas",
    "render_atlas",
]
