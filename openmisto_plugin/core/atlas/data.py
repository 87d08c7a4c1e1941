"""What the monthly atlas prints, as plain Python data (GUI-free, no layers yet).

:func:`prepare` reads the workspace once, evaluates the figures (``core.stats``) for the
period and the previous one, and derives: the atlas pages per group (a group's overdue list
flows onto extra pages), the overdue rows with working days late, the reports shown on the
maps and, for the media, counts per grid cell. Personal data is decided here: the public
version never holds officers' contacts, exact positions (always grid cells) or rejected reports,
and citizens' free text only when asked for (then masked by ``core/anonymise.py``).

Strings are translated with :class:`~.lang.Lang`, the atlas language's own translator.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import stats
from ..anonymise import mask_personal, street_only
from ..deadlines import working_days_left
from ..store.workspace import Workspace
from .lang import LANGUAGES, Lang

log = logging.getLogger(__name__)

ATLAS_GROUPINGS: tuple[str, ...] = (stats.DEPARTMENT, stats.DISTRICT)
CELL_SIZE_M = 250.0
POINT_CRS = "EPSG:4326"  # the store's CRS: the maps reproject the points
MAP_CRS = "EPSG:32636"  # UTM 36N: Pokrov (34.1° E) lies in it; metres for the grid and the heat map radius
MIN_EXTENT_M = 800.0
OVERDUE_LIMIT = 300
"""Default number of overdue reports listed per group (the longest overdue first); ``None`` lists all."""

# The figures shown on the cover, in order.
COVER_FIGURES: tuple[str, ...] = (
    "received",
    "resolved",
    "still_open",
    "overdue",
    "response_days_median",
    "resolved_in_time_share",
)


class AtlasCanceled(Exception):  # noqa: N818 - "canceled" is not an error
    """The user canceled the atlas."""


# --------------------------------------------------------------------------- data


@dataclass
class OverdueRow:
    """One line of a group's overdue list."""

    group_key: str
    number: str
    category: str
    address: str
    days_late: int
    description: str = ""


@dataclass
class Point:
    """A report on the maps (longitude, latitude), with only what the maps need."""

    x: float
    y: float
    group_key: str
    status: str
    overdue: bool


@dataclass
class Cell:
    """A grid cell's count of reports (``group_key`` ``*``: the whole city)."""

    group_key: str
    ix: int
    iy: int
    count: int
    overdue: int


@dataclass
class GroupInfo:
    """One group of the atlas and its pages."""

    key: str
    label: str
    figures: stats.FiguresComparison
    overdue_total: int
    overdue_rows: list[OverdueRow]
    extent: tuple[float, float, float, float]
    contact: str = ""
    first_page: int = 0  # 1-based page number in the PDF
    page_count: int = 1


@dataclass
class AtlasData:
    """Everything the layouts need, independent of QGIS layers."""

    grouping: str
    period: stats.Period
    previous: stats.Period
    now: datetime
    at: datetime
    public: bool
    aggregate_cells: bool
    lang: Lang
    figure_set: stats.FigureSet
    groups: list[GroupInfo]
    points: list[Point]
    cells: list[Cell]
    city_extent: tuple[float, float, float, float]
    figure_sets: dict[str, stats.FigureSet] = field(default_factory=dict)
    keep_citizen_text: bool = False
    rows_first: int = 0
    rows_next: int = 0

    @property
    def total_pages(self) -> int:
        return 1 + sum(g.page_count for g in self.groups)


def pages_for(overdue_rows: int, rows_first: int, rows_next: int) -> int:
    """Pages of one group: its first page holds ``rows_first`` overdue rows, each further page ``rows_next``."""
    extra = max(0, overdue_rows - rows_first)
    return 1 + (math.ceil(extra / rows_next) if extra else 0)


def chunk_of(index: int, rows_first: int, rows_next: int) -> int:
    """The page part (1, 2, …) of a group's ``index``-th overdue row (0-based)."""
    if index < rows_first:
        return 1
    return 2 + (index - rows_first) // rows_next


# --------------------------------------------------------------------------- anonymising


# The public atlas: no exact position (counts per CELL_SIZE_M grid cell, always), no report the council
# rejected (hidden, duplicate, not its remit) on a map or in a list, no officer, street names without
# house numbers, and citizens' text only when the working group asks for it, then masked.
mask_contacts = mask_personal  # phones, e-mails, personal names, house and flat numbers (core/anonymise.py)


