"""The filter panel (issue 3, item 5): a widget the dock embeds as a tab.

The panel reads its lists from the workspace (:meth:`FilterPanel.set_workspace`), filters the reports
layer on the map (:meth:`FilterPanel.set_layer`), shows the count and emits ``filterApplied(fids)`` for
the report list. Filters are saved by name in the workspace's ``saved_filters`` table. The evaluation
itself is :mod:`..core.filters`.

After a sync reloads the layer, call :meth:`FilterPanel.refresh` so the applied filter sees new reports.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsDoubleSpinBox, QgsMapCanvas, QgsMapLayerComboBox, QgsRubberBand
from qgis.PyQt.QtCore import QDate, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core import statuses
from ..core.filters import evaluation, map_layer, saved, spatial
from ..core.filters.model import UNASSIGNED, FilterResult, ReportFilter
from ..core.i18n import tr
from ..core.qgis_compat import GEOMETRY_POLYGON, LAYER_FILTER_HAS_GEOMETRY
from ..core.store.failures import WORKSPACE_ERRORS
from ..core.store.workspace import Workspace
from .check_list import CheckList
from .common import plain_label, pop_message, push_plain_message
from .draw_polygon_tool import DrawPolygonTool, make_polygon_band
from .help import help_button

log = logging.getLogger(__name__)


def _message_bar() -> Any:
    """QGIS's message bar (None outside QGIS)."""
    try:
        from qgis.utils import iface
    except ImportError:  # pragma: no cover - qgis.utils is part of QGIS
        return None
    return iface.messageBar() if iface is not None else None


def _officer_department() -> str:
    """The officer's own department from the settings ('' for other roles or when unset)."""
    try:
        from ..core.settings import PluginSettings
    except ImportError:  # pragma: no cover - settings are part of the plugin
        return ""
    settings = PluginSettings.load()
    return settings.department if settings.role == "officer" else ""


