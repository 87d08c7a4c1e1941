"""An officer's response to a report: next status, answer, planned date and photo (issue 3, items 6–9).

The response is checked like every action (:func:`.workflow.check_transition`) plus the rules of a
response (an answer for a closing status, a planned date within the Procedure's limit), then queued
for the platform; :func:`citizen_preview` is what the citizen will read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import statuses
from .deadlines import deadline_for
from .i18n import tr
from .media import Attachment, attach_photo, media_base_url
from .statuses import STATUSES
from .store.base import ReportStore
from .timeutil import local, now_utc, to_store
from .workdays import END_OF_WORKING_DAY, end_of_day, kyiv_date
from .workflow import Actor, WorkflowError, answer_text, check_transition, execute, report_of, status_fields


@dataclass
class RespondResult:
    """What :func:`respond` recorded."""

    update_id: str
    attachment: Attachment | None = None
    preview: str = ""


def planned_datetime(value: date | datetime) -> datetime:
    """A planned date as the end of that working day (Kyiv); a datetime stays as it is."""
    if isinstance(value, datetime):
        return value
    return end_of_day(value, END_OF_WORKING_DAY)


def check_response(
    store: ReportStore,
    actor: Actor,
    report: Mapping[str, Any],
    status: str,
    answer: str | None,
    planned: date | datetime | None,
    now: datetime | None = None,
) -> datetime | None:
    """Raise :class:`WorkflowError` when the response is not allowed; returns the planned moment."""
    check_transition(report, status, actor)
    text = answer_text(answer)
    if STATUSES[status].needs_answer and not text:
        raise WorkflowError(
            tr("«{status}» closes the report: write the answer the citizen will read.").format(
                status=statuses.label(status)
            )
        )
    if status != "planned":
        return None
    if planned is None:
        raise WorkflowError(tr("«Planned» needs the planned date."))
    if not text:
        raise WorkflowError(tr("«Planned» extends the term: write the reason the citizen will read."))
    moment = planned_datetime(planned)
    now = now or now_utc()
    if kyiv_date(moment) < kyiv_date(now):
        raise WorkflowError(tr("The planned date is in the past."))
    probe = dict(report)
    probe.update(external_status_code="planned", expected_datetime=to_store(moment))
    history = store.history(str(report["service_request_id"]))
    due = deadline_for(probe, history=history).due
    if due is not None and kyiv_date(due) < kyiv_date(moment):
        raise WorkflowError(
            tr(
                "The Procedure allows planning up to {date} at the latest "
                "(the extension limit counts from the assignment)."
            ).format(date=local(due).strftime("%d.%m.%Y"))
        )
    return moment


def respond(
    store: ReportStore,
    actor: Actor,
    service_request_id: str,
    status: str,
    answer: str | None = None,
    planned_date: date | datetime | None = None,
    photo_path: str | Path | None = None,
    base_url: str | None = None,
    now: datetime | None = None,
    photo_name: str | None = None,
    base_version: int | None = None,
) -> RespondResult:
    """An officer's response: next status (checked), answer, planned date, photo — queued for the platform.

    ``base_url`` overrides the workspace's public address of photos; ``photo_name`` fixes the
    photo's file name in the media folder (the dialog shows its link in the preview beforehand).
    ``base_version``: the report's version the dialog showed (optimistic locking).
    """
    report = report_of(store, service_request_id)
    moment = check_response(store, actor, report, status, answer, planned_date, now)
    attachment = None
    if photo_path:
        base = media_base_url(store) if base_url is None else base_url
        attachment = attach_photo(store.path, service_request_id, photo_path, base, photo_name)
    text = answer_text(answer)
    extra: dict[str, Any] = {"description": text, "expected_datetime": moment}
    if attachment is not None and attachment.public:
        extra["media_url"] = attachment.link
    with store.transaction():
        update_id = store.record_local_update(
            str(service_request_id), status_fields(status, **extra), actor.author, base_version=base_version
        )
        if attachment is not None and not attachment.public:  # kept for the history, never sent
            execute(store, "UPDATE request_updates SET media_url = ? WHERE update_id = ?", (attachment.link, update_id))
    preview = citizen_preview(
        report, status, text, moment, attachment.link if attachment and attachment.public else None
    )
    return RespondResult(update_id, attachment, preview)


def citizen_preview(
    report: Mapping[str, Any],
    status: str,
    answer: str | None,
    planned: date | datetime | None = None,
    media_link: str | None = None,
) -> str:
    """Plain text of what the citizen sees on the platform after the update."""
    lines = [
        tr("Report No. {id}: {category}").format(
            id=report.get("service_request_id"), category=report.get("service_name") or report.get("service_code") or ""
        )
    ]
    if report.get("address"):
        lines.append(tr("Address: {address}").format(address=report["address"]))
    lines.append(tr("Status: {status}").format(status=statuses.label(status)))
    if status == "planned" and planned is not None:
        day = kyiv_date(planned_datetime(planned))
        lines.append(tr("Planned for: {date}").format(date=day.strftime("%d.%m.%Y")))
    answer = (answer or "").strip()
    if answer:
        lines += ["", tr("The city's answer:"), answer]
    if media_link:
        lines += ["", tr("Photo: {link}").format(link=media_link)]
    return "\n".join(lines)
