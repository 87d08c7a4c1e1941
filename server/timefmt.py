"""Datetimes of the server.

The database keeps UTC text ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (sorts in time order, compares as strings). The wire
carries W3C datetimes in Kyiv time with the offset (``2026-11-02T09:14:00+02:00``); the milliseconds are shown
only when they are not zero.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    KYIV = ZoneInfo("Europe/Kyiv")
except ZoneInfoNotFoundError:  # tzdata older than 2022b
    KYIV = ZoneInfo("Europe/Kiev")

UTC = timezone.utc
MILLISECOND = timedelta(milliseconds=1)


class BadDatetimeError(ValueError):
    """A parameter that is not a W3C datetime."""


def now_utc() -> datetime:
    """The current time, aware, UTC, truncated to milliseconds."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def to_db(value: datetime) -> str:
    """Aware datetime -> database text (naive values are taken as Kyiv time)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=KYIV)
    utc = value.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def from_db(text: str) -> datetime:
    """Database text -> aware UTC datetime."""
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


def to_wire(text: str | None) -> str | None:
    """Database text -> W3C datetime in Kyiv time (``None`` stays ``None``)."""
    if not text:
        return None
    local = datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC).astimezone(KYIV)
    if local.microsecond:
        return local.isoformat(timespec="milliseconds")
    return local.isoformat(timespec="seconds")


def parse_param(name: str, text: str) -> datetime:
    """Parse a W3C datetime parameter; a date alone means its midnight, no zone means Kyiv time.

    A ``+`` that arrived unencoded in a query string has become a space: it is put back.
    """
    candidate = text.strip()
    if " " in candidate and "T" in candidate:
        candidate = candidate.replace(" ", "+")
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        raise BadDatetimeError(f"{name} is not a W3C datetime (like 2026-11-02T09:14:00+02:00): {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=KYIV)
    return value


def param_to_db(name: str, text: str) -> str:
    """A datetime parameter in database form."""
    return to_db(parse_param(name, text))
