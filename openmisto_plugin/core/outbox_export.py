"""The waiting responses as a table (CSV or XLSX), to enter them on a platform by hand.

Used when the platform accepts no responses from QGIS (no write-back, issue 9): the entries stay in the
outbox and go out by themselves when the platform starts to accept them (each once, by its ``update_id``);
meanwhile an officer can type them into the platform's own interface from this table.
"""

from __future__ import annotations

from pathlib import Path

from . import statuses
from .export import write_rows_csv, write_rows_xlsx
from .i18n import tr
from .outbox_view import describe_change
from .store.base import PENDING, ReportStore
from .timeutil import from_store, local


def waiting_table(store: ReportStore) -> tuple[list[str], list[list[object]]]:
    """Header and rows of the waiting responses, oldest first (the order to enter them in)."""
    header = [
        tr("Report"),
        tr("Address"),
        tr("Category"),
        tr("New status"),
        tr("Department"),
        tr("Answer"),
        tr("Change"),
        tr("Made"),
        tr("Made by"),
        tr("Change id"),
    ]
    rows: list[list[object]] = []
    for entry in store.outbox_entries([PENDING]):
        report = store.report(entry.service_request_id) or {}
        payload = entry.payload
        code = payload.get("external_status_code")
        made = local(from_store(entry.created_at))
        rows.append(
            [
                entry.service_request_id,
                report.get("address") or "",
                report.get("service_name") or report.get("service_code") or "",
                statuses.label(code) if code else "",
                payload.get("agency_responsible") or "",
                payload.get("description") or "",
                describe_change(payload),
                made.strftime("%d.%m.%Y %H:%M") if made else "",
                entry.author or "",
                entry.update_id,
            ]
        )
    return header, rows


def export_waiting(store: ReportStore, path: str | Path) -> int:
    """Write the waiting responses to ``path`` (``.xlsx``, else CSV); returns how many."""
    header, rows = waiting_table(store)
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        write_rows_xlsx(path, tr("Waiting responses"), header, rows)
    else:
        write_rows_csv(path, header, rows)
    return len(rows)


__all__ = ["export_waiting", "waiting_table"]
