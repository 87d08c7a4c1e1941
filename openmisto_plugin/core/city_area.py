"""The city's area in a workspace: what the sync checks positions against (core/positions.py).

In this order: the area set in Settings (or ``openmisto:sync``'s ``CITY_AREA``); the extent of the
districts; the bulk of the stored reports, learned after a sync and kept in ``sync_state``. The
store is read only through its interface (``query``, ``get_state``/``set_state``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from .positions import FLAG_FAR, BBox, bulk_area, parse_bbox

log = logging.getLogger(__name__)

#: ``sync_state`` key: the area learned from the bulk of the reports (JSON list ``[xmin, ymin, xmax, ymax]``).
LEARNED_AREA_STATE = "city_area_from_reports"
#: Positions read to learn the bulk of the reports (a sample of a large city is enough).
LEARN_SAMPLE = 20000

SOURCE_SETTINGS = "settings"
SOURCE_DISTRICTS = "districts"
SOURCE_REPORTS = "reports"


def _box(row: dict[str, Any] | None) -> BBox | None:
    if not row or any(row.get(k) is None for k in ("xmin", "ymin", "xmax", "ymax")):
        return None
    box = (float(row["xmin"]), float(row["ymin"]), float(row["xmax"]), float(row["ymax"]))
    return box if box[0] <= box[2] and box[1] <= box[3] else None


def districts_extent(store: Any) -> BBox | None:
    """The box of the workspace's districts (``None`` without any)."""
    return store.districts_extent()


def reports_extent(store: Any) -> BBox | None:
    """The box of the reports on the map, without those flagged far outside the city (for zooming)."""
    rows = store.query(
        "SELECT min(long) AS xmin, min(lat) AS ymin, max(long) AS xmax, max(lat) AS ymax FROM reports"
        " WHERE lat IS NOT NULL AND long IS NOT NULL AND (position_flag IS NULL OR position_flag <> ?)",
        (FLAG_FAR,),
    )
    return _box(rows[0] if rows else None)


def learned_area(store: Any) -> BBox | None:
    """The area learned from the bulk of the stored reports by :func:`learn_from_reports`."""
    text = store.get_state(LEARNED_AREA_STATE)
    if not text:
        return None
    try:
        values = json.loads(text)
        return parse_bbox(" ".join(str(v) for v in values))
    except (ValueError, TypeError):
        log.warning("Ignored a broken learned city area in the workspace: %r", text)
        return None


def learn_from_reports(store: Any) -> BBox | None:
    """Learn (and keep) where the bulk of the stored platform positions is; ``None`` with too few."""
    rows = store.query(
        "SELECT lat, long FROM reports WHERE lat IS NOT NULL AND position_source = 'platform' LIMIT ?",
        (LEARN_SAMPLE,),
    )
    area = bulk_area((r["lat"], r["long"]) for r in rows)
    if area is not None:
        store.set_state(LEARNED_AREA_STATE, json.dumps(list(area)))
        log.info("City area learned from %d report positions: %s", len(rows), area)
    return area


def resolve(store: Any, configured: BBox | None = None) -> tuple[BBox | None, str]:
    """``(area, source)``: Settings, else the districts, else the learned bulk of the reports; ``(None, "")``."""
    if configured is not None:
        return configured, SOURCE_SETTINGS
    area = districts_extent(store)
    if area is not None:
        return area, SOURCE_DISTRICTS
    area = learned_area(store)
    if area is not None:
        return area, SOURCE_REPORTS
    return None, ""
