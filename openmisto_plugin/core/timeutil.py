"""Datetimes: the store keeps UTC text ``YYYY-MM-DDTHH:MM:SS.sssZ`` (GeoPackage DATETIME)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    KYIV = ZoneInfo("Europe/Kyiv")
except ZoneInfoNotFoundError:  # tzdata older than 2022b
    KYIV = ZoneInfo("Europe/Kiev")


def now_utc() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def to_store(value: datetime | None) -> str | None:
    """Format an aware datetime for the store (naive ones are taken as Kyiv local time)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=KYIV)
    utc = value.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def from_store(text: str | None) -> datetime | None:
    """Parse a store datetime back into an aware UTC datetime."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def to_wire(value: datetime) -> str:
    """W3C datetime with offset for Open311 parameters (``2026-11-02T09:14:00+02:00``)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=KYIV)
    return value.isoformat(timespec="seconds")


def local(value: datetime | None) -> datetime | None:
    """The same instant in Kyiv time, for display."""
    return value.astimezone(KYIV) if value else None
