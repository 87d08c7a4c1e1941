"""The client with servers other than ours: paged services, jurisdiction_id everywhere, errors that name the call."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from openmisto_plugin.core.open311.client import Open311Client, Open311Error
from tests import replay_open311 as replay
from tests.replay_open311 import ReplayServer
from tests.test_client import StubServer


@pytest.fixture
def stub(qgis_app) -> Iterator[StubServer]:
    server = StubServer()
    yield server
    server.close()


@pytest.fixture
def six_aika() -> Iterator[ReplayServer]:
    server = replay.six_aika()
    yield server
    server.stop()


def _services(first: int, count: int) -> bytes:
    return json.dumps([{"service_code": str(i), "service_name": f"S{i}"} for i in range(first, first + count)]).encode()


def test_services_are_paged_where_the_server_pages_them(stub: StubServer) -> None:
    def handler(method, path, query, form):
        page = int(query.get("page", 1))
        headers = {"X-Result-Count": "25", "X-Page-Count": "3"}
        if page < 3:
            headers["X-Next-Page-URL"] = f"http://127.0.0.1:{stub.port}{path}?page={page + 1}"
        return 200, headers, _services((page - 1) * 10, 10 if page < 3 else 5)

    stub.handler = handler
    services = Open311Client(f"http://127.0.0.1:{stub.port}/open311/v2/", retries=0).services()
    assert [s.service_code for s in services] == [str(i) for i in range(25)]


def test_jurisdiction_id_goes_with_every_call(stub: StubServer) -> None:
    def handler(method, path, query, form):
        if "servicerequestupdates" in path:
            return 404, {}, b'{"detail": "Not found."}'
        if "requests" in path:
            page = int(query.get("page", 1))
            headers = {}
            if page == 1:
                headers["X-Next-Page-URL"] = f"http://127.0.0.1:{stub.port}{path}?page=2"
            record = {"service_request_id": str(page), "status": "open", "lat": 47.65, "long": 34.1}
            return 200, headers, json.dumps([record]).encode()
        return 200, {}, _services(0, 2)

    stub.handler = handler
    client = Open311Client(f"http://127.0.0.1:{stub.port}/open311/v2/", jurisdiction_id="pokrov.ua", retries=0)
    client.test_connection()
    list(client.iter_request_pages(start_date="2020-01-01T00:00:00+00:00"))
    assert len(stub.calls) > 8
    for call in stub.calls:
        sent = call["form"] if call["method"] == "POST" else call["query"]
        assert sent.get("jurisdiction_id") == "pokrov.ua", call


def test_an_error_names_the_request_and_the_answer(six_aika: ReplayServer, qgis_app) -> None:
    client = Open311Client(six_aika.base_url, api_key="s3cret-key", retries=0)
    with pytest.raises(Open311Error) as info:
        next(client.iter_updates())
    error = info.value
    text = error.answer_text()
    assert text.startswith(f"GET {six_aika.base_url}servicerequestupdates.json")
    assert "404" in text and "Not found." in text  # the status and the platform's own words
    assert "s3cret-key" not in text + error.user_message() + str(error)
    assert "servicerequestupdates.json" in error.user_message()


def test_xml_when_json_is_not_offered(qgis_app) -> None:
    server = replay.spec_only_xml(cap=1000)
    try:
        client = Open311Client(server.base_url, fmt="auto", retries=0)
        assert len(client.services()) > 0
        assert client.fmt == "xml"
        pages = list(client.iter_request_pages(start_date="2012-01-01T00:00:00+00:00"))
        assert sum(len(p.requests) for p in pages) == 56
        forced = Open311Client(server.base_url, fmt="json", retries=0)
        with pytest.raises(Open311Error) as info:
            forced.services()
        assert info.value.http_status == 404
    finally:
        server.stop()
