"""A broken or hostile platform cannot lose a response, take the key elsewhere or exhaust the machine (issue 10).

Each test plays the platform on 127.0.0.1 (``hostile``) and checks the outcome on real parts: the
GeoPackage outbox, the key's path on the wire (a ``trap`` listener on another host and port must see
nothing), QGIS's message log, the server's access log.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from openmisto_plugin.core.open311.client import Open311Client, Open311Error
from openmisto_plugin.core.open311.transport import NetworkError, QgisTransport
from openmisto_plugin.core.store import GeoPackageStore
from openmisto_plugin.core.sync import SyncEngine
from tests.helpers_store import req

SECRET = "k3y-that-must-not-travel-7781"
NESTED_JSON = b"[" * 100_000 + b"]" * 100_000
NESTED_XML = b"<service_requests><request>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</request></service_requests>"
ENTITY_XML = (
    b'<?xml version="1.0"?>\n<!-- ' + b"x" * 8000 + b' -->\n<!DOCTYPE e [<!ENTITY boom "' + b"A" * 100 + b'">]>'
    b"<service_request_updates><request_update><update_id>&boom;</update_id></request_update>"
    b"</service_request_updates>"
)


def _json(data) -> bytes:
    return json.dumps(data).encode()


@pytest.fixture
def store(tmp_path):
    s = GeoPackageStore.create(str(tmp_path / "ws.gpkg"))
    s.upsert_requests([req(1), req(2), req(3)])
    yield s
    s.close()


def _client(server, **kw) -> Open311Client:
    kw.setdefault("retries", 0)
    kw.setdefault("backoff_s", 0.0)
    kw.setdefault("timeout_s", 5)
    return Open311Client(server.base_url, api_key=SECRET, **kw)


def _queue(store, *ids: str) -> list[str]:
    """A moderator's change on each report, waiting in the outbox."""
    return [store.record_local_update(i, {"external_status_code": "investigating"}, "m") for i in ids]


def _posts(server) -> list:
    return [c for c in server.calls if c.method == "POST"]


def _confirming(call):
    """A well-behaved write-back: confirms each update with its update_id."""
    if call.method == "POST":
        return (
            200,
            {},
            _json([{"update_id": call.form["update_id"], "service_request_id": call.form["service_request_id"]}]),
        )
    return 200, {}, _json([])


# -- a response counts as delivered only when the answer confirms it (item 2) ------------------------------


@pytest.mark.parametrize(
    "status, body",
    [
        (200, b""),
        (200, b"{}"),
        (200, b"[]"),
        (200, _json([{"code": 400, "description": "service_request_id is required"}])),
        (200, b"<!DOCTYPE html><html><body>Wi-Fi login</body></html>"),
        (200, _json([{"service_request_id": "999"}])),
        (200, _json([{"update_id": ""}])),
        (201, NESTED_JSON),
        (200, ENTITY_XML),
        (200, b"\x00\xff garbage"),
    ],
    ids=[
        "empty",
        "object",
        "empty-list",
        "error-list",
        "html",
        "other-report",
        "blank-id",
        "nested",
        "entity",
        "binary",
    ],
)
def test_an_unconfirmed_answer_leaves_the_response_waiting(hostile, store, status, body):
    hostile.answer = (status, {}, body)
    (uid,) = _queue(store, "1")
    result = SyncEngine(store, _client(hostile)).push()
    assert (result.sent, result.refused, result.retry_later) == (0, 0, 1)
    (entry,) = store.outbox_entries()
    assert entry.update_id == uid and entry.state == "pending" and entry.attempts == 1
    assert store.report("1")["external_status_code"] == "investigating"  # the local change still shows
    assert SECRET not in (entry.last_error or "")


def test_a_confirming_answer_marks_it_sent(hostile, store):
    hostile.answer = _confirming
    _queue(store, "1", "2")
    result = SyncEngine(store, _client(hostile)).push()
    assert result.sent == 2
    assert [e.state for e in store.outbox_entries()] == ["sent", "sent"]


# -- statuses: retry later and stop, or refuse one entry (item 4) ------------------------------------------


