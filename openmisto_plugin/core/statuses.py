"""The status model of DESIGN.md §4: codes, labels, Open311 state, roles, transitions.

Open311 knows only ``open``/``closed``; the detail travels as
``external_status_code`` with FixMyStreet's values.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import tr

MODERATOR = "moderator"
OFFICER = "officer"
PLATFORM = "platform"


@dataclass(frozen=True)
class Status:
    """One external status code and what belongs to it."""

    code: str
    open311: str  # "open" or "closed"
    set_by: tuple[str, ...]
    colour: str  # hex colour used by the layer style and the atlas legend
    needs_answer: bool = False  # the citizen must be told why (closed statuses)

    @property
    def label(self) -> str:
        """Ukrainian label (English source string, translated by ``tr``)."""
        return tr(_LABELS[self.code])

    @property
    def is_closed(self) -> bool:
        return self.open311 == "closed"


# English source strings; Ukrainian lives in i18n/openmisto_uk.ts.
_LABELS = {
    "for_triage": "New, awaiting moderation",
    "investigating": "Accepted for consideration",
    "action_scheduled": "Assigned to a department",
    "in_progress": "In progress",
    "planned": "Planned",
    "fixed": "Resolved",
    "no_further_action": "Not resolved",
    "duplicate": "Duplicate",
    "not_councils_responsibility": "Not the city's remit",
    "hidden": "Rejected by the moderator",
}

# Mark the labels for extraction (i18n/update_ts.py looks for tr("...") literals).
if False:  # pragma: no cover
    tr("New, awaiting moderation")
    tr("Accepted for consideration")
    tr("Assigned to a department")
    tr("In progress")
    tr("Planned")
    tr("Resolved")
    tr("Not resolved")
    tr("Duplicate")
    tr("Not the city's remit")
    tr("Rejected by the moderator")

STATUSES: dict[str, Status] = {
    s.code: s
    for s in (
        Status("for_triage", "open", (PLATFORM,), "#9e9e9e"),
        Status("investigating", "open", (MODERATOR,), "#42a5f5"),
        Status("action_scheduled", "open", (MODERATOR,), "#5c6bc0"),
        Status("in_progress", "open", (OFFICER,), "#ffa000"),
        Status("planned", "open", (OFFICER,), "#ab47bc"),
        Status("fixed", "closed", (OFFICER,), "#43a047", needs_answer=True),
        Status("no_further_action", "closed", (OFFICER,), "#e53935", needs_answer=True),
        Status("duplicate", "closed", (MODERATOR,), "#8d6e63", needs_answer=False),
        Status(
            "not_councils_responsibility",
            "closed",
            (MODERATOR, OFFICER),
            "#6d4c41",
            needs_answer=True,
        ),
        Status("hidden", "closed", (MODERATOR,), "#424242"),
    )
}

STATUS_CODES: tuple[str, ...] = tuple(STATUSES)
OPEN_CODES: tuple[str, ...] = tuple(c for c, s in STATUSES.items() if not s.is_closed)
CLOSED_CODES: tuple[str, ...] = tuple(c for c, s in STATUSES.items() if s.is_closed)

# Which status may follow which (the workflow). Re-setting "planned" moves the date;
# re-setting "action_scheduled" is a reassignment; a moderator may reopen a closed report.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "for_triage": ("investigating", "action_scheduled", "duplicate", "not_councils_responsibility", "hidden"),
    "investigating": ("action_scheduled", "duplicate", "not_councils_responsibility", "hidden"),
    "action_scheduled": (
        "action_scheduled",
        "in_progress",
        "planned",
        "fixed",
        "no_further_action",
        "not_councils_responsibility",
        "duplicate",
    ),
    "in_progress": ("planned", "fixed", "no_further_action", "not_councils_responsibility", "action_scheduled"),
    "planned": ("planned", "in_progress", "fixed", "no_further_action", "action_scheduled"),
    "fixed": ("investigating",),
    "no_further_action": ("investigating",),
    "duplicate": ("investigating",),
    "not_councils_responsibility": ("investigating",),
    "hidden": ("investigating",),
}


def open311_state(code: str) -> str:
    """``open`` or ``closed`` for an external status code (unknown codes count as open)."""
    status = STATUSES.get(code)
    return status.open311 if status else "open"


def allowed_next(current: str | None, role: str) -> tuple[str, ...]:
    """Statuses a user of ``role`` may set after ``current``."""
    following = TRANSITIONS.get(current or "for_triage", ())
    return tuple(c for c in following if role in STATUSES[c].set_by)


def source_label(code: str) -> str | None:
    """The English source label of a code (for a translator other than the plugin's own, e.g. the atlas)."""
    return _LABELS.get(code)


def label(code: str | None) -> str:
    """Translated label of a code; the raw code when it is unknown."""
    if code in STATUSES:
        return STATUSES[code].label
    return code or ""
