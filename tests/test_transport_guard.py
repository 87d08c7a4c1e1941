"""The transport's slots never let an exception escape into Qt (PyQt would abort QGIS).

Under load PyQt 5 was seen to call the in-flight reply's wrapper "deleted" while Qt still ran the reply, and the
next slot call aborted the whole test process. The guard turns that into a "lost" exchange: a network error that
the client retries, never a crash. Here the wrapper really is deleted (``sip.delete``) to stand in for that state.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest
from qgis.core import QgsNetworkAccessManager
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, QUrl
from qgis.PyQt.QtNetwork import QNetworkRequest

from openmisto_plugin.core.open311.errors import NetworkError
from openmisto_plugin.core.open311.transport import _LOST, QgisTransport, _Exchange


class _Hello(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []  # the requests served, in order

    def do_GET(self) -> None:
        self.hits.append("GET")
        body = b"[]"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.hits.append("POST")
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()
        self.hits.pop()

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture()
def hello_url() -> Iterator[str]:
    _Hello.hits.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/requests.json"
    server.shutdown()
    server.server_close()


def _finished_reply(url: str):
    reply = QgsNetworkAccessManager.instance().get(QNetworkRequest(QUrl(url)))
    for _ in range(500):
        if reply.isFinished():
            break
        QCoreApplication.processEvents()
        threading.Event().wait(0.01)
    assert reply.isFinished()
    return reply


@pytest.mark.parametrize("slot", ["read", "check_length", "stop"])
def test_a_slot_on_a_lost_reply_ends_the_exchange_instead_of_raising(qgis_app, hello_url, slot):
    reply = _finished_reply(hello_url)
    exchange = _Exchange(reply, max_bytes=1000)
    sip.delete(reply)
    call = getattr(exchange, slot)
    call("canceled") if slot == "stop" else call()  # must not raise: Qt would abort the process
    assert exchange.stopped in (_LOST, "canceled")


def test_a_live_reply_is_read_as_before(qgis_app, hello_url):
    reply = _finished_reply(hello_url)
    exchange = _Exchange(reply, max_bytes=1000)
    exchange.check_length()
    exchange.read()
    assert exchange.stopped is None and b"".join(exchange.chunks) == b"[]"
    reply.deleteLater()


class _LosesFirstAnswer(QgisTransport):
    """The real transport, but PyQt loses the first answer (as the guard records it: a "lost" exchange)."""

    lost = 0

    def _exchange(self, *args, **kwargs) -> _Exchange:
        exchange = super()._exchange(*args, **kwargs)
        if not self.lost:
            self.lost += 1
            exchange.stopped = _LOST
        return exchange


def test_a_get_whose_answer_qt_lost_is_sent_once_more(qgis_app, hello_url):
    response = _LosesFirstAnswer().request("GET", hello_url)
    assert response.status == 200 and response.body == b"[]"
    assert _Hello.hits == ["GET", "GET"]


def test_a_post_whose_answer_qt_lost_is_not_repeated(qgis_app, hello_url):
    with pytest.raises(NetworkError, match="lost inside Qt"):
        _LosesFirstAnswer().request("POST", hello_url, data={"update_id": "u1"})
    assert _Hello.hits == ["POST"]
