"""The shared SQL of the reports, their history, the reference tables and the sync state (see :mod:`.sql`).

:class:`SqlReports` declares the backend hooks and holds the statements of reading, upserting and
deriving; :class:`.sql.SqlReportStore` adds local changes and the outbox.
"""

from __future__ import annotations

import json
import logging
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from ..i18n import tr
from ..model import RequestUpdate, ServiceRequest
from ..timeutil import now_utc, to_store
from .base import ReportStore
from .records import (
    DERIVED_COLUMNS,
    HISTORY_COLUMNS,
    HISTORY_SETS,
    PLATFORM_COLUMNS,
    OutboxEntry,
    StoreError,
    UpsertCounts,
    outbox_entry,
)
from .rows import (
    RowPlan,
    assigned_value,
    assignment_candidates,
    history_params,
    plan_rows,
    platform_copy,
    request_row,
    store_time,
    valid_requests,
)
from .schema import TABLES

log = logging.getLogger(__name__)

#: Report columns an upsert writes (the platform's and the derived ones).
WRITTEN_COLUMNS = (*PLATFORM_COLUMNS, *DERIVED_COLUMNS)
# What the assignment time and the deadline of a report are computed from.
_DERIVED_INPUTS = (
    "fid",
    "service_request_id",
    "status",
    "external_status_code",
    "service_code",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    *DERIVED_COLUMNS,
)
_REFRESH_CHUNK = 1000  # reports whose history is read at once when deadlines are refreshed
_HISTORY_UPSERT = (  # names from the schema constants
    f" ON CONFLICT (update_id) DO UPDATE SET {HISTORY_SETS},"  # nosec B608
    " author = coalesce(excluded.author, request_updates.author)"
)


