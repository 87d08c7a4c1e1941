"""Parser tests: every real Open311 file in tests/data/open311/helsinki parses, and the faults of DESIGN.md §3."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from openmisto_plugin.core.model import ParsedPage
from openmisto_plugin.core.open311.errors import Open311Error
from openmisto_plugin.core.open311.parser import (
    ParseError,
    detect_format,
    parse_datetime,
    parse_discovery,
    parse_error_message,
    parse_post_response,
    parse_requests,
    parse_services,
    parse_updates,
)
from openmisto_plugin.core.timeutil import KYIV

HELSINKI = Path(__file__).resolve().parent / "data" / "open311" / "helsinki"
HELSINKI_FILES = sorted(HELSINKI.glob("*.json")) + sorted(HELSINKI.glob("*.xml"))

POKROV = (34.0, 47.6, 34.2, 47.7)  # lon/lat box around Pokrov

GOOD = {
    "service_request_id": "2411",
    "status": "open",
    "service_code": "roads.pothole",
    "service_name": "Ями на дорозі",
    "description": "Яма біля школи",
    "requested_datetime": "2026-11-02T09:14:00+02:00",
    "updated_datetime": "2026-11-03T10:00:00+02:00",
    "lat": 47.6536,
    "long": 34.1117,
}


def _record(**changes):
    record = dict(GOOD)
    for key, value in changes.items():
        if value is ...:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def _json(*records) -> bytes:
    return json.dumps(list(records), ensure_ascii=False).encode("utf-8")


def _independent_count(path: Path) -> int:
    """Records in a file, counted without the parser."""
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return len(data)
    return len(list(ET.parse(path).getroot()))


def test_fixture_files_present():
    assert HELSINKI.is_dir(), f"test data missing at {HELSINKI}"
    assert {p.name for p in HELSINKI_FILES} >= {"requests.json", "requests.xml", "services.json", "services.xml"}


@pytest.mark.parametrize("path", HELSINKI_FILES, ids=lambda p: p.name)
def test_every_helsinki_file_parses(path: Path):
    expected = _independent_count(path)
    body = path.read_bytes()
    if path.name.startswith("services"):
        skipped = []
        services = parse_services(body, skipped=skipped)
        assert len(services) + len(skipped) == expected
        assert len(services) == expected
        assert all(s.service_code and s.service_name for s in services)
        assert all(isinstance(s.metadata, bool) for s in services)
    else:
        page = parse_requests(body)
        assert len(page.requests) + len(page.skipped) == expected
        # every record in these files has an id, a valid position and readable times
        assert len(page.requests) == expected, page.skipped
        for request in page.requests:
            assert request.status in ("open", "closed")
            assert -90 <= request.lat <= 90 and -180 <= request.long <= 180
            for value in (request.requested_datetime, request.updated_datetime, request.expected_datetime):
                assert value is None or value.tzinfo is not None
            assert request.media_url is None  # "" stands for null on that server


def test_helsinki_json_and_xml_agree():
    from_json = parse_requests((HELSINKI / "requests.json").read_bytes()).requests
    from_xml = parse_requests((HELSINKI / "requests.xml").read_bytes()).requests
    assert from_json == from_xml
    services_json = parse_services((HELSINKI / "services.json").read_bytes())
    services_xml = parse_services((HELSINKI / "services.xml").read_bytes())
    assert services_json == services_xml


def test_helsinki_details():
    page = parse_requests((HELSINKI / "request_by_id.json").read_bytes())
    (request,) = page.requests
    assert request.service_request_id == "1982hglaqe8pdnpophff"
    assert request.status == "closed" and request.status_notes == "Kiitos"
    assert request.service_notice is None
    assert request.requested_datetime == datetime(2015, 6, 23, 15, 50, 11, tzinfo=timezone.utc)
    assert request.expected_datetime.microsecond == 9228


def test_helsinki_error_body():
    assert parse_error_message(b'{"code":404,"detail":"Not Found"}') == "Not Found"


def test_helsinki_swapped_position_in_range_is_kept_without_box():
    """lat 22.27/long 60.45 is valid as given (it is Turku swapped, outside the bulk of Helsinki's reports
    even swapped back): it stays as sent, flagged far outside the city (the bulk of the page stands for it)."""
    page = parse_requests((HELSINKI / "requests.json").read_bytes())
    turku = next(r for r in page.requests if r.service_request_id.startswith("import:"))
    assert (turku.lat, turku.long) == (22.266944, 60.451667)
    assert turku.position_source == "platform" and turku.position_flag == "far_outside"
    assert [r.service_request_id for r in page.requests if r.position_flag] == [turku.service_request_id]


# ---------------------------------------------------------------- fault cases


def test_truncated_json_raises():
    body = _json(GOOD, _record(service_request_id="2412"))
    with pytest.raises(ParseError, match="JSON") as info:
        parse_requests(body[: len(body) // 2])
    assert isinstance(info.value, Open311Error) and info.value.kind == "parse"


def test_truncated_xml_raises():
    body = (HELSINKI / "requests.xml").read_bytes()
    with pytest.raises(ParseError, match="XML"):
        parse_requests(body[: len(body) - 100])


@pytest.mark.parametrize("encoding", ["u-f-8", "no-such-codec"])
def test_xml_with_an_unknown_encoding_is_a_parse_error(encoding):
    """A mutated declaration once escaped as LookupError (found by the property test)."""
    body = (HELSINKI / "requests.xml").read_bytes()
    start = body.index(b"?>") + 2 if body.startswith(b"<?xml") else 0
    mutated = f'<?xml version="1.0" encoding="{encoding}"?>'.encode() + body[start:]
    with pytest.raises(ParseError, match="encoding"):
        parse_requests(mutated)


@pytest.mark.parametrize(
    "body",
    [b'{"service_request_id": "1"}', b"42", b'"text"', b"", b"<html><body>Login</body></html>", b"not json"],
    ids=["object", "number", "string", "empty", "html", "garbage"],
)
def test_not_a_list_raises(body):
    with pytest.raises(ParseError):
        parse_requests(body)


def test_error_body_as_page_raises_with_platform_text():
    with pytest.raises(ParseError, match="Invalid api_key"):
        parse_requests(b'[{"code":403,"description":"Invalid api_key"}]')
    with pytest.raises(ParseError, match="bad key"):
        parse_requests(b"<errors><error><code>403</code><description>bad key</description></error></errors>")


def test_one_bad_record_among_good_ones_json():
    records = [_record(service_request_id=str(i)) for i in range(1, 6)]
    records[2] = _record(service_request_id="3", updated_datetime="not-a-date")
    page = parse_requests(_json(*records))
    assert [r.service_request_id for r in page.requests] == ["1", "2", "4", "5"]
    assert len(page.skipped) == 1
    assert page.skipped[0].record_id == "3" and "updated_datetime" in page.skipped[0].reason


def test_one_bad_record_among_good_ones_xml():
    items = "".join(
        f"<request><service_request_id>{i}</service_request_id><status>open</status>"
        f"<lat>{lat}</lat><long>34.11</long><requested_datetime>{when}</requested_datetime></request>"
        for i, lat, when in [
            (1, "47.65", "2026-11-02T09:14:00+02:00"),
            (2, "47.66", "yesterday"),
            (3, "47.64", "2026-11-02T09:14:00Z"),
        ]
    )
    page = parse_requests(f"<?xml version='1.0'?><service_requests>{items}</service_requests>".encode())
    assert [r.service_request_id for r in page.requests] == ["1", "3"]
    assert page.skipped[0].record_id == "2" and "requested_datetime" in page.skipped[0].reason


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"service_request_id": ...}, "no service_request_id"),
        ({"service_request_id": ""}, "no service_request_id"),
        ({"updated_datetime": "2026-13-45T25:00:00"}, "updated_datetime"),
    ],
)
def test_unusable_records_are_skipped_with_reason(changes, reason):
    page = parse_requests(_json(GOOD, _record(**{"service_request_id": "bad", **changes})))
    assert len(page.requests) == 1 and len(page.skipped) == 1
    assert reason in page.skipped[0].reason


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"lat": ..., "long": ...}, "no position"),
        ({"lat": 0, "long": 0}, "0,0"),
        ({"lat": "0.0", "long": "0"}, "0,0"),
        ({"lat": 95.0, "long": 200.0}, "out of range"),
        ({"lat": "abc", "long": 34.1}, "not a number"),
        ({"lat": "", "long": ""}, "no position"),
        ({"lat": None, "long": None}, "no position"),
        ({"lat": 134.11, "long": 47.65}, "swapped"),
    ],
)
def test_records_without_usable_position_are_kept_with_reason(changes, reason):
    page = parse_requests(_json(GOOD, _record(**{"service_request_id": "nowhere", **changes})))
    assert not page.skipped
    nowhere = next(r for r in page.requests if r.service_request_id == "nowhere")
    assert nowhere.lat is None and nowhere.long is None
    assert nowhere.position_flag == "missing" and reason in nowhere.position_note
    assert nowhere.position_source is None
    assert nowhere.description == GOOD["description"]
    assert page.without_position == [nowhere]


def test_non_record_entry_is_skipped():
    page = parse_requests(_json(GOOD, "oops", None))
    assert len(page.requests) == 1 and len(page.skipped) == 2


def test_capitalised_status():
    page = parse_requests(_json(_record(status="Open"), _record(service_request_id="2", status="CLOSED")))
    assert [r.status for r in page.requests] == ["open", "closed"]


def test_detailed_status_in_status_field():
    (request,) = parse_requests(_json(_record(status="In_Progress"))).requests
    assert request.status == "open" and request.external_status_code == "in_progress"


def test_datetime_without_zone_is_kyiv():
    (request,) = parse_requests(_json(_record(requested_datetime="2026-07-01T12:00:00"))).requests
    assert request.requested_datetime == datetime(2026, 7, 1, 12, 0, tzinfo=KYIV)
    assert request.requested_datetime.utcoffset() == timedelta(hours=3)  # summer time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-02T09:14:00Z", datetime(2026, 11, 2, 9, 14, tzinfo=timezone.utc)),
        ("2026-11-02T09:14:00.123456+02:00", datetime(2026, 11, 2, 7, 14, 0, 123456, tzinfo=timezone.utc)),
        ("2026-11-02T09:14:00.1+0200", datetime(2026, 11, 2, 7, 14, 0, 100000, tzinfo=timezone.utc)),
        ("2026-11-02 09:14:00+02", datetime(2026, 11, 2, 7, 14, tzinfo=timezone.utc)),
        ("2026-11-02T09:14:00.123456789Z", datetime(2026, 11, 2, 9, 14, 0, 123456, tzinfo=timezone.utc)),
        ("2026-11-02", datetime(2026, 11, 2, tzinfo=KYIV)),
        ("", None),
        (None, None),
    ],
)
def test_parse_datetime_variants(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "2026-11-02T09:14", "02.11.2026", "2026-02-30T00:00:00"])
def test_parse_datetime_rejects(text):
    if text == "2026-11-02T09:14":  # minutes without seconds are fine
        assert parse_datetime(text) == datetime(2026, 11, 2, 9, 14, tzinfo=KYIV)
        return
    with pytest.raises(ValueError):
        parse_datetime(text)


def test_numbers_as_strings_and_empty_strings_for_null():
    record = _record(
        service_request_id=2411, lat="47.6536", long="34,1117", service_code=17, media_url="", status_notes=""
    )
    (request,) = parse_requests(_json(record)).requests
    assert request.service_request_id == "2411"
    assert (request.lat, request.long) == (47.6536, 34.1117)
    assert request.service_code == "17"
    assert request.media_url is None and request.status_notes is None


def test_extended_attributes_json():
    ext = {
        "external_status_code": "IN_PROGRESS",
        "district": "center",
        "duplicate_of": None,
        "assigned_datetime": "2026-11-03T10:00:00",
        "notes": [{"text": "a"}],
    }
    (request,) = parse_requests(_json(_record(extended_attributes=ext, token="abc"))).requests
    assert request.external_status_code == "in_progress"
    assert request.district == "center" and request.duplicate_of is None
    assert request.extended["notes"] == [{"text": "a"}]
    assert request.extended["assigned_datetime"] == "2026-11-03T10:00:00+02:00"
    assert request.extended["token"] == "abc"  # unknown top-level keys are kept
    json.dumps(request.extended)  # the store keeps it as JSON


def test_extended_attributes_xml():
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<service_requests><request>
  <service_request_id>77</service_request_id><status>Closed</status>
  <lat>47.65</lat><long>34.11</long>
  <extended_attributes>
    <external_status_code>duplicate</external_status_code><district>north</district>
    <duplicate_of>76</duplicate_of>
    <notes><note><text>first</text></note></notes>
  </extended_attributes>
</request></service_requests>"""
    (request,) = parse_requests(body).requests
    assert request.status == "closed" and request.external_status_code == "duplicate"
    assert request.district == "north" and request.duplicate_of == "76"
    assert request.extended["notes"] == [{"text": "first"}]


