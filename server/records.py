"""Database rows -> wire records (Open311 field order, then the extensions)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .statuses import open311_status
from .timefmt import to_wire


def request_records(
    rows: Iterable[tuple], service_names: dict[str, str], extensions: bool, internal: bool = False
) -> list[dict[str, Any]]:
    """Rows selected with ``db.REQUEST_COLUMNS`` -> Open311 service requests; the staff's internal ``notes``
    only when ``internal`` (a caller with a key: never the anonymous public)."""
    records = []
    for (
        rid,
        code,
        status_notes,
        service_code,
        description,
        agency,
        notice,
        requested,
        updated,
        expected,
        address,
        lat,
        lon,
        media_url,
        district,
        duplicate_of,
        assigned,
        notes_json,
    ) in rows:
        record: dict[str, Any] = {
            "service_request_id": str(rid),
            "status": open311_status(code),
            "status_notes": status_notes,
            "service_name": service_names.get(service_code, service_code),
            "service_code": service_code,
            "description": description,
            "agency_responsible": agency,
            "service_notice": notice,
            "requested_datetime": to_wire(requested),
            "updated_datetime": to_wire(updated),
            "expected_datetime": to_wire(expected),
            "address": address,
            "lat": lat,
            "long": lon,
            "media_url": media_url,
        }
        if extensions:
            record["extended_attributes"] = {
                "external_status_code": code,
                "district": district,
                "duplicate_of": str(duplicate_of) if duplicate_of is not None else None,
                "assigned_datetime": to_wire(assigned),
            }
            if internal:
                record["extended_attributes"]["notes"] = json.loads(notes_json) if notes_json else []
        records.append(record)
    return records


def update_records(rows: Iterable[tuple]) -> list[dict[str, Any]]:
    """Rows selected with ``db.UPDATE_COLUMNS`` -> FixMyStreet-style service request updates."""
    return [
        {
            "update_id": update_id,
            "service_request_id": str(rid),
            "status": open311_status(code),
            "external_status_code": code,
            "updated_datetime": to_wire(updated),
            "description": description,
            "agency_responsible": agency,
            "media_url": media_url,
            "author": author,
        }
        for update_id, rid, code, updated, description, agency, media_url, author, _seq in rows
    ]
