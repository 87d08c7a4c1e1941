"""The monthly PDF atlas for the working group (issue 4, items 3–6).

:func:`build_atlas` reads the workspace, computes the figures (``core.stats``), builds the
print layouts from the templates in ``resources/layouts/`` in a :class:`QgsProject` of its
own (never ``QgsProject.instance()``: it runs in a ``QgsTask`` and in ``qgis_process``) and
exports one PDF: the cover (status map, heat map, the city's key figures), then one atlas
page per department or district (its map, legend, figures and overdue list; a long list
flows onto further pages). :func:`add_layouts_to_project` puts the same layouts into the
user's project, so that they can be tweaked in the layout designer and printed again.

Internal and public versions: the public one holds no officers' names, phones or e-mails,
no rejected reports, no citizens' text (unless ``keep_citizen_text``; then contacts, names and
house numbers are masked), street names without house numbers, and grid-cell counts, never points.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsLayerTreeGroup,
    QgsPrintLayout,
    QgsProject,
    QgsVectorLayer,
)

from .. import stats
from ..store.workspace import Workspace
from ..timeutil import now_utc
from .data import (
    MAP_CRS,
    OVERDUE_LIMIT,
    AtlasCanceled,
    AtlasData,
    Lang,
    prepare,
)
from .layers import LAYER_PROPERTY, AtlasFeatures, AtlasLayers, atlas_features, make_layers
from .layout import fill_cover, fill_group, load_layouts, measure_rows, pdf_settings
from .printer import AtlasPrinter

log = logging.getLogger(__name__)


@dataclass
class AtlasResult:
    """What :func:`build_atlas` made."""

    pages: int
    pdf: str
    groups: list[str]
    group_pages: dict[str, int] = field(default_factory=dict)  # group key -> its first page (1-based)
    csv: str | None = None
    xlsx: str | None = None
    rows_first: int = 0  # overdue rows on a group's first page
    rows_next: int = 0  # overdue rows on each further page
    data: AtlasData | None = field(default=None, repr=False)
    workspace_path: str = ""


def parse_period(value: Any) -> stats.Period:
    """A :class:`stats.Period` from a Period, ``"2026-11"``, ``(first_day, last_day)`` or ``(start, end)`` datetimes."""
    if isinstance(value, stats.Period):
        return value
    if isinstance(value, str):
        year, month = value.strip().split("-")[:2]
        return stats.Period.month(int(year), int(month))
    if isinstance(value, Sequence) and len(value) == 2:
        a, b = value
        if isinstance(a, datetime) and isinstance(b, datetime):
            return stats.Period(a, b)
        if isinstance(a, date) and isinstance(b, date):
            return stats.Period.days(a, b)
    raise ValueError(f"not a period: {value!r}")


def _workspace(workspace_path: str | Path | Workspace) -> Workspace:
    """The workspace at ``workspace_path``; ``FileNotFoundError`` when there is none (a GeoPackage file is missing)."""
    workspace = Workspace.of(workspace_path)
    if not workspace.exists():
        raise FileNotFoundError(workspace.address)
    return workspace


def layout_rows(language: str = "uk", templates: Path | None = None) -> tuple[int, int]:
    """How many overdue rows the group template's tables hold (first page, next pages). Main thread: a layout."""
    project = QgsProject()
    _cover, group = load_layouts(project, templates)
    rows = measure_rows(group, Lang(language))
    del _cover, group
    return rows


def prepare_atlas(
    workspace_path: str | Path,
    period: Any,
    grouping: str,
    public: bool,
    rows: tuple[int, int],
    aggregate_cells: bool = False,
    language: str = "uk",
    feedback: Any = None,
    *,
    with_figure_sets: bool = False,
    now: datetime | None = None,
    keep_citizen_text: bool = False,
    overdue_limit: int | None = OVERDUE_LIMIT,
) -> AtlasData:
    """Read the workspace and compute everything the atlas prints (:func:`atlas_data.prepare`).

    No layout, no layer: safe in a worker thread (a QgsTask), where the long part of an atlas runs.
    """
    return prepare(
        _workspace(workspace_path),
        parse_period(period),
        grouping,
        public=public,
        aggregate_cells=aggregate_cells,
        language=language,
        now=now,
        keep_citizen_text=keep_citizen_text,
        overdue_limit=overdue_limit,
        rows_first=rows[0],
        rows_next=rows[1],
        feedback=feedback,
        progress_span=(0.0, 30.0),
        all_groupings=with_figure_sets,
    )


@dataclass(eq=False)
class AtlasPrint:
    """An atlas being printed (:func:`open_print`): its own project, the filled layouts, the layers, the printer."""

    printer: AtlasPrinter
    project: QgsProject
    layouts: tuple[QgsPrintLayout, QgsPrintLayout]
    layers: AtlasLayers
    output: Path
    workspace: Workspace


