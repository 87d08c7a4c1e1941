"""The reference Open City server and the Pokrov generator: every endpoint, JSON and XML, paging, roles,
idempotent updates, conflicts, faults; the generator's determinism and the shape of its data.

Expected values are computed from the server's database (read-only) or from the spec, never copied from
a response.
"""

from __future__ import annotations

import json
import math
import sqlite3
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from server import generate
from server.statuses import STATUS_CODES
from tests.fixtures_server import ROOT, start_refserver

# DESIGN.md §4, as written there.
DESIGN_STATUSES = {
    "for_triage": "open",
    "investigating": "open",
    "action_scheduled": "open",
    "in_progress": "open",
    "planned": "open",
    "fixed": "closed",
    "no_further_action": "closed",
    "duplicate": "closed",
    "not_councils_responsibility": "closed",
    "hidden": "closed",
}
OFFICER_STATUSES = {"in_progress", "planned", "fixed", "no_further_action", "not_councils_responsibility"}
EVERYTHING = {"start_date": "2000-01-01T00:00:00Z"}  # disables the default 90-day window


# -- helpers ---------------------------------------------------------------------------------------------------
def get(server, path: str, key: str | None = None, **params) -> requests.Response:
    if key:
        params["api_key"] = key
    return requests.get(server.url(path), params=params, timeout=30)


def post(server, path: str, data: dict, key: str | None = None, headers: dict | None = None) -> requests.Response:
    if key:
        data = {**data, "api_key": key}
    return requests.post(server.url(path), data=data, headers=headers, timeout=30)


def query(server, sql: str, args: tuple = ()) -> list[tuple]:
    conn = server.db()
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def db_text(value: datetime) -> str:
    value = value.astimezone(timezone.utc)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))


def inside(ring: list[list[float]], lon: float, lat: float) -> bool:
    crossings = 0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def collect_pages(server, path: str, **params) -> tuple[list[dict], list[requests.Response]]:
    """Follow X-Next-Page-URL from the first page; returns all records and every response."""
    responses = [get(server, path, **params)]
    while "X-Next-Page-URL" in responses[-1].headers:
        responses.append(requests.get(responses[-1].headers["X-Next-Page-URL"], timeout=30))
        assert len(responses) < 1000
    records = [record for response in responses for record in response.json()]
    return records, responses


def an_open_report_of(server, department: str) -> tuple[int, str]:
    rows = query(
        server,
        "SELECT id, updated_utc FROM requests WHERE agency_responsible = ? AND external_status_code IN "
        "('action_scheduled', 'in_progress') ORDER BY id LIMIT 1",
        (department,),
    )
    assert rows, f"the template has no open report of {department}"
    return rows[0]


# -- reference endpoints ---------------------------------------------------------------------------------------
def test_discovery_in_json_and_xml(refserver):
    as_json = get(refserver, "discovery.json")
    assert as_json.status_code == 200
    assert as_json.headers["Content-Type"].startswith("application/json")
    endpoint = as_json.json()["endpoints"][0]
    assert endpoint["url"].rstrip("/") == refserver.base_url.rstrip("/")
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    as_xml = get(refserver, "discovery.xml")
    assert as_xml.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(as_xml.content)
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == endpoint["formats"]


def test_services_in_json_and_xml(refserver):
    expected = query(refserver, "SELECT service_code, service_name, group_name FROM services ORDER BY sort")
    services = get(refserver, "services.json").json()
    assert [(s["service_code"], s["service_name"], s["group"]) for s in services] == expected
    assert all({"description", "metadata", "type", "keywords"} <= set(s) for s in services)
    root = ET.fromstring(get(refserver, "services.xml").content)
    assert root.tag == "services"
    assert [(s.findtext("service_code"), s.findtext("service_name")) for s in root] == [e[:2] for e in expected]


def test_requests_xml_carries_the_same_records_as_json(refserver):
    params = {**EVERYTHING, "page_size": 25, "extensions": "true"}
    key = refserver.keys["viewer"]  # internal notes are for key holders only
    records = get(refserver, "requests.json", key, **params).json()
    root = ET.fromstring(get(refserver, "requests.xml", key, **params).content)
    assert root.tag == "service_requests"
    assert len(root) == len(records) == 25
    for element, record in zip(root, records):
        assert element.tag == "request"
        for name in ("service_request_id", "status", "service_code", "description", "requested_datetime", "address"):
            assert element.findtext(name) == record[name]
        assert float(element.findtext("lat")) == record["lat"]
        extended = element.find("extended_attributes")
        assert extended.findtext("external_status_code") == record["extended_attributes"]["external_status_code"]
        assert len(extended.find("notes")) == len(record["extended_attributes"]["notes"])


