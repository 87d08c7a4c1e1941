"""The guide's screenshots, made by driving the real QGIS desktop (and a smoke test of the desktop path).

Run INSIDE QGIS by tools/make_docs.sh::

    qgis --profiles-path build/docs/demo/qgis --profile default --project demo.qgz --code tools/docs_screens.py

It waits until QGIS and the plugin are up, then runs the :data:`STEPS` in order. Each step drives the
plugin through its real entry points (the plugin instance ``qgis.utils.plugins['openmisto_plugin']``,
its actions, the dock, its buttons) to one screen and returns the widget (or pixmap) to capture, saved
as ``$DOCS_RAW_DIR/<name>.png``. A step that cannot reach its screen (a missing widget, an exception,
a Python error or a critical message in QGIS while it runs, a timeout) fails; the result of every step
goes to ``$DOCS_RESULT`` (JSON) and QGIS exits with status 1 when any step failed, else 0.

To add a screen: write ``def shot_<name>(ctx) -> QWidget | QPixmap`` with the :class:`Ctx` helpers
(``ctx.dock_page("OutboxPanel")``, ``ctx.click(button)``, ``ctx.dialog(trigger, find)``,
``ctx.wait(condition, "what")``, ``ctx.top_level("RespondDialog")``…) and add a
``Step("<name>", shot_<name>, "what it shows")`` to :data:`STEPS`. Raise :class:`Unreachable` with a
sentence when the screen is not there: never fall back to building the widget by hand.

Environment: DOCS_RAW_DIR, DOCS_RESULT, DOCS_ONLY / DOCS_SKIP (comma lists of step names),
DOCS_WORKSPACE, DOCS_PLATFORM_URL, DOCS_WINDOW (e.g. 1200x800).

The file is executed with ``exec`` by QGIS (no ``__file__``) and read in the locale's encoding: keep it ASCII.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import traceback
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qgis.core import Qgis, QgsFeatureRequest, QgsPointXY, QgsProject
from qgis.PyQt.QtCore import QPoint, Qt, QTimer
from qgis.PyQt.QtGui import QPixmap
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QAbstractButton, QApplication, QDialog, QTabWidget, QWidget

PLUGIN_NAME = "openmisto_plugin"
STEP_TIMEOUT_S = 60


class Unreachable(Exception):  # noqa: N818 - reads as what happened
    """The step's screen cannot be reached; the message says what is missing."""


def log(text: str) -> None:
    print(f"[docs] {text}", flush=True)


# ------------------------------------------------------------------------------------------------ helpers


