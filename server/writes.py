"""The two writing calls: a citizen's ``POST requests`` and the staff's ``POST servicerequestupdates``.

Both run inside ``BEGIN IMMEDIATE`` under the caller's lock, so that check-then-write is atomic.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime, timedelta
from typing import Any

from . import pokrov_data
from .auth import Principal
from .errors import ApiError
from .statuses import MODERATOR_CODES, OFFICER_CODES, STATUS_CODES, open311_status
from .timefmt import MILLISECOND, BadDatetimeError, from_db, parse_param, to_db, to_wire

MAX_DESCRIPTION = 4000
ASSIGNMENT_TERM = timedelta(days=14)  # the platform's own expected_datetime after an assignment


def _text(form: dict[str, str], name: str) -> str | None:
    value = form.get(name, "").strip()
    return value or None


def _checked_description(form: dict[str, str]) -> str | None:
    description = _text(form, "description")
    if description and len(description) > MAX_DESCRIPTION:
        raise ApiError(400, f"description is {len(description)} characters long; at most {MAX_DESCRIPTION} allowed.")
    return description


def _checked_media_url(form: dict[str, str]) -> str | None:
    media_url = _text(form, "media_url")
    if media_url and not media_url.startswith(("http://", "https://")):
        raise ApiError(400, "media_url must be an http:// or https:// address.")
    return media_url


def _datetime(form: dict[str, str], name: str) -> datetime | None:
    text = _text(form, name)
    if text is None:
        return None
    try:
        return parse_param(name, text)
    except BadDatetimeError as error:
        raise ApiError(400, str(error)) from None


def _contains(ring: list[list[float]], lon: float, lat: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def district_at(conn: sqlite3.Connection, lat: float, lon: float) -> str | None:
    for code, ring_json in conn.execute("SELECT code, ring_json FROM districts ORDER BY sort"):
        if _contains(json.loads(ring_json), lon, lat):
            return code
    return None


def submit_request(conn: sqlite3.Connection, form: dict[str, str], now: datetime) -> list[dict[str, Any]]:
    """A citizen's report: validated, stored as ``for_triage``, answered with its new id."""
    service_code = _text(form, "service_code")
    if not service_code:
        raise ApiError(400, "service_code is required.")
    if conn.execute("SELECT 1 FROM services WHERE service_code = ?", (service_code,)).fetchone() is None:
        raise ApiError(400, f"Unknown service_code {service_code!r}; see services.json.")
    lat_text, lon_text, address = _text(form, "lat"), _text(form, "long"), _text(form, "address_string")
    lat = lon = None
    if lat_text or lon_text:
        try:
            lat, lon = float(lat_text or ""), float(lon_text or "")
        except ValueError:
            raise ApiError(400, "lat and long must both be numbers.") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ApiError(400, "lat must be within -90..90 and long within -180..180.")
    elif not address:
        raise ApiError(400, "A location is required: lat and long, or address_string.")
    description = _checked_description(form)
    media_url = _checked_media_url(form)
    stamp = to_db(now)
    district = district_at(conn, lat, lon) if lat is not None else None
    cursor = conn.execute(
        "INSERT INTO requests (service_code, external_status_code, description, service_notice, requested_utc, "
        "updated_utc, address, lat, long, media_url, district, contact_first_name, contact_last_name, "
        "contact_email, contact_phone) VALUES (?, 'for_triage', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            service_code,
            description,
            pokrov_data.SERVICE_NOTICE,
            stamp,
            stamp,
            address,
            lat,
            lon,
            media_url,
            district,
            _text(form, "first_name"),
            _text(form, "last_name"),
            _text(form, "email"),
            _text(form, "phone"),
        ),
    )
    request_id = cursor.lastrowid
    conn.execute(
        "INSERT INTO updates (update_id, service_request_id, external_status_code, description, updated_utc, "
        "client_utc, author, origin) VALUES (?, ?, 'for_triage', ?, ?, ?, 'platform', 'citizen')",
        (str(uuid.uuid4()), request_id, pokrov_data.RECEIVED_TEXT, stamp, stamp),
    )
    return [{"service_request_id": str(request_id), "service_notice": pokrov_data.SERVICE_NOTICE, "account_id": None}]