def test_request_by_id_is_a_one_element_list_and_404_otherwise(refserver):
    request_id = query(refserver, "SELECT min(id) FROM requests WHERE external_status_code <> 'hidden'")[0][0]
    found = get(refserver, f"requests/{request_id}.json").json()
    assert [r["service_request_id"] for r in found] == [str(request_id)]
    root = ET.fromstring(get(refserver, f"requests/{request_id}.xml").content)
    assert [e.findtext("service_request_id") for e in root] == [str(request_id)]

    missing = query(refserver, "SELECT max(id) + 1000 FROM requests")[0][0]
    response = get(refserver, f"requests/{missing}.json")
    assert response.status_code == 404
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == 404 and str(missing) in body[0]["description"]
    response = get(refserver, f"requests/{missing}.xml")
    assert response.status_code == 404
    error = ET.fromstring(response.content)
    assert error.tag == "errors" and error.find("error").findtext("code") == "404"
    assert get(refserver, "nothing-here.json").status_code == 404


# -- paging, windows, filters ----------------------------------------------------------------------------------
def test_paging_follows_next_page_url_and_counts_match(refserver):
    expected = query(refserver, "SELECT id FROM requests WHERE external_status_code <> 'hidden' ORDER BY id")
    page_size = 37
    records, responses = collect_pages(refserver, "requests.json", page_size=page_size, **EVERYTHING)
    assert [int(r["service_request_id"]) for r in records] == [row[0] for row in expected]
    pages = math.ceil(len(expected) / page_size)
    assert len(responses) == pages
    for response in responses:
        assert response.headers["X-Result-Count"] == str(len(expected))
        assert response.headers["X-Page-Count"] == str(pages)
    assert "X-Next-Page-URL" not in responses[-1].headers
    assert all("X-Next-Page-URL" in r.headers for r in responses[:-1])

    past_end = get(refserver, "requests.json", page=pages + 1, page_size=page_size, **EVERYTHING)
    assert past_end.status_code == 200 and past_end.json() == []
    explicit = get(refserver, "requests.json", page=2, page_size=page_size, **EVERYTHING).json()
    assert explicit == records[page_size : 2 * page_size]


@pytest.mark.parametrize("bad", [{"page": "0"}, {"page_size": "abc"}, {"page_size": "10001"}])
def test_bad_paging_parameters_are_400(refserver, bad):
    response = get(refserver, "requests.json", **bad)
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_default_window_is_90_days_unless_a_date_or_id_is_given(refserver):
    since = db_text(datetime.now(timezone.utc) - timedelta(days=90))
    expected = query(
        refserver,
        "SELECT count(*) FROM requests WHERE external_status_code <> 'hidden' AND requested_utc >= ?",
        (since,),
    )[0][0]
    everything = query(refserver, "SELECT count(*) FROM requests WHERE external_status_code <> 'hidden'")[0][0]
    assert 0 < expected < everything  # the template spans six months
    assert get(refserver, "requests.json", page_size=10).headers["X-Result-Count"] == str(expected)
    assert get(refserver, "requests.json", page_size=10, **EVERYTHING).headers["X-Result-Count"] == str(everything)
    after = get(refserver, "requests.json", page_size=10, updated_after="2000-01-01T00:00:00+02:00")
    assert after.headers["X-Result-Count"] == str(everything)
    oldest = query(refserver, "SELECT min(id) FROM requests WHERE requested_utc < ?", (since,))[0][0]
    by_id = get(refserver, "requests.json", service_request_id=str(oldest)).json()
    assert [r["service_request_id"] for r in by_id] == [str(oldest)]


