"""The status model of DESIGN.md §4 as the platform enforces it (who may set which code).

The server keeps its own copy so that it stays a standalone standard-library program; the plugin's
``openmisto_plugin/core/statuses.py`` holds the same codes.
"""

from __future__ import annotations

# code -> (Open311 status, roles that may set it)
STATUSES: dict[str, tuple[str, frozenset[str]]] = {
    "for_triage": ("open", frozenset({"platform"})),
    "investigating": ("open", frozenset({"moderator"})),
    "action_scheduled": ("open", frozenset({"moderator"})),
    "in_progress": ("open", frozenset({"officer"})),
    "planned": ("open", frozenset({"officer"})),
    "fixed": ("closed", frozenset({"officer"})),
    "no_further_action": ("closed", frozenset({"officer"})),
    "duplicate": ("closed", frozenset({"moderator"})),
    "not_councils_responsibility": ("closed", frozenset({"moderator", "officer"})),
    "hidden": ("closed", frozenset({"moderator"})),
}

STATUS_CODES: tuple[str, ...] = tuple(STATUSES)
OPEN_CODES: tuple[str, ...] = tuple(code for code, (state, _) in STATUSES.items() if state == "open")
CLOSED_CODES: tuple[str, ...] = tuple(code for code, (state, _) in STATUSES.items() if state == "closed")
OFFICER_CODES: tuple[str, ...] = tuple(code for code, (_, roles) in STATUSES.items() if "officer" in roles)
# A moderator may set every code, including the officers' ones, but not the platform's own "for_triage".
MODERATOR_CODES: tuple[str, ...] = tuple(code for code in STATUS_CODES if code != "for_triage")


def open311_status(code: str) -> str:
    """``open`` or ``closed`` for an external status code."""
    return STATUSES[code][0] if code in STATUSES else "open"