@pytest.mark.parametrize("status", [401, 408, 429, 500, 502, 503])
def test_passing_refusals_stop_the_push_and_keep_every_entry(hostile, store, status):
    headers = {"Retry-After": "3600"} if status in (429, 503) else {}
    hostile.answer = (status, headers, _json([{"code": status, "description": "not now"}]))
    _queue(store, "1", "2", "3")
    before = datetime.now(timezone.utc)
    result = SyncEngine(store, _client(hostile)).push()
    assert (result.sent, result.refused, result.retry_later) == (0, 0, 1)
    assert len(_posts(hostile)) == 1  # stopped at the first answer
    entries = store.outbox_entries()
    assert [e.state for e in entries] == ["pending"] * 3
    assert [e.attempts for e in entries] == [1, 0, 0]
    assert [store.report(i)["external_status_code"] for i in "123"] == ["investigating"] * 3
    if headers:  # Retry-After honoured: not before an hour
        due = datetime.fromisoformat(entries[0].next_attempt_at.replace("Z", "+00:00"))
        assert due >= before + timedelta(seconds=3590)


def test_a_403_refuses_that_entry_only(hostile, store):
    def answer(call):
        if call.method == "POST" and call.form["service_request_id"] == "1":
            return 403, {}, _json([{"code": 403, "description": "Officers may not hide reports."}])
        return _confirming(call)

    hostile.answer = answer
    _queue(store, "1", "2")
    result = SyncEngine(store, _client(hostile)).push()
    assert (result.sent, result.refused) == (1, 1)
    first, second = store.outbox_entries()
    assert (first.state, first.http_status, first.last_error) == ("refused", 403, "Officers may not hide reports.")
    assert second.state == "sent"
    assert store.report("1")["external_status_code"] == "for_triage"  # the platform's value shows again


def test_an_exception_inside_the_client_does_not_kill_every_sync(hostile, store, monkeypatch):
    hostile.answer = _confirming
    _queue(store, "1", "2")
    client = _client(hostile)
    monkeypatch.setattr(client, "post_update", lambda fields: (_ for _ in ()).throw(RecursionError("deep")))
    result = SyncEngine(store, client).push()
    assert result.retry_later == 1 and [e.state for e in store.outbox_entries()] == ["pending", "pending"]


# -- a platform without write-back (issue 9, item 5) -------------------------------------------------------


@pytest.mark.parametrize("status", [404, 405, 501])
def test_no_write_back_keeps_every_entry_waiting_and_says_so_once(hostile, store, status):
    offered = {"now": False}
    posts_per_update: dict[str, int] = {}

    def answer(call):
        if call.method == "POST":
            posts_per_update[call.form["update_id"]] = posts_per_update.get(call.form["update_id"], 0) + 1
            if offered["now"]:
                return _confirming(call)
            return status, {"Content-Type": "text/html"}, b"<html><body>Not Found</body></html>"
        if call.path.endswith("/requests/1.json"):  # the report exists: the endpoint is what is missing
            return 200, {}, _json([{"service_request_id": "1", "status": "open", "lat": 47.65, "long": 34.1}])
        return 200, {}, b"[]"

    hostile.answer = answer
    uids = _queue(store, "1", "2", "3")
    engine = SyncEngine(store, _client(hostile))
    first = engine.push()
    assert first.no_write_back and first.notice and "QGIS" in first.notice
    assert (first.sent, first.refused, first.retry_later) == (0, 0, 0)
    assert len(_posts(hostile)) == 1
    assert [(e.state, e.attempts) for e in store.outbox_entries()] == [("pending", 0)] * 3
    second = engine.push()
    assert second.no_write_back and not second.notice  # told once
    offered["now"] = True  # the endpoint appears
    third = engine.push()
    assert third.sent == 3 and not third.no_write_back
    assert engine.push().sent == 0
    assert [posts_per_update[u] for u in uids] == [3, 1, 1]  # the probe entry twice before; each delivered once
    assert [e.state for e in store.outbox_entries()] == ["sent"] * 3


def test_waiting_responses_can_be_exported_to_enter_by_hand(hostile, store, tmp_path):
    import csv

    import openpyxl

    from openmisto_plugin.core.outbox_export import export_waiting

    hostile.answer = (405, {}, b"")
    store.record_local_update("2", {"external_status_code": "fixed", "description": "Яму засипано; ="}, "officer")
    _queue(store, "1")
    assert SyncEngine(store, _client(hostile)).push().no_write_back
    assert export_waiting(store, tmp_path / "waiting.xlsx") == 2
    sheet = openpyxl.load_workbook(tmp_path / "waiting.xlsx").active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [r[0] for r in rows[1:]] == ["2", "1"]  # oldest first, the order to enter them
    assert rows[1][5] == "Яму засипано; =" and rows[1][3]  # the answer and the new status, as text
    assert export_waiting(store, tmp_path / "waiting.csv") == 2
    with open(tmp_path / "waiting.csv", encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle, delimiter=";" if ";" in handle.readline() else ","))
    assert len(table) == 2 and table[0][0] == "2"
    assert [e.state for e in store.outbox_entries()] == ["pending", "pending"]