class FilterPanel(QWidget):
    """Status, category, department, period, overdue, text and spatial filters of the reports layer."""

    filterApplied = pyqtSignal(list)  # sorted fids of the reports shown
    filterCleared = pyqtSignal()
    countChanged = pyqtSignal(int)

    def __init__(self, canvas: QgsMapCanvas | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OpenMistoFilterPanel")
        self.canvas = canvas
        self.workspace = ""
        self.layer: QgsVectorLayer | None = None
        self.last_result: FilterResult | None = None
        self.last_filter: ReportFilter | None = None
        self._polygon: tuple[str, str] | None = None  # (wkt, crs)
        self._near_saved: tuple[list[str], str, str] | None = None  # (wkts, crs, layer name) of a loaded filter
        self._extent_saved: tuple[QgsRectangle, str] | None = None  # only without a canvas
        self._tool: DrawPolygonTool | None = None
        self._previous_tool = None
        self._polygon_band: QgsRubberBand | None = None
        self._build()
        self.status_list.set_items([(code, statuses.label(code)) for code in statuses.STATUS_CODES])
        self._default_department = _officer_department()
        self._departments_loaded = False
        self._set_departments([])

    # -- layout ----------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        # Saved filters
        saved_row = QHBoxLayout()
        self.saved_combo = QComboBox()
        self.saved_combo.setObjectName("savedFilters")
        self.saved_combo.setEditable(True)
        self.saved_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.saved_combo.lineEdit().setPlaceholderText(tr("Name of a saved filter"))
        self.save_button = QPushButton(tr("Save"))
        self.save_button.setToolTip(tr("Save the filter under this name"))
        self.load_button = QPushButton(tr("Load"))
        self.load_button.setToolTip(tr("Load the saved filter and apply it"))
        self.delete_button = QPushButton(tr("Delete"))
        self.delete_button.setToolTip(tr("Delete the saved filter"))
        self.save_button.clicked.connect(lambda: self.save_current(self.saved_combo.currentText()))
        self.load_button.clicked.connect(lambda: self.load_saved(self.saved_combo.currentText()))
        self.delete_button.clicked.connect(lambda: self.delete_saved(self.saved_combo.currentText()))
        # Short rows throughout: the panel lives in a dock about 350 px wide.
        layout.addWidget(self.saved_combo)
        saved_row.addWidget(self.save_button)
        saved_row.addWidget(self.load_button)
        saved_row.addWidget(self.delete_button)
        layout.addLayout(saved_row)

        # What
        what = QGroupBox(tr("Reports"))
        grid = QGridLayout(what)
        self.status_list = CheckList("statusList")
        self.category_list = CheckList("categoryList")
        self.department_list = CheckList("departmentList")
        grid.addWidget(QLabel(tr("Status")), 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.status_list, 0, 1)
        grid.addWidget(QLabel(tr("Category")), 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.category_list, 1, 1)
        department_label = QLabel(tr("Department"))
        department_label.setWordWrap(True)  # «Виконавчий орган» on two lines: the dock is narrow
        grid.addWidget(department_label, 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.department_list, 2, 1)

        self.from_check = QCheckBox(tr("From"))
        self.from_date = QDateEdit(QDate.currentDate().addMonths(-1))
        self.to_check = QCheckBox(tr("To"))
        self.to_date = QDateEdit(QDate.currentDate())
        for check, edit in ((self.from_check, self.from_date), (self.to_check, self.to_date)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
        period = QGridLayout()
        period.addWidget(self.from_check, 0, 0)
        period.addWidget(self.from_date, 0, 1)
        period.addWidget(self.to_check, 1, 0)
        period.addWidget(self.to_date, 1, 1)
        period.setColumnStretch(1, 1)
        grid.addWidget(QLabel(tr("Received")), 3, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(period, 3, 1)

        self.overdue_check = QCheckBox(tr("Overdue only"))
        self.overdue_check.setToolTip(tr("Open reports whose deadline has passed"))
        grid.addWidget(self.overdue_check, 4, 1)
        self.text_edit = QLineEdit()
        self.text_edit.setObjectName("filterText")
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.setPlaceholderText(tr("Words in the description, address or number"))
        self.text_edit.returnPressed.connect(self.apply)
        grid.addWidget(QLabel(tr("Text")), 5, 0)
        grid.addWidget(self.text_edit, 5, 1)
        grid.setColumnStretch(1, 1)
        layout.addWidget(what)

        # Where
        where = QGroupBox(tr("Where"))
        wgrid = QGridLayout(where)
        self.extent_check = QCheckBox(tr("In the current map extent"))
        wgrid.addWidget(self.extent_check, 0, 0, 1, 3)
        self.district_list = CheckList("districtList")
        wgrid.addWidget(QLabel(tr("Districts")), 1, 0, Qt.AlignmentFlag.AlignTop)
        wgrid.addWidget(self.district_list, 1, 1, 1, 2)

        self.draw_button = QPushButton(tr("Draw a polygon"))
        self.draw_button.setCheckable(True)
        self.draw_button.setToolTip(tr("Click the vertices on the map; a right click finishes"))
        self.draw_button.toggled.connect(self._toggle_drawing)
        self.clear_polygon_button = QPushButton(tr("Remove the polygon"))
        self.clear_polygon_button.clicked.connect(self.clear_polygon)
        self.polygon_label = QLabel(tr("No polygon"))
        wgrid.addWidget(self.draw_button, 2, 0)
        wgrid.addWidget(self.clear_polygon_button, 2, 1, 1, 2)
        wgrid.addWidget(self.polygon_label, 3, 0, 1, 3)

        self.near_check = QCheckBox(tr("Within"))
        self.near_check.toggled.connect(self._near_changed)
        self.distance_spin = QgsDoubleSpinBox()
        self.distance_spin.setObjectName("distance")
        self.distance_spin.setRange(0, 100000)
        self.distance_spin.setDecimals(0)
        self.distance_spin.setSingleStep(50)
        self.distance_spin.setSuffix(" " + tr("m"))
        self.distance_spin.setClearValue(100)
        self.distance_spin.setValue(100)
        self.near_layer_combo = QgsMapLayerComboBox()
        self.near_layer_combo.setObjectName("nearLayer")
        self.near_layer_combo.setFilters(LAYER_FILTER_HAS_GEOMETRY)  # a table has no distance to measure
        self.near_layer_combo.setAllowEmptyLayer(True)
        self.near_layer_combo.layerChanged.connect(self._near_changed)
        near = QHBoxLayout()
        near.addWidget(self.near_check)
        near.addWidget(self.distance_spin)
        near.addStretch(1)
        wgrid.addLayout(near, 4, 0, 1, 3)
        wgrid.addWidget(QLabel(tr("of the selected features of")), 5, 0, 1, 3)
        wgrid.addWidget(self.near_layer_combo, 6, 0, 1, 3)
        wgrid.setColumnStretch(2, 1)
        layout.addWidget(where)
        layout.addStretch(1)

        # Apply / reset, the count and messages (outside the scroll area: always visible)
        buttons = QHBoxLayout()
        self.apply_button = QPushButton(tr("Apply"))
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply)
        self.reset_button = QPushButton(tr("Show all"))
        self.reset_button.setToolTip(tr("Reset the filter and show every report"))
        self.reset_button.clicked.connect(self.clear)
        self.count_label = QLabel("")
        self.count_label.setObjectName("filterCount")
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(help_button(self, "filter"))
        buttons.addWidget(self.count_label, 1)
        outer.addLayout(buttons)
        self.message_label = plain_label(selectable=False)  # errors may quote platform values
        self.message_label.setVisible(False)
        outer.addWidget(self.message_label)

    # -- workspace and layer ---------------------------------------------------------------------------
    def set_workspace(self, path: str) -> None:
        """Read the category, department and district lists and the saved filters of the workspace."""
        self.workspace = str(path or "")
        if not self.workspace:
            return
        try:
            choices = saved.workspace_choices(self.workspace)
        except Exception as exc:  # noqa: BLE001 - a broken workspace must not break the dock
            self._message(tr("Cannot read the workspace: {error}").format(error=exc))
            return
        self.category_list.set_items(choices.categories)
        self._set_departments(choices.departments)
        self.district_list.set_items(choices.districts)
        self._reload_saved_names()

    def _set_departments(self, pairs: list[tuple[str, str]]) -> None:
        checked = None  # keep what is ticked
        if pairs and not self._departments_loaded:  # the first real list: the officer's own department
            self._departments_loaded = True
            checked = [self._default_department] if self._default_department else []
        self.department_list.set_items([*pairs, (UNASSIGNED, tr("(not assigned)"))], checked)

    def set_layer(self, layer: QgsVectorLayer | None) -> None:
        """The reports layer on the map that the filter applies to."""
        self.layer = layer
        if layer is not None and not self.workspace:
            self.set_workspace(Workspace.of(layer).address)

    # -- reading and writing the widgets ---------------------------------------------------------------
    def current_filter(self) -> ReportFilter:
        """The filter the widgets describe (the map extent and the layer selection are read now)."""
        flt = ReportFilter(
            statuses=self.status_list.checked(),
            categories=self.category_list.checked(),
            departments=self.department_list.checked(),
            date_from=self.from_date.date().toPyDate() if self.from_check.isChecked() else None,
            date_to=self.to_date.date().toPyDate() if self.to_check.isChecked() else None,
            overdue_only=self.overdue_check.isChecked(),
            text=self.text_edit.text().strip(),
            districts=self.district_list.checked(),
        )
        if self.extent_check.isChecked():
            if self.canvas is not None:
                flt.extent = QgsRectangle(self.canvas.extent())
                flt.extent_crs = spatial.crs_to_text(self.canvas.mapSettings().destinationCrs())
            elif self._extent_saved is not None:
                flt.extent, flt.extent_crs = self._extent_saved
        if self._polygon is not None:
            flt.polygon_wkt, flt.polygon_crs = self._polygon
        if self.near_check.isChecked():
            flt.distance_m = float(self.distance_spin.value())
            if self._near_saved is not None:
                flt.near_wkts, flt.near_crs, flt.near_layer = list(self._near_saved[0]), *self._near_saved[1:]
            else:
                layer = self.near_layer_combo.currentLayer()
                if isinstance(layer, QgsVectorLayer):
                    flt.near_layer = layer.name()
                    flt.near_crs = spatial.crs_to_text(layer.crs())
                    flt.near_wkts = [
                        f.geometry().asWkt()
                        for f in layer.selectedFeatures()
                        if f.hasGeometry() and not f.geometry().isEmpty()
                    ]
        return flt

    def set_filter(self, flt: ReportFilter) -> None:
        """Show ``flt`` in the widgets (a saved extent moves the map there)."""
        self.status_list.set_checked(flt.statuses)
        self.category_list.set_checked(flt.categories)
        self.department_list.set_checked(flt.departments)
        self.from_check.setChecked(flt.date_from is not None)
        if flt.date_from:
            self.from_date.setDate(QDate(flt.date_from.year, flt.date_from.month, flt.date_from.day))
        self.to_check.setChecked(flt.date_to is not None)
        if flt.date_to:
            self.to_date.setDate(QDate(flt.date_to.year, flt.date_to.month, flt.date_to.day))
        self.overdue_check.setChecked(flt.overdue_only)
        self.text_edit.setText(flt.text)
        self.district_list.set_checked(flt.districts)
        self._extent_saved = None
        self.extent_check.setChecked(flt.extent is not None)
        if flt.extent is not None:
            self._show_extent(flt.extent, flt.extent_crs)
        if flt.polygon_wkt:
            self._set_polygon(flt.polygon_wkt, flt.polygon_crs)
        else:
            self.clear_polygon()
        self.near_check.blockSignals(True)
        self.near_check.setChecked(bool(flt.near_wkts))
        self.near_check.blockSignals(False)
        self.distance_spin.setValue(flt.distance_m or self.distance_spin.value())
        if flt.near_wkts:
            for layer in QgsProject.instance().mapLayersByName(flt.near_layer) if flt.near_layer else []:
                self.near_layer_combo.blockSignals(True)
                self.near_layer_combo.setLayer(layer)
                self.near_layer_combo.blockSignals(False)
                break
            self._near_saved = (list(flt.near_wkts), flt.near_crs, flt.near_layer)
        else:
            self._near_saved = None

    def _show_extent(self, rect: QgsRectangle, crs_text: str) -> None:
        if self.canvas is None:
            self._extent_saved = (QgsRectangle(rect), crs_text)
            return
        source = spatial.crs_from_text(crs_text)
        dest = self.canvas.mapSettings().destinationCrs()
        if source != dest:
            transform = QgsCoordinateTransform(source, dest, QgsProject.instance().transformContext())
            rect = transform.transformBoundingBox(rect)
        self.canvas.setExtent(rect)
        self.canvas.refresh()

    def _near_changed(self, *_args: object) -> None:
        self._near_saved = None  # the user chose anew: use the live selection

    # -- polygon -----------------------------------------------------------------------------------------
    def _toggle_drawing(self, on: bool) -> None:
        if self.canvas is None:
            self.draw_button.setChecked(False)
            return
        if on:
            if self._tool is None:
                self._tool = DrawPolygonTool(self.canvas)
                self._tool.polygonDrawn.connect(self._polygon_drawn)
                self._tool.canceled.connect(lambda: self.draw_button.setChecked(False))
            self._previous_tool = self.canvas.mapTool()
            self.canvas.setMapTool(self._tool)
            self.canvas.mapToolSet.connect(self._tool_replaced)
            self._show_drawing_hint()
        else:
            self._stop_drawing()

    def _show_drawing_hint(self) -> None:
        """Say on the map how to draw (QGIS's message bar above the canvas), until the drawing ends."""
        self._hide_drawing_hint()
        text = tr("Click the polygon's corners on the map; a right click finishes it, Esc cancels.")
        self.polygon_label.setText(text)
        bar = _message_bar()
        if bar is not None:
            self._hint_item = push_plain_message(bar, tr("Draw a polygon"), text, Qgis.Info, 0)

    def _hide_drawing_hint(self) -> None:
        item, self._hint_item = getattr(self, "_hint_item", None), None
        pop_message(_message_bar(), item)
        if self._polygon is None and self.polygon_label.text() != tr("No polygon"):
            self.polygon_label.setText(tr("No polygon"))

    def _tool_replaced(self, new_tool: object, _old: object = None) -> None:
        if new_tool is not self._tool:
            self._hide_drawing_hint()
            self.draw_button.blockSignals(True)
            self.draw_button.setChecked(False)
            self.draw_button.blockSignals(False)
            self._disconnect_tool_watch()

    def _disconnect_tool_watch(self) -> None:
        if self.canvas is not None:
            with contextlib.suppress(TypeError):  # not connected
                self.canvas.mapToolSet.disconnect(self._tool_replaced)

    def _stop_drawing(self) -> None:
        self._hide_drawing_hint()
        self._disconnect_tool_watch()
        if self.canvas is not None and self._tool is not None and self.canvas.mapTool() is self._tool:
            if self._previous_tool is not None:
                self.canvas.setMapTool(self._previous_tool)
            else:
                self.canvas.unsetMapTool(self._tool)
        self._previous_tool = None

    def _polygon_drawn(self, wkt: str, crs: str) -> None:
        self._set_polygon(wkt, crs)
        self.draw_button.setChecked(False)

    def _set_polygon(self, wkt: str, crs: str) -> None:
        self._polygon = (wkt, crs)
        geometry = QgsGeometry.fromWkt(wkt)
        vertices = max(0, sum(1 for _ in geometry.vertices()) - 1)
        self.polygon_label.setText(tr("Polygon: {n} vertices").format(n=vertices))
        if self.canvas is not None:
            if self._polygon_band is None:
                self._polygon_band = make_polygon_band(self.canvas, "#1565c0")
            self._polygon_band.setToGeometry(geometry, spatial.crs_from_text(crs))

    def clear_polygon(self) -> None:
        """Forget the drawn polygon."""
        self._polygon = None
        self.polygon_label.setText(tr("No polygon"))
        if self._polygon_band is not None:
            self._polygon_band.reset(GEOMETRY_POLYGON)

    # -- applying ------------------------------------------------------------------------------------------
    def _message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def apply(self) -> FilterResult | None:
        """Evaluate the filter, show it on the layer and emit ``filterApplied``; None on a problem."""
        return self._run(self.current_filter())

    def refresh(self) -> FilterResult | None:
        """Evaluate the applied filter again (after a sync reloaded the layer)."""
        if self.last_filter is None:
            return None
        return self._run(self.last_filter)

    def _run(self, flt: ReportFilter) -> FilterResult | None:
        self._message("")
        target = self.layer if self.layer is not None else self.workspace
        if not target:
            self._message(tr("Open a workspace first."))
            return None
        if self.near_check.isChecked() and not flt.near_wkts:
            layer = self.near_layer_combo.currentLayer()
            self._message(
                tr("Select the features of the layer {layer} to measure the distance from.").format(layer=layer.name())
                if layer is not None
                else tr("Choose the layer to measure the distance from.")
            )
            return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = evaluation.evaluate(flt, target)
            if self.layer is not None:
                if flt.is_empty():
                    map_layer.clear_layer_filter(self.layer)
                elif not map_layer.apply_to_layer(self.layer, result):
                    self._message(tr("The layer did not accept the filter."))
                self.layer.triggerRepaint()
        except (ValueError, TypeError, OSError) as exc:
            log.warning("Filter failed: %s", exc)
            self._message(tr("The filter cannot be applied: {error}").format(error=exc))
            return None
        finally:
            QApplication.restoreOverrideCursor()
        self.last_result, self.last_filter = result, flt
        self.count_label.setText(tr("{count} reports").format(count=result.count))
        self.countChanged.emit(result.count)
        self.filterApplied.emit(list(result.fids))
        return result

    def clear(self) -> None:
        """Reset the widgets and show every report of the layer."""
        self.set_filter(ReportFilter())
        self.department_list.set_checked([])
        self._near_saved = None
        if self.layer is not None:
            map_layer.clear_layer_filter(self.layer)
            self.layer.triggerRepaint()
        self.last_result = self.last_filter = None
        self.count_label.setText("")
        self._message("")
        self.filterCleared.emit()

    # -- saved filters ------------------------------------------------------------------------------------
    def _reload_saved_names(self, current: str = "") -> None:
        names: list[str] = []
        if self.workspace:
            try:
                names = saved.list_filters(self.workspace)
            except (OSError, ValueError, *WORKSPACE_ERRORS) as exc:
                log.warning("Cannot list saved filters: %s", exc)
        self.saved_combo.blockSignals(True)
        self.saved_combo.clear()
        self.saved_combo.addItems(names)
        self.saved_combo.setEditText(current)
        self.saved_combo.blockSignals(False)

    def save_current(self, name: str) -> bool:
        """Save the widgets' filter under ``name``."""
        name = name.strip()
        if not name:
            self._message(tr("Type a name for the filter."))
            return False
        if not self.workspace:
            self._message(tr("Open a workspace first."))
            return False
        try:
            saved.save_filter(self.workspace, name, self.current_filter())
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._message(tr("The filter was not saved: {error}").format(error=exc))
            return False
        self._reload_saved_names(name)
        self._message(tr("Filter \u201c{name}\u201d saved.").format(name=name))
        return True

    def load_saved(self, name: str) -> FilterResult | None:
        """Load the filter saved as ``name`` into the widgets and apply it."""
        name = name.strip()
        if not name or not self.workspace:
            return None
        try:
            flt = saved.load_filter(self.workspace, name)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._message(tr("The saved filter cannot be read: {error}").format(error=exc))
            return None
        if flt is None:
            self._message(tr("There is no saved filter \u201c{name}\u201d.").format(name=name))
            return None
        self.set_filter(flt)
        return self._run(flt)  # the saved extent and geometries, not the map's adjusted ones

    def delete_saved(self, name: str) -> bool:
        """Delete the saved filter ``name``."""
        name = name.strip()
        if not name or not self.workspace:
            return False
        try:
            deleted = saved.delete_filter(self.workspace, name)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._message(tr("The filter was not deleted: {error}").format(error=exc))
            return False
        self._reload_saved_names()
        return deleted

    # -- teardown -------------------------------------------------------------------------------------------
    def unload(self) -> None:
        """Remove the map tool and the rubber band (call before the dock goes away)."""
        self._stop_drawing()
        if self._tool is not None:
            self._tool.remove_band()
            self._tool = None
        if self._polygon_band is not None and self.canvas is not None:
            self.canvas.scene().removeItem(self._polygon_band)
            self._polygon_band = None
