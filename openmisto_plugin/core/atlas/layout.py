"""The atlas's print layouts: the cover and the group template (``resources/layouts/``) filled with the data
and the layers (variables, maps, legends, figure and overdue tables), the rows a page holds, the PDF export.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsExpressionContextUtils,
    QgsLayoutExporter,
    QgsLayoutItemAttributeTable,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutTableColumn,
    QgsLegendRenderer,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt

from ..paths import resource
from ..qgis_compat import LEGEND_HIDDEN
from . import templates as tpl
from .columns import (
    _figure_columns,
    _overdue_columns,
    _overdue_needs,
)
from .data import (
    CELL_SIZE_M,
    MAP_CRS,
    AtlasData,
    Lang,
)
from .layers import AtlasLayers, _feature, _memory_layer
from .printer import AtlasPrinter

log = logging.getLogger(__name__)


DPI = 200
COVER_LAYOUT = "cover"
GROUP_LAYOUT = "group"


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


__all__ = [
    "export_pdf",
    "fill_cover",
    "fill_group",
    "load_layouts",
    "measure_rows",
    "pdf_settings",
]