# --------------------------------------------------------------------------- reading


def load_rows_since(workspace: Any, since: datetime) -> stats.Rows:
    """The rows of :func:`stats.load_rows` that can count in a period starting at ``since`` or later.

    ``workspace`` as for ``stats.reading`` (a store, an address, a :class:`Workspace`). A report closed before
    ``since`` and not changed since then gives nothing to any later period, so it is not read. The figures are
    the same as with all rows.
    """
    return stats.load_rows(workspace, since=since)


def _contacts(workspace: Any) -> dict[str, tuple[str, str, str]]:
    """Officers of the departments (personal data: internal atlas only); ``workspace`` as for ``stats.reading``."""
    with stats.reading(workspace) as store:
        rows = store.query('SELECT "code", "officer_name", "officer_phone", "officer_email" FROM "departments"')
    return {str(r["code"]): (r["officer_name"] or "", r["officer_phone"] or "", r["officer_email"] or "") for r in rows}


def _district_extents(workspace: Any) -> dict[str, tuple[float, float, float, float]]:
    """Bounding boxes (map CRS) of the districts, from a QGIS layer on the workspace's ``districts`` table."""
    from qgis.core import QgsVectorLayer

    uri, provider = Workspace.of(workspace).layer_source("districts")
    layer = QgsVectorLayer(uri, "districts", provider)
    if not layer.isValid():
        return {}
    transform = _transform()
    out = {}
    for feature in layer.getFeatures():
        geometry = feature.geometry()
        if geometry.isEmpty():
            continue
        geometry.transform(transform)
        box = geometry.boundingBox()
        out[str(feature["code"])] = (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum())
    return out


def _transform():
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsCoordinateTransformContext

    return QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4326"),
        QgsCoordinateReferenceSystem(MAP_CRS),
        QgsCoordinateTransformContext(),
    )


def _to_map(transform: Any, box: tuple | None) -> tuple[float, float, float, float] | None:
    """A lon/lat box in the map CRS; None (the page then uses the city's extent) when PROJ cannot transform it.

    QGIS 3.40/3.44 (PROJ 9.5+) were seen to refuse ``transformBoundingBox`` of a valid city box inside a task
    ("Invalid value for an argument") after other work in the same process; the box's corners still transform.
    """
    if box is None:
        return None
    from qgis.core import QgsCsException, QgsPointXY, QgsRectangle

    try:
        r = transform.transformBoundingBox(QgsRectangle(*box))
        return (r.xMinimum(), r.yMinimum(), r.xMaximum(), r.yMaximum())
    except QgsCsException as exc:
        log.warning("the box %s did not transform as a whole (%s); transforming its corners", box, exc)
    x0, y0, x1, y1 = box
    try:
        corners = [transform.transform(QgsPointXY(x, y)) for x in (x0, (x0 + x1) / 2, x1) for y in (y0, y1)]
    except QgsCsException as exc:
        log.warning("the box %s cannot be drawn in the map CRS (%s); the page uses the city's extent", box, exc)
        return None
    xs, ys = [c.x() for c in corners], [c.y() for c in corners]
    return (min(xs), min(ys), max(xs), max(ys))


def _pad(box: tuple[float, float, float, float] | None, fallback: tuple[float, float, float, float]) -> tuple:
    if box is None:
        return fallback
    x0, y0, x1, y1 = box
    if x1 - x0 < MIN_EXTENT_M:
        cx = (x0 + x1) / 2
        x0, x1 = cx - MIN_EXTENT_M / 2, cx + MIN_EXTENT_M / 2
    if y1 - y0 < MIN_EXTENT_M:
        cy = (y0 + y1) / 2
        y0, y1 = cy - MIN_EXTENT_M / 2, cy + MIN_EXTENT_M / 2
    return (x0, y0, x1, y1)


def _grow(box: tuple | None, x: float, y: float) -> tuple[float, float, float, float]:
    if box is None:
        return (x, y, x, y)
    return (min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y))


def _check(feedback: Any, progress: float | None = None) -> None:
    if feedback is None:
        return
    if feedback.isCanceled():
        raise AtlasCanceled()
    if progress is not None:
        feedback.setProgress(progress)


