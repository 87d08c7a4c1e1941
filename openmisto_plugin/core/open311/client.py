"""Open311 GeoReport v2 client: discovery, services, paged requests, updates, write-back.

All HTTP goes through a transport (default :class:`QgisTransport`, i.e. QGIS networking).
Failures become :class:`Open311Error` with a ``kind`` the GUI and the sync act upon.
Timeouts, unreachable hosts and 5xx are retried with exponential backoff (408/429 too,
honouring a short ``Retry-After``); other 4xx are not. Redirects are never followed.

Where the API key goes (docs/security.md, "The key and the wire"): only to the scheme, host
and port of ``base_url``; in the form body of a POST (as the Open311 spec says) and in the
``X-Api-Key`` header of a GET (in the query only when ``key_in_query`` is set, for platforms
that read it nowhere else); never over plain http to a host other than loopback unless
``allow_plain_http`` is set; never in logs or error texts (:func:`core.log.mask_secrets`
masks every key the client was given).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import parse_qs, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from ..escaping import url_path_segment
from ..i18n import tr
from ..log import mask_secrets, remember_secret
from ..model import ParsedPage, RequestUpdate, Service, SkippedRecord
from ..timeutil import parse, to_wire
from .errors import Open311Error, ParseError
from .parser import (
    BBox,
    detect_format,
    parse_discovery,
    parse_error_message,
    parse_post_response,
    parse_requests,
    parse_services,
    parse_updates,
)
from .profile import PAGING_NEXT_URL, PAGING_NONE, PAGING_PAGE, UNKNOWN
from .transport import HttpResponse, NetworkError, QgisTransport, Transport
from .windows import WindowWalk

__all__ = ["DEFAULT_CITY_BBOX", "MAX_PAGE_SIZE", "Open311Client", "Open311Error", "ParseError", "UpdatePage"]

log = logging.getLogger(__name__)

#: How many ids go into one ``service_request_id=a,b,c`` query (keeps URLs short).
IDS_PER_QUERY = 100

#: Pokrov (Dnipropetrovsk oblast), ``(lon_min, lat_min, lon_max, lat_max)`` in EPSG:4326, with a margin
#: around the city and its villages. Callers building a client for the Pokrov platform pass it as
#: ``expected_bbox`` so that records with swapped lat/long are repaired instead of skipped (see
#: :mod:`.parser`). A client for another city passes its own box (or none).
DEFAULT_CITY_BBOX: BBox = (33.95, 47.55, 34.30, 47.75)
POKROV_BBOX: BBox = DEFAULT_CITY_BBOX

#: The ``fmt`` values of :class:`Open311Client`: ``auto`` is JSON when offered, else XML.
FORMAT_CHOICES = ("auto", "json", "xml")

#: Open311 servers answer the last 90 days when no ``start_date`` is given; the date windows do the same.
DEFAULT_WINDOW_DAYS = 90

#: The largest ``page_size`` the sync asks for (the reference server allows 10 000).
MAX_PAGE_SIZE = 10000
#: The most pages one list walk follows (100 000 reports in pages of 50 is 2 000 pages).
MAX_PAGES = 5000
#: A ``Retry-After`` up to this many seconds is waited for within a call; a longer one ends the call.
MAX_INLINE_RETRY_AFTER_S = 10.0
#: The header carrying the key on GET (the reference server reads it; FixMyStreet needs no key to read).
API_KEY_HEADER = "X-Api-Key"
#: Network failures whose kind the client's error keeps (any other is "unreachable").
_NETWORK_KINDS_KEPT = ("unreachable", "timeout", "tls", "too_large", "canceled")
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _wire_time(value: datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return to_wire(value)


def _comma_list(value: str | Iterable[str] | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    joined = ",".join(str(v) for v in value)
    return joined or None


def _int_header(response: HttpResponse, name: str) -> int | None:
    try:
        return int((response.header(name) or "").strip())
    except ValueError:
        return None


def without_key(url: str) -> str:
    """``url`` with its ``api_key`` parameter removed (also a masked one), for messages."""
    shown = _KEY_PARAM.sub("", mask_secrets(url))
    return shown.replace("?&", "?").rstrip("?&")


_KEY_PARAM = re.compile(r"(?<=[?&])api_key=[^&#]*&?", re.IGNORECASE)


def _usable_services(response: HttpResponse, fmt: str) -> bool:
    """True when ``response`` is a 2xx list of services in ``fmt``."""
    if not 200 <= response.status < 300 or detect_format(response.body, response.header("content-type")) != fmt:
        return False
    skipped: list[SkippedRecord] = []
    try:
        return bool(parse_services(response.body, fmt, skipped=skipped)) or not skipped
    except ParseError:
        return False


class PagingIgnoredError(Exception):
    """The server answers the same records whatever the page: ``first`` is its whole answer, when kept."""

    def __init__(self, first: ParsedPage | None, evidence: str) -> None:
        super().__init__(evidence)
        self.first = first
        self.evidence = evidence


def _as_datetime(value: datetime | str | None) -> datetime | None:
    """A window bound (naive = Kyiv time, as everywhere); ``None`` when missing or unreadable."""
    return parse(value)


def _unseen(page: ParsedPage, seen: set[str]) -> ParsedPage:
    """``page`` without the records already given in this walk (date windows share their boundaries)."""
    kept = [r for r in page.requests if r.service_request_id not in seen]
    skipped = [s for s in page.skipped if not s.record_id or s.record_id not in seen]
    seen.update(r.service_request_id for r in kept)
    seen.update(s.record_id for s in skipped if s.record_id)
    if len(kept) == len(page.requests) and len(skipped) == len(page.skipped):
        return page
    return ParsedPage(kept, skipped, page.next_page_url, page.total_count)


def _status_kind(status: int) -> str:
    if 300 <= status < 400:
        return "redirect"
    if status == 401:
        return "unauthorized"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "not_found"
    if status == 408:
        return "timeout"
    if status == 409:
        return "conflict"
    if status == 429:
        return "throttled"
    if status in (405, 501):
        return "not_supported"
    if status >= 500:
        return "server"
    return "bad_request"


def retry_after_s(response: HttpResponse) -> float | None:
    """``Retry-After`` in seconds (a number or an HTTP date), ``None`` when absent or unreadable."""
    raw = (response.header("retry-after") or "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return float(raw)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(when.tzinfo)).total_seconds())


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of a URL, the port made explicit for http and https."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").lower(), port if port is not None else _DEFAULT_PORTS.get(scheme)


def is_loopback(url: str) -> bool:
    """True for a URL on this machine (``localhost``, ``127.x.x.x``, ``::1``)."""
    host = origin(url)[1]
    return host in _LOOPBACK_HOSTS or host.startswith("127.")


def _link_without_key(url: str) -> str:
    """``url`` without any ``api_key`` query parameter (a next-page link never carries ours)."""
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "api_key"]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(pairs), parts.fragment))


def _confirms(answer: dict[str, Any], fields: dict[str, Any]) -> bool:
    """Does a POST answer confirm the update it answers? Its ``update_id`` (ours, or the platform's own
    as FixMyStreet gives) or its ``service_request_id`` (ours) must be there, and nothing else than ours."""
    if not isinstance(answer, dict) or ("code" in answer and ("description" in answer or "detail" in answer)):
        return False
    sent_request = str(fields.get("service_request_id") or "")
    got_request = answer.get("service_request_id")
    if got_request is not None and str(got_request).strip() != sent_request:
        return False
    got_update = answer.get("update_id")
    return bool(str(got_update).strip()) if got_update is not None else got_request is not None


class UpdatePage(list):
    """A page of :meth:`Open311Client.iter_updates`: the entries, and ``total_count`` (``X-Result-Count``
    of the whole walk, ``None`` when the server does not send it) for the progress bar."""

    total_count: int | None = None


KEY_ROLE_HEADER = "X-OpenMisto-Role"  # the reference platform names the key's role on its answers


class Open311Client:
    """A client for one Open311 endpoint (``base_url`` like ``http://host/open311/v2/``)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        page_size: int = 1000,
        transport: Transport | None = None,
        fmt: str = "json",
        timeout_s: float = 30,
        retries: int = 3,
        backoff_s: float = 0.5,
        jurisdiction_id: str | None = None,
        expected_bbox: BBox | None = None,
        sleep: Callable[[float], None] = time.sleep,
        allow_plain_http: bool = False,
        key_in_query: bool = False,
        max_pages: int = MAX_PAGES,
    ) -> None:
        """``retries``: extra attempts after the first; ``expected_bbox``: lon/lat box of the
        city used to repair swapped coordinates (see :mod:`.parser`); ``allow_plain_http``: send the
        key over http to a host other than loopback (the user's explicit choice); ``key_in_query``:
        the key in the query of a GET instead of the ``X-Api-Key`` header (for platforms that need
        it there); ``max_pages``: the most pages one list walk follows."""
        if fmt not in FORMAT_CHOICES:
            raise ValueError(f"fmt must be one of {FORMAT_CHOICES}, not {fmt!r}")
        self.base_url = base_url.strip().split("?", 1)[0].rstrip("/") + "/"
        self.api_key = api_key or None
        remember_secret(self.api_key)
        self.allow_plain_http = allow_plain_http
        self.key_in_query = key_in_query
        self.max_pages = max(1, int(max_pages))
        self.page_size = max(1, int(page_size))
        self.transport: Transport = transport or QgisTransport()
        # "auto": JSON when the platform offers it, else XML (JSON is optional in GeoReport v2);
        # decided by the first call (see _resolve_format).
        self.fmt = "json" if fmt == "auto" else fmt
        self._format_open = fmt == "auto"
        self.timeout_s = timeout_s
        self.retries = max(0, int(retries))
        self.backoff_s = backoff_s
        self.jurisdiction_id = jurisdiction_id
        self.expected_bbox = expected_bbox
        # the key's role as the platform states it (the reference server's X-OpenMisto-Role); None when not said
        self.key_role: str | None = None
        self._sleep = sleep
        #: paging style seen so far (``profile.PAGING_*``; "none": date windows) and what showed it
        self.paging = UNKNOWN
        self.paging_evidence: str | None = None
        #: the most records the server gives per answer when it does not page (learned by the windows)
        self.result_cap: int | None = None
        self.window_calls = 0
        #: date windows whose answer may have been cut but could not be narrowed (see windows.WindowWalk)
        self.crowded_windows = 0
        #: what :meth:`test_connection` found the platform to offer (``profile.PlatformProfile``)
        self.profile: Any = None

    # ------------------------------------------------------------------ plumbing

    def endpoint(self, name: str, fmt: str | None = None) -> str:
        """Full URL of a call, e.g. ``endpoint("requests")`` -> ``…/requests.json``."""
        if fmt is None and self._format_open:
            self._resolve_format()
        return urljoin(self.base_url, f"{name}.{fmt or self.fmt}")

    def _resolve_format(self) -> None:
        """For ``fmt="auto"``: JSON when ``services.json`` gives services, else XML when ``services.xml`` does."""
        self._format_open = False
        for fmt in ("json", "xml"):
            response = self.raw("GET", self.endpoint("services", fmt), self._params())
            if response is not None and _usable_services(response, fmt):
                self.fmt = fmt
                log.info("The platform answers in %s", fmt.upper())
                return
        self.fmt = "json"

    def raw(
        self, method: str, url: str, params: dict[str, Any] | None = None, data: dict[str, Any] | None = None
    ) -> HttpResponse | None:
        """One call, not retried, whatever its status (for probing); ``None`` when no HTTP answer came.
        The key goes as in :meth:`_call` (and is refused as there)."""
        params, data, headers = self._with_key(method, url, params, data)
        try:
            response = self.transport.request(
                method, url, params=params, data=data, headers=headers, timeout_s=self.timeout_s
            )
        except NetworkError as exc:
            log.info("%s %s: %s", method, without_key(url), mask_secrets(exc.message))
            return None
        if 200 <= response.status < 300:
            self._note_key_role(response)
        return response

    def _note_key_role(self, response: HttpResponse) -> None:
        """Remember the key's role when the platform states it (see :data:`KEY_ROLE_HEADER`)."""
        stated = response.header(KEY_ROLE_HEADER)
        if stated and self.api_key:
            self.key_role = stated.strip()[:80]

    def _params(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.jurisdiction_id:
            params["jurisdiction_id"] = self.jurisdiction_id
        params.update({k: v for k, v in (extra or {}).items() if v is not None})
        return params

    def _headers(self) -> dict[str, str]:
        accept = "application/json" if self.fmt == "json" else "application/xml, text/xml"
        return {"Accept": accept}

    def _with_key(
        self, method: str, url: str, params: dict[str, Any] | None, data: dict[str, Any] | None
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None, dict[str, str]]:
        """``(params, data, headers)`` of a call with the key where it belongs, after checking it may go."""
        headers = self._headers()
        if not self.api_key:
            return params, data, headers
        self._check_key_transport(method, url)
        if method == "POST":
            data = {**(data or {}), "api_key": self.api_key}
        elif self.key_in_query:
            params = {**(params or {}), "api_key": self.api_key}
        else:
            headers[API_KEY_HEADER] = self.api_key
        return params, data, headers

    def key_allowed(self, url: str) -> bool:
        """May the key go to ``url``? Only to the configured scheme, host and port."""
        return origin(url) == origin(self.base_url)

    def _check_key_transport(self, method: str, url: str) -> None:
        """Refuse, before anything is sent, to put the key on a wire it must not travel."""
        shown = mask_secrets(url)
        if not self.key_allowed(url):
            raise Open311Error("insecure", f"{method} {shown}: not the configured platform; the API key is not sent")
        if origin(url)[0] != "https" and not is_loopback(url) and not self.allow_plain_http:
            raise Open311Error(
                "insecure", f"{method} {shown}: plain http to another machine; the API key is not sent unencrypted"
            )

    def _error_from_response(self, method: str, response: HttpResponse) -> Open311Error:
        kind = _status_kind(response.status)
        request = f"{method} {without_key(response.url)}"
        if kind == "redirect":
            target = without_key((response.header("location") or "").strip()) or "?"
            error = Open311Error(
                kind, f"{request} answered HTTP {response.status}: redirect to {target} not followed", response.status
            )
            error.request = request
            return error
        platform = parse_error_message(response.body)
        error = Open311Error(
            kind,
            f"{request} answered HTTP {response.status}",
            response.status,
            mask_secrets(platform) if platform else None,
        )
        error.request = request
        error.retry_after_s = retry_after_s(response)
        return error

    def _call(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        *,
        idempotent: bool = True,
        allow_404: bool = False,
        retries: int | None = None,
    ) -> HttpResponse:
        """One call with retries; returns a 2xx response (or 404 when ``allow_404``).

        With a key, it is checked first (:meth:`_check_key_transport`), then put in the form body
        (POST), the ``X-Api-Key`` header or, with ``key_in_query``, the query (GET).
        """
        attempts = 1 + (self.retries if retries is None else retries) if idempotent else 1
        shown = mask_secrets(url)
        params, data, headers = self._with_key(method, url, params, data)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self.transport.request(
                    method, url, params=params, data=data, headers=headers, timeout_s=self.timeout_s
                )
            except NetworkError as exc:
                kind = exc.kind if exc.kind in _NETWORK_KINDS_KEPT else "unreachable"
                error = Open311Error(kind, f"{method} {shown}: {mask_secrets(exc.message)}")
                if last or exc.kind not in ("unreachable", "timeout"):
                    raise error from None
                self._pause(attempt, error)
                continue
            if 200 <= response.status < 300 or (allow_404 and response.status == 404):
                self._note_key_role(response)
                return response
            error = self._error_from_response(method, response)
            wait = error.retry_after_s
            again = response.status >= 500 or (
                response.status in (408, 429) and (wait is None or wait <= MAX_INLINE_RETRY_AFTER_S)
            )
            if not again or last:
                log.warning("%s", mask_secrets(str(error)))
                raise error
            self._pause(attempt, error, wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _pause(self, attempt: int, error: Open311Error, wait: float | None = None) -> None:
        delay = self.backoff_s * (2**attempt)
        if wait is not None:
            delay = max(delay, min(wait, MAX_INLINE_RETRY_AFTER_S))
        log.warning("%s; retrying in %.1f s", mask_secrets(str(error)), delay)
        if delay > 0:
            self._sleep(delay)

    @staticmethod
    def _check_not_html(response: HttpResponse) -> None:
        if detect_format(response.body, response.header("content-type")) == "html":
            raise Open311Error("not_open311", f"{response.url} answered with an HTML page, not Open311 data")

    def _parse(self, response: HttpResponse, parse: Callable[[bytes], Any]) -> Any:
        self._check_not_html(response)
        try:
            return parse(response.body)
        except ParseError as exc:
            raise ParseError(f"{exc.message} ({response.url})") from None

    # ------------------------------------------------------------------ paging

    def _next_link(self, url: str) -> str | None:
        """A next-page link made safe to follow, or ``None`` (then paging goes on by page number).

        A link on the configured scheme, host and port is followed. A link that differs only by
        ``http`` where ``https`` is configured, on the same host (a server behind a TLS proxy writes
        its links with the scheme it sees), is rebuilt on the configured base: never downgraded.
        Anything else (another host, port or scheme) is not followed. An ``api_key`` in the link
        is dropped: the key goes only where :meth:`_call` puts it.
        """
        link = _link_without_key(url)
        if self.key_allowed(link):
            return link
        scheme, host, port = origin(link)
        base_scheme, base_host, base_port = origin(self.base_url)
        if host == base_host and scheme == "http" and base_scheme == "https" and port in (80, base_port):
            parts, base = urlsplit(link), urlsplit(self.base_url)
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
        return None

    def _paged(
        self,
        name: str,
        params: dict[str, Any],
        parse_page: Callable[[HttpResponse], tuple[Any, int, str | None]],
        page_size: int | None = None,
        strict: bool = False,
    ) -> Iterator[tuple[Any, HttpResponse]]:
        """Walk the pages of one list call; yields ``(parsed, response)`` for each page.

        ``strict``: a server found ignoring paging (a first page larger than asked, a page repeating
        the one before) raises :class:`PagingIgnoredError` instead of ending the walk (the caller then
        walks date windows).

        Follows ``X-Next-Page-URL`` when the server sends it (then its absence ends the
        walk), else counts ``page`` up. Ends on an empty page, a short page (unless
        ``X-Result-Count`` says more are left), the last of ``X-Page-Count`` pages, a 404
        past the first page, or a page equal to the one before (a server ignoring ``page``).
        With a ``page_size`` above the client's own, a short page without count headers does
        not end the walk (the server may cap the size): only an empty page or a 404 does.
        """
        url = self.endpoint(name)
        size = self.page_size if page_size is None else max(1, min(int(page_size), MAX_PAGE_SIZE))
        probe_end = size > self.page_size
        query = {**params, "page_size": size}
        page_no = 1
        next_url: str | None = None
        next_style = False
        seen_next: set[str] = set()
        fetched = 0
        previous_first: str | None = None
        first_page: Any = None
        while True:
            if page_no > self.max_pages:
                raise Open311Error("too_large", f"GET {name}: more than {self.max_pages} pages; stopped")
            if next_url:
                extra = None
                if self.jurisdiction_id and "jurisdiction_id" not in parse_qs(urlsplit(next_url).query):
                    extra = {"jurisdiction_id": self.jurisdiction_id}
                response = self._call("GET", next_url, extra, allow_404=True)
            else:
                response = self._call("GET", url, self._params({**query, "page": page_no}), allow_404=True)
            if response.status == 404:
                if page_no == 1:
                    raise self._error_from_response("GET", response)
                log.info("GET %s: page %d answered 404, past the end", name, page_no)
                return
            parsed, count, first_id = parse_page(response)
            if count and first_id is not None and first_id == previous_first:
                log.warning("GET %s: page %d repeats the previous page; the server ignores paging", name, page_no)
                if strict:
                    raise PagingIgnoredError(first_page, f"GET {without_key(response.url)} repeated page {page_no - 1}")
                return
            if strict and page_no == 1 and count > size:
                raise PagingIgnoredError(parsed, f"GET {without_key(response.url)} gave {count} records for {size}")
            self._note_paging(response)
            previous_first = first_id
            if page_no == 1:
                first_page = parsed
            fetched += count
            total = _int_header(response, "x-result-count")
            page_count = _int_header(response, "x-page-count")
            yield parsed, response
            if count == 0:
                return
            raw_next = (response.header("x-next-page-url") or "").strip()
            page_no += 1
            if raw_next:
                next_style = True
                candidate = urljoin(url, raw_next)
                if candidate in seen_next:
                    log.warning("GET %s: X-Next-Page-URL loops; stopping", name)
                    return
                seen_next.add(candidate)
                next_url = self._next_link(candidate)
                if next_url is None:  # a proxied server naming its internal host, or a hostile link
                    log.warning(
                        "GET %s: next page URL %s is not on the configured platform; not followed, using page=%d",
                        name,
                        mask_secrets(_link_without_key(candidate)),
                        page_no,
                    )
                continue
            if next_style:
                return
            if page_count is not None:
                if page_no > page_count:
                    return
            elif count < size and (total is None or fetched >= total) and (total is not None or not probe_end):
                return

    def _note_paging(self, response: HttpResponse) -> None:
        """Remember the paging style an answer shows (for the platform profile)."""
        if (response.header("x-next-page-url") or "").strip():
            style = PAGING_NEXT_URL
        elif response.header("x-page-count") or response.header("x-result-count"):
            style = PAGING_PAGE
        else:
            return
        if self.paging != PAGING_NEXT_URL:
            self.paging = style
            self.paging_evidence = f"GET {without_key(response.url)} answered {response.status} with paging headers"

    def _window_pages(
        self, params: dict[str, Any], start: datetime, end: datetime, first: ParsedPage | None = None
    ) -> Iterator[ParsedPage]:
        """``GET requests`` in date windows (a server without paging); see :mod:`.windows`."""
        plain = {k: v for k, v in params.items() if k not in ("start_date", "end_date", "page", "page_size")}

        def fetch(window_start: datetime, window_end: datetime) -> ParsedPage:
            query = {**plain, "start_date": to_wire(window_start), "end_date": to_wire(window_end)}
            return self._request_page(self._call("GET", self.endpoint("requests"), self._params(query)))[0]

        walk = WindowWalk(fetch, cap=self.result_cap)
        yield from walk.pages(start, end, first)
        if walk.cap is not None:
            self.result_cap = walk.cap
        self.window_calls += walk.calls
        self.crowded_windows += len(walk.crowded)

    # ------------------------------------------------------------------ calls

    def discovery(self) -> dict[str, Any]:
        """``GET discovery``: endpoints, formats, contact (as a plain dict)."""
        response = self._call("GET", self.endpoint("discovery"), self._params())
        return self._parse(response, parse_discovery)

    def services(self) -> list[Service]:
        """``GET services``: the categories (following ``X-Next-Page-URL`` on a server that pages them)."""
        response = self._call("GET", self.endpoint("services"), self._params())
        services: list[Service] = self._parse(response, parse_services)
        if not (response.header("x-next-page-url") or "").strip():
            return services
        codes = {service.service_code for service in services}

        def parse_page(page: HttpResponse) -> tuple[list[Service], int, str | None]:
            found = self._parse(page, parse_services)
            return found, len(found), found[0].service_code if found else None

        pages = self._paged("services", {}, parse_page)
        next(pages)  # the first page again: its size and headers start the walk
        for found, _response in pages:
            services.extend(s for s in found if s.service_code not in codes)
            codes.update(s.service_code for s in found)
        return services

    def request(self, service_request_id: str, extensions: bool = True) -> ParsedPage:
        """``GET requests/{id}``: one report as a page (empty when it is unknown)."""
        params = self._params({"extensions": "true" if extensions else None})
        try:
            path = f"requests/{url_path_segment(service_request_id)}"
        except ValueError:  # "", "." or "..": no report has such an id, and as a path segment it names another path
            return ParsedPage()
        response = self._call("GET", self.endpoint(path), params, allow_404=True)
        if response.status == 404:
            return ParsedPage()
        return self._parse(response, lambda body: parse_requests(body, expected_bbox=self.expected_bbox))

    def iter_request_pages(
        self,
        updated_after: datetime | str | None = None,
        start_date: datetime | str | None = None,
        end_date: datetime | str | None = None,
        status: str | Iterable[str] | None = None,
        service_codes: str | Iterable[str] | None = None,
        ids: Iterable[str] | None = None,
        extensions: bool = True,
        is_canceled: bool | None = None,
        page_size: int | None = None,
    ) -> Iterator[ParsedPage]:
        """Pages of ``GET requests``; each :class:`ParsedPage` has its kept and skipped records.

        ``ids`` overrides the other filters (queried ``IDS_PER_QUERY`` at a time). Note
        that Open311 servers default to the last 90 days without ``start_date``.
        ``page_size`` overrides the client's for this walk (at most :data:`MAX_PAGE_SIZE`).
        """
        ext = "true" if extensions else None
        if ids is not None:
            id_list = [str(i) for i in ids]
            step = min(IDS_PER_QUERY, self.result_cap or IDS_PER_QUERY)  # a capped answer must hold them all
            for start in range(0, len(id_list), step):
                chunk = ",".join(id_list[start : start + step])
                query = {"service_request_id": chunk, "extensions": ext}
                query = {k: v for k, v in query.items() if v is not None}
                for page, _response in self._paged("requests", query, self._request_page):
                    yield page
            return
        params = {
            "updated_after": _wire_time(updated_after),
            "start_date": _wire_time(start_date),
            "end_date": _wire_time(end_date),
            "status": _comma_list(status),
            "service_code": _comma_list(service_codes),
            "extensions": ext,
            "is_canceled": None if is_canceled is None else ("true" if is_canceled else "false"),
        }
        params = {k: v for k, v in params.items() if v is not None}
        now = datetime.now(timezone.utc)
        start = _as_datetime(start_date) or now - timedelta(days=DEFAULT_WINDOW_DAYS)
        end = _as_datetime(end_date) or now + timedelta(days=1)
        seen: set[str] = set()
        if self.paging == PAGING_NONE:
            pages: Iterator[ParsedPage] = self._window_pages(params, start, end)
        else:
            pages = self._paged_requests(params, page_size, start, end)
        for page in pages:
            fresh = _unseen(page, seen)
            if fresh.requests or fresh.skipped or not (page.requests or page.skipped):
                yield fresh

    def _paged_requests(
        self, params: dict[str, Any], page_size: int | None, start: datetime, end: datetime
    ) -> Iterator[ParsedPage]:
        """Pages of ``GET requests``; date windows from the point the server shows it ignores paging."""
        try:
            for page, _response in self._paged("requests", params, self._request_page, page_size, strict=True):
                yield page
        except PagingIgnoredError as ignored:
            log.info("%s: the platform does not page; walking date windows", ignored.evidence)
            self.paging = PAGING_NONE
            self.paging_evidence = ignored.evidence
            yield from self._window_pages(params, start, end, ignored.first)

    def _request_page(self, response: HttpResponse) -> tuple[ParsedPage, int, str | None]:
        page: ParsedPage = self._parse(response, lambda body: parse_requests(body, expected_bbox=self.expected_bbox))
        page.total_count = _int_header(response, "x-result-count")
        raw_next = (response.header("x-next-page-url") or "").strip()
        page.next_page_url = mask_secrets(raw_next) if raw_next else None
        count = len(page.requests) + len(page.skipped)
        if page.requests:
            first = page.requests[0].service_request_id
        else:
            first = page.skipped[0].record_id if page.skipped else None
        log.info(
            "requests page: %d kept, %d skipped (total %s)", len(page.requests), len(page.skipped), page.total_count
        )
        return page, count, first

    def iter_updates(
        self,
        updated_after: datetime | str | None = None,
        service_request_id: str | None = None,
        start_date: datetime | str | None = None,
        page_size: int | None = None,
    ) -> Iterator[UpdatePage]:
        """Pages of ``GET servicerequestupdates`` (FixMyStreet extension), oldest filters first;
        ``page_size`` overrides the client's for this walk."""
        params = {
            "updated_after": _wire_time(updated_after),
            "start_date": _wire_time(start_date),
            "service_request_id": service_request_id,
        }
        params = {k: v for k, v in params.items() if v is not None}

        def parse_page(response: HttpResponse) -> tuple[list[RequestUpdate], int, str | None]:
            skipped: list[SkippedRecord] = []
            updates = UpdatePage(self._parse(response, lambda body: parse_updates(body, skipped=skipped)))
            updates.total_count = _int_header(response, "x-result-count")
            first = updates[0].update_id if updates else (skipped[0].record_id if skipped else None)
            return updates, len(updates) + len(skipped), first

        for updates, _response in self._paged("servicerequestupdates", params, parse_page, page_size):
            yield updates

    # ------------------------------------------------------------------ reference-server extensions

    def _extension_json(self, name: str) -> Any | None:
        """``GET <name>.json`` (always JSON); ``None`` when the server answers 404 (no such extension)."""
        response = self._call("GET", urljoin(self.base_url, f"{name}.json"), self._params(), allow_404=True)
        if response.status == 404:
            log.info("The platform has no %s extension (404)", name)
            return None
        self._check_not_html(response)
        try:
            return json.loads(response.body.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"the {name} answer is not JSON ({exc}) ({response.url})") from None
        except RecursionError:
            raise ParseError(f"the {name} answer is nested too deeply to be read ({response.url})") from None

    def districts(self) -> list[tuple[str, str, dict[str, Any]]] | None:
        """``GET districts.json`` (a GeoJSON FeatureCollection; an extension of the reference server):
        ``[(code, name, GeoJSON geometry)]``, or ``None`` when the server has no such call (404).
        Features without a code or a geometry are skipped."""
        data = self._extension_json("districts")
        if data is None:
            return None
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            items = data.get("features") or []
        elif isinstance(data, list):
            items = data
        else:
            raise ParseError("the districts answer is not a GeoJSON FeatureCollection")
        rows: list[tuple[str, str, dict[str, Any]]] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            props = item.get("properties") if isinstance(item.get("properties"), dict) else item
            code = props.get("code") or item.get("id")
            geometry = item.get("geometry")
            if code is None or not isinstance(geometry, dict) or not geometry.get("type"):
                log.warning("skipped district %r: no code or no GeoJSON geometry", code)
                continue
            rows.append((str(code), str(props.get("name") or code), geometry))
        return rows

    def departments(self) -> list[dict[str, Any]] | None:
        """``GET departments.json`` (an extension of the reference server): dicts with ``code``,
        ``name``, ``officer_name``, ``officer_phone``, ``officer_email`` (the officer's data only for
        staff keys); ``None`` when the server has no such call (404)."""
        data = self._extension_json("departments")
        if data is None:
            return None
        if isinstance(data, dict) and isinstance(data.get("departments"), list):
            data = data["departments"]
        if not isinstance(data, list):
            raise ParseError("the departments answer is not a list")
        return [d for d in data if isinstance(d, dict) and d.get("code")]

    def _post(self, name: str, fields: dict[str, Any], idempotent: bool) -> dict[str, Any]:
        data = {k: v for k, v in fields.items() if v is not None}
        for key, value in list(data.items()):
            if isinstance(value, datetime):
                data[key] = to_wire(value)
        if self.jurisdiction_id:
            data.setdefault("jurisdiction_id", self.jurisdiction_id)
        response = self._call("POST", self.endpoint(name), data=data, idempotent=idempotent)
        return self._parse(response, parse_post_response)

    def post_update(self, fields: dict[str, Any]) -> dict[str, Any]:
        """``POST servicerequestupdates`` (write-back). ``fields`` carry ``service_request_id``,
        ``update_id`` (client UUID: a repeat is harmless, so the call is retried), ``status``,
        ``external_status_code``, ``description``, ``agency_responsible``… Returns the
        platform's first answer entry, once it confirms the update.

        Raises :class:`Open311Error`: ``conflict`` (409); ``no_write_back`` when the platform has no
        such endpoint (405/501, or a 404 while ``GET requests/{id}`` shows the report exists);
        ``unconfirmed`` when a 2xx answer does not confirm the update (empty, ``{}``, an error
        list, HTML, another report): it may not have been applied, so it is sent again later.
        """
        url = self.endpoint("servicerequestupdates")
        try:
            answer = self._post("servicerequestupdates", fields, idempotent=bool(fields.get("update_id")))
        except Open311Error as exc:
            if exc.kind == "not_supported" or (exc.kind == "not_found" and self._report_exists(fields)):
                raise Open311Error(
                    "no_write_back", f"POST {mask_secrets(url)} answered HTTP {exc.http_status}", exc.http_status, None
                ) from None
            if exc.kind == "parse":
                raise Open311Error("unconfirmed", f"POST {mask_secrets(url)}: {exc.message}") from None
            raise
        if not _confirms(answer, fields):
            raise Open311Error("unconfirmed", f"POST {mask_secrets(url)}: the answer does not confirm the update")
        return answer

    def _report_exists(self, fields: dict[str, Any]) -> bool:
        """After a 404 to a POST: does the platform know the report? (Then the endpoint is what is missing.)
        When that cannot be told, it is taken as known: the entry waits rather than being refused."""
        request_id = str(fields.get("service_request_id") or "")
        if not request_id:
            return True
        try:
            page = self.request(request_id, extensions=False)
        except Open311Error as exc:
            log.info("Could not check report %s after a 404 to a POST (%s)", request_id, exc.kind)
            return True
        return any(req.service_request_id == request_id for req in page.requests) or bool(page.skipped)

    def post_request(self, fields: dict[str, Any]) -> dict[str, Any]:
        """``POST requests`` (citizen submission); returns ``{service_request_id|token, service_notice}``.
        Not retried: a repeat could create a second report."""
        return self._post("requests", fields, idempotent=False)

    def test_connection(self) -> str:
        """Check address, protocol and key, and probe what the platform offers (:attr:`profile`);
        a translated summary, or :class:`Open311Error`."""
        from .probe import Prober

        prober = Prober(self)
        self.profile = prober.run()
        parts = [tr("Connected to the Open311 platform: {0} categories.").format(prober.services)]
        if self.api_key:
            parts.append(tr("The API key was accepted."))
        else:
            parts.append(tr("No API key: read-only access."))
        if prober.total is not None:
            parts.append(tr("Reports on the platform: {0}.").format(prober.total))
        return " ".join(parts) + "\n" + "\n".join(self.profile.lines())