class SqlReports(ReportStore):
    """A :class:`ReportStore` on an SQL database: its hooks and the statements of its reports (see :mod:`.sql`)."""

    #: Appended to a SELECT that locks the rows it reads until the transaction ends (`` FOR UPDATE``).
    row_lock: str = ""
    #: Assignments appended when an outbox entry is settled (PostGIS: its lease is given back).
    release_claim: str = ""
    #: Null-safe equality operator (``IS`` in SQLite, ``IS NOT DISTINCT FROM`` in PostgreSQL).
    same_as: str = "IS"

    # -- backend hooks -------------------------------------------------------
    @abstractmethod
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Mapping[str, Any]]:
        """Rows of one statement (``?`` placeholders) as mappings, datetimes as selected."""

    @abstractmethod
    def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement (``?`` placeholders); returns the row count."""

    @abstractmethod
    def _is_open(self) -> bool:
        """Whether the store still has its connection (not closed)."""

    @property
    def closed(self) -> bool:
        return not self._is_open()

    @abstractmethod
    def _control(self, sql: str) -> None:
        """Run a transaction control statement (``BEGIN``, ``COMMIT``, ``SAVEPOINT``…)."""

    #: The statement that opens a transaction (SQLite: ``BEGIN IMMEDIATE``, the write lock at once).
    begin_sql: str = "BEGIN"

    def _before_commit(self) -> None:
        """Last writes of a transaction (the GeoPackage's ``gpkg_contents``)."""

    def _after_rollback(self) -> None:
        """Forget what a rolled back transaction noted for :meth:`_before_commit`."""

    def _row(self, sql: str, params: Sequence[Any] = ()) -> Mapping[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _where_in(self, column: str, values: Sequence[Any]) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """``(condition, params)`` pieces that together match ``column`` against ``values``."""
        for start in range(0, len(values), 500):
            chunk = tuple(values[start : start + 500])
            yield f"{column} IN ({','.join('?' * len(chunk))})", chunk

    def _param(self, table: str, column: str) -> str:
        """The placeholder of a value for ``table.column`` (with a cast where the backend needs one)."""
        return "?"

    def _select(self, table: str, names: Sequence[str] | None = None, prefix: str = "") -> str:
        """Columns of ``table`` for a SELECT (all by default), datetimes as store text."""
        spec = TABLES[table]
        return ", ".join(prefix + name for name in (names if names is not None else (spec.fid, *spec.column_names)))

    def _as_text(self, expression: str) -> str:
        """A datetime ``expression`` (e.g. an aggregate) read as store text."""
        return expression

    @abstractmethod
    def _json_text(self, column: str, key: str) -> str:
        """SQL of the text value of ``key`` in the JSON object held by ``column`` (NULL without one)."""

    @abstractmethod
    def _point(self, x: float, y: float) -> tuple[str, tuple[Any, ...]]:
        """``(SQL expression, params)`` of a report's point geometry in EPSG:4326."""

    @abstractmethod
    def _multipolygon(self, table: str, geometry: Any) -> tuple[str, Any]:
        """``(SQL expression with one ?, value)`` of a multipolygon of ``table`` from WKT, GeoJSON (text or
        dict) or an ``ogr.Geometry``; :class:`StoreError` when unreadable."""

    @abstractmethod
    def _wkb(self, column: str) -> str:
        """SQL selecting a geometry ``column`` for :meth:`_wkb_value`."""

    @abstractmethod
    def _wkb_value(self, value: Any) -> bytes | None:
        """ISO WKB of a geometry selected by :meth:`_wkb` (``None`` without one)."""

    #: SELECT of the districts' box as ``xmin, ymin, xmax, ymax``.
    _districts_extent_sql: str = ""

    @abstractmethod
    def _insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], tail: str = "") -> None:
        """``INSERT INTO table (columns) VALUES … tail`` for many rows at once."""

    @abstractmethod
    def _insert_reports(self, rows: list[dict[str, Any]], synced: str | None) -> set[str]:
        """Insert new report rows (with their point); returns the ids inserted (others came meanwhile)."""

    @abstractmethod
    def _update_reports(self, updates: list[tuple[dict[str, Any], int, bool]], synced: str | None) -> None:
        """Write ``(row, fid, moved)`` updates of an upsert (the point too where it ``moved``)."""

    @abstractmethod
    def _set_derived(self, rows: list[tuple[Any, ...]]) -> None:
        """Set :data:`DERIVED_COLUMNS` of ``(fid, *values)`` rows."""

    def _touched(self, *tables: str) -> None:
        """The transaction changed ``tables`` (the GeoPackage keeps their last change)."""

    def _grew(self, table: str, xs: Sequence[float], ys: Sequence[float]) -> None:
        """Geometries at ``xs``/``ys`` were written to ``table`` (the GeoPackage keeps its extent)."""

    # -- transactions ----------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction (:attr:`begin_sql`); nested calls are savepoints (an inner failure undoes the inner part)."""
        with self._lock:
            if not self._is_open():
                raise StoreError(tr("The workspace is closed."))
            if self._depth == 0:
                self._control(self.begin_sql)
                self._depth = 1
                try:
                    yield
                    self._before_commit()
                except BaseException:
                    self._quiet("ROLLBACK")
                    self._after_rollback()
                    raise
                else:
                    self._control("COMMIT")
                finally:
                    self._depth = 0
            else:
                name = f"sp_{self._depth}"
                self._control(f"SAVEPOINT {name}")
                self._depth += 1
                try:
                    yield
                except BaseException:
                    self._quiet(f"ROLLBACK TO SAVEPOINT {name}")
                    self._quiet(f"RELEASE SAVEPOINT {name}")
                    raise
                else:
                    self._control(f"RELEASE SAVEPOINT {name}")
                finally:
                    self._depth -= 1

    def _quiet(self, sql: str) -> None:
        """A rollback that may fail (the connection is gone): logged, the original error is what matters."""
        try:
            self._control(sql)
        except Exception as exc:  # noqa: BLE001 - the original error propagates
            log.warning("%s failed: %s", sql, exc)

    # -- reading -----------------------------------------------------------
    def history(self, service_request_id: str) -> list[dict[str, Any]]:
        sql = (
            f"SELECT {self._select('request_updates')} FROM request_updates"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            " WHERE service_request_id = ? ORDER BY request_updates.updated_datetime, fid"
        )
        with self._lock:
            return [dict(r) for r in self._rows(sql, (str(service_request_id),))]

    def report(self, service_request_id: str) -> dict[str, Any] | None:
        sql = f"SELECT {self._select('reports')} FROM reports WHERE service_request_id = ?"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        with self._lock:
            row = self._row(sql, (str(service_request_id),))
        return dict(row) if row else None

    def count(self, where: str | None = None, params: Sequence[Any] = ()) -> int:
        """Number of reports, optionally ``WHERE <where>`` (trusted SQL from code, values in ``params``)."""
        sql = "SELECT count(*) AS n FROM reports" + (f" WHERE {where}" if where else "")  # noqa: S608 - where is the calling code's SQL, never platform or user text  # nosec B608
        with self._lock:
            return int(self._rows(sql, tuple(params))[0]["n"])

    def get_state(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            row = self._row("SELECT value FROM sync_state WHERE key = ?", (key,))
        return row["value"] if row and row["value"] is not None else default

    def set_state(self, key: str, value: str | None) -> None:
        with self.transaction():
            self._exec(
                "INSERT INTO sync_state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- reference tables and history ------------------------------------------
    def _upsert_keyed(self, table: str, key: str, rows: list[dict[str, Any]]) -> UpsertCounts:
        counts = UpsertCounts()
        if not rows:
            return counts
        cols = list(rows[0])
        others = [c for c in cols if c != key]
        insert = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        update = f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in others)} WHERE {key} = ?"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        with self.transaction():
            existing: dict[Any, Mapping[str, Any]] = {}
            for clause, params in self._where_in(key, list(dict.fromkeys(r[key] for r in rows))):
                for row in self._rows(f"SELECT {', '.join(cols)} FROM {table} WHERE {clause}{self.row_lock}", params):  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                    existing[row[key]] = row
            for row in rows:
                old = existing.get(row[key])
                if old is None:
                    self._exec(insert, [row[c] for c in cols])
                    counts.new += 1
                    existing[row[key]] = row
                elif all(old[c] == row[c] for c in others):
                    counts.unchanged += 1
                else:
                    self._exec(update, [*(row[c] for c in others), row[key]])
                    counts.updated += 1
            if counts.new or counts.updated:
                self._touched(table)
        return counts

    def add_history(self, updates: Iterable[RequestUpdate], origin: str = "platform", author: str | None = None) -> int:
        rows: dict[str, tuple[Any, ...]] = {}
        for update in updates:
            params = history_params(update, author, origin)
            rows[params[0]] = params
        if not rows:
            return 0
        ids = list(rows)
        assigned = {p[1] for p in rows.values() if (p[3] or "").lower() == "action_scheduled"}
        with self.transaction():
            known = 0
            local: set[str] = set()  # reports of local entries this batch changes (the platform's copy of a push)
            for clause, params in self._where_in("update_id", ids):
                for row in self._rows(
                    "SELECT CASE WHEN origin = 'local' THEN service_request_id END AS sid FROM request_updates"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                    f" WHERE {clause}",
                    params,
                ):
                    known += 1
                    if row["sid"] is not None:
                        local.add(row["sid"])
            self._insert_rows("request_updates", HISTORY_COLUMNS, list(rows.values()), _HISTORY_UPSERT)
            self._touched("request_updates")
            if origin == "platform":
                # Platform entries change a report's assignment time only where the platform sends no
                # assigned_datetime of its own (the history's latest action_scheduled is used then), or
                # through a local entry of the report that they update; other reports keep theirs.
                if assigned - local:
                    self._refresh_derived(assigned - local, without_platform_assignment=True)
                if local:
                    self._refresh_derived(local)
            elif assigned:
                self._refresh_derived(assigned)
        return len(ids) - known

    # -- reports -------------------------------------------------------------
    def upsert_requests(self, requests: Sequence[ServiceRequest], synced_at: datetime | None = None) -> UpsertCounts:
        """Insert or update reports; unchanged = same ``updated_datetime`` and content.

        Reports with local changes still in the outbox keep those changes on top of the platform's copy;
        the platform's copy is kept in the outbox entry (docs/store.md). Where the backend locks rows, the
        rows to write are locked and compared again, so a local change committed meanwhile by another
        client is seen (and stays on top); unchanged rows are not locked.
        """
        rows: dict[str, dict[str, Any]] = {}
        for req in valid_requests(requests):
            row = request_row(req)
            rows[row["service_request_id"]] = row
        if not rows:
            return UpsertCounts()
        return self._upsert_rows(rows, to_store(synced_at or now_utc()))

    def _upsert_rows(self, rows: dict[str, dict[str, Any]], synced: str | None) -> UpsertCounts:
        """Compare without locks; lock only the rows to write, and decide those again on what is committed."""
        pristine = {sid: dict(r) for sid, r in rows.items()} if self.row_lock else {}
        with self.transaction():
            inserts, updates, derived, unchanged = self._plan(rows, lock=False)
            touched = [r["service_request_id"] for r, _, _ in updates] + [sid for sid, *_ in derived]
            if self.row_lock and touched:
                again = {sid: dict(pristine[sid]) for sid in touched}
                late_inserts, updates, derived, late_unchanged = self._plan(again, lock=True)
                inserts += late_inserts  # deleted meanwhile
                unchanged += late_unchanged
                rows.update(again)
            counts = UpsertCounts(unchanged=unchanged)
            if inserts:
                done = self._insert_reports(inserts, synced)
                counts.new = len(done)
                late = {r["service_request_id"] for r in inserts if r["service_request_id"] not in done}
                if late:  # inserted by another client since we looked: compare and update them
                    log.info("%d reports were inserted meanwhile by another client", len(late))
                    counts += self._upsert_rows({sid: dict(pristine[sid]) for sid in late}, synced)
            if updates:
                self._update_reports(updates, synced)
                counts.updated = len(updates)
            if derived:
                self._set_derived([(fid, *values) for _, fid, *values in derived])
            if inserts or updates or derived:
                self._touched("reports")
            need = [r["service_request_id"] for r in inserts] + [r["service_request_id"] for r, _, _ in updates]
            need = [sid for sid in need if rows[sid]["district"] is None]
            if need:
                self.fill_districts(need)
        return counts

    def _plan(self, rows: dict[str, dict[str, Any]], lock: bool) -> RowPlan:
        """``(inserts, updates, derived-only writes, unchanged count)`` for ``rows`` (:func:`base.plan_rows`)."""
        ids = list(rows)
        existing = self._existing_reports(ids, lock)
        active = self._active_entries(ids)
        assignments = self._assignments(assignment_candidates(rows, active))
        return plan_rows(rows, existing, active, assignments, self._deadline_columns(), self._note_platform_copy)

    def _existing_reports(self, ids: Sequence[str], lock: bool = False) -> dict[str, Mapping[str, Any]]:
        """The stored platform and derived columns of these reports (``lock``: locked, in fid order)."""
        cols = self._select("reports", ("fid", "service_request_id", "version", *WRITTEN_COLUMNS))
        tail = " ORDER BY fid" + self.row_lock if lock and self.row_lock else ""
        found: dict[str, Mapping[str, Any]] = {}
        for clause, params in self._where_in("service_request_id", ids):
            for row in self._rows(f"SELECT {cols} FROM reports WHERE {clause}{tail}", params):  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                found[row["service_request_id"]] = row
        return found

    def _active_entries(self, ids: Sequence[str]) -> dict[str, list[OutboxEntry]]:
        """Pending/conflict outbox entries of these reports (none in most pages: one indexed probe)."""
        if self._row("SELECT 1 AS one FROM outbox WHERE state IN ('pending', 'conflict') LIMIT 1") is None:
            return {}
        found: dict[str, list[OutboxEntry]] = {}
        for clause, params in self._where_in("service_request_id", ids):
            sql = (
                f"SELECT {self._select('outbox')} FROM outbox WHERE {clause}"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                " AND state IN ('pending', 'conflict') ORDER BY id"
            )
            for row in self._rows(sql, params):
                found.setdefault(row["service_request_id"], []).append(outbox_entry(row))
        return found

    def _note_platform_copy(self, entries: list[OutboxEntry], row: dict[str, Any]) -> None:
        """Keep the platform's version of a report that has local changes in the outbox."""
        copy, stale = platform_copy(entries, row)
        for entry in stale:
            self._exec("UPDATE outbox SET platform_json = ? WHERE id = ?", (copy, entry.id))
            entry.platform = json.loads(copy)

    # -- assignment and deadlines ------------------------------------------------
    def _assignments(self, ids: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        """``id -> (latest action_scheduled of the history, latest local one)`` (store text)."""
        found: dict[str, tuple[str | None, str | None]] = {}
        if not ids or self._row("SELECT 1 AS one FROM request_updates LIMIT 1") is None:
            return found
        latest = self._as_text("max(updated_datetime)")
        local = self._as_text("max(CASE WHEN origin = 'local' THEN updated_datetime END)")
        for clause, params in self._where_in("service_request_id", list(ids)):
            sql = (
                f"SELECT service_request_id AS sid, {latest} AS latest, {local} AS local FROM request_updates"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                f" WHERE {clause} AND external_status_code = 'action_scheduled' GROUP BY service_request_id"
            )
            for row in self._rows(sql, params):
                found[row["sid"]] = (row["latest"], row["local"])
        return found

    def _refresh_derived(self, ids: Iterable[str] | None = None, without_platform_assignment: bool = False) -> int:
        """Recompute ``assigned_datetime``, ``deadline``, ``deadline_stage`` of these reports (all: ``None``);
        ``without_platform_assignment``: only those of them whose platform copy has no ``assigned_datetime``."""
        deadlines = self._deadline_columns()
        platform = self._json_text("extended_json", "assigned_datetime")
        cols = f"{self._select('reports', _DERIVED_INPUTS)}, {platform} AS platform_assigned"
        only = f" AND coalesce({platform}, '') = ''" if without_platform_assignment else ""
        if ids is None:
            rows = self._rows(f"SELECT {cols} FROM reports WHERE 1 = 1{only}")  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        else:
            rows = []
            for clause, params in self._where_in("service_request_id", list(dict.fromkeys(str(i) for i in ids))):
                rows += self._rows(f"SELECT {cols} FROM reports WHERE {clause}{only}", params)  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        changed = 0
        for start in range(0, len(rows), _REFRESH_CHUNK):
            chunk = rows[start : start + _REFRESH_CHUNK]
            assignments = self._assignments([r["service_request_id"] for r in chunk])
            writes = []
            for old in chunk:
                row = dict(old)
                row["assigned_datetime"] = assigned_value(
                    store_time(old["platform_assigned"]), *assignments.get(old["service_request_id"], (None, None))
                )
                row["deadline"], row["deadline_stage"] = deadlines.columns(row)
                values = tuple(row[c] for c in DERIVED_COLUMNS)
                if values != tuple(old[c] for c in DERIVED_COLUMNS):
                    writes.append((old["fid"], *values))
            if writes:
                self._set_derived(writes)
                self._touched("reports")
                changed += len(writes)
        return changed

    def refresh_deadlines(self, service_request_ids: Sequence[str] | None = None) -> int:
        """Recompute the assignment time and deadline of reports (all by default, e.g. after the
        Procedure file changed); returns how many rows changed."""
        with self.transaction():
            return self._refresh_derived(service_request_ids)


__all__ = ["WRITTEN_COLUMNS", "SqlReports"]
