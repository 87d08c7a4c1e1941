"""The monthly report, one path for every caller: the "Monthly report" dialog and ``openmisto:monthlyreport``
(Processing, ``qgis_process``) gather their parameters into a :class:`MonthlyReportRequest`; nothing else
builds the atlas.

Two steps: :func:`prepare_monthly_report` reads the workspace and computes the figures (the long part, safe in
a worker thread: the dialog runs it in a QgsTask), :func:`finish_monthly_report` fills the print layouts and
writes the PDF in the main thread (a layout is a Qt graphics scene: QGIS's own atlas export runs there too,
its algorithms carry ``NoThreading``). :func:`make_monthly_report` does both, for the algorithm.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from .stats import Period
from .timeutil import KYIV


@dataclass(frozen=True)
class MonthlyReportRequest:
    """What the working group asked for (see :func:`core.atlas.layout.build_atlas` for each field)."""

    workspace: str
    period: Period
    output_pdf: str
    grouping: str = "department"
    public: bool = False
    aggregate_cells: bool = False
    language: str = "uk"
    csv_path: str | None = None
    xlsx_path: str | None = None
    keep_citizen_text: bool = False
    basemap: bool = False  # OpenStreetMap under the maps (needs the internet for its tiles)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_period(first: date | None, last: date | None = None, today: date | None = None) -> Period:
    """The period from a first and a last day (inclusive, Kyiv dates).

    No first day: the current month. No last day, or the first and the last day of one month: that calendar
    month. Raises ``ValueError`` when the period ends before it starts.
    """
    if first is None:
        first = (today or datetime.now(KYIV).date()).replace(day=1)
    month = Period.month(first.year, first.month)
    if last is None:
        return month if first.day == 1 else Period.days(first, month.last_day)
    if last < first:
        raise ValueError("the period ends before it starts")
    if first.day == 1 and last == month.last_day:
        return month
    return Period.days(first, last)


def layout_rows(request: MonthlyReportRequest) -> tuple[int, int]:
    """The overdue rows a page holds (measured on the template in the request's language). Main thread."""
    from .atlas.layout import layout_rows as measure

    return measure(request.language)


def prepare_monthly_report(request: MonthlyReportRequest, rows: tuple[int, int], feedback: Any = None) -> Any:
    """Read the workspace and compute what the atlas prints (:class:`core.atlas.data.AtlasData`); any thread.

    Raises ``FileNotFoundError`` for a missing workspace and :class:`core.atlas.data.AtlasCanceled` when
    ``feedback`` cancels.
    """
    from .atlas.layout import prepare_atlas
    from .store.factory import workspace_exists

    if not workspace_exists(request.workspace):
        raise FileNotFoundError(request.workspace)
    return prepare_atlas(
        request.workspace,
        request.period,
        request.grouping,
        request.public,
        rows,
        request.aggregate_cells,
        request.language,
        feedback,
        with_figure_sets=bool(request.csv_path or request.xlsx_path),
        keep_citizen_text=request.keep_citizen_text,
    )


def finish_monthly_report(request: MonthlyReportRequest, data: Any, feedback: Any = None) -> Any:
    """Write the PDF (and the optional CSV/XLSX) from prepared data; :class:`.atlas.layout.AtlasResult`. Main thread."""
    from .atlas.layout import render_atlas

    return render_atlas(
        data,
        request.workspace,
        request.output_pdf,
        feedback,
        request.csv_path,
        request.xlsx_path,
        basemap=request.basemap,
    )


def make_monthly_report(request: MonthlyReportRequest, feedback: Any = None) -> Any:
    """Both steps in the calling (main) thread; returns :class:`core.atlas.layout.AtlasResult`."""
    data = prepare_monthly_report(request, layout_rows(request), feedback)
    return finish_monthly_report(request, data, feedback)