def test_updated_after_returns_later_changes_in_update_order(refserver):
    stamps = [row[0] for row in query(refserver, "SELECT updated_utc FROM requests ORDER BY updated_utc")]
    middle = stamps[len(stamps) // 2]
    expected = query(
        refserver,
        "SELECT id FROM requests WHERE updated_utc > ? AND external_status_code <> 'hidden' ORDER BY updated_utc, id",
        (middle,),
    )
    threshold = utc(middle).astimezone(timezone(timedelta(hours=2))).isoformat()
    records, _ = collect_pages(refserver, "requests.json", updated_after=threshold, page_size=50)
    assert [int(r["service_request_id"]) for r in records] == [row[0] for row in expected]
    times = [datetime.fromisoformat(r["updated_datetime"]) for r in records]
    assert times == sorted(times) and all(t > utc(middle) for t in times)
    before = get(refserver, "requests.json", updated_before=threshold, page_size=1, **EVERYTHING)
    expected_before = query(
        refserver, "SELECT count(*) FROM requests WHERE updated_utc < ? AND external_status_code <> 'hidden'", (middle,)
    )[0][0]
    assert before.headers["X-Result-Count"] == str(expected_before)


def test_an_unencoded_plus_in_a_datetime_is_understood(refserver):
    url = refserver.url("requests.json") + "?updated_after=2000-01-01T00:00:00+02:00&page_size=1"
    response = requests.get(url, timeout=30)
    assert response.status_code == 200 and len(response.json()) == 1
    bad = get(refserver, "requests.json", updated_after="yesterday")
    assert bad.status_code == 400 and "updated_after" in bad.json()[0]["description"]


def test_extensions_add_the_external_status_and_district(refserver):
    plain = get(refserver, "requests.json", page_size=20, **EVERYTHING).json()
    assert all("extended_attributes" not in r for r in plain)
    key = refserver.keys["viewer"]  # internal notes are for key holders only
    records = get(refserver, "requests.json", key, page_size=200, extensions="true", **EVERYTHING).json()
    truth = {
        row[0]: row[1:]
        for row in query(
            refserver, "SELECT id, external_status_code, district, duplicate_of, assigned_utc FROM requests"
        )
    }
    for record in records:
        code, district, duplicate_of, assigned = truth[int(record["service_request_id"])]
        extended = record["extended_attributes"]
        assert extended["external_status_code"] == code
        assert record["status"] == DESIGN_STATUSES[code]
        assert extended["district"] == district
        assert extended["duplicate_of"] == (str(duplicate_of) if duplicate_of else None)
        if assigned:
            assert datetime.fromisoformat(extended["assigned_datetime"]) == utc(assigned)
        assert isinstance(extended["notes"], list)


def test_filters_by_code_status_and_ids(refserver):
    codes = ["roads.pothole", "light.broken"]
    expected = query(
        refserver,
        "SELECT count(*) FROM requests WHERE service_code IN (?, ?) AND external_status_code IN "
        "('fixed','no_further_action','duplicate','not_councils_responsibility')",
        tuple(codes),
    )[0][0]
    response = get(refserver, "requests.json", service_code=",".join(codes), status="closed", page_size=1, **EVERYTHING)
    assert response.headers["X-Result-Count"] == str(expected)

    open_ids = [
        row[0] for row in query(refserver, "SELECT id FROM requests WHERE external_status_code = 'in_progress'")
    ]
    chosen = open_ids[:3]
    # service_request_id overrides the other filters (here: status=closed would exclude them all)
    records = get(refserver, "requests.json", service_request_id=",".join(map(str, chosen)), status="closed").json()
    assert sorted(int(r["service_request_id"]) for r in records) == sorted(chosen)
    assert get(refserver, "requests.json", status="sideways").status_code == 400


def test_radius_filter_matches_distances_computed_here(refserver):
    centre, radius = (47.653, 34.112), 600
    rows = query(refserver, "SELECT id, lat, long FROM requests WHERE external_status_code <> 'hidden'")
    expected = sorted(r[0] for r in rows if haversine_m(centre[0], centre[1], r[1], r[2]) <= radius)
    assert expected
    records, _ = collect_pages(
        refserver, "requests.json", lat=centre[0], long=centre[1], radius=radius, page_size=100, **EVERYTHING
    )
    assert sorted(int(r["service_request_id"]) for r in records) == expected
    assert get(refserver, "requests.json", lat=47.6).status_code == 400


def test_citizen_contacts_are_never_served(refserver):
    text = get(refserver, "requests.json", page_size=10000, extensions="true", **EVERYTHING).text
    text += get(refserver, "requests.json", page_size=10000, key=refserver.keys["moderator"], **EVERYTHING).text
    for field in ("contact_", "first_name", "last_name", "email", "phone"):
        assert field not in text
    emails = [row[0] for row in query(refserver, "SELECT contact_email FROM requests WHERE contact_email IS NOT NULL")]
    assert emails and not any(email in text for email in emails)
    phones = query(
        refserver,
        "SELECT contact_phone FROM requests WHERE contact_phone IS NOT NULL AND instr(description, contact_phone) = 0",
    )
    assert phones and not any(row[0] in text for row in phones)


# -- roles -----------------------------------------------------------------------------------------------------
def test_hidden_reports_are_public_only_to_keys(refserver):
    hidden = [row[0] for row in query(refserver, "SELECT id FROM requests WHERE external_status_code = 'hidden'")]
    assert hidden
    public = get(refserver, "requests.json", page_size=10000, **EVERYTHING).json()
    assert not {int(r["service_request_id"]) for r in public} & set(hidden)
    assert get(refserver, f"requests/{hidden[0]}.json").status_code == 404
    for role in ("moderator", "viewer"):
        seen = get(refserver, "requests.json", page_size=10000, key=refserver.keys[role], **EVERYTHING).json()
        assert set(hidden) <= {int(r["service_request_id"]) for r in seen}


def test_officer_sees_only_the_department(refserver):
    for department in ("roads", "ujkg"):
        key = refserver.officer_key(department)
        expected = query(refserver, "SELECT id FROM requests WHERE agency_responsible = ? ORDER BY id", (department,))
        records, _ = collect_pages(refserver, "requests.json", api_key=key, page_size=100, **EVERYTHING)
        assert [int(r["service_request_id"]) for r in records] == [row[0] for row in expected]
        assert {r["agency_responsible"] for r in records} == {department}

    other = query(refserver, "SELECT min(id) FROM requests WHERE agency_responsible = 'ujkg'")[0][0]
    response = get(refserver, f"requests/{other}.json", key=refserver.officer_key("roads"))
    assert response.status_code == 403 and response.json()[0]["code"] == 403
    by_header = requests.get(
        refserver.url(f"requests/{other}.json"), headers={"X-Api-Key": refserver.officer_key("roads")}, timeout=30
    )
    assert by_header.status_code == 403


def test_unknown_key_is_refused(refserver):
    response = get(refserver, "requests.json", key="no-such-key")
    assert response.status_code == 403
    assert "API key" in response.json()[0]["description"]


def test_departments_show_officer_contacts_to_staff_only(refserver):
    expected = [d["code"] for d in refserver.departments]
    assert len(expected) == 12
    for key in (None, refserver.keys["viewer"]):
        departments = get(refserver, "departments.json", key=key).json()
        assert [d["code"] for d in departments] == expected
        assert all(d["officer_name"] is None and d["officer_email"] is None for d in departments)
    for key in (refserver.keys["moderator"], refserver.officer_key("roads")):
        departments = get(refserver, "departments.json", key=key).json()
        assert [(d["officer_name"], d["officer_phone"]) for d in departments] == [
            (d["officer_name"], d["officer_phone"]) for d in refserver.departments
        ]
    root = ET.fromstring(get(refserver, "departments.xml", key=refserver.keys["moderator"]).content)
    assert [d.findtext("code") for d in root] == expected


def test_districts_tile_the_town_and_hold_their_reports(refserver):
    collection = get(refserver, "districts.json").json()
    assert collection["type"] == "FeatureCollection"
    rings = {f["properties"]["code"]: f["geometry"]["coordinates"][0] for f in collection["features"]}
    assert 6 <= len(rings) <= 8
    assert all(f["properties"]["name"] for f in collection["features"])
    for request_id, lat, lon, district in query(refserver, "SELECT id, lat, long, district FROM requests"):
        assert inside(rings[district], lon, lat), f"report {request_id} lies outside {district}"
    # no overlaps and no gaps on a grid over the town's extent
    xs = [x for ring in rings.values() for x, _ in ring]
    ys = [y for ring in rings.values() for _, y in ring]
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    centre_lon, centre_lat = (west + east) / 2, (south + north) / 2
    assert sum(inside(ring, 34.112, 47.653) for ring in rings.values()) == 1
    for i in range(1, 20):
        for j in range(1, 20):
            lon = centre_lon + (i / 20 - 0.5) * (east - west) * 0.9
            lat = centre_lat + (j / 20 - 0.5) * (north - south) * 0.9
            assert sum(inside(ring, lon, lat) for ring in rings.values()) == 1, (lon, lat)
    root = ET.fromstring(get(refserver, "districts.xml").content)
    assert sorted(d.findtext("code") for d in root) == sorted(rings)
    assert all(d.findtext("wkt").startswith("POLYGON((") for d in root)


# -- servicerequestupdates (GET) -------------------------------------------------------------------------------
def test_updates_list_pages_filters_and_formats(refserver):
    total = query(
        refserver,
        "SELECT count(*) FROM updates u JOIN requests r ON r.id = u.service_request_id "
        "WHERE r.external_status_code <> 'hidden'",
    )[0][0]
    first = get(refserver, "servicerequestupdates.json", page_size=100)
    assert first.headers["X-Result-Count"] == str(total)
    records = first.json()
    fields = {"update_id", "service_request_id", "status", "external_status_code", "updated_datetime"}
    fields |= {"description", "agency_responsible", "media_url"}
    assert all(fields <= set(r) for r in records)
    times = [datetime.fromisoformat(r["updated_datetime"]) for r in records]
    assert times == sorted(times)

    request_id = query(refserver, "SELECT id FROM requests WHERE external_status_code = 'fixed' LIMIT 1")[0][0]
    history = query(
        refserver,
        "SELECT update_id, external_status_code FROM updates WHERE service_request_id = ? ORDER BY seq",
        (request_id,),
    )
    served = get(refserver, "servicerequestupdates.json", service_request_id=str(request_id)).json()
    assert [(u["update_id"], u["external_status_code"]) for u in served] == history
    root = ET.fromstring(get(refserver, "servicerequestupdates.xml", service_request_id=str(request_id)).content)
    assert root.tag == "service_request_updates"
    assert [e.findtext("update_id") for e in root] == [h[0] for h in history]

    middle = query(refserver, "SELECT updated_utc FROM updates ORDER BY updated_utc LIMIT 1 OFFSET 500")[0][0]
    expected_after = query(
        refserver,
        "SELECT count(*) FROM updates u JOIN requests r ON r.id = u.service_request_id "
        "WHERE u.updated_utc > ? AND r.agency_responsible = 'roads'",
        (middle,),
    )[0][0]
    after = get(
        refserver, "servicerequestupdates.json", key=refserver.officer_key("roads"), updated_after=middle, page_size=1
    )
    assert after.headers["X-Result-Count"] == str(expected_after)


# -- servicerequestupdates (POST) ------------------------------------------------------------------------------
def test_officer_may_not_update_another_departments_report(fresh_refserver):
    server = fresh_refserver
    request_id, updated = an_open_report_of(server, "ujkg")
    response = post(
        server,
        "servicerequestupdates.json",
        {"service_request_id": request_id, "external_status_code": "fixed", "description": "Готово"},
        key=server.officer_key("roads"),
    )
    assert response.status_code == 403
    assert "roads" in response.json()[0]["description"]
    assert query(server, "SELECT updated_utc FROM requests WHERE id = ?", (request_id,))[0][0] == updated


@pytest.mark.parametrize("role", ["viewer", None])
def test_viewer_and_anonymous_may_not_post_updates(fresh_refserver, role):
    server = fresh_refserver
    request_id, _ = an_open_report_of(server, "roads")
    key = server.keys[role] if role else None
    response = post(server, "servicerequestupdates.json", {"service_request_id": request_id, "description": "x"}, key)
    assert response.status_code == 403
    assert response.json()[0]["description"]
    assert server.stats()["applied_total"] == 0


@pytest.mark.parametrize("code", ["hidden", "duplicate", "investigating", "action_scheduled"])
def test_officer_may_not_set_a_moderator_status(fresh_refserver, code):
    server = fresh_refserver
    request_id, _ = an_open_report_of(server, "roads")
    response = post(
        server,
        "servicerequestupdates.json",
        {"service_request_id": request_id, "external_status_code": code, "duplicate_of": "1"},
        key=server.officer_key("roads"),
    )
    assert response.status_code == 403
    assert code in response.json()[0]["description"]


def test_officer_response_is_applied_and_recorded(fresh_refserver):
    server = fresh_refserver
    request_id, before = an_open_report_of(server, "roads")
    update_id = str(uuid.uuid4())
    response = post(
        server,
        "servicerequestupdates.json",
        {
            "service_request_id": request_id,
            "update_id": update_id,
            "status": "closed",
            "external_status_code": "fixed",
            "description": "Яму залатано.",
            "media_url": "https://misto.pokrov.example/media/answer.jpg",
            "updated_datetime": "2026-01-05T10:00:00+02:00",
        },
        key=server.officer_key("roads"),
    )
    assert response.status_code == 200, response.text
    answer = response.json()[0]
    assert answer["update_id"] == update_id and answer["external_status_code"] == "fixed"
    assert answer["status"] == "closed"
    code, notes, updated = query(
        server, "SELECT external_status_code, status_notes, updated_utc FROM requests WHERE id = ?", (request_id,)
    )[0]
    assert (code, notes) == ("fixed", "Яму залатано.")
    assert utc(updated) > utc(before)
    assert datetime.fromisoformat(answer["updated_datetime"]) == utc(updated)
    history = get(server, "servicerequestupdates.json", updated_after=before, service_request_id=str(request_id))
    assert [(u["update_id"], u["author"]) for u in history.json()] == [(update_id, "officer:roads")]
    record = get(server, f"requests/{request_id}.json", extensions="true").json()[0]
    assert record["status"] == "closed" and record["extended_attributes"]["external_status_code"] == "fixed"


def test_moderator_changes_the_category_with_service_code(fresh_refserver):
    server = fresh_refserver
    request_id, before = an_open_report_of(server, "roads")
    (old_code,) = query(server, "SELECT service_code FROM requests WHERE id = ?", (request_id,))[0]
    new_code, new_name = query(
        server,
        "SELECT service_code, service_name FROM services WHERE service_code != ? ORDER BY 1 LIMIT 1",
        (old_code,),
    )[0]
    note = {"description": f"Категорію змінено на «{new_name}»."}

    # An officer may not, an unknown category is refused; neither changes anything.
    officer = post(
        server,
        "servicerequestupdates.json",
        {"service_request_id": request_id, "service_code": new_code, **note},
        key=server.officer_key("roads"),
    )
    assert officer.status_code == 403 and "service_code" in officer.json()[0]["description"]
    unknown = post(
        server,
        "servicerequestupdates.json",
        {"service_request_id": request_id, "service_code": "no.such.service", **note},
        key=server.keys["moderator"],
    )
    assert unknown.status_code == 400 and "no.such.service" in unknown.json()[0]["description"]
    assert query(server, "SELECT service_code, updated_utc FROM requests WHERE id = ?", (request_id,))[0] == (
        old_code,
        before,
    )

    # The moderator changes it: service_code and service_name follow; a bare change of category is enough.
    response = post(
        server,
        "servicerequestupdates.json",
        {"service_request_id": request_id, "service_code": new_code},
        key=server.keys["moderator"],
    )
    assert response.status_code == 200, response.text
    assert response.json()[0]["service_code"] == new_code
    record = get(server, f"requests/{request_id}.json", extensions="true").json()[0]
    assert (record["service_code"], record["service_name"]) == (new_code, new_name)
    assert utc(query(server, "SELECT updated_utc FROM requests WHERE id = ?", (request_id,))[0][0]) > utc(before)


def test_repeated_update_id_is_applied_once(fresh_refserver):
    server = fresh_refserver
    request_id, _ = an_open_report_of(server, "roads")
    fields = {"service_request_id": request_id, "update_id": str(uuid.uuid4()), "external_status_code": "in_progress"}
    fields["description"] = "Бригаду направлено."
    first = post(server, "servicerequestupdates.json", fields, key=server.officer_key("roads"))
    second = post(server, "servicerequestupdates.json", fields, key=server.officer_key("roads"))
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    stats = server.stats()
    assert stats["applied"] == {fields["update_id"]: 1}
    assert stats["replayed"] == {fields["update_id"]: 1}
    rows = query(server, "SELECT count(*) FROM updates WHERE update_id = ?", (fields["update_id"],))
    assert rows[0][0] == 1


def test_stale_expected_updated_datetime_is_a_conflict(fresh_refserver):
    server = fresh_refserver
    request_id, _ = an_open_report_of(server, "roads")
    served = get(server, f"requests/{request_id}.json").json()[0]["updated_datetime"]
    moderator = server.keys["moderator"]
    first = post(
        server,
        "servicerequestupdates.json",
        {"service_request_id": request_id, "description": "Уточнено", "expected_updated_datetime": served},
        key=moderator,
    )
    assert first.status_code == 200, first.text
    stale = post(
        server,
        "servicerequestupdates.xml",
        {"service_request_id": request_id, "description": "Інша зміна", "expected_updated_datetime": served},
        key=moderator,
    )
    assert stale.status_code == 409
    error = ET.fromstring(stale.content).find("error")
    assert error.findtext("code") == "409" and first.json()[0]["updated_datetime"] in error.findtext("description")
    assert server.stats()["applied_total"] == 1


def test_moderator_assigns_and_the_new_department_sees_it(fresh_refserver):
    server = fresh_refserver
    request_id = query(server, "SELECT min(id) FROM requests WHERE external_status_code = 'for_triage'")[0][0]
    key = server.officer_key("transport")
    assert get(server, f"requests/{request_id}.json", key=key).status_code == 403
    missing_agency = post(
        server,
        "servicerequestupdates.json",
        {"service_request_id": request_id, "external_status_code": "action_scheduled"},
        key=server.keys["moderator"],
    )
    assert missing_agency.status_code == 400
    response = post(
        server,
        "servicerequestupdates.json",
        {
            "service_request_id": request_id,
            "external_status_code": "action_scheduled",
            "agency_responsible": "transport",
        },
        headers={"X-Api-Key": server.keys["moderator"]},
    )
    assert response.status_code == 200, response.text
    record = get(server, f"requests/{request_id}.json", key=key, extensions="true").json()[0]
    assert record["agency_responsible"] == "transport"
    assert record["extended_attributes"]["assigned_datetime"] == record["updated_datetime"]
    assert record["expected_datetime"] is not None


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"external_status_code": "sideways"}, 400),
        ({"status": "closed"}, 400),  # open -> closed needs the detailed code
        ({"status": "open", "external_status_code": "fixed"}, 400),
        ({"external_status_code": "duplicate"}, 400),  # needs duplicate_of
        ({"agency_responsible": "nobody"}, 400),
        ({}, 400),  # changes nothing
        ({"description": "x" * 4001}, 400),
        ({"external_status_code": "for_triage"}, 403),
        ({"service_request_id": "999999", "description": "x"}, 404),
    ],
)
def test_invalid_updates_are_refused(fresh_refserver, fields, status):
    server = fresh_refserver
    request_id, updated = an_open_report_of(server, "roads")
    response = post(
        server, "servicerequestupdates.json", {"service_request_id": request_id, **fields}, key=server.keys["moderator"]
    )
    assert response.status_code == status, response.text
    assert response.json()[0]["code"] == status
    assert query(server, "SELECT updated_utc FROM requests WHERE id = ?", (request_id,))[0][0] == updated


