"""The workspace's layers in the project: reports, districts and departments.

They live in one layer-tree group (named "Відкрите Місто" in Ukrainian), are
plain ``ogr`` (GeoPackage) or ``postgres`` (shared PostGIS workspace) layers on the store's tables
(``factory.layer_source``), styled from ``resources/styles/*.qml``
with legend labels and field aliases translated at load time, and read-only
(changes go through the store and its outbox, never by editing the layer).
Layers and the group are found again by a custom property, not by their
(translated, renameable) names.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from qgis.core import (
    QgsEditorWidgetSetup,
    QgsLayerTreeGroup,
    QgsMapLayer,
    QgsProject,
    QgsRuleBasedRenderer,
    QgsVectorLayer,
)

from . import statuses
from .deadlines import overdue_expression, overdue_where
from .i18n import tr
from .paths import resource
from .store.base import ReportStore
from .store.failures import WORKSPACE_ERRORS
from .store.workspace import Workspace

log = logging.getLogger(__name__)

TABLE_PROPERTY = "openmisto/table"
GROUP_PROPERTY = "openmisto/group"
WORKSPACE_PROPERTY = "openmisto/workspace"  # the workspace address the layer shows (no secrets)

REPORTS = "reports"
DISTRICTS = "districts"
DEPARTMENTS = "departments"
TABLES = (REPORTS, DISTRICTS, DEPARTMENTS)

STYLE_FILES = {REPORTS: "reports.qml", DISTRICTS: "districts.qml"}

OVERDUE_RULE_KEY = "overdue"
OTHER_RULE_KEY = "other"
STATUS_RULE_PREFIX = "status_"


def group_name() -> str:
    """Name of the layer-tree group."""
    return tr("Open City")


def layer_name(table: str) -> str:
    """Translated layer name of a table."""
    names = {
        REPORTS: tr("Citizen reports"),
        DISTRICTS: tr("Districts"),
        DEPARTMENTS: tr("Departments"),
    }
    return names.get(table, table)


def field_aliases(table: str) -> dict[str, str]:
    """Translated aliases of the table's fields."""
    if table == REPORTS:
        return {
            "fid": tr("ID"),
            "service_request_id": tr("Report number"),
            "status": tr("Open311 state"),
            "external_status_code": tr("Status"),
            "service_code": tr("Category code"),
            "service_name": tr("Category"),
            "description": tr("Description"),
            "agency_responsible": tr("Department"),
            "service_notice": tr("Platform notice"),
            "status_notes": tr("Status notes"),
            "requested_datetime": tr("Received"),
            "updated_datetime": tr("Updated"),
            "expected_datetime": tr("Expected by"),
            "address": tr("Address"),
            "media_url": tr("Photo link"),
            "district": tr("District"),
            "duplicate_of": tr("Duplicate of"),
            "lat": tr("Latitude"),
            "long": tr("Longitude"),
            "extended_json": tr("Extended attributes (JSON)"),
            "assigned_datetime": tr("Assigned"),
            "deadline": tr("Deadline"),
            "deadline_stage": tr("Deadline stage"),
            "version": tr("Version"),
            "synced_at": tr("Synchronised"),
            "position_source": tr("Position from"),
            "position_flag": tr("Position problem"),
            "position_note": tr("Position note"),
        }
    if table == DISTRICTS:
        return {"fid": tr("ID"), "code": tr("Code"), "name": tr("Name")}
    if table == DEPARTMENTS:
        return {
            "fid": tr("ID"),
            "code": tr("Code"),
            "name": tr("Name"),
            "officer_name": tr("Responsible officer"),
            "officer_phone": tr("Phone"),
            "officer_email": tr("E-mail"),
        }
    return {}


def layer_uri(workspace: str, table: str) -> str:
    """Data source of one table of a workspace (GeoPackage path or ``postgres:`` address)."""
    return layer_source(workspace, table)[0]


def layer_source(workspace: str, table: str) -> tuple[str, str]:
    """``(data source, provider key)`` of one table of a workspace."""
    from .store.factory import layer_source as source

    return source(workspace, table)