@dataclass
class Ctx:
    """What a step needs: QGIS, the plugin, waiting, finding, clicking, capturing."""

    iface: Any
    plugin: Any
    errors: list[str] = field(default_factory=list)
    cleanups: list[Callable[[], Any]] = field(default_factory=list)

    @property
    def main_window(self) -> QWidget:
        return self.iface.mainWindow()

    @property
    def canvas(self) -> Any:
        return self.iface.mapCanvas()

    # -- time --------------------------------------------------------------------------------------------
    def spin(self, ms: int = 200) -> None:
        """Let QGIS work for ``ms`` milliseconds."""
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.01)

    def wait(self, condition: Callable[[], Any], what: str, timeout_s: float = 30) -> Any:
        """Spin until ``condition()`` is truthy and return it; :class:`Unreachable` naming ``what`` on timeout."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            try:
                value = condition()
            except RuntimeError:  # a wrapped C++ object went away meanwhile
                value = None
            if value:
                return value
            self.spin(50)
        raise Unreachable(f"{what}: not there after {timeout_s:.0f} s")

    def settle(self) -> None:
        """Wait until the map is drawn and the events are processed; no old messages above the map."""
        self.iface.messageBar().clearWidgets()
        self.spin(300)
        self.wait(lambda: not self.canvas.isDrawing(), "the map finished drawing", 60)
        self.spin(300)

    # -- finding -------------------------------------------------------------------------------------------
    def dock(self) -> Any:
        dock = getattr(self.plugin, "dock", None)
        if dock is None:
            raise Unreachable("the plugin has no dock")
        dock.setVisible(True)
        dock.raise_()
        return dock

    def dock_page(self, class_name: str) -> QWidget:
        """The dock tab that is (or holds) a widget of ``class_name``; the tab is made current."""
        dock = self.dock()
        tabs: QTabWidget = dock.tabs
        for index in range(tabs.count()):
            page = tabs.widget(index)
            found = page if type(page).__name__ == class_name else find_child(page, class_name)
            if found is not None:
                tabs.setCurrentIndex(index)
                self.spin(200)
                return found
        titles = [tabs.tabText(i) for i in range(tabs.count())]
        raise Unreachable(f"no {class_name} among the dock's tabs {titles}")

    def top_level(self, class_name: str, visible: bool = True) -> QWidget | None:
        """A top-level window (dialog) of ``class_name`` (the newest when several)."""
        found = [
            w
            for w in QApplication.topLevelWidgets()
            if type(w).__name__ == class_name and (w.isVisible() or not visible)
        ]
        return found[-1] if found else None

    def wait_top_level(self, class_name: str, timeout_s: float = 30) -> QWidget:
        return self.wait(lambda: self.top_level(class_name), f"a {class_name} window", timeout_s)

    def button(self, parent: QWidget, text: str) -> QAbstractButton:
        """The button of ``parent`` whose text (without '&') is ``text`` (a translated string)."""
        wanted = text.replace("&", "")
        for button in parent.findChildren(QAbstractButton):
            if button.text().replace("&", "") == wanted:
                return button
        raise Unreachable(f"no button '{wanted}' in {type(parent).__name__}")

    def reports_layer(self) -> Any:
        from openmisto_plugin.core import project_layers

        layer = project_layers.find_layer(project_layers.REPORTS)
        if layer is None:
            raise Unreachable("the reports layer is not in the project")
        return layer

    def features(self, expression: str, limit: int = 200) -> list[Any]:
        request = QgsFeatureRequest().setFilterExpression(expression).setLimit(limit)
        return list(self.reports_layer().getFeatures(request))

    # -- acting -------------------------------------------------------------------------------------------
    def click(self, button: QAbstractButton) -> None:
        if not button.isEnabled():
            raise Unreachable(f"the button '{button.text()}' is disabled")
        button.click()
        self.spin(200)

    def click_map(self, point: QgsPointXY, button: Any = Qt.MouseButton.LeftButton) -> None:
        """A mouse click on the map at a point in map coordinates (the canvas CRS)."""
        pixel = self.canvas.getCoordinateTransform().transform(point)
        QTest.mouseClick(
            self.canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, QPoint(int(pixel.x()), int(pixel.y()))
        )
        self.spin(100)

    def dialog(
        self, trigger: Callable[[], Any], class_name: str, prepare: Callable[[QWidget], Any] | None = None
    ) -> QPixmap:
        """Capture the dialog ``trigger()`` opens, modal (``exec_`` blocks) or not; then close it."""
        state: dict[str, Any] = {}

        def find() -> QWidget | None:
            modal = QApplication.activeModalWidget()
            if modal is not None and type(modal).__name__ == class_name:
                return modal
            return self.top_level(class_name)

        def inside() -> None:
            dialog = None
            try:
                dialog = self.wait(find, f"the {class_name} window")
                self.spin(300)
                if prepare is not None:
                    prepare(dialog)
                state["pixmap"] = grab(dialog)
            except Exception as exc:  # noqa: BLE001 - reported by the step
                state["error"] = exc
            finally:
                state["done"] = True
                if isinstance(dialog, QDialog):
                    dialog.reject()
                elif dialog is not None:
                    dialog.close()

        QTimer.singleShot(0, inside)
        trigger()
        self.wait(lambda: state.get("done"), f"the {class_name} window was captured", STEP_TIMEOUT_S)
        if "error" in state:
            raise state["error"]
        return state["pixmap"]

    def later(self, cleanup: Callable[[], Any]) -> None:
        """Run ``cleanup`` after the step (also when it fails), e.g. to close a dialog or reset a filter."""
        self.cleanups.append(cleanup)

    def as_role(self, role: str, department: str = "") -> None:
        """Switch the plugin's role as the settings dialog would (the moderator's again after the step)."""
        from openmisto_plugin.core.settings import PluginSettings

        def switch(role: str, department: str) -> None:
            settings = PluginSettings.load()
            settings.role, settings.department = role, department
            settings.save()
            self.plugin.apply_settings(settings)
            self.spin(300)

        before = PluginSettings.load()
        self.later(lambda: switch(before.role, before.department))
        switch(role, department)

    # -- platform (the reference server of make docs) ---------------------------------------------------------
    def platform_update(self, fields: dict[str, str]) -> None:
        """POST servicerequestupdates as another user would (the moderator's demo key)."""
        url = os.environ.get("DOCS_PLATFORM_URL", "").rstrip("/") + "/servicerequestupdates.json"
        body = {"api_key": "moderator-key", "update_id": str(uuid.uuid4()), **fields}
        data = urllib.parse.urlencode(body).encode()
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=20) as answer:
            if answer.status >= 300:
                raise Unreachable(f"the platform refused the update: HTTP {answer.status}")


