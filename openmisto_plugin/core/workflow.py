"""Moderator and officer actions on reports (issue 3, items 1–4 and 6–9), free of any GUI.

Every action checks the status model (:func:`statuses.allowed_next`) and the user's role and
department *before* anything is written; a refused action raises :class:`WorkflowError` with a
translated sentence and nothing reaches the store or the platform. An allowed action goes
through :meth:`ReportStore.record_local_update`: the report, its history and the outbox change in
one transaction, and the next sync pushes the outbox (``update_id`` makes a repeat harmless).

Besides the actions: the moderation queue, duplicate candidates, routing rules (stored in the
workspace tables ``routing_category_rules`` and ``routing_zones``, imported from JSON), the
automatic assignment, the citizen's preview of a response, photo attachments, and the outbox
view (explained reasons, retry, drop, re-apply, both versions of a conflict).

Photos: Open311 has no upload, an update only carries a link (``media_url``). A photo is copied
into ``<workspace>_media/`` next to the workspace. When the workspace has a public address for
that folder (:func:`set_media_base_url`, e.g. the city's web server publishing it), the link
``<base>/<file>`` goes to the platform; otherwise the photo stays internal: its ``file://`` link
is kept in the local history only (the reference platform, like most, accepts http(s) links only).

Reading helpers go through the store's small SQL API (``store.query``/``store.execute`` with ``?``
placeholders), the same on the GeoPackage and the PostGIS store; the SQL here is the common
subset of both dialects (geometries are the one difference: see the routing rules).

Optimistic locking: the actions take ``base_version`` (the report's ``version`` the user saw);
when the report changed since, :class:`store.base.VersionConflictError` is raised and nothing is written.
"""

from __future__ import annotations

import logging
import math
import shutil
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from qgis.core import QgsGeometry

from . import statuses
from .anonymise import PhotoError, strip_photo_metadata
from .deadlines import deadline_for
from .duplicates import DEFAULT_MAX_DAYS, DEFAULT_MAX_DISTANCE_M, candidate_query_params, find_duplicate_candidates
from .escaping import file_name_component
from .i18n import tr
from .rules import RoutingRules, Suggestion
from .statuses import CLOSED_CODES, STATUSES, allowed_next, open311_state
from .store.base import CONFLICT, PENDING, REFUSED, SENT, OutboxEntry, ReportStore, StoreError
from .timeutil import from_store, local, now_utc, parse, to_store
from .workdays import END_OF_WORKING_DAY, end_of_day, kyiv_date, working_days_between

log = logging.getLogger(__name__)

MODERATOR = "moderator"
OFFICER = "officer"
VIEWER = "viewer"

QUEUE_CODES = ("for_triage", "investigating")
MEDIA_BASE_URL_KEY = "media_base_url"
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".tif", ".tiff", ".bmp")
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


@contextmanager
def open_store(path: str | Path) -> Iterator[ReportStore]:
    """Open a workspace (a GeoPackage path or a ``postgres:`` address) for the duration of a ``with`` block."""
    from .store.factory import open_store as open_any

    store = open_any(str(path))
    try:
        yield store
    finally:
        store.close()