def test_broken_extended_datetime_skips():
    page = parse_requests(_json(_record(extended_attributes={"assigned_datetime": "soon"})))
    assert not page.requests and "assigned_datetime" in page.skipped[0].reason


def test_swapped_position_repaired_with_expected_box():
    swapped = _record(lat=34.1117, long=47.6536)
    page = parse_requests(_json(swapped), expected_bbox=POKROV)
    (request,) = page.requests
    assert (request.lat, request.long) == (47.6536, 34.1117)
    assert request.position_source == "repaired_swap" and request.position_flag is None
    assert "34.1117" in request.position_note and "47.6536" in request.position_note
    # without a box (and too few reports for a bulk) the (valid) position is kept as sent
    (as_sent,) = parse_requests(_json(swapped)).requests
    assert (as_sent.lat, as_sent.long) == (34.1117, 47.6536)
    assert as_sent.position_source == "platform" and as_sent.position_flag is None
    # a valid position far outside the box that does not fit swapped either is kept as sent, flagged
    (far,) = parse_requests(_json(_record(lat=50.45, long=30.52)), expected_bbox=POKROV).requests
    assert (far.lat, far.long) == (50.45, 30.52) and far.position_flag == "far_outside"


# ---------------------------------------------------------------- services, updates, misc


def test_services_tolerance():
    body = json.dumps(
        [
            {"service_code": 17, "service_name": "", "metadata": "true", "keywords": ["яма", "дорога"]},
            {"service_name": "no code"},
        ]
    ).encode()
    skipped = []
    (service,) = parse_services(body, skipped=skipped)
    assert service.service_code == "17" and service.service_name == "17"
    assert service.metadata is True and service.keywords == "яма, дорога"
    assert len(skipped) == 1