def _project(project: QgsProject | None) -> QgsProject:
    return project if project is not None else QgsProject.instance()


def iter_layers(project: QgsProject | None = None) -> Iterator[tuple[str, QgsVectorLayer]]:
    """``(table, layer)`` of every plugin layer in the project."""
    for layer in _project(project).mapLayers().values():
        table = layer.customProperty(TABLE_PROPERTY)
        if table and isinstance(layer, QgsVectorLayer):
            yield str(table), layer


def find_layer(table: str, project: QgsProject | None = None) -> QgsVectorLayer | None:
    """The project's layer of ``table`` (the first one), or None."""
    for found_table, layer in iter_layers(project):
        if found_table == table:
            return layer
    return None


def find_group(project: QgsProject | None = None) -> QgsLayerTreeGroup | None:
    """The plugin's layer-tree group, or None."""
    root = _project(project).layerTreeRoot()
    for group in root.findGroups():
        if group.customProperty(GROUP_PROPERTY):
            return group
    return None


def ensure_group(project: QgsProject | None = None) -> QgsLayerTreeGroup:
    """The plugin's group, created at the top of the layer tree when missing."""
    group = find_group(project)
    if group is None:
        group = _project(project).layerTreeRoot().insertGroup(0, group_name())
        group.setCustomProperty(GROUP_PROPERTY, True)
    return group


def translate_legend(layer: QgsVectorLayer) -> None:
    """Replace the English rule labels of the reports style by translated status labels."""
    renderer = layer.renderer()
    if not isinstance(renderer, QgsRuleBasedRenderer):
        return
    for rule in renderer.rootRule().children():
        key = rule.ruleKey()
        if key == OVERDUE_RULE_KEY:
            rule.setLabel(tr("Overdue (deadline passed)"))
            # the rule of core.deadlines, not the file's copy
            rule.setFilterExpression(overdue_expression(Workspace.of(layer).reads_utc_stamps_as_local()))
        elif key == OTHER_RULE_KEY:
            rule.setLabel(tr("Other status"))
        elif key.startswith(STATUS_RULE_PREFIX):
            rule.setLabel(statuses.label(key[len(STATUS_RULE_PREFIX) :]))


def apply_style(layer: QgsVectorLayer, table: str) -> None:
    """Style from ``resources/styles``, translated legend, aliases and the status value map."""
    style = STYLE_FILES.get(table)
    if style:
        path = resource("styles", style)
        if path.exists():
            message, ok = layer.loadNamedStyle(str(path))
            if not ok:
                log.warning("Cannot load style %s: %s", path, message)
        else:
            log.warning("Style file missing: %s", path)
    if table == REPORTS:
        translate_legend(layer)
        index = layer.fields().indexOf("external_status_code")
        if index >= 0:
            value_map = [{statuses.label(code): code} for code in statuses.STATUS_CODES]
            layer.setEditorWidgetSetup(index, QgsEditorWidgetSetup("ValueMap", {"map": value_map}))
        layer.setDisplayExpression("coalesce(\"service_name\", '') || ' №' || coalesce(\"service_request_id\", '')")
    for name, alias in field_aliases(table).items():
        index = layer.fields().indexOf(name)
        if index >= 0:
            layer.setFieldAlias(index, alias)


def make_layer(workspace: str, table: str) -> QgsVectorLayer | None:
    """A styled, read-only layer on one workspace table (None when the table cannot be opened)."""
    try:
        uri, provider = layer_source(workspace, table)
    except Exception as exc:  # noqa: BLE001 - an unknown saved connection, a bad address
        log.warning("Cannot open table %s of %s: %s", table, workspace, exc)
        return None
    layer = QgsVectorLayer(uri, layer_name(table), provider)
    if not layer.isValid():
        log.warning("Cannot open table %s of %s", table, describe_workspace(workspace))
        return None
    layer.setCustomProperty(TABLE_PROPERTY, table)
    layer.setCustomProperty(WORKSPACE_PROPERTY, str(workspace))
    apply_style(layer, table)
    layer.setReadOnly(True)
    return layer