def _rows(store: ReportStore, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    if store is None:
        raise StoreError(tr("The workspace is closed."))
    return store.query(sql, tuple(params))


def _execute(store: ReportStore, sql: str, params: Sequence[Any] = ()) -> None:
    """One write statement; call inside ``store.transaction()``."""
    store.execute(sql, tuple(params))


def _report(store: ReportStore, service_request_id: str) -> dict[str, Any]:
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
    rows = _rows(store, "SELECT code, name FROM departments ORDER BY name, code")
    return [(r["code"], r["name"] or r["code"]) for r in rows]


def districts(store: ReportStore) -> list[tuple[str, str]]:
    """``(code, name)`` of the districts in the workspace, in name order."""
    rows = _rows(store, "SELECT code, name FROM districts ORDER BY name, code")
    return [(r["code"], r["name"] or r["code"]) for r in rows]


def services(store: ReportStore) -> list[tuple[str, str]]:
    """``(service_code, service_name)`` of the categories in the workspace, in name order."""
    rows = _rows(store, "SELECT service_code, service_name FROM services ORDER BY service_name, service_code")
    return [(r["service_code"], r["service_name"] or r["service_code"]) for r in rows]


def reports_by_fids(store: ReportStore, fids: Iterable[int]) -> list[str]:
    """``service_request_id`` of the reports with these feature ids (the map selection), in fid order."""
    wanted = sorted({int(f) for f in fids})
    found: list[str] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found += [
            r["service_request_id"]
            for r in _rows(store, f"SELECT service_request_id FROM reports WHERE fid IN ({marks}) ORDER BY fid", chunk)  # noqa: S608 - only ? placeholders are interpolated; values are bound  # nosec B608
        ]
    return found


def fids_of(store: ReportStore, ids: Iterable[str]) -> dict[str, int]:
    """Feature ids of reports by ``service_request_id``."""
    wanted = [str(i) for i in ids]
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT fid, service_request_id FROM reports WHERE service_request_id IN ({marks})"  # noqa: S608 - only ? placeholders are interpolated; values are bound  # nosec B608
        for r in _rows(store, sql, chunk):
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


def _answer(text: str | None) -> str | None:
    text = (text or "").strip()
    if len(text) > MAX_ANSWER:
        raise WorkflowError(
            tr("The answer is {n} characters long; the platform accepts at most {max}.").format(
                n=len(text), max=MAX_ANSWER
            )
        )
    return text or None


def _fields(code: str, **extra: Any) -> dict[str, Any]:
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
        str(report["service_request_id"]), _fields(code, **extra), actor.author, base_version=base_version
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
    report = _report(store, service_request_id)
    return _record(store, report, "investigating", actor, base_version, description=_answer(note))


def reject(
    store: ReportStore,
    actor: Actor,
    service_request_id: str,
    reason: str | None = None,
    base_version: int | None = None,
) -> str:
    """Reject as spam or abuse: ``hidden`` (the public no longer sees it); the reason (internal) is required."""
    text = _answer(reason)
    if not text:
        raise WorkflowError(tr("Write the reason for rejecting report {id}.").format(id=service_request_id))
    report = _report(store, service_request_id)
    return _record(store, report, "hidden", actor, base_version, description=text)


def close_not_remit(
    store: ReportStore, actor: Actor, service_request_id: str, reason: str, base_version: int | None = None
) -> str:
    """Close as «not the city's remit»; the reason (for the citizen) is required."""
    text = _answer(reason)
    if not text:
        raise WorkflowError(tr("Write the reason: the citizen reads why the city cannot act."))
    report = _report(store, service_request_id)
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
    report = _report(store, service_request_id)
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
    text = _answer(note) or tr("The category was changed to «{name}».").format(name=name)
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
    report = _report(store, service_request_id)
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
    text = _answer(note) or tr("This problem was already reported: see report {id}.").format(id=original_id)
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
    text = _answer(note)
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
                _report(store, sid),
                "action_scheduled",
                actor,
                (base_versions or {}).get(sid),
                agency_responsible=target,
                description=text,
            )
    log.info("Assigned %d reports, skipped %d", result.assigned, len(result.skipped))
    return result


# --------------------------------------------------------------------------- officer response


@dataclass(frozen=True)
class Attachment:
    """A photo copied into the workspace's media folder."""

    local_path: Path
    link: str  # the public http(s) link, else the file:// link
    public: bool


def media_folder(store_path: str | Path) -> Path:
    """``<workspace stem>_media`` next to the workspace file.

    A PostGIS workspace has no file: ``<QGIS settings dir>/openmisto/<schema>_media`` on this computer
    (a city publishing photos points its web server at a shared folder and sets the public address).
    """
    from .store.factory import is_postgres

    if is_postgres(str(store_path)):
        from qgis.core import QgsApplication

        schema = "openmisto"
        try:
            from .store.pg_connection import parse_uri

            schema = parse_uri(str(store_path)).schema
        except Exception:
            log.debug("Cannot read the schema of %s", store_path, exc_info=True)
        return Path(QgsApplication.qgisSettingsDirPath()) / "openmisto" / f"{schema}_media"
    path = Path(store_path)
    return path.with_name(path.stem + "_media")


