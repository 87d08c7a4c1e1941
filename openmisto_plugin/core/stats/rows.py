"""The rows the figures read: a workspace's reports, their history and the group names, through its store.

:func:`load_rows` reads only the columns the figures need, one query per table, on every backend (the
store's :meth:`~core.store.base.ReportStore.records`); :func:`to_datetime` and :func:`status_code` read the
values of a row.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..statuses import CLOSED_CODES
from ..store.base import ReportStore
from ..store.schema import TABLES
from ..store.workspace import Workspace
from ..timeutil import parse, parse_reason, to_store
from .figures import CATEGORY, DEPARTMENT, DISTRICT

log = logging.getLogger(__name__)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many small, acyclic objects are made.

    Reading and evaluating a big city's reports makes millions of tuples, dicts and datetimes,
    none of them in reference cycles; each collection would walk all of them again, for nothing
    (a third of the work on 100 000 reports). Reference counting still frees memory as usual.
    Nested and threaded uses are fine: only the outermost one that paused it turns it back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_UTC = timezone.utc


def to_datetime(value: Any) -> datetime | None:
    """An aware datetime from store text, a datetime (naive = Kyiv) or a QDateTime; ``None`` if empty/bad."""
    when, reason = parse_reason(value)
    if reason:
        log.debug("%s", reason)
    return when


def _parse_utc(text: str) -> datetime | None:
    """:func:`to_datetime` of a text, in UTC; the store's own ``YYYY-MM-DDTHH:MM:SS.sssZ`` the quick way."""
    parsed = parse(text)
    return parsed.astimezone(_UTC) if parsed is not None else None


def status_code(value: Any) -> str | None:
    """A status code as the status model spells it (tolerates ``Fixed``, `` fixed ``); ``None`` when empty."""
    return str(value).strip().lower() or None if value is not None else None


class TableRows(Sequence[dict[str, Any]]):
    """Rows of a table as read (column names and records): a sequence of dicts, each made when asked for.

    :class:`FigureEngine` reads the records themselves: a big city's history costs no dict per row.
    """

    __slots__ = ("columns", "records")

    def __init__(self, columns: Sequence[str], records: list[tuple]) -> None:
        self.columns = tuple(columns)
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return TableRows(self.columns, self.records[index])
        return dict(zip(self.columns, self.records[index]))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        columns = self.columns
        for record in self.records:
            yield dict(zip(columns, record))

    def __repr__(self) -> str:
        return f"TableRows({list(self.columns)!r}, {len(self.records)} records)"


@dataclass
class Rows:
    """The rows the figures need (mappings) and display names per grouping."""

    reports: list[dict[str, Any]]
    history: Sequence[Mapping[str, Any]]
    names: dict[str, dict[str, str]] = field(default_factory=dict)


REPORT_COLUMNS: tuple[str, ...] = (
    "service_request_id",
    "external_status_code",
    "service_code",
    "service_name",
    "agency_responsible",
    "district",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "assigned_datetime",
    "deadline",
)
"""The columns of ``reports`` that :func:`load_rows` reads (the figures, the groups and the category names)."""

HISTORY_COLUMNS: tuple[str, ...] = ("service_request_id", "external_status_code", "updated_datetime")
"""The columns of ``request_updates`` that :func:`load_rows` reads."""


@contextmanager
def reading(workspace: Any) -> Iterator[ReportStore]:
    """The store to read ``workspace`` through, for a ``with`` block.

    An open store is used as it is (and left open); anything :meth:`Workspace.of` takes (an address, a
    :class:`Workspace`, a layer) is opened for the block and closed after it: ``FileNotFoundError`` when
    there is no such workspace.
    """
    if isinstance(workspace, ReportStore):
        yield workspace
        return
    place = Workspace.of(workspace)
    if not place.exists():
        raise FileNotFoundError(place.address)
    with place.opened() as store:
        yield store