def find_child(parent: QWidget, class_name: str) -> QWidget | None:
    for child in parent.findChildren(QWidget):
        if type(child).__name__ == class_name:
            return child
    return None


def grab(widget: QWidget) -> QPixmap:
    if not widget.isVisible():
        raise Unreachable(f"{type(widget).__name__} is not visible")
    pixmap = widget.grab()
    if pixmap.isNull() or pixmap.width() < 50 or pixmap.height() < 50:
        raise Unreachable(f"{type(widget).__name__} gave an empty picture")
    return pixmap


def tr(text: str) -> str:
    from openmisto_plugin.core.i18n import tr as plugin_tr

    return plugin_tr(text)


# ------------------------------------------------------------------------------------------------ the steps


def shot_qgis_main(ctx: Ctx) -> QWidget:
    """QGIS with the plugin: the reports on the map, the legend, the dock."""
    ctx.dock().tabs.setCurrentIndex(0)
    ctx.reports_layer()
    ctx.plugin.map.zoom_to_reports()
    ctx.settle()
    return ctx.main_window


def shot_dock(ctx: Ctx) -> QWidget:
    """The dock's overview: platform, role, last sync, reports per status."""
    dock = ctx.dock()
    dock.tabs.setCurrentIndex(0)
    ctx.wait(lambda: dock.counts_table.rowCount() > 0, "the status counts in the dock")
    return dock


def shot_settings(ctx: Ctx) -> QPixmap:
    """Settings with a tested connection (the key is in the auth DB)."""

    def prepare(dialog: QWidget) -> None:
        if not dialog.auth_select.configId():
            raise Unreachable("the settings show no saved API key (authcfg)")
        ctx.click(dialog.test_button)
        ctx.wait(
            lambda: dialog.test_button.isEnabled() and "#2e7d32" in dialog.test_label.styleSheet(),
            "a successful connection test",
        )
        ctx.spin(200)

    return ctx.dialog(ctx.plugin.actions["settings"].trigger, "SettingsDialog", prepare)


def shot_sync(ctx: Ctx) -> QWidget:
    """The dock right after "Sync now"."""
    dock = ctx.dock()
    dock.tabs.setCurrentIndex(0)
    before = dock.last_sync_label.text()
    ctx.click(dock.sync_button)
    ctx.wait(lambda: ctx.plugin.sync.task is None and dock.last_sync_label.text() != before, "the end of the sync", 120)
    ctx.settle()
    return dock


def _open_card(ctx: Ctx, expression: str) -> QWidget:
    from openmisto_plugin.gui.report_detail import load_history

    store = ctx.plugin.session.open_store()
    candidates = ctx.features(expression)
    if not candidates:
        raise Unreachable(f"no report matches {expression}")
    best = max(candidates, key=lambda f: len(load_history(store, str(f["service_request_id"]))))
    dialog = ctx.plugin.dialogs.show_report(best)
    ctx.later(dialog.close)
    ctx.wait(lambda: dialog.isVisible(), "the report card")
    ctx.spin(300)
    return dialog