def earlier_result(
    conn: sqlite3.Connection, update_id: str, principal: Principal, id_text: str | None
) -> list[dict[str, Any]] | None:
    """The answer given the first time this ``update_id`` was applied, if it was, checked against who asks:
    only the same caller, about the same report, gets it again (an ``update_id`` is no key to others' answers)."""
    row = conn.execute(
        "SELECT result_json, author, service_request_id FROM updates WHERE update_id = ? AND origin = 'api'"
        " ORDER BY seq LIMIT 1",
        (update_id,),
    ).fetchone()
    if row is None:
        return None
    result_json, author, request_id = row
    if author != principal.name:
        raise ApiError(403, "This update_id belongs to an update made by someone else.")
    if id_text is not None and id_text != str(request_id):
        raise ApiError(409, "This update_id was already used for another report.")
    return json.loads(result_json)


def _new_status(form: dict[str, str], current: str) -> str | None:
    """The external status code the update sets, or ``None`` when it keeps the current one."""
    code = (_text(form, "external_status_code") or "").lower() or None
    state = (_text(form, "status") or "").lower() or None
    if state and state not in ("open", "closed"):
        if state not in STATUS_CODES:
            raise ApiError(400, f"status must be open or closed, not {state!r}.")
        if code and code != state:
            raise ApiError(400, f"status {state!r} contradicts external_status_code {code!r}.")
        code, state = state, None  # FixMyStreet style: the detailed code sent as status
    if code and code not in STATUS_CODES:
        raise ApiError(400, f"Unknown external_status_code {code!r}; known: {', '.join(STATUS_CODES)}.")
    if code and state and open311_status(code) != state:
        raise ApiError(400, f"status {state!r} contradicts external_status_code {code!r} ({open311_status(code)}).")
    if not code and state and state != open311_status(current):
        raise ApiError(400, "To change between open and closed, send external_status_code.")
    return code


def _check_role(principal: Principal, code: str | None, current: str, agency: str | None, old_agency: str | None):
    if principal.role == "anonymous":
        raise ApiError(403, "Posting updates needs the API key of a moderator or a department officer.")
    if principal.role == "viewer":
        raise ApiError(403, "The viewer key is read-only: it cannot post updates.")
    if principal.role == "officer":
        if old_agency != principal.department:
            raise ApiError(
                403,
                f"Officers of {principal.department!r} may update only their department's reports; "
                f"this one is assigned to {old_agency or 'no department'!s}.",
            )
        if code and code != current and code not in OFFICER_CODES:
            raise ApiError(
                403,
                f"An officer may not set {code!r}: officers set only {', '.join(OFFICER_CODES)}; "
                "the rest is the moderator's.",
            )
        if agency and agency != principal.department:
            raise ApiError(403, "Officers cannot reassign a report to another department; ask the moderator.")
    if principal.role == "moderator" and code and code != current and code not in MODERATOR_CODES:
        raise ApiError(403, f"{code!r} is set by the platform only.")


def _new_service(conn: sqlite3.Connection, form: dict[str, str], principal: Principal, current: str) -> str:
    """The category after the update: ``service_code`` changes it (moderator only, a known service)."""
    service_code = _text(form, "service_code")
    if not service_code or service_code == current:
        return current
    if principal.role != "moderator":
        raise ApiError(403, "Only the moderator changes the category (service_code) of a report.")
    if conn.execute("SELECT 1 FROM services WHERE service_code = ?", (service_code,)).fetchone() is None:
        raise ApiError(400, f"Unknown service_code {service_code!r}; see services.json.")
    return service_code


