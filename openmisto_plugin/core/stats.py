"""Effectiveness figures for the working group (issue 4, items 1–2).

GUI-free and pure: the input is plain rows of the store's ``reports`` and
``request_updates`` tables (dicts; datetimes as store text or datetimes), a
:class:`Period`, a grouping and ``now``; the output is :class:`Figures` per group
and for the whole city, with the change against the previous period
(:class:`FiguresComparison`). :func:`load_rows` reads the rows from a workspace (its store).

:class:`FigureEngine` is the public core: it prepares the reports once, evaluates each
of them once per period (:class:`ReportState`: what it gives to the figures, its status
and deadline at the period's end) and sums those per group. The atlas
(``core.atlas.data``) uses the same states for its maps and overdue lists. Speed notes
(100 000 reports) are in ``docs/figures.md``.

Which timestamp each figure uses is written down in ``docs/figures.md``; in short,
every event is counted in the period that holds the moment it happened in the
report's history, and a report belongs to a group by its *current* department,
district or category.

Percentiles (the median too) use linear interpolation between the closest ranks
(the "inclusive" method: ``statistics.quantiles(method="inclusive")``, Excel's
``PERCENTILE.INC``, numpy's default).
"""

from __future__ import annotations

import gc
import logging
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, NamedTuple

from .deadlines import (
    ANSWER_CODES,
    MODERATION_CODES,
    PLANNED_CODES,
    Procedure,
    Terms,
    cached_procedure,
    deadline_for,
    is_overdue,
)
from .i18n import tr
from .reportfields import as_text, get_value
from .statuses import CLOSED_CODES
from .store.base import ReportStore
from .store.schema import TABLES
from .store.workspace import Workspace
from .timeutil import KYIV, parse, parse_reason, to_store
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


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many small, acyclic objects are made.

    Reading and evaluating a big city's reports makes millions of tuples, dicts and datetimes,
    none of them in reference cycles; each collection would walk all of them again, for nothing
    (a third of the work on 100 000 reports). Reference counting still frees memory as usual.
    Nested and threaded uses are fine: only the outermost one that paused it turns it back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_UTC = timezone.utc
_MISSING = object()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else parse(value)  # naive = Kyiv, as everywhere


def to_datetime(value: Any) -> datetime | None:
    """An aware datetime from store text, a datetime (naive = Kyiv) or a QDateTime; ``None`` if empty/bad."""
    when, reason = parse_reason(value)
    if reason:
        log.debug("%s", reason)
    return when


def _parse_utc(text: str) -> datetime | None:
    """:func:`to_datetime` of a text, in UTC; the store's own ``YYYY-MM-DDTHH:MM:SS.sssZ`` the quick way."""
    parsed = parse(text)
    return parsed.astimezone(_UTC) if parsed is not None else None


def status_code(value: Any) -> str | None:
    """A status code as the status model spells it (tolerates ``Fixed``, `` fixed ``); ``None`` when empty."""
    return str(value).strip().lower() or None if value is not None else None


def group_key(row: Mapping[str, Any], grouping: str) -> str:
    """The key of the group of ``grouping`` a report row belongs to (its current value; :data:`NO_GROUP_KEY`)."""
    value = row.get(GROUP_COLUMN[grouping])
    return NO_GROUP_KEY if value is None else str(value).strip()


def _is_closed(code: str | None) -> bool:
    return code in CLOSED_CODES


# Events are ``(moment, code)`` tuples; every moment inside the engine is an aware UTC datetime, so that
# comparing two of them never has to ask a time zone for its offset.
_Event = tuple  # (datetime, str)


