"""HTTP through QGIS networking (proxy, SSL and network settings of the user apply).

:class:`QgisTransport` sends each request through ``QgsNetworkAccessManager`` and waits
for it in a local event loop (main thread, ``QgsTask`` threads and ``qgis_process``
alike). It does not use ``QgsBlockingNetworkRequest``: that class follows every redirect
itself, to any host, re-sending a POST body with the API key (QGIS 3.22-3.44). Here a
redirect is never followed: a 3xx comes back as an :class:`HttpResponse` and the client
treats it as an error naming the target.

Bounded resources: an answer larger than ``max_bytes`` is cut (``NetworkError("too_large")``),
a request gets ``timeout_s`` of silence and ``deadline_s`` in total (a slow endless stream is
cut too). HTTP error statuses come back as :class:`HttpResponse`; only failures without an
HTTP answer raise :class:`NetworkError`. Any object with the same ``request`` method can
replace it (tests use fakes).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from qgis.core import QgsFeedback, QgsNetworkAccessManager
from qgis.PyQt.QtCore import QByteArray, QCoreApplication, QEventLoop, QThread, QTimer, QUrl
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest

from ..log import mask_secrets
from .errors import NetworkError

__all__ = ["HttpResponse", "NetworkError", "QgisTransport", "Transport", "build_url"]

log = logging.getLogger(__name__)

USER_AGENT = "openmisto-qgis-plugin (Open311 GeoReport v2 client)"


@dataclass
class HttpResponse:
    """An HTTP answer; header names are lower-case; ``url`` has secrets masked."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    url: str = ""

    def header(self, name: str, default: str | None = None) -> str | None:
        """A header value by case-insensitive name."""
        return self.headers.get(name.lower(), default)


class Transport(Protocol):
    """What the client needs from a transport."""

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout_s: float = 30,
    ) -> HttpResponse: ...


def build_url(url: str, params: dict[str, Any] | None) -> str:
    """``url`` with ``params`` (``None`` values dropped) appended as a query string."""
    if not params:
        return url
    query = urlencode([(k, _param_text(v)) for k, v in params.items() if v is not None])
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + query


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _code(value: Any) -> int:
    """An enum value as int (PyQt5 ints and PyQt6 enums alike); -1 when it is not one."""
    value = getattr(value, "value", value)
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _enum(cls: Any, scope: str, name: str) -> Any:
    """``cls.name`` (PyQt5 style) or ``cls.scope.name`` (scoped enums of PyQt6 builds)."""
    found = getattr(cls, name, None)
    return found if found is not None else getattr(getattr(cls, scope), name)


def _codes(*names: str) -> frozenset[int]:
    return frozenset(_code(_enum(QNetworkReply, "NetworkError", n)) for n in names)


# Qt's QNetworkReply.NetworkError codes, grouped. 1-99: network layer, 101-199: proxy,
# 201-299 content (HTTP 4xx), 301-399 protocol, 401-499 server (HTTP 5xx).
_UNREACHABLE = _codes(
    "ConnectionRefusedError",
    "RemoteHostClosedError",
    "HostNotFoundError",
    "TemporaryNetworkFailureError",
    "NetworkSessionFailedError",
    "UnknownNetworkError",
    "ProxyConnectionRefusedError",
    "ProxyConnectionClosedError",
    "ProxyNotFoundError",
    "ProxyTimeoutError",
)
# OperationCanceled: the transfer timeout (or our deadline) aborted the reply.
_TIMEOUT = _codes("TimeoutError", "OperationCanceledError")
_TLS = _codes("SslHandshakeFailedError")
_STATUS_ATTRIBUTE = _enum(QNetworkRequest, "Attribute", "HttpStatusCodeAttribute")
_CONTENT_TYPE = _enum(QNetworkRequest, "KnownHeaders", "ContentTypeHeader")
_CONTENT_LENGTH = _enum(QNetworkRequest, "KnownHeaders", "ContentLengthHeader")
_REDIRECT_POLICY = _enum(QNetworkRequest, "Attribute", "RedirectPolicyAttribute")
_MANUAL_REDIRECT = _enum(QNetworkRequest, "RedirectPolicy", "ManualRedirectPolicy")
_CACHE_LOAD = _enum(QNetworkRequest, "Attribute", "CacheLoadControlAttribute")
_ALWAYS_NETWORK = _enum(QNetworkRequest, "CacheLoadControl", "AlwaysNetwork")
_CACHE_SAVE = _enum(QNetworkRequest, "Attribute", "CacheSaveControlAttribute")
_EXCLUDE_USER_INPUT = _enum(QEventLoop, "ProcessEventsFlag", "ExcludeUserInputEvents")

#: The largest answer read (bytes): a page of 10 000 reports is about 10 MB.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
#: The longest a request may take in total (seconds), however steadily the answer trickles in.
DEFAULT_DEADLINE_S = 300.0
#: How often a request in flight looks at its feedback's cancel (milliseconds).
CANCEL_POLL_MS = 50


