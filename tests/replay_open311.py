"""A replay server: real Open311 answers (``tests/data/open311/``) served the way each kind of server behaves.

Not a stub of the plugin: a small stdlib HTTP server on 127.0.0.1 that holds the records of one real
capture and answers filters, paging, formats and errors as a real server of that kind does:

- ``six_aika()``: Helsinki's 6aika/issue-reporting (Django REST): JSON and XML, ``page``/``page_size``
  (page size capped at 500), ``X-Result-Count``/``X-Page-Count``/``X-Next-Page-URL``, a page past the end
  is 404 ``{"detail": "Invalid page."}``; no ``servicerequestupdates`` (history, write-back): 404.
- ``spec_only_xml()``: San Francisco's SF311 (2012): XML only, no paging (``page`` ignored), at most
  ``cap`` reports per answer, ``updated_after`` unknown (ignored), no history, no write-back.
- ``ignores_updated_after()``: Bloomington's uReport (2012): JSON, ``page``/``page_size`` without
  headers, ``updated_after`` ignored.
- ``fixmystreet()``: Toronto's reports (2018) behind a FixMyStreet-style server: XML, no paging,
  ``updated_after`` honoured, a ``GET servicerequestupdates`` history feed (entries derived from the
  reports' own dates: the captures hold no feed), ``POST servicerequestupdates`` 405.

Every answer is rendered from the records as the capture holds them (the XML elements and JSON objects
as read); ``change``/``add``/``add_update`` alter them between two syncs, as a live platform would.
"""

from __future__ import annotations

import copy
import json
import math
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

DATA = Path(__file__).resolve().parent / "data" / "open311"
PREFIX = "/open311/v2/"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


def when(text: str | None) -> datetime | None:
    """A record's or a parameter's datetime (zone-less = UTC, as the replayed servers compare them)."""
    if not text or not str(text).strip():
        return None
    try:
        parsed = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@dataclass
class Record:
    """One report: its JSON object and/or its XML element, as captured."""

    data: dict[str, Any]
    element: ET.Element | None = None

    @property
    def id(self) -> str:
        return str(self.data.get("service_request_id") or "").strip()

    @property
    def requested(self) -> datetime | None:
        return when(self.data.get("requested_datetime"))

    @property
    def updated(self) -> datetime | None:
        return when(self.data.get("updated_datetime")) or self.requested

    def set(self, name: str, value: str) -> None:
        self.data[name] = value
        if self.element is not None:
            child = self.element.find(name)
            if child is None:
                child = ET.SubElement(self.element, name)
            child.attrib.pop(XSI_NIL, None)
            child.text = value


def _element_dict(element: ET.Element) -> dict[str, Any]:
    return {child.tag: (child.text or "").strip() for child in element}


def read_json(path: Path) -> list[Record]:
    return [Record(item) for item in json.loads(path.read_text(encoding="utf-8"))]


def read_xml(path: Path) -> list[Record]:
    root = ET.parse(path).getroot()
    return [Record(_element_dict(child), child) for child in root]


def merge(json_records: list[Record], xml_records: list[Record]) -> list[Record]:
    """The same capture in both formats: one record with both forms (matched by id)."""
    by_id = {r.id: r for r in xml_records}
    for record in json_records:
        twin = by_id.get(record.id)
        if twin is not None:
            record.element = twin.element
    return json_records


@dataclass
class Behaviour:
    """How the server behaves (see the module's docstring)."""

    name: str
    formats: tuple[str, ...]
    paging: str  # "drf" (6aika), "bare" (page/page_size, no headers), "none"
    cap: int = 1000  # the most records per answer ("none"), the largest page_size ("drf")
    updated_after: bool = True
    history: bool = False
    write_back_status: int = 404
    headers: bool = True  # "drf": the X-… paging headers (off: only the 404 past the last page ends a walk)
    ignores_dates: bool = False  # start_date/end_date unknown to it (its newest reports, whatever is asked)
    max_span: timedelta | None = None  # start_date..end_date wider than this: 400 (a server limiting windows)
    services: dict[str, Path] = field(default_factory=dict)


@dataclass
class Update:
    """One history entry of the FixMyStreet-style feed."""

    update_id: str
    service_request_id: str
    updated_datetime: str
    status: str
    description: str