def media_base_url(store: ReportStore) -> str:
    """The public address of the media folder ('' when the photos stay internal)."""
    return store.get_state(MEDIA_BASE_URL_KEY, "") or ""


def set_media_base_url(store: ReportStore, url: str) -> None:
    """Set (or clear with '') the public http(s) address where the media folder is published."""
    url = (url or "").strip()
    if url and not url.lower().startswith(("http://", "https://")):
        raise WorkflowError(tr("The public address of the photos must start with http:// or https://."))
    store.set_state(MEDIA_BASE_URL_KEY, url or None)


def media_file_name(service_request_id: str, photo: str | Path) -> str:
    """A new unique file name for a report's photo in the media folder."""
    safe_id = file_name_component(service_request_id, fallback="report")
    return f"{safe_id}_{uuid.uuid4().hex[:12]}{Path(photo).suffix.lower()}"


def media_link(store_path: str | Path, name: str, base_url: str = "") -> str:
    """The link a photo ``name`` of the media folder gets: public (``base_url``) or ``file://``."""
    if base_url:
        return base_url.rstrip("/") + "/" + name
    return (media_folder(store_path) / name).resolve().as_uri()


def attach_photo(
    store_path: str | Path, service_request_id: str, photo: str | Path, base_url: str = "", name: str | None = None
) -> Attachment:
    """Copy ``photo`` into the media folder (as ``name``, else a new unique name); its link, public when possible."""
    source = Path(photo)
    if not source.is_file():
        raise WorkflowError(tr("The photo {file} does not exist.").format(file=source))
    suffix = source.suffix.lower()
    if suffix not in PHOTO_SUFFIXES:
        raise WorkflowError(
            tr("{file} is not a photo ({kinds}).").format(file=source.name, kinds=", ".join(PHOTO_SUFFIXES))
        )
    folder = media_folder(store_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or media_file_name(service_request_id, source))
    try:  # the copy carries no EXIF/XMP: no GPS position, no device, no owner
        strip_photo_metadata(source, target)
    except PhotoError as exc:
        if base_url:
            raise WorkflowError(
                tr("The photo {file} cannot be published: its metadata cannot be removed ({error}).").format(
                    file=source.name, error=exc
                )
            ) from exc
        log.info("Photo %s kept as it is (internal only): %s", source.name, exc)
        shutil.copy2(source, target)
    return Attachment(target, media_link(store_path, target.name, base_url), bool(base_url))


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
    text = _answer(answer)
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
    report = _report(store, service_request_id)
    moment = check_response(store, actor, report, status, answer, planned_date, now)
    attachment = None
    if photo_path:
        base = media_base_url(store) if base_url is None else base_url
        attachment = attach_photo(store.path, service_request_id, photo_path, base, photo_name)
    text = _answer(answer)
    extra: dict[str, Any] = {"description": text, "expected_datetime": moment}
    if attachment is not None and attachment.public:
        extra["media_url"] = attachment.link
    with store.transaction():
        update_id = store.record_local_update(
            str(service_request_id), _fields(status, **extra), actor.author, base_version=base_version
        )
        if attachment is not None and not attachment.public:  # kept for the history, never sent
            _execute(
                store, "UPDATE request_updates SET media_url = ? WHERE update_id = ?", (attachment.link, update_id)
            )
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


# --------------------------------------------------------------------------- moderation queue


@dataclass(frozen=True)
class QueueItem:
    """One report waiting for the moderator."""

    fid: int
    service_request_id: str
    external_status_code: str
    service_code: str | None
    service_name: str | None
    district: str | None
    address: str | None
    description: str | None
    requested_datetime: datetime | None
    waited_working_days: int
    due: datetime | None
    overdue: bool
    version: int | None = None  # the report's version as listed (optimistic locking of the actions)
    has_position: bool = True  # False: the platform sent no usable position (to place by hand, issue 9)


