"""The report dialogs the plugin opens: a report's detail view and the role's workflow dialogs.

An officer responds, a moderator accepts, rejects, assigns and closes duplicates; each from the map's
selection, a list, or a report's detail view. A dialog that changed reports says so through the hub
(``dataChanged``, then ``changesMade`` to send the change); the detail it came from opens again showing it.
"""

from __future__ import annotations

import logging
from typing import Any

from qgis.core import Qgis
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, Qt

from ..core import project_layers
from ..core import workflow as wf
from ..core.i18n import tr
from ..core.store.failures import WORKSPACE_ERRORS
from .common import logged_slot
from .signal_hub import PluginSignals
from .workspace_session import WorkspaceSession

log = logging.getLogger(__name__)


def _not_opened() -> str:
    """The line in the message bar when a dialog fails to open (the log has the traceback)."""
    return tr("The window could not be opened; the log (Open City tab) says why.")


class ReportDialogs(QObject):
    """Opens, keeps and closes the plugin's report dialogs."""

    def __init__(self, iface: Any, session: WorkspaceSession, hub: PluginSignals, parent: QObject | None = None):
        super().__init__(parent)
        self.iface = iface
        self.session = session
        self.hub = hub
        self.detail_dialogs: list[Any] = []
        self.workflow_dialogs: list[Any] = []
        hub.reportRequested.connect(self.show_report_id)
        hub.dataChanged.connect(self.refresh_details)

    def close_all(self) -> None:
        """Close every dialog (on unload) and stop following the hub."""
        self.hub.reportRequested.disconnect(self.show_report_id)
        self.hub.dataChanged.disconnect(self.refresh_details)
        for dialog in self.detail_dialogs + self.workflow_dialogs:
            if not sip.isdeleted(dialog):
                dialog.close()
                dialog.deleteLater()
        self.detail_dialogs = []
        self.workflow_dialogs = []

    def _message(self, text: str, level: Any) -> None:
        self.hub.messageRequested.emit(text, int(level))

    # --- the detail view --------------------------------------------------------------------------------

    @logged_slot(_not_opened)
    def show_report(self, feature: Any) -> Any:
        """Open the detail view of a report feature."""
        from .report_detail import feature_to_dict

        return self._open_detail(feature_to_dict(feature))

    @logged_slot(_not_opened)
    def show_report_id(self, service_request_id: str) -> Any:
        """Open the detail view of a report by its number (from a list or the queue)."""
        store = self.session.open_store()
        report = store.report(str(service_request_id)) if store is not None else None
        if report is None:
            layer = project_layers.find_layer(project_layers.REPORTS)
            if layer is not None:
                from .report_detail import feature_to_dict

                escaped = str(service_request_id).replace("'", "''")
                for feature in layer.getFeatures(f"\"service_request_id\" = '{escaped}'"):
                    report = feature_to_dict(feature)
                    break
        if report is None:
            self._message(tr("Report {0} is not in the workspace.").format(service_request_id), Qgis.Warning)
            return None
        return self._open_detail(report)

    def _open_detail(self, report: dict[str, Any]) -> Any:
        from .report_detail import (
            ReportDetailDialog,
            load_departments,
            load_districts,
            load_history,
            undelivered_states,
        )

        request_id = str(report.get("service_request_id") or "")
        store = self.session.open_store()
        dialog = ReportDetailDialog(
            report,
            load_history(store, request_id),
            load_departments(store),
            self.iface.mainWindow(),
            load_districts(store),
            undelivered_states(store, request_id),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.panRequested.connect(self.pan_to_report)
        dialog.destroyed.connect(lambda _obj=None, d=dialog: self._forget_dialog(d))
        self._add_detail_actions(dialog, report)
        self.detail_dialogs.append(dialog)
        dialog.show()
        return dialog

    def _add_detail_actions(self, dialog: Any, report: dict[str, Any]) -> None:
        """The role's actions in the detail view: respond (officers), duplicates and assign (moderators)."""
        from ..core import statuses
        from .common import text_of

        store, actor = self.session.store, self.session.actor
        if store is None:
            return
        request_id = text_of(report.get("service_request_id"))
        if actor.role == wf.OFFICER:
            dialog.respond_button = dialog.add_action(
                tr("Respond…"), lambda d=dialog: self.respond(request_id, d, reopen=True)
            )
            own = text_of(report.get("agency_responsible")) == (actor.department or "")
            allowed = statuses.allowed_next(text_of(report.get("external_status_code")) or None, actor.role)
            dialog.respond_button.setEnabled(own and bool(allowed))
            if not own:
                dialog.respond_button.setToolTip(tr("Only reports assigned to your department can be answered."))
            elif not allowed:
                dialog.respond_button.setToolTip(tr("The report's status allows no response now."))
        elif actor.role == wf.MODERATOR:
            # the queue's decisions on the card itself: one click, not card → close → queue → button
            allowed = statuses.allowed_next(text_of(report.get("external_status_code")) or None, actor.role)
            dialog.accept_button = dialog.add_action(
                tr("Accept"), lambda d=dialog: self.moderate(request_id, "accept", d)
            )
            dialog.accept_button.setEnabled("investigating" in allowed)
            dialog.reject_button = dialog.add_action(
                tr("Reject…"), lambda d=dialog: self.moderate(request_id, "reject", d)
            )
            dialog.reject_button.setEnabled("hidden" in allowed)
            dialog.duplicates_button = dialog.add_action(
                tr("Duplicates…"), lambda d=dialog: self.show_duplicates(request_id, d)
            )
            dialog.assign_button = dialog.add_action(tr("Assign…"), lambda d=dialog: self.assign([request_id], d))

    def _forget_dialog(self, dialog: Any) -> None:
        self.detail_dialogs = [d for d in self.detail_dialogs if d is not dialog]

    @logged_slot()
    def refresh_details(self) -> None:
        """Open detail views show the history as it is now (sent changes lose their "waiting" mark)."""
        store = self.session.open_store()
        if store is None:
            return
        from .report_detail import undelivered_states

        for dialog in self.detail_dialogs:
            if sip.isdeleted(dialog):
                continue
            request_id = str(dialog.report.get("service_request_id") or "")
            try:
                history = sorted(store.history(request_id), key=lambda r: str(r.get("updated_datetime") or ""))
            except WORKSPACE_ERRORS as exc:  # the view keeps the history it shows
                log.warning("Cannot read the history of %s: %s", request_id, exc)
                continue
            dialog.set_history(history, undelivered_states(store, request_id))

    @logged_slot()
    def pan_to_report(self, service_request_id: str) -> None:
        """Select the report and pan the map to it."""
        layer = project_layers.find_layer(project_layers.REPORTS)
        canvas = self.iface.mapCanvas()
        if layer is None or canvas is None:
            return
        escaped = service_request_id.replace("'", "''")
        layer.selectByExpression(f"\"service_request_id\" = '{escaped}'")
        canvas.panToSelected(layer)
        canvas.flashFeatureIds(layer, layer.selectedFeatureIds())

    # --- the workflow dialogs ---------------------------------------------------------------------------

    def _keep_dialog(self, dialog: Any) -> Any:
        self.workflow_dialogs.append(dialog)
        dialog.finished.connect(lambda _r=0, d=dialog: self._dialog_finished(d))
        return dialog

    def _dialog_finished(self, dialog: Any) -> None:
        self.workflow_dialogs = [d for d in self.workflow_dialogs if d is not dialog]
        if not sip.isdeleted(dialog):
            dialog.deleteLater()

    def _writer_store(self, role: str) -> Any:
        """The GUI store when the user has ``role``; else None with a message."""
        if self.session.actor.role != role:
            names = {wf.OFFICER: tr("department officers"), wf.MODERATOR: tr("the moderator")}
            self._message(tr("This is for {0}: change the role in the settings.").format(names[role]), Qgis.Warning)
            return None
        store = self.session.open_store()
        if store is None:
            self._message(tr("There is no workspace yet: synchronise first."), Qgis.Warning)
        return store

    @logged_slot(_not_opened)
    def respond(self, service_request_id: str, parent: Any = None, reopen: bool = False) -> Any:
        """The officer's response dialog for one report; accepted: reload, send, (re)open the detail."""
        from .respond_dialog import RespondDialog

        store = self._writer_store(wf.OFFICER)
        if store is None:
            return None
        dialog = RespondDialog(store, self.session.actor, service_request_id, parent or self.iface.mainWindow())
        self._connect_accepted(dialog, service_request_id if reopen else None, parent if reopen else None)
        self._keep_dialog(dialog)
        dialog.show()
        return dialog

    @logged_slot(_not_opened)
    def respond_to_selected(self) -> Any:
        """Respond to the one report selected on the map."""
        from .respond_dialog import open_for_selection

        store = self._writer_store(wf.OFFICER)
        if store is None:
            return None
        layer = project_layers.find_layer(project_layers.REPORTS)
        dialog = open_for_selection(store, self.session.actor, layer, self.iface.mainWindow())
        if dialog is None:
            self._message(tr("Select exactly one report on the map to respond to it."), Qgis.Warning)
            return None
        self._connect_accepted(dialog)
        self._keep_dialog(dialog)
        dialog.show()
        return dialog

    @logged_slot(_not_opened, default=False)
    def moderate(self, service_request_id: str, action: str, detail: Any = None) -> bool:
        """Accept or reject (``action``) one report from its card; the card opens again showing the change."""
        from ..core.store.base import VersionConflictError
        from .reason_dialog import ask_reason

        store = self._writer_store(wf.MODERATOR)
        report = store.report(service_request_id) if store is not None else None
        if report is None:
            return False
        version = report.get("version")
        actor = self.session.actor
        try:
            if action == "reject":
                reason = ask_reason(
                    detail or self.iface.mainWindow(),
                    tr("Reject"),
                    tr("Reason (internal; the report is hidden from the public):"),
                    [report],
                    tr("Reject"),
                )
                if not reason:
                    return False
                with store.transaction():
                    wf.reject(store, actor, service_request_id, reason, base_version=version)
                done = tr("Report {id} rejected.")
            else:
                with store.transaction():
                    wf.accept(store, actor, service_request_id, base_version=version)
                done = tr("Report {id} accepted for consideration.")
        except (wf.WorkflowError, VersionConflictError) as exc:
            self._message(str(exc), Qgis.Warning)
            return False
        self._message(done.format(id=service_request_id), Qgis.Success)
        self.hub.dataChanged.emit()
        if detail is not None and not sip.isdeleted(detail):
            detail.close()
        self.show_report_id(service_request_id)
        self.hub.changesMade.emit()
        return True

    @logged_slot(_not_opened)
    def assign(self, ids: list[str], parent: Any = None) -> Any:
        """The assignment dialog for these reports (moderator)."""
        from .assign_dialog import AssignDialog

        store = self._writer_store(wf.MODERATOR)
        if store is None or not ids:
            return None
        dialog = AssignDialog(store, self.session.actor, list(ids), parent=parent or self.iface.mainWindow())
        self._connect_accepted(dialog, ids[0] if parent is not None and len(ids) == 1 else None, parent)
        self._keep_dialog(dialog)
        dialog.show()
        return dialog

    @logged_slot(_not_opened)
    def assign_selected(self) -> Any:
        """Assign every report selected on the map (the dialog shows the count and asks to confirm)."""
        store = self._writer_store(wf.MODERATOR)
        if store is None:
            return None
        layer = project_layers.find_layer(project_layers.REPORTS)
        ids = wf.reports_by_fids(store, layer.selectedFeatureIds()) if layer is not None else []
        if not ids:
            self._message(tr("Select the reports to assign on the map first."), Qgis.Warning)
            return None
        return self.assign(ids)

    @logged_slot(_not_opened)
    def show_duplicates(self, service_request_id: str, parent: Any = None) -> Any:
        """Duplicate candidates of a report (moderator); closing one as a duplicate reloads and sends."""
        from .duplicates_dialog import DuplicatesDialog

        store = self._writer_store(wf.MODERATOR)
        if store is None:
            return None
        dialog = DuplicatesDialog(store, self.session.actor, service_request_id, parent or self.iface.mainWindow())
        layer = project_layers.find_layer(project_layers.REPORTS)
        if layer is not None:
            dialog.follow_on_map(self.iface.mapCanvas(), layer)
        self._connect_accepted(dialog, service_request_id if parent is not None else None, parent)
        self._keep_dialog(dialog)
        dialog.show()
        return dialog

    def _connect_accepted(self, dialog: Any, reopen_id: str | None = None, detail: Any = None) -> None:
        @logged_slot()
        def accepted() -> None:
            self.hub.dataChanged.emit()
            if reopen_id is not None:
                if detail is not None and not sip.isdeleted(detail):
                    detail.close()
                self.show_report_id(reopen_id)  # the detail again, with the change waiting in its history
            self.hub.changesMade.emit()

        dialog.accepted.connect(accepted)
