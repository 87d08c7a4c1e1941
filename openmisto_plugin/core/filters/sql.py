"""A filter's SQL in the workspace's dialect: the attribute ``WHERE``, the candidate box, the result as a subset."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from datetime import time as dtime

from ..deadlines import overdue_where
from ..store.workspace import SQLITE, SqlDialect
from ..timeutil import KYIV, to_store
from .model import UNASSIGNED, FilterResult, ReportFilter

REPORTS_TABLE = "reports"
GEOMETRY_COLUMN = "geom"


# Every literal and identifier goes through the workspace's SQL dialect (core/escaping.py underneath).


def text_where(
    text: str, columns: Sequence[str] = ("description", "address", "service_request_id"), dialect: SqlDialect = SQLITE
) -> str:
    """Every word of ``text`` in one of ``columns``, any case ('' for no words)."""
    clauses = []
    for word in text.split():
        clauses.append("(" + " OR ".join(dialect.contains(c, word) for c in columns) + ")")
    return " AND ".join(clauses)


def kyiv_day_start(day: date) -> str:
    """Store text of 00:00 Kyiv time on ``day``."""
    return to_store(datetime.combine(day, dtime(0, 0), tzinfo=KYIV)) or ""


def attribute_where(flt: ReportFilter, now: datetime | None = None, dialect: SqlDialect = SQLITE) -> str:
    """The attribute part of ``flt`` as a WHERE clause ('' when there is none).

    ``dialect``: the workspace's (:attr:`Workspace.dialect`); only the text search differs between
    GeoPackage and PostGIS (datetimes are compared with store text, which PostgreSQL casts to ``timestamptz``).
    """
    clauses: list[str] = []
    if flt.statuses:
        clauses.append(dialect.in_list("external_status_code", flt.statuses))
    if flt.categories:
        clauses.append(dialect.in_list("service_code", flt.categories))
    if flt.departments:
        named = [d for d in flt.departments if d != UNASSIGNED]
        parts = [dialect.in_list("agency_responsible", named)] if named else []
        if UNASSIGNED in flt.departments:
            parts.append('("agency_responsible" IS NULL OR "agency_responsible" = \'\')')
        clauses.append(parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")")
    if flt.date_from:
        clauses.append(f'"requested_datetime" >= {dialect.literal(kyiv_day_start(flt.date_from))}')
    if flt.date_to:
        clauses.append(f'"requested_datetime" < {dialect.literal(kyiv_day_start(flt.date_to + timedelta(days=1)))}')
    if flt.overdue_only:
        clauses.append(overdue_where(now))
    words = text_where(flt.text, dialect=dialect)
    if words:
        clauses.append(words)
    return " AND ".join(clauses)


def rtree_table(table: str = REPORTS_TABLE, geometry_column: str = GEOMETRY_COLUMN) -> str:
    return f"rtree_{table}_{geometry_column}"


def bbox_sql(bbox: tuple[float, float, float, float], dialect: SqlDialect = SQLITE, rtree: str = rtree_table()) -> str:
    """Reports whose position's box meets ``bbox`` (EPSG:4326), by the spatial index of ``dialect``."""
    return dialect.bbox(bbox, GEOMETRY_COLUMN, rtree)


def fid_list_sql(fids: Sequence[int], negate: bool = False, dialect: SqlDialect = SQLITE) -> str:
    """``"fid" IN (…)`` (or ``NOT IN``) for integer ids."""
    if not fids:
        return dialect.boolean(negate)
    return f'"fid" {"NOT IN" if negate else "IN"} ({",".join(str(int(f)) for f in fids)})'


def and_sql(*clauses: str) -> str:
    """Join non-empty clauses with AND, each in parentheses."""
    parts = [c.strip() for c in clauses if c and c.strip()]
    if len(parts) == 1:
        return parts[0]
    return " AND ".join(f"({c})" for c in parts)


def result_sql(
    result: FilterResult, use_rtree: bool = True, rtree: str = rtree_table(), dialect: SqlDialect = SQLITE
) -> str:
    """The SQL that selects exactly ``result`` from the reports table ('' = everything).

    ``use_rtree``: the candidate box by the spatial index (GeoPackage rtree, or PostGIS ``&&``) minus the
    rejected candidates, when that list is the shorter one.
    """
    if result.bbox is None and not result.empty_space:
        return result.where
    if result.empty_space:
        return dialect.boolean(False)
    if use_rtree and len(result.rejected) < len(result.fids):
        rejected = fid_list_sql(result.rejected, negate=True, dialect=dialect) if result.rejected else ""
        return and_sql(result.where, bbox_sql(result.bbox, dialect, rtree), rejected)
    return and_sql(result.where, fid_list_sql(result.fids, dialect=dialect))