class _Report:
    """What the figures need of one report, derived once from its row and history."""

    __slots__ = (
        "assigned",
        "assignments",
        "closings",
        "current",
        "events",
        "expected",
        "first_decision",
        "first_response",
        "requested",
        "rid",
        "row",
        "service_code",
        "stored_deadline",
    )

    def state_before(self, moment: datetime) -> _Event | None:
        """The last status change before ``moment`` (``None`` when the report did not exist yet)."""
        requested = self.requested
        if requested is None or requested >= moment:
            return None
        last = None
        for event in self.events:
            if event[0] >= moment:
                break
            last = event
        return last

    def assignment_before(self, moment: datetime) -> datetime | None:
        """The latest assignment before ``moment`` (the answer term counts from it)."""
        assignments = self.assignments
        if len(assignments) == 1:  # the usual case
            return assignments[0] if assignments[0] < moment else None
        for at in reversed(assignments):
            if at < moment:
                return at
        return None


class ReportState(NamedTuple):
    """One report in one period, as :class:`FigureEngine` evaluated it.

    The flags say what the report gives to the figures of the period; ``status`` and ``due``
    describe it at the period's reference moment ``at = min(end, now)``: its status code then
    (``""`` when it did not exist yet) and, while it was open, the deadline of its stage then
    (the store's ``deadline`` for *now*, else :func:`core.deadlines.deadline_for` as of ``at``;
    ``None`` without a deadline). ``overdue`` is :func:`core.deadlines.is_overdue` at ``at``.
    """

    service_request_id: str
    row: Mapping[str, Any]
    status: str
    due: datetime | None
    received: bool
    accepted: bool
    rejected: bool
    assigned: bool
    resolved: bool
    not_resolved: bool
    still_open: bool
    overdue: bool
    resolved_in_time: bool
    response_days: int | None
    closing_days: int | None

    def group_key(self, grouping: str) -> str:
        """The report's group of ``grouping`` (its current department, district or category)."""
        return group_key(self.row, grouping)

    @property
    def counts(self) -> bool:
        """True when something happened to the report in the period, or it was open at its end."""
        return (
            self.received
            or self.accepted
            or self.rejected
            or self.assigned
            or self.resolved
            or self.not_resolved
            or self.still_open
            or self.response_days is not None
        )


# --------------------------------------------------------------------------- computing

_MODERATION_CODES = frozenset(MODERATION_CODES)
_ANSWER_CODES = frozenset(ANSWER_CODES)
_PLANNED_CODES = frozenset(PLANNED_CODES)


