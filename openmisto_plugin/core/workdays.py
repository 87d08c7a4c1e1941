"""Working days of Ukraine (DESIGN.md §5): Monday–Friday less public holidays.

Holidays come from the ``holidays`` package (``country_holidays("UA")``). It already
knows that under martial law (since 2022-02-24) public holidays are not days off, and it
lists the Saturdays that were made working days by a transfer (e.g. 2021-01-16); those
count as working days here. Without a usable package (missing, or a copy that fails to
import or to answer with any exception: a release built for a newer Python raises
``TypeError`` on an old one), only weekends are days off, one warning is logged and
:func:`holidays_problem` says why; the plugin never fails because of it.

All dates are Kyiv dates: an aware datetime is converted to Europe/Kyiv first, a naive
one is taken as Kyiv local time (as :func:`core.timeutil.to_store` does).

Rules (see docs/procedure.md):

* ``add_working_days(start, n)``: the day of ``start`` never counts, whatever its time;
  the result is the ``n``-th working day after it, at the end of the working day
  (18:00 Kyiv). ``n == 0`` gives the end of the start day when it is a working day,
  else the end of the next working day.
* ``working_days_between(a, b)``: the working days in the Kyiv dates ``(a, b]``
  (negative when ``b`` is before ``a``), so
  ``working_days_between(s, add_working_days(s, n)) == n`` for ``n >= 1``.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from datetime import MAXYEAR, date, datetime, time, timedelta
from functools import lru_cache

from .timeutil import KYIV, parse

log = logging.getLogger(__name__)

END_OF_WORKING_DAY = time(18, 0)
"""Default end of the working day (Kyiv time): the moment a deadline expires."""

COUNTRY = "UA"

_problem = ""
try:  # the plugin zip carries it in ext_libs; QGIS's Python usually lacks it
    import holidays as _holidays
except Exception as exc:  # noqa: BLE001 - any failure of a vendored library only degrades the calendar
    _holidays = None
    _problem = f"{type(exc).__name__}: {exc}"

_warned = False


def holidays_available() -> bool:
    """True when the ``holidays`` package could be imported (and has not failed since)."""
    return _holidays is not None


def holidays_problem() -> str:
    """Why public holidays are not known (``""`` when they are): the exception the package raised."""
    if _holidays is not None:
        return ""
    return _problem or "ModuleNotFoundError: No module named 'holidays'"


def _warn_once() -> None:
    global _warned
    if not _warned:
        _warned = True
        log.warning(
            "The 'holidays' package cannot be used (%s): only Saturdays and Sundays are treated as days off.",
            holidays_problem(),
        )


@lru_cache(maxsize=64)
def _year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """``(days off that fall on weekdays or weekends, Saturdays/Sundays that are working days)`` of ``year``."""
    global _holidays, _problem
    if _holidays is None:
        _warn_once()
        return frozenset(), frozenset()
    try:
        calendar = _holidays.country_holidays(COUNTRY, years=year)
    except Exception as exc:  # noqa: BLE001 - an incompatible copy may import and fail only here
        _holidays, _problem = None, f"{type(exc).__name__}: {exc}"
        _warn_once()
        return frozenset(), frozenset()
    days_off = frozenset(d for d in calendar if d.year == year)
    weekend_workdays = frozenset(d for d in getattr(calendar, "weekend_workdays", ()) if d.year == year)
    return days_off, weekend_workdays


def clear_cache() -> None:
    """Forget the cached years and the working-day table (for tests)."""
    global _table
    _year.cache_clear()
    _cumulative.cache_clear()
    _table = _EMPTY_TABLE


def kyiv_date(value: date | datetime) -> date:
    """The Kyiv calendar date of a date or datetime (naive datetimes are Kyiv time)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(KYIV)
        return value.date()
    return value


def to_kyiv(value: datetime) -> datetime:
    """An aware datetime in Kyiv time (naive ones are taken as Kyiv local time)."""
    if value.tzinfo is None:
        return parse(value)  # naive = Kyiv, as everywhere
    return value.astimezone(KYIV)


def is_holiday(day: date | datetime) -> bool:
    """True when the day is a Ukrainian public day off (not counting ordinary weekends)."""
    d = kyiv_date(day)
    return d in _year(d.year)[0]


