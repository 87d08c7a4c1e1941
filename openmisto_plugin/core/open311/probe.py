"""Probe a platform with a few cheap calls and tell what it offers (:class:`PlatformProfile`).

Calls, each once and never retried: ``services`` in JSON and in XML, ``discovery``, one small page of
``requests`` (and a second one when the first does not show the paging style), ``requests`` changed
after a time in the future (``updated_after``), one history entry (``GET servicerequestupdates``),
``districts``/``departments`` (reference-server extensions) and, for write-back, a ``POST
servicerequestupdates`` that names no report: it cannot change anything, and the status tells whether
the call exists (400/401/403: it does; 404/405/501: it does not).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ..model import SkippedRecord
from ..timeutil import to_wire
from .errors import Open311Error, ParseError
from .parser import detect_format, parse_discovery, parse_error_message, parse_requests, parse_services
from .profile import (
    ABSENT_STATUSES,
    NO,
    PAGING_NEXT_URL,
    PAGING_NONE,
    PAGING_PAGE,
    UNKNOWN,
    YES,
    PlatformProfile,
    far_future,
)
from .transport import HttpResponse

log = logging.getLogger(__name__)

PROBE_PAGE_SIZE = 2


def answered(method: str, response: HttpResponse) -> str:
    """``GET http://…/x.json answered 404: <the platform's words>`` (no key), for the profile's evidence."""
    from .client import without_key

    text = f"{method} {without_key(response.url)} answered {response.status}"
    words = parse_error_message(response.body) if response.status >= 400 else None
    return f"{text}: {words}" if words else text


def _feature_status(response: HttpResponse | None, fmt: str | None = None) -> str:
    """``yes`` for a 2xx answer in ``fmt`` (any Open311 format when ``None``), ``no`` for 404/405/501."""
    if response is None:
        return UNKNOWN
    if 200 <= response.status < 300:
        kind = detect_format(response.body, response.header("content-type"))
        if kind == "html":
            return NO
        return YES if fmt is None or kind == fmt else UNKNOWN
    if response.status in ABSENT_STATUSES:
        return NO
    return UNKNOWN


def _mentions(response: HttpResponse, word: str) -> bool:
    return response.status == 400 and word in (parse_error_message(response.body) or "").lower()