class FigureEngine:
    """The reports of a workspace, prepared once, and the figures of any period and grouping.

    ``reports`` and ``history`` are rows of the store's ``reports`` and ``request_updates``
    (mappings; datetimes as store text, datetimes or QDateTimes). Each report is evaluated once
    per period (:meth:`evaluate`, cached); the groupings only sum those evaluations. ``now``
    defaults to the current time, ``procedure`` to the plugin's Procedure file (a broken file
    raises its ``ProcedureError`` here).
    """

    def __init__(
        self,
        reports: Iterable[Mapping[str, Any]],
        history: Iterable[Mapping[str, Any]],
        now: datetime | None = None,
        procedure: Procedure | None = None,
    ) -> None:
        self.now = _aware(now) if now is not None else datetime.now(_UTC)
        self.procedure = procedure or cached_procedure()
        self._now_utc = self.now.astimezone(_UTC)
        self._parsed: dict[str, datetime | None] = {}  # store text -> UTC datetime
        self._codes: dict[Any, str | None] = {}
        self._days: dict[datetime, date] = {}  # UTC datetime -> Kyiv date
        self._wd: dict[tuple[date, date], int] = {}
        self._dues: dict[tuple[Any, ...], datetime | None] = {}
        self._terms_of: dict[Any, int] = {}  # service_code -> index of its terms
        self._terms_ids: dict[Terms, int] = {}
        self._states: dict[Period, list[ReportState]] = {}
        self._keys: dict[str, list[str]] = {}
        with paused_gc():
            self._reports: list[_Report] = self._prepare(reports, history)

    def __len__(self) -> int:
        return len(self._reports)

    # -- conversions (cached: a big city's rows repeat the same texts, moments and days)
    def _moment(self, value: Any) -> datetime | None:
        """An aware UTC datetime (store text is parsed once per distinct text)."""
        if value.__class__ is str:
            found = self._parsed.get(value, _MISSING)
            if found is _MISSING:
                found = self._parsed[value] = _parse_utc(value)
            return found  # type: ignore[return-value]
        parsed = to_datetime(value)
        return parsed.astimezone(_UTC) if parsed is not None else None

    def _code(self, value: Any) -> str | None:
        try:
            return self._codes[value]
        except KeyError:
            code = self._codes[value] = status_code(value)
            return code
        except TypeError:  # unhashable: not a code anyway, but be tolerant
            return status_code(value)

    def _day(self, moment: datetime) -> date:
        """The Kyiv date of a moment."""
        day = self._days.get(moment)
        if day is None:
            day = self._days[moment] = moment.astimezone(KYIV).date()
        return day

    def working_days(self, a: datetime, b: datetime) -> int:
        """:func:`core.workdays.working_days_between` of the Kyiv dates of two moments."""
        key = (self._day(a), self._day(b))
        found = self._wd.get(key)
        if found is None:
            found = self._wd[key] = working_days_between(*key)
        return found

    # -- preparing
    def _prepare(self, reports: Iterable[Mapping[str, Any]], history: Iterable[Mapping[str, Any]]) -> list[_Report]:
        """One pass over the history, grouped by report, then one :class:`_Report` per row."""
        moment, code_of = self._moment, self._code
        by_id: dict[str, list[tuple[datetime, str]]] = {}
        if isinstance(history, TableRows) and set(HISTORY_COLUMNS) <= set(history.columns):
            # as read by load_rows: the records themselves, no dict per row
            index = [history.columns.index(c) for c in HISTORY_COLUMNS]
            triples: Iterable[tuple[Any, Any, Any]] = (
                (rec[index[0]], rec[index[1]], rec[index[2]]) for rec in history.records
            )
        else:
            triples = (
                (h.get("service_request_id"), h.get("external_status_code"), h.get("updated_datetime")) for h in history
            )
        for rid, raw_code, raw_at in triples:
            at = moment(raw_at)
            code = code_of(raw_code)
            if at is None or not code:
                continue  # a comment without a status change, or a broken row
            if rid.__class__ is not str:
                rid = str(rid)
            events = by_id.get(rid)
            if events is None:
                by_id[rid] = [(at, code)]
            else:
                events.append((at, code))
        out = []
        for row in reports:
            rid = str(row.get("service_request_id"))
            events = by_id.get(rid)
            out.append(self._build(row, rid, list(events) if events else []))
        return out

    def _build(self, row: Mapping[str, Any], rid: str, events: list[tuple[datetime, str]]) -> _Report:
        moment = self._moment
        requested = moment(row.get("requested_datetime"))
        if len(events) > 1:
            events.sort(key=_at)  # stable: equal times keep the order of the rows

        # Reconcile with the row itself: a history may be missing or start late.
        start = requested or (events[0][0] if events else None)
        if start is not None and (not events or (events[0][1] != TRIAGE_CODE and events[0][0] >= start)):
            events.insert(0, (start, TRIAGE_CODE))
        for event in events:
            if event[1] == ASSIGN_CODE:
                break
        else:
            assigned_col = moment(row.get("assigned_datetime"))
            if assigned_col is not None:
                events.append((assigned_col, ASSIGN_CODE))
                events.sort(key=_at)
        current = self._code(row.get("external_status_code"))
        if current and (not events or events[-1][1] != current):
            updated = moment(row.get("updated_datetime"))
            if updated is not None and (not events or updated >= events[-1][0]):
                events.append((updated, current))

        # One pass: the first decision, the assignments, the closings (open -> closed transitions).
        first_decision = None
        assignments: list[datetime] = []
        closings: list[_Event] = []
        previous_closed = False
        for event in events:
            code = event[1]
            if first_decision is None and code != TRIAGE_CODE:
                first_decision = event
            if code == ASSIGN_CODE:
                assignments.append(event[0])
            closed = code in CLOSED_CODES
            if closed and not previous_closed:
                closings.append(event)
            previous_closed = closed
        first_response = None
        if assignments:
            assigned = assignments[0]
            for at, code in events:
                if at >= assigned and code in RESPONSE_CODES:
                    first_response = at
                    break

        r = _Report()
        r.row = row
        r.rid = rid
        r.service_code = row.get("service_code")
        r.requested = requested
        r.events = events
        r.first_decision = first_decision
        r.assignments = assignments
        r.assigned = assignments[0] if assignments else None
        r.first_response = first_response
        r.closings = closings
        r.current = current
        r.stored_deadline = moment(row.get("deadline"))
        r.expected = row.get("expected_datetime")
        return r

    # -- deadlines
    def _terms_index(self, row: Mapping[str, Any]) -> int:
        """A small number for the Procedure's terms of the report's category (equal terms, equal number)."""
        terms = self.procedure.terms_for(as_text(get_value(row, "service_code")))
        return self._terms_ids.setdefault(terms, len(self._terms_ids))

    def _due(self, report: _Report, state: _Event, moment: datetime) -> datetime | None:
        """When the stage ends that ``report`` was in at ``moment`` (its status then: ``state``).

        By :func:`core.deadlines.deadline_for` on the report's row as it was then. Cached by what
        ``deadline_for`` reads for that stage: the terms of the category, the moments as Kyiv dates (a term of working
        days depends on its start date only, core.workdays): the moderation term on the receipt
        date, the answer term and the planned cap on the start of the stage (the latest assignment
        before ``moment``; without one, what ``deadline_for`` falls back to), the planned date as is.
        """
        code = state[1]
        terms = self._terms_of.get(report.service_code)
        if terms is None:
            terms = self._terms_of[report.service_code] = self._terms_index(report.row)
        if code in _MODERATION_CODES:
            requested = report.requested
            key: tuple[Any, ...] = ("moderation", terms, self._day(requested) if requested else None)
            assigned = None
        elif code in _ANSWER_CODES or code in _PLANNED_CODES:
            assigned = report.assignment_before(moment)
            start = assigned or (state[0] if code == ASSIGN_CODE else report.requested)
            planned = code in _PLANNED_CODES
            key = (
                "planned" if planned else "answer",
                terms,
                self._day(start) if start else None,
                report.expected if planned else None,
            )
        else:
            return None  # closed, or a status the Procedure does not know: no deadline
        found = self._dues.get(key, _MISSING)
        if found is _MISSING:
            row = dict(report.row)
            row["external_status_code"] = code
            row["status"] = "closed" if _is_closed(code) else "open"
            row["updated_datetime"] = state[0]
            row["assigned_datetime"] = assigned
            due = deadline_for(row, self.procedure, history=()).due
            found = self._dues[key] = due.astimezone(_UTC) if due is not None else None
        return found  # type: ignore[return-value]

    # -- one period
    def reference_moment(self, period: Period) -> datetime:
        """``min(period.end, now)``: the end of the period, or *now* while it lasts."""
        return min(period.end, self.now)

    def evaluate(self, period: Period) -> list[ReportState]:
        """Every report in ``period``, in the order of the rows (cached per period)."""
        states = self._states.get(period)
        if states is None:
            with paused_gc():
                states = self._states[period] = self._evaluate(period)
        return states

    def _evaluate(self, period: Period) -> list[ReportState]:
        start, end, now = period.start.astimezone(_UTC), period.end.astimezone(_UTC), self._now_utc
        at = end if end < now else now  # "the end of the period", or now while it lasts
        at_now = now <= end
        due_of, working_days = self._due, self.working_days
        out = []
        append = out.append
        for r in self._reports:
            requested = r.requested
            received = requested is not None and start <= requested < end
            decision = r.first_decision
            # An officer status first (no moderation step in the history) is an acceptance too.
            accepted = decision is not None and start <= decision[0] < end and decision[1] not in REJECT_CODES
            assigned_at = r.assigned
            assigned = assigned_at is not None and start <= assigned_at < end
            response_days = None
            if assigned_at is not None:
                first_response = r.first_response
                if first_response is not None and start <= first_response < end:
                    response_days = working_days(assigned_at, first_response)
            rejected = resolved = not_resolved = resolved_in_time = False
            closing_days = None
            closing = None
            for event in reversed(r.closings):  # the last closing in the period decides
                if event[0] < end:
                    if event[0] >= start:
                        closing = event
                    break
            if closing is not None:
                closing_at, closing_code = closing
                rejected = closing_code in REJECT_CODES
                resolved = closing_code == RESOLVED_CODE
                not_resolved = closing_code == NOT_RESOLVED_CODE
                if resolved:
                    before = r.state_before(closing_at)
                    due = due_of(r, before, closing_at) if before is not None else None
                    resolved_in_time = due is not None and not is_overdue(due, closing_at)
                if (resolved or not_resolved) and requested is not None:
                    closing_days = working_days(requested, closing_at)
            state = r.state_before(at)
            still_open = overdue = False
            due = None
            if state is not None and state[1] not in CLOSED_CODES:
                still_open = True
                # now: the store's deadline (as the layer and its style show it) while the status is the same
                stored = r.stored_deadline if at_now and state[1] == r.current else None
                due = stored if stored is not None else due_of(r, state, at)
                overdue = is_overdue(due, at)
            append(
                ReportState(
                    r.rid,
                    r.row,
                    state[1] if state is not None else "",
                    due,
                    received,
                    accepted,
                    rejected,
                    assigned,
                    resolved,
                    not_resolved,
                    still_open,
                    overdue,
                    resolved_in_time,
                    response_days,
                    closing_days,
                )
            )
        return out

    # -- figures
    def group_keys(self, grouping: str) -> list[str]:
        """The group key of every report (in the order of the rows) for ``grouping``."""
        if grouping not in GROUP_COLUMN:
            raise ValueError(f"unknown grouping {grouping!r}; use one of {', '.join(GROUPINGS)}")
        keys = self._keys.get(grouping)
        if keys is None:
            column = GROUP_COLUMN[grouping]
            seen: dict[Any, str] = {}  # raw value -> key (a few departments, districts, categories)
            keys = self._keys[grouping] = []
            for r in self._reports:
                value = r.row.get(column)
                try:
                    key = seen[value]
                except KeyError:
                    key = seen[value] = group_key(r.row, grouping)
                except TypeError:  # an unhashable value: not from a store, but be tolerant
                    key = group_key(r.row, grouping)
                keys.append(key)
        return keys

    def grouped(self, grouping: str, period: Period, names: Mapping[str, str] | None = None) -> dict[str, Figures]:
        """Figures per group key and for the whole city (``CITY_KEY``)."""
        city = Figures(key=CITY_KEY, label=city_label())
        out: dict[str, Figures] = {}
        for key, s in zip(self.group_keys(grouping), self.evaluate(period)):
            f = out.get(key)
            if f is None:
                f = out[key] = Figures(key=key, label=_label(key, grouping, names))
            if s.counts:
                _add(f, s)
                _add(city, s)
        out[CITY_KEY] = city
        for f in out.values():
            _finish(f)
        return out

    def figures(self, grouping: str, period: Period, names: Mapping[str, str] | None = None) -> list[Figures]:
        """Figures per group (by label, "no group" last), then the whole city: :func:`compute_figures`."""
        by_key = self.grouped(grouping, period, names)
        _add_named(by_key, grouping, names)
        labels = {k: f.label for k, f in by_key.items()}
        return [by_key[k] for k in _order(by_key, labels)] + [by_key[CITY_KEY]]

    def figure_set(
        self,
        grouping: str,
        period: Period,
        names: Mapping[str, str] | None = None,
        previous: Period | None = None,
    ) -> FigureSet:
        """Figures of ``period`` compared with ``previous`` (default: the previous period): :func:`figure_set`."""
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


