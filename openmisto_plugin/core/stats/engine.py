"""The figure engine: the reports of a workspace prepared once, each evaluated once per period.

:class:`FigureEngine` derives what the figures need of each report from its row and history once
(:mod:`.states`), evaluates it for a period (:class:`~.states.ReportState`: what it gives to the figures,
its status and deadline at the period's end) and sums those per group (:mod:`.figures`). Speed notes
(100 000 reports) are in ``docs/figures.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from ..deadlines import (
    ANSWER_CODES,
    MODERATION_CODES,
    PLANNED_CODES,
    Procedure,
    Terms,
    cached_procedure,
    deadline_for,
    is_overdue,
)
from ..reportfields import as_text, get_value
from ..statuses import CLOSED_CODES
from ..timeutil import KYIV
from ..workdays import working_days_between
from .figures import (
    CITY_KEY,
    DEPARTMENT,
    GROUP_COLUMN,
    GROUPINGS,
    Figures,
    FigureSet,
    _add,
    _add_named,
    _check_grouping,
    _finish,
    _is_empty,
    _label,
    _order,
    city_label,
    compare,
    group_key,
)
from .periods import Period, _aware
from .rows import _UTC, HISTORY_COLUMNS, Rows, TableRows, _parse_utc, paused_gc, status_code, to_datetime
from .states import (
    ASSIGN_CODE,
    NOT_RESOLVED_CODE,
    REJECT_CODES,
    RESOLVED_CODE,
    RESPONSE_CODES,
    TRIAGE_CODE,
    ReportState,
    _Event,
    _Report,
)

_MISSING = object()


def _is_closed(code: str | None) -> bool:
    return code in CLOSED_CODES


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
