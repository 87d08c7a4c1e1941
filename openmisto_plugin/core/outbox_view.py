"""The outbox as the officer sees it: explained states, retry, drop, re-apply and both versions of a conflict."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import statuses
from .i18n import tr
from .store.base import CONFLICT, PENDING, REFUSED, SENT, OutboxEntry, ReportStore
from .timeutil import from_store, local, now_utc, parse, to_store
from .workdays import kyiv_date
from .workflow import WorkflowError, execute, read_rows

log = logging.getLogger(__name__)


def state_label(state: str) -> str:
    """Translated name of an outbox state."""
    return {
        PENDING: tr("Waiting to be sent"),
        SENT: tr("Sent"),
        REFUSED: tr("Refused by the platform"),
        CONFLICT: tr("Conflict: changed by someone else"),
    }.get(state, state)


def field_label(name: str) -> str:
    """Translated caption of a report field."""
    labels = {
        "external_status_code": tr("Status"),
        "status": tr("Open/closed"),
        "agency_responsible": tr("Department"),
        "description": tr("Answer"),
        "status_notes": tr("Answer"),
        "service_code": tr("Category"),
        "duplicate_of": tr("Duplicate of"),
        "expected_datetime": tr("Planned date"),
        "media_url": tr("Photo"),
        "updated_datetime": tr("Changed at"),
    }
    return labels.get(name, name)


def describe_change(payload: Mapping[str, Any]) -> str:
    """A short translated sentence of what an update changes."""
    parts = []
    code = payload.get("external_status_code")
    if code:
        parts.append(tr("status → {status}").format(status=statuses.label(code)))
    if payload.get("agency_responsible"):
        parts.append(tr("department → {code}").format(code=payload["agency_responsible"]))
    if payload.get("service_code"):
        parts.append(tr("category → {code}").format(code=payload["service_code"]))
    if payload.get("duplicate_of"):
        parts.append(tr("duplicate of {id}").format(id=payload["duplicate_of"]))
    if payload.get("expected_datetime"):
        parts.append(tr("planned for {date}").format(date=_day_text(payload["expected_datetime"])))
    if payload.get("description"):
        text = str(payload["description"])
        parts.append(tr("answer: «{text}»").format(text=text if len(text) <= 60 else text[:57] + "…"))
    if payload.get("media_url"):
        parts.append(tr("photo"))
    return "; ".join(parts)


def _day_text(value: Any) -> str:
    """``DD.MM.YYYY`` (Kyiv) of a datetime or ISO text; the text itself when unreadable."""
    when = parse(value)
    return kyiv_date(when).strftime("%d.%m.%Y") if when is not None else str(value)


def explain_entry(entry: OutboxEntry) -> str:
    """Why an entry is where it is, in words (with the platform's own reason)."""
    reason = entry.last_error or ""
    said = " " + tr("The platform says: {0}").format(reason) if reason else ""
    if entry.state == SENT:
        return tr("Delivered to the platform.")
    if entry.state == CONFLICT:
        return (
            tr(
                "Someone changed the report on the platform after you: compare both versions, "
                "then re-apply your change or drop it."
            )
            + said
        )
    if entry.state == REFUSED:
        if entry.http_status in (401, 403):
            return (
                tr(
                    "Refused: your API key has no right to make this change. An officer may change only the reports "
                    "assigned to the own department and set only the officers' statuses; a viewer key cannot change "
                    "anything."
                )
                + said
            )
        if entry.http_status == 404:
            return tr("Refused: the platform does not know this report (deleted or never published).") + said
        return tr("Refused: the platform found the change invalid.") + said
    if entry.attempts:
        # The transport's words ("[unreachable] POST http://…: Connection refused") are for the log, not for
        # the officer: the change is safe and goes out by itself; say so, and what to do if it lasts.
        when = from_store(entry.next_attempt_at)
        retry = local(when).strftime("%d.%m.%Y %H:%M") if when else ""
        if reason:
            log.debug("Outbox entry %s not delivered yet: %s", entry.update_id, reason)
        return tr(
            "Saved here and will be sent as soon as the platform is reachable (tries: {n}; next try at {time}). "
            "Nothing to do; if it lasts for hours, check the network or tell the platform's administrator."
        ).format(n=entry.attempts, time=retry)
    return tr("Saved here; sent at the next synchronisation.")


@dataclass(frozen=True)
class OutboxRow:
    """One outbox entry as the outbox panel shows it."""

    update_id: str
    service_request_id: str
    created_at: datetime | None
    state: str
    state_label: str
    change: str
    explanation: str
    attempts: int
    http_status: int | None
    author: str | None


def outbox_rows(store: ReportStore, states: Sequence[str] | None = None) -> list[OutboxRow]:
    """The outbox, newest first, with labels and explanations."""
    rows = [
        OutboxRow(
            e.update_id,
            e.service_request_id,
            from_store(e.created_at),
            e.state,
            state_label(e.state),
            describe_change(e.payload),
            explain_entry(e),
            e.attempts,
            e.http_status,
            e.author,
        )
        for e in store.outbox_entries(states)
    ]
    rows.reverse()
    return rows


def outbox_counts(store: ReportStore) -> dict[str, int]:
    """Entries per state."""
    rows = read_rows(store, "SELECT state, count(*) AS n FROM outbox GROUP BY state")
    counts = dict.fromkeys((PENDING, SENT, REFUSED, CONFLICT), 0)
    counts.update({r["state"]: int(r["n"]) for r in rows})
    return counts


def _entry(store: ReportStore, update_id: str) -> OutboxEntry:
    for entry in store.outbox_entries():
        if entry.update_id == update_id:
            return entry
    raise WorkflowError(tr("The change {id} is no longer in the outbox.").format(id=update_id))


def retry_now(store: ReportStore, update_ids: Iterable[str]) -> int:
    """Make entries due now: a waiting one is tried at the next push; a refused one is queued again.

    A refused entry is queued again as a new change (new ``update_id``, same content), e.g. after
    the API key was corrected; the refused one leaves the outbox. Returns how many were requeued.
    """
    count = 0
    with store.transaction():
        for update_id in update_ids:
            entry = _entry(store, update_id)
            if entry.state == PENDING:
                execute(
                    store, "UPDATE outbox SET next_attempt_at = ? WHERE update_id = ?", (to_store(now_utc()), update_id)
                )
                count += 1
            elif entry.state == REFUSED:
                fields = dict(entry.payload)
                if isinstance(fields.get("expected_datetime"), str):
                    fields["expected_datetime"] = parse(fields["expected_datetime"])
                store.record_local_update(entry.service_request_id, fields, entry.author or "")
                store.drop_outbox(update_id)
                count += 1
    return count


def reapply(store: ReportStore, update_id: str) -> None:
    """Send a conflicting change again, over the platform's current version."""
    entry = _entry(store, update_id)
    if entry.state != CONFLICT:
        raise WorkflowError(tr("Only a change in conflict can be re-applied."))
    store.reapply_outbox(update_id)


def drop(store: ReportStore, update_id: str) -> None:
    """Forget a change that was not delivered (the report shows the platform's values again)."""
    entry = _entry(store, update_id)
    if entry.state == SENT:
        raise WorkflowError(tr("This change was delivered already; it cannot be dropped."))
    store.drop_outbox(update_id)


@dataclass(frozen=True)
class ConflictField:
    """One field of a conflict: before the change, the user's change and the platform's version."""

    name: str
    label: str
    before: Any
    mine: Any
    platform: Any


def conflict_fields(entry: OutboxEntry) -> list[ConflictField]:
    """Field by field: what the report was, what the user set, what the platform has now."""
    from .store.base import LOCAL_FIELDS

    platform = entry.platform or {}
    names: list[str] = []
    mine: dict[str, Any] = {}
    for key, value in entry.payload.items():
        column = LOCAL_FIELDS.get(key, key)
        if column in ("status",):
            continue
        mine[column] = value
        names.append(column)
    for extra in ("external_status_code", "agency_responsible", "status_notes", "updated_datetime"):
        if extra not in names and (extra in platform or extra in entry.base):
            names.append(extra)
    return [
        ConflictField(name, field_label(name), entry.base.get(name), mine.get(name), platform.get(name))
        for name in dict.fromkeys(names)
    ]


def history(store: ReportStore, service_request_id: str) -> list[dict[str, Any]]:
    """The report's history (received, moderated, assigned, responses), oldest first, with authors."""
    return store.history(str(service_request_id))


def pending_for(store: ReportStore, service_request_id: str) -> list[OutboxEntry]:
    """Not yet delivered changes of one report (pending or conflict)."""
    return [e for e in store.outbox_entries((PENDING, CONFLICT)) if e.service_request_id == str(service_request_id)]
