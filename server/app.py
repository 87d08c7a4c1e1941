"""Routing of ``/open311/v2/…`` calls to their endpoints; each returns a ``Reply`` (not yet serialised)."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from . import db, queries, records, writes
from .auth import Principal, principal_for
from .errors import ApiError
from .formats import FORMATS
from .timefmt import now_utc

PREFIX = "/open311/v2/"
SPEC_URL = "http://wiki.open311.org/GeoReport_v2"


ROLE_HEADER = "X-OpenMisto-Role"  # the key's role on answers to a key: "moderator", "viewer", "officer:<dept>"


@dataclass
class Reply:
    """An answer before serialisation: ``kind`` names the XML root (see ``formats.XML_NAMES``)."""

    status: int
    payload: Any
    kind: str
    fmt: str = "json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One HTTP call as the endpoints see it."""

    method: str
    name: str  # the path after the prefix, without the format suffix: "requests", "requests/12"
    fmt: str
    params: dict[str, str]  # query string (first value of each name)
    query_pairs: list[tuple[str, str]]  # the query string as sent, for the next page's URL
    form: dict[str, str]  # form body of a POST
    host: str  # "127.0.0.1:8311", for absolute URLs
    principal: Principal = field(default_factory=lambda: Principal("anonymous"))
    scheme: str = "http"  # "https" behind a TLS proxy that says so (X-Forwarded-Proto), for absolute URLs

    def flag(self, name: str) -> bool:
        return self.params.get(name, "").strip().lower() in ("true", "1", "yes")


def split_path(path: str) -> tuple[str, str] | None:
    """``/open311/v2/requests/12.xml`` -> (``requests/12``, ``xml``); ``None`` outside the API."""
    if not path.startswith(PREFIX):
        return None
    rest = path[len(PREFIX) :].strip("/")
    stem, dot, suffix = rest.rpartition(".")
    if dot and suffix in FORMATS:
        return stem, suffix
    if dot:
        return None  # an unknown format
    return rest, "json"


#: Calls a "plain" server (``--plain``: GeoReport v2 without extensions) does not have.
EXTENSION_CALLS = ("servicerequestupdates", "districts", "departments")
#: Parameters a plain server does not know (paging and ``updated_after`` are extensions): ignored.
EXTENSION_PARAMS = ("page", "page_size", "updated_after", "updated_before")
DEFAULT_RESULT_CAP = 1000


@dataclass(frozen=True)
class Mode:
    """How much of the API the server offers: everything (default), or a plain GeoReport v2 server.

    ``plain``: no paging (``page``/``page_size`` ignored; at most ``result_cap`` reports per answer,
    the newest first), no ``updated_after``, no ``servicerequestupdates`` (history, write-back), no
    ``districts``/``departments``; ``xml_only``: no JSON either (``.json`` calls answer 404).
    """

    plain: bool = False
    xml_only: bool = False
    result_cap: int = DEFAULT_RESULT_CAP