def test_a_404_for_a_report_the_platform_does_not_know_refuses_that_entry(hostile, store):
    def answer(call):
        if call.method == "POST":
            if call.form["service_request_id"] == "1":
                return 404, {}, _json([{"code": 404, "description": "Service request 1 not found."}])
            return _confirming(call)
        return 404, {}, _json([{"code": 404, "description": "Service request 1 not found."}])

    hostile.answer = answer
    _queue(store, "1", "2")
    result = SyncEngine(store, _client(hostile)).push()
    assert (result.refused, result.sent, result.no_write_back) == (1, 1, False)


# -- the key goes only where it may (item 3) ----------------------------------------------------------------


def test_key_in_header_on_get_and_in_body_on_post_never_in_a_url(hostile, store):
    hostile.answer = _confirming
    client = _client(hostile)
    client.services()
    _queue(store, "1")
    SyncEngine(store, client).push()
    get, post = hostile.calls[0], _posts(hostile)[0]
    assert get.headers["x-api-key"] == SECRET and "api_key" not in get.query
    assert post.form["api_key"] == SECRET and "api_key" not in post.query and "x-api-key" not in post.headers
    assert not any(SECRET in line for line in hostile.log)  # the server's access log


def test_key_in_the_query_only_when_asked(hostile):
    _client(hostile, key_in_query=True).services()
    assert hostile.calls[0].query["api_key"] == SECRET and "x-api-key" not in hostile.calls[0].headers


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_never_followed(hostile, trap, store, status):
    hostile.answer = (status, {"Location": trap.base_url + "servicerequestupdates.json"}, b"")
    with pytest.raises(Open311Error) as info:
        _client(hostile).services()
    assert info.value.kind == "redirect" and trap.root in info.value.message
    _queue(store, "1")
    result = SyncEngine(store, _client(hostile)).push()
    assert result.retry_later == 1 and store.outbox_entries()[0].state == "pending"
    assert trap.calls == []


def test_a_next_page_link_elsewhere_is_not_followed_with_the_key(hostile, trap):
    def answer(call):
        page = int(call.query.get("page", "1"))
        records = [
            {"service_request_id": str(page * 10 + i), "status": "open", "lat": 47.65, "long": 34.1} for i in range(2)
        ]
        headers = (
            {"X-Next-Page-URL": f"{trap.base_url}requests.json?page={page + 1}&api_key=stolen"} if page < 3 else {}
        )
        return 200, headers, _json(records if page <= 3 else [])

    hostile.answer = answer
    pages = list(_client(hostile, page_size=2).iter_request_pages())
    assert sum(len(p.requests) for p in pages) == 6  # paging went on by page number, on the platform
    assert trap.calls == []
    assert all(c.headers.get("x-api-key") == SECRET for c in hostile.calls)


def test_next_page_links_keep_the_configured_origin():
    client = Open311Client("https://misto.example/open311/v2/", api_key=SECRET)
    same = "https://misto.example/open311/v2/requests.json?page=2&api_key=x"
    assert client._next_link(same) == "https://misto.example/open311/v2/requests.json?page=2"
    # behind a TLS proxy the server writes http:// links: rebuilt on https, never downgraded
    assert client._next_link("http://misto.example/open311/v2/requests.json?page=2") == same.split("&")[0]
    assert client._next_link("http://misto.example:8080/open311/v2/requests.json?page=2") is None
    assert client._next_link("https://evil.example/open311/v2/requests.json?page=2") is None
    assert client._next_link("https://misto.example:8443/x?page=2") is None
    plain = Open311Client("http://127.0.0.1:8311/open311/v2/", api_key=SECRET)
    assert plain._next_link("https://127.0.0.1:8311/open311/v2/requests.json?page=2") is None


