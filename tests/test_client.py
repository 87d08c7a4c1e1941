"""Open311 client tests: a tiny in-test HTTP server for faults, and the project's reference server.

Everything goes through QGIS networking (``QgisTransport``), as in the plugin.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from openmisto_plugin.core.open311.client import Open311Client, Open311Error
from openmisto_plugin.core.open311.transport import HttpResponse, NetworkError, QgisTransport

SECRET = "s3cret-key-123"

Answer = tuple[int, dict[str, str], bytes]


def _record(i: int, **extra) -> dict:
    return {
        "service_request_id": str(i),
        "status": "open",
        "service_code": "roads.pothole",
        "requested_datetime": "2026-11-02T09:14:00+02:00",
        "updated_datetime": "2026-11-03T10:00:00+02:00",
        "lat": 47.65 + i / 10000,
        "long": 34.11,
        **extra,
    }


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


class StubServer:
    """A scripted HTTP server on 127.0.0.1: ``handler(method, path, query, form) -> (status, headers, body)``.

    A handler may also return ``"sleep:<seconds>"`` (no answer for that long) or
    ``"close"`` (drop the connection without an answer).
    """

    def __init__(self) -> None:
        self.handler: Callable[..., Answer | str] = lambda *a: (200, {}, b"[]")
        self.calls: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                form: dict[str, str] = {}
                if method == "POST":
                    length = int(self.headers.get("Content-Length") or 0)
                    raw = self.rfile.read(length).decode("utf-8")
                    form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                stub.calls.append(
                    {
                        "method": method,
                        "path": parts.path,
                        "query": query,
                        "form": form,
                        "content_type": self.headers.get("Content-Type"),
                        "key_header": self.headers.get("X-Api-Key"),
                    }
                )
                answer = stub.handler(method, parts.path, query, form)
                try:
                    if isinstance(answer, str) and answer.startswith("sleep:"):
                        time.sleep(float(answer.split(":", 1)[1]))
                        answer = (200, {}, b"[]")
                    if answer == "close":
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    status, headers, body = answer
                    self.send_response(status)
                    headers = {"Content-Type": "application/json; charset=utf-8", **headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (timeout test)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/open311/v2/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def stub(qgis_app):
    server = StubServer()
    yield server
    server.close()


def _client(stub: StubServer, **kw) -> Open311Client:
    kw.setdefault("retries", 2)
    kw.setdefault("backoff_s", 0.01)
    kw.setdefault("timeout_s", 5)
    return Open311Client(stub.base_url, **kw)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- transport


def test_transport_returns_http_errors_as_responses(stub):
    stub.handler = lambda *a: (404, {"X-Thing": "1"}, b'{"code":404,"detail":"Not Found"}')
    response = QgisTransport().request("GET", stub.base_url + "requests.json", params={"a": "b c", "x": None})
    assert isinstance(response, HttpResponse)
    assert response.status == 404 and response.headers["x-thing"] == "1"
    assert response.body == b'{"code":404,"detail":"Not Found"}'
    assert stub.calls[0]["query"] == {"a": "b c"}


def test_transport_posts_form_encoded(stub):
    stub.handler = lambda *a: (200, {}, b"[]")
    QgisTransport().request("POST", stub.base_url + "x.json", data={"description": "Яма & вода", "n": 3})
    call = stub.calls[0]
    assert call["content_type"] == "application/x-www-form-urlencoded"
    assert call["form"] == {"description": "Яма & вода", "n": "3"}


def test_transport_masks_api_key_in_url(stub):
    response = QgisTransport().request("GET", stub.base_url + "services.json", params={"api_key": SECRET})
    assert SECRET not in response.url and "api_key=***" in response.url
    assert stub.calls[0]["query"]["api_key"] == SECRET


def test_transport_unreachable(qgis_app):
    with pytest.raises(NetworkError) as info:
        QgisTransport().request("GET", f"http://127.0.0.1:{_free_port()}/x.json")
    assert info.value.kind == "unreachable"


def test_transport_timeout(stub):
    stub.handler = lambda *a: "sleep:3"
    started = time.monotonic()
    with pytest.raises(NetworkError) as info:
        QgisTransport().request("GET", stub.base_url + "services.json", timeout_s=0.5)
    assert info.value.kind == "timeout"
    assert time.monotonic() - started < 2.5


def test_transport_tls_error(stub):
    """Speaking TLS to a plain-HTTP port fails the handshake."""
    with pytest.raises(NetworkError) as info:
        QgisTransport().request("GET", f"https://127.0.0.1:{stub.port}/open311/v2/services.json", timeout_s=5)
    assert info.value.kind == "tls"


# ---------------------------------------------------------------- client: faults and retries


def test_server_down_is_unreachable(qgis_app):
    client = Open311Client(f"http://127.0.0.1:{_free_port()}/open311/v2", retries=1, backoff_s=0.01)
    with pytest.raises(Open311Error) as info:
        client.services()
    assert info.value.kind == "unreachable"
    assert info.value.user_message()
    with pytest.raises(Open311Error) as info:
        client.test_connection()
    assert info.value.kind == "unreachable"


def test_timeout_is_retried_then_reported(stub):
    stub.handler = lambda *a: "sleep:2"
    client = _client(stub, timeout_s=0.3, retries=1)
    with pytest.raises(Open311Error) as info:
        client.services()
    assert info.value.kind == "timeout"
    assert len(stub.calls) == 2


def test_500_then_success(stub):
    answers = iter([(500, {}, b"oops"), (503, {}, b""), (200, {}, b'[{"service_code":"a","service_name":"A"}]')])
    stub.handler = lambda *a: next(answers)
    (service,) = _client(stub).services()
    assert service.service_code == "a"
    assert len(stub.calls) == 3


def test_500_forever_gives_server_error(stub):
    stub.handler = lambda *a: (500, {}, b'[{"code":500,"description":"database down"}]')
    with pytest.raises(Open311Error) as info:
        _client(stub, retries=2).services()
    assert info.value.kind == "server" and info.value.http_status == 500
    assert info.value.platform_message == "database down"
    assert len(stub.calls) == 3


@pytest.mark.parametrize(
    ("status", "body", "kind", "platform"),
    [
        (400, b'[{"code":400,"description":"service_code is required"}]', "bad_request", "service_code is required"),
        (403, b'[{"code":403,"description":"Invalid api_key"}]', "forbidden", "Invalid api_key"),
        (404, b'{"code":404,"detail":"Not Found"}', "not_found", "Not Found"),
        (
            409,
            b"<errors><error><code>409</code><description>changed</description></error></errors>",
            "conflict",
            "changed",
        ),
    ],
)
def test_4xx_not_retried_and_clear(stub, status, body, kind, platform):
    stub.handler = lambda *a: (status, {}, body)
    with pytest.raises(Open311Error) as info:
        _client(stub).services()
    error = info.value
    assert (error.kind, error.http_status, error.platform_message) == (kind, status, platform)
    assert len(stub.calls) == 1
    assert platform in error.user_message()


def test_truncated_json_page_is_a_parse_error(stub):
    body = _json([_record(i) for i in range(5)])
    stub.handler = lambda *a: (200, {}, body[:-40])
    with pytest.raises(Open311Error) as info:
        list(_client(stub).iter_request_pages())
    assert info.value.kind == "parse" and "JSON" in info.value.message
    assert len(stub.calls) == 1  # not retried


def test_truncated_xml_page_is_a_parse_error(stub):
    items = "".join(
        f"<request><service_request_id>{i}</service_request_id><lat>47.6</lat><long>34.1</long></request>"
        for i in range(5)
    )
    body = f"<?xml version='1.0'?><service_requests>{items}</service_requests>".encode()
    stub.handler = lambda *a: (200, {"Content-Type": "text/xml"}, body[:-30])
    with pytest.raises(Open311Error) as info:
        list(_client(stub, fmt="xml").iter_request_pages())
    assert info.value.kind == "parse" and "XML" in info.value.message
    assert stub.calls[0]["path"].endswith("/requests.xml")


def test_page_with_one_bad_record_keeps_the_rest(stub):
    records = [_record(i) for i in range(1, 6)]
    records[1]["updated_datetime"] = "the day before yesterday"
    records[2]["lat"] = 0  # no real position: kept without one (issue 9), not skipped
    records[2]["long"] = 0
    stub.handler = lambda *a: (200, {}, _json(records))
    (page,) = list(_client(stub, page_size=10).iter_request_pages())
    assert len(page.requests) == 4 and len(page.skipped) == 1
    assert page.skipped[0].record_id == "2"
    assert [r.service_request_id for r in page.without_position] == ["3"]


def test_html_answer_is_not_open311(stub):
    html = b"<!DOCTYPE html><html><body><h1>Welcome to nginx</h1></body></html>"
    stub.handler = lambda *a: (200, {"Content-Type": "text/html"}, html)
    with pytest.raises(Open311Error) as info:
        _client(stub).test_connection()
    assert info.value.kind == "not_open311"
    with pytest.raises(Open311Error) as info:
        _client(stub).services()
    assert info.value.kind == "not_open311"
    with pytest.raises(Open311Error) as info:
        _client(stub).post_update({"service_request_id": "1", "update_id": "u"})
    assert info.value.kind == "not_open311"  # a captive portal is no confirmation


@pytest.mark.parametrize(
    "answer",
    [(404, {}, b"<html><body>Not here</body></html>"), (200, {}, b'{"hello": "world"}'), (200, {}, b'[{"a": 1}]')],
    ids=["404", "json-object", "json-without-services"],
)
def test_test_connection_not_open311(stub, answer):
    stub.handler = lambda *a: answer
    with pytest.raises(Open311Error) as info:
        _client(stub).test_connection()
    assert info.value.kind == "not_open311"


def test_test_connection_bad_key(stub):
    def handler(method, path, query, form):
        if path.endswith("services.json"):
            return 200, {}, b'[{"service_code":"a","service_name":"A"}]'
        return 403, {}, b'[{"code":403,"description":"Invalid api_key"}]'

    stub.handler = handler
    with pytest.raises(Open311Error) as info:
        _client(stub, api_key="wrong").test_connection()
    assert info.value.kind == "forbidden"


def test_test_connection_summary(stub):
    def handler(method, path, query, form):
        if path.endswith("services.json"):
            return 200, {}, b'[{"service_code":"a","service_name":"A"},{"service_code":"b","service_name":"B"}]'
        return 200, {"X-Result-Count": "42"}, _json([_record(1)])

    stub.handler = handler
    summary = _client(stub, api_key=SECRET).test_connection()
    assert "2" in summary and "42" in summary


def test_api_key_never_logged(stub, caplog):
    stub.handler = lambda *a: (500, {}, b"error")
    caplog.set_level(logging.DEBUG, logger="openmisto_plugin")
    with pytest.raises(Open311Error) as info:
        _client(stub, api_key=SECRET, retries=1).services()
    assert stub.calls[0]["key_header"] == SECRET and "api_key" not in stub.calls[0]["query"]
    assert caplog.records
    assert SECRET not in caplog.text
    assert SECRET not in str(info.value) and SECRET not in info.value.user_message()


# ---------------------------------------------------------------- client: paging


def _paged_handler(records: list[dict], past_end: int = 404):
    """Page/page_size paging, Helsinki style (404 past the end, X-Result-Count)."""

    def handler(method, path, query, form):
        size = int(query.get("page_size", 1000))
        page = int(query.get("page", 1))
        chunk = records[(page - 1) * size : page * size]
        if not chunk and page > 1:
            return past_end, {}, b'{"code":404,"detail":"Not Found"}' if past_end == 404 else b"[]"
        return 200, {"X-Result-Count": str(len(records))}, _json(chunk)

    return handler


@pytest.mark.parametrize("count", [0, 7, 20, 25])
def test_page_number_paging(stub, count):
    records = [_record(i) for i in range(count)]
    stub.handler = _paged_handler(records)
    pages = list(_client(stub, page_size=10, api_key=SECRET).iter_request_pages())
    ids = [r.service_request_id for p in pages for r in p.requests]
    assert ids == [str(i) for i in range(count)]
    assert all(p.total_count == count for p in pages)
    assert all(c["key_header"] == SECRET and c["query"]["page_size"] == "10" for c in stub.calls)
    assert not any("api_key" in c["query"] for c in stub.calls)
    # 20 = two full pages, then a 404 past the end; otherwise a short (or empty) page ends it
    assert len(stub.calls) == {0: 1, 7: 1, 20: 3, 25: 3}[count]


def test_page_number_paging_server_capping_page_size(stub):
    """A server that serves 10 while we asked 50: X-Result-Count keeps the walk going."""
    records = [_record(i) for i in range(25)]

    def handler(method, path, query, form):
        page = int(query.get("page", 1))
        return 200, {"X-Result-Count": "25"}, _json(records[(page - 1) * 10 : page * 10])

    stub.handler = handler
    pages = list(_client(stub, page_size=50).iter_request_pages())
    assert sum(len(p.requests) for p in pages) == 25


def test_server_ignoring_page_parameter_does_not_loop(stub):
    records = [_record(i) for i in range(10)]
    stub.handler = lambda *a: (200, {}, _json(records))
    pages = list(_client(stub, page_size=10).iter_request_pages())
    # page 2 repeats page 1: date windows instead; this stub ignores the dates too, so the
    # two halves of the window bring nothing new and the walk ends
    assert [len(p.requests) for p in pages] == [10] and len(stub.calls) == 4
    assert "start_date" in stub.calls[-1]["query"] and "page" not in stub.calls[-1]["query"]


def test_next_page_url_paging(stub):
    records = [_record(i) for i in range(23)]

    def handler(method, path, query, form):
        page = int(query.get("page", 1))
        chunk = records[(page - 1) * 10 : page * 10]
        headers = {"X-Result-Count": "23", "X-Page-Count": "3"}
        if page == 1:  # absolute next URL without the key
            headers["X-Next-Page-URL"] = f"http://127.0.0.1:{stub.port}/open311/v2/requests.json?page=2&page_size=10"
        elif page == 2:  # relative next URL
            headers["X-Next-Page-URL"] = "requests.json?page=3&page_size=10"
        return 200, headers, _json(chunk)

    stub.handler = handler
    pages = list(_client(stub, page_size=10, api_key=SECRET).iter_request_pages())
    assert [len(p.requests) for p in pages] == [10, 10, 3]
    assert [r.service_request_id for p in pages for r in p.requests] == [str(i) for i in range(23)]
    assert [c["query"].get("page") for c in stub.calls] == ["1", "2", "3"]
    assert all(c["key_header"] == SECRET and "api_key" not in c["query"] for c in stub.calls)
    assert pages[0].next_page_url and SECRET not in pages[0].next_page_url
    assert pages[-1].next_page_url is None and pages[0].total_count == 23


def test_next_page_url_full_last_page_stops_without_header(stub):
    """A server that pages by next URL ends when it sends none, even after a full page."""
    records = [_record(i) for i in range(20)]

    def handler(method, path, query, form):
        page = int(query.get("page", 1))
        headers = {"X-Next-Page-URL": "requests.json?page=2&page_size=10"} if page == 1 else {}
        return 200, headers, _json(records[(page - 1) * 10 : page * 10])

    stub.handler = handler
    pages = list(_client(stub, page_size=10).iter_request_pages())
    assert sum(len(p.requests) for p in pages) == 20 and len(stub.calls) == 2


def test_request_filters_on_the_wire(stub):
    stub.handler = lambda *a: (200, {}, b"[]")
    after = datetime(2026, 11, 2, 7, 14, tzinfo=timezone.utc)
    list(
        _client(stub, jurisdiction_id="pokrov").iter_request_pages(
            updated_after=after,
            start_date="2026-01-01T00:00:00+02:00",
            status=["open"],
            service_codes=["roads.pothole", "light"],
            is_canceled=False,
        )
    )
    query = stub.calls[0]["query"]
    assert query["updated_after"] == "2026-11-02T07:14:00+00:00"
    assert query["start_date"] == "2026-01-01T00:00:00+02:00"
    assert query["status"] == "open" and query["service_code"] == "roads.pothole,light"
    assert query["extensions"] == "true" and query["is_canceled"] == "false"
    assert query["jurisdiction_id"] == "pokrov" and query["page"] == "1"


def test_ids_are_queried_in_chunks(stub):
    def handler(method, path, query, form):
        return 200, {}, _json([_record(int(i)) for i in query["service_request_id"].split(",")])

    stub.handler = handler
    pages = list(_client(stub).iter_request_pages(ids=[str(i) for i in range(250)], status="closed"))
    assert [len(p.requests) for p in pages] == [100, 100, 50]
    assert all("status" not in c["query"] for c in stub.calls)


def test_iter_updates_pages(stub):
    updates = [
        {"update_id": f"u{i}", "service_request_id": "5", "status": "open", "updated_datetime": "2026-11-03T10:00:00Z"}
        for i in range(15)
    ]

    def handler(method, path, query, form):
        assert path.endswith("servicerequestupdates.json")
        page = int(query.get("page", 1))
        return 200, {}, _json(updates[(page - 1) * 10 : page * 10])

    stub.handler = handler
    batches = list(_client(stub, page_size=10).iter_updates(updated_after=datetime(2026, 1, 1, tzinfo=timezone.utc)))
    assert [len(b) for b in batches] == [10, 5]
    assert stub.calls[0]["query"]["updated_after"] == "2026-01-01T00:00:00+00:00"


# ---------------------------------------------------------------- client: writes


def test_post_update_form_and_answer(stub):
    stub.handler = lambda *a: (200, {}, b'[{"update_id":"u-1","service_request_id":"5"}]')
    answer = _client(stub, api_key=SECRET).post_update(
        {"service_request_id": "5", "update_id": "u-1", "external_status_code": "in_progress", "media_url": None}
    )
    assert answer == {"update_id": "u-1", "service_request_id": "5"}
    call = stub.calls[0]
    assert call["method"] == "POST" and call["path"].endswith("/servicerequestupdates.json")
    assert call["content_type"] == "application/x-www-form-urlencoded"
    assert call["form"] == {
        "service_request_id": "5",
        "update_id": "u-1",
        "external_status_code": "in_progress",
        "api_key": SECRET,
    }
    assert "api_key" not in call["query"]


def test_post_update_retried_on_5xx_but_post_request_not(stub):
    answers = iter([(502, {}, b""), (200, {}, b'[{"update_id":"u-1"}]')])
    stub.handler = lambda *a: next(answers)
    assert _client(stub).post_update({"service_request_id": "5", "update_id": "u-1"})["update_id"] == "u-1"
    assert len(stub.calls) == 2

    stub.calls.clear()
    stub.handler = lambda *a: (502, {}, b"")
    with pytest.raises(Open311Error) as info:
        _client(stub).post_request({"service_code": "a", "lat": 47.6, "long": 34.1})
    assert info.value.kind == "server" and len(stub.calls) == 1


def test_post_update_conflict(stub):
    stub.handler = lambda *a: (409, {}, b'[{"code":409,"description":"The request changed since 2026-11-03"}]')
    with pytest.raises(Open311Error) as info:
        _client(stub).post_update({"service_request_id": "5", "update_id": "u-2"})
    assert info.value.kind == "conflict" and "changed since" in info.value.platform_message


# ---------------------------------------------------------------- reference server
# Fixtures from tests/fixtures_server.py: `refserver` (shared, read-only use here) and `fresh_refserver`
# (its own database); .base_url, .keys (moderator, viewer, officer:<dept>), .db(), .fault(**kw), .stats().

EARLY = datetime(2000, 1, 1, tzinfo=timezone.utc)  # beats the default 90-day window of Open311


def _db_scalar(server, sql: str, *args):
    """A value computed from the server's database with sqlite, not through HTTP."""
    conn = server.db()
    try:
        return conn.execute(sql, args).fetchone()[0]
    finally:
        conn.close()