def _at(event: _Event) -> datetime:
    return event[0]


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
    _check_grouping(grouping)
    return FigureEngine(reports, history, now, procedure).figures(grouping, period, names)


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
    _check_grouping(grouping)
    return FigureEngine(reports, history, now, procedure).figure_set(grouping, period, names, previous)


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
        _check_grouping(g)
    engine = FigureEngine(rows.reports, rows.history, now, procedure)
    return {g: engine.figure_set(g, period, rows.names.get(g) or None, previous) for g in groupings}


# --------------------------------------------------------------------------- loading


class TableRows(Sequence[dict[str, Any]]):
    """Rows of a table as read (column names and records): a sequence of dicts, each made when asked for.

    :class:`FigureEngine` reads the records themselves: a big city's history costs no dict per row.
    """

    __slots__ = ("columns", "records")

    def __init__(self, columns: Sequence[str], records: list[tuple]) -> None:
        self.columns = tuple(columns)
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return TableRows(self.columns, self.records[index])
        return dict(zip(self.columns, self.records[index]))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        columns = self.columns
        for record in self.records:
            yield dict(zip(columns, record))

    def __repr__(self) -> str:
        return f"TableRows({list(self.columns)!r}, {len(self.records)} records)"


@dataclass
class Rows:
    """The rows the figures need (mappings) and display names per grouping."""

    reports: list[dict[str, Any]]
    history: Sequence[Mapping[str, Any]]
    names: dict[str, dict[str, str]] = field(default_factory=dict)