def test_no_key_over_plain_http_to_another_machine(qgis_app):
    client = Open311Client("http://platform.invalid/open311/v2/", api_key=SECRET, retries=0)
    with pytest.raises(Open311Error) as info:
        client.services()
    assert info.value.kind == "insecure" and SECRET not in str(info.value)  # refused before any lookup
    allowed = Open311Client("http://platform.invalid/open311/v2/", api_key=SECRET, retries=0, allow_plain_http=True)
    with pytest.raises(Open311Error) as info:
        allowed.services()
    assert info.value.kind == "unreachable"  # this one did try
    anonymous = Open311Client("http://platform.invalid/open311/v2/", retries=0)
    with pytest.raises(Open311Error) as info:
        anonymous.services()
    assert info.value.kind == "unreachable"  # no key, nothing to protect


def test_the_key_is_in_no_log_and_no_error_text(hostile, store):
    from qgis.core import QgsApplication

    from openmisto_plugin.core.log import setup_logging, teardown_logging

    messages: list[str] = []

    def record(message, *_args):
        messages.append(message)

    QgsApplication.messageLog().messageReceived.connect(record)
    setup_logging()
    try:
        echo = _json([{"code": 400, "description": f"api_key {SECRET} is not valid here"}])
        hostile.answer = lambda call: (400, {}, echo) if call.method == "POST" else (500, {}, echo)
        _queue(store, "1")
        result = SyncEngine(store, _client(hostile)).push()
        with pytest.raises(Open311Error) as info:
            _client(hostile).services()
        QgsApplication.processEvents()
    finally:
        teardown_logging()
        QgsApplication.messageLog().messageReceived.disconnect(record)
    assert result.refused == 1
    texts = [
        *messages,
        *result.errors,
        store.outbox_entries()[0].last_error,
        str(info.value),
        info.value.user_message(),
    ]
    assert any("is not valid here" in t for t in texts)  # the platform's words are kept…
    assert not any(SECRET in (t or "") for t in texts)  # …without the key
    assert messages


# -- bounded resources (item 9) -----------------------------------------------------------------------------


def test_an_answer_above_the_size_limit_is_cut(hostile):
    hostile.answer = (200, {}, b"[" + b'{"service_request_id":"1"},' * 5000 + b"{}]")
    with pytest.raises(NetworkError) as info:
        QgisTransport(max_bytes=20_000).request("GET", hostile.base_url + "requests.json")
    assert info.value.kind == "too_large"
    client = Open311Client(hostile.base_url, transport=QgisTransport(max_bytes=20_000), retries=0)
    with pytest.raises(Open311Error) as error:
        client.services()
    assert error.value.kind == "too_large"


def test_a_slow_endless_stream_is_cut_by_the_total_deadline(hostile):
    hostile.answer = "stream"
    started = time.monotonic()
    with pytest.raises(NetworkError) as info:
        QgisTransport(deadline_s=1.5, max_bytes=10**9).request("GET", hostile.base_url + "requests.json", timeout_s=5)
    assert info.value.kind == "timeout" and "in total" in info.value.message
    assert time.monotonic() - started < 5


def test_an_endless_stream_is_cut_by_the_size_limit(hostile):
    hostile.answer = "stream"
    with pytest.raises(NetworkError) as info:
        QgisTransport(max_bytes=200_000).request("GET", hostile.base_url + "requests.json", timeout_s=5)
    assert info.value.kind == "too_large"


def test_paging_stops_at_the_page_limit(hostile):
    def answer(call):
        page = int(call.query.get("page", "1"))
        return 200, {}, _json([{"service_request_id": str(page), "status": "open", "lat": 47.6, "long": 34.1}])

    hostile.answer = answer
    with pytest.raises(Open311Error) as info:
        list(_client(hostile, page_size=1, max_pages=5).iter_request_pages())
    assert info.value.kind == "too_large" and len(hostile.calls) == 5


@pytest.mark.parametrize("body", [NESTED_JSON, NESTED_XML], ids=["json", "xml"])
def test_deep_nesting_is_a_parse_error(hostile, body):
    hostile.answer = (200, {"Content-Type": "application/xml" if body.startswith(b"<") else "application/json"}, body)
    with pytest.raises(Open311Error) as info:
        list(_client(hostile).iter_request_pages())
    assert info.value.kind == "parse" and "nested" in info.value.message


