"""Moderator and officer actions on reports (issue 3, items 1–4 and 6–9), free of any GUI.

Every action checks the status model (:func:`statuses.allowed_next`) and the user's role and
department *before* anything is written; a refused action raises :class:`WorkflowError` with a
translated sentence and nothing reaches the store or the platform. An allowed action goes
through :meth:`ReportStore.record_local_update`: the report, its history and the outbox change in
one transaction, and the next sync pushes the outbox (``update_id`` makes a repeat harmless).

Next to the actions: the officer's response (:mod:`.officer_response`), photos (:mod:`.media`), the
moderator's lists (:mod:`.moderation`), routing rules (:mod:`.routing_storage`), the automatic
assignment (:mod:`.autoassign`) and the outbox view (:mod:`.outbox_view`).

Reading helpers go through the store's small SQL API (``store.query``/``store.execute`` with ``?``
placeholders), the same on the GeoPackage and the PostGIS store; the SQL here is the common
subset of both dialects.

Optimistic locking: the actions take ``base_version`` (the report's ``version`` the user saw);
when the report changed since, :class:`store.base.VersionConflictError` is raised and nothing is written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import statuses
from .i18n import tr
from .statuses import CLOSED_CODES, STATUSES, allowed_next, open311_state
from .store.base import ReportStore, StoreError

log = logging.getLogger(__name__)

MODERATOR = "moderator"
OFFICER = "officer"
VIEWER = "viewer"

MAX_ANSWER = 4000  # the platform's limit for a description


class WorkflowError(Exception):
    """An action refused before anything was written; ``str()`` is a translated sentence."""


@dataclass(frozen=True)
class Actor:
    """Who acts: the role of the plugin's settings, the department (officers) and the author name."""

    role: str
    department: str | None = None
    name: str | None = None

    @property
    def author(self) -> str:
        """How the history records the author (``moderator``, ``officer:roads``… unless named)."""
        if self.name:
            return self.name
        return f"officer:{self.department}" if self.role == OFFICER else self.role

    @classmethod
    def from_settings(cls, settings: Any) -> Actor:
        """From a :class:`core.settings.PluginSettings` (``role``, ``department``)."""
        role = getattr(settings, "role", VIEWER) or VIEWER
        department = getattr(settings, "department", "") or None
        return cls(role, department if role == OFFICER else None)


# --------------------------------------------------------------------------- store access


