"""Effectiveness figures for the working group (issue 4, items 1–2).

GUI-free and pure: the input is plain rows of the store's ``reports`` and
``request_updates`` tables (dicts; datetimes as store text or datetimes), a
:class:`Period`, a grouping and ``now``; the output is :class:`Figures` per group
and for the whole city, with the change against the previous period
(:class:`FiguresComparison`). :func:`load_rows` reads the rows from a GeoPackage.

Which timestamp each figure uses is written down in ``docs/figures.md``; in short,
every event is counted in the period that holds the moment it happened in the
report's history, and a report belongs to a group by its *current* department,
district or category.

Percentiles (the median too) use linear interpolation between the closest ranks
(the "inclusive" method: ``statistics.quantiles(method="inclusive")``, Excel's
``PERCENTILE.INC``, numpy's default).
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .deadlines import Procedure, cached_procedure, deadline_for
from .i18n import tr
from .statuses import CLOSED_CODES
from .timeutil import KYIV
from .workdays import working_days_between

log = logging.getLogger(__name__)

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

REJECT_CODES: frozenset[str] = frozenset({"hidden", "duplicate", "not_councils_responsibility"})
"""Closing codes that count as *rejected* (by a moderator or, for the remit, by an officer).

Any first decision after ``for_triage`` that is not one of these counts as *accepted*."""

RESOLVED_CODE = "fixed"
NOT_RESOLVED_CODE = "no_further_action"

RESPONSE_CODES: frozenset[str] = frozenset(
    {"in_progress", "planned", "fixed", "no_further_action", "not_councils_responsibility"}
)
"""Officer statuses: the first of them after the assignment is the first response."""

ASSIGN_CODE = "action_scheduled"
TRIAGE_CODE = "for_triage"


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A half-open interval of time ``[start, end)``, both aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _aware(self.start))
        object.__setattr__(self, "end", _aware(self.end))
        if self.end <= self.start:
            raise ValueError(f"period ends before it starts: {self.start} … {self.end}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month, from midnight of its first day to midnight of the next month's, Kyiv time."""
        start = datetime(year, month, 1, tzinfo=KYIV)
        ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
        return cls(start, datetime(ny, nm, 1, tzinfo=KYIV))

    @classmethod
    def days(cls, first: date, last: date) -> Period:
        """From the start of ``first`` to the end of ``last`` (both Kyiv dates, inclusive)."""
        start = datetime(first.year, first.month, first.day, tzinfo=KYIV)
        after = last + timedelta(days=1)
        return cls(start, datetime(after.year, after.month, after.day, tzinfo=KYIV))

    @property
    def is_calendar_month(self) -> bool:
        """True when the period is exactly one calendar month (Kyiv time)."""
        s = self.start.astimezone(KYIV)
        if (s.day, s.hour, s.minute, s.second, s.microsecond) != (1, 0, 0, 0, 0):
            return False
        return self == Period.month(s.year, s.month)

    def previous(self) -> Period:
        """The period just before this one, of equal length.

        A calendar month's previous period is the previous calendar month (the working
        group compares month with month, whatever their number of days); any other
        period is moved back by its own length.
        """
        if self.is_calendar_month:
            s = self.start.astimezone(KYIV)
            py, pm = (s.year - 1, 12) if s.month == 1 else (s.year, s.month - 1)
            return Period.month(py, pm)
        length = self.end - self.start
        return Period(self.start - length, self.start)

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment < self.end

    @property
    def first_day(self) -> date:
        """The first Kyiv date of the period."""
        return self.start.astimezone(KYIV).date()

    @property
    def last_day(self) -> date:
        """The last Kyiv date of the period (the day before ``end`` when it ends at midnight)."""
        return (self.end.astimezone(KYIV) - timedelta(microseconds=1)).date()

    def label(self) -> str:
        """``2026-11`` for a calendar month, else ``2026-11-01 – 2026-11-15``."""
        if self.is_calendar_month:
            return self.first_day.strftime("%Y-%m")
        return f"{self.first_day.isoformat()} – {self.last_day.isoformat()}"


# --------------------------------------------------------------------------- figures

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


# --------------------------------------------------------------------------- percentiles


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


# --------------------------------------------------------------------------- per report


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=KYIV)


