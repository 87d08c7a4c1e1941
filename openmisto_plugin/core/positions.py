"""Where a report is: the checks of a platform's position against the city's area (GUI-free, no store).

Real servers send no position (missing, empty, ``0,0``, not a number, out of range), swapped latitude and
longitude, or points far away. No report is dropped for that (issue 9):

* no usable position: the report is kept without geometry, ``position_flag = 'missing'`` and the reason in
  ``position_note``; a moderator can place it by hand (``position_source = 'placed_by_hand'``, kept
  locally: Open311 has no call that changes a report's position);
* swapped: when the swapped point falls inside the city's area and the given one does not, the position
  is repaired (``position_source = 'repaired_swap'``, the platform's values in ``position_note``);
* far outside the city's area (more than :data:`FAR_KM` beyond it): kept, ``position_flag = 'far_outside'``,
  and left out of the layer's extent.

The city's area (``xmin, ymin, xmax, ymax`` in lon/lat) comes from the Settings, else the districts,
else the bulk of the reports (:func:`bulk_area`: the box of the quartiles widened by Tukey's fences).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

BBox = tuple[float, float, float, float]

SOURCE_PLATFORM = "platform"
SOURCE_SWAP = "repaired_swap"
SOURCE_HAND = "placed_by_hand"
POSITION_SOURCES = (SOURCE_PLATFORM, SOURCE_SWAP, SOURCE_HAND)

FLAG_MISSING = "missing"
FLAG_FAR = "far_outside"

#: How far beyond the city's area a point is "far outside" (reports from the villages around stay plain).
FAR_KM = 50.0
#: Fewest positions :func:`bulk_area` needs to say where the bulk of the reports is.
BULK_MIN = 8
#: Smallest half-size of a bulk box, degrees (all reports at one spot still give an area).
BULK_MIN_HALF_DEG = 0.01
_KM_PER_DEG_LAT = 111.32


def valid(lat: float, lon: float) -> bool:
    """A latitude and a longitude in range (and not the ``0,0`` "unknown" sentinel)."""
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0)


def inside(area: BBox | None, lat: float, lon: float) -> bool:
    return area is not None and area[0] <= lon <= area[2] and area[1] <= lat <= area[3]


def grown(area: BBox, km: float = FAR_KM) -> BBox:
    """``area`` widened by ``km`` on every side (longitude degrees shrink towards the poles)."""
    dlat = km / _KM_PER_DEG_LAT
    mid = math.radians(max(-89.0, min(89.0, (area[1] + area[3]) / 2)))
    dlon = min(180.0, km / (_KM_PER_DEG_LAT * max(math.cos(mid), 0.01)))
    return (area[0] - dlon, area[1] - dlat, area[2] + dlon, area[3] + dlat)


def far_outside(area: BBox | None, lat: float, lon: float, km: float = FAR_KM) -> bool:
    """More than ``km`` beyond ``area`` (never with no area)."""
    return area is not None and not inside(grown(area, km), lat, lon)


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    values = sorted(values)
    n = len(values)

    def at(q: float) -> float:
        pos = q * (n - 1)
        low = math.floor(pos)
        high = min(low + 1, n - 1)
        return values[low] + (values[high] - values[low]) * (pos - low)

    return at(0.25), at(0.5), at(0.75)


def bulk_area(points: Iterable[tuple[float, float]], minimum: int = BULK_MIN) -> BBox | None:
    """The box where the bulk of ``(lat, lon)`` points lies (``None`` below ``minimum`` valid points).

    Per axis the quartiles widened by 1.5 times their distance (Tukey's fences), at least
    :data:`BULK_MIN_HALF_DEG` around the median: a few swapped or far points do not move it.
    """
    lats: list[float] = []
    lons: list[float] = []
    for lat, lon in points:
        if valid(lat, lon):
            lats.append(lat)
            lons.append(lon)
    if len(lats) < max(1, minimum):
        return None
    box = []
    for values in (lons, lats):
        q1, median, q3 = _quartiles(values)
        spread = q3 - q1
        box.append(
            (min(q1 - 1.5 * spread, median - BULK_MIN_HALF_DEG), max(q3 + 1.5 * spread, median + BULK_MIN_HALF_DEG))
        )
    (xmin, xmax), (ymin, ymax) = box
    return (xmin, ymin, xmax, ymax)


def parse_bbox(text: str | None) -> BBox | None:
    """``"xmin, ymin, xmax, ymax"`` (lon/lat, commas or spaces) as a box; ``None`` when empty.

    Raises ``ValueError`` for text that is not four numbers of a real box.
    """
    if text is None or not str(text).strip():
        return None
    parts = [p for p in str(text).replace(";", ",").replace(",", " ").split() if p]
    if len(parts) != 4:
        raise ValueError(f"expected four numbers (lon_min, lat_min, lon_max, lat_max), got {text!r}")
    xmin, ymin, xmax, ymax = (float(p) for p in parts)
    if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)):
        raise ValueError(f"not finite: {text!r}")
    if not (-180 <= xmin < xmax <= 180 and -90 <= ymin < ymax <= 90):
        raise ValueError(f"not a lon/lat box (lon_min < lon_max, lat_min < lat_max): {text!r}")
    return (xmin, ymin, xmax, ymax)


def format_bbox(area: BBox | None) -> str:
    """The text :func:`parse_bbox` reads (6 decimals)."""
    if area is None:
        return ""
    return ", ".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in area)
