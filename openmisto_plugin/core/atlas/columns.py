"""The atlas tables' columns: their headings and widths, from the widths of texts in the tables' font."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from qgis.PyQt.QtCore import Qt

from . import templates as tpl
from .data import (
    AtlasData,
    Lang,
)


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


__all__ = [
    "column_need_mm",
    "elide_mm",
    "text_width_mm",
]