def open_print_steps(
    data: AtlasData,
    workspace_path: str | Path,
    output_pdf: str | Path,
    feedback: Any = None,
    templates: Path | None = None,
    basemap: bool = False,
    features: AtlasFeatures | None = None,
) -> Iterator[AtlasPrint | None]:
    """:func:`open_print` in steps short enough for the event loop: yields ``None`` after each, the
    :class:`AtlasPrint` at the end. Raises :class:`AtlasCanceled` when ``feedback`` cancels."""

    def step(progress: float) -> None:
        if feedback is not None:
            if feedback.isCanceled():
                raise AtlasCanceled()
            feedback.setProgress(progress)

    workspace = _workspace(workspace_path)
    project = QgsProject()
    project.setCrs(QgsCoordinateReferenceSystem(MAP_CRS))
    cover, group = load_layouts(project, templates)
    yield step(31)
    if features is None:
        features = atlas_features(data)
        yield step(32)
    layers = make_layers(data, workspace, features)
    if basemap:
        from ..basemap import osm_layer

        layers.basemap = osm_layer()
    project.addMapLayers(layers.all(), False)
    yield step(33)
    made = now_utc()
    fill_cover(cover, data, layers, made)
    yield step(34)
    fill_group(group, data, layers, made)
    yield step(35)
    printer = AtlasPrinter(cover, group, Path(output_pdf), pdf_settings(), feedback)
    yield AtlasPrint(printer, project, (cover, group), layers, Path(output_pdf), workspace)


def open_print(
    data: AtlasData,
    workspace_path: str | Path,
    output_pdf: str | Path,
    feedback: Any = None,
    templates: Path | None = None,
    basemap: bool = False,
    features: AtlasFeatures | None = None,
) -> AtlasPrint:
    """Fill the layouts with ``data``; the printer of the PDF, not started. Main thread (a layout is a graphics
    scene, which Qt does not allow outside the GUI thread); the printer draws the maps in QGIS's renderer threads.

    ``basemap``: OpenStreetMap under the maps (its tiles need the internet; without it the maps print as before);
    ``features``: the layers' features made ahead (:func:`atlas_features`).
    """
    steps = [*open_print_steps(data, workspace_path, output_pdf, feedback, templates, basemap, features)]
    return steps[-1]


def close_print(
    job: AtlasPrint,
    data: AtlasData,
    csv_path: str | Path | None = None,
    xlsx_path: str | Path | None = None,
    feedback: Any = None,
) -> AtlasResult:
    """After the printer wrote the PDF: the CSV/XLSX of the figures, and what was made."""
    csv_out = xlsx_out = None
    if csv_path or xlsx_path:
        from ..export import write_csv, write_xlsx

        sets = data.figure_sets
        if csv_path:
            csv_out = str(write_csv(csv_path, sets))
        if xlsx_path:
            xlsx_out = str(write_xlsx(xlsx_path, sets))
    if feedback is not None:
        feedback.setProgress(100)
    log.info("Atlas of %s: %d pages in %s", data.period.label(), data.total_pages, job.output)
    return AtlasResult(
        pages=data.total_pages,
        pdf=str(job.output),
        groups=[g.label for g in data.groups],
        group_pages={g.key: g.first_page for g in data.groups},
        csv=csv_out,
        xlsx=xlsx_out,
        rows_first=data.rows_first,
        rows_next=data.rows_next,
        data=data,
        workspace_path=job.workspace.address,
    )


def render_atlas(
    data: AtlasData,
    workspace_path: str | Path,
    output_pdf: str | Path,
    feedback: Any = None,
    csv_path: str | Path | None = None,
    xlsx_path: str | Path | None = None,
    templates: Path | None = None,
    basemap: bool = False,
) -> AtlasResult:
    """Fill the layouts with ``data`` and write the PDF (and the CSV/XLSX of the figures), now, in the calling
    (main) thread: :func:`open_print`, :meth:`AtlasPrinter.run`, :func:`close_print`."""
    job = open_print(data, workspace_path, output_pdf, feedback, templates, basemap)
    job.printer.run()
    return close_print(job, data, csv_path, xlsx_path, feedback)


