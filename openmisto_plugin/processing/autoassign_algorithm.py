"""``openmisto:autoassign``: assign every accepted, unassigned report by the routing rules.

The rules are the workspace's own (tables ``routing_category_rules`` and ``routing_zones``), or
those of a JSON file (``RULES``: ``categories``/``category_rules`` and ``zones``), optionally saved
into the workspace. A zone rule beats a category rule. Each assignment is written to the workspace
and its outbox in one transaction; the next sync (``openmisto:sync`` or the plugin) sends them to the
platform with the moderator's key::

    qgis_process.bin run openmisto:autoassign -- WORKSPACE=/data/workspace.gpkg RULES=/data/routing.json

``WORKSPACE`` is a GeoPackage path or a shared PostGIS workspace (``postgres:service=… schema=…``).
"""

from __future__ import annotations

import logging
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
)

from ..core.i18n import tr
from .base import OpenMistoAlgorithm

log = logging.getLogger(__name__)

MAX_LISTED = 50


class AutoAssignAlgorithm(OpenMistoAlgorithm):
    """Apply the routing rules to the unassigned accepted reports of a workspace."""

    RULES = "RULES"
    SAVE_RULES = "SAVE_RULES"
    DRY_RUN = "DRY_RUN"

    def name(self) -> str:
        """Algorithm id within the provider."""
        return "autoassign"

    def displayName(self) -> str:
        """Name in the toolbox."""
        return tr("Assign reports by routing rules")

    def shortHelpString(self) -> str:
        """Help shown next to the parameters."""
        return tr(
            "Assigns every accepted report without a department («Accepted for consideration») to the "
            "department the routing rules suggest: a zone polygon containing the report, else the rule of "
            "its category. Reports no rule covers are listed and left alone. The assignments are written "
            "to the workspace and its outbox; the next sync sends them to the platform (this needs the "
            "moderator's API key). A trial run only counts."
        )

    def tags(self) -> list[str]:
        """Search keywords."""
        return ["open311", "routing", "assign", "department", tr("assign"), tr("department")]

    def initAlgorithm(self, config: dict | None = None) -> None:
        """Declare parameters and outputs."""
        self.add_workspace_parameter()
        self.addParameter(
            QgsProcessingParameterFile(
                self.RULES,
                tr("Routing rules (JSON; empty: the workspace's rules)"),
                extension="json",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.SAVE_RULES, tr("Save these rules into the workspace"), defaultValue=False, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.DRY_RUN, tr("Trial run (count only, change nothing)"), defaultValue=False, optional=True
            )
        )
        self.addOutput(QgsProcessingOutputNumber("CONSIDERED", tr("Accepted reports without a department")))
        self.addOutput(QgsProcessingOutputNumber("ASSIGNED", tr("Reports assigned")))
        self.addOutput(QgsProcessingOutputNumber("NO_RULE", tr("Reports no rule covers")))
        self.addOutput(QgsProcessingOutputNumber("SKIPPED", tr("Reports skipped")))
        self.addOutput(QgsProcessingOutputNumber("QUEUED", tr("Changes queued for the platform")))

    def processAlgorithm(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        """Load the rules, assign, report the counts."""
        from ..core import autoassign, routing_storage
        from ..core import workflow as wf
        from ..core.rules import RulesError
        from ..core.store.factory import workspace_exists

        workspace = self.workspace_value(parameters, context)
        rules_path = self.parameterAsFile(parameters, self.RULES, context)
        save_rules = self.parameterAsBoolean(parameters, self.SAVE_RULES, context)
        dry_run = self.parameterAsBoolean(parameters, self.DRY_RUN, context)
        if not workspace_exists(workspace):
            raise QgsProcessingException(tr("The workspace {0} does not exist.").format(workspace))
        _warn_role(feedback)
        try:
            with self.open_workspace(workspace) as store:
                if rules_path:
                    rules = routing_storage.read_routing_json(rules_path)
                    feedback.pushInfo(tr("Rules from {0}").format(rules_path))
                    if save_rules and not dry_run:
                        routing_storage.save_routing_rules(store, rules)
                        feedback.pushInfo(tr("The rules were saved into the workspace."))
                else:
                    rules = routing_storage.load_routing_rules(store)
                feedback.pushInfo(
                    tr("Rules: {0} categories, {1} zones").format(len(rules.category_rules), len(rules.zones))
                )
                if not rules.category_rules and not rules.zones:
                    feedback.pushWarning(tr("There are no routing rules: nothing can be assigned."))
                result = autoassign.autoassign(store, rules, wf.Actor(wf.MODERATOR, name="autoassign"), dry_run=dry_run)
        except (RulesError, wf.WorkflowError) as exc:
            raise QgsProcessingException(str(exc)) from exc

        for department, count in sorted(result.by_department.items()):
            feedback.pushInfo(tr("{0}: {1} reports").format(department, count))
        if result.no_rule:
            listed = ", ".join(result.no_rule[:MAX_LISTED]) + ("…" if len(result.no_rule) > MAX_LISTED else "")
            feedback.pushWarning(tr("No rule covers these reports: {0}").format(listed))
        for sid, reason in result.skipped[:MAX_LISTED]:
            feedback.pushWarning(tr("Report {0} skipped: {1}").format(sid, reason))
        feedback.pushInfo(result.summary())
        if result.update_ids:
            feedback.pushInfo(tr("The next sync sends the assignments to the platform."))
        return {
            "CONSIDERED": result.considered,
            "ASSIGNED": result.assigned,
            "NO_RULE": len(result.no_rule),
            "SKIPPED": len(result.skipped),
            "QUEUED": len(result.update_ids),
        }


def _warn_role(feedback: QgsProcessingFeedback) -> None:
    """Assignments are the moderator's: warn when the plugin is set up for another role."""
    try:
        from ..core.settings import PluginSettings

        settings = PluginSettings.load()
    except Exception:  # noqa: BLE001 - settings are optional in headless runs
        return
    if settings.is_configured and settings.role != "moderator":
        feedback.pushWarning(
            tr(
                "The plugin is set up for the role «{0}»: the platform accepts assignments with a moderator's key only."
            ).format(settings.role)
        )
