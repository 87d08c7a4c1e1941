"""Reports without a position ("Без координат"), for the dock's list and the map tool (issue 9).

A report the platform sent without a usable position is kept without geometry
(``position_flag = 'missing'``); one far outside the city is flagged ``far_outside``. Both wait
for the moderator to place them (core/positions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .i18n import tr
from .positions import FLAG_FAR, FLAG_MISSING, SOURCE_HAND, SOURCE_SWAP


@dataclass(frozen=True)
class UnplacedReport:
    """One report to place by hand."""

    fid: int
    service_request_id: str
    status: str | None
    external_status_code: str | None
    service_name: str | None
    address: str | None
    description: str | None
    position_flag: str
    position_note: str | None
    version: int | None


def unplaced_reports(store: Any, include_far: bool = True) -> list[UnplacedReport]:
    """Reports without a position (and, with ``include_far``, those far outside the city), newest first."""
    flags = (FLAG_MISSING, FLAG_FAR) if include_far else (FLAG_MISSING,)
    rows = store.query(
        "SELECT fid, service_request_id, status, external_status_code, service_name, address, description,"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        " position_flag, position_note, version FROM reports"
        f" WHERE position_flag IN ({', '.join('?' * len(flags))})"
        " ORDER BY position_flag DESC, requested_datetime DESC, fid DESC",
        flags,
    )
    return [
        UnplacedReport(
            fid=int(r["fid"]),
            service_request_id=str(r["service_request_id"]),
            status=r["status"],
            external_status_code=r["external_status_code"],
            service_name=r["service_name"],
            address=r["address"],
            description=r["description"],
            position_flag=r["position_flag"],
            position_note=r["position_note"],
            version=None if r["version"] is None else int(r["version"]),
        )
        for r in rows
    ]


def position_text(source: str | None, flag: str | None) -> str:
    """What the report card says about a position that is not simply the platform's (``""`` when it is)."""
    if source == SOURCE_HAND:
        return tr("placed by hand (kept in this workspace only; the platform has none)")
    if flag == FLAG_MISSING:
        return tr("none from the platform: place it from the «No position» tab")
    if flag == FLAG_FAR:
        return tr("far outside the city (left out of the map's extent)")
    if source == SOURCE_SWAP:
        return tr("the platform swapped latitude and longitude; repaired")
    return ""


def reason_label(flag: str | None, note: str | None) -> str:
    """Why a report is in the list, in the user's language (the platform's values stay in ``note``)."""
    note = note or ""
    if flag == FLAG_FAR:
        return tr("far outside the city")
    if "0,0" in note:
        return tr("position 0,0")
    if "not a number" in note:
        return tr("position is not a number")
    if "swapped" in note:
        return tr("lat/long swapped, outside the city")
    if "out of range" in note:
        return tr("position out of range")
    return tr("no position")