def read_rows(store: ReportStore, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Rows of a read through the store's interface (``?`` placeholders); :class:`StoreError` without a store."""
    if store is None:
        raise StoreError(tr("The workspace is closed."))
    return store.query(sql, tuple(params))


def execute(store: ReportStore, sql: str, params: Sequence[Any] = ()) -> None:
    """One write statement; call inside ``store.transaction()``."""
    store.execute(sql, tuple(params))


def report_of(store: ReportStore, service_request_id: str) -> dict[str, Any]:
    """The report, or :class:`WorkflowError` when it is not in the workspace."""
    report = store.report(str(service_request_id))
    if report is None:
        raise WorkflowError(tr("Report {id} is not in the workspace.").format(id=service_request_id))
    return report


def _current_code(report: Mapping[str, Any]) -> str:
    code = (report.get("external_status_code") or "").strip().lower()
    if code:
        return code
    return "fixed" if (report.get("status") or "").lower() == "closed" else "for_triage"


def departments(store: ReportStore) -> list[tuple[str, str]]:
    """``(code, name)`` of the departments in the workspace, in name order."""
    rows = read_rows(store, "SELECT code, name FROM departments ORDER BY name, code")
    return [(r["code"], r["name"] or r["code"]) for r in rows]


def districts(store: ReportStore) -> list[tuple[str, str]]:
    """``(code, name)`` of the districts in the workspace, in name order."""
    rows = read_rows(store, "SELECT code, name FROM districts ORDER BY name, code")
    return [(r["code"], r["name"] or r["code"]) for r in rows]


def services(store: ReportStore) -> list[tuple[str, str]]:
    """``(service_code, service_name)`` of the categories in the workspace, in name order."""
    rows = read_rows(store, "SELECT service_code, service_name FROM services ORDER BY service_name, service_code")
    return [(r["service_code"], r["service_name"] or r["service_code"]) for r in rows]


def reports_by_fids(store: ReportStore, fids: Iterable[int]) -> list[str]:
    """``service_request_id`` of the reports with these feature ids (the map selection), in fid order."""
    wanted = sorted({int(f) for f in fids})
    found: list[str] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT service_request_id FROM reports WHERE fid IN ({marks}) ORDER BY fid"  # noqa: S608 - only ? placeholders are interpolated; values are bound  # nosec B608
        found += [r["service_request_id"] for r in read_rows(store, sql, chunk)]
    return found


def fids_of(store: ReportStore, ids: Iterable[str]) -> dict[str, int]:
    """Feature ids of reports by ``service_request_id``."""
    wanted = [str(i) for i in ids]
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT fid, service_request_id FROM reports WHERE service_request_id IN ({marks})"  # noqa: S608 - only ? placeholders are interpolated; values are bound  # nosec B608
        for r in read_rows(store, sql, chunk):
            found[r["service_request_id"]] = int(r["fid"])
    return found


# --------------------------------------------------------------------------- checks


def role_label(role: str) -> str:
    """Translated name of a role."""
    return {MODERATOR: tr("moderator"), OFFICER: tr("department officer"), VIEWER: tr("viewer")}.get(role, role)


def check_transition(report: Mapping[str, Any], code: str, actor: Actor) -> None:
    """Raise :class:`WorkflowError` unless ``actor`` may set ``code`` on ``report`` now."""
    sid = report.get("service_request_id")
    if actor.role not in (MODERATOR, OFFICER):
        raise WorkflowError(
            tr(
                "Your role ({role}) is read-only: you cannot change reports. Ask for a moderator's or an officer's key."
            ).format(role=role_label(actor.role))
        )
    if code not in STATUSES:
        raise WorkflowError(tr("Unknown status «{code}».").format(code=code))
    if actor.role == OFFICER:
        own = actor.department or ""
        assigned = report.get("agency_responsible") or ""
        if not own:
            raise WorkflowError(tr("Your department is not set. Choose it in the plugin's settings."))
        if assigned != own:
            raise WorkflowError(
                tr(
                    "Report {id} is assigned to {assigned}, not to your department {own}: an officer may answer only "
                    "the reports of the own department. Ask the moderator to reassign it."
                ).format(id=sid, assigned=assigned or tr("no department"), own=own)
            )
    current = _current_code(report)
    allowed = allowed_next(current, actor.role)
    if code not in allowed:
        names = ", ".join(f"«{statuses.label(c)}»" for c in allowed) or tr("none")
        raise WorkflowError(
            tr("Report {id} is «{current}»: a {role} cannot set «{new}» now. Allowed next: {allowed}.").format(
                id=sid,
                current=statuses.label(current),
                role=role_label(actor.role),
                new=statuses.label(code),
                allowed=names,
            )
        )


def answer_text(text: str | None) -> str | None:
    """The answer as the platform takes it (stripped, ``None`` when empty); :class:`WorkflowError` when too long."""
    text = (text or "").strip()
    if len(text) > MAX_ANSWER:
        raise WorkflowError(
            tr("The answer is {n} characters long; the platform accepts at most {max}.").format(
                n=len(text), max=MAX_ANSWER
            )
        )
    return text or None


def status_fields(code: str, **extra: Any) -> dict[str, Any]:
    """The fields of an update to status ``code`` (with its Open311 state) and the given ``extra`` ones."""
    fields: dict[str, Any] = {"external_status_code": code, "status": open311_state(code)}
    fields.update({k: v for k, v in extra.items() if v is not None})
    return fields


def _record(
    store: ReportStore,
    report: Mapping[str, Any],
    code: str,
    actor: Actor,
    base_version: int | None = None,
    **extra: Any,
) -> str:
    check_transition(report, code, actor)
    return store.record_local_update(
        str(report["service_request_id"]), status_fields(code, **extra), actor.author, base_version=base_version
    )


# --------------------------------------------------------------------------- moderator actions


def accept(
    store: ReportStore,
    actor: Actor,
    service_request_id: str,
    note: str | None = None,
    base_version: int | None = None,
) -> str:
    """Accept a report for consideration (``investigating``); returns the update_id."""
    report = report_of(store, service_request_id)
    return _record(store, report, "investigating", actor, base_version, description=answer_text(note))


def reject(
    store: ReportStore,
    actor: Actor,
    service_request_id: str,
    reason: str | None = None,
    base_version: int | None = None,
) -> str:
    """Reject as spam or abuse: ``hidden`` (the public no longer sees it); the reason (internal) is required."""
    text = answer_text(reason)
    if not text:
        raise WorkflowError(tr("Write the reason for rejecting report {id}.").format(id=service_request_id))
    report = report_of(store, service_request_id)
    return _record(store, report, "hidden", actor, base_version, description=text)


def close_not_remit(
    store: ReportStore, actor: Actor, service_request_id: str, reason: str, base_version: int | None = None
) -> str:
    """Close as «not the city's remit»; the reason (for the citizen) is required."""
    text = answer_text(reason)
    if not text:
        raise WorkflowError(tr("Write the reason: the citizen reads why the city cannot act."))
    report = report_of(store, service_request_id)
    return _record(store, report, "not_councils_responsibility", actor, base_version, description=text)


def recategorise(
    store: ReportStore,
    actor: Actor,
    service_request_id: str,
    service_code: str,
    note: str | None = None,
    base_version: int | None = None,
) -> str:
    """Change the category; the status stays. The citizen reads a note naming the new category.

    Sent as ``service_code`` in ``servicerequestupdates`` with a description (an update that
    changes nothing else is refused by platforms); a platform that ignores ``service_code`` keeps
    its category and the next sync shows it again.
    """
    report = report_of(store, service_request_id)
    if actor.role != MODERATOR:
        raise WorkflowError(tr("Only the moderator changes the category of a report."))
    if not service_code:
        raise WorkflowError(tr("Choose the new category."))
    if service_code == report.get("service_code"):
        raise WorkflowError(tr("Report {id} is already in this category.").format(id=service_request_id))
    known = dict(services(store))
    if known and service_code not in known:
        raise WorkflowError(tr("Unknown category «{code}».").format(code=service_code))
    name = known.get(service_code, service_code)
    text = answer_text(note) or tr("The category was changed to «{name}».").format(name=name)
    fields = {"service_code": service_code, "description": text}
    return store.record_local_update(str(service_request_id), fields, actor.author, base_version=base_version)


def mark_duplicate(
    store: ReportStore,
    actor: Actor,
    service_request_id: str,
    original_id: str,
    note: str | None = None,
    base_version: int | None = None,
) -> str:
    """Close as a duplicate of ``original_id`` (linked in ``duplicate_of``; the history shows it)."""
    report = report_of(store, service_request_id)
    original_id = str(original_id or "").strip()
    if not original_id or original_id == str(service_request_id):
        raise WorkflowError(tr("Choose the original report (another one) this report duplicates."))
    original = store.report(original_id)
    if original is None:
        raise WorkflowError(tr("Report {id} is not in the workspace.").format(id=original_id))
    if original.get("external_status_code") in ("duplicate", "hidden"):
        raise WorkflowError(
            tr("Report {id} is itself closed as «{status}»: link to the original report instead.").format(
                id=original_id, status=statuses.label(original.get("external_status_code"))
            )
        )
    text = answer_text(note) or tr("This problem was already reported: see report {id}.").format(id=original_id)
    return _record(store, report, "duplicate", actor, base_version, duplicate_of=original_id, description=text)


@dataclass
class AssignResult:
    """What an assignment did: update ids by report, and the reports left as they were, with why."""

    update_ids: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def assigned(self) -> int:
        return len(self.update_ids)


def check_department(store: ReportStore, department: str) -> None:
    """Raise :class:`WorkflowError` for an empty or unknown department code."""
    if not department:
        raise WorkflowError(tr("Choose the department."))
    known = {code for code, _ in departments(store)}
    if known and department not in known:
        raise WorkflowError(tr("Unknown department «{code}».").format(code=department))


IN_WORK_CODES = ("action_scheduled", "in_progress", "planned")  # a department has the report


@dataclass
class AssignmentPlan:
    """What an assignment will do to each report, grouped for the confirmation.

    ``assign``: id → department (no department has it yet); ``reassign``: id → (from department, its status
    code, to department), reports a department is working on, moved only when asked for explicitly
    (otherwise they are in ``skip`` with that reason); ``skip``: (id, reason).
    """

    assign: dict[str, str] = field(default_factory=dict)
    reassign: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    skip: list[tuple[str, str]] = field(default_factory=list)
    in_work_held: int = 0  # reports in ``skip`` only because reassigning was not chosen

    @property
    def targets(self) -> dict[str, str]:
        """Id → department of every report that will be written."""
        return {**self.assign, **{sid: to for sid, (_f, _c, to) in self.reassign.items()}}


def _skip_reason(
    report: Mapping[str, Any], target: str | None, actor: Actor, names: Mapping[str, str] | None = None
) -> str:
    """Why ``report`` is not assigned to ``target`` ('' when it can be); departments by ``names`` (else codes)."""
    if not target:
        return tr("no department for it")
    code = _current_code(report)
    if code in CLOSED_CODES:
        return tr("closed ({status})").format(status=statuses.label(code))
    if code == "action_scheduled" and report.get("agency_responsible") == target:
        return tr("already assigned to {department}").format(department=(names or {}).get(target) or target)
    try:
        check_transition(report, "action_scheduled", actor)
    except WorkflowError as exc:
        return str(exc)
    return ""


def plan_assignment(
    store: ReportStore,
    actor: Actor,
    ids: Iterable[str],
    department: str | Mapping[str, str],
    reassign_in_work: bool = False,
) -> AssignmentPlan:
    """Sort the reports into assign / reassign / skip (with why), as :func:`assign` will treat them."""
    ids = [str(i) for i in dict.fromkeys(ids)]
    per_report = department if isinstance(department, Mapping) else dict.fromkeys(ids, department)
    plan = AssignmentPlan()
    names = dict(departments(store))  # the reasons name departments, not their codes
    for sid in ids:
        target = per_report.get(sid)
        report = store.report(sid)
        if report is None:
            plan.skip.append((sid, tr("Unknown report {id}").format(id=sid)))
            continue
        reason = _skip_reason(report, target, actor, names)
        if reason:
            plan.skip.append((sid, reason))
            continue
        holder = report.get("agency_responsible") or ""
        code = _current_code(report)
        if holder and holder != target and code in IN_WORK_CODES:
            if reassign_in_work:
                plan.reassign[sid] = (holder, code, str(target))
            else:
                plan.in_work_held += 1
                plan.skip.append(
                    (
                        sid,
                        tr("{department} is working on it ({status}); reassigning was not chosen").format(
                            department=names.get(holder) or holder, status=statuses.label(code)
                        ),
                    )
                )
            continue
        plan.assign[sid] = str(target)
    return plan


def assign(
    store: ReportStore,
    actor: Actor,
    ids: Iterable[str],
    department: str | Mapping[str, str],
    note: str | None = None,
    strict: bool = False,
    base_versions: Mapping[str, int] | None = None,
    reassign_in_work: bool = True,
) -> AssignResult:
    """Assign reports (``action_scheduled`` + ``agency_responsible``) in one transaction.

    ``department`` is one code for all, or a mapping id → code (each report its suggestion).
    Reports that cannot be assigned (closed, already with that department…) are skipped with
    the reason, or, with ``strict``, refuse the whole call. Reassignment keeps the history.
    ``reassign_in_work``: also move reports another department is working on (a caller naming reports
    means it; the bulk dialog asks, off by default — see :func:`plan_assignment`).
    ``base_versions``: id → the report's version the user saw; a report changed since raises
    :class:`VersionConflictError` (nothing of the call is written).
    """
    ids = [str(i) for i in dict.fromkeys(ids)]
    if not ids:
        raise WorkflowError(tr("No report selected."))
    if actor.role != MODERATOR:
        raise WorkflowError(
            tr("Only the moderator assigns reports to departments; your role is {role}.").format(
                role=role_label(actor.role)
            )
        )
    per_report = department if isinstance(department, Mapping) else dict.fromkeys(ids, department)
    for code in set(per_report.values()):
        check_department(store, code)
    text = answer_text(note)
    result = AssignResult()
    with store.transaction():
        plan = plan_assignment(store, actor, ids, per_report, reassign_in_work)
        if strict and plan.skip:
            sid, reason = plan.skip[0]
            raise WorkflowError(tr("Report {id} cannot be assigned: {reason}").format(id=sid, reason=reason))
        result.skipped.extend(plan.skip)
        for sid, target in plan.targets.items():
            result.update_ids[sid] = _record(
                store,
                report_of(store, sid),
                "action_scheduled",
                actor,
                (base_versions or {}).get(sid),
                agency_responsible=target,
                description=text,
            )
    log.info("Assigned %d reports, skipped %d", result.assigned, len(result.skipped))
    return result


# --------------------------------------------------------------------------- officer response


def closed_codes() -> tuple[str, ...]:
    """Statuses that close a report (they need an answer, except ``duplicate`` and ``hidden``)."""
    return CLOSED_CODES