#: Why an exchange ended when PyQt lost its wrapper of the reply (see :func:`_guarded`).
_LOST = "lost"


def _guarded(slot: Callable[..., None]) -> Callable[..., None]:
    """A slot of :class:`_Exchange` that never lets an exception escape into Qt.

    PyQt aborts the whole process (QGIS included) when an exception leaves a slot. Under load PyQt 5 has been
    seen to call the in-flight reply's wrapper "deleted" while Qt still runs the reply (``RuntimeError: wrapped
    C/C++ object of type QNetworkReply has been deleted``; the reply's ``destroyed`` never fired). Such an exchange
    ends as "lost" and the request fails as a network error: a GET is tried again, a push entry stays waiting
    (updates carry their ``update_id``, so a repeat is never applied twice).
    """

    @functools.wraps(slot)
    def guarded(self: _Exchange, *args: Any) -> None:
        try:
            slot(self, *args)
        except RuntimeError as exc:
            if self.stopped is None:
                self.stopped = _LOST
                log.warning("network reply lost by PyQt during the request: %s", exc)

    return guarded


class _Exchange:
    """One request in flight: reads the answer in chunks, enforces the limits, records why it ended."""

    def __init__(self, reply: QNetworkReply, max_bytes: int) -> None:
        self.reply = reply
        self.max_bytes = max_bytes
        self.chunks: list[bytes] = []
        self.received = 0
        self.stopped: str | None = None  # "too_large", "silence", "deadline", "canceled", "lost"

    @_guarded
    def read(self) -> None:
        if self.stopped:
            return
        data = bytes(self.reply.readAll())
        self.received += len(data)
        if self.received > self.max_bytes:
            self.stop("too_large")
            return
        self.chunks.append(data)

    @_guarded
    def check_length(self) -> None:
        declared = self.reply.header(_CONTENT_LENGTH)
        try:
            too_long = declared is not None and int(declared) > self.max_bytes
        except (TypeError, ValueError):
            too_long = False
        if too_long:
            self.stop("too_large")

    @_guarded
    def stop(self, why: str) -> None:
        if self.stopped is None:
            self.stopped = why
        if self.reply.isRunning():
            self.reply.abort()