def _quoted(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _service_request_id(record: tuple) -> tuple[bool, Any]:
    return record[0] is None, record[0]


def load_rows(workspace: Any, since: datetime | None = None, extra_columns: Sequence[str] = ()) -> Rows:
    """Read ``reports``, ``request_updates`` and the group names from a workspace, through its store.

    ``workspace`` is an open store or what :meth:`Workspace.of` takes (a GeoPackage path, a ``postgres:``
    address, a :class:`Workspace`): see :func:`reading`; reading never writes. Only the columns the figures
    need are read (:data:`REPORT_COLUMNS`, :data:`HISTORY_COLUMNS`), one query per table; personal data of the
    ``departments`` table (officers) is not read. ``extra_columns`` of ``reports`` come along in the same query
    (e.g. the atlas's coordinates and addresses; a name the schema does not know is left out).

    With ``since``, only the rows that can count in a period starting at ``since`` or later: a
    report whose status is closed now, that changed last before ``since`` and has no history
    from ``since`` on gives nothing to any later period (it neither arrives, changes nor stays
    open there), so it is not read and a big city's old reports cost nothing. The figures of
    such periods are the same as with all rows.
    """
    with paused_gc(), reading(workspace) as store:
        return _load_rows(store, since, extra_columns)


def _load_rows(store: ReportStore, since: datetime | None, extra_columns: Sequence[str]) -> Rows:
    mark = to_store(since) if since is not None else None
    # The history: one scan in the order the store wrote it (the engine sorts each report's updates
    # by time, stably, so updates at the same moment keep this order).
    hist_cols = list(HISTORY_COLUMNS)
    raw_history = store.records(f'SELECT {_quoted(hist_cols)} FROM "request_updates" ORDER BY "fid"')  # noqa: S608 - names from the schema constants  # nosec B608
    known = set(TABLES["reports"].column_names)
    cols = [*REPORT_COLUMNS, *(c for c in extra_columns if c not in REPORT_COLUMNS and c in known)]
    sql = f'SELECT {_quoted(cols)} FROM "reports"'  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
    params: list[Any] = []
    if mark is not None:
        closed = ", ".join(f"'{c}'" for c in sorted(CLOSED_CODES))
        sql += (
            f" WHERE lower(coalesce(\"external_status_code\", '')) NOT IN ({closed})"
            ' OR "updated_datetime" >= ? OR "requested_datetime" >= ?'
        )
        params += [mark, mark]
    raw_reports = store.records(sql, params)
    if mark is not None:
        # ... and the closed, old reports that still have an update from ``since`` on
        rid_i, at_i = hist_cols.index("service_request_id"), hist_cols.index("updated_datetime")
        recent = {h[rid_i] for h in raw_history if h[at_i] is not None and h[at_i] >= mark}
        missing = sorted(recent - {r[0] for r in raw_reports})
        for i in range(0, len(missing), 500):
            chunk = missing[i : i + 500]
            raw_reports += store.records(
                f'SELECT {_quoted(cols)} FROM "reports" WHERE "service_request_id" IN '  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                f"({', '.join('?' * len(chunk))})",
                chunk,
            )
        kept = {r[0] for r in raw_reports}
        raw_history = [h for h in raw_history if h[rid_i] in kept]
    # by service_request_id in code point order: SQLite's and PostgreSQL's "C" order of text, on every backend
    raw_reports.sort(key=_service_request_id)
    names = {
        DEPARTMENT: _names(store, "departments", "code", "name"),
        DISTRICT: _names(store, "districts", "code", "name"),
        CATEGORY: _names(store, "services", "service_code", "service_name"),
    }
    reports = [dict(zip(cols, rec)) for rec in raw_reports]
    history = TableRows(hist_cols, raw_history)
    for r in reports:  # categories seen only in reports still get their name
        code, name = r.get("service_code"), r.get("service_name")
        if code and name:
            names[CATEGORY].setdefault(str(code), str(name))
    log.debug(
        "Read %d reports and %d history rows from %s (since %s)",
        len(reports),
        len(history),
        store.workspace.describe(),
        mark,
    )
    return Rows(reports, history, names)


def _names(store: ReportStore, table: str, key: str, name: str) -> dict[str, str]:
    found = store.records(f'SELECT "{key}", "{name}" FROM "{table}"')  # noqa: S608 - names from the schema constants  # nosec B608
    return {str(k): str(v) for k, v in found if k and v}