def test_updates_json_and_xml():
    updates_json = json.dumps(
        [
            {
                "update_id": "u1",
                "service_request_id": 5,
                "status": "Open",
                "external_status_code": "in_progress",
                "updated_datetime": "2026-11-03T10:00:00+02:00",
                "description": "Почали",
                "media_url": "",
            },
            {"update_id": "u2", "service_request_id": "5", "updated_datetime": "never"},
            {"service_request_id": "5"},
        ]
    ).encode()
    skipped = []
    (update,) = parse_updates(updates_json, skipped=skipped)
    assert update.service_request_id == "5" and update.status == "open" and update.media_url is None
    assert len(skipped) == 2

    body = b"""<service_request_updates>
      <request_update><update_id>u1</update_id><service_request_id>5</service_request_id>
      <status>closed</status><external_status_code>fixed</external_status_code>
      <updated_datetime>2026-11-03T10:00:00Z</updated_datetime><description>Done</description></request_update>
    </service_request_updates>"""
    (update,) = parse_updates(body)
    assert update.external_status_code == "fixed"
    assert update.updated_datetime == datetime(2026, 11, 3, 10, tzinfo=timezone.utc)


def test_error_messages():
    assert parse_error_message(b'[{"code":403,"description":"Invalid api_key"}]') == "Invalid api_key"
    assert parse_error_message(b'{"code":404,"detail":"Not Found"}') == "Not Found"
    xml = b"<errors><error><code>409</code><description>changed since</description></error></errors>"
    assert parse_error_message(xml) == "changed since"
    assert parse_error_message(b"<html><body>Bad gateway</body></html>") is None
    assert parse_error_message(b"Service Unavailable") == "Service Unavailable"


