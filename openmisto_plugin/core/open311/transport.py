"""HTTP through QGIS networking (proxy, SSL and network settings of the user apply).

:class:`QgisTransport` wraps ``QgsBlockingNetworkRequest``, which is safe on the main
thread, in worker threads (``QgsTask``) and in ``qgis_process``. HTTP error statuses
come back as :class:`HttpResponse`; only failures without an HTTP answer raise
:class:`NetworkError`. Any object with the same ``request`` method can replace it
(tests use fakes).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from qgis.core import QgsBlockingNetworkRequest, QgsFeedback, QgsNetworkAccessManager
from qgis.PyQt.QtCore import QByteArray, QUrl
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
_BLOCKING_TIMEOUT = _code(_enum(QgsBlockingNetworkRequest, "ErrorCode", "TimeoutError"))
_STATUS_ATTRIBUTE = _enum(QNetworkRequest, "Attribute", "HttpStatusCodeAttribute")
_CONTENT_TYPE = _enum(QNetworkRequest, "KnownHeaders", "ContentTypeHeader")


class QgisTransport:
    """Blocking HTTP via ``QgsBlockingNetworkRequest`` (never ``requests``)."""

    def __init__(self, feedback: QgsFeedback | None = None) -> None:
        """``feedback``: an optional ``QgsFeedback`` whose cancel aborts a running request."""
        self._feedback = feedback

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout_s: float = 30,
    ) -> HttpResponse:
        """Send one request; raise :class:`NetworkError` when no HTTP answer came."""
        full_url = build_url(url, params)
        shown = mask_secrets(full_url)
        qreq = QNetworkRequest(QUrl(full_url))
        qreq.setRawHeader(b"User-Agent", USER_AGENT.encode())
        for name, value in (headers or {}).items():
            qreq.setRawHeader(name.encode("latin-1"), str(value).encode("utf-8"))

        # Timeout: Qt >= 5.15 has a per-request transfer (inactivity) timeout; older Qt gets
        # an overall deadline through a QgsFeedback that a timer cancels. QGIS's own global
        # network timeout (Settings > Network) applies on top of both.
        timeout_ms = max(1, int(timeout_s * 1000))
        timer: threading.Timer | None = None
        feedback = self._feedback
        if hasattr(qreq, "setTransferTimeout"):
            qreq.setTransferTimeout(timeout_ms)
        elif feedback is None:
            feedback = QgsFeedback()
            timer = threading.Timer(timeout_s, feedback.cancel)
            timer.daemon = True

        # QGIS's disk cache must hold no copy of this URL: QgsBlockingNetworkRequest mixes an error
        # answer with a cached body and the cached status 200 (QGIS 3.22); and answers need no caching.
        cache = QgsNetworkAccessManager.instance().cache()
        if cache is not None:
            cache.remove(QUrl(full_url))
        blocking = QgsBlockingNetworkRequest()
        verb = method.upper()
        started = time.monotonic()
        if timer is not None:
            timer.start()
        try:
            if verb == "GET":
                code = blocking.get(qreq, True, feedback)
            elif verb == "POST":
                body = urlencode([(k, _param_text(v)) for k, v in (data or {}).items() if v is not None])
                qreq.setHeader(_CONTENT_TYPE, "application/x-www-form-urlencoded")
                code = blocking.post(qreq, QByteArray(body.encode("utf-8")), True, feedback)
            else:
                raise ValueError(f"unsupported HTTP method {method!r}")
        finally:
            if timer is not None:
                timer.cancel()
        elapsed = time.monotonic() - started
        reply = blocking.reply()
        qt_error = _code(reply.error())
        status = reply.attribute(_STATUS_ATTRIBUTE)
        message = mask_secrets(blocking.errorMessage() or reply.errorString() or "")

        if self._feedback is not None and self._feedback.isCanceled():
            raise NetworkError("other", f"request canceled: {verb} {shown}")
        if _code(code) == _BLOCKING_TIMEOUT or qt_error in _TIMEOUT:
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
        response = HttpResponse(int(status), response_headers, bytes(reply.content()), shown)
        if cache is not None:
            cache.remove(QUrl(full_url))
        log.debug("%s %s -> %s (%d bytes, %.2f s)", verb, shown, response.status, len(response.body), elapsed)
        return response
