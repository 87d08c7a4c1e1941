"""The figures of one group in one period (:class:`Figures`), their change against the previous period, their names.

The groupings (department, district, category), the figures' fields, their translated headers, the sums of the
reports' states (:class:`.states.ReportState`) into figures and the comparison of two periods.

Percentiles (the median too) use linear interpolation between the closest ranks
(the "inclusive" method: ``statistics.quantiles(method="inclusive")``, Excel's
``PERCENTILE.INC``, numpy's default).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..i18n import tr
from .periods import Period

if TYPE_CHECKING:
    from .states import ReportState


DEPARTMENT = "department"
DISTRICT = "district"
CATEGORY = "category"
GROUPINGS: tuple[str, ...] = (DEPARTMENT, DISTRICT, CATEGORY)

GROUP_COLUMN: dict[str, str] = {
    DEPARTMENT: "agency_responsible",
    DISTRICT: "district",
    CATEGORY: "service_code",
}
"""The ``reports`` column that puts a report into a group (its current value)."""

CITY_KEY = "*"
"""Key of the whole-city row (never a department, district or category code)."""

NO_GROUP_KEY = ""
"""Key of the reports without a department / district / category."""

_COUNT_FIELDS = (
    "received",
    "accepted",
    "rejected",
    "assigned",
    "resolved",
    "not_resolved",
    "still_open",
    "overdue",
    "resolved_in_time",
)
_SHARE_FIELDS = ("resolved_in_time_share",)
_DAYS_FIELDS = ("response_days_median", "response_days_p90", "closing_days_median", "closing_days_p90")

FIGURE_FIELDS: tuple[str, ...] = _COUNT_FIELDS + _SHARE_FIELDS + _DAYS_FIELDS
"""The figures of :class:`Figures`, in the order of the tables and exports."""

SHARE_FIELDS: frozenset[str] = frozenset(_SHARE_FIELDS)
DAYS_FIELDS: frozenset[str] = frozenset(_DAYS_FIELDS)


@dataclass
class Figures:
    """The figures of one group (or of the whole city, ``key == CITY_KEY``) for one period.

    Counts are ints; ``resolved_in_time_share`` is a fraction 0…1 (``None`` when nothing
    was resolved); the ``*_days_*`` are working days (``None`` without data).
    """

    key: str
    label: str
    received: int = 0
    accepted: int = 0
    rejected: int = 0
    assigned: int = 0
    resolved: int = 0
    not_resolved: int = 0
    still_open: int = 0
    overdue: int = 0
    resolved_in_time: int = 0
    resolved_in_time_share: float | None = None
    response_days_median: float | None = None
    response_days_p90: float | None = None
    closing_days_median: float | None = None
    closing_days_p90: float | None = None
    # the samples behind the medians (kept for the atlas and for checks)
    response_days: list[int] = field(default_factory=list, repr=False)
    closing_days: list[int] = field(default_factory=list, repr=False)
    overdue_ids: list[str] = field(default_factory=list, repr=False)  # service_request_ids counted as overdue

    @property
    def is_city(self) -> bool:
        return self.key == CITY_KEY

    def value(self, name: str) -> int | float | None:
        """The figure called ``name`` (one of :data:`FIGURE_FIELDS`)."""
        if name not in FIGURE_FIELDS:
            raise KeyError(name)
        return getattr(self, name)

    def as_dict(self) -> dict[str, int | float | None]:
        """``{figure: value}`` in :data:`FIGURE_FIELDS` order."""
        return {name: getattr(self, name) for name in FIGURE_FIELDS}


@dataclass
class FiguresComparison:
    """A group's figures in a period and in the previous one, and the change.

    ``deltas[name] = current - previous`` (the share in fractions, i.e. 0.1 = 10
    percentage points); ``None`` when either side is ``None``.
    """

    current: Figures
    previous: Figures
    deltas: dict[str, int | float | None]

    @property
    def key(self) -> str:
        return self.current.key

    @property
    def label(self) -> str:
        return self.current.label

    def delta(self, name: str) -> int | float | None:
        return self.deltas[name]


@dataclass
class FigureSet:
    """All figures of one grouping: one comparison per group, then the whole city (last)."""

    grouping: str
    period: Period
    previous_period: Period
    now: datetime
    rows: list[FiguresComparison]

    @property
    def city(self) -> FiguresComparison:
        return self.rows[-1]

    @property
    def groups(self) -> list[FiguresComparison]:
        return self.rows[:-1]

    def get(self, key: str) -> FiguresComparison | None:
        return next((r for r in self.rows if r.key == key), None)


def figure_headers() -> dict[str, str]:
    """Translated column headers of the figures (for tables and exports)."""
    return {
        "received": tr("Received"),
        "accepted": tr("Accepted"),
        "rejected": tr("Rejected"),
        "assigned": tr("Assigned"),
        "resolved": tr("Resolved"),
        "not_resolved": tr("Not resolved"),
        "still_open": tr("Still open"),
        "overdue": tr("Overdue"),
        "resolved_in_time": tr("Resolved in time"),
        "resolved_in_time_share": tr("Resolved in time, %"),
        "response_days_median": tr("First response, median (working days)"),
        "response_days_p90": tr("First response, 90th percentile (working days)"),
        "closing_days_median": tr("Closing, median (working days)"),
        "closing_days_p90": tr("Closing, 90th percentile (working days)"),
    }


def grouping_label(grouping: str) -> str:
    """Translated name of a grouping (sheet names, headings)."""
    return {
        DEPARTMENT: tr("Departments"),
        DISTRICT: tr("Districts"),
        CATEGORY: tr("Categories"),
    }.get(grouping, grouping)


def city_label() -> str:
    """«Усе місто» / "Whole city"."""
    return tr("Whole city")


def no_group_label(grouping: str) -> str:
    """Label of the reports without a value of the grouping's column."""
    return {
        DEPARTMENT: tr("Not assigned"),
        DISTRICT: tr("No district"),
        CATEGORY: tr("No category"),
    }.get(grouping, tr("Other"))


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (0…100) by linear interpolation between closest ranks (inclusive method).

    Equals ``statistics.quantiles(values, n=100, method="inclusive")[q - 1]`` and Excel's
    ``PERCENTILE.INC``; ``None`` for no values, the value itself for one.
    """
    data = sorted(values)
    if not data:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile out of range: {q}")
    h = (len(data) - 1) * q / 100.0
    lo = math.floor(h)
    hi = min(lo + 1, len(data) - 1)
    result = data[lo] + (h - lo) * (data[hi] - data[lo])
    return float(round(result, 9))


def median(values: Iterable[float]) -> float | None:
    """The median (the 50th :func:`percentile`; the mean of the middle two for an even count)."""
    return percentile(values, 50)


def group_key(row: Mapping[str, Any], grouping: str) -> str:
    """The key of the group of ``grouping`` a report row belongs to (its current value; :data:`NO_GROUP_KEY`)."""
    value = row.get(GROUP_COLUMN[grouping])
    return NO_GROUP_KEY if value is None else str(value).strip()


def _add(f: Figures, s: ReportState) -> None:
    f.received += s.received
    f.accepted += s.accepted
    f.rejected += s.rejected
    f.assigned += s.assigned
    f.resolved += s.resolved
    f.not_resolved += s.not_resolved
    f.still_open += s.still_open
    f.overdue += s.overdue
    f.resolved_in_time += s.resolved_in_time
    if s.response_days is not None:
        f.response_days.append(s.response_days)
    if s.closing_days is not None:
        f.closing_days.append(s.closing_days)
    if s.overdue:
        f.overdue_ids.append(s.service_request_id)


def _finish(f: Figures) -> None:
    f.resolved_in_time_share = f.resolved_in_time / f.resolved if f.resolved else None
    f.response_days.sort()
    f.closing_days.sort()
    f.response_days_median = median(f.response_days)
    f.response_days_p90 = percentile(f.response_days, 90)
    f.closing_days_median = median(f.closing_days)
    f.closing_days_p90 = percentile(f.closing_days, 90)


def _label(key: str, grouping: str, names: Mapping[str, str] | None) -> str:
    if key == NO_GROUP_KEY:
        return no_group_label(grouping)
    if names and names.get(key):
        return str(names[key])
    return key


def _is_empty(f: Figures) -> bool:
    return not any(getattr(f, name) for name in _COUNT_FIELDS)


def _order(keys: Iterable[str], labels: Mapping[str, str]) -> list[str]:
    groups = [k for k in keys if k != CITY_KEY]
    return sorted(groups, key=lambda k: (k == NO_GROUP_KEY, labels.get(k, k).casefold(), k))


def _add_named(by_key: dict[str, Figures], grouping: str, names: Mapping[str, str] | None) -> None:
    for key in names or {}:
        if key not in by_key:
            by_key[key] = Figures(key=key, label=_label(key, grouping, names))


def _check_grouping(grouping: str) -> None:
    if grouping not in GROUP_COLUMN:
        raise ValueError(f"unknown grouping {grouping!r}; use one of {', '.join(GROUPINGS)}")


def compare(current: Figures, previous: Figures) -> FiguresComparison:
    """The change ``current - previous`` of every figure (``None`` when either is ``None``)."""
    deltas: dict[str, int | float | None] = {}
    for name in FIGURE_FIELDS:
        a, b = getattr(current, name), getattr(previous, name)
        if a is None or b is None:
            deltas[name] = None
        else:
            d = a - b
            deltas[name] = d if isinstance(d, int) else round(d, 9)
    return FiguresComparison(current, previous, deltas)