def test_post_response_and_discovery():
    assert parse_post_response(b'[{"service_request_id":"9","service_notice":""}]') == {
        "service_request_id": "9",
        "service_notice": None,
    }
    xml = b"<service_requests><request><service_request_id>9</service_request_id></request></service_requests>"
    assert parse_post_response(xml) == {"service_request_id": "9"}
    assert parse_post_response(b"") == {}
    discovery = parse_discovery(b'{"changeset":"2026-01-01","endpoints":[{"url":"x","formats":["text/xml"]}]}')
    assert discovery["endpoints"][0]["url"] == "x"


def test_detect_format():
    assert detect_format(b'\xef\xbb\xbf [{"a":1}]') == "json"
    assert detect_format(b"<?xml version='1.0'?><services/>") == "xml"
    assert detect_format(b"<!DOCTYPE html><html></html>") == "html"
    assert detect_format(b"", "application/json") == "json"


def test_entity_declarations_refused():
    body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><services><service/></services>'
    with pytest.raises(ParseError):
        parse_services(body)


# -- fast path ---------------------------------------------------------------------------------------------


def _exact(value):
    """A parsed object as plain data, datetimes with their offset (``==`` alone compares instants only)."""
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), repr(value.tzinfo))
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_exact(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return (type(value).__name__, {name: _exact(getattr(value, name)) for name in value.__dataclass_fields__})
    return value


def _both_paths_agree(body, **kw) -> ParsedPage:
    fast = parse_requests(body, fast=True, **kw)
    tolerant = parse_requests(body, fast=False, **kw)
    assert _exact(fast.requests) == _exact(tolerant.requests)
    assert _exact(fast.skipped) == _exact(tolerant.skipped)
    return fast


@pytest.mark.parametrize("path", [p for p in HELSINKI_FILES if "request" in p.name], ids=lambda p: p.name)
def test_fast_and_tolerant_paths_agree_on_helsinki(path: Path):
    page = _both_paths_agree(path.read_bytes())
    assert page.requests


def test_fast_and_tolerant_paths_agree_on_the_reference_server(refserver):
    import urllib.request

    pokrov = (33.95, 47.55, 34.30, 47.75)
    count = 0
    for page_no in range(1, 100):
        url = refserver.url(
            f"requests.json?api_key=moderator-key&start_date=2000-01-01&extensions=true&page_size=200&page={page_no}"
        )
        with urllib.request.urlopen(url) as response:
            body = response.read()
        if not json.loads(body):
            break
        for box in (None, pokrov):
            page = _both_paths_agree(body, expected_bbox=box)
        count += len(page.requests)
        assert any(r.assigned_datetime for r in page.requests) and any(r.expected_datetime for r in page.requests)
    assert count >= 400
    with urllib.request.urlopen(refserver.url("servicerequestupdates.json?api_key=moderator-key&page_size=5000")) as r:
        body = r.read()
    fast, tolerant = parse_updates(body, fast=True), parse_updates(body, fast=False)
    assert len(fast) > 400 and _exact(fast) == _exact(tolerant)


ODD_RECORDS = [
    _record(lat="47,6536", long="34.1117"),
    _record(lat=" 47.6536 ", long=34),
    _record(service_request_id=2411.0),
    _record(service_request_id="  2411 "),
    _record(status="Open"),
    _record(status=" closed"),
    _record(status="action_scheduled"),
    _record(description="  пробіли  ", address="", media_url="null", service_notice="None"),
    _record(description=12.5, service_code=172, agency_responsible=True),
    _record(requested_datetime="2026-11-02T09:14:00Z", updated_datetime="2026-11-03 10:00:00"),
    _record(requested_datetime="2026-11-02T09:14:00.123456+02:00", updated_datetime="2026-11-03T10:00"),
    _record(requested_datetime="2026-11-02T09:14:00.1+0200", updated_datetime="2026-11-03T10:00:00-00:00"),
    _record(requested_datetime="2026-11-02T09:14:00.123Z", updated_datetime="2026-11-03T10:00:00.999+05:30"),
    _record(requested_datetime="2026-13-02T09:14:00+02:00"),
    _record(requested_datetime="2026-11-02T25:14:00+02:00"),
    _record(requested_datetime="2026-11-02T09:14:00+25:00"),
    _record(requested_datetime="", updated_datetime=" "),
    _record(requested_datetime=20261102),
    _record(expected_datetime="soon"),
    _record(lat=float("nan")),
    _record(lat=0, long=0),
    _record(lat=34.1117, long=47.6536),
    _record(lat=50.45, long=30.52),
    _record(lat=True, long=34.1),
    _record(extended_attributes={"external_status_code": "Fixed", "district": " center ", "duplicate_of": 77}),
    _record(extended_attributes={"assigned_datetime": "2026-11-02T09:14:00.500+02:00", "notes": [{"a": ""}]}),
    _record(extended_attributes={"assigned_datetime": "2026-11-02 09:14", "deadline": "2026-11-09"}),
    _record(extended_attributes={"assigned_datetime": "never"}),
    _record(extended_attributes={"closed_datetime": ["2026-11-02T09:14:00+02:00"]}),
    _record(extended_attributes=["not", "a", "dict"]),
    _record(extended_attributes={"external_status_code": None, "district": ""}, external_status_code="HIDDEN"),
    _record(district="east", duplicate_of="12", token="abc", extra={"k": [1, None, ""]}),
    _record(service_request_id=None),
    _record(service_request_id="   "),
]


@pytest.mark.parametrize("box", [None, POKROV])
def test_fast_and_tolerant_paths_agree_on_odd_records(box):
    body = _json(*ODD_RECORDS, "not a record", None, [1, 2])
    page = _both_paths_agree(body, expected_bbox=box)
    assert len(page.requests) + len(page.skipped) == len(ODD_RECORDS) + 3


def test_fast_and_tolerant_paths_agree_on_odd_updates():
    entry = {
        "update_id": "u1",
        "service_request_id": "2411",
        "status": "Open",
        "external_status_code": "For_Triage",
        "updated_datetime": "2026-11-02T09:14:00+02:00",
        "description": "ok",
    }
    odd = [
        entry,
        {**entry, "update_id": 7, "updated_datetime": "2026-11-02T09:14:00Z"},
        {**entry, "update_id": " u3 ", "updated_datetime": "2026-11-02 09:14", "media_url": ""},
        {**entry, "update_id": "u4", "updated_datetime": None},
        {**entry, "update_id": "u5", "updated_datetime": "later"},
        {**entry, "update_id": None},
        {**entry, "update_id": "u7", "service_request_id": ""},
        {**entry, "update_id": "u8", "status": None, "agency_responsible": 12},
    ]
    body = json.dumps([*odd, "x"]).encode()
    fast_skipped: list = []
    tolerant_skipped: list = []
    fast = parse_updates(body, skipped=fast_skipped, fast=True)
    tolerant = parse_updates(body, skipped=tolerant_skipped, fast=False)
    assert _exact(fast) == _exact(tolerant) and _exact(fast_skipped) == _exact(tolerant_skipped)
    assert len(fast) == 5 and len(fast_skipped) == 4


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-02T09:14:00+02:00",
        "2026-11-02T09:14:00-03:30",
        "2026-11-02T09:14:00.120+02:00",
        "2026-11-02T09:14:00Z",
        "2026-11-02T09:14:00.001Z",
        "2026-03-29T03:30:00+03:00",
        "2026-02-29T09:14:00+02:00",
        "2026-11-02T24:00:00+02:00",
        "2026-11-02T09:14:00+24:00",
        "2026-11-02T09:14:00+02:60",
        "2026-11-02T09:14:00.12a+02:00",
        "2026-11-02T09:14:0a+02:00",
        "2026-11-02T09:14:00 02:00",
        "2026-11-02T09:14:00+02:00 ",
        "2026-11-02T09:14:00.1234+02:00",
        "2026-11-02 09:14:00+02:00",
        "2026-11-02T09:14:00",
        "2026-11-02",
        "２０２６-11-02T09:14:00+02:00",
    ],
)
def test_cached_datetime_is_parse_datetime(text):
    from openmisto_plugin.core.open311 import parser

    parser._DT_CACHE.clear()
    try:
        expected = parse_datetime(text)
    except ValueError:
        expected = None
    for _ in range(2):  # computed, then from the cache
        assert _exact(parser._cached_datetime(text)) == _exact(expected)
