"""Tolerant access to a report's fields, whatever carries it.

A report may be a mapping (a store row), a :class:`~core.model.ServiceRequest`-like object
(then its ``extended`` dict is looked at too) or a ``QgsFeature`` of the ``reports`` layer;
datetimes may be datetimes, ISO/store text or ``QDateTime``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .timeutil import parse_reason

log = logging.getLogger(__name__)


def get_value(obj: Any, name: str) -> Any:
    """A value by name from a mapping, a QgsFeature or an object (then its ``extended`` dict)."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        value = obj.get(name)
        if value is None and isinstance(obj.get("extended"), Mapping):
            value = obj["extended"].get(name)
        return _null_to_none(value)
    fields_method = getattr(obj, "fields", None)
    if callable(fields_method) and hasattr(obj, "attribute"):  # QgsFeature
        index = fields_method().indexOf(name)
        return _null_to_none(obj.attribute(index)) if index >= 0 else None
    value = getattr(obj, name, None)
    if value is None:
        extended = getattr(obj, "extended", None)
        if isinstance(extended, Mapping):
            value = extended.get(name)
    return _null_to_none(value)


def _null_to_none(value: Any) -> Any:
    is_null = getattr(value, "isNull", None)
    if callable(is_null) and not hasattr(value, "toPyDateTime"):  # a NULL QVariant
        try:
            return None if is_null() else value
        except TypeError:
            return value
    return value


def as_text(value: Any) -> str | None:
    """Stripped text of a value; None when empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def as_datetime(value: Any) -> datetime | None:
    """An aware datetime from a datetime (naive = Kyiv), ISO/store text or a ``QDateTime``."""
    when, reason = parse_reason(value)
    if reason:
        log.debug("%s", reason)
    return when
