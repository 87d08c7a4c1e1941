"""The periods the figures are counted in: half-open intervals of time, a calendar month of Kyiv time or days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..timeutil import KYIV, parse


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else parse(value)  # naive = Kyiv, as everywhere


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
