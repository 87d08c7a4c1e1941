"""The server's SQLite database: schema, connections and the small reference tables."""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE districts (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, ring_json TEXT NOT NULL, sort INTEGER NOT NULL);
CREATE TABLE departments (
    code TEXT PRIMARY KEY, name TEXT NOT NULL,
    officer_name TEXT, officer_phone TEXT, officer_email TEXT, sort INTEGER NOT NULL);
CREATE TABLE services (
    service_code TEXT PRIMARY KEY, service_name TEXT NOT NULL, description TEXT, keywords TEXT,
    group_name TEXT, department TEXT REFERENCES departments(code), sort INTEGER NOT NULL);
CREATE TABLE api_keys (
    api_key TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('moderator', 'officer', 'viewer')),
    department TEXT REFERENCES departments(code));
CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    service_code TEXT NOT NULL,
    external_status_code TEXT NOT NULL,
    description TEXT,
    status_notes TEXT,
    agency_responsible TEXT,
    service_notice TEXT,
    requested_utc TEXT NOT NULL,
    updated_utc TEXT NOT NULL,
    expected_utc TEXT,
    assigned_utc TEXT,
    address TEXT,
    lat REAL,
    long REAL,
    media_url TEXT,
    district TEXT,
    duplicate_of INTEGER,
    notes_json TEXT,
    contact_first_name TEXT,
    contact_last_name TEXT,
    contact_email TEXT,
    contact_phone TEXT);
CREATE TABLE updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    update_id TEXT NOT NULL,
    service_request_id INTEGER NOT NULL,
    external_status_code TEXT NOT NULL,
    description TEXT,
    agency_responsible TEXT,
    media_url TEXT,
    updated_utc TEXT NOT NULL,
    client_utc TEXT,
    author TEXT,
    origin TEXT NOT NULL,
    result_json TEXT);
"""

# Made after a bulk load (faster than keeping them up to date during the inserts). The two "cover" indexes
# hold the visibility columns too, so that counting and skipping to a page never reads the table.
INDEXES = """
CREATE INDEX IF NOT EXISTS requests_updated_cover
    ON requests (updated_utc, id, external_status_code, agency_responsible);
CREATE INDEX IF NOT EXISTS requests_requested_cover
    ON requests (requested_utc, id, external_status_code, agency_responsible);
CREATE INDEX IF NOT EXISTS requests_agency ON requests (agency_responsible, id);
CREATE INDEX IF NOT EXISTS requests_status ON requests (external_status_code);
CREATE INDEX IF NOT EXISTS requests_service ON requests (service_code);
CREATE INDEX IF NOT EXISTS updates_update_id ON updates (update_id);
CREATE INDEX IF NOT EXISTS updates_updated_cover ON updates (updated_utc, seq, service_request_id);
CREATE INDEX IF NOT EXISTS updates_request ON updates (service_request_id, seq);
"""

# Columns served for a request (never the citizen's contact).
REQUEST_COLUMNS = (
    "id, external_status_code, status_notes, service_code, description, agency_responsible, service_notice, "
    "requested_utc, updated_utc, expected_utc, address, lat, long, media_url, district, duplicate_of, "
    "assigned_utc, notes_json"
)
UPDATE_COLUMNS = (
    "u.update_id, u.service_request_id, u.external_status_code, u.updated_utc, u.description, "
    "u.agency_responsible, u.media_url, u.author, u.seq"
)


def connect(path: str | Path) -> sqlite3.Connection:
    """Open the database for one HTTP request (autocommit off, WAL, distance function registered)."""
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA mmap_size = 268435456")
    conn.create_function("distance_m", 4, distance_m, deterministic=True)
    return conn


@contextmanager
def opened(path: str | Path) -> Iterator[sqlite3.Connection]:
    """A connection closed at the end of the block."""
    conn = connect(path)
    try:
        yield conn
    finally:
        conn.close()


class ConnectionPool:
    """Connections kept open between HTTP requests, so that SQLite's page cache stays warm."""

    def __init__(self, path: str | Path, keep: int = 8) -> None:
        self.path = path
        self.keep = keep
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = connect(self.path)
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            with self._lock:
                if len(self._idle) < self.keep:
                    self._idle.append(conn)
                    conn = None
            if conn is not None:
                conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def prepare(path: str | Path) -> None:
    """Make sure the database is ready to serve: WAL journal and the indexes."""
    with opened(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(INDEXES)


def has_data(path: str | Path) -> bool:
    """True when the file holds a generated database with at least the reference tables."""
    if not Path(path).exists() or Path(path).stat().st_size == 0:
        return False
    with opened(path) as conn:
        row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'requests'").fetchone()
        return bool(row[0])


def distance_m(lat1: float | None, lon1: float | None, lat2: float, lon2: float) -> float | None:
    """Great-circle distance in metres (haversine); ``None`` when a position is missing."""
    if lat1 is None or lon1 is None:
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(a)))


def service_names(conn: sqlite3.Connection) -> dict[str, str]:
    """service_code -> service_name."""
    return dict(conn.execute("SELECT service_code, service_name FROM services"))


def department_codes(conn: sqlite3.Connection) -> set[str]:
    """Codes of all departments."""
    return {row[0] for row in conn.execute("SELECT code FROM departments")}


def role_of_key(conn: sqlite3.Connection, api_key: str) -> tuple[str, str | None] | None:
    """(role, department) for an API key, ``None`` when the key is unknown."""
    row = conn.execute("SELECT role, department FROM api_keys WHERE api_key = ?", (api_key,)).fetchone()
    return (row[0], row[1]) if row else None
