"""The automatic assignment: the routing rules' suggested department for each unassigned accepted report."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .i18n import tr
from .routing_storage import load_routing_rules
from .rules import RoutingRules, Suggestion
from .store.base import ReportStore
from .workflow import MODERATOR, Actor, AssignResult, assign, departments, read_rows

log = logging.getLogger(__name__)


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
        for r in read_rows(store, sql, chunk):
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
    rows = read_rows(
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