# -- POST requests ---------------------------------------------------------------------------------------------
def test_citizen_submission_is_stored_for_triage(fresh_refserver):
    server = fresh_refserver
    fields = {
        "service_code": "roads.pothole",
        "lat": "47.6531",
        "long": "34.1121",
        "description": "д" * 4000,
        "email": "citizen@mail.example",
        "first_name": "Ганна",
    }
    response = post(server, "requests.json", fields)
    assert response.status_code == 201, response.text
    answer = response.json()[0]
    assert answer["service_notice"]
    record = get(server, f"requests/{answer['service_request_id']}.json", extensions="true").json()[0]
    assert record["extended_attributes"]["external_status_code"] == "for_triage"
    assert record["extended_attributes"]["district"] == "tsentralnyi"
    assert "citizen@mail.example" not in json.dumps(record)
    stored = query(server, "SELECT contact_email FROM requests WHERE id = ?", (int(answer["service_request_id"]),))
    assert stored == [("citizen@mail.example",)]
    by_address = post(server, "requests.xml", {"service_code": "light.broken", "address_string": "вул. Миру, 3"})
    assert by_address.status_code == 201
    assert ET.fromstring(by_address.content).find("request").findtext("service_request_id")


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"lat": "47.65", "long": "34.11"}, "service_code"),
        ({"service_code": "no.such", "lat": "47.65", "long": "34.11"}, "service_code"),
        ({"service_code": "roads.pothole"}, "location"),
        ({"service_code": "roads.pothole", "lat": "47.65"}, "lat"),
        ({"service_code": "roads.pothole", "address_string": "вул. Миру", "description": "x" * 4001}, "4000"),
    ],
)
def test_citizen_submission_validation(fresh_refserver, fields, needle):
    before = query(fresh_refserver, "SELECT count(*) FROM requests")[0][0]
    response = post(fresh_refserver, "requests.json", fields)
    assert response.status_code == 400
    assert needle in response.json()[0]["description"]
    assert query(fresh_refserver, "SELECT count(*) FROM requests")[0][0] == before