@stats.paused_gc()  # millions of small acyclic objects: see stats.paused_gc
def prepare(
    workspace_path: str | Path,
    period: stats.Period,
    grouping: str = stats.DEPARTMENT,
    public: bool = False,
    aggregate_cells: bool = False,
    language: str = "uk",
    now: datetime | None = None,
    keep_citizen_text: bool = False,
    overdue_limit: int | None = OVERDUE_LIMIT,
    rows_first: int = 16,
    rows_next: int = 36,
    feedback: Any = None,
    progress_span: tuple[float, float] = (0.0, 30.0),
    all_groupings: bool = False,
) -> AtlasData:
    """Read the workspace and compute everything the atlas prints.

    With ``all_groupings`` the figures of every grouping (for the CSV/XLSX) come along in
    ``figure_sets``, from the same evaluation of the reports.
    """
    if grouping not in ATLAS_GROUPINGS:
        raise ValueError(f"the atlas groups by {' or '.join(ATLAS_GROUPINGS)}, not {grouping!r}")
    aggregate_cells = aggregate_cells or public  # a public atlas never shows where a report is exactly
    lang = Lang(language)
    lo, hi = progress_span
    _check(feedback, lo)
    previous = period.previous()
    # the rows that can count in the two periods, with what the maps and the overdue lists print
    extra = ("lat", "long", "address", "description") if keep_citizen_text else ("lat", "long", "address")
    with stats.reading(workspace_path) as store:  # FileNotFoundError without a workspace
        rows = stats.load_rows(store, since=min(previous.start, period.start), extra_columns=extra)
        contacts = _contacts(store) if (not public and grouping == stats.DEPARTMENT) else {}
    _check(feedback, lo + (hi - lo) * 0.2)
    engine = stats.FigureEngine(rows.reports, rows.history, now)
    now = engine.now
    _check(feedback, lo + (hi - lo) * 0.5)
    names = dict(rows.names.get(grouping) or {})
    figure_set = engine.figure_set(grouping, period, names or None, previous)
    figure_sets = {grouping: figure_set}
    if all_groupings:
        for other in stats.GROUPINGS:
            if other not in figure_sets:
                figure_sets[other] = engine.figure_set(other, period, rows.names.get(other) or None, previous)
        figure_sets = {g: figure_sets[g] for g in stats.GROUPINGS}
    _check(feedback, lo + (hi - lo) * 0.7)

    at = engine.reference_moment(period)
    relevant = [
        state
        for state in engine.evaluate(period)
        if state.received
        or state.still_open
        or state.accepted
        or state.assigned
        or state.resolved
        or state.not_resolved
        or state.rejected
    ]
    points: list[Point] = []
    boxes: dict[str, tuple | None] = {}  # lon/lat
    city_box: tuple | None = None
    overdue_by_group: dict[str, list[OverdueRow]] = {}
    late: dict[datetime | None, int] = {}  # deadline -> working days late at ``at``
    if public:  # what the council rejected (spam, personal data, not its remit) stays internal
        relevant = [state for state in relevant if state.status not in stats.REJECT_CODES]
    for state in relevant:
        rid, row = state.service_request_id, state.row
        key = state.group_key(grouping)
        lat, lon, address = row.get("lat"), row.get("long"), row.get("address")
        category, description = row.get("service_name"), row.get("description")
        if lat is not None and lon is not None and -180 <= lon <= 180 and -90 <= lat <= 90 and (lat or lon):
            lon, lat = float(lon), float(lat)
            points.append(Point(lon, lat, key, state.status, state.overdue))
            boxes[key] = _grow(boxes.get(key), lon, lat)
            city_box = _grow(city_box, lon, lat)
        if state.overdue:
            days = late.get(state.due)
            if days is None:  # many reports share a deadline
                days = late[state.due] = -working_days_left(state.due, at) if state.due is not None else 0
            text = ""
            if keep_citizen_text and description:
                text = mask_contacts(str(description)) if public else str(description)
                text = " ".join(text.split())
            addr = str(address or "")
            overdue_by_group.setdefault(key, []).append(
                OverdueRow(
                    key,
                    rid,
                    str(category or row.get("service_code") or ""),
                    street_only(addr) if public else addr,
                    max(1, int(days)),
                    text,
                )
            )
    _check(feedback, lo + (hi - lo) * 0.9)

    transform = _transform()
    cells = _cells(points, transform) if aggregate_cells else []
    if aggregate_cells:  # the extents follow the cells: a group's page does not centre on one report
        boxes, city_box = _cell_boxes(cells)
    else:
        boxes = {k: _to_map(transform, b) for k, b in boxes.items()}
        city_box = _to_map(transform, city_box)
    district_boxes = _district_extents(workspace_path)
    if city_box is None:
        for box in district_boxes.values():
            city_box = _grow(_grow(city_box, box[0], box[1]), box[2], box[3])
    city_extent = _pad(city_box, (0.0, 0.0, 1000.0, 1000.0))

    groups: list[GroupInfo] = []
    for comparison in figure_set.groups:
        key = comparison.key
        label = lang.no_group_label(grouping) if key == stats.NO_GROUP_KEY else comparison.label
        listed = sorted(overdue_by_group.get(key, []), key=lambda r: (-r.days_late, _natural(r.number)))
        total = len(listed)
        if overdue_limit is not None:
            listed = listed[:overdue_limit]
        box = boxes.get(key)
        if grouping == stats.DISTRICT and key in district_boxes:
            d = district_boxes[key]
            box = _grow(_grow(box, d[0], d[1]), d[2], d[3])
        contact = ""
        if key in contacts and any(contacts[key]):
            name, phone, email = contacts[key]
            contact = lang.tr("Responsible officer: {name}").format(
                name=", ".join(part for part in (name, phone, email) if part)
            )
        groups.append(
            GroupInfo(
                key=key,
                label=label,
                figures=comparison,
                overdue_total=total,
                overdue_rows=listed,
                extent=_pad(box, city_extent),
                contact=contact,
                page_count=pages_for(len(listed), rows_first, rows_next),
            )
        )
    page = 2
    for group in groups:
        group.first_page = page
        page += group.page_count

    _check(feedback, hi)
    return AtlasData(
        grouping=grouping,
        period=period,
        previous=figure_set.previous_period,
        now=now,
        at=at,
        public=public,
        aggregate_cells=aggregate_cells,
        lang=lang,
        figure_set=figure_set,
        groups=groups,
        points=[] if aggregate_cells else points,
        cells=cells,
        city_extent=city_extent,
        figure_sets=figure_sets,
        keep_citizen_text=keep_citizen_text,
        rows_first=rows_first,
        rows_next=rows_next,
    )


