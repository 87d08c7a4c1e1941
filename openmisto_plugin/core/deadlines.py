"""The Procedure (DESIGN.md §5): terms from ``resources/procedure.ini`` and the deadline of a report.

The exact rules are in ``docs/procedure.md``; in short:

* ``for_triage``, ``investigating`` → stage ``moderation``: due = requested + moderation working days;
* ``action_scheduled``, ``in_progress`` → stage ``answer``: due = assigned + answer working days;
* ``planned`` → stage ``planned``: due = the planned date (``expected_datetime``), at most
  assigned + extension calendar days;
* closed statuses → stage ``closed``, no deadline.

Working days and the end of the working day come from :mod:`.workdays`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from .escaping import sql_literal
from .i18n import tr
from .paths import resource
from .reportfields import as_datetime, as_text, get_value
from .statuses import CLOSED_CODES, STATUSES
from .timeutil import now_utc, to_store
from .workdays import END_OF_WORKING_DAY, add_working_days, end_of_day, kyiv_date, to_kyiv, working_days_between

log = logging.getLogger(__name__)

STAGE_MODERATION = "moderation"
STAGE_ANSWER = "answer"
STAGE_PLANNED = "planned"
STAGE_CLOSED = "closed"
STAGE_UNKNOWN = "unknown"  # an external status code the plugin does not know: no deadline

MODERATION_CODES = ("for_triage", "investigating")
ANSWER_CODES = ("action_scheduled", "in_progress")
PLANNED_CODES = ("planned",)

GENERAL_SECTION = "general"
DEFAULTS_SECTION = "defaults"
CATEGORY_PREFIX = "category:"


@dataclass(frozen=True)
class Terms:
    """The terms of one category (or the defaults)."""

    moderation_working_days: int = 1
    answer_working_days: int = 10
    extension_max_calendar_days: int = 30


TERM_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Terms))
GENERAL_KEYS: tuple[str, ...] = ("end_of_working_day",)


@dataclass(frozen=True)
class Procedure:
    """Default terms, per-category overrides and the end of the working day."""

    defaults: Terms = field(default_factory=Terms)
    categories: Mapping[str, Terms] = field(default_factory=dict)
    end_of_working_day: time = END_OF_WORKING_DAY
    path: Path | None = None

    def terms_for(self, service_code: str | None) -> Terms:
        """The terms of a category: its section merged over ``[defaults]``."""
        if service_code and service_code in self.categories:
            return self.categories[service_code]
        return self.defaults


class ProcedureError(Exception):
    """The Procedure file cannot be used; the message names the file, the line and the problem."""

    def __init__(self, path: str | Path, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        if line is None:
            message = tr("Procedure file {file}: {problem}").format(file=self.path, problem=problem)
        else:
            message = tr("Procedure file {file}, line {line}: {problem}").format(
                file=self.path, line=line, problem=problem
            )
        super().__init__(message)


# --------------------------------------------------------------------------- the file

_INLINE_COMMENT = re.compile(r"\s+[;#].*$")
_INTEGER = re.compile(r"[+-]?\d+")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def default_procedure_path() -> Path:
    """``resources/procedure.ini`` of the plugin."""
    return resource("procedure.ini")


def load_procedure(path: str | Path | None = None) -> Procedure:
    """Read and check a Procedure file (the plugin's own by default); raises :class:`ProcedureError`."""
    file = Path(path) if path is not None else default_procedure_path()
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ProcedureError(file, None, tr("cannot be read ({reason})").format(reason=exc.strerror or exc)) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ProcedureError(file, line, tr("the file is not UTF-8 text")) from exc
    return parse_procedure(text, file)


def parse_procedure(text: str, path: str | Path = "<text>") -> Procedure:
    """Parse the text of a Procedure file; ``path`` only names it in error messages."""
    general: dict[str, Any] = {}
    defaults: dict[str, int] = {}
    categories: dict[str, dict[str, int]] = {}
    seen_sections: set[str] = set()
    section: str | None = None  # "general", "defaults" or "category:<code>"
    values: dict[str, Any] | None = None

    def fail(line_no: int, problem: str) -> ProcedureError:
        return ProcedureError(path, line_no, problem)

    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise fail(line_no, tr("a section name must be closed by «]»"))
            name = line[1:-1].strip()
            lowered = name.lower()
            if lowered in (GENERAL_SECTION, DEFAULTS_SECTION):
                section = lowered
                values = general if lowered == GENERAL_SECTION else defaults
            elif lowered.startswith(CATEGORY_PREFIX):
                code = name[len(CATEGORY_PREFIX) :].strip()
                if not code:
                    raise fail(line_no, tr("the section [category:…] needs a category code after the colon"))
                section = CATEGORY_PREFIX + code
                values = categories.setdefault(code, {})
            else:
                raise fail(
                    line_no,
                    tr("unknown section [{section}]; expected [general], [defaults] or [category:<code>]").format(
                        section=name
                    ),
                )
            if section in seen_sections:
                raise fail(line_no, tr("the section [{section}] appears twice").format(section=section))
            seen_sections.add(section)
            continue
        if "=" not in line:
            raise fail(line_no, tr("expected «key = value», found «{text}»").format(text=line))
        key, value = (part.strip() for part in line.split("=", 1))
        key = key.lower()
        value = _INLINE_COMMENT.sub("", value).strip()
        if section is None or values is None:
            raise fail(line_no, tr("the key «{key}» comes before any [section]").format(key=key))
        allowed = GENERAL_KEYS if section == GENERAL_SECTION else TERM_KEYS
        if key not in allowed:
            raise fail(
                line_no,
                tr("unknown key «{key}» in [{section}]; expected one of: {keys}").format(
                    key=key, section=section, keys=", ".join(allowed)
                ),
            )
        if key in values:
            raise fail(line_no, tr("the key «{key}» appears twice in [{section}]").format(key=key, section=section))
        if not value:
            raise fail(line_no, tr("the key «{key}» has no value").format(key=key))
        if key == "end_of_working_day":
            values[key] = _parse_time(value, key, line_no, fail)
        else:
            values[key] = _parse_days(value, key, line_no, fail)

    base = replace(Terms(), **defaults)
    return Procedure(
        defaults=base,
        categories={code: replace(base, **over) for code, over in categories.items()},
        end_of_working_day=general.get("end_of_working_day", END_OF_WORKING_DAY),
        path=Path(path) if not str(path).startswith("<") else None,
    )


def _parse_days(value: str, key: str, line_no: int, fail: Any) -> int:
    if not _INTEGER.fullmatch(value):
        raise fail(
            line_no, tr("the value of «{key}» is not a whole number of days: «{value}»").format(key=key, value=value)
        )
    number = int(value)
    if number < 0:
        raise fail(line_no, tr("the value of «{key}» must not be negative: {value}").format(key=key, value=number))
    return number


def _parse_time(value: str, key: str, line_no: int, fail: Any) -> time:
    match = _TIME.fullmatch(value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise fail(
            line_no, tr("the value of «{key}» is not a time HH:MM (e.g. 18:00): «{value}»").format(key=key, value=value)
        )
    return time(int(match.group(1)), int(match.group(2)))


_cache: dict[Path, tuple[int, Procedure]] = {}


def cached_procedure(path: str | Path | None = None) -> Procedure:
    """:func:`load_procedure`, read again only when the file changed (by modification time)."""
    file = Path(path) if path is not None else default_procedure_path()
    try:
        mtime = file.stat().st_mtime_ns
    except OSError:
        return load_procedure(file)  # raises the ProcedureError naming the file
    hit = _cache.get(file)
    if hit and hit[0] == mtime:
        return hit[1]
    procedure = load_procedure(file)
    _cache[file] = (mtime, procedure)
    return procedure


# --------------------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class Deadline:
    """The current stage of a report and when it is due (``None``: no deadline)."""

    stage: str
    due: datetime | None
    start: datetime | None = None  # the moment the stage's term counts from

    @property
    def label(self) -> str:
        return stage_label(self.stage)

    def is_overdue(self, now: datetime | None = None) -> bool:
        return is_overdue(self.due, now)

    def working_days_left(self, now: datetime | None = None) -> int | None:
        """Working days left (negative: late); ``None`` without a deadline."""
        return None if self.due is None else working_days_left(self.due, now)


def stage_label(stage: str) -> str:
    """Translated name of a stage."""
    labels = {
        STAGE_MODERATION: tr("Moderation"),
        STAGE_ANSWER: tr("Department's answer"),
        STAGE_PLANNED: tr("Planned date"),
        STAGE_CLOSED: tr("Closed"),
        STAGE_UNKNOWN: tr("Unknown status"),
    }
    return labels.get(stage, stage)


def working_days_left(due: datetime, now: datetime | None = None) -> int:
    """Working days left until ``due``; negative when late.

    Not late: the working days in the Kyiv dates ``(now, due]`` (0 on the due day itself).
    Late (``now > due``): minus the working days in ``(due, now]``, at least -1, so the value is
    negative exactly when the report is overdue.
    """
    now = now or now_utc()
    due, now = to_kyiv(due), to_kyiv(now)
    if now <= due:
        return working_days_between(now, due)
    return min(-1, -working_days_between(due, now))


# --------------------------------------------------------------------------- the overdue rule
# A report is overdue when its status is open and its deadline has passed. This is the one place that
# says so: the Python predicates below, and the SQL condition and QGIS expression built from the same
# template (the layer style, the dock counts, the message bar and the filters use those).

OVERDUE_STATUS = "open"
# {deadline} and {now}: the deadline column and the current time as the SQL or the expression compares them
_OVERDUE_RULE = '"status" = \'{status}\' AND "deadline" IS NOT NULL AND {deadline} < {now}'


def is_overdue(due: datetime | None, now: datetime | None = None) -> bool:
    """True when there is a deadline and it has passed."""
    if due is None:
        return False
    return to_kyiv(now or now_utc()) > to_kyiv(due)


def report_is_overdue(report: Any, now: datetime | None = None) -> bool:
    """The overdue rule on one report (a mapping, a ``QgsFeature`` of the reports layer or an object)."""
    if as_text(get_value(report, "status")) != OVERDUE_STATUS:
        return False
    return is_overdue(as_datetime(get_value(report, "deadline")), now)


def overdue_where(now: datetime | None = None) -> str:
    """The overdue rule as an SQL condition on the ``reports`` table (SQLite/GeoPackage and PostgreSQL),
    with ``now`` (default: the current time) written in as the store's UTC text."""
    now_text = sql_literal(to_store(now or now_utc()))
    return _OVERDUE_RULE.format(status=OVERDUE_STATUS, deadline='"deadline"', now=now_text)


def overdue_expression(stamps_read_as_local: bool = False) -> str:
    """The overdue rule as a QGIS expression on the reports layer (the style's "Overdue" rule).

    Instants are compared as epochs: QGIS compares a UTC datetime with the local ``now()`` by their
    wall clocks (off by the UTC offset on a Kyiv clock, seen on 3.22 and 3.40). ``stamps_read_as_local``:
    the layer shows the store's UTC stamps as local time (QGIS 3.22 on a GeoPackage,
    :meth:`Workspace.reads_utc_stamps_as_local`), so the deadline's wall clock is read back as UTC.
    """
    deadline = "to_datetime(to_string(\"deadline\") || 'Z')" if stamps_read_as_local else '"deadline"'
    return _OVERDUE_RULE.format(status=OVERDUE_STATUS, deadline=f"epoch({deadline})", now="epoch(now())")


def deadline_for(
    report: Any,
    procedure: Procedure | None = None,
    history: Iterable[Any] | None = None,
) -> Deadline:
    """The deadline of a report under the Procedure (the plugin's file when ``procedure`` is None).

    ``report`` is a mapping, a :class:`~core.model.ServiceRequest`-like object (values are also
    looked up in its ``extended`` dict) or a ``QgsFeature`` of the store's ``reports`` layer. It
    needs ``external_status_code`` (or ``status``), ``requested_datetime``, ``service_code`` and,
    after the assignment, ``assigned_datetime`` and ``expected_datetime``. Datetimes may be
    datetimes, ISO/store text or ``QDateTime``. ``history`` (or the report's ``history``) is a list
    of updates with ``external_status_code`` and ``updated_datetime``; the latest
    ``action_scheduled`` in it stands in for a missing ``assigned_datetime``.
    """
    procedure = procedure or cached_procedure()
    terms = procedure.terms_for(as_text(get_value(report, "service_code")))
    end = procedure.end_of_working_day
    code = (as_text(get_value(report, "external_status_code")) or "").lower()
    status = (as_text(get_value(report, "status")) or "").lower()

    if code in CLOSED_CODES or (status == "closed" and code not in STATUSES):
        return Deadline(STAGE_CLOSED, None)
    if not code:
        code = "for_triage"
    if code in MODERATION_CODES:
        start = as_datetime(get_value(report, "requested_datetime"))
        due = add_working_days(start, terms.moderation_working_days, end) if start else None
        return Deadline(STAGE_MODERATION, due, start)
    if code not in ANSWER_CODES + PLANNED_CODES:
        log.debug("No deadline for the unknown status %r", code)
        return Deadline(STAGE_UNKNOWN, None)

    assigned = _assignment_time(report, code, history)
    answer_due = add_working_days(assigned, terms.answer_working_days, end) if assigned else None
    if code in ANSWER_CODES:
        return Deadline(STAGE_ANSWER, answer_due, assigned)

    planned = as_datetime(get_value(report, "expected_datetime"))
    if planned is None:  # "planned" without a date is no valid extension
        return Deadline(STAGE_PLANNED, answer_due, assigned)
    planned = to_kyiv(planned)
    if planned.time() == time(0, 0):  # a bare date: the end of that day's work
        planned = end_of_day(planned.date(), end)
    if assigned is not None:
        cap = end_of_day(kyiv_date(assigned) + timedelta(days=terms.extension_max_calendar_days), end)
        planned = min(planned, cap)
    return Deadline(STAGE_PLANNED, planned, assigned)


def _assignment_time(report: Any, code: str, history: Iterable[Any] | None) -> datetime | None:
    """``assigned_datetime``; else the latest ``action_scheduled`` of the history; else a fallback.

    The fallback is ``updated_datetime`` while the report is still ``action_scheduled`` (that update
    was the assignment), else ``requested_datetime`` (the earliest possible, so never too lenient).
    """
    assigned = as_datetime(get_value(report, "assigned_datetime"))
    if assigned:
        return assigned
    entries = history if history is not None else get_value(report, "history")
    latest: datetime | None = None
    for entry in entries or ():
        if (as_text(get_value(entry, "external_status_code")) or "").lower() == "action_scheduled":
            when = as_datetime(get_value(entry, "updated_datetime"))
            if when and (latest is None or when > latest):
                latest = when
    if latest:
        return latest
    if code == "action_scheduled":
        updated = as_datetime(get_value(report, "updated_datetime"))
        if updated:
            return updated
    return as_datetime(get_value(report, "requested_datetime"))
