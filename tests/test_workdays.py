"""Working days of Ukraine: weekends, holidays before 2022, martial law, transferred Saturdays."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone

import pytest

from openmisto_plugin.core import workdays
from openmisto_plugin.core.timeutil import KYIV
from openmisto_plugin.core.workdays import (
    add_working_days,
    is_holiday,
    is_working_day,
    next_working_day,
    working_days_between,
)


def kyiv(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=KYIV)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 8, 26), False),  # Saturday
        (date(2023, 8, 27), False),  # Sunday
        (date(2023, 8, 28), True),  # Monday
        (date(2021, 1, 7), False),  # Christmas, before martial law
        (date(2021, 1, 8), False),  # day off transferred from Saturday 2021-01-16
        (date(2021, 8, 24), False),  # Independence Day 2021
        (date(2021, 8, 23), False),  # day off transferred from Saturday 2021-08-28
        (date(2023, 8, 24), True),  # Independence Day under martial law: a working day
        (date(2024, 1, 1), True),  # New Year under martial law: a working day
        (date(2023, 12, 25), True),  # Christmas under martial law
    ],
)
def test_is_working_day(day: date, expected: bool) -> None:
    assert is_working_day(day) is expected


def test_transferred_saturday_is_a_working_day() -> None:
    assert is_working_day(date(2021, 1, 16))  # worked for the 2021-01-08 day off
    assert not is_working_day(date(2021, 1, 23))  # an ordinary Saturday


def test_holiday_and_datetime_inputs() -> None:
    assert is_holiday(date(2021, 8, 24))
    assert not is_holiday(date(2023, 8, 24))
    # 2023-08-25 22:30 UTC is already Saturday in Kyiv
    assert not is_working_day(datetime(2023, 8, 25, 22, 30, tzinfo=timezone.utc))
    assert is_working_day(datetime(2023, 8, 25, 20, 30, tzinfo=timezone.utc))
    assert next_working_day(date(2023, 9, 1)) == date(2023, 9, 4)


def test_friday_plus_one_is_monday_evening() -> None:
    assert add_working_days(kyiv(2023, 9, 1, 10, 0), 1) == kyiv(2023, 9, 4, 18, 0)


def test_start_day_never_counts_whatever_the_hour() -> None:
    assert add_working_days(kyiv(2023, 9, 4, 0, 1), 1) == kyiv(2023, 9, 5, 18, 0)
    assert add_working_days(kyiv(2023, 9, 4, 23, 59), 1) == kyiv(2023, 9, 5, 18, 0)
    # Sunday 22:30 UTC is Monday 01:30 in Kyiv: Monday is the start day
    assert add_working_days(datetime(2023, 9, 3, 22, 30, tzinfo=timezone.utc), 1) == kyiv(2023, 9, 5, 18, 0)


def test_weekend_start() -> None:
    assert add_working_days(kyiv(2023, 9, 2, 12), 1) == kyiv(2023, 9, 4, 18)
    assert add_working_days(kyiv(2023, 9, 3, 12), 1) == kyiv(2023, 9, 4, 18)


def test_pre_2022_holidays_are_skipped() -> None:
    # Friday 2021-08-20: Mon 23rd transferred day off, Tue 24th Independence Day
    assert add_working_days(kyiv(2021, 8, 20, 9), 1) == kyiv(2021, 8, 25, 18)
    # Wednesday 2021-01-06: 7th Christmas, 8th day off, 9-10 weekend
    assert add_working_days(kyiv(2021, 1, 6, 9), 1) == kyiv(2021, 1, 11, 18)


def test_martial_law_holiday_counts() -> None:
    assert add_working_days(kyiv(2023, 8, 23, 9), 1) == kyiv(2023, 8, 24, 18)
    assert add_working_days(kyiv(2023, 12, 29, 9), 1) == kyiv(2024, 1, 1, 18)


def test_ten_working_days_from_friday() -> None:
    assert add_working_days(kyiv(2023, 9, 1, 16), 10) == kyiv(2023, 9, 15, 18)


def test_zero_and_negative() -> None:
    assert add_working_days(kyiv(2023, 9, 4, 9), 0) == kyiv(2023, 9, 4, 18)
    assert add_working_days(kyiv(2023, 9, 2, 9), 0) == kyiv(2023, 9, 4, 18)
    with pytest.raises(ValueError):
        add_working_days(kyiv(2023, 9, 4), -1)


def test_naive_start_is_kyiv_time_and_result_is_aware() -> None:
    result = add_working_days(datetime(2023, 9, 1, 23, 30), 1)
    assert result == kyiv(2023, 9, 4, 18)
    assert result.utcoffset() == timedelta(hours=3)  # summer time


def test_working_days_between_is_signed() -> None:
    fri, mon = kyiv(2023, 9, 1, 10), kyiv(2023, 9, 4, 10)
    assert working_days_between(fri, mon) == 1
    assert working_days_between(mon, fri) == -1
    assert working_days_between(fri, fri + timedelta(hours=5)) == 0
    assert working_days_between(kyiv(2021, 8, 20), kyiv(2021, 8, 27)) == 3  # 25, 26, 27
    assert working_days_between(date(2023, 9, 2), date(2023, 9, 3)) == 0


@pytest.mark.parametrize("start", [kyiv(2021, 1, 1, 9), kyiv(2021, 8, 20, 17), kyiv(2023, 12, 30, 9)])
def test_between_inverts_add(start: datetime) -> None:
    for n in range(1, 25):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_fallback_without_holidays(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(workdays, "_holidays", None)
    monkeypatch.setattr(workdays, "_warned", False)
    workdays.clear_cache()
    try:
        with caplog.at_level(logging.WARNING, logger=workdays.__name__):
            assert is_working_day(date(2021, 1, 7))  # a Thursday: only weekends are off
            assert is_working_day(date(2022, 1, 7))
            assert not is_working_day(date(2021, 1, 9))
        warnings = [r for r in caplog.records if "holidays" in r.getMessage()]
        assert len(warnings) == 1
    finally:
        monkeypatch.undo()
        workdays.clear_cache()
    assert not is_working_day(date(2021, 1, 7))


def test_years_are_cached() -> None:
    workdays.clear_cache()
    for offset in range(400):
        is_working_day(date(2023, 1, 1) + timedelta(days=offset))
    assert workdays._year.cache_info().misses == 2  # 2023 and 2024


def test_between_matches_a_day_by_day_count() -> None:
    def slow(a: date, b: date) -> int:
        sign, (lo, hi) = (1, (a, b)) if a <= b else (-1, (b, a))
        days = (hi - lo).days
        return sign * sum(is_working_day(lo + timedelta(days=k)) for k in range(1, days + 1))

    pairs = [
        (date(2020, 12, 31), date(2021, 1, 1)),
        (date(2021, 1, 1), date(2021, 12, 31)),
        (date(2020, 6, 15), date(2024, 3, 1)),
        (date(2024, 3, 1), date(2020, 6, 15)),
        (date(2021, 12, 31), date(2022, 1, 3)),
        (date(2023, 5, 5), date(2023, 5, 5)),
    ]
    for a, b in pairs:
        assert working_days_between(a, b) == slow(a, b), (a, b)
