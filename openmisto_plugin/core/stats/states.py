"""What one report gives to the figures of a period: the status codes that count, its events and its state.

``_Report`` is what the figures need of one report, derived once from its row and history (its status
changes as ``(moment, code)`` events); :class:`ReportState` is that report evaluated for one period.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from .figures import group_key

REJECT_CODES: frozenset[str] = frozenset({"hidden", "duplicate", "not_councils_responsibility"})
"""Closing codes that count as *rejected* (by a moderator or, for the remit, by an officer).

Any first decision after ``for_triage`` that is not one of these counts as *accepted*."""

RESOLVED_CODE = "fixed"
NOT_RESOLVED_CODE = "no_further_action"

RESPONSE_CODES: frozenset[str] = frozenset(
    {"in_progress", "planned", "fixed", "no_further_action", "not_councils_responsibility"}
)
"""Officer statuses: the first of them after the assignment is the first response."""

ASSIGN_CODE = "action_scheduled"
TRIAGE_CODE = "for_triage"

# Events are ``(moment, code)`` tuples; every moment inside the engine is an aware UTC datetime, so that
# comparing two of them never has to ask a time zone for its offset.
_Event = tuple  # (datetime, str)


class _Report:
    """What the figures need of one report, derived once from its row and history."""

    __slots__ = (
        "assigned",
        "assignments",
        "closings",
        "current",
        "events",
        "expected",
        "first_decision",
        "first_response",
        "requested",
        "rid",
        "row",
        "service_code",
        "stored_deadline",
    )

    def state_before(self, moment: datetime) -> _Event | None:
        """The last status change before ``moment`` (``None`` when the report did not exist yet)."""
        requested = self.requested
        if requested is None or requested >= moment:
            return None
        last = None
        for event in self.events:
            if event[0] >= moment:
                break
            last = event
        return last

    def assignment_before(self, moment: datetime) -> datetime | None:
        """The latest assignment before ``moment`` (the answer term counts from it)."""
        assignments = self.assignments
        if len(assignments) == 1:  # the usual case
            return assignments[0] if assignments[0] < moment else None
        for at in reversed(assignments):
            if at < moment:
                return at
        return None


class ReportState(NamedTuple):
    """One report in one period, as :class:`FigureEngine` evaluated it.

    The flags say what the report gives to the figures of the period; ``status`` and ``due``
    describe it at the period's reference moment ``at = min(end, now)``: its status code then
    (``""`` when it did not exist yet) and, while it was open, the deadline of its stage then
    (the store's ``deadline`` for *now*, else :func:`core.deadlines.deadline_for` as of ``at``;
    ``None`` without a deadline). ``overdue`` is :func:`core.deadlines.is_overdue` at ``at``.
    """

    service_request_id: str
    row: Mapping[str, Any]
    status: str
    due: datetime | None
    received: bool
    accepted: bool
    rejected: bool
    assigned: bool
    resolved: bool
    not_resolved: bool
    still_open: bool
    overdue: bool
    resolved_in_time: bool
    response_days: int | None
    closing_days: int | None

    def group_key(self, grouping: str) -> str:
        """The report's group of ``grouping`` (its current department, district or category)."""
        return group_key(self.row, grouping)

    @property
    def counts(self) -> bool:
        """True when something happened to the report in the period, or it was open at its end."""
        return (
            self.received
            or self.accepted
            or self.rejected
            or self.assigned
            or self.resolved
            or self.not_resolved
            or self.still_open
            or self.response_days is not None
        )
