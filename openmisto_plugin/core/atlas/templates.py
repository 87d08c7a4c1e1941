"""The print layout templates of the monthly atlas (``resources/layouts/*.qpt``) and how they are made.

The ``.qpt`` files are the source the atlas loads (a city may restyle them in QGIS's layout
designer and save them back over the files). This module writes the original ones:
``python -m openmisto_plugin.core.atlas.templates [folder]``.

Every item the atlas fills has an id ``om_*`` (see :data:`COVER_ITEMS`, :data:`GROUP_ITEMS`);
text in the templates is an expression on layout variables (``@om_*``) or on the atlas
feature, filled with translated strings when a report is built. Items that a restyled
template lacks are skipped.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from qgis.core import (
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemShape,
    QgsLayoutMeasurement,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsPrintLayout,
    QgsProject,
    QgsReadWriteContext,
    QgsTextFormat,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont
from qgis.PyQt.QtXml import QDomDocument

from ..paths import resource
from ..qgis_compat import (
    EXCLUDE_FROM_EXPORTS,
    LEGEND_GROUP,
    LEGEND_SUBGROUP,
    LEGEND_SYMBOL_LABEL,
    LEGEND_TITLE,
    RENDER_POINTS,
)

log = logging.getLogger(__name__)

FONT_FAMILY = "DejaVu Sans"
"""A font with Ukrainian letters (Debian: fonts-dejavu-core); Qt falls back to another one elsewhere."""

COVER_TEMPLATE = "openmisto_cover.qpt"
GROUP_TEMPLATE = "openmisto_group.qpt"

PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 10.0
HEADER_H = 22.0
FOOTER_Y = 197.0
BAND_COLOUR = QColor("#1f3a5f")

# Geometry (mm) of the items the atlas needs to know (for the rows that fit in a table frame).
GROUP_MAP = (MARGIN, 30.0, 162.0, 118.0)
GROUP_RIGHT_X = 178.0
GROUP_RIGHT_W = PAGE_W - MARGIN - GROUP_RIGHT_X
FIGURES_FRAME = (GROUP_RIGHT_X, 30.0, GROUP_RIGHT_W, 78.0)
OVERDUE_FIRST_FRAME = (GROUP_RIGHT_X, 118.0, GROUP_RIGHT_W, 75.0)
OVERDUE_NEXT_FRAME = (MARGIN, 30.0, PAGE_W - 2 * MARGIN, 163.0)
COVER_STATUS_MAP = (MARGIN, 30.0, 150.0, 128.0)
COVER_RIGHT_X = 166.0
COVER_RIGHT_W = PAGE_W - MARGIN - COVER_RIGHT_X
COVER_HEAT_MAP = (COVER_RIGHT_X, 30.0, COVER_RIGHT_W, 95.0)
COVER_FIGURES_FRAME = (COVER_RIGHT_X, 137.0, COVER_RIGHT_W, 56.0)

COVER_ITEMS = (
    "om_title",
    "om_subtitle",
    "om_badge",
    "om_map_status",
    "om_map_status_caption",
    "om_legend_status",
    "om_map_heat",
    "om_map_heat_caption",
    "om_figures_caption",
    "om_figures",
    "om_footer_left",
    "om_footer_center",
    "om_footer_right",
)
GROUP_ITEMS = (
    "om_title",
    "om_subtitle",
    "om_badge",
    "om_map_group",
    "om_legend_group",
    "om_contact",
    "om_figures_caption",
    "om_figures",
    "om_overdue_caption",
    "om_overdue_first",
    "om_overdue_next_caption",
    "om_overdue_next",
    "om_footer_left",
    "om_footer_center",
    "om_footer_right",
)

CHUNK = "attribute(@atlas_feature, 'chunk')"
"""Expression of the atlas page's part of a group: 1 on its first page, 2… on the overflow pages."""


def text_format(size: float, bold: bool = False, colour: str = "#202020") -> QgsTextFormat:
    """A DejaVu Sans text format of ``size`` points."""
    fmt = QgsTextFormat()
    font = QFont(FONT_FAMILY)
    font.setBold(bold)
    fmt.setFont(font)
    fmt.setSize(size)
    fmt.setSizeUnit(RENDER_POINTS)
    fmt.setColor(QColor(colour))
    return fmt