@pytest.mark.parametrize("body", [NESTED_JSON, NESTED_XML, ENTITY_XML], ids=["json", "xml", "entity"])
def test_hostile_error_bodies_do_not_escape_the_push(hostile, store, body):
    hostile.answer = (500, {}, body)
    _queue(store, "1", "2")
    engine = SyncEngine(store, _client(hostile))
    for _ in range(2):  # the same entry again: the sync does not die on it
        result = engine.push()
        assert result.retry_later in (0, 1) and not result.sent
    assert [e.state for e in store.outbox_entries()] == ["pending", "pending"]


# -- item 10: the id stays in its path segment; the entity guard sees the whole document ---------------------


def test_a_report_id_cannot_reach_other_paths(hostile):
    hostile.answer = (200, {}, b"[]")
    _client(hostile).request("../../admin/delete?x=1#")
    (call,) = hostile.calls
    assert call.path.startswith("/open311/v2/requests/") and "/admin/" not in call.path
    assert "%2F" in call.path and call.query.get("x") is None
    assert _client(hostile).request("..").requests == [] and len(hostile.calls) == 1  # not sent at all


def test_entities_are_refused_anywhere_in_a_page(hostile):
    hostile.answer = (200, {"Content-Type": "application/xml"}, ENTITY_XML)
    with pytest.raises(Open311Error) as info:
        list(_client(hostile, fmt="xml").iter_updates())
    assert info.value.kind == "parse" and "DTD" in info.value.message


# -- the reference server: what it serves to whom (items 8 and 10) -----------------------------------------


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_server_keeps_internal_notes_from_the_anonymous_public(refserver):
    status, _headers, body = _get(refserver.url("requests.json?extensions=true&page_size=400"))
    public = json.loads(body)
    assert status == 200 and public
    assert not any("notes" in (r.get("extended_attributes") or {}) for r in public)
    key = {"X-Api-Key": refserver.keys["moderator"]}
    staff = json.loads(_get(refserver.url("requests.json?extensions=true&page_size=400"), key)[2])
    assert all("notes" in r["extended_attributes"] for r in staff)
    with_notes = next(r for r in staff if r["extended_attributes"]["notes"])
    one = json.loads(_get(refserver.url(f"requests/{with_notes['service_request_id']}.json?extensions=true"))[2])
    assert "notes" not in one[0]["extended_attributes"]


@pytest.mark.parametrize("page", ["1000000001", "10" * 20, "99999999999999999999999999999"])
def test_the_server_answers_a_huge_page_with_400_not_500(refserver, page):
    status, _headers, body = _get(refserver.url(f"requests.json?page={page}"))
    assert status == 400 and b"page must be at most" in body


def test_the_server_writes_https_links_behind_a_tls_proxy(refserver):
    _status, headers, _body = _get(refserver.url("requests.json?page_size=10"), {"X-Forwarded-Proto": "https"})
    assert headers["X-Next-Page-URL"].startswith("https://")


def test_the_server_checks_who_asks_before_answering_a_replayed_update_id(fresh_refserver):
    import sqlite3

    with sqlite3.connect(fresh_refserver.db_path) as conn:
        rid, agency = conn.execute(
            "SELECT id, agency_responsible FROM requests WHERE agency_responsible IS NOT NULL"
            " AND external_status_code = 'action_scheduled' ORDER BY id LIMIT 1"
        ).fetchone()
    other = next(
        k for name, k in fresh_refserver.keys.items() if name.startswith("officer:") and name != f"officer:{agency}"
    )
    moderator = Open311Client(fresh_refserver.base_url, api_key=fresh_refserver.keys["moderator"], retries=0)
    fields = {"service_request_id": str(rid), "update_id": "replay-probe-1", "description": "Внутрішня примітка"}
    first = moderator.post_update({**fields, "external_status_code": "investigating"})
    again = moderator.post_update({**fields, "external_status_code": "investigating"})
    assert again == first  # the same caller's repeat is answered as before
    stranger = Open311Client(fresh_refserver.base_url, api_key=other, retries=0)
    with pytest.raises(Open311Error) as info:
        stranger.post_update(fields)
    assert info.value.kind == "forbidden" and "Внутрішня" not in str(info.value)
    with pytest.raises(Open311Error) as info:
        moderator.post_update({**fields, "service_request_id": str(rid + 1)})
    assert info.value.kind == "conflict"


def test_a_deeply_nested_extension_answer_is_a_parse_error(hostile):
    hostile.answer = (200, {}, NESTED_JSON)
    with pytest.raises(Open311Error) as info:
        _client(hostile).districts()
    assert info.value.kind == "parse" and "nested" in info.value.message