# -- faults and test hooks -------------------------------------------------------------------------------------
def test_faults_status_delay_truncate_and_bad_record(fresh_refserver):
    server = fresh_refserver
    server.fault(path_contains="requests", status=500, count=1)
    assert get(server, "requests.json").status_code == 500
    assert get(server, "requests.json").status_code == 200

    server.fault(path_contains="services", delay_s=0.6)
    started = time.monotonic()
    assert get(server, "services.json").status_code == 200
    assert time.monotonic() - started >= 0.6

    server.fault(path_contains="requests", truncate=True)
    cut = get(server, "requests.json", page_size=20)
    with pytest.raises(ValueError):
        json.loads(cut.content)
    server.fault(path_contains="requests.xml", truncate=True)
    with pytest.raises(ET.ParseError):
        ET.fromstring(get(server, "requests.xml", page_size=20).content)

    server.fault(bad_record=True)
    assert get(server, "services.json").status_code == 200  # a spoilt record only goes into request lists
    spoilt = get(server, "requests.json", page_size=5).json()
    assert spoilt[0]["lat"] == "abc" and all(isinstance(r["lat"], float) for r in spoilt[1:])
    server.fault(bad_record="missing_id")
    assert "service_request_id" not in get(server, "requests.json", page_size=5).json()[0]

    server.fault(path_contains="discovery", status=503, count=5)
    assert server.stats()["pending_faults"]
    server.reset_faults()
    assert get(server, "discovery.json").status_code == 200
    assert server.stats()["hits"]["GET discovery"] >= 2