def to_datetime(value: Any) -> datetime | None:
    """An aware datetime from store text, a datetime (naive = Kyiv) or a QDateTime; ``None`` if empty/bad."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=KYIV)
    if hasattr(value, "toPyDateTime"):  # QDateTime from a QGIS provider
        if hasattr(value, "isNull") and value.isNull():
            return None
        if hasattr(value, "toUTC"):
            utc = value.toUTC().toPyDateTime()
            return utc.replace(tzinfo=timezone.utc)
        return _aware(value.toPyDateTime())
    text = str(value).strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        log.debug("Not a datetime: %r", value)
        return None
    return _aware(parsed)


@dataclass
class _Event:
    at: datetime
    code: str
    agency: str | None = None


@dataclass
class _Report:
    """What the figures need of one report, derived once from its row and history."""

    row: Mapping[str, Any]
    requested: datetime | None
    events: list[_Event]  # status changes in time order (the first is for_triage at requested)
    first_decision: _Event | None  # first status other than for_triage
    assigned: datetime | None  # first assignment to a department
    assignments: list[datetime]  # every assignment (a reassignment restarts the answer term)
    first_response: datetime | None  # first officer status after that assignment
    closings: list[_Event]  # open -> closed transitions

    def state_before(self, moment: datetime) -> _Event | None:
        """The last status change before ``moment`` (``None`` when the report did not exist yet)."""
        if self.requested is None or self.requested >= moment:
            return None
        last = None
        for event in self.events:
            if event.at >= moment:
                break
            last = event
        return last

    def assignment_before(self, moment: datetime) -> datetime | None:
        """The latest assignment before ``moment`` (the answer term counts from it)."""
        found = None
        for at in self.assignments:
            if at < moment:
                found = at
        return found

    def last_closing_in(self, period: Period) -> _Event | None:
        found = None
        for event in self.closings:
            if event.at in period:
                found = event
        return found


def _is_closed(code: str | None) -> bool:
    return code in CLOSED_CODES


def _code(value: Any) -> str | None:
    """A status code as the status model spells it (tolerates ``Fixed``, `` fixed ``)."""
    return str(value).strip().lower() or None if value is not None else None


def _build_report(row: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> _Report:
    requested = to_datetime(row.get("requested_datetime"))
    events: list[_Event] = []
    for h in history:
        at = to_datetime(h.get("updated_datetime"))
        code = _code(h.get("external_status_code"))
        if at is None or not code:
            continue  # a comment without a status change, or a broken row
        events.append(_Event(at, code, h.get("agency_responsible")))
    events.sort(key=lambda e: e.at)  # stable: equal times keep the order of the rows

    # Reconcile with the row itself: a history may be missing or start late.
    start = requested or (events[0].at if events else None)
    if start is not None and (not events or (events[0].code != TRIAGE_CODE and events[0].at >= start)):
        events.insert(0, _Event(start, TRIAGE_CODE))
    if not any(e.code == ASSIGN_CODE for e in events):
        assigned_col = to_datetime(row.get("assigned_datetime"))
        if assigned_col is not None:
            events.append(_Event(assigned_col, ASSIGN_CODE, row.get("agency_responsible")))
            events.sort(key=lambda e: e.at)
    current = _code(row.get("external_status_code"))
    if current and (not events or events[-1].code != current):
        updated = to_datetime(row.get("updated_datetime"))
        if updated is not None and (not events or updated >= events[-1].at):
            events.append(_Event(updated, current, row.get("agency_responsible")))

    first_decision = next((e for e in events if e.code != TRIAGE_CODE), None)
    assignments = [e.at for e in events if e.code == ASSIGN_CODE]
    assigned = assignments[0] if assignments else None
    first_response = None
    if assigned is not None:
        first_response = next((e.at for e in events if e.at >= assigned and e.code in RESPONSE_CODES), None)
    closings: list[_Event] = []
    previous_code: str | None = None
    for event in events:
        if _is_closed(event.code) and not _is_closed(previous_code):
            closings.append(event)
        previous_code = event.code
    return _Report(row, requested, events, first_decision, assigned, assignments, first_response, closings)


# --------------------------------------------------------------------------- computing


def _group_key(row: Mapping[str, Any], grouping: str) -> str:
    value = row.get(GROUP_COLUMN[grouping])
    return NO_GROUP_KEY if value is None else str(value).strip()


def _prepare(reports: Iterable[Mapping[str, Any]], history: Iterable[Mapping[str, Any]]) -> list[_Report]:
    by_id: dict[str, list[Mapping[str, Any]]] = {}
    for h in history:
        by_id.setdefault(str(h.get("service_request_id")), []).append(h)
    return [_build_report(row, by_id.get(str(row.get("service_request_id")), ())) for row in reports]


@dataclass
class _Share:
    """What one report gives to the figures of one period (evaluated once, summed per group)."""

    received: bool = False
    accepted: bool = False
    rejected: bool = False
    assigned: bool = False
    resolved: bool = False
    not_resolved: bool = False
    still_open: bool = False
    overdue: bool = False
    resolved_in_time: bool = False
    response_days: int | None = None
    closing_days: int | None = None


class _Engine:
    """The prepared reports and ``now``; evaluates each report once per period (cached)."""

    def __init__(self, prepared: list[_Report], now: datetime, procedure: Procedure | None) -> None:
        self.prepared = prepared
        self.now = now
        self.procedure = procedure or cached_procedure()  # a broken file raises its ProcedureError here
        self._wd: dict[tuple[date, date], int] = {}
        self._due: dict[tuple[Any, ...], datetime | None] = {}
        self._shares: dict[Period, list[_Share]] = {}

    # -- helpers
    def working_days(self, a: datetime, b: datetime) -> int:
        """``working_days_between`` of the Kyiv dates, cached (many reports share the pairs)."""
        key = (a.astimezone(KYIV).date(), b.astimezone(KYIV).date())
        found = self._wd.get(key)
        if found is None:
            found = self._wd[key] = working_days_between(*key)
        return found

    def due(self, report: _Report, state: _Event, moment: datetime) -> datetime | None:
        """When the stage ends that the report was in at ``moment`` (its status then: ``state``).

        By :func:`core.deadlines.deadline_for` on the report's row as it was then. Cached by
        Kyiv dates: a term of working days depends on its start date only (core.workdays).
        """
        assigned = report.assignment_before(moment)
        key = (
            state.code,
            report.row.get("service_code"),
            report.requested.astimezone(KYIV).date() if report.requested else None,
            assigned.astimezone(KYIV).date() if assigned else state.at,
            report.row.get("expected_datetime") if state.code == "planned" else None,
        )
        if key not in self._due:
            row = dict(report.row)
            row["external_status_code"] = state.code
            row["status"] = "closed" if _is_closed(state.code) else "open"
            row["updated_datetime"] = state.at
            row["assigned_datetime"] = assigned
            self._due[key] = deadline_for(row, self.procedure, history=()).due
        return self._due[key]

    # -- one report in one period
    def _share(self, r: _Report, period: Period) -> _Share:
        s = _Share()
        at = min(period.end, self.now)  # "the end of the period", or now while it lasts
        s.received = r.requested in period
        decision = r.first_decision
        # An officer status first (no moderation step in the history) is an acceptance too.
        s.accepted = decision is not None and decision.at in period and decision.code not in REJECT_CODES
        s.assigned = r.assigned in period
        if r.assigned is not None and r.first_response in period:
            s.response_days = self.working_days(r.assigned, r.first_response)
        closing = r.last_closing_in(period)
        if closing is not None:
            s.rejected = closing.code in REJECT_CODES
            s.resolved = closing.code == RESOLVED_CODE
            s.not_resolved = closing.code == NOT_RESOLVED_CODE
            if s.resolved:
                before = r.state_before(closing.at)
                due = self.due(r, before, closing.at) if before is not None else None
                s.resolved_in_time = due is not None and closing.at <= due
            if (s.resolved or s.not_resolved) and r.requested is not None:
                s.closing_days = self.working_days(r.requested, closing.at)
        state = r.state_before(at)
        if state is not None and not _is_closed(state.code):
            s.still_open = True
            stored = to_datetime(r.row.get("deadline")) if at == self.now else None
            if stored is not None and state.code == _code(r.row.get("external_status_code")):
                due = stored  # now: the store's deadline, as the layer and its style show it
            else:
                due = self.due(r, state, at)
            s.overdue = due is not None and due < at
        return s

    def shares(self, period: Period) -> list[_Share]:
        if period not in self._shares:
            self._shares[period] = [self._share(r, period) for r in self.prepared]
        return self._shares[period]

    # -- figures
    def grouped(self, grouping: str, period: Period, names: Mapping[str, str] | None) -> dict[str, Figures]:
        """Figures per group key and for the whole city (``CITY_KEY``)."""
        city = Figures(key=CITY_KEY, label=city_label())
        out: dict[str, Figures] = {}
        for r, s in zip(self.prepared, self.shares(period)):
            key = _group_key(r.row, grouping)
            f = out.get(key)
            if f is None:
                f = out[key] = Figures(key=key, label=_label(key, grouping, names))
            rid = str(r.row.get("service_request_id"))
            _add(f, s, rid)
            _add(city, s, rid)
        out[CITY_KEY] = city
        for f in out.values():
            _finish(f)
        return out

    def figure_set(
        self, grouping: str, period: Period, names: Mapping[str, str] | None, previous: Period | None
    ) -> FigureSet:
        previous = previous or period.previous()
        cur = self.grouped(grouping, period, names)
        prev = self.grouped(grouping, previous, names)
        _add_named(cur, grouping, names)
        keys = set(names or ()) | {k for k, f in cur.items() if not _is_empty(f)}
        keys |= {k for k, f in prev.items() if not _is_empty(f)}
        labels = {k: (cur.get(k) or prev[k]).label for k in keys}
        rows = []
        for key in [*_order(keys, labels), CITY_KEY]:
            c = cur.get(key) or Figures(key=key, label=labels.get(key, key))
            p = prev.get(key) or Figures(key=key, label=c.label)
            rows.append(compare(c, p))
        return FigureSet(grouping, period, previous, self.now, rows)


def _add(f: Figures, s: _Share, rid: str) -> None:
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
        f.overdue_ids.append(rid)


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


def _now(now: datetime | None) -> datetime:
    return _aware(now) if now is not None else datetime.now(timezone.utc)


def compute_figures(
    reports: Iterable[Mapping[str, Any]],
    history: Iterable[Mapping[str, Any]],
    period: Period,
    grouping: str = DEPARTMENT,
    now: datetime | None = None,
    names: Mapping[str, str] | None = None,
    procedure: Procedure | None = None,
) -> list[Figures]:
    """Figures per group (sorted by label, "no group" last), then the whole city (last).

    ``names`` maps group codes to display names (department names, district names,
    category names); every named group is listed, even with zero figures. ``procedure``
    defaults to the plugin's Procedure file; ``now`` to the current time.
    """
    if grouping not in GROUP_COLUMN:
        raise ValueError(f"unknown grouping {grouping!r}; use one of {', '.join(GROUPINGS)}")
    engine = _Engine(_prepare(reports, history), _now(now), procedure)
    by_key = engine.grouped(grouping, period, names)
    _add_named(by_key, grouping, names)
    labels = {k: f.label for k, f in by_key.items()}
    return [by_key[k] for k in _order(by_key, labels)] + [by_key[CITY_KEY]]


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


def figure_set(
    reports: Iterable[Mapping[str, Any]],
    history: Iterable[Mapping[str, Any]],
    period: Period,
    grouping: str = DEPARTMENT,
    now: datetime | None = None,
    names: Mapping[str, str] | None = None,
    previous: Period | None = None,
    procedure: Procedure | None = None,
) -> FigureSet:
    """Figures of ``period`` compared with ``previous`` (default :meth:`Period.previous`).

    Groups with no figure in either period are left out unless ``names`` lists them.
    The previous period is counted with the same rows and the same ``now``.
    """
    if grouping not in GROUP_COLUMN:
        raise ValueError(f"unknown grouping {grouping!r}; use one of {', '.join(GROUPINGS)}")
    engine = _Engine(_prepare(reports, history), _now(now), procedure)
    return engine.figure_set(grouping, period, names, previous)


def all_figure_sets(
    rows: Rows,
    period: Period,
    now: datetime | None = None,
    groupings: Sequence[str] = GROUPINGS,
    procedure: Procedure | None = None,
    previous: Period | None = None,
) -> dict[str, FigureSet]:
    """:func:`figure_set` for each grouping, with the names :func:`load_rows` read; each report is evaluated once."""
    for g in groupings:
        if g not in GROUP_COLUMN:
            raise ValueError(f"unknown grouping {g!r}; use one of {', '.join(GROUPINGS)}")
    engine = _Engine(_prepare(rows.reports, rows.history), _now(now), procedure)
    return {g: engine.figure_set(g, period, rows.names.get(g) or None, previous) for g in groupings}


# --------------------------------------------------------------------------- loading


@dataclass
class Rows:
    """The rows the figures need, as plain dicts, and display names per grouping."""

    reports: list[dict[str, Any]]
    history: list[dict[str, Any]]
    names: dict[str, dict[str, str]] = field(default_factory=dict)


_REPORT_COLUMNS = (
    "service_request_id",
    "status",
    "external_status_code",
    "service_code",
    "service_name",
    "agency_responsible",
    "district",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "assigned_datetime",
    "deadline",
    "deadline_stage",
    "duplicate_of",
)
_HISTORY_COLUMNS = (
    "update_id",
    "service_request_id",
    "status",
    "external_status_code",
    "updated_datetime",
    "agency_responsible",
    "origin",
)


def _store_path(store_or_path: Any) -> Path:
    if isinstance(store_or_path, (str, Path)):
        return Path(store_or_path)
    for attr in ("path", "_path", "filename"):
        value = getattr(store_or_path, attr, None)
        if isinstance(value, (str, Path)) and str(value):
            return Path(value)
    raise TypeError(f"not a store or a path: {store_or_path!r}")


def _select(con: sqlite3.Connection, table: str, wanted: Sequence[str], order: Sequence[str] = ()) -> list[dict]:
    present = {r[1] for r in con.execute(f'PRAGMA table_info("{table}")')}
    if not present:
        log.debug("No table %s in the workspace", table)
        return []
    cols = [c for c in wanted if c in present]
    sql = "SELECT " + ", ".join(f'"{c}"' for c in cols) + f' FROM "{table}"'
    order = [c for c in order if c in present]
    if order:
        sql += " ORDER BY " + ", ".join(f'"{c}"' for c in order)
    return [dict(zip(cols, rec)) for rec in con.execute(sql)]


def load_rows(store_or_path: Any) -> Rows:
    """Read ``reports``, ``request_updates`` and the group names from a GeoPackage workspace.

    Reads with a read-only ``sqlite3`` connection (``mode=ro``): it never writes. Accepts
    a path or a store object that knows its path (``.path``). Personal data of the
    ``departments`` table (officers) is not read.
    """
    path = _store_path(store_or_path)
    if not path.exists():
        raise FileNotFoundError(str(path))
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        reports = _select(con, "reports", _REPORT_COLUMNS, order=("service_request_id",))
        history = _select(con, "request_updates", _HISTORY_COLUMNS, order=("updated_datetime", "fid"))
        names = {
            DEPARTMENT: _names(con, "departments", "code", "name"),
            DISTRICT: _names(con, "districts", "code", "name"),
            CATEGORY: _names(con, "services", "service_code", "service_name"),
        }
    finally:
        con.close()
    for r in reports:  # categories seen only in reports still get their name
        code, name = r.get("service_code"), r.get("service_name")
        if code and name:
            names[CATEGORY].setdefault(str(code), str(name))
    log.debug("Read %d reports and %d history rows from %s", len(reports), len(history), path)
    return Rows(reports, history, names)


def _names(con: sqlite3.Connection, table: str, key: str, name: str) -> dict[str, str]:
    return {str(r[key]): str(r[name]) for r in _select(con, table, (key, name)) if r.get(key) and r.get(name)}


__all__ = [
    "CATEGORY",
    "CITY_KEY",
    "DEPARTMENT",
    "DISTRICT",
    "FIGURE_FIELDS",
    "GROUPINGS",
    "NO_GROUP_KEY",
    "FigureSet",
    "Figures",
    "FiguresComparison",
    "Period",
    "Rows",
    "all_figure_sets",
    "city_label",
    "compare",
    "compute_figures",
    "figure_headers",
    "figure_set",
    "grouping_label",
    "load_rows",
    "median",
    "no_group_label",
    "percentile",
    "to_datetime",
]