def add_layers(workspace: str, project: QgsProject | None = None) -> dict[str, QgsVectorLayer]:
    """Add (or re-point) the plugin's layers to the project group; return them by table.

    A layer already in the project is reused; when it points at another workspace,
    its data source is switched to ``workspace``.
    """
    from .store.factory import workspace_exists

    project = _project(project)
    if not workspace_exists(workspace):
        log.info("No workspace yet at %s", workspace)
        return {}
    group = ensure_group(project)
    layers: dict[str, QgsVectorLayer] = {}
    for position, table in enumerate(TABLES):
        existing = find_layer(table, project)
        if existing is not None:
            try:
                uri, provider = layer_source(workspace, table)
            except Exception as exc:  # noqa: BLE001 - see make_layer
                log.warning("Cannot open table %s of %s: %s", table, workspace, exc)
                continue
            if existing.source() != uri or existing.providerType() != provider:
                existing.setDataSource(uri, existing.name(), provider)
                existing.setCustomProperty(WORKSPACE_PROPERTY, str(workspace))
                apply_style(existing, table)
            layers[table] = existing
            continue
        layer = make_layer(workspace, table)
        if layer is None:
            continue
        project.addMapLayer(layer, False)
        group.insertLayer(min(position, len(group.children())), layer)
        layers[table] = layer
    return layers


def reload_layers(project: QgsProject | None = None) -> int:
    """Reload the data of every plugin layer and repaint it; return how many were reloaded.

    (In QGIS 3.22 ``setAutoRefreshInterval`` only repaints; new rows need a provider reload.) On a
    shared PostGIS workspace this is how one user's map shows the others' changes: the ``postgres``
    provider queries the database again.
    """
    count = 0
    for _table, layer in iter_layers(project):
        provider = layer.dataProvider()
        if provider is not None:
            provider.reloadData()
        layer.reload()
        layer.updateExtents()
        layer.triggerRepaint()
        count += 1
    return count


def remove_layers(project: QgsProject | None = None) -> None:
    """Remove the plugin's layers and group from the project (e.g. on a workspace change)."""
    project = _project(project)
    ids = [layer.id() for _table, layer in iter_layers(project)]
    if ids:
        project.removeMapLayers(ids)
    group = find_group(project)
    if group is not None and not group.children():
        parent = group.parent()
        if parent is not None:
            parent.removeChildNode(group)


def is_plugin_layer(layer: QgsMapLayer | None, table: str | None = None) -> bool:
    """True for a layer the plugin added (of ``table`` when given)."""
    if layer is None:
        return False
    found = layer.customProperty(TABLE_PROPERTY)
    return bool(found) and (table is None or found == table)


def describe_workspace(workspace: str) -> str:
    from .store.factory import describe

    return describe(workspace)


def status_counts(workspace: Any, store: ReportStore | None = None) -> tuple[dict[str, int], int]:
    """Reports per external status code and the number of overdue reports, read through the workspace's store.

    ``store``: an open store of the workspace (the GUI's); without one, the workspace's store is opened for
    the count. ``({}, 0)`` when there is no workspace yet or it cannot be read (logged).
    """
    if store is not None:
        return _counts(store)
    space = Workspace.of(workspace) if workspace else None
    if space is None or not space.exists():
        return {}, 0
    try:
        with space.opened() as opened:
            return _counts(opened)
    except WORKSPACE_ERRORS as exc:
        log.warning("Cannot count the reports of %s: %s", space.describe(), exc)
        return {}, 0


def _counts(store: ReportStore) -> tuple[dict[str, int], int]:
    rows = store.query("SELECT external_status_code AS code, count(*) AS n FROM reports GROUP BY external_status_code")
    counts = {(r["code"] or ""): int(r["n"]) for r in rows}
    return counts, int(store.count(overdue_where()))