def set_label_format(label: QgsLayoutItemLabel, size: float, bold: bool = False, colour: str = "#202020") -> None:
    """Font of a label (``setTextFormat`` from QGIS 3.24, ``setFont`` before)."""
    if hasattr(label, "setTextFormat"):
        label.setTextFormat(text_format(size, bold, colour))
    else:
        font = QFont(FONT_FAMILY)
        font.setPointSizeF(size)
        font.setBold(bold)
        label.setFont(font)
        label.setFontColor(QColor(colour))


def _place(item, x: float, y: float, w: float, h: float) -> None:
    item.attemptMove(QgsLayoutPoint(x, y))
    item.attemptResize(QgsLayoutSize(w, h))


def _label(
    layout: QgsPrintLayout,
    item_id: str,
    expression_text: str,
    rect: tuple[float, float, float, float],
    size: float,
    bold: bool = False,
    colour: str = "#202020",
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
) -> QgsLayoutItemLabel:
    label = QgsLayoutItemLabel(layout)
    label.setId(item_id)
    label.setText(expression_text)
    label.setMode(QgsLayoutItemLabel.ModeFont)
    set_label_format(label, size, bold, colour)
    label.setHAlign(align)
    label.setVAlign(Qt.AlignmentFlag.AlignVCenter)
    label.setMarginX(0)
    label.setMarginY(0)
    layout.addLayoutItem(label)
    _place(label, *rect)
    return label


def _hidden_when(item, expression: str) -> None:
    """Leave ``item`` out of exports when ``expression`` is true (data-defined)."""
    from qgis.core import QgsProperty

    props = item.dataDefinedProperties()
    props.setProperty(EXCLUDE_FROM_EXPORTS, QgsProperty.fromExpression(expression))
    item.setDataDefinedProperties(props)


def _page(layout: QgsPrintLayout) -> None:
    layout.initializeDefaults()
    page = layout.pageCollection().page(0)
    page.setPageSize("A4", QgsLayoutItemPage.Landscape)


def _header_footer(layout: QgsPrintLayout, title: str, subtitle: str, page_text: str) -> None:
    band = QgsLayoutItemShape(layout)
    band.setShapeType(QgsLayoutItemShape.Rectangle)
    band.setId("om_header_band")
    symbol = band.symbol().clone()
    symbol.setColor(BAND_COLOUR)
    symbol.symbolLayer(0).setStrokeStyle(Qt.PenStyle.NoPen)
    band.setSymbol(symbol)
    layout.addLayoutItem(band)
    _place(band, 0, 0, PAGE_W, HEADER_H)
    _label(layout, "om_title", title, (MARGIN, 3.0, 205.0, 10.0), 16, True, "#ffffff")
    _label(layout, "om_subtitle", subtitle, (MARGIN, 13.5, 205.0, 6.0), 9.5, False, "#dfe7f1")
    _label(
        layout,
        "om_badge",
        "[% @om_badge %]",
        (220.0, 3.0, PAGE_W - MARGIN - 220.0, 16.0),
        9,
        True,
        "#ffffff",
        Qt.AlignmentFlag.AlignRight,
    )

    rule = QgsLayoutItemShape(layout)
    rule.setShapeType(QgsLayoutItemShape.Rectangle)
    rule.setId("om_footer_rule")
    symbol = rule.symbol().clone()
    symbol.setColor(BAND_COLOUR)
    symbol.symbolLayer(0).setStrokeStyle(Qt.PenStyle.NoPen)
    rule.setSymbol(symbol)
    layout.addLayoutItem(rule)
    _place(rule, MARGIN, FOOTER_Y - 1.0, PAGE_W - 2 * MARGIN, 0.3)
    third = (PAGE_W - 2 * MARGIN) / 3
    _label(layout, "om_footer_left", "[% @om_period_text %]", (MARGIN, FOOTER_Y, third, 6.0), 7.5)
    _label(
        layout,
        "om_footer_center",
        "[% @om_made_text %]",
        (MARGIN + third, FOOTER_Y, third, 6.0),
        7.5,
        align=Qt.AlignmentFlag.AlignHCenter,
    )
    _label(
        layout,
        "om_footer_right",
        page_text,
        (MARGIN + 2 * third, FOOTER_Y, third, 6.0),
        7.5,
        align=Qt.AlignmentFlag.AlignRight,
    )


def _map(layout: QgsPrintLayout, item_id: str, rect: tuple[float, float, float, float]) -> QgsLayoutItemMap:
    item = QgsLayoutItemMap(layout)
    item.setId(item_id)
    item.setFrameEnabled(True)
    item.setFrameStrokeWidth(QgsLayoutMeasurement(0.3))
    item.setFrameStrokeColor(QColor("#8a96a3"))
    item.setBackgroundColor(QColor("#f4f6f8"))
    item.setKeepLayerSet(True)
    layout.addLayoutItem(item)
    _place(item, *rect)
    return item