class Prober:
    """Runs the probe calls of one client; :meth:`run` returns the profile."""

    def __init__(self, client: Any, now: datetime | None = None) -> None:
        self.client = client
        self.now = now
        self.profile = PlatformProfile(base_url=client.base_url)
        self.services = 0
        #: ``X-Result-Count`` of the requests probe (reports on the platform), when sent
        self.total: int | None = None
        self.any_records = False

    def run(self) -> PlatformProfile:
        """Every probe; raises :class:`Open311Error` only when the address is not a usable Open311 platform."""
        self._formats()
        self._discovery()
        self._requests()
        self._updated_after()
        self._history()
        self._write_back()
        for name in ("districts", "departments"):
            self._extension(name)
        self.profile.touch(self.now)
        return self.profile

    # -- calls -----------------------------------------------------------------------------------
    def _get(self, name: str, params: dict[str, Any] | None = None, fmt: str | None = None) -> HttpResponse | None:
        url = self.client.endpoint(name, fmt or self.profile.format)
        return self.client.raw("GET", url, self.client._params(params))

    def _formats(self) -> None:
        """``services`` in JSON and XML: which formats answer, and which one the client uses."""
        first_error: Open311Error | None = None
        for fmt in ("json", "xml"):
            url = self.client.endpoint("services", fmt)
            response = self.client.raw("GET", url, self.client._params())
            if response is None:  # no HTTP answer: the same call again, to raise its precise error
                self.client._call("GET", url, self.client._params(), allow_404=True, retries=0)
                continue
            if _mentions(response, "jurisdiction"):
                self.profile.note("jurisdiction_needed", YES, answered("GET", response))
            if response.status in (401, 403) and first_error is None:
                first_error = self.client._error_from_response("GET", response)
            skipped: list[SkippedRecord] = []
            usable = False
            if 200 <= response.status < 300 and detect_format(response.body, response.header("content-type")) == fmt:
                try:
                    services = parse_services(response.body, fmt, skipped=skipped)
                    usable = bool(services) or not skipped
                    self.services = max(self.services, len(services))
                except ParseError:
                    usable = False
            self.profile.note(fmt, YES if usable else NO, None if usable else answered("GET", response))
        if self.profile.json != YES and self.profile.xml == YES:
            self.profile.format = "xml"
        elif self.profile.json == YES:
            self.profile.format = "json"
        else:
            if first_error is not None:
                raise first_error
            raise Open311Error("not_open311", f"{self.client.endpoint('services', 'json')}: no Open311 services")
        if self.profile.jurisdiction_needed == UNKNOWN and not self.client.jurisdiction_id:
            self.profile.note("jurisdiction_needed", NO)
        self.client.fmt = self.profile.format
        self.client._format_open = False

    def _discovery(self) -> None:
        response = self._get("discovery")
        status = _feature_status(response)
        if status == YES and response is not None:
            try:
                parse_discovery(response.body)
            except ParseError:
                status = NO
        self.profile.note("discovery", status, answered("GET", response) if response is not None else None)

    def _requests(self) -> None:
        """One small page: paging style from the headers (or a second page), extensions from the records."""
        params = {"page": 1, "page_size": PROBE_PAGE_SIZE, "extensions": "true"}
        response = self._get("requests", params)
        if response is not None and response.status == 400:  # a strict server refusing page/page_size
            params = {"extensions": "true"}
            response = self._get("requests", params)
        if response is None:
            return
        if response.status in (401, 403):
            raise self.client._error_from_response("GET", response)
        if not 200 <= response.status < 300:
            return
        try:
            page = parse_requests(response.body)
        except ParseError:
            return
        records = page.requests
        count = (response.header("x-result-count") or "").strip()
        self.total = int(count) if count.isdigit() else None
        if records:
            extended = any(r.extended for r in records)
            self.profile.note("extensions", YES if extended else NO, answered("GET", response))
        if (response.header("x-next-page-url") or "").strip():
            self.profile.note("paging", PAGING_NEXT_URL, answered("GET", response))
        elif response.header("x-page-count") or response.header("x-result-count") or response.header("link"):
            self.profile.note("paging", PAGING_PAGE, answered("GET", response))
        elif len(records) + len(page.skipped) > PROBE_PAGE_SIZE or "page" not in params:
            self.profile.note("paging", PAGING_NONE, answered("GET", response))
        elif len(records) == PROBE_PAGE_SIZE:
            second = self._get("requests", {**params, "page": 2})
            if second is None or not 200 <= second.status < 300:
                return
            again = parse_requests(second.body).requests
            first_ids = [r.service_request_id for r in records]
            if again and [r.service_request_id for r in again][: len(first_ids)] == first_ids:
                self.profile.note("paging", PAGING_NONE, answered("GET", second) + " (the same page again)")
            elif again:
                self.profile.note("paging", PAGING_PAGE, answered("GET", second))
        self.any_records = bool(records)

    def _updated_after(self) -> None:
        """Records changed after a time in the future: none when the platform honours ``updated_after``."""
        future = far_future(self.now)
        params = {"updated_after": to_wire(future), "page_size": PROBE_PAGE_SIZE}
        if self.profile.paging == PAGING_NONE:
            params.pop("page_size")
        response = self._get("requests", params)
        if response is None:
            return
        if response.status == 400 and "updated_after" in (parse_error_message(response.body) or ""):
            self.profile.note("updated_after", NO, answered("GET", response))
            return
        if not 200 <= response.status < 300:
            return
        try:
            records = parse_requests(response.body).requests
        except ParseError:
            return
        if records:
            self.profile.note("updated_after", NO, answered("GET", response) + " (records older than asked)")
        elif self.any_records:
            self.profile.note("updated_after", YES, answered("GET", response))

    def _history(self) -> None:
        params = {"updated_after": to_wire(far_future(self.now)), "page_size": 1}
        response = self._get("servicerequestupdates", params)
        self.profile.note("history", _feature_status(response), answered("GET", response) if response else None)

    def _write_back(self) -> None:
        """A POST naming no report (nothing to apply): 404/405/501 = no write-back, 400/401/403/422 = there is."""
        data: dict[str, Any] = {}
        if self.client.jurisdiction_id:
            data["jurisdiction_id"] = self.client.jurisdiction_id
        url = self.client.endpoint("servicerequestupdates", self.profile.format)
        response = self.client.raw("POST", url, data=data)
        if response is None:
            return
        if response.status in ABSENT_STATUSES or detect_format(response.body) == "html":
            value = NO
        elif response.status in (400, 401, 403, 409, 422) or 200 <= response.status < 300:
            value = YES
        else:
            value = UNKNOWN
        self.profile.note("write_back", value, answered("POST", response))

    def _extension(self, name: str) -> None:
        response = self.client.raw("GET", self.client.endpoint(name, "json"), self.client._params())
        self.profile.note(name, _feature_status(response, "json"), answered("GET", response) if response else None)


def probe(client: Any, now: datetime | None = None) -> PlatformProfile:
    """The profile of ``client``'s platform (see the module's docstring for the calls)."""
    return Prober(client, now).run()