class ReplayServer:
    """Serves ``records`` with ``behaviour``; ``base_url`` ends in ``/open311/v2/``."""

    def __init__(self, behaviour: Behaviour, records: list[Record], updates: list[Update] | None = None) -> None:
        self.behaviour = behaviour
        self.records = records
        self.updates = updates or []
        self.calls: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self._answer("POST")

            def _answer(self, method: str) -> None:
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                host = self.headers.get("Host") or "127.0.0.1"
                with replay.lock:
                    replay.calls.append((method, parts.path, params))
                    status, headers, body, ctype = replay.answer(method, parts.path, params, host)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{PREFIX}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- the platform changes (between syncs) -----------------------------------------------------
    def record(self, record_id: str) -> Record:
        return next(r for r in self.records if r.id == record_id)

    def change(self, record_id: str, **values: str) -> None:
        with self.lock:
            record = self.record(record_id)
            for name, value in values.items():
                record.set(name, value)

    def add(self, like: str, new_id: str, **values: str) -> Record:
        """A new report: a copy of report ``like`` under ``new_id`` with ``values``."""
        with self.lock:
            original = self.record(like)
            record = Record(copy.deepcopy(original.data), copy.deepcopy(original.element))
            record.set("service_request_id", new_id)
            for name, value in values.items():
                record.set(name, value)
            self.records.append(record)
            return record

    def add_update(self, update: Update) -> None:
        with self.lock:
            self.updates.append(update)

    # -- answers ----------------------------------------------------------------------------------
    def answer(self, method: str, path: str, params: dict[str, str], host: str) -> tuple[int, dict, bytes, str]:
        if not path.startswith(PREFIX) or "." not in path:
            return self._error(404, "Not found.", "json")
        name, _, fmt = path[len(PREFIX) :].rpartition(".")
        if fmt not in self.behaviour.formats:
            return self._error(404, "Not found.", fmt if fmt in ("json", "xml") else "json")
        if name == "services" and method == "GET":
            source = self.behaviour.services.get(fmt)
            if source is None:
                return self._error(404, "Not found.", fmt)
            return 200, {}, source.read_bytes(), _ctype(fmt)
        if name == "requests" and method == "GET":
            return self._requests(params, fmt, host)
        if name == "servicerequestupdates":
            if method == "POST":
                status = self.behaviour.write_back_status
                headers = {"Allow": "GET"} if status == 405 else {}
                status_, _, body, ctype = self._error(
                    status, "Method not allowed." if status == 405 else "Not found.", fmt
                )
                return status_, headers, body, ctype
            if self.behaviour.history:
                return self._updates(params, fmt)
        return self._error(404, "Not found.", fmt)

    def _error(self, status: int, text: str, fmt: str) -> tuple[int, dict, bytes, str]:
        if self.behaviour.name == "6aika" and fmt == "json":  # Django REST framework's error body
            return status, {}, json.dumps({"detail": text}).encode(), _ctype("json")
        if fmt == "xml":
            body = f"<?xml version='1.0' encoding='utf-8'?><errors><error><code>{status}</code>"
            body += f"<description>{text}</description></error></errors>"
            return status, {}, body.encode(), _ctype("xml")
        return status, {}, json.dumps([{"code": status, "description": text}]).encode(), _ctype("json")

    def _selected(self, params: dict[str, str]) -> list[Record]:
        ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
        if ids:
            return [r for r in self.records if r.id in ids]
        start, end = when(params.get("start_date")), when(params.get("end_date"))
        if self.behaviour.ignores_dates:
            start = end = None
        after = when(params.get("updated_after")) if self.behaviour.updated_after else None
        if (
            start is None and end is None and after is None and not self.behaviour.ignores_dates
        ):  # the spec's default: the last 90 days
            start = datetime.now(timezone.utc) - timedelta(days=90)
        chosen = []
        for record in self.records:
            requested = record.requested
            if start is not None and (requested is None or requested < start):
                continue
            if end is not None and (requested is None or requested > end):
                continue
            if after is not None and (record.updated is None or record.updated <= after):
                continue
            chosen.append(record)
        chosen.sort(key=lambda r: r.requested or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
        return chosen

    def _requests(self, params: dict[str, str], fmt: str, host: str) -> tuple[int, dict, bytes, str]:
        start, end = when(params.get("start_date")), when(params.get("end_date"))
        if self.behaviour.max_span and (start is None or end is None or end - start > self.behaviour.max_span):
            return self._error(
                400, f"start_date and end_date must be at most {self.behaviour.max_span.days} days apart", fmt
            )
        chosen = self._selected(params)
        headers: dict[str, str] = {}
        paging = self.behaviour.paging
        if paging == "none":
            chosen = chosen[: self.behaviour.cap]
        else:
            try:
                size = max(1, int(params.get("page_size") or 50))
                page = max(1, int(params.get("page") or 1))
            except ValueError:
                return self._error(400, "Invalid page.", fmt)
            if paging == "drf":
                size = min(size, self.behaviour.cap)
                pages = max(1, math.ceil(len(chosen) / size))
                if page > pages:
                    return self._error(404, "Invalid page.", fmt)
                headers = {"X-Result-Count": str(len(chosen)), "X-Page-Count": str(pages)}
                if not self.behaviour.headers:
                    headers = {}
                elif page < pages:
                    query = urlencode({**params, "page": page + 1})
                    headers["X-Next-Page-URL"] = f"http://{host}{PREFIX}requests.{fmt}?{query}"
            chosen = chosen[(page - 1) * size : page * size]
        return 200, headers, self._render(chosen, fmt), _ctype(fmt)

    def _render(self, records: list[Record], fmt: str) -> bytes:
        if fmt == "json":
            return json.dumps([r.data for r in records], ensure_ascii=False).encode("utf-8")
        root = ET.Element("service_requests")
        for record in records:
            if record.element is not None:
                root.append(record.element)
            else:
                item = ET.SubElement(root, "request")
                for key, value in record.data.items():
                    ET.SubElement(item, key).text = "" if value is None else str(value)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)

    def _updates(self, params: dict[str, str], fmt: str) -> tuple[int, dict, bytes, str]:
        after = when(params.get("updated_after"))
        start, end = when(params.get("start_date")), when(params.get("end_date"))
        chosen = []
        for update in self.updates:
            stamp = when(update.updated_datetime)
            if (after and stamp <= after) or (start and stamp < start) or (end and stamp > end):
                continue
            chosen.append(update)
        if fmt == "json":
            body = json.dumps({"service_request_updates": [u.__dict__ for u in chosen]}).encode()
            return 200, {}, body, _ctype("json")
        root = ET.Element("service_request_updates")
        for update in chosen:
            item = ET.SubElement(root, "request_update")
            for key, value in update.__dict__.items():
                ET.SubElement(item, key).text = value
        return 200, {}, ET.tostring(root, encoding="utf-8", xml_declaration=True), _ctype("xml")