class QgisTransport:
    """Blocking HTTP through ``QgsNetworkAccessManager`` (never ``requests``), redirects never followed."""

    def __init__(
        self,
        feedback: QgsFeedback | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        deadline_s: float = DEFAULT_DEADLINE_S,
    ) -> None:
        """``feedback``: an optional ``QgsFeedback`` whose cancel aborts a running request;
        ``max_bytes``: the largest answer read; ``deadline_s``: the longest a request may take."""
        self._feedback = feedback
        self.max_bytes = int(max_bytes)
        self.deadline_s = float(deadline_s)

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout_s: float = 30,
    ) -> HttpResponse:
        """Send one request; raise :class:`NetworkError` when no (complete, bounded) HTTP answer came."""
        verb = method.upper()
        if verb not in ("GET", "POST"):
            raise ValueError(f"unsupported HTTP method {method!r}")
        full_url = build_url(url, params)
        shown = mask_secrets(full_url)
        qreq = QNetworkRequest(QUrl(full_url))
        qreq.setRawHeader(b"User-Agent", USER_AGENT.encode())
        for name, value in (headers or {}).items():
            qreq.setRawHeader(name.encode("latin-1"), str(value).encode("utf-8"))
        qreq.setAttribute(_REDIRECT_POLICY, _MANUAL_REDIRECT)
        # No disk cache: answers need none, and a cached body must never stand in for a live one.
        qreq.setAttribute(_CACHE_LOAD, _ALWAYS_NETWORK)
        qreq.setAttribute(_CACHE_SAVE, False)

        # A GET whose answer Qt lost (see _guarded) is sent once more at once: it changes nothing on the platform,
        # and a probe or a connection test (no retries) must not fail on it. A POST is never repeated here.
        attempts = 2 if verb == "GET" else 1
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            exchange = self._exchange(verb, qreq, data, timeout_s)
            elapsed = time.monotonic() - started
            try:
                if exchange.stopped == _LOST:
                    raise RuntimeError("the reply's wrapper was lost during the request")
                return self._response(verb, shown, exchange, timeout_s, elapsed)
            except RuntimeError as exc:  # see _guarded: never a crash, a network error to retry
                log.warning("%s %s: %s", verb, shown, exc)
                if attempt == attempts:
                    raise NetworkError(
                        "unreachable", f"the answer of {verb} {shown} was lost inside Qt; try again"
                    ) from None
            finally:
                with contextlib.suppress(RuntimeError):
                    exchange.reply.deleteLater()
        raise AssertionError("unreachable")  # pragma: no cover

    def _exchange(self, verb: str, qreq: QNetworkRequest, data: dict[str, Any] | None, timeout_s: float) -> _Exchange:
        manager = QgsNetworkAccessManager.instance()
        if verb == "POST":
            body = urlencode([(k, _param_text(v)) for k, v in (data or {}).items() if v is not None])
            qreq.setHeader(_CONTENT_TYPE, "application/x-www-form-urlencoded")
            reply = manager.post(qreq, QByteArray(body.encode("utf-8")))
        else:
            reply = manager.get(qreq)
        exchange = _Exchange(reply, self.max_bytes)
        loop = QEventLoop()
        silence = QTimer()
        silence.setSingleShot(True)
        silence.setInterval(max(1, int(timeout_s * 1000)))
        silence.timeout.connect(lambda: exchange.stop("silence"))
        deadline = QTimer()
        deadline.setSingleShot(True)
        deadline.setInterval(max(1, int(self.deadline_s * 1000)))
        deadline.timeout.connect(lambda: exchange.stop("deadline"))

        def progress(*_args: Any) -> None:
            silence.start()

        def ready() -> None:
            silence.start()
            exchange.read()

        reply.metaDataChanged.connect(exchange.check_length)
        reply.readyRead.connect(ready)
        reply.downloadProgress.connect(progress)
        reply.uploadProgress.connect(progress)
        reply.finished.connect(loop.quit)
        # The limits end the wait themselves too: a reply that can no longer be aborted must not hang the loop.
        silence.timeout.connect(loop.quit)
        deadline.timeout.connect(loop.quit)
        # Cancel is watched from this thread: the feedback may live in another one (a task's, created in the
        # main thread), and a reply is only ever aborted in the thread that runs it.
        feedback = self._feedback
        watch = None
        if feedback is not None:

            def check_cancel() -> None:
                if feedback.isCanceled():
                    exchange.stop("canceled")
                    loop.quit()

            watch = QTimer()
            watch.setInterval(CANCEL_POLL_MS)
            watch.timeout.connect(check_cancel)
            check_cancel()
            watch.start()
        silence.start()
        deadline.start()
        try:
            finished = reply.isFinished()
        except RuntimeError:
            finished, exchange.stopped = True, _LOST
        if not finished:
            # In the main thread user input waits (no click lands in a half-done action); workers run
            # their own loop. QGIS's network timeout (Settings > Network) applies on top.
            main = (
                QCoreApplication.instance() is not None
                and QThread.currentThread() == QCoreApplication.instance().thread()
            )
            loop.exec(_EXCLUDE_USER_INPUT) if main else loop.exec()
        silence.stop()
        deadline.stop()
        if watch is not None:
            watch.stop()
        exchange.read()
        return exchange

    def _response(self, verb: str, shown: str, exchange: _Exchange, timeout_s: float, elapsed: float) -> HttpResponse:
        reply = exchange.reply
        qt_error = _code(reply.error())
        status = reply.attribute(_STATUS_ATTRIBUTE)
        message = mask_secrets(reply.errorString() or "")
        if exchange.stopped == "canceled":
            raise NetworkError("canceled", f"request canceled: {verb} {shown}")
        if exchange.stopped == "too_large":
            log.warning("%s %s: answer larger than %d bytes; cut", verb, shown, self.max_bytes)
            raise NetworkError("too_large", f"the answer of {shown} is larger than {self.max_bytes} bytes")
        if exchange.stopped == "deadline":
            log.warning("%s %s: still running after %.0f s; cut", verb, shown, elapsed)
            raise NetworkError("timeout", f"{shown} took longer than {self.deadline_s:g} s in total")
        if exchange.stopped == "silence" or qt_error in _TIMEOUT:
            log.warning("%s %s: timeout after %.1f s", verb, shown, elapsed)
            raise NetworkError("timeout", f"no answer within {timeout_s:g} s from {shown}")
        if qt_error in _TLS or ("ssl" in message.lower() and status is None):
            log.warning("%s %s: TLS error: %s", verb, shown, message)
            raise NetworkError("tls", message or "SSL/TLS handshake failed")
        if 0 < qt_error < 200 or status is None:
            # No (complete) HTTP answer: refused, host not found, connection dropped, proxy down.
            kind = "unreachable" if qt_error in _UNREACHABLE or 0 < qt_error < 200 else "other"
            log.warning("%s %s: %s (Qt error %s)", verb, shown, message, qt_error)
            raise NetworkError(kind, message or f"network error {qt_error}")

        response_headers = {}
        for raw_name in reply.rawHeaderList():
            name = bytes(raw_name).decode("latin-1")
            response_headers[name.lower()] = bytes(reply.rawHeader(raw_name)).decode("utf-8", "replace")
        response = HttpResponse(int(status), response_headers, b"".join(exchange.chunks), shown)
        log.debug("%s %s -> %s (%d bytes, %.2f s)", verb, shown, response.status, len(response.body), elapsed)
        return response