def _legend(layout: QgsPrintLayout, item_id: str, map_item: QgsLayoutItemMap, columns: int) -> QgsLayoutItemLegend:

    legend = QgsLayoutItemLegend(layout)
    legend.setId(item_id)
    legend.setTitle("")
    legend.setLinkedMap(map_item)
    legend.setAutoUpdateModel(False)
    legend.setColumnCount(columns)
    legend.setSplitLayer(True)
    legend.setEqualColumnWidth(False)
    legend.setSymbolWidth(3.5)
    legend.setSymbolHeight(3.0)
    legend.setBackgroundEnabled(True)
    legend.setBackgroundColor(QColor(255, 255, 255, 225))
    for style, size, bold in (
        (LEGEND_TITLE, 8.0, True),
        (LEGEND_GROUP, 7.5, True),
        (LEGEND_SUBGROUP, 7.0, True),
        (LEGEND_SYMBOL_LABEL, 6.5, False),
    ):
        font = QFont(FONT_FAMILY)
        font.setPointSizeF(size)
        font.setBold(bold)
        if hasattr(legend.rstyle(style), "setTextFormat"):
            fmt = text_format(size, bold)
            legend.rstyle(style).setTextFormat(fmt)
        else:
            legend.setStyleFont(style, font)
    layout.addLayoutItem(legend)
    return legend


def _table(
    layout: QgsPrintLayout, item_id: str, rect: tuple[float, float, float, float], size: float = 6.8, wrap: bool = False
) -> None:
    from qgis.core import QgsLayoutFrame, QgsLayoutItemAttributeTable, QgsLayoutMultiFrame, QgsLayoutTable

    table = QgsLayoutItemAttributeTable(layout)
    table.setResizeMode(QgsLayoutMultiFrame.UseExistingFrames)
    table.setEmptyTableBehavior(QgsLayoutTable.HideTable)
    table.setWrapBehavior(QgsLayoutTable.WrapText if wrap else QgsLayoutTable.TruncateText)
    table.setCellMargin(0.9)
    table.setHeaderTextFormat(text_format(size, True, "#ffffff"))
    table.setContentTextFormat(text_format(size))
    table.setHeaderHAlignment(QgsLayoutTable.FollowColumn)
    table.setGridStrokeWidth(0.15)
    table.setGridColor(QColor("#c4ccd6"))
    table.setShowGrid(True)
    table.setHorizontalGrid(True)
    table.setVerticalGrid(False)
    table.setBackgroundColor(QColor("#ffffff"))
    from qgis.core import QgsLayoutTableStyle

    header = QgsLayoutTableStyle()
    header.enabled = True
    header.cellBackgroundColor = BAND_COLOUR
    table.setCellStyle(QgsLayoutTable.HeaderRow, header)
    odd = QgsLayoutTableStyle()
    odd.enabled = True
    odd.cellBackgroundColor = QColor("#eef2f6")
    table.setCellStyle(QgsLayoutTable.OddRows, odd)
    layout.addMultiFrame(table)
    frame = QgsLayoutFrame(layout, table)
    frame.setId(item_id)
    _place(frame, *rect)
    table.addFrame(frame)


def build_cover(project: QgsProject) -> QgsPrintLayout:
    """The cover page: status map with legend, heat map, the city's key figures, header and footer."""
    layout = QgsPrintLayout(project)
    layout.setName("openmisto_cover")
    _page(layout)
    _header_footer(layout, "[% @om_title %]", "[% @om_subtitle %]", "[% @om_cover_page_text %]")
    x, y, w, h = COVER_STATUS_MAP
    _label(layout, "om_map_status_caption", "[% @om_status_caption %]", (x, 24.0, w, 5.0), 8.5, True)
    status_map = _map(layout, "om_map_status", COVER_STATUS_MAP)
    legend = _legend(layout, "om_legend_status", status_map, 2)
    legend.attemptMove(QgsLayoutPoint(x, y + h + 2.0))
    x, y, w, h = COVER_HEAT_MAP
    _label(layout, "om_map_heat_caption", "[% @om_heat_caption %]", (x, 24.0, w, 5.0), 8.5, True)
    _map(layout, "om_map_heat", COVER_HEAT_MAP)
    x, y, w, h = COVER_FIGURES_FRAME
    _label(layout, "om_figures_caption", "[% @om_figures_caption %]", (x, y - 6.0, w, 5.0), 8.5, True)
    _table(layout, "om_figures", COVER_FIGURES_FRAME, size=7.5, wrap=True)
    return layout


