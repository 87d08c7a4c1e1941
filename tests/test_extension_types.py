"""Issue 9, item 7: extension data keeps its JSON types; the XML and the JSON of a record give the same result;
FixMyStreet update feeds are read under both root names seen in the wild."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from openmisto_plugin.core.open311.parser import parse_requests, parse_updates
from openmisto_plugin.core.store.gpkg import GeoPackageStore
from server.formats import render
from tests.test_parser import _exact

DATA = Path(__file__).resolve().parent / "data" / "open311"
HELSINKI = DATA / "helsinki"

BASE = {
    "service_request_id": "2411",
    "status": "open",
    "service_code": "roads.pothole",
    "description": "Яма біля школи",
    "requested_datetime": "2026-11-02T09:14:00+02:00",
    "updated_datetime": "2026-11-03T10:00:00+02:00",
    "address": "вул. Центральна, 12",
    "lat": 47.6536,
    "long": 34.1117,
}
POINT = {"type": "Point", "coordinates": [34.1117, 47.6536]}
POLYGON = {
    "type": "Polygon",
    "coordinates": [[[34.11, 47.65], [34.12, 47.65], [34.12, 47.66], [34.11, 47.66], [34.11, 47.65]]],
}
# Extension data as a server builds it (typed), each record with a different shape.
EXTENSIONS = [
    {"external_status_code": "in_progress", "district": "center", "notes": [{"text": "перший", "order": 1}]},
    {"priority": 3, "ratio": 0.25, "urgent": True, "public": False, "geometry": POINT},
    {"area": POLYGON, "tags": ["яма", "дорога"], "inspection": {"done": False, "score": 7.5, "by": None}},
    {"duplicate_of": "2400", "ward_id": 17, "photo_ids": [1, 2], "empty_list": [], "empty": {}, "blank": ""},
    {"notes": [], "counts": [0, -1, 12345678901234], "nested": {"deeper": {"value": -0.5}}},
]


def _records() -> list[dict]:
    records = []
    for number, extension in enumerate(EXTENSIONS):
        record = copy.deepcopy(BASE)
        record["service_request_id"] = str(2411 + number)
        record["extended_attributes"] = copy.deepcopy(extension)
        records.append(record)
    return records


def test_extension_data_keeps_its_json_types():
    page = parse_requests(json.dumps(_records()).encode())
    by_id = {r.service_request_id: r.extended for r in page.requests}
    assert by_id["2412"]["priority"] == 3 and isinstance(by_id["2412"]["priority"], int)
    assert by_id["2412"]["ratio"] == 0.25 and by_id["2412"]["urgent"] is True and by_id["2412"]["public"] is False
    assert by_id["2412"]["geometry"] == POINT
    assert by_id["2413"]["area"] == POLYGON
    assert by_id["2413"]["inspection"] == {"done": False, "score": 7.5, "by": None}  # nested nulls keep their place
    assert by_id["2411"]["notes"] == [{"text": "перший", "order": 1}]
    assert by_id["2415"]["counts"] == [0, -1, 12345678901234]
    # identifiers are text in both formats (XML cannot tell an id "17" from the number 17)
    assert by_id["2414"]["ward_id"] == "17" and by_id["2414"]["photo_ids"] == ["1", "2"]
    # empty text, list and object are null; null members of the top level are dropped
    assert not {"empty_list", "empty", "blank"} & set(by_id["2414"]) and "notes" not in by_id["2415"]


def test_geojson_in_extension_data_stays_valid_geojson():
    from osgeo import ogr

    for fmt in ("json", "xml"):
        page = parse_requests(render(_records(), "requests", fmt))
        by_id = {r.service_request_id: r.extended for r in page.requests}
        point = ogr.CreateGeometryFromJson(json.dumps(by_id["2412"]["geometry"]))
        polygon = ogr.CreateGeometryFromJson(json.dumps(by_id["2413"]["area"]))
        assert point is not None and (point.GetX(), point.GetY()) == (34.1117, 47.6536), fmt
        assert polygon is not None and polygon.GetArea() == pytest.approx(0.0001), fmt


def test_xml_and_json_of_generated_records_agree():
    """The reference server's own serialiser writes the same records as JSON and as XML."""
    from_json = parse_requests(render(_records(), "requests", "json"), fast=False)
    from_xml = parse_requests(render(_records(), "requests", "xml"))
    assert len(from_json.requests) == len(EXTENSIONS) and not from_json.skipped and not from_xml.skipped
    assert _exact(from_xml.requests) == _exact(from_json.requests)
    assert _exact(parse_requests(render(_records(), "requests", "json")).requests) == _exact(from_json.requests)