def moderation_queue(
    store: ReportStore, now: datetime | None = None, codes: Sequence[str] = QUEUE_CODES
) -> list[QueueItem]:
    """Reports awaiting moderation (new, and accepted but not assigned), oldest first."""
    now = now or now_utc()
    marks = ",".join("?" * len(codes))
    rows = _rows(
        store,
        "SELECT fid, service_request_id, external_status_code, status, service_code, service_name, district, address,"  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        " description, requested_datetime, agency_responsible, version, lat FROM reports"
        f" WHERE external_status_code IN ({marks}) OR (external_status_code IS NULL AND status = 'open')"
        " ORDER BY requested_datetime IS NULL, requested_datetime, fid",
        codes,
    )
    items = []
    for row in rows:
        requested = from_store(row["requested_datetime"])
        deadline = deadline_for(row)
        items.append(
            QueueItem(
                fid=int(row["fid"]),
                service_request_id=row["service_request_id"],
                external_status_code=row["external_status_code"] or "for_triage",
                service_code=row["service_code"],
                service_name=row["service_name"],
                district=row["district"],
                address=row["address"],
                description=row["description"],
                requested_datetime=requested,
                waited_working_days=max(0, working_days_between(requested, now)) if requested else 0,
                due=deadline.due,
                overdue=deadline.is_overdue(now),
                version=None if row.get("version") is None else int(row["version"]),
                has_position=row.get("lat") is not None,
            )
        )
    return items


# --------------------------------------------------------------------------- duplicates


@dataclass(frozen=True)
class Candidate:
    """A possible original of a report: distance, days apart and what the moderator needs to judge."""

    service_request_id: str
    distance_m: float
    days_apart: float
    external_status_code: str | None
    description: str | None
    address: str | None
    requested_datetime: datetime | None


def duplicate_candidates(
    store: ReportStore,
    service_request_id: str,
    max_m: float = DEFAULT_MAX_DISTANCE_M,
    days: float = DEFAULT_MAX_DAYS,
) -> list[Candidate]:
    """Reports of the same category within ``max_m`` metres and ``days`` days, nearest first."""
    report = _report(store, service_request_id)
    params = candidate_query_params(report, max_m, days)
    if params is None or params["start"] is None:
        return []
    rows = _rows(
        store,
        "SELECT service_request_id, service_code, lat, long, requested_datetime, external_status_code, description,"
        " address FROM reports WHERE (service_code = ? OR (service_code IS NULL AND ? IS NULL))"
        " AND lat BETWEEN ? AND ? AND long BETWEEN ? AND ?"
        " AND requested_datetime BETWEEN ? AND ? AND service_request_id <> ?",
        (
            params["service_code"],
            params["service_code"],
            params["min_lat"],
            params["max_lat"],
            params["min_long"],
            params["max_long"],
            params["start"],
            params["end"],
            params["service_request_id"],
        ),
    )
    by_id = {r["service_request_id"]: r for r in rows}
    found = find_duplicate_candidates(report, rows, max_m, days)
    return [
        Candidate(
            c.candidate_id,
            c.distance_m,
            c.days_apart,
            by_id[c.candidate_id]["external_status_code"],
            by_id[c.candidate_id]["description"],
            by_id[c.candidate_id]["address"],
            from_store(by_id[c.candidate_id]["requested_datetime"]),
        )
        for c in found
    ]


# --------------------------------------------------------------------------- routing rules


def _blob_geometry(blob: bytes | None) -> QgsGeometry:
    """A QgsGeometry from a GeoPackage geometry blob (empty geometry when unreadable)."""
    geometry = QgsGeometry()
    if not blob or len(blob) < 8 or bytes(blob[:2]) != b"GP":
        return geometry
    flags = blob[3]
    doubles = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}.get((flags >> 1) & 0x07, 0)
    geometry.fromWkb(bytes(blob[8 + 8 * doubles :]))
    return geometry


def _wkb_geometry(wkb: Any) -> QgsGeometry:
    geometry = QgsGeometry()
    if wkb:
        geometry.fromWkb(bytes(wkb))
    return geometry


