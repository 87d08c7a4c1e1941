"""Plain data classes shared by the client, the store and the sync."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class ServiceRequest:
    """One citizen report as the platform sends it (Open311 fields + extensions).

    Datetimes are timezone-aware; ``status`` is ``open``/``closed``;
    ``external_status_code`` carries the detail of DESIGN.md §4.
    ``lat``/``long`` are ``None`` when the platform gave no usable position (``position_flag``
    ``missing``, the reason in ``position_note``; see ``core/positions.py``).
    """

    service_request_id: str
    lat: float | None
    long: float | None
    status: str = "open"
    external_status_code: str | None = None
    service_code: str | None = None
    service_name: str | None = None
    description: str | None = None
    agency_responsible: str | None = None
    service_notice: str | None = None
    status_notes: str | None = None
    requested_datetime: datetime | None = None
    updated_datetime: datetime | None = None
    expected_datetime: datetime | None = None
    address: str | None = None
    media_url: str | None = None
    district: str | None = None
    duplicate_of: str | None = None
    extended: dict[str, Any] = field(default_factory=dict)
    # When the report was last assigned to a department (the platform's ``assigned_datetime``
    # extension); ``None`` when the platform does not send it (the store then takes the latest
    # ``action_scheduled`` of the history).
    assigned_datetime: datetime | None = None
    # Where the position comes from ("platform", "repaired_swap"; ``None``: "platform" when there is one),
    # what is wrong with it ("missing", "far_outside" or ``None``) and why (core/positions.py).
    position_source: str | None = None
    position_flag: str | None = None
    position_note: str | None = None


@dataclass
class Service:
    """One category (Open311 service)."""

    service_code: str
    service_name: str
    description: str | None = None
    group: str | None = None
    keywords: str | None = None
    type: str | None = None
    metadata: bool = False


@dataclass
class RequestUpdate:
    """One entry of a report's history (FixMyStreet ``servicerequestupdates``)."""

    update_id: str
    service_request_id: str
    updated_datetime: datetime | None
    status: str | None = None
    external_status_code: str | None = None
    description: str | None = None
    agency_responsible: str | None = None
    media_url: str | None = None


@dataclass
class SkippedRecord:
    """A record the parser could not use, and why (kept for the user's report)."""

    record_id: str | None
    reason: str


@dataclass
class ParsedPage:
    """What one page of a response gave: the good records and the skipped ones."""

    requests: list[ServiceRequest] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    next_page_url: str | None = None
    total_count: int | None = None

    @property
    def without_position(self) -> list[ServiceRequest]:
        """Reports kept although the platform gave no usable position (placeable by hand)."""
        return [r for r in self.requests if r.lat is None]
