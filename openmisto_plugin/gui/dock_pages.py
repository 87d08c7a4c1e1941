"""The dock's workflow pages, built for the user's role: the moderator gets the moderation queue and the
reports without a position, every writer the outbox, everyone the filter with its list of reports.

The pages share the GUI store of the :class:`~.workspace_session.WorkspaceSession`. They follow the hub: new
settings rebuild them for another role, changed data makes them read the store again; what the user does in
them goes back out through the hub (a change to send, a report to open, a line for the message bar).
"""

from __future__ import annotations

import contextlib
from typing import Any

from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject

from ..core import project_layers
from ..core import workflow as wf
from ..core.i18n import tr
from ..core.settings import PluginSettings
from .common import logged_slot
from .signal_hub import PluginSignals
from .workspace_session import WorkspaceSession


class WorkflowPages(QObject):
    """The role's pages in the dock (``dock.workflow``)."""

    def __init__(self, dock: Any, session: WorkspaceSession, hub: PluginSignals, canvas: Any) -> None:
        super().__init__(dock)
        self.dock = dock
        self.session = session
        self.hub = hub
        self.canvas = canvas
        self.moderation_panel: Any = None
        self.no_position_panel: Any = None  # «Без координат»: reports to place by hand (issue 9)
        self.filter_panel: Any = None
        self.report_list: Any = None
        self.outbox_panel: Any = None
        self.pages: list[Any] = []
        self._role: str | None = None
        self._department: str | None = None

    @logged_slot()
    def update(self, settings: PluginSettings | None = None) -> None:
        """The pages for the role; the store and the user for the pages that exist."""
        settings = settings or PluginSettings.load()
        store = self.session.open_store()
        if (settings.role, settings.department) != (self._role, self._department):
            self._build(settings)
            return
        if self.moderation_panel is not None:
            self.moderation_panel.set_context(store, self.session.actor)
        if self.no_position_panel is not None:
            self.no_position_panel.set_context(store, self.session.actor)
        if self.outbox_panel is not None:
            self.outbox_panel.set_store(store)
        if self.filter_panel is not None and settings.workspace_exists:
            self.filter_panel.set_workspace(settings.workspace)

    def _build(self, settings: PluginSettings) -> None:
        from .dock import FilterPage, ReportList
        from .filter_panel import FilterPanel
        from .moderation_panel import ModerationPanel
        from .no_position_panel import NoPositionPanel
        from .outbox_panel import OutboxPanel

        # a new role gets an empty filter form: the map must not stay filtered by the old one
        self.remove(clear_filter=True)
        store, actor, canvas, hub = self.session.open_store(), self.session.actor, self.canvas, self.hub
        pages: list[tuple[Any, str]] = []
        if actor.role == wf.MODERATOR:
            self.moderation_panel = ModerationPanel(store, actor, canvas=canvas)
            self.moderation_panel.setObjectName("OpenMistoModerationPanel")
            self._connect_writer(self.moderation_panel)
            pages.append((self.moderation_panel, tr("Moderation")))
            self.no_position_panel = NoPositionPanel(store, actor, canvas=canvas)
            self._connect_writer(self.no_position_panel)
            pages.append((self.no_position_panel, tr("No position")))
        self.filter_panel = FilterPanel(canvas)
        self.report_list = ReportList(canvas)
        self.report_list.reportActivated.connect(hub.reportRequested)
        self.filter_panel.filterApplied.connect(self._filter_applied)
        self.filter_panel.filterCleared.connect(self.report_list.clear)
        if settings.workspace_exists:
            self.filter_panel.set_workspace(settings.workspace)
        self.filter_panel.set_layer(project_layers.find_layer(project_layers.REPORTS))
        pages.append((FilterPage(self.filter_panel, self.report_list), tr("Filter")))
        if actor.role in (wf.MODERATOR, wf.OFFICER):
            self.outbox_panel = OutboxPanel(store)
            self.outbox_panel.setObjectName("OpenMistoOutboxPanel")
            self.outbox_panel.pushRequested.connect(hub.changesMade)
            self.outbox_panel.changed.connect(self._outbox_changed)
            self.outbox_panel.message.connect(hub.messageRequested)
            pages.append((self.outbox_panel, tr("Outbox")))
        self.pages = [widget for widget, _title in pages]
        self.dock.set_pages(pages)
        self._role, self._department = settings.role, settings.department

    def _connect_writer(self, panel: Any) -> None:
        """A page whose actions change reports: the change is shown everywhere and sent."""
        panel.changed.connect(self.hub.dataChanged)
        panel.changed.connect(self.hub.changesMade)
        panel.message.connect(self.hub.messageRequested)
        panel.reportActivated.connect(self.hub.reportRequested)

    def remove(self, clear_filter: bool) -> None:
        """Take the pages out of the dock and delete them (the map tool, band and filter too)."""
        if self.filter_panel is not None and not sip.isdeleted(self.filter_panel):
            self.filter_panel.unload()
            layer = self.filter_panel.layer
            if clear_filter and layer is not None:
                from ..core.filters import map_layer

                with contextlib.suppress(RuntimeError):  # a layer deleted with its project
                    map_layer.clear_layer_filter(layer)
                    layer.triggerRepaint()
        if self.moderation_panel is not None and not sip.isdeleted(self.moderation_panel):
            panel = self.moderation_panel
            panel.layer_getter = lambda: None
            panel.layer()  # lets go of the layer's selection signal
            for dialog in list(panel.dialogs):
                dialog.close()
        if self.outbox_panel is not None and not sip.isdeleted(self.outbox_panel):
            for dialog in list(self.outbox_panel.dialogs):
                dialog.close()
        if self.no_position_panel is not None and not sip.isdeleted(self.no_position_panel):
            self.no_position_panel.unload()
        if not sip.isdeleted(self.dock):
            self.dock.set_pages([])
        for page in self.pages:
            if not sip.isdeleted(page):
                page.setParent(None)
                page.deleteLater()
        self.pages = []
        self.moderation_panel = self.filter_panel = self.report_list = self.outbox_panel = None
        self.no_position_panel = None
        self._role = self._department = None

    @logged_slot()
    def refresh(self) -> None:
        """Every page reads the store again (after a sync or a change); the filter is applied again."""
        store = self.session.open_store()
        if self.moderation_panel is not None:
            if self.moderation_panel.store is not store:
                self.moderation_panel.set_context(store, self.session.actor)
            else:
                self.moderation_panel.refresh()
        if self.no_position_panel is not None:
            if self.no_position_panel.store is not store:
                self.no_position_panel.set_context(store, self.session.actor)
            else:
                self.no_position_panel.refresh()
        if self.outbox_panel is not None:
            if self.outbox_panel.store is not store:
                self.outbox_panel.set_store(store)
            else:
                self.outbox_panel.refresh()
        if self.filter_panel is not None:
            settings = PluginSettings.load()
            if settings.workspace_exists:
                self.filter_panel.set_workspace(settings.workspace)
            layer = project_layers.find_layer(project_layers.REPORTS)
            if layer is not self.filter_panel.layer:
                self.filter_panel.set_layer(layer)
            if self.filter_panel.refresh() is None and self.report_list is not None:
                self.report_list.refresh()

    @logged_slot()
    def layers_changed(self, layer: Any) -> None:
        """The project's reports layer is ``layer`` now (None when it was removed)."""
        panel = self.filter_panel
        if panel is not None and not sip.isdeleted(panel) and layer is not panel.layer:
            panel.set_layer(layer)
            if self.report_list is not None:
                self.report_list.clear()
        if self.moderation_panel is not None and not sip.isdeleted(self.moderation_panel):
            self.moderation_panel.layer()  # follows the layer's selection again

    @logged_slot()
    def _filter_applied(self, fids: list[int]) -> None:
        if self.report_list is not None:
            self.report_list.show_reports(self.filter_panel.layer if self.filter_panel else None, fids)

    @logged_slot()
    def _outbox_changed(self) -> None:
        """Dropped or re-queued changes: the reports show other values now."""
        project_layers.reload_layers()
        if self.moderation_panel is not None:
            self.moderation_panel.refresh()
        if self.report_list is not None:
            self.report_list.refresh()
        self.dock.show_counts(*self.session.status_counts(PluginSettings.load()))