def post_update(
    conn: sqlite3.Connection, form: dict[str, str], principal: Principal, now: datetime
) -> tuple[list[dict[str, Any]], bool]:
    """Apply one update; returns the answer and whether it was a replay of an earlier ``update_id``."""
    if principal.role in ("anonymous", "viewer"):
        _check_role(principal, None, "", None, None)
    update_id = _text(form, "update_id") or str(uuid.uuid4())
    if len(update_id) > 100:
        raise ApiError(400, "update_id is longer than 100 characters.")
    earlier = earlier_result(conn, update_id, principal, _text(form, "service_request_id"))
    if earlier is not None:
        return earlier, True

    id_text = _text(form, "service_request_id")
    if not id_text:
        raise ApiError(400, "service_request_id is required.")
    row = None
    if id_text.isdigit():
        row = conn.execute(
            "SELECT external_status_code, agency_responsible, updated_utc, duplicate_of, service_code "
            "FROM requests WHERE id = ?",
            (int(id_text),),
        ).fetchone()
    if row is None:
        raise ApiError(404, f"Service request {id_text} not found.")
    request_id = int(id_text)
    current, old_agency, old_updated, old_duplicate, old_service = row

    code = _new_status(form, current)
    agency = _text(form, "agency_responsible")
    _check_role(principal, code, current, agency, old_agency)
    if agency and conn.execute("SELECT 1 FROM departments WHERE code = ?", (agency,)).fetchone() is None:
        raise ApiError(400, f"Unknown department {agency!r} in agency_responsible; see departments.json.")
    new_service = _new_service(conn, form, principal, old_service)
    new_code = code or current
    new_agency = agency or old_agency
    if new_code == "action_scheduled" and not new_agency:
        raise ApiError(400, "action_scheduled needs agency_responsible (the department the report goes to).")
    duplicate_of = old_duplicate if new_code == "duplicate" else None
    if new_code == "duplicate" and new_code != current:
        original = _text(form, "duplicate_of")
        if not original or not original.isdigit() or int(original) == request_id:
            raise ApiError(400, "duplicate needs duplicate_of: the id of the original report.")
        if conn.execute("SELECT 1 FROM requests WHERE id = ?", (int(original),)).fetchone() is None:
            raise ApiError(400, f"duplicate_of {original} is not a known report.")
        duplicate_of = int(original)
    description = _checked_description(form)
    media_url = _checked_media_url(form)
    expected_datetime = _datetime(form, "expected_datetime")
    client_datetime = _datetime(form, "updated_datetime")
    changes_status = new_code != current
    changes_agency = new_agency != old_agency
    changes_service = new_service != old_service
    if not (
        changes_status or changes_agency or changes_service or description or media_url or expected_datetime or code
    ):
        raise ApiError(
            400,
            "The update changes nothing: send external_status_code, description, agency_responsible, service_code "
            "or media_url.",
        )

    expected_updated = _datetime(form, "expected_updated_datetime")
    if expected_updated is not None and to_db(expected_updated) != old_updated:
        raise ApiError(
            409,
            f"Service request {request_id} was changed at {to_wire(old_updated)}, not at "
            f"{to_wire(to_db(expected_updated))} as expected: fetch it again and re-apply the change.",
        )

    stamp = to_db(max(now, from_db(old_updated) + MILLISECOND))
    assigned_now = new_code == "action_scheduled" and (changes_status or changes_agency)
    expected_utc = to_db(expected_datetime) if expected_datetime else None
    if expected_utc is None and assigned_now:
        expected_utc = to_db(from_db(stamp) + ASSIGNMENT_TERM)
    conn.execute(
        "UPDATE requests SET external_status_code = ?, agency_responsible = ?, updated_utc = ?, "
        "status_notes = COALESCE(?, status_notes), duplicate_of = ?, service_code = ?, "
        "assigned_utc = CASE WHEN ? THEN ? ELSE assigned_utc END, expected_utc = COALESCE(?, expected_utc) "
        "WHERE id = ?",
        (
            new_code,
            new_agency,
            stamp,
            description,
            duplicate_of,
            new_service,
            assigned_now,
            stamp,
            expected_utc,
            request_id,
        ),
    )
    result = [
        {
            "update_id": update_id,
            "service_request_id": str(request_id),
            "status": open311_status(new_code),
            "external_status_code": new_code,
            "agency_responsible": new_agency,
            "service_code": new_service,
            "updated_datetime": to_wire(stamp),
        }
    ]
    conn.execute(
        "INSERT INTO updates (update_id, service_request_id, external_status_code, description, agency_responsible, "
        "media_url, updated_utc, client_utc, author, origin, result_json) VALUES (?,?,?,?,?,?,?,?,?,'api',?)",
        (
            update_id,
            request_id,
            new_code,
            description,
            new_agency,
            media_url,
            stamp,
            to_db(client_datetime) if client_datetime else None,
            principal.name,
            json.dumps(result, ensure_ascii=False),
        ),
    )
    return result, False
