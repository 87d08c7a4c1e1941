"""The store contract written once: the SQL both backends share, with small backend hooks.

:class:`SqlReportStore` holds every statement of the reports, their history, the keyed reference tables,
the sync state and the outbox, written with ``?`` placeholders. A backend (:class:`.gpkg.GeoPackageStore`,
:class:`.postgis.PostGisStore`) supplies only what differs:

- how a statement runs (:meth:`~SqlReportStore._rows`, :meth:`~SqlReportStore._exec`), turning ``?`` into
  its own placeholder;
- how a value list is matched (``IN (?, …)`` in chunks, or ``= ANY(?)`` with one array);
- row locks (:attr:`~SqlReportStore.row_lock`: ``FOR UPDATE`` on PostGIS, none on GeoPackage where one
  writer at a time holds the file) and the outbox lease a settled entry gives back;
- casts and datetimes (PostGIS keeps ``timestamptz``, read back as the store's text);
- the point geometry of a report (a GeoPackage blob, or ``ST_MakePoint``), JSON fields;
- the bulk writers of a sync page (``executemany`` with GDAL's triggers set aside, or ``execute_values``);
- the GeoPackage's ``gpkg_contents`` bookkeeping (extent, last change): :meth:`~SqlReportStore._touched`
  and :meth:`~SqlReportStore._grew`, nothing on PostGIS.

The hooks and the statements of the reports, history, reference tables and sync state are in
:mod:`.sql_reports` (:class:`SqlReports`); local changes and the outbox are here.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..i18n import tr
from ..timeutil import now_utc, to_store
from .records import ACTIVE_STATES, CONFLICT, SENT, OutboxEntry, StoreError, backoff, outbox_entry, version_conflict
from .rows import local_columns, local_update_params, placement, undo_values, wire_payload
from .sql_reports import WRITTEN_COLUMNS, SqlReports

log = logging.getLogger(__name__)


class SqlReportStore(SqlReports):
    """A :class:`ReportStore` on an SQL database: the whole contract, backends add their hooks (module docstring)."""

    # -- local changes -----------------------------------------------------------
    def _report_for_change(self, sid: str, base_version: int | None, mine: dict[str, Any]) -> Mapping[str, Any]:
        """The report's row (locked where the backend locks rows) before a local change.

        :class:`StoreError` for an unknown report, :class:`VersionConflictError` when ``base_version`` (the
        version the user saw) is given and the report moved on; ``mine`` is the change the user wanted.
        """
        sql = f"SELECT {self._select('reports')} FROM reports WHERE service_request_id = ?{self.row_lock}"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        row = self._row(sql, (sid,))
        if row is None:
            raise StoreError(tr("Unknown report {id}").format(id=sid))
        if base_version is not None and int(row["version"] or 0) != int(base_version):
            last = self._row(
                "SELECT author FROM request_updates WHERE service_request_id = ? AND origin = 'local'"
                " ORDER BY updated_datetime DESC, fid DESC LIMIT 1",
                (sid,),
            )
            log.info("Version conflict on report %s: base %s, now %s", sid, base_version, row["version"])
            raise version_conflict(dict(row), int(base_version), mine, last["author"] if last else None)
        return row

    def _set_report(self, key: str, key_value: Any, values: Mapping[str, Any], extra: str = "") -> None:
        """``UPDATE reports SET <values>, <extra>version = version + 1 WHERE <key> = key_value``."""
        sets = "".join(f"{c} = {self._param('reports', c)}, " for c in values)
        self._exec(
            f"UPDATE reports SET {sets}{extra}version = version + 1 WHERE {key} = ?",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            (*values.values(), key_value),
        )

    def record_local_update(
        self, service_request_id: str, fields: dict[str, Any], author: str, base_version: int | None = None
    ) -> str:
        """Apply a change to the report, add it to the history and queue it — one transaction.

        ``base_version``: the report's ``version`` the user saw; when it moved on (another change since,
        e.g. a sync, a second dialog or another client) nothing is written and :class:`VersionConflictError`
        is raised.
        """
        update_id = str(uuid.uuid4())
        now = to_store(now_utc())
        sid = str(service_request_id)
        payload = wire_payload(fields)
        with self.transaction():
            row = self._report_for_change(sid, base_version, payload)
            columns = local_columns(fields)
            history, outbox = local_update_params(update_id, sid, row, fields, columns, author, now, payload)
            self._set_report("fid", row["fid"], columns)
            self._exec(
                "INSERT INTO request_updates (update_id, service_request_id, status, external_status_code,"
                " updated_datetime, description, agency_responsible, media_url, author, origin)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'local')",
                history,
            )
            self._exec(
                "INSERT INTO outbox (update_id, service_request_id, payload_json, base_version,"
                " expected_updated_datetime, created_at, state, attempts, next_attempt_at, author, base_json)"
                " VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
                outbox,
            )
            self._refresh_derived([sid])
            self._touched("reports", "request_updates", "outbox")
        return update_id

    def place_report(
        self, service_request_id: str, lat: float, lon: float, author: str, base_version: int | None = None
    ) -> dict[str, Any]:
        """A position by hand (:meth:`ReportStore.place_report`): the point, its district, the version."""
        sid = str(service_request_id)
        now = to_store(now_utc())
        with self.transaction():
            row = self._report_for_change(sid, base_version, {"lat": lat, "long": lon})
            values = placement(lat, lon, author, now, row)
            point, params = self._point(values["long"], values["lat"])
            sets = "".join(f"{c} = ?, " for c in values)
            self._exec(
                f"UPDATE reports SET {sets}geom = {point}, version = version + 1 WHERE fid = ?",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                (*values.values(), *params, row["fid"]),
            )
            self._grew("reports", [values["long"]], [values["lat"]])
            self._touched("reports")
            if row["district"] is None:
                self.fill_districts([sid])
        log.info("Report %s placed by hand by %s at lat=%s, long=%s (kept locally)", sid, author, lat, lon)
        return self.report(sid) or {}

    # -- outbox ----------------------------------------------------------------
    def _entry(self, update_id: str) -> OutboxEntry:
        """The entry (locked for the transaction where the backend locks rows)."""
        row = self._row(f"SELECT {self._select('outbox')} FROM outbox WHERE update_id = ?{self.row_lock}", (update_id,))  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        if row is None:
            raise StoreError(tr("Unknown outbox entry {id}").format(id=update_id))
        return outbox_entry(row)

    def pending_outbox(self, now: datetime | None = None, limit: int | None = None) -> list[OutboxEntry]:
        """Pending entries due at ``now``, oldest first."""
        sql = (
            f"SELECT {self._select('outbox')} FROM outbox WHERE state = 'pending'"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            f" AND (next_attempt_at IS NULL OR next_attempt_at <= {self._param('outbox', 'next_attempt_at')})"
            " ORDER BY id"
        )
        params: tuple[Any, ...] = (to_store(now or now_utc()),)
        if limit is not None:
            sql += " LIMIT ?"
            params += (int(limit),)
        with self._lock:
            return [outbox_entry(r) for r in self._rows(sql, params)]

    def outbox_entries(self, states: Sequence[str] | None = None) -> list[OutboxEntry]:
        sql = f"SELECT {self._select('outbox')} FROM outbox"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        with self._lock:
            if not states:
                return [outbox_entry(r) for r in self._rows(sql + " ORDER BY id")]
            rows = []
            for clause, params in self._where_in("state", list(states)):
                rows += self._rows(f"{sql} WHERE {clause} ORDER BY id", params)
        return [outbox_entry(r) for r in rows]

    def mark_outbox_sent(self, update_id: str, platform_updated_datetime: datetime | str | None = None) -> None:
        """The platform confirmed: the entry is done; later entries of the report expect the new time."""
        stamp = platform_updated_datetime
        if isinstance(stamp, datetime):
            stamp = to_store(stamp)
        with self.transaction():
            entry = self._entry(update_id)
            self._exec(
                "UPDATE outbox SET state = 'sent', sent_at = ?, platform_updated_datetime = ?, last_error = NULL,"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                f" http_status = NULL, attempts = attempts + 1{self.release_claim} WHERE id = ?",
                (to_store(now_utc()), stamp, entry.id),
            )
            if stamp:
                self._exec(
                    "UPDATE reports SET updated_datetime = ? WHERE service_request_id = ?"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                    " AND (updated_datetime IS NULL OR updated_datetime <"
                    f" {self._param('reports', 'updated_datetime')})",
                    (stamp, entry.service_request_id, stamp),
                )
                self._exec(
                    "UPDATE outbox SET expected_updated_datetime = ? WHERE service_request_id = ? AND state = 'pending'"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                    f" AND id > ? AND expected_updated_datetime {self.same_as}"
                    f" {self._param('outbox', 'expected_updated_datetime')}",
                    (stamp, entry.service_request_id, entry.id, entry.expected_updated_datetime),
                )
                self._refresh_derived([entry.service_request_id])
            self._touched("outbox", "reports")

    def mark_outbox_failed(
        self,
        update_id: str,
        error: str,
        http_status: int | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        """A try failed for a passing reason: stays pending, next try after a growing delay."""
        with self.transaction():
            entry = self._entry(update_id)
            attempts = entry.attempts + 1
            when = retry_at or (now_utc() + backoff(attempts))
            self._exec(
                "UPDATE outbox SET attempts = ?, last_error = ?, http_status = ?, next_attempt_at = ?"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                f"{self.release_claim} WHERE id = ?",
                (attempts, error, http_status, to_store(when), entry.id),
            )
            self._touched("outbox")

    def mark_outbox_refused(self, update_id: str, reason: str, http_status: int | None = None) -> None:
        """The platform refused (400/403): kept with the reason; the report shows the platform's values again."""
        with self.transaction():
            entry = self._entry(update_id)
            self._exec(
                "UPDATE outbox SET state = 'refused', last_error = ?, http_status = ?, attempts = attempts + 1"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                f"{self.release_claim} WHERE id = ?",
                (reason, http_status, entry.id),
            )
            if entry.state in ACTIVE_STATES:
                self._undo_local(entry)
            self._touched("outbox")

    def mark_outbox_conflict(self, update_id: str, reason: str, platform: dict[str, Any] | None = None) -> None:
        """409: both versions are kept (the local payload and ``platform``) until the user decides."""
        with self.transaction():
            entry = self._entry(update_id)
            self._exec(
                "UPDATE outbox SET state = 'conflict', last_error = ?, http_status = 409, attempts = attempts + 1,"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                f" platform_json = coalesce(?, platform_json){self.release_claim} WHERE id = ?",
                (reason, json.dumps(platform, ensure_ascii=False, default=str) if platform else None, entry.id),
            )
            self._touched("outbox")

    def reapply_outbox(self, update_id: str) -> None:
        """Conflict -> pending again, now expecting the platform's current ``updated_datetime``."""
        with self.transaction():
            entry = self._entry(update_id)
            if entry.state != CONFLICT:
                raise StoreError(tr("Only a conflicting change can be re-applied."))
            report = self._row(
                f"SELECT fid, {self._as_text('updated_datetime')} AS updated_datetime FROM reports"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                f" WHERE service_request_id = ?{self.row_lock}",
                (entry.service_request_id,),
            )
            expected = report["updated_datetime"] if report else None
            platform_time = (entry.platform or {}).get("updated_datetime")
            if platform_time and (expected is None or platform_time > expected):
                expected = platform_time
            self._exec(
                "UPDATE outbox SET state = 'pending', expected_updated_datetime = ?, attempts = 0,"
                " next_attempt_at = ?, last_error = NULL, http_status = NULL WHERE id = ?",
                (expected, to_store(now_utc()), entry.id),
            )
            columns = local_columns(entry.payload)
            if report is not None and columns:
                self._set_report("fid", report["fid"], columns)
                self._refresh_derived([entry.service_request_id])
            self._touched("outbox", "reports")

    def drop_outbox(self, update_id: str) -> None:
        """Forget a change; if it was not confirmed, the report shows the platform's values again."""
        with self.transaction():
            entry = self._entry(update_id)
            if entry.state in ACTIVE_STATES:
                self._undo_local(entry)
            self._exec("DELETE FROM outbox WHERE id = ?", (entry.id,))
            self._touched("outbox")

    def _undo_local(self, removed: OutboxEntry) -> None:
        """Recompose the report from the platform's values and the entries still active."""
        sid = removed.service_request_id
        if self.row_lock:
            self._rows(f"SELECT fid FROM reports WHERE service_request_id = ?{self.row_lock}", (sid,))  # noqa: S608 - a class constant  # nosec B608
        rows = self._rows(
            f"SELECT {self._select('outbox')} FROM outbox WHERE service_request_id = ?"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
            " AND (state IN ('pending', 'conflict') OR id = ?) ORDER BY id",
            (sid, removed.id),
        )
        values = undo_values([outbox_entry(r) for r in rows], removed.id)
        if values:
            self._set_report("service_request_id", sid, values)
        if removed.state != SENT:
            self._exec("DELETE FROM request_updates WHERE update_id = ? AND origin = 'local'", (removed.update_id,))
        self._refresh_derived([sid])
        self._touched("reports", "request_updates", "outbox")

    # -- routing rules and districts ------------------------------------------------
    def routing_categories(self) -> list[tuple[str, str]]:
        """The category rules kept in the workspace: ``(service_code, department)``."""
        with self._lock:
            return [(r["service_code"], r["department"]) for r in self._rows("SELECT * FROM routing_category_rules")]

    def routing_zones(self) -> list[dict[str, Any]]:
        """The zone rules kept in the workspace, by fid: ``fid, name, department, priority`` and ``wkb`` (ISO WKB
        of the polygon in EPSG:4326, ``None`` without one)."""
        sql = f"SELECT fid, name, department, priority, {self._wkb('geom')} AS geom FROM routing_zones ORDER BY fid"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        with self._lock:
            rows = self._rows(sql)
        return [
            {"fid": r["fid"], "name": r["name"], "department": r["department"], "priority": r["priority"],
             "wkb": self._wkb_value(r["geom"])}
            for r in rows
        ]  # fmt: skip

    def replace_routing_rules(
        self, categories: Iterable[tuple[str, str]], zones: Iterable[tuple[str, str, int, Any]]
    ) -> None:
        """Make ``categories`` (``(service_code, department)``) and ``zones`` (``(name, department, priority,
        geometry)``, the geometry as for :meth:`upsert_districts`) the workspace's routing rules (one transaction)."""
        with self.transaction():
            self._exec("DELETE FROM routing_category_rules")
            for code, department in categories:
                self._exec(
                    "INSERT INTO routing_category_rules (service_code, department) VALUES (?, ?)", (code, department)
                )
            self._exec("DELETE FROM routing_zones")
            for name, department, priority, geometry in zones:
                value_sql, value = self._multipolygon("routing_zones", geometry)
                self._exec(
                    f"INSERT INTO routing_zones (name, department, priority, geom) VALUES (?, ?, ?, {value_sql})",  # noqa: S608 - a backend's fixed geometry SQL; every value is a bound parameter  # nosec B608
                    (name, department, int(priority), value),
                )
            self._touched("routing_category_rules", "routing_zones")

    def districts_extent(self) -> tuple[float, float, float, float] | None:
        """The box of the workspace's districts (``xmin, ymin, xmax, ymax`` in EPSG:4326; ``None`` without any)."""
        with self._lock:
            row = self._row(self._districts_extent_sql)
        if not row or any(row[k] is None for k in ("xmin", "ymin", "xmax", "ymax")):
            return None
        box = (float(row["xmin"]), float(row["ymin"]), float(row["xmax"]), float(row["ymax"]))
        return box if box[0] <= box[2] and box[1] <= box[3] else None


__all__ = ["WRITTEN_COLUMNS", "SqlReportStore"]