def test_lost_answer_then_retry_applies_once(fresh_refserver):
    server = fresh_refserver
    request_id, _ = an_open_report_of(server, "roads")
    fields = {"service_request_id": request_id, "update_id": "retry-1", "external_status_code": "in_progress"}
    server.fault(path_contains="servicerequestupdates", method="POST", status=502, after_apply=True)
    assert post(server, "servicerequestupdates.json", fields, key=server.officer_key("roads")).status_code == 502
    retry = post(server, "servicerequestupdates.json", fields, key=server.officer_key("roads"))
    assert retry.status_code == 200 and retry.json()[0]["update_id"] == "retry-1"
    assert server.stats()["applied"] == {"retry-1": 1}


def test_test_hooks_are_off_by_default(refserver_template, tmp_path):
    db_path = tmp_path / "plain.sqlite"
    db_path.write_bytes(refserver_template.db_path.read_bytes())
    server = start_refserver(db_path, tmp_path / "plain.log", test_hooks=False)
    try:
        response = requests.post(server.root_url + "_test/fault", json={"status": 500}, timeout=10)
        assert response.status_code == 404
        assert get(server, "services.json").status_code == 200
    finally:
        server.stop()


# -- generator -------------------------------------------------------------------------------------------------
def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_generator_is_deterministic(tmp_path):
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    generate.generate(tmp_path / "a.sqlite", reports=120, seed=7, now=now)
    generate.generate(tmp_path / "b.sqlite", reports=120, seed=7, now=now)
    generate.generate(tmp_path / "c.sqlite", reports=120, seed=8, now=now)
    assert _dump(tmp_path / "a.sqlite") == _dump(tmp_path / "b.sqlite")
    assert _dump(tmp_path / "a.sqlite") != _dump(tmp_path / "c.sqlite")