def load_routing_rules(store: ReportStore) -> RoutingRules:
    """The routing rules kept in the workspace (``routing_category_rules``, ``routing_zones``)."""
    categories = [(r["service_code"], r["department"]) for r in _rows(store, "SELECT * FROM routing_category_rules")]
    zones = []
    postgres = store.dialect == "postgres"
    geom = "ST_AsBinary(geom) AS geom" if postgres else "geom"
    for r in _rows(store, f"SELECT fid, name, department, priority, {geom} FROM routing_zones ORDER BY fid"):  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
        geometry = _wkb_geometry(r["geom"]) if postgres else _blob_geometry(r["geom"])
        zones.append((r["name"] or f"#{r['fid']}", r["department"], r["priority"] or 0, geometry.asWkt()))
    return RoutingRules.from_rows(categories, zones)


def save_routing_rules(store: ReportStore, rules: RoutingRules) -> None:
    """Replace the workspace's routing rules by ``rules`` (one transaction)."""
    from osgeo import ogr

    from .store.gpkg import geometry_blob

    with store.transaction():
        _execute(store, "DELETE FROM routing_category_rules")
        for code, department in sorted(rules.category_rules.items()):
            _execute(
                store, "INSERT INTO routing_category_rules (service_code, department) VALUES (?, ?)", (code, department)
            )
        _execute(store, "DELETE FROM routing_zones")
        xs: list[float] = []
        ys: list[float] = []
        postgres = store.dialect == "postgres"
        value_sql = "ST_Multi(ST_GeomFromWKB(?, 4326))" if postgres else "?"
        for zone in rules.zones:
            geometry = ogr.ForceToMultiPolygon(ogr.CreateGeometryFromWkt(zone.geometry.asWkt()))
            minx, maxx, miny, maxy = geometry.GetEnvelope()
            xs += [minx, maxx]
            ys += [miny, maxy]
            value = bytes(geometry.ExportToIsoWkb(ogr.wkbNDR)) if postgres else geometry_blob(geometry)
            _execute(
                store,
                f"INSERT INTO routing_zones (name, department, priority, geom) VALUES (?, ?, ?, {value_sql})",  # noqa: S608 - names from the schema constants; every value is a bound parameter  # nosec B608
                (zone.name, zone.department, int(zone.priority), value),
            )
        grow = getattr(store, "_grow_extent", None)
        if callable(grow) and xs:
            grow("routing_zones", xs, ys)
        dirty = getattr(store, "_dirty", None)
        if isinstance(dirty, set):
            dirty.update(("routing_category_rules", "routing_zones"))


def read_routing_json(path: str | Path) -> RoutingRules:
    """Rules from a JSON file (see :meth:`RoutingRules.from_json`); errors raise :class:`RulesError`."""
    return RoutingRules.from_json(path)


def import_routing_json(store: ReportStore, path: str | Path) -> RoutingRules:
    """Read rules from JSON and make them the workspace's rules."""
    rules = read_routing_json(path)
    save_routing_rules(store, rules)
    log.info(
        "Imported routing rules from %s: %d categories, %d zones", path, len(rules.category_rules), len(rules.zones)
    )
    return rules


def suggest_departments(
    store: ReportStore, ids: Iterable[str], rules: RoutingRules | None = None
) -> dict[str, Suggestion | None]:
    """The suggested department (and the rule that matched) for each report."""
    rules = rules if rules is not None else load_routing_rules(store)
    found: dict[str, Suggestion | None] = {}
    wanted = [str(i) for i in ids]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT service_request_id, service_code, lat, long FROM reports WHERE service_request_id IN ({marks})"  # noqa: S608 - only ? placeholders are interpolated; values are bound  # nosec B608
        for r in _rows(store, sql, chunk):
            found[r["service_request_id"]] = _suggest(rules, r)
    return {sid: found.get(sid) for sid in wanted}


def _suggest(rules: RoutingRules, row: Mapping[str, Any]) -> Suggestion | None:
    lat, long = row.get("lat"), row.get("long")
    usable = (
        lat is not None and long is not None and math.isfinite(lat) and math.isfinite(long) and (lat, long) != (0, 0)
    )
    return rules.suggest(row.get("service_code"), lat if usable else None, long if usable else None)