def _cell_boxes(cells: Sequence[Cell]) -> tuple[dict[str, tuple | None], tuple | None]:
    """Extents (map CRS) of each group's cells and of the city's, on the grid lines."""
    boxes: dict[str, tuple | None] = {}
    for c in cells:
        x0, y0 = c.ix * CELL_SIZE_M, c.iy * CELL_SIZE_M
        box = _grow(_grow(boxes.get(c.group_key), x0, y0), x0 + CELL_SIZE_M, y0 + CELL_SIZE_M)
        boxes[c.group_key] = box
    return boxes, boxes.pop(stats.CITY_KEY, None)


def _natural(number: str) -> tuple:
    return (0, int(number), "") if number.isdigit() else (1, 0, number)


def _cells(points: Sequence[Point], transform: Any) -> list[Cell]:
    """Counts per grid cell (map CRS), per group and for the whole city (``*``)."""
    from qgis.core import QgsPointXY

    counts: dict[tuple[str, int, int], list[int]] = {}
    for p in points:
        xy = transform.transform(QgsPointXY(p.x, p.y))
        ix, iy = math.floor(xy.x() / CELL_SIZE_M), math.floor(xy.y() / CELL_SIZE_M)
        for key in (p.group_key, stats.CITY_KEY):
            entry = counts.setdefault((key, ix, iy), [0, 0])
            entry[0] += 1
            entry[1] += int(p.overdue)
    return [Cell(k, ix, iy, n, o) for (k, ix, iy), (n, o) in sorted(counts.items())]


__all__ = [
    "ATLAS_GROUPINGS",
    "CELL_SIZE_M",
    "COVER_FIGURES",
    "LANGUAGES",
    "MAP_CRS",
    "OVERDUE_LIMIT",
    "POINT_CRS",
    "AtlasCanceled",
    "AtlasData",
    "Cell",
    "GroupInfo",
    "Lang",
    "OverdueRow",
    "Point",
    "chunk_of",
    "load_rows_since",
    "mask_contacts",
    "pages_for",
    "prepare",
    "street_only",
]