def test_generated_data_covers_every_status_with_consistent_histories(refserver_template):
    assert dict.fromkeys(STATUS_CODES, None).keys() == DESIGN_STATUSES.keys()
    conn = sqlite3.connect(refserver_template.db_path)
    try:
        requests_rows = conn.execute(
            "SELECT id, external_status_code, agency_responsible, requested_utc, updated_utc, duplicate_of, "
            "service_code, assigned_utc FROM requests ORDER BY id"
        ).fetchall()
        history: dict[int, list[tuple]] = {}
        for row in conn.execute(
            "SELECT service_request_id, external_status_code, updated_utc, author, agency_responsible "
            "FROM updates ORDER BY seq"
        ):
            history.setdefault(row[0], []).append(row[1:])
        service_of = dict(conn.execute("SELECT id, service_code FROM requests"))
        department_of = dict(conn.execute("SELECT service_code, department FROM services"))
    finally:
        conn.close()
    assert len(requests_rows) == refserver_template.reports
    assert {row[1] for row in requests_rows} == set(DESIGN_STATUSES)
    now = refserver_template.now
    start = now - timedelta(days=183)
    for rid, code, agency, requested, updated, duplicate_of, service_code, assigned in requests_rows:
        steps = history[rid]
        assert steps[0][0] == "for_triage" and steps[0][1] == requested
        assert steps[-1][0] == code and steps[-1][1] == updated
        times = [utc(s[1]) for s in steps]
        assert times == sorted(times) and start <= times[0] and times[-1] <= now
        codes = [s[0] for s in steps]
        if set(codes) & OFFICER_STATUSES - {"not_councils_responsibility"}:
            assert "action_scheduled" in codes
            assert codes.index("action_scheduled") < min(codes.index(c) for c in OFFICER_STATUSES if c in codes)
        for step_code, _t, author, _agency in steps:
            if step_code in OFFICER_STATUSES and author != "moderator":
                assert author == f"officer:{agency}"
        if "action_scheduled" in codes:
            assert agency and assigned
        if code == "duplicate":
            assert duplicate_of and duplicate_of < rid and service_of[duplicate_of] == service_code
        else:
            assert duplicate_of is None
    # the department follows the category -> department routing, but for a few sent to a wrong one first
    assigned_rows = [row for row in requests_rows if row[2]]
    routed = sum(row[2] == department_of[row[6]] for row in assigned_rows)
    assert 0.9 * len(assigned_rows) <= routed <= len(assigned_rows)
    reassigned = [rid for rid, steps in history.items() if len({s[3] for s in steps if s[0] == "action_scheduled"}) > 1]
    assert reassigned