@dataclass
class AutoAssignResult:
    """What :func:`autoassign` did (or would do, with ``dry_run``)."""

    considered: int = 0
    assigned: int = 0
    by_department: dict[str, int] = field(default_factory=dict)
    by_rule_kind: dict[str, int] = field(default_factory=dict)
    no_rule: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    update_ids: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False

    def summary(self) -> str:
        """One translated line for the log and the message bar."""
        text = tr("Unassigned accepted reports: {n}; assigned: {a}; no matching rule: {r}; skipped: {s}.").format(
            n=self.considered, a=self.assigned, r=len(self.no_rule), s=len(self.skipped)
        )
        if self.by_department:
            parts = ", ".join(f"{d}: {n}" for d, n in sorted(self.by_department.items()))
            text += " " + tr("By department: {parts}.").format(parts=parts)
        if self.dry_run:
            text += " " + tr("Trial run: nothing was changed.")
        return text


def unassigned_accepted(store: ReportStore) -> list[str]:
    """Accepted reports (``investigating``) without a department, oldest first."""
    rows = _rows(
        store,
        "SELECT service_request_id FROM reports WHERE external_status_code = 'investigating'"
        " AND (agency_responsible IS NULL OR agency_responsible = '') ORDER BY requested_datetime, fid",
    )
    return [r["service_request_id"] for r in rows]


def autoassign(
    store: ReportStore,
    rules: RoutingRules | None = None,
    actor: Actor | None = None,
    dry_run: bool = False,
    ids: Iterable[str] | None = None,
) -> AutoAssignResult:
    """Apply the routing rules to every unassigned accepted report (or to ``ids``); one transaction."""
    actor = actor or Actor(MODERATOR, name="autoassign")
    rules = rules if rules is not None else load_routing_rules(store)
    targets = list(ids) if ids is not None else unassigned_accepted(store)
    result = AutoAssignResult(considered=len(targets), dry_run=dry_run)
    known = {code for code, _ in departments(store)}
    suggestions = suggest_departments(store, targets, rules)
    plan: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for sid in targets:
        suggestion = suggestions.get(sid)
        if suggestion is None:
            result.no_rule.append(sid)
        elif known and suggestion.department not in known:
            result.skipped.append((sid, tr("unknown department «{code}»").format(code=suggestion.department)))
        else:
            plan[sid] = suggestion.department
            kinds[sid] = suggestion.kind
    if dry_run:
        chosen = plan
    else:
        outcome = assign(store, actor, plan, plan) if plan else AssignResult()
        result.update_ids = outcome.update_ids
        result.skipped += outcome.skipped
        chosen = {sid: plan[sid] for sid in outcome.update_ids}
    result.assigned = len(chosen)
    result.by_department = dict(Counter(chosen.values()))
    result.by_rule_kind = dict(Counter(kinds[sid] for sid in chosen))
    log.info("%s", result.summary())
    return result


# --------------------------------------------------------------------------- outbox view


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
    rows = _rows(store, "SELECT state, count(*) AS n FROM outbox GROUP BY state")
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
                _execute(
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


def closed_codes() -> tuple[str, ...]:
    """Statuses that close a report (they need an answer, except ``duplicate`` and ``hidden``)."""
    return CLOSED_CODES


__all__ = [
    "Actor",
    "AssignResult",
    "Attachment",
    "AutoAssignResult",
    "Candidate",
    "ConflictField",
    "OutboxRow",
    "QueueItem",
    "RespondResult",
    "WorkflowError",
    "accept",
    "assign",
    "attach_photo",
    "autoassign",
    "check_transition",
    "citizen_preview",
    "close_not_remit",
    "conflict_fields",
    "departments",
    "districts",
    "drop",
    "duplicate_candidates",
    "explain_entry",
    "import_routing_json",
    "load_routing_rules",
    "mark_duplicate",
    "moderation_queue",
    "outbox_rows",
    "read_routing_json",
    "reapply",
    "recategorise",
    "reject",
    "respond",
    "retry_now",
    "save_routing_rules",
    "services",
    "suggest_departments",
]
