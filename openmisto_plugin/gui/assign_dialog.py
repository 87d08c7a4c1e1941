"""Assign reports to a department (issue 3, item 4): one report, or every report selected on the map.

For each report the dialog shows the department the routing rules suggest and the rule that
matched (a zone beats a category). The moderator sends each report to its suggestion, or all to
one department; the button names the count, and a bulk assignment asks once more before it is
written. Reassignment keeps the history (each assignment is an entry of it).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import autoassign, routing_storage, statuses
from ..core import workflow as wf
from ..core.i18n import tr
from ..core.rules import RoutingRules, RulesError, Suggestion
from ..core.store.base import ReportStore, VersionConflictError
from .common import ask_plain, button_box, plain_label
from .help import help_button
from .outbox_panel import resolve_version_conflict

log = logging.getLogger(__name__)


class AssignDialog(QDialog):
    """Assign ``ids`` (one or many) with routing suggestions; ``result_`` holds the outcome.

    The assignments are written on the reports' versions shown in the table; when another user changed
    one meanwhile (shared workspace), ``conflict_resolver`` shows both versions and may apply it again.
    """

    conflict_resolver = staticmethod(resolve_version_conflict)

    def __init__(
        self,
        store: ReportStore,
        actor: wf.Actor,
        ids: list[str],
        rules: RoutingRules | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.ids = [str(i) for i in dict.fromkeys(ids)]
        self.versions: dict[str, int | None] = {}  # the versions shown (optimistic locking)
        self.rules = rules
        self.result_: wf.AssignResult | None = None
        self.suggestions: dict[str, Suggestion | None] = {}
        self.setWindowTitle(tr("Assign to a department"))
        self.resize(760, 480)

        layout = QVBoxLayout(self)
        self.intro_label = plain_label()
        layout.addWidget(self.intro_label)

        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [tr("No."), tr("Category"), tr("Now"), tr("Suggested department"), tr("Rule that matched")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)

        self.suggested_radio = QRadioButton(tr("Each report to its suggested department"))
        self.one_radio = QRadioButton(tr("All to one department:"))
        self.department_combo = QComboBox()
        #: department names by code: the dialog shows names, the internal code only where a name is missing
        self.department_names = dict(wf.departments(store))
        for code, name in self.department_names.items():
            self.department_combo.addItem(name or code, code)
        one_row = QHBoxLayout()
        one_row.addWidget(self.one_radio)
        one_row.addWidget(self.department_combo, 1)
        layout.addWidget(self.suggested_radio)
        layout.addLayout(one_row)

        self.reassign_check = QCheckBox(tr("Also reassign the reports another department is already working on"))
        self.reassign_check.setObjectName("reassignInWork")
        self.reassign_check.setToolTip(
            tr("Off: such reports stay with their department. On: they move, and their deadline starts again.")
        )
        layout.addWidget(self.reassign_check)

        note_row = QHBoxLayout()
        note_row.addWidget(plain_label(tr("Note for the citizen (optional):"), selectable=False))
        self.note_edit = QLineEdit()
        note_row.addWidget(self.note_edit, 1)
        layout.addLayout(note_row)

        self.count_label = plain_label()
        layout.addWidget(self.count_label)
        self.error_label = plain_label()
        self.error_label.setStyleSheet("color: #c62828")
        layout.addWidget(self.error_label)

        self.buttons = button_box(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(help_button(self, "assign"), QDialogButtonBox.ButtonRole.HelpRole)
        self.import_button = QPushButton(tr("Import rules…"))
        self.import_button.setToolTip(tr("Load routing rules from a JSON file into the workspace"))
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.clicked.connect(lambda _c=False: self.import_rules())
        self.buttons.accepted.connect(self.confirm_and_assign)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.suggested_radio.toggled.connect(self._update)
        self.one_radio.toggled.connect(self._update)
        self.department_combo.currentIndexChanged.connect(self._update)
        self.reassign_check.toggled.connect(self._update)
        self.load_suggestions()

    # ------------------------------------------------------------------ data

    def load_suggestions(self) -> None:
        """Suggestions of the rules for every report; fill the table and choose the defaults."""
        try:
            rules = self.rules if self.rules is not None else routing_storage.load_routing_rules(self.store)
            self.suggestions = autoassign.suggest_departments(self.store, self.ids, rules)
        except RulesError as exc:
            self.suggestions = dict.fromkeys(self.ids)
            self.error_label.setText(str(exc))
        self.table.setRowCount(len(self.ids))
        for row, sid in enumerate(self.ids):
            report = self.store.report(sid) or {}
            self.versions[sid] = report.get("version")
            suggestion = self.suggestions.get(sid)
            now = statuses.label(report.get("external_status_code"))
            if report.get("agency_responsible"):
                now += f" ({self.department_name(report['agency_responsible'])})"
            values = (
                sid,
                report.get("service_name") or report.get("service_code") or "",
                now,
                self.department_name(suggestion.department) if suggestion else tr("no rule"),
                suggestion.rule_description if suggestion else "",
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(str(value)))
        found = [s.department for s in self.suggestions.values() if s]
        if found:
            common = Counter(found).most_common(1)[0][0]
            index = self.department_combo.findData(common)
            if index >= 0:
                self.department_combo.setCurrentIndex(index)
        self.suggested_radio.setEnabled(bool(found))
        (self.suggested_radio if found else self.one_radio).setChecked(True)
        self._update()

    def department_name(self, code: str) -> str:
        """A department's name (its code when the workspace does not name it)."""
        return self.department_names.get(code) or code

    def import_rules(self, path: str | None = None) -> bool:
        """Import routing rules from JSON into the workspace and suggest again."""
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self, tr("Routing rules"), "", tr("JSON (*.json)"))
        if not path:
            return False
        try:
            self.rules = routing_storage.import_routing_json(self.store, path)
        except RulesError as exc:
            self.error_label.setText(str(exc))
            return False
        self.error_label.setText("")
        self.load_suggestions()
        return True

    def choices(self) -> dict[str, str]:
        """Report id → the department chosen for it, as the dialog is set now."""
        if self.suggested_radio.isChecked():
            return {sid: s.department for sid, s in self.suggestions.items() if s}
        code = self.department_combo.currentData()
        return dict.fromkeys(self.ids, code) if code else {}

    def assignment_plan(self) -> wf.AssignmentPlan:
        """What will happen to each selected report: assigned, reassigned (only when chosen) or skipped, and why."""
        return wf.plan_assignment(
            self.store, self.actor, self.ids, self.choices(), reassign_in_work=self.reassign_check.isChecked()
        )

    def plan(self) -> dict[str, str]:
        """Report id → department of the reports that will be written."""
        return self.assignment_plan().targets

    def describe(self, plan: wf.AssignmentPlan) -> str:
        """The plan in words, group by group (assign; reassign with the current status; skip with why)."""
        lines = []
        if plan.assign:
            parts = ", ".join(
                f"{self.department_name(code)}: {n}" for code, n in sorted(Counter(plan.assign.values()).items())
            )
            lines.append(tr("Assign {n} ({parts}).").format(n=len(plan.assign), parts=parts))
        if plan.reassign:
            lines.append(tr("Reassign {n} from another department:").format(n=len(plan.reassign)))
            lines.extend(
                "  "
                + tr("{id}: {status} with {old} → {new}").format(
                    id=sid, status=statuses.label(code), old=self.department_name(old), new=self.department_name(new)
                )
                for sid, (old, code, new) in plan.reassign.items()
            )
        if plan.skip:
            lines.append(tr("Leave {n} as they are:").format(n=len(plan.skip)))
            for reason, count in Counter(reason for _sid, reason in plan.skip).most_common():
                ids = [sid for sid, r in plan.skip if r == reason]
                shown = ", ".join(ids[:6]) + ("…" if len(ids) > 6 else "")
                lines.append("  " + tr("{n} — {reason} ({ids})").format(n=count, reason=reason, ids=shown))
        return "\n".join(lines)

    def _update(self, *_args: Any) -> None:
        self.department_combo.setEnabled(self.one_radio.isChecked())
        assignment = self.assignment_plan()
        plan = assignment.targets
        in_work = assignment.in_work_held + len(assignment.reassign)
        self.reassign_check.setVisible(in_work > 0)
        self.count_label.setText(self.describe(assignment) or tr("Nothing to assign."))
        self.intro_label.setText(
            tr("Report {id}").format(id=self.ids[0])
            if len(self.ids) == 1
            else tr("{n} reports selected on the map").format(n=len(self.ids))
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("Assign {n} reports").format(n=len(plan)) if len(plan) != 1 else tr("Assign the report"))
        ok.setEnabled(bool(plan) and self.actor.role == wf.MODERATOR)
        if self.actor.role != wf.MODERATOR:
            self.error_label.setText(tr("Only the moderator assigns reports to departments."))

    # ------------------------------------------------------------------ assign

    def ask_confirmation(self, text: str) -> bool:
        """Ask once more before a bulk assignment."""
        return ask_plain(self, tr("Assign to a department"), text)

    def confirm_and_assign(self) -> bool:
        """Confirm what happens to each group (bulk, or any reassignment/skip), write, close on success."""
        assignment = self.assignment_plan()
        plan = assignment.targets
        if not plan:
            return False
        if len(self.ids) > 1 or assignment.reassign:
            question = self.describe(assignment) + "\n\n" + tr("They are sent to the platform at the next sync. Go on?")
            if not self.ask_confirmation(question):
                return False
        if not self._assign(self.choices()):
            return False
        if self.result_.skipped:
            details = "\n".join(f"{sid}: {reason}" for sid, reason in self.result_.skipped)
            log.info("Assignment skipped %d reports:\n%s", len(self.result_.skipped), details)
        self.accept()
        return True

    def _assign(self, plan: dict[str, str]) -> bool:
        """Write the assignments (``plan``: id → chosen department) on the versions shown; a report changed
        meanwhile shows both versions."""
        while True:
            try:
                self.result_ = wf.assign(
                    self.store,
                    self.actor,
                    self.ids,
                    plan,
                    self.note_edit.text(),
                    base_versions={sid: v for sid, v in self.versions.items() if v is not None},
                    reassign_in_work=self.reassign_check.isChecked(),
                )
                return True
            except wf.WorkflowError as exc:
                self.error_label.setText(str(exc))
                return False
            except VersionConflictError as exc:  # another user changed a report since it was shown
                if not self.conflict_resolver(exc, self, None):
                    self.load_suggestions()  # the table shows the reports as they are now
                    self.error_label.setText(str(exc))
                    return False
                self.versions[exc.service_request_id] = exc.current_version

    def summary(self) -> str:
        """What the last assignment did, in words."""
        if self.result_ is None:
            return ""
        text = tr("Assigned: {n}.").format(n=self.result_.assigned)
        if self.result_.skipped:
            text += " " + tr("Left as they were: {n} ({reasons}).").format(
                n=len(self.result_.skipped), reasons="; ".join(f"{s}: {r}" for s, r in self.result_.skipped[:5])
            )
        return text