@pytest.mark.parametrize("name", ["requests", "request_by_id"])
def test_xml_and_json_of_real_files_agree(name):
    from_json = parse_requests((HELSINKI / f"{name}.json").read_bytes())
    from_xml = parse_requests((HELSINKI / f"{name}.xml").read_bytes())
    assert from_json.requests and _exact(from_xml.requests) == _exact(from_json.requests)
    assert from_json.skipped == from_xml.skipped == []


def test_xml_forms_of_null_empty_and_lists():
    """xsi:nil, an empty element, an empty string; a one-element list; namespaces and element case."""
    body_xml = """<?xml version="1.0"?>
<service_requests xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ext="urn:x-ext">
 <request>
  <service_request_id>77</service_request_id><status>Open</status><lat>47.65</lat><long>34.11</long>
  <extended_attributes>
   <nil_one xsi:nil="true"/><empty_one/><blank_one>   </blank_one><zero>0</zero><code>007</code>
   <notes><note><text>one</text></note></notes>
   <items><item>5</item></items>
   <ext:WardName> Центр </ext:WardName>
   <coordinates><position>34.11</position><position>47.65</position></coordinates>
   <flag>true</flag><word>truth</word><big>1234567890123456789</big><leading>0012</leading>
  </extended_attributes>
 </request>
</service_requests>""".encode()
    body_json = json.dumps(
        [
            {
                "service_request_id": "77",
                "status": "Open",
                "lat": "47.65",
                "long": "34.11",
                "extended_attributes": {
                    "nil_one": None,
                    "empty_one": "",
                    "blank_one": "   ",
                    "zero": 0,
                    "code": "007",
                    "notes": [{"text": "one"}],
                    "items": [5],
                    "WardName": " Центр ",
                    "coordinates": [34.11, 47.65],
                    "flag": True,
                    "word": "truth",
                    "big": "1234567890123456789",
                    "leading": "0012",
                },
            }
        ]
    ).encode()
    (from_xml,) = parse_requests(body_xml).requests
    (from_json,) = parse_requests(body_json).requests
    assert _exact(from_xml) == _exact(from_json)
    assert from_xml.extended == {
        "zero": 0,
        "code": "007",
        "notes": [{"text": "one"}],
        "items": [5],
        "WardName": "Центр",
        "coordinates": [34.11, 47.65],
        "flag": True,
        "word": "truth",
        "big": "1234567890123456789",
        "leading": "0012",
    }


def test_extension_types_survive_both_stores(tmp_path, pg_store):
    page = parse_requests(render(_records(), "requests", "xml"))
    expected = {r.service_request_id: r.extended for r in page.requests}
    with GeoPackageStore.create(str(tmp_path / "ws.gpkg")) as gpkg:
        for store in (gpkg, pg_store):
            store.upsert_requests(page.requests)
            for sid, extended in expected.items():
                stored = json.loads(store.report(sid)["extended_json"])
                assert stored == extended, (store.provider, sid)
                assert _exact(stored) == _exact(extended)  # 3 stays int, 0.25 float, True bool
            assert store.upsert_requests(parse_requests(render(_records(), "requests", "json")).requests).unchanged == 5


# ------------------------------------------------------------------ FixMyStreet update feeds


UPDATE = {
    "update_id": "u1",
    "service_request_id": "2411",
    "status": "open",
    "external_status_code": "action_scheduled",
    "updated_datetime": "2026-11-03T10:00:00+02:00",
    "description": "Передано виконавцю",
    "agency_responsible": "ujkg",
}


@pytest.mark.parametrize("root", ["service_requests_updates", "service_request_updates"])
def test_fixmystreet_update_feeds_under_both_root_names(root):
    items = "".join(f"<{k}>{v}</{k}>" for k, v in UPDATE.items())
    second = items.replace(">u1<", ">u2<")
    xml = f'<?xml version="1.0"?><{root}><request_update>{items}</request_update>'
    xml += f"<request_update>{second}</request_update></{root}>"
    wrapped = json.dumps({root: [UPDATE, {**UPDATE, "update_id": "u2"}]}).encode()
    plain = json.dumps([UPDATE, {**UPDATE, "update_id": "u2"}]).encode()
    results = [parse_updates(body) for body in (xml.encode(), wrapped, plain)]
    assert all(_exact(r) == _exact(results[2]) for r in results)
    assert [u.update_id for u in results[0]] == ["u1", "u2"]
    assert results[0][0].external_status_code == "action_scheduled"