def is_working_day(day: date | datetime) -> bool:
    """Monday–Friday (or a transferred working Saturday) that is not a public day off."""
    d = kyiv_date(day)
    days_off, weekend_workdays = _year(d.year)
    if d in days_off:
        return False
    return d.weekday() < 5 or d in weekend_workdays


def next_working_day(day: date | datetime) -> date:
    """The first working day strictly after ``day``."""
    return _nth_working_day_after(kyiv_date(day), 1)


def end_of_day(day: date, end: time = END_OF_WORKING_DAY) -> datetime:
    """``day`` at ``end`` o'clock, Kyiv time, aware."""
    return datetime.combine(day, end, tzinfo=KYIV)


def add_working_days(start: datetime, n: int, end: time = END_OF_WORKING_DAY) -> datetime:
    """Deadline ``n`` whole working days after ``start``: that working day at ``end`` (18:00 Kyiv).

    The start day itself never counts. A report received on Friday with ``n = 1`` is due on
    Monday at 18:00 (Tuesday when Monday is a day off). ``n = 0`` means the end of the start
    day, or of the next working day when the start day is not one.
    """
    if n < 0:
        raise ValueError(f"n must not be negative: {n}")
    d = kyiv_date(start)
    if n == 0:
        return end_of_day(d if is_working_day(d) else next_working_day(d), end)
    return end_of_day(_nth_working_day_after(d, n), end)


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    """Working days in the Kyiv dates ``(a, b]``; negative when ``b`` is before ``a``, 0 on the same date.

    O(1): the difference of two entries of the cumulative working-day table (see :func:`_table_for`).
    """
    da, db = kyiv_date(a), kyiv_date(b)
    oa, ob = da.toordinal(), db.toordinal()
    first, counts = _table
    ia, ib = oa - first, ob - first
    if not (0 <= ia < len(counts) and 0 <= ib < len(counts)):
        first, counts = _table_for(min(da.year, db.year), max(da.year, db.year))
        ia, ib = oa - first, ob - first
    return counts[ib] - counts[ia]


@lru_cache(maxsize=64)
def _cumulative(year: int) -> tuple[int, ...]:
    """Working days of ``year`` from 1 January up to each day of the year (inclusive)."""
    counts = []
    total = 0
    d = date(year, 1, 1)
    while d.year == year:
        total += is_working_day(d)
        counts.append(total)
        d += timedelta(days=1)
    return tuple(counts)


# The working-day table: ``(ordinal of 1 January of its first year, counts)`` where ``counts[i]`` is the
# number of working days from that 1 January up to the day ``first + i`` inclusive. It covers whole,
# consecutive years and grows (is rebuilt, then swapped in one assignment: safe for worker threads) when a
# date outside it is asked for. Only differences of two entries of one table mean anything.
_EMPTY_TABLE: tuple[int, tuple[int, ...]] = (0, ())
_table: tuple[int, tuple[int, ...]] = _EMPTY_TABLE


def _table_for(first_year: int, last_year: int) -> tuple[int, tuple[int, ...]]:
    """The table, grown to cover the years ``first_year`` … ``last_year``."""
    global _table
    first, counts = _table
    if counts:
        have_first = date.fromordinal(first).year
        have_last = date.fromordinal(first + len(counts) - 1).year
        if have_first <= first_year and last_year <= have_last:
            return _table
        first_year, last_year = min(first_year, have_first), max(last_year, have_last)
    built: list[int] = []
    total = 0
    for year in range(first_year, last_year + 1):
        year_counts = _cumulative(year)
        built.extend(total + c for c in year_counts)
        total += year_counts[-1]
    _table = (date(first_year, 1, 1).toordinal(), tuple(built))
    return _table


def _nth_working_day_after(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (``n >= 1``): a binary search in the working-day table."""
    year = day.year
    span = 1 + n // 240  # years that surely hold n working days after ``day``
    while True:
        first, counts = _table_for(year, min(year + span, MAXYEAR))
        i = day.toordinal() - first
        want = counts[i] + n
        j = bisect_left(counts, want, i + 1)
        if j < len(counts):
            return date.fromordinal(first + j)
        if year + span >= MAXYEAR:
            raise OverflowError(f"no {n}-th working day after {day}")
        span *= 2