def _ctype(fmt: str) -> str:
    return "application/json; charset=utf-8" if fmt == "json" else "text/xml; charset=utf-8"


# -- the four kinds of server ---------------------------------------------------------------------------


def six_aika() -> ReplayServer:
    folder = DATA / "helsinki"
    records = merge(read_json(folder / "requests.json"), read_xml(folder / "requests.xml"))
    services = {"json": folder / "services.json", "xml": folder / "services.xml"}
    return ReplayServer(Behaviour("6aika", ("json", "xml"), "drf", cap=500, services=services), records)


def spec_only_xml(cap: int = 20) -> ReplayServer:
    folder = DATA / "realworld" / "open311status"
    behaviour = Behaviour(
        "sf311",
        ("xml",),
        "none",
        cap=cap,
        updated_after=False,
        services={"xml": folder / "san_francisco_services.xml"},
    )
    return ReplayServer(behaviour, read_xml(folder / "san_francisco_requests.xml"))


def ignores_updated_after() -> ReplayServer:
    folder = DATA / "realworld" / "open311status"
    behaviour = Behaviour(
        "ureport",
        ("json",),
        "bare",
        updated_after=False,
        services={"json": folder / "bloomington_services.json"},
    )
    return ReplayServer(behaviour, read_json(folder / "bloomington_requests.json"))


def fixmystreet() -> ReplayServer:
    folder = DATA / "realworld" / "open311status"
    records = read_xml(folder / "toronto_requests_many.xml")
    updates = []
    for record in records:  # a feed from the reports' own dates: opened, then its last change
        updates.append(Update(f"{record.id}-1", record.id, record.data["requested_datetime"], "open", "Received"))
        if record.data.get("updated_datetime"):
            status = record.data.get("status") or "open"
            updates.append(Update(f"{record.id}-2", record.id, record.data["updated_datetime"], status, "Updated"))
    behaviour = Behaviour(
        "fixmystreet",
        ("xml",),
        "none",
        history=True,
        write_back_status=405,
        services={"xml": DATA / "realworld" / "open311status" / "giessen_services.xml"},
    )
    return ReplayServer(behaviour, records, updates)