def shot_report_card(ctx: Ctx) -> QWidget:
    """The card of an overdue report (with its photo link)."""
    card = _open_card(
        ctx,
        '"status" = \'open\' AND "deadline" < now() AND "media_url" IS NOT NULL AND "agency_responsible" IS NOT NULL',
    )
    if not card.overdue_label.isVisible():
        raise Unreachable("the card of an overdue report does not say 'overdue'")
    return card


def shot_report_history(ctx: Ctx) -> QWidget:
    """The card's history tab."""
    card = _open_card(ctx, "\"external_status_code\" IN ('fixed', 'planned') AND \"media_url\" IS NOT NULL")
    caption = tr("History ({0})").split("(")[0].strip()  # the tab's title starts so, a count follows
    found = [i for i in range(card.tabs.count()) if card.tabs.tabText(i).startswith(caption)]
    if not found:
        raise Unreachable(f"the report card has no '{caption}' tab")
    card.tabs.setCurrentIndex(found[0])
    ctx.spin(200)
    return card


def _filter_panel(ctx: Ctx) -> Any:
    panel = ctx.dock_page("FilterPanel")
    ctx.later(lambda: panel.clear())
    panel.clear()
    return panel


def shot_filter_district(ctx: Ctx) -> QWidget:
    """The filter panel with one district and the open statuses; the map shows only those reports."""
    from openmisto_plugin.core import statuses

    panel = _filter_panel(ctx)
    codes = [panel.district_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(panel.district_list.count())]
    if "tsentralnyi" not in codes:
        raise Unreachable(f"the district list does not hold the demo's 'tsentralnyi': {codes}")
    panel.district_list.set_checked(["tsentralnyi"])
    panel.status_list.set_checked(list(statuses.OPEN_CODES))
    ctx.click(panel.apply_button)
    ctx.wait(lambda: panel.count_label.text(), "the filter's count")
    ctx.settle()
    return ctx.main_window


def shot_filter_polygon(ctx: Ctx) -> QWidget:
    """A polygon drawn on the map with the filter's tool."""
    panel = _filter_panel(ctx)
    ctx.plugin.map.zoom_to_reports()
    ctx.settle()
    panel.draw_button.setChecked(True)
    ctx.wait(
        lambda: ctx.canvas.mapTool() is not None and "Draw" in type(ctx.canvas.mapTool()).__name__, "the drawing tool"
    )
    extent = ctx.canvas.extent()
    cx, cy, w, h = extent.center().x(), extent.center().y(), extent.width(), extent.height()
    for fx, fy in ((-0.18, 0.12), (0.05, 0.2), (0.2, 0.02), (0.1, -0.16), (-0.14, -0.12)):
        ctx.click_map(QgsPointXY(cx + fx * w, cy + fy * h))
    ctx.click_map(QgsPointXY(cx - 0.14 * w, cy - 0.12 * h), Qt.MouseButton.RightButton)
    ctx.wait(lambda: panel.last_filter is None and panel._polygon is not None, "the drawn polygon in the filter")
    ctx.click(panel.apply_button)
    ctx.wait(lambda: panel.count_label.text(), "the filter's count")
    ctx.settle()
    return ctx.main_window


def shot_moderation(ctx: Ctx) -> QWidget:
    """The moderation queue with three reports selected (and so selected on the map)."""
    panel = ctx.dock_page("ModerationPanel")
    panel.refresh()
    ctx.wait(lambda: panel.table.rowCount() >= 3, "three reports in the moderation queue")
    panel.select_ids([panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(3)])
    ctx.later(lambda: ctx.reports_layer().removeSelection())
    ctx.settle()
    return ctx.main_window


def shot_assign(ctx: Ctx) -> QWidget:
    """Assigning the selected reports to a department, with the suggested departments."""
    panel = ctx.dock_page("ModerationPanel")
    panel.refresh()
    ctx.wait(lambda: panel.table.rowCount() >= 3, "three reports in the moderation queue")
    panel.select_ids([panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(3)])
    ctx.later(lambda: ctx.reports_layer().removeSelection())
    ctx.click(panel.assign_button)
    dialog = ctx.wait_top_level("AssignDialog")
    ctx.later(dialog.reject)
    ctx.spin(500)
    return dialog