def test_generated_data_has_overdue_photos_and_personal_details(refserver_template):
    conn = sqlite3.connect(refserver_template.db_path)
    now = db_text(refserver_template.now - timedelta(days=30))
    try:
        overdue = conn.execute(
            "SELECT count(*) FROM requests WHERE external_status_code IN ('action_scheduled', 'in_progress') "
            "AND assigned_utc < ?",
            (now,),
        ).fetchone()[0]
        photos = conn.execute("SELECT count(*) FROM requests WHERE media_url LIKE 'https://%'").fetchone()[0]
        phones_in_text = conn.execute(
            "SELECT count(*) FROM requests WHERE contact_phone IS NOT NULL AND instr(description, contact_phone) > 0"
        ).fetchone()[0]
        names_in_text = conn.execute(
            "SELECT count(*) FROM requests WHERE contact_last_name IS NOT NULL "
            "AND instr(description, contact_last_name || ' ' || contact_first_name) > 0"
        ).fetchone()[0]
        descriptions = [row[0] for row in conn.execute("SELECT description FROM requests")]
    finally:
        conn.close()
    assert overdue > 0 and photos > 0 and phones_in_text > 0 and names_in_text > 0
    assert all(descriptions) and all(any("а" <= ch <= "я" for ch in d.lower()) for d in descriptions)


def test_routing_example_matches_the_categories(refserver_template):
    shipped = json.loads((ROOT / "server" / "data" / "routing_example.json").read_text(encoding="utf-8"))
    conn = sqlite3.connect(refserver_template.db_path)
    try:
        expected = dict(conn.execute("SELECT service_code, department FROM services ORDER BY sort"))
    finally:
        conn.close()
    assert shipped["category_rules"] == expected


def test_command_line_generate_then_serve_with_seed_if_empty(tmp_path):
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "server.generate",
            "--db",
            str(tmp_path / "g.sqlite"),
            "--reports",
            "30",
            "--seed",
            "3",
            "--now",
            "2026-02-01T00:00:00+02:00",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    summary = json.loads(made.stdout)
    assert summary["reports"] == 30 and sum(summary["statuses"].values()) == 30

    refused = subprocess.run(
        [sys.executable, "-m", "server", "--db", str(tmp_path / "none.sqlite"), "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0 and "--seed-if-empty" in refused.stderr
    remote = subprocess.run(
        [sys.executable, "-m", "server", "--db", str(tmp_path / "g.sqlite"), "--host", "0.0.0.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert remote.returncode != 0 and "loopback" in remote.stderr

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server",
            "--db",
            str(tmp_path / "seeded.sqlite"),
            "--port",
            "0",
            "--seed-if-empty",
            "--reports",
            "25",
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = [process.stdout.readline(), process.stdout.readline()]
        assert json.loads(lines[0])["reports"] == 25
        url = lines[1].split(" on ", 1)[1].split(" ", 1)[0]
        assert url.endswith("/open311/v2/")
        conn = sqlite3.connect(tmp_path / "seeded.sqlite")
        try:
            public = conn.execute("SELECT count(*) FROM requests WHERE external_status_code <> 'hidden'").fetchone()[0]
        finally:
            conn.close()
        response = requests.get(url + "requests.json", params=EVERYTHING, timeout=30)
        assert response.status_code == 200 and response.headers["X-Result-Count"] == str(public)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
