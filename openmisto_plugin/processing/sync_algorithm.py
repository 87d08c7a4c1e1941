"""``openmisto:sync``: send the workspace's pending changes, then bring new and changed reports in.

Runs the same :class:`~openmisto_plugin.core.sync.SyncEngine` as the plugin's
"Sync now", from the toolbox, from models and headless from ``qgis_process``
(once the plugin is installed and enabled: ``qgis_process.bin plugins enable
openmisto_plugin``)::

    QGIS_AUTH_PASSWORD_FILE=/etc/openmisto/master-password \
    qgis_process.bin --json run openmisto:sync -- \
        PLATFORM_URL=http://127.0.0.1:8311/open311/v2/ AUTHCFG=abc1234 \
        WORKSPACE=/data/workspace.gpkg FULL=false

Parameters: ``PLATFORM_URL``, ``AUTHCFG``, ``WORKSPACE`` (a
GeoPackage path or a shared PostGIS workspace ``postgres:service=pokrov
schema=openmisto`` / ``postgres:connection=<QGIS saved connection>
schema=openmisto``; created when missing), ``FULL`` (default false:
incremental), ``PUSH`` (default true: send the outbox first), ``PAGE_SIZE``,
``LOCK_WAIT`` (seconds to wait when another sync runs on the workspace, then
skip; default 0), ``CITY_AREA`` (``lon_min, lat_min, lon_max, lat_max``, default the
Settings' city area; empty: the workspace's districts, else the bulk of its reports —
swapped positions are repaired against it, points far outside it flagged), ``ALLOW_PLAIN_HTTP``
(send the key over plain http to a host other than this machine; default false).
Outputs: ``NEW``, ``UPDATED``, ``UNCHANGED``, ``SKIPPED``,
``PAGES`` (the pull), ``NO_POSITION`` (reports kept without a position), ``SENT``, ``REFUSED``,
``CONFLICTS`` (the push), ``BUSY`` (1 when skipped because another sync held the workspace) and
``WORKSPACE``.

One sync at a time per workspace: the run holds the workspace's sync lock (PostGIS: an advisory
lock in the database, across machines; GeoPackage: a lock file next to it). A second run — the
server's schedule and a moderator's "Sync now" at once — logs "another sync is running", waits up
to ``LOCK_WAIT`` seconds and is then skipped (``BUSY`` = 1; not an error: the other run brings the data).

The API key comes from an authentication configuration (``AUTHCFG``, the
recommended way, with ``QGIS_AUTH_PASSWORD_FILE`` to unlock the authentication
database headless), else from the environment variable ``OPENMISTO_API_KEY``.
There is no key parameter: Processing writes parameter values into its history,
``qgis_process --json`` echoes them and the process list shows them. The key is
never written to the log (docs/security.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsApplication,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core.i18n import tr
from ..core.open311.client import FORMAT_CHOICES
from ..core.open311.profile import format_label, method_label
from ..core.qgis_compat import NUMBER_DOUBLE, NUMBER_INTEGER, PARAMETER_ADVANCED
from .base import OpenMistoAlgorithm, setting_default

API_KEY_ENV = "OPENMISTO_API_KEY"
DEFAULT_PAGE_SIZE = 1000

COUNT_OUTPUTS = ("NEW", "UPDATED", "UNCHANGED", "SKIPPED", "PAGES")
MAX_REASONS = 20  # skipped records and refused updates listed one by one in the log


class SyncAlgorithm(OpenMistoAlgorithm):
    """Pull new and changed reports (incremental or full) into a workspace (GeoPackage or PostGIS)."""

    PLATFORM_URL = "PLATFORM_URL"
    AUTHCFG = "AUTHCFG"
    ALLOW_PLAIN_HTTP = "ALLOW_PLAIN_HTTP"
    FULL = "FULL"
    PAGE_SIZE = "PAGE_SIZE"
    PUSH = "PUSH"
    LOCK_WAIT = "LOCK_WAIT"
    CITY_AREA = "CITY_AREA"
    FORMAT = "FORMAT"
    JURISDICTION_ID = "JURISDICTION_ID"

    def __init__(self) -> None:
        super().__init__()
        self._api_key: str | None = None

    # --- identity -----------------------------------------------------------------

    def name(self) -> str:
        """Algorithm id within the provider."""
        return "sync"

    def displayName(self) -> str:
        """Name in the toolbox."""
        return tr("Sync reports from the platform")

    def shortHelpString(self) -> str:
        """Help shown next to the parameters."""
        return tr(
            "Downloads new and changed citizen reports from an Open311 platform into a "
            "workspace: a GeoPackage file, or a shared PostGIS workspace given as "
            "postgres:service=… schema=… or postgres:connection=… schema=… (created when it does not exist). "
            "One sync at a time runs on a workspace: when another one is running, this one waits "
            "the given seconds, then is skipped. Incremental by default: "
            "only reports changed since the last sync are fetched; a full sync fetches all of "
            "them again. Changes made in this workspace (assignments, responses) are sent to the "
            "platform first. The API key comes from an authentication configuration, or headless "
            "from the environment variable OPENMISTO_API_KEY."
        )

    def tags(self) -> list[str]:
        """Search keywords."""
        return ["open311", "sync", "citizen", "reports", tr("sync"), tr("reports")]

    # --- parameters -----------------------------------------------------------------

    def _add_advanced(self, parameter: QgsProcessingParameterDefinition) -> None:
        """Add ``parameter`` under «Advanced parameters» of the algorithm's dialog."""
        parameter.setFlags(parameter.flags() | PARAMETER_ADVANCED)
        self.addParameter(parameter)

    def initAlgorithm(self, config: dict | None = None) -> None:
        """Declare parameters and outputs."""
        self.addParameter(
            QgsProcessingParameterString(
                self.PLATFORM_URL,
                tr("Platform URL (Open311 endpoint)"),
                defaultValue=setting_default("platform_url"),
            )
        )
        self.addParameter(
            QgsProcessingParameterAuthConfig(
                self.AUTHCFG,
                tr("Authentication configuration holding the API key"),
                defaultValue=setting_default("authcfg"),
                optional=True,
            )
        )
        self.add_workspace_parameter(
            tr(
                "Workspace: a GeoPackage file, or postgres:service=… schema=… (shared PostGIS); "
                "created when it does not exist"
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.FULL,
                tr("Full sync (fetch every report again, not only changes)"),
                defaultValue=False,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.PUSH,
                tr("First send the changes made here (assignments, responses) to the platform"),
                defaultValue=True,
            )
        )
        page_size = QgsProcessingParameterNumber(
            self.PAGE_SIZE,
            tr("Page size (reports per request)"),
            type=NUMBER_INTEGER,
            defaultValue=setting_default("page_size") or DEFAULT_PAGE_SIZE,
            minValue=1,
            maxValue=10000,
        )
        self._add_advanced(page_size)
        lock_wait = QgsProcessingParameterNumber(
            self.LOCK_WAIT,
            tr("When another sync is running on the workspace, wait this many seconds, then skip"),
            type=NUMBER_DOUBLE,
            defaultValue=0,
            minValue=0,
            maxValue=24 * 3600,
        )
        self._add_advanced(lock_wait)
        city_area = QgsProcessingParameterString(
            self.CITY_AREA,
            tr("City area: lon_min, lat_min, lon_max, lat_max (empty: the districts, else the bulk of the reports)"),
            defaultValue=setting_default("city_bbox") or "",
            optional=True,
        )
        self._add_advanced(city_area)
        fmt = QgsProcessingParameterEnum(
            self.FORMAT,
            tr("Format of the platform's answers"),
            options=[format_label(choice) for choice in FORMAT_CHOICES],
            defaultValue=max(0, FORMAT_CHOICES.index(setting_default("answer_format") or "auto")),
        )
        self._add_advanced(fmt)
        jurisdiction = QgsProcessingParameterString(
            self.JURISDICTION_ID,
            tr("jurisdiction_id (only for platforms serving several cities)"),
            defaultValue=setting_default("jurisdiction_id") or "",
            optional=True,
        )
        self._add_advanced(jurisdiction)
        plain_http = QgsProcessingParameterBoolean(
            self.ALLOW_PLAIN_HTTP,
            tr("Send the API key over plain http (unencrypted) to another machine"),
            defaultValue=False,
        )
        self._add_advanced(plain_http)

        self.addOutput(QgsProcessingOutputNumber("NEW", tr("New reports")))
        self.addOutput(QgsProcessingOutputNumber("UPDATED", tr("Updated reports")))
        self.addOutput(QgsProcessingOutputNumber("UNCHANGED", tr("Unchanged reports")))
        self.addOutput(QgsProcessingOutputNumber("SKIPPED", tr("Skipped records")))
        self.addOutput(QgsProcessingOutputNumber("PAGES", tr("Pages fetched")))
        self.addOutput(QgsProcessingOutputNumber("NO_POSITION", tr("Reports kept without a position")))
        self.addOutput(QgsProcessingOutputNumber("SENT", tr("Local changes sent")))
        self.addOutput(QgsProcessingOutputNumber("REFUSED", tr("Local changes refused by the platform")))
        self.addOutput(QgsProcessingOutputNumber("CONFLICTS", tr("Local changes in conflict")))
        self.addOutput(QgsProcessingOutputNumber("BUSY", tr("Skipped: another sync was running (1) or not (0)")))
        self.addOutput(QgsProcessingOutputString(self.WORKSPACE, tr("Workspace")))

    # --- execution ------------------------------------------------------------------

    def prepareAlgorithm(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> bool:
        """Resolve the API key in the main thread (the auth manager may ask for the master password)."""
        authcfg = self.parameterAsString(parameters, self.AUTHCFG, context).strip()
        key = ""
        if authcfg:
            from ..core.open311.auth import AuthError, load_api_key

            # Only the desktop can ask for the master password; qgis_process reads QGIS_AUTH_PASSWORD_FILE.
            prompt = QgsApplication.instance() is not None and QgsApplication.platform() == "desktop"
            try:
                key = load_api_key(authcfg, prompt=prompt) or ""
            except AuthError as exc:
                message = exc.user_message()
                if exc.kind == "locked" and not prompt:
                    message += " " + tr("For headless runs, name a file holding it in QGIS_AUTH_PASSWORD_FILE.")
                raise QgsProcessingException(message) from exc
            if not key:
                raise QgsProcessingException(tr("Authentication configuration {0} holds no API key.").format(authcfg))
        if not key:
            key = os.environ.get(API_KEY_ENV, "").strip()
        self._api_key = key or None
        return True

    def processAlgorithm(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        """Open (or create) the workspace, send the outbox (unless PUSH is off), then pull."""
        from ..core.open311.errors import Open311Error
        from ..core.positions import parse_bbox
        from ..core.store.workspace import Workspace
        from ..core.sync_run import SyncParams, run_sync

        url = self.parameterAsString(parameters, self.PLATFORM_URL, context).strip()
        if not url:
            raise QgsProcessingException(tr("The platform URL is empty."))
        address = self.workspace_value(parameters, context)
        if not address:
            raise QgsProcessingException(tr("No workspace file was given."))
        try:
            city_area = parse_bbox(self.parameterAsString(parameters, self.CITY_AREA, context))
        except ValueError as exc:
            raise QgsProcessingException(tr("The city area is not readable: {0}").format(exc)) from exc
        workspace = Workspace(address)
        if not workspace.shared:
            workspace = Workspace(str(Path(address)))  # the path as the system writes it
        params = SyncParams(
            base_url=url,
            workspace_path=workspace.address,
            api_key=self._api_key,
            page_size=self.parameterAsInt(parameters, self.PAGE_SIZE, context) or DEFAULT_PAGE_SIZE,
            full=self.parameterAsBoolean(parameters, self.FULL, context),
            lock_wait_s=max(0.0, self.parameterAsDouble(parameters, self.LOCK_WAIT, context)),
            city_area=city_area,
            answer_format=FORMAT_CHOICES[self.parameterAsEnum(parameters, self.FORMAT, context)],
            jurisdiction_id=self.parameterAsString(parameters, self.JURISDICTION_ID, context).strip(),
            allow_plain_http=self.parameterAsBoolean(parameters, self.ALLOW_PLAIN_HTTP, context),
            push=self.parameterAsBoolean(parameters, self.PUSH, context),
        )
        self._api_key = None
        feedback.pushInfo(
            tr("Workspace: {0} ({1})").format(
                workspace.describe(),
                tr("shared PostGIS") if workspace.shared else tr("existing") if workspace.exists() else tr("new"),
            )
        )
        feedback.pushInfo(
            tr("Platform: {0}, {1} sync, API key: {2}").format(
                url,
                tr("full") if params.full else tr("incremental"),
                tr("given") if params.api_key else tr("none (read-only access)"),
            )
        )

        with self.workspace_errors(workspace.address, also=(OSError,)):
            try:
                run = run_sync(params, feedback)
            except Open311Error as exc:
                raise QgsProcessingException(exc.user_message()) from exc
        busy, pushed, pulled, push = run.busy, run.push, run.pull, params.push

        if busy:
            feedback.pushWarning(busy)
            return {
                **dict.fromkeys((*COUNT_OUTPUTS, "NO_POSITION", "SENT", "REFUSED", "CONFLICTS"), 0),
                "BUSY": 1,
                self.WORKSPACE: workspace.address,
            }
        outputs: dict[str, Any] = {
            "NEW": pulled.new,
            "UPDATED": pulled.updated,
            "UNCHANGED": pulled.unchanged,
            "SKIPPED": len(pulled.skipped),
            "PAGES": pulled.pages,
            "NO_POSITION": pulled.without_position,
            "SENT": pushed.sent,
            "REFUSED": pushed.refused,
            "CONFLICTS": pushed.conflicts,
            "BUSY": 0,
            self.WORKSPACE: workspace.address,
        }
        for record in pulled.skipped[:MAX_REASONS]:
            feedback.reportError(
                tr("Skipped report {0}: {1}").format(record.record_id or "?", record.reason), fatalError=False
            )
        for error in pushed.errors[:MAX_REASONS]:
            feedback.reportError(tr("Not sent: {0}").format(error), fatalError=False)
        if pushed.no_write_back:  # the whole sentence the first time, a short reminder after
            feedback.pushWarning(pushed.notice or tr("This platform accepts no responses from QGIS; they wait here."))
        if push:
            feedback.pushInfo(
                tr("Sent: {0}, refused: {1}, conflicts: {2}, to retry: {3}").format(
                    pushed.sent, pushed.refused, pushed.conflicts, pushed.retry_later
                )
            )
        feedback.pushInfo(
            tr("New: {0}, updated: {1}, unchanged: {2}, skipped: {3}, pages: {4}").format(
                *(outputs[name] for name in COUNT_OUTPUTS)
            )
        )
        if pulled.without_position or pulled.repaired_swaps or pulled.far_outside:
            feedback.pushInfo(
                tr(
                    "Positions: {0} reports kept without one (place them by hand), {1} swapped lat/long repaired,"
                    " {2} far outside the city (kept, flagged)."
                ).format(pulled.without_position, pulled.repaired_swaps, pulled.far_outside)
            )
        if pulled.method:
            feedback.pushInfo(tr("Reports fetched: {0}").format(method_label(pulled.method)))
        for notice in pulled.notices:  # what the platform lacks: information, not errors
            feedback.pushInfo(notice)
        if pulled.missing:
            feedback.pushInfo(tr("Not offered by this platform: {0}.").format(", ".join(pulled.missing)))
        if pulled.canceled or pushed.canceled:
            feedback.pushWarning(tr("Canceled: the next sync completes what is missing."))
        return outputs