def shot_duplicates(ctx: Ctx) -> QWidget:
    """Duplicate candidates of a report in the queue."""
    panel = ctx.dock_page("ModerationPanel")
    panel.refresh()
    ctx.wait(lambda: panel.table.rowCount() >= 1, "a report in the moderation queue")
    panel.select_ids([panel.table.item(0, 0).data(Qt.ItemDataRole.UserRole)])
    ctx.later(lambda: ctx.reports_layer().removeSelection())
    ctx.click(panel.duplicates_button)
    dialog = ctx.wait_top_level("DuplicatesDialog")
    ctx.later(dialog.reject)
    ctx.spin(500)
    return dialog


def shot_respond(ctx: Ctx) -> QWidget:
    """An officer responds from the report card: status, answer, the citizen's preview."""
    found = ctx.features(
        "\"external_status_code\" IN ('action_scheduled', 'in_progress') AND \"agency_responsible\" IS NOT NULL", 1
    )
    if not found:
        raise Unreachable("no assigned report to respond to")
    ctx.as_role("officer", str(found[0]["agency_responsible"]))
    card = ctx.plugin.dialogs.show_report(found[0])
    ctx.later(card.close)
    ctx.wait(lambda: card.isVisible(), "the report card")
    ctx.click(ctx.button(card, tr("Respond\u2026")))
    dialog = ctx.wait_top_level("RespondDialog")
    ctx.later(dialog.reject)
    index = dialog.status_combo.findData("fixed")
    if index < 0:
        raise Unreachable("the respond dialog does not offer 'fixed'")
    dialog.status_combo.setCurrentIndex(index)
    dialog.answer_edit.setPlainText(
        "\u0420\u043e\u0431\u043e\u0442\u0438 \u0432\u0438\u043a\u043e\u043d\u0430\u043d\u043e 12.11, "
        "\u0434\u044f\u043a\u0443\u0454\u043c\u043e "
        "\u0437\u0430 \u0437\u0432\u0435\u0440\u043d\u0435\u043d\u043d\u044f."
    )
    ctx.spin(300)
    return dialog


def _make_conflict(ctx: Ctx) -> str:
    """A response queued here while "someone else" changes the same report on the platform; then a sync."""
    from openmisto_plugin.core import officer_response
    from openmisto_plugin.core import workflow as wf
    from openmisto_plugin.core.store.workspace import Workspace

    found = ctx.features('"external_status_code" = \'action_scheduled\' AND "agency_responsible" IS NOT NULL', 1)
    if not found:
        raise Unreachable("no assigned report to answer")
    report = found[0]
    sid, department = str(report["service_request_id"]), str(report["agency_responsible"])
    with Workspace(os.environ["DOCS_WORKSPACE"]).opened() as store:
        officer_response.respond(
            store,
            wf.Actor(wf.OFFICER, department),
            sid,
            "in_progress",
            answer="\u0411\u0440\u0438\u0433\u0430\u0434\u0430 \u0432\u0438\u0457\u0434\u0435 "
            "\u0437\u0430\u0432\u0442\u0440\u0430.",
        )
    ctx.platform_update(
        {
            "service_request_id": sid,
            "status": "open",
            "external_status_code": "in_progress",
            "description": "\u0412 \u0440\u043e\u0431\u043e\u0442\u0456.",
        }
    )
    dock = ctx.dock()
    before = dock.last_sync_label.text()
    ctx.click(dock.sync_button)
    ctx.wait(lambda: ctx.plugin.sync.task is None and dock.last_sync_label.text() != before, "the end of the sync", 120)
    ctx.errors.clear()  # the sync's warning about the conflict is what this step wants
    return sid


def shot_outbox(ctx: Ctx) -> QWidget:
    """The outbox with a change in conflict (someone changed the report first)."""
    sid = _make_conflict(ctx)
    panel = ctx.dock_page("OutboxPanel")
    panel.refresh()
    rows = [r for r in panel.rows if str(r.service_request_id) == sid]
    if not rows:
        raise Unreachable(f"the response to report {sid} is not in the outbox")
    ctx.spin(300)
    return ctx.dock()