def _all(client: Open311Client, **filters) -> tuple[list, list, list]:
    pages = list(client.iter_request_pages(start_date=EARLY, **filters))
    return pages, [r for p in pages for r in p.requests], [s for p in pages for s in p.skipped]


def _moderator(server, **kw) -> Open311Client:
    kw.setdefault("backoff_s", 0.01)
    return Open311Client(server.base_url, api_key=server.keys["moderator"], **kw)


def test_refserver_full_paging_matches_db(refserver):
    expected = _db_scalar(refserver, "SELECT count(*) FROM requests")
    pages, kept, skipped = _all(_moderator(refserver, page_size=70))
    ids = [r.service_request_id for r in kept] + [s.record_id for s in skipped]
    assert len(ids) == len(set(ids)), "a report came twice while paging"
    assert len(ids) == expected
    assert len(pages) == -(-expected // 70)
    assert all(p.total_count == expected for p in pages)
    assert all(r.external_status_code for r in kept)
    no_position = _db_scalar(refserver, "SELECT count(*) FROM requests WHERE lat IS NULL OR long IS NULL")
    assert not skipped and len([r for r in kept if r.lat is None]) == no_position


def test_refserver_page_size_one_thousand_and_updated_after(refserver):
    """One big page; then an incremental query by updated_after gives only the newer reports."""
    client = _moderator(refserver)
    _, kept, _ = _all(client)
    newest = sorted(r.updated_datetime for r in kept)[-5]
    pages = list(client.iter_request_pages(updated_after=newest))
    newer = [r for p in pages for r in p.requests] + [s for p in pages for s in p.skipped]
    assert len(newer) == sum(1 for r in kept if r.updated_datetime > newest) <= 4


def test_refserver_xml_and_json_agree(refserver):
    _, from_json, skipped_json = _all(_moderator(refserver, page_size=150))
    _, from_xml, skipped_xml = _all(_moderator(refserver, page_size=150, fmt="xml"))
    assert len(from_json) == len(from_xml) and len(from_json) > 0
    assert [s.record_id for s in skipped_json] == [s.record_id for s in skipped_xml]
    by_id = {r.service_request_id: r for r in from_xml}
    for request in from_json:
        assert request == by_id[request.service_request_id]
    assert _moderator(refserver).services() == _moderator(refserver, fmt="xml").services()
    assert _moderator(refserver).discovery()


def test_refserver_officer_sees_own_department(refserver):
    key_name = next(k for k in refserver.keys if k.startswith("officer:"))
    department = key_name.split(":", 1)[1]
    client = Open311Client(refserver.base_url, api_key=refserver.keys[key_name], page_size=100)
    _, kept, skipped = _all(client)
    expected = _db_scalar(refserver, "SELECT count(*) FROM requests WHERE agency_responsible = ?", department)
    assert len(kept) + len(skipped) == expected
    assert all(r.agency_responsible == department for r in kept)


def test_refserver_bad_key_is_forbidden(refserver):
    client = Open311Client(refserver.base_url, api_key="not-a-key", retries=0)
    with pytest.raises(Open311Error) as info:
        client.test_connection()
    assert info.value.kind == "forbidden" and info.value.http_status == 403
    assert info.value.platform_message and info.value.user_message()
    assert "settings" in info.value.user_message()  # says what to do, not only what the platform said
    with pytest.raises(Open311Error) as info:
        list(client.iter_request_pages())
    assert info.value.kind == "forbidden"


def test_refserver_viewer_cannot_write(refserver):
    client = Open311Client(refserver.base_url, api_key=refserver.keys["viewer"], retries=0)
    with pytest.raises(Open311Error) as info:
        client.post_update({"service_request_id": "1", "update_id": str(uuid.uuid4()), "description": "x"})
    assert info.value.kind == "forbidden" and "read-only" in info.value.platform_message


def test_refserver_test_connection(refserver):
    summary = _moderator(refserver).test_connection()
    assert str(_db_scalar(refserver, "SELECT count(*) FROM services")) in summary


def _open_report(client: Open311Client):
    _, kept, _ = _all(client, status="open")
    return next(r for r in kept if r.external_status_code == "for_triage")


def test_refserver_idempotent_post_update(fresh_refserver):
    client = _moderator(fresh_refserver, page_size=500)
    target = _open_report(client)
    update_id = str(uuid.uuid4())
    fields = {
        "service_request_id": target.service_request_id,
        "update_id": update_id,
        "status": "open",
        "external_status_code": "investigating",
        "description": "Прийнято до розгляду",
    }
    first = client.post_update(fields)
    second = client.post_update(fields)  # a repeat is answered as success, not applied twice
    assert first == second and first["update_id"] == update_id
    assert first["external_status_code"] == "investigating"
    stats = fresh_refserver.stats()
    assert stats["applied"].get(update_id) == 1
    history = [u for batch in client.iter_updates(service_request_id=target.service_request_id) for u in batch]
    assert [u.update_id for u in history].count(update_id) == 1
    (page,) = client.iter_request_pages(ids=[target.service_request_id])
    assert page.requests[0].external_status_code == "investigating"


def test_refserver_lost_answer_is_retried_safely(fresh_refserver):
    """The update is applied but the answer is lost: the retry gets the first answer, applied once."""
    client = _moderator(fresh_refserver, page_size=500, retries=2)
    target = _open_report(client)
    update_id = str(uuid.uuid4())
    fresh_refserver.fault(path_contains="servicerequestupdates", method="POST", status=503, after_apply=True)
    answer = client.post_update(
        {"service_request_id": target.service_request_id, "update_id": update_id, "description": "Перевіряємо"}
    )
    assert answer["update_id"] == update_id
    stats = fresh_refserver.stats()
    assert stats["applied"].get(update_id) == 1 and stats["replayed"].get(update_id) == 1


def test_refserver_conflict(fresh_refserver):
    client = _moderator(fresh_refserver, page_size=500)
    target = _open_report(client)
    with pytest.raises(Open311Error) as info:
        client.post_update(
            {
                "service_request_id": target.service_request_id,
                "update_id": str(uuid.uuid4()),
                "external_status_code": "investigating",
                "expected_updated_datetime": datetime(2001, 1, 1, tzinfo=timezone.utc),
            }
        )
    assert info.value.kind == "conflict" and info.value.http_status == 409
    assert info.value.platform_message


def test_refserver_faults(fresh_refserver):
    client = _moderator(fresh_refserver, page_size=100, retries=3)
    expected = _db_scalar(fresh_refserver, "SELECT count(*) FROM requests")
    # 500 twice, then the real answer
    fresh_refserver.fault(path_contains="requests", status=500, count=2)
    _, kept, skipped = _all(client)
    assert len(kept) + len(skipped) == expected
    # a record whose position is spoilt is kept without one (issue 9), the rest of its page as it was
    fresh_refserver.fault(bad_record="lat")
    _, kept2, skipped2 = _all(client)
    assert len(kept2) == len(kept) and len(skipped2) == len(skipped)
    spoilt = [r for r in kept2 if r.position_note and "not a number" in r.position_note]
    assert len(spoilt) == 1 and spoilt[0].lat is None and spoilt[0].position_flag == "missing"
    # a truncated page fails with a parse error (not retried)
    fresh_refserver.fault(path_contains="requests", truncate=True)
    with pytest.raises(Open311Error) as info:
        _all(client)
    assert info.value.kind == "parse"
    # a dropped connection is retried
    fresh_refserver.fault(path_contains="services", drop=True)
    assert client.services()
    # too slow: timeout
    fresh_refserver.fault(path_contains="services", delay_s=2, count=2)
    slow = _moderator(fresh_refserver, timeout_s=0.5, retries=1)
    with pytest.raises(Open311Error) as info:
        slow.services()
    assert info.value.kind == "timeout"
    fresh_refserver.reset_faults()