REPORT_COLUMNS: tuple[str, ...] = (
    "service_request_id",
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
)
"""The columns of ``reports`` that :func:`load_rows` reads (the figures, the groups and the category names)."""

HISTORY_COLUMNS: tuple[str, ...] = ("service_request_id", "external_status_code", "updated_datetime")
"""The columns of ``request_updates`` that :func:`load_rows` reads."""


@contextmanager
def reading(workspace: Any) -> Iterator[ReportStore]:
    """The store to read ``workspace`` through, for a ``with`` block.

    An open store is used as it is (and left open); anything :meth:`Workspace.of` takes (an address, a
    :class:`Workspace`, a layer) is opened for the block and closed after it: ``FileNotFoundError`` when
    there is no such workspace.
    """
    if isinstance(workspace, ReportStore):
        yield workspace
        return
    place = Workspace.of(workspace)
    if not place.exists():
        raise FileNotFoundError(place.address)
    with place.opened() as store:
        yield store


def _quoted(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _service_request_id(record: tuple) -> tuple[bool, Any]:
    return record[0] is None, record[0]


def load_rows(workspace: Any, since: datetime | None = None, extra_columns: Sequence[str] = ()) -> Rows:
    """Read ``reports``, ``request_updates`` and the group names from a workspace, through its store.

    ``workspace`` is an open store or what :meth:`Workspace.of` takes (a GeoPackage path, a ``postgres:``
    address, a :class:`Workspace`): see :func:`reading`; reading never writes. Only the columns the figures
    need are read (:data:`REPORT_COLUMNS`, :data:`HISTORY_COLUMNS`), one query per table; personal data of the
    ``departments`` table (officers) is not read. ``extra_columns`` of ``reports`` come along in the same query
    (e.g. the atlas's coordinates and addresses; a name the schema does not know is left out).

    With ``since``, only the rows that can count in a period starting at ``since`` or later: a
    report whose status is closed now, that changed last before ``since`` and has no history
    from ``since`` on gives nothing to any later period (it neither arrives, changes nor stays
    open there), so it is not read and a big city's old reports cost nothing. The figures of
    such periods are the same as with all rows.
    """
    with paused_gc(), reading(workspace) as store:
        return _load_rows(store, since, extra_columns)


def _load_rows(store: ReportStore, since: datetime | None, extra_columns: Sequence[str]) -> Rows:
    mark = to_store(since) if since is not None else None
    # The history: one scan in the order the store wrote it (the engine sorts each report's updates
    # by time, stably, so updates at the same moment keep this order).
    hist_cols = list(HISTORY_COLUMNS)
    raw_history = store.records(f'SELECT {_quoted(hist_cols)} FROM "request_updates" ORDER BY "fid"')  # noqa: S608 - names from the schema constants  # nosec B608
    known = set(TABLES["reports"].column_names)
    cols = [*REPORT_COLUMNS, *(c for c in extra_columns if c not in REPORT_COLUMNS and c in known)]
    sql = f'SELECT {_quoted(cols)} FROM "reports"'  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
    params: list[Any] = []
    if mark is not None:
        closed = ", ".join(f"'{c}'" for c in sorted(CLOSED_CODES))
        sql += (
            f" WHERE lower(coalesce(\"external_status_code\", '')) NOT IN ({closed})"
            ' OR "updated_datetime" >= ? OR "requested_datetime" >= ?'
        )
        params += [mark, mark]
    raw_reports = store.records(sql, params)
    if mark is not None:
        # ... and the closed, old reports that still have an update from ``since`` on
        rid_i, at_i = hist_cols.index("service_request_id"), hist_cols.index("updated_datetime")
        recent = {h[rid_i] for h in raw_history if h[at_i] is not None and h[at_i] >= mark}
        missing = sorted(recent - {r[0] for r in raw_reports})
        for i in range(0, len(missing), 500):
            chunk = missing[i : i + 500]
            raw_reports += store.records(
                f'SELECT {_quoted(cols)} FROM "reports" WHERE "service_request_id" IN '  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                f"({', '.join('?' * len(chunk))})",
                chunk,
            )
        kept = {r[0] for r in raw_reports}
        raw_history = [h for h in raw_history if h[rid_i] in kept]
    # by service_request_id in code point order: SQLite's and PostgreSQL's "C" order of text, on every backend
    raw_reports.sort(key=_service_request_id)
    names = {
        DEPARTMENT: _names(store, "departments", "code", "name"),
        DISTRICT: _names(store, "districts", "code", "name"),
        CATEGORY: _names(store, "services", "service_code", "service_name"),
    }
    reports = [dict(zip(cols, rec)) for rec in raw_reports]
    history = TableRows(hist_cols, raw_history)
    for r in reports:  # categories seen only in reports still get their name
        code, name = r.get("service_code"), r.get("service_name")
        if code and name:
            names[CATEGORY].setdefault(str(code), str(name))
    log.debug(
        "Read %d reports and %d history rows from %s (since %s)",
        len(reports),
        len(history),
        store.workspace.describe(),
        mark,
    )
    return Rows(reports, history, names)


def _names(store: ReportStore, table: str, key: str, name: str) -> dict[str, str]:
    found = store.records(f'SELECT "{key}", "{name}" FROM "{table}"')  # noqa: S608 - names from the schema constants  # nosec B608
    return {str(k): str(v) for k, v in found if k and v}


__all__ = [
    "CATEGORY",
    "CITY_KEY",
    "DEPARTMENT",
    "DISTRICT",
    "FIGURE_FIELDS",
    "GROUPINGS",
    "HISTORY_COLUMNS",
    "NO_GROUP_KEY",
    "REPORT_COLUMNS",
    "FigureEngine",
    "FigureSet",
    "Figures",
    "FiguresComparison",
    "Period",
    "ReportState",
    "Rows",
    "TableRows",
    "all_figure_sets",
    "city_label",
    "compare",
    "compute_figures",
    "figure_headers",
    "figure_set",
    "group_key",
    "grouping_label",
    "load_rows",
    "median",
    "no_group_label",
    "paused_gc",
    "percentile",
    "reading",
    "status_code",
    "to_datetime",
]