def shot_conflict(ctx: Ctx) -> QPixmap:
    """Both versions of a conflict: re-apply or drop."""
    panel = ctx.dock_page("OutboxPanel")
    panel.refresh()
    conflicts = [r for r in panel.rows if getattr(r, "state", "") == "conflict"]
    if not conflicts:
        raise Unreachable("no change in conflict in the outbox (the outbox step makes one)")
    panel.select_ids([conflicts[0].update_id])
    return ctx.dialog(lambda: ctx.click(panel.compare_button), "ConflictDialog")


def shot_monthly_report(ctx: Ctx) -> QPixmap:
    """The monthly report dialog (period, grouping, internal or public)."""
    action = next((a for a in ctx.plugin.actions.values() if "monthly" in a.objectName().lower()), None)
    if action is None:
        raise Unreachable(f"no 'monthly report' action among the plugin's {sorted(ctx.plugin.actions)}")
    return ctx.dialog(action.trigger, "MonthlyReportDialog")


@dataclass(frozen=True)
class Step:
    name: str  # the picture: docs/img/<name>.png
    run: Callable[[Ctx], Any]
    shows: str


STEPS: list[Step] = [
    Step("qgis_main", shot_qgis_main, "QGIS with the plugin's layers and dock"),
    Step("dock", shot_dock, "the dock: platform, role, last sync, counts"),
    Step("settings", shot_settings, "settings with the API key in the auth DB, connection tested"),
    Step("sync", shot_sync, "the dock after Sync now"),
    Step("report_card", shot_report_card, "the card of an overdue report"),
    Step("report_history", shot_report_history, "the history of a report"),
    Step("filter_district", shot_filter_district, "filter by district and open statuses"),
    Step("filter_polygon", shot_filter_polygon, "filter by a polygon drawn on the map"),
    Step("moderation", shot_moderation, "the moderation queue"),
    Step("assign", shot_assign, "assigning reports to a department"),
    Step("duplicates", shot_duplicates, "duplicate candidates"),
    Step("respond", shot_respond, "a response with the citizen's preview"),
    Step("outbox", shot_outbox, "the outbox with a conflict"),
    Step("conflict", shot_conflict, "both versions of a conflict"),
    Step("monthly_report", shot_monthly_report, "the monthly report dialog"),
]


# ------------------------------------------------------------------------------------------------ the driver


def _names(variable: str) -> set[str]:
    return {n.strip() for n in os.environ.get(variable, "").split(",") if n.strip()}


def run_steps(ctx: Ctx, out_dir: Path) -> list[dict[str, Any]]:
    only, skip = _names("DOCS_ONLY"), _names("DOCS_SKIP")
    unknown = (only | skip) - {s.name for s in STEPS}
    results: list[dict[str, Any]] = []
    if unknown:
        return [{"name": n, "state": "failed", "error": "no such step"} for n in sorted(unknown)]
    for step in STEPS:
        if (only and step.name not in only) or step.name in skip:
            log(f"SKIPPED {step.name} (asked for)")
            results.append({"name": step.name, "state": "skipped"})
            continue
        log(f"step {step.name}: {step.shows}")
        ctx.errors.clear()
        started = time.monotonic()
        entry: dict[str, Any] = {"name": step.name}
        try:
            target = step.run(ctx)
            ctx.spin(100)
            if ctx.errors:
                raise Unreachable("QGIS reported: " + " | ".join(ctx.errors))
            pixmap = target if isinstance(target, QPixmap) else grab(target)
            path = out_dir / f"{step.name}.png"
            if not pixmap.save(str(path), "PNG"):
                raise Unreachable(f"cannot write {path}")
            entry.update(state="ok", file=str(path), size=[pixmap.width(), pixmap.height()])
            log(f"  ok: {path.name} {pixmap.width()}x{pixmap.height()}")
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the others
            entry.update(state="failed", error=f"{type(exc).__name__}: {exc}")
            log(f"  FAILED {step.name}: {type(exc).__name__}: {exc}")
            if not isinstance(exc, Unreachable):
                traceback.print_exc()
        finally:
            while ctx.cleanups:
                cleanup = ctx.cleanups.pop()
                with contextlib.suppress(Exception):  # a cleanup after a failed step
                    cleanup()
            modal = QApplication.activeModalWidget()
            if modal is not None:  # never leave a dialog that would block the next step
                log(f"  closing a leftover modal window {type(modal).__name__}")
                modal.close()
            ctx.spin(200)
        entry["seconds"] = round(time.monotonic() - started, 1)
        results.append(entry)
    return results