def build_atlas(
    workspace_path: str | Path,
    period: Any,
    grouping: str,
    public: bool,
    output_pdf: str | Path,
    aggregate_cells: bool = False,
    language: str = "uk",
    feedback: Any = None,
    csv_path: str | Path | None = None,
    xlsx_path: str | Path | None = None,
    *,
    now: datetime | None = None,
    keep_citizen_text: bool = False,
    overdue_limit: int | None = OVERDUE_LIMIT,
    templates: Path | None = None,
) -> AtlasResult:
    """Write the monthly atlas of ``period`` (a :class:`stats.Period`, ``"2026-11"`` or two dates) to ``output_pdf``.

    ``grouping`` is ``department`` or ``district``; ``public`` leaves out personal data;
    ``aggregate_cells`` shows counts per grid cell instead of points. ``feedback`` is any object with
    ``isCanceled()`` and ``setProgress(float)``; a cancel raises :class:`AtlasCanceled`. The CSV and
    XLSX get the figures of every grouping. :func:`layout_rows`, :func:`prepare_atlas` and
    :func:`render_atlas` in one go: call it in the main thread (the dialog runs only the middle one in a task).
    """
    _workspace(workspace_path)
    data = prepare_atlas(
        workspace_path,
        period,
        grouping,
        public,
        layout_rows(language, templates),
        aggregate_cells,
        language,
        feedback,
        with_figure_sets=bool(csv_path or xlsx_path),
        now=now,
        keep_citizen_text=keep_citizen_text,
        overdue_limit=overdue_limit,
    )
    return render_atlas(data, workspace_path, output_pdf, feedback, csv_path, xlsx_path, templates)


def _save_to_geopackage(layers: AtlasLayers, path: Path, project_context: Any) -> AtlasLayers:
    """Copy the memory layers into a GeoPackage (so a saved project keeps them) and open them from there."""
    from qgis.core import QgsVectorFileWriter

    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    opened: dict[str, QgsVectorLayer] = {}
    for attr in ("reports", "heat", "pages", "figures", "overdue"):
        layer: QgsVectorLayer = getattr(layers, attr)
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GPKG"
        options.layerName = attr
        options.actionOnExistingFile = (
            QgsVectorFileWriter.CreateOrOverwriteLayer if path.exists() else QgsVectorFileWriter.CreateOrOverwriteFile
        )
        write = getattr(QgsVectorFileWriter, "writeAsVectorFormatV3", None) or QgsVectorFileWriter.writeAsVectorFormatV2
        error = write(layer, str(path), project_context, options)
        if error[0] != QgsVectorFileWriter.NoError:
            raise OSError(f"cannot write {attr} into {path}: {error[1]}")
        uri, provider = Workspace.of(path).layer_source(attr)  # a GeoPackage file, as a workspace's tables
        copy = QgsVectorLayer(uri, layer.name(), provider)
        if layer.isSpatial() and layer.renderer() is not None:
            copy.setRenderer(layer.renderer().clone())
        copy.setCustomProperty(LAYER_PROPERTY, attr)
        opened[attr] = copy
    return AtlasLayers(layers.districts, **opened)


def add_layouts_to_project(
    project: QgsProject,
    result: AtlasResult,
    data_path: str | Path | None = None,
    templates: Path | None = None,
) -> list[QgsPrintLayout]:
    """Add the atlas's layers (in a hidden group) and its two layouts to ``project``; returns the layouts.

    Call in the main thread with the result of :func:`build_atlas`. With ``data_path`` the atlas
    data is written to that GeoPackage (so a saved project keeps it); else memory layers are used.
    Layouts of the same name are replaced.
    """
    data = result.data
    if data is None:
        raise ValueError("the result holds no atlas data")
    layers = make_layers(data, result.workspace_path)
    if data_path:
        layers = _save_to_geopackage(layers, Path(data_path), project.transformContext())
    lang = data.lang
    root = project.layerTreeRoot()
    group_name = lang.tr("Monthly report {period}").format(period=lang.period(data.period))
    old = root.findGroup(group_name)
    if old is not None:
        for layer_id in old.findLayerIds():
            project.removeMapLayer(layer_id)
        root.removeChildNode(old)
    tree_group: QgsLayerTreeGroup = root.addGroup(group_name)
    project.addMapLayers(layers.all(), False)
    for layer in layers.all():
        node = tree_group.addLayer(layer)
        node.setItemVisibilityChecked(layer is layers.reports)
    tree_group.setExpanded(False)
    tree_group.setItemVisibilityChecked(False)

    cover, group = load_layouts(project, templates)
    made = now_utc()
    fill_cover(cover, data, layers, made)
    fill_group(group, data, layers, made)
    manager = project.layoutManager()
    for layout in (cover, group):
        existing = manager.layoutByName(layout.name())
        if existing is not None:
            manager.removeLayout(existing)
        manager.addLayout(layout)
    return [cover, group]


__all__ = [
    "AtlasPrint",
    "AtlasResult",
    "add_layouts_to_project",
    "build_atlas",
    "close_print",
    "layout_rows",
    "open_print",
    "open_print_steps",
    "parse_period",
    "prepare_atlas",
    "render_atlas",
]
