"""Helpers shared by the store and sync tests of both backends (GeoPackage and PostGIS): plain functions and classes.

- report builders: ``T0``, ``WEST``/``EAST`` districts, ``req(i, ...)`` (a :class:`ServiceRequest`);
- the reference server: ``server_count``, ``client_for``, ``post``;
- sync feedback and faults: ``Feedback``, ``FailingPages``.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from openmisto_plugin.core.model import ServiceRequest
from openmisto_plugin.core.open311.client import Open311Client

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
# Two districts side by side, split at longitude 34.11.
WEST = "POLYGON((34.05 47.60, 34.11 47.60, 34.11 47.70, 34.05 47.70, 34.05 47.60))"
EAST = {
    "type": "Polygon",
    "coordinates": [[[34.11, 47.60], [34.17, 47.60], [34.17, 47.70], [34.11, 47.70], [34.11, 47.60]]],
}


def req(i: int, lat: float = 47.65, lon: float = 34.10, minutes: int = 0, **kw) -> ServiceRequest:
    """Report ``i``: an open pothole at T0 (+ ``minutes`` for its update time); ``kw`` overrides fields."""
    fields = {
        "status": "open",
        "external_status_code": "for_triage",
        "service_code": "roads.pothole",
        "service_name": "Ями на дорозі",
        "description": f"Яма {i}",
        "requested_datetime": T0,
        "updated_datetime": T0 + timedelta(minutes=minutes),
        "district": "center",
    }
    fields.update(kw)
    return ServiceRequest(str(i), lat, lon, **fields)


def server_count(server, sql: str, args=()) -> int:
    """A count straight from the reference server's database."""
    with sqlite3.connect(server.db_path) as conn:
        return conn.execute(sql, args).fetchone()[0]


def client_for(server, key: str = "moderator-key", **kw) -> Open311Client:
    kw.setdefault("retries", 0)
    return Open311Client(server.base_url, api_key=key, **kw)


def post(server, key: str, **fields) -> dict:
    return client_for(server, key).post_update(fields)


def for_triage(server, n: int = 3) -> list[str]:
    """Ids (as text) of the first ``n`` reports still ``for_triage`` on the reference server."""
    rows = sqlite3.connect(server.db_path).execute(
        "SELECT id FROM requests WHERE external_status_code = 'for_triage' ORDER BY id LIMIT ?", (n,)
    )
    return [str(r) for (r,) in rows]


class Feedback:
    """Records progress; cancels after ``cancel_after_pages`` committed pages (progress in (5, 85])."""

    def __init__(self, cancel_after_pages: int | None = None) -> None:
        self.cancel_after = cancel_after_pages
        self.progress: list[float] = []
        self.store = None  # the store being filled, for tests that look at it while cancelling
        self.canceled = False

    def setProgress(self, value: float) -> None:
        self.progress.append(value)

    def isCanceled(self) -> bool:
        if self.cancel_after is not None:
            pages = len([p for p in self.progress if 5 < p <= 85])
            self.canceled = pages >= self.cancel_after
        return self.canceled


class FailingPages(Open311Client):
    """The real client of ``server``, but the server answers 500 to the request for page ``fail_at``."""

    def __init__(self, server, fail_at: int, key: str = "moderator-key", **kw) -> None:
        kw.setdefault("retries", 0)
        super().__init__(server.base_url, api_key=key, **kw)
        self._server = server
        self._fail_at = fail_at

    def iter_request_pages(self, **kw):
        for n, page in enumerate(super().iter_request_pages(**kw), 1):
            yield page
            if n == self._fail_at - 1:
                self._server.fault(path_contains="/requests", status=500, count=1)