def _install_error_hooks(ctx: Ctx) -> None:
    """Python errors and critical messages in QGIS fail the running step instead of opening dialogs."""

    def excepthook(kind: Any, value: Any, tb: Any) -> None:
        ctx.errors.append(f"{kind.__name__}: {value}")
        log("Python error in QGIS: " + "".join(traceback.format_exception(kind, value, tb)).strip())

    sys.excepthook = excepthook
    try:
        import qgis.utils

        qgis.utils.showException = lambda kind, value, tb, *_a, **_k: excepthook(kind, value, tb)
    except Exception:  # noqa: BLE001
        pass

    def message_added(widget: Any) -> None:
        from qgis.gui import QgsMessageBarItem
        from qgis.PyQt import sip

        item = sip.cast(widget, QgsMessageBarItem)
        text = f"{item.title()}: {item.text()}"
        log(f"message bar ({int(item.level())}): {text}")
        if item.level() == Qgis.Critical:
            ctx.errors.append("critical message: " + text)

    ctx.iface.messageBar().widgetAdded.connect(message_added)


def _prepare_window(ctx: Ctx) -> None:
    width, _, height = os.environ.get("DOCS_WINDOW", "1200x800").partition("x")
    window = ctx.main_window
    for name in ("Browser", "Browser2", "BrowserPanel"):
        dock = window.findChild(QWidget, name)
        if dock is not None:
            dock.hide()
    window.setGeometry(0, 0, int(width), int(height))
    window.show()
    ctx.spin(300)
    layers = window.findChild(QWidget, "Layers")
    docks = [d for d in (layers, ctx.dock()) if d is not None]
    window.resizeDocks(docks, [230, 500][-len(docks) :], Qt.Orientation.Horizontal)
    ctx.spin(500)


def _finish(results: list[dict[str, Any]], fatal: str = "") -> None:
    failed = [r["name"] for r in results if r["state"] == "failed"]
    code = 1 if failed or fatal else 0
    path = os.environ.get("DOCS_RESULT")
    if path:
        Path(path).write_text(json.dumps({"steps": results, "fatal": fatal}, indent=1), encoding="utf-8")
    log(
        f"done: {len(results) - len(failed)} of {len(results)} steps passed" + (f"; failed: {failed}" if failed else "")
    )
    if fatal:
        log(f"FATAL: {fatal}")
    sys.stdout.flush()
    sys.stderr.flush()
    QgsProject.instance().setDirty(False)
    os._exit(code)  # QGIS's own exit code is always 0; no "save the project?" question either


def _start() -> None:
    from qgis.utils import iface, plugins

    out_dir = Path(os.environ.get("DOCS_RAW_DIR", "build/docs/raw"))
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # QGIS loads the plugins and the project, then completes its start-up: wait for the plugin's layers.
    while time.monotonic() - started < 120:
        QApplication.processEvents()
        plugin = plugins.get(PLUGIN_NAME)
        if plugin is not None and iface.mainWindow().isVisible() and getattr(plugin, "dock", None) is not None:
            from openmisto_plugin.core import project_layers

            if project_layers.find_layer(project_layers.REPORTS) is not None:
                break
        time.sleep(0.05)
    else:
        _finish([], f"the plugin {PLUGIN_NAME} or its reports layer did not come up: plugins {sorted(plugins)}")
        return
    ctx = Ctx(iface, plugins[PLUGIN_NAME])
    try:
        _install_error_hooks(ctx)
        _prepare_window(ctx)
        results = run_steps(ctx, out_dir)
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        _finish([], f"{type(exc).__name__}: {exc}")
        return
    _finish(results)


if __name__ == "__main__":  # run by QGIS (--code); an import (tests) only reads STEPS
    log("docs_screens.py loaded; waiting for QGIS to finish starting")
    QTimer.singleShot(1000, _start)