class OpenCityApp:
    """The Open311 endpoints over one SQLite database."""

    def __init__(self, db_path: str | Path, clock: Callable[[], datetime] = now_utc, mode: Mode | None = None) -> None:
        self.db_path = Path(db_path)
        self.mode = mode or Mode()
        self.pool = db.ConnectionPool(self.db_path)
        self.clock = clock
        self.write_lock = threading.Lock()
        self.replays: Counter[str] = Counter()
        self._routes: list[tuple[re.Pattern[str], str, Callable[[Call, sqlite3.Connection, re.Match], Reply]]] = [
            (re.compile(r"discovery"), "GET", self.discovery),
            (re.compile(r"services"), "GET", self.services),
            (re.compile(r"requests"), "GET", self.list_requests),
            (re.compile(r"requests"), "POST", self.post_request),
            (re.compile(r"requests/(?P<id>[^/]+)"), "GET", self.one_request),
            (re.compile(r"servicerequestupdates"), "GET", self.list_updates),
            (re.compile(r"servicerequestupdates"), "POST", self.post_update),
            (re.compile(r"districts"), "GET", self.districts),
            (re.compile(r"departments"), "GET", self.departments),
        ]

    def handle(self, call: Call) -> Reply:
        """Route a call; ``ApiError`` becomes the caller's job (so the HTTP layer can format it)."""
        if (self.mode.xml_only and call.fmt == "json") or (
            self.mode.plain and call.name.split("/", 1)[0] in EXTENSION_CALLS
        ):
            raise ApiError(404, f"No such endpoint: {call.name}.{call.fmt}")
        known_path = False
        for pattern, method, endpoint in self._routes:
            match = pattern.fullmatch(call.name)
            if not match:
                continue
            known_path = True
            if method != call.method:
                continue
            with self.pool.connection() as conn:
                if method == "GET":
                    conn.execute("BEGIN")  # one snapshot for the count and the page
                call.principal = principal_for(conn, call.params.get("api_key") or call.form.get("api_key"))
                reply = endpoint(call, conn, match)
                if call.principal.role != "anonymous":  # whose key it is: a client can check its role setting
                    reply.headers.setdefault(ROLE_HEADER, call.principal.name)
                return reply
        if known_path:
            raise ApiError(405, f"{call.method} is not allowed on {call.name}.")
        raise ApiError(404, f"No such endpoint: {call.name}.{call.fmt}")

    # -- reference endpoints -----------------------------------------------------------------------------------
    def discovery(self, call: Call, conn: sqlite3.Connection, _m: re.Match) -> Reply:
        changeset = conn.execute("SELECT value FROM meta WHERE key = 'now'").fetchone()
        payload = {
            "changeset": changeset[0] if changeset else None,
            "contact": "Відкрите Місто reference server (test and demo data for Pokrov)",
            "key_service": "API keys: moderator-key, viewer-key, officer-<department>-key",
            "endpoints": [
                {
                    "specification": SPEC_URL,
                    "url": f"http://{call.host}{PREFIX.rstrip('/')}",
                    "changeset": changeset[0] if changeset else None,
                    "type": "test",
                    "formats": ["text/xml"] if self.mode.xml_only else ["application/json", "text/xml"],
                }
            ],
        }
        return Reply(200, payload, "discovery", call.fmt)

    def services(self, call: Call, conn: sqlite3.Connection, _m: re.Match) -> Reply:
        rows = conn.execute(
            "SELECT service_code, service_name, description, keywords, group_name FROM services ORDER BY sort"
        )
        payload = [
            {
                "service_code": code,
                "service_name": name,
                "description": description,
                "metadata": False,
                "type": "realtime",
                "keywords": keywords,
                "group": group,
            }
            for code, name, description, keywords, group in rows
        ]
        return Reply(200, payload, "services", call.fmt)

    def districts(self, call: Call, conn: sqlite3.Connection, _m: re.Match) -> Reply:
        rows = conn.execute("SELECT code, name, ring_json FROM districts ORDER BY sort").fetchall()
        if call.fmt == "xml":
            payload: Any = [
                {
                    "code": code,
                    "name": name,
                    "wkt": "POLYGON((" + ", ".join(f"{x} {y}" for x, y in json.loads(ring)) + "))",
                }
                for code, name, ring in rows
            ]
            return Reply(200, payload, "districts", call.fmt)
        features = [
            {
                "type": "Feature",
                "id": code,
                "properties": {"code": code, "name": name},
                "geometry": {"type": "Polygon", "coordinates": [json.loads(ring)]},
            }
            for code, name, ring in rows
        ]
        return Reply(200, {"type": "FeatureCollection", "features": features}, "districts", call.fmt)

    def departments(self, call: Call, conn: sqlite3.Connection, _m: re.Match) -> Reply:
        rows = conn.execute(
            "SELECT code, name, officer_name, officer_phone, officer_email FROM departments ORDER BY sort"
        )
        staff = call.principal.is_staff
        payload = [
            {
                "code": code,
                "name": name,
                "officer_name": officer if staff else None,
                "officer_phone": phone if staff else None,
                "officer_email": email if staff else None,
            }
            for code, name, officer, phone, email in rows
        ]
        return Reply(200, payload, "departments", call.fmt)

    # -- requests ----------------------------------------------------------------------------------------------
    def list_requests(self, call: Call, conn: sqlite3.Connection, _m: re.Match) -> Reply:
        if self.mode.plain:
            return self._plain_requests(call, conn)
        query = queries.requests_query(call.params, call.principal, self.clock())
        page = queries.page_of(call.params)
        total = conn.execute(f"SELECT count(*) FROM requests WHERE {query.where}", query.args).fetchone()[0]  # noqa: S608 - WHERE/ORDER are the query builder's fixed clauses; values are bound  # nosec B608
        # Skip to the page on the (covering) index first, then read only that page's rows.
        ids = [
            row[0]
            for row in conn.execute(
                f"SELECT id FROM requests WHERE {query.where} ORDER BY {query.order} LIMIT ? OFFSET ?",  # noqa: S608 - WHERE/ORDER are the query builder's fixed clauses; values are bound  # nosec B608
                [*query.args, page.size, page.offset],
            )
        ]
        position = {rid: i for i, rid in enumerate(ids)}
        page_sql = f"SELECT {db.REQUEST_COLUMNS} FROM requests WHERE id IN (SELECT value FROM json_each(?))"  # noqa: S608 - WHERE/ORDER are the query builder's fixed clauses; values are bound  # nosec B608
        rows = conn.execute(page_sql, (json.dumps(ids),)).fetchall()
        rows.sort(key=lambda row: position[row[0]])
        payload = records.request_records(
            rows, db.service_names(conn), call.flag("extensions"), internal=call.principal.role != "anonymous"
        )
        return Reply(200, payload, "requests", call.fmt, self._paging_headers(call, page, total))

    def one_request(self, call: Call, conn: sqlite3.Connection, match: re.Match) -> Reply:
        id_text = match["id"]
        row = None
        if id_text.isdigit():
            row = conn.execute(f"SELECT {db.REQUEST_COLUMNS} FROM requests WHERE id = ?", (int(id_text),)).fetchone()  # noqa: S608 - WHERE/ORDER are the query builder's fixed clauses; values are bound  # nosec B608
        principal = call.principal
        if row is None or (principal.role == "anonymous" and not principal.can_see(row[5], row[1])):
            raise ApiError(404, f"Service request {id_text} not found.")
        if not principal.can_see(row[5], row[1]):
            raise ApiError(
                403, f"Service request {id_text} belongs to another department; officers see only their own."
            )
        payload = records.request_records(
            [row], db.service_names(conn), call.flag("extensions"), internal=principal.role != "anonymous"
        )
        return Reply(200, payload, "requests", call.fmt)

    def post_request(self, call: Call, conn: sqlite3.Connection, _m: re.Match) -> Reply:
        with self.write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                payload = writes.submit_request(conn, call.form, self.clock())
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        return Reply(201, payload, "requests", call.fmt)

    # -- updates -----------------------------------------------------------------------------------------------
    def list_updates(self, call: Call, conn: sqlite3.Connection, _m: re.Match) -> Reply:
        query = queries.updates_query(call.params, call.principal)
        page = queries.page_of(call.params)
        source = f"updates u WHERE {query.where}"
        total = conn.execute(f"SELECT count(*) FROM {source}", query.args).fetchone()[0]  # noqa: S608 - WHERE/ORDER are the query builder's fixed clauses; values are bound  # nosec B608
        seqs = [
            row[0]
            for row in conn.execute(
                f"SELECT u.seq FROM {source} ORDER BY {query.order} LIMIT ? OFFSET ?",  # noqa: S608 - WHERE/ORDER are the query builder's fixed clauses; values are bound  # nosec B608
                [*query.args, page.size, page.offset],
            )
        ]
        page_sql = f"SELECT {db.UPDATE_COLUMNS} FROM updates u WHERE u.seq IN (SELECT value FROM json_each(?))"  # noqa: S608 - WHERE/ORDER are the query builder's fixed clauses; values are bound  # nosec B608
        rows = conn.execute(page_sql, (json.dumps(seqs),)).fetchall()
        position = {seq: i for i, seq in enumerate(seqs)}
        rows.sort(key=lambda row: position[row[-1]])
        payload = records.update_records(rows)
        return Reply(200, payload, "updates", call.fmt, self._paging_headers(call, page, total))

    def post_update(self, call: Call, conn: sqlite3.Connection, _m: re.Match) -> Reply:
        with self.write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                payload, replayed = writes.post_update(conn, call.form, call.principal, self.clock())
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            if replayed:
                self.replays[payload[0]["update_id"]] += 1
        return Reply(200, payload, "updates", call.fmt)

    def _plain_requests(self, call: Call, conn: sqlite3.Connection) -> Reply:
        """``GET requests`` of a plain server: no paging, no ``updated_after``; the newest ``result_cap``."""
        params = {k: v for k, v in call.params.items() if k not in EXTENSION_PARAMS}
        query = queries.requests_query(params, call.principal, self.clock())
        rows = conn.execute(
            f"SELECT {db.REQUEST_COLUMNS} FROM requests WHERE {query.where} ORDER BY requested_utc DESC, id LIMIT ?",  # noqa: S608 - WHERE is the query builder's fixed clauses; values are bound  # nosec B608
            [*query.args, self.mode.result_cap],
        ).fetchall()
        payload = records.request_records(rows, db.service_names(conn), call.flag("extensions"))
        return Reply(200, payload, "requests", call.fmt)

    # -- helpers -----------------------------------------------------------------------------------------------
    @staticmethod
    def _paging_headers(call: Call, page: queries.Page, total: int) -> dict[str, str]:
        pages = page.count(total)
        headers = {"X-Result-Count": str(total), "X-Page-Count": str(pages)}
        if page.number < pages:
            pairs = [(k, v) for k, v in call.query_pairs if k != "page"] + [("page", str(page.number + 1))]
            url = f"{call.scheme}://{call.host}{PREFIX}{call.name}.{call.fmt}?{urlencode(pairs)}"
            headers["X-Next-Page-URL"] = url
            headers["Link"] = f'<{url}>; rel="next"'
        return headers

    def stats(self) -> dict[str, Any]:
        """Updates applied through the API per ``update_id``, and replays answered without applying."""
        with self.pool.connection() as conn:
            applied = dict(
                conn.execute(
                    "SELECT update_id, count(*) FROM updates WHERE origin = 'api' GROUP BY update_id ORDER BY update_id"
                )
            )
            citizen = conn.execute("SELECT count(*) FROM updates WHERE origin = 'citizen'").fetchone()[0]
        return {
            "applied": applied,
            "applied_total": sum(applied.values()),
            "replayed": dict(self.replays),
            "citizen_reports": citizen,
        }
