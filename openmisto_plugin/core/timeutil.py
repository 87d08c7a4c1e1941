"""Datetimes, the one place they are read and written.

One convention everywhere: a datetime without a zone (naive ``datetime``, text without an offset) is
Europe/Kyiv wall-clock time, summer time included (a ``QDateTime`` carries its own zone). The store keeps UTC
text ``YYYY-MM-DDTHH:MM:SS.sssZ`` (GeoPackage DATETIME); the wire uses W3C text with an offset.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    KYIV = ZoneInfo("Europe/Kyiv")
except ZoneInfoNotFoundError:  # tzdata older than 2022b
    KYIV = ZoneInfo("Europe/Kiev")

UTC = timezone.utc
DISPLAY_FORMAT = "%d.%m.%Y %H:%M"

# ``YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|UTC|+HH[[:]MM]]``: what platforms and people write
_DT_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$"
)
_EMPTY_WORDS = ("", "null", "none")


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


now_utc = now  # the older name, still used by callers


def _w3c_shape(text: str) -> bool:
    """``YYYY-MM-DDTHH:MM:SS[.mmm](Z|+HH:MM)``: shapes ``datetime.fromisoformat`` reads exactly like the
    regular expression (the common case: the store's own text and W3C wire text), so they take the quick way."""
    n = len(text)
    if n not in (20, 24, 25, 29) or text[4] != "-" or text[7] != "-" or text[10] != "T" or text[13] != ":":
        return False
    if text[16] != ":" or not text.isascii() or text[11:13] >= "24":
        return False  # hour 24: Python 3.14's fromisoformat reads it as the next midnight; refused here
    if n == 20:
        return text[19] == "Z"
    if n == 24:
        return text[19] == "." and text[23] == "Z"
    zone = 19 if n == 25 else 23
    # minutes of the offset below 60: fromisoformat would carry "+02:60" over to 03:00
    return (n == 25 or text[19] == ".") and text[zone] in "+-" and text[zone + 3] == ":" and text[zone + 4] < "6"


def _parse_text(text: str) -> tuple[datetime | None, str]:
    if _w3c_shape(text):
        try:
            return datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] == "Z" else text), ""
        except ValueError as exc:
            return None, f"not a datetime: {text!r} ({exc})"
    match = _DT_RE.match(text)
    if not match:
        return None, f"not a datetime: {text!r}"
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        naive = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro)
    except ValueError as exc:  # 2026-13-45
        return None, f"not a datetime: {text!r} ({exc})"
    if not zone:
        return naive.replace(tzinfo=KYIV), ""
    if zone in ("Z", "z", "UTC"):
        return naive.replace(tzinfo=UTC), ""
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        return None, f"bad time zone offset in {text!r}"
    return naive.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes))), ""


def _parse_qdatetime(value: Any) -> tuple[datetime | None, str]:
    if value.isNull() or not value.isValid():
        return None, ""
    # the instant Qt gives it (a QDateTime always has a zone: UTC, an offset, or the system's local time).
    # QGIS 3.22 reads GeoPackage DATETIME "...Z" as *local* time holding the UTC clock: right only on a
    # computer set to UTC; later QGIS versions keep the UTC zone.
    return datetime.fromtimestamp(value.toMSecsSinceEpoch() / 1000.0, tz=UTC), ""


def parse_reason(value: Any) -> tuple[datetime | None, str]:
    """:func:`parse`, with the reason when a non-empty value is not a datetime (``""`` otherwise)."""
    if value is None:
        return None, ""
    if isinstance(value, datetime):
        return (value if value.tzinfo is not None else value.replace(tzinfo=KYIV)), ""
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=KYIV), ""
    if hasattr(value, "toMSecsSinceEpoch"):  # QDateTime
        return _parse_qdatetime(value)
    if hasattr(value, "isNull") and value.isNull():  # QVariant NULL
        return None, ""
    text = str(value).strip()
    if text.lower() in _EMPTY_WORDS:
        return None, ""
    return _parse_text(text)


def parse(value: Any) -> datetime | None:
    """An aware datetime from text (store, W3C, ``YYYY-MM-DD HH:MM``, a date alone), a ``datetime``, a
    ``date`` (midnight) or a ``QDateTime``; naive means Kyiv time. ``None`` when empty or unreadable."""
    return parse_reason(value)[0]


def parse_day(value: Any) -> date | None:
    """The calendar day of a value: a ``date`` as is, ``YYYY-MM-DD`` text as written, a moment in Kyiv."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if hasattr(value, "toPyDate") and not hasattr(value, "toMSecsSinceEpoch"):  # QDate
        return value.toPyDate()
    if isinstance(value, str) and len(value.strip()) == 10:
        moment = parse(value.strip())
        return moment.date() if moment is not None else None
    moment = parse(value)
    return moment.astimezone(KYIV).date() if moment is not None else None


def to_store(value: datetime | None) -> str | None:
    """Format an aware datetime for the store (naive ones are taken as Kyiv local time)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=KYIV)
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def from_store(text: str | None) -> datetime | None:
    """Parse a store datetime (or any text :func:`parse` reads) into an aware datetime."""
    return parse(text)


def to_wire(value: datetime) -> str:
    """W3C datetime with offset for Open311 parameters (``2026-11-02T09:14:00+02:00``)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=KYIV)
    return value.isoformat(timespec="seconds")


def local(value: datetime | None) -> datetime | None:
    """The same instant in Kyiv time, for display."""
    return value.astimezone(KYIV) if value else None


def to_display(value: Any, fmt: str = DISPLAY_FORMAT) -> str:
    """A moment as Kyiv wall-clock text (``DD.MM.YYYY HH:MM``); ``""`` when empty or unreadable."""
    moment = parse(value)
    return moment.astimezone(KYIV).strftime(fmt) if moment is not None else ""
