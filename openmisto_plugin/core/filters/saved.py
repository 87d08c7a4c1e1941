"""What the filter panel keeps and reads in the workspace: saved filters (``saved_filters``) and its lists' choices."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..i18n import tr
from ..store.base import ReportStore
from ..store.failures import WORKSPACE_ERRORS
from ..store.workspace import Workspace
from .model import ReportFilter

log = logging.getLogger(__name__)


@contextmanager
def _store(target: Any) -> Iterator[ReportStore]:
    """The store of ``target``: the store itself, or the workspace's (an address, a layer) for the ``with`` block."""
    if isinstance(target, ReportStore):
        yield target
        return
    with Workspace.of(target).opened() as store:
        yield store


def save_filter(target: Any, name: str, flt: ReportFilter) -> None:
    """Save ``flt`` under ``name`` (replacing a filter of that name) in the workspace."""
    name = name.strip()
    if not name:
        raise ValueError(tr("A saved filter needs a name."))
    with _store(target) as store:
        store.execute(
            "INSERT INTO saved_filters (name, definition_json) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET definition_json = excluded.definition_json",
            (name, flt.to_json()),
        )


def load_filter(target: Any, name: str) -> ReportFilter | None:
    """The filter saved under ``name``, or None."""
    with _store(target) as store:
        rows = store.query("SELECT definition_json FROM saved_filters WHERE name = ?", (name,))
    text = rows[0]["definition_json"] if rows else None
    return ReportFilter.from_json(text) if text else None


def list_filters(target: Any) -> list[str]:
    """Names of the saved filters, sorted regardless of case."""
    with _store(target) as store:
        names = [str(r["name"]) for r in store.query("SELECT name FROM saved_filters")]
    return sorted(names, key=lambda n: (n.casefold(), n))


def delete_filter(target: Any, name: str) -> bool:
    """Delete a saved filter; False when there was none of that name."""
    with _store(target) as store:
        return store.execute("DELETE FROM saved_filters WHERE name = ?", (name,)) > 0


# ---------------------------------------------------------------------------------------------- choices


@dataclass(frozen=True)
class Choices:
    """What the panel's lists offer, read from the workspace: ``(code, name)`` pairs."""

    categories: list[tuple[str, str]]
    departments: list[tuple[str, str]]
    districts: list[tuple[str, str]]


def workspace_choices(target: Any) -> Choices:
    """Categories, departments and districts of the workspace, in name order (read only)."""
    with _store(target) as store:

        def pairs(sql: str) -> list[tuple[str, str]]:
            try:
                rows = store.query(sql)
            except WORKSPACE_ERRORS as exc:
                log.warning("Cannot read the lists of %s: %s", Workspace.of(store).describe(), exc)
                return []
            found = [(str(r["code"]), str(r["name"] or r["code"])) for r in rows if r["code"]]
            return sorted(found, key=lambda p: p[1].casefold())

        return Choices(
            categories=pairs("SELECT service_code AS code, service_name AS name FROM services"),
            departments=pairs("SELECT code, name FROM departments"),
            districts=pairs("SELECT code, name FROM districts"),
        )