def build_group(project: QgsProject) -> QgsPrintLayout:
    """One atlas page per group (and overflow pages of its overdue list)."""
    layout = QgsPrintLayout(project)
    layout.setName("openmisto_group")
    _page(layout)
    page_text = "[% format(@om_page_pattern, attribute(@atlas_feature, 'page_no'), @om_total_pages) %]"
    _header_footer(
        layout,
        "[% attribute(@atlas_feature, 'title') %]",
        "[% attribute(@atlas_feature, 'subtitle') %]",
        page_text,
    )
    first_only = f"{CHUNK} > 1"
    map_item = _map(layout, "om_map_group", GROUP_MAP)
    map_item.setAtlasDriven(True)
    map_item.setAtlasScalingMode(QgsLayoutItemMap.Auto)
    map_item.setAtlasMargin(0.12)
    _hidden_when(map_item, first_only)
    x, y, w, h = GROUP_MAP
    caption = _label(layout, "om_map_caption", "[% @om_group_map_caption %]", (x, 24.0, w, 5.0), 8.5, True)
    _hidden_when(caption, first_only)
    legend = _legend(layout, "om_legend_group", map_item, 3)
    legend.attemptMove(QgsLayoutPoint(x, y + h + 2.0))
    _hidden_when(legend, first_only)
    contact = _label(
        layout, "om_contact", "[% attribute(@atlas_feature, 'contact') %]", (x, 186.0, w, 8.0), 7.0, False, "#404040"
    )
    contact.setVAlign(Qt.AlignmentFlag.AlignBottom)
    _hidden_when(contact, first_only)
    x, y, w, h = FIGURES_FRAME
    caption = _label(layout, "om_figures_caption", "[% @om_figures_caption %]", (x, 24.0, w, 5.0), 8.5, True)
    _hidden_when(caption, first_only)
    _table(layout, "om_figures", FIGURES_FRAME, wrap=True)
    x, y, w, h = OVERDUE_FIRST_FRAME
    caption = _label(
        layout,
        "om_overdue_caption",
        "[% attribute(@atlas_feature, 'overdue_caption') %]",
        (x, y - 6.0, w, 5.0),
        8.5,
        True,
    )
    _hidden_when(caption, first_only)
    _table(layout, "om_overdue_first", OVERDUE_FIRST_FRAME)
    x, y, w, h = OVERDUE_NEXT_FRAME
    caption = _label(
        layout,
        "om_overdue_next_caption",
        "[% attribute(@atlas_feature, 'overdue_caption') %]",
        (x, 24.0, w, 5.0),
        8.5,
        True,
    )
    _hidden_when(caption, f"{CHUNK} = 1")
    _table(layout, "om_overdue_next", OVERDUE_NEXT_FRAME)
    return layout


def save_template(layout: QgsPrintLayout, path: Path) -> None:
    """Write ``layout`` as a ``.qpt`` template."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not layout.saveAsTemplate(str(path), QgsReadWriteContext()):
        raise OSError(f"cannot write {path}")
    log.info("Wrote %s", path)


def write_templates(folder: Path | None = None) -> list[Path]:
    """(Re)write the original templates into ``folder`` (default ``resources/layouts``)."""
    folder = Path(folder) if folder else resource("layouts")
    project = QgsProject()
    paths = [folder / COVER_TEMPLATE, folder / GROUP_TEMPLATE]
    save_template(build_cover(project), paths[0])
    save_template(build_group(project), paths[1])
    return paths


def load_template(layout: QgsPrintLayout, path: Path) -> None:
    """Fill an empty ``layout`` from a ``.qpt`` file."""
    document = QDomDocument()
    text = Path(path).read_text(encoding="utf-8")
    ok = document.setContent(text)
    if isinstance(ok, tuple):
        ok = ok[0]
    if not ok:
        raise ValueError(f"not a layout template: {path}")
    _items, ok = layout.loadFromTemplate(document, QgsReadWriteContext())
    if not ok:
        raise ValueError(f"cannot load the layout template {path}")


if __name__ == "__main__":  # pragma: no cover - a developer's tool
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    for written in write_templates(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        sys.stdout.write(f"{written}\n")
