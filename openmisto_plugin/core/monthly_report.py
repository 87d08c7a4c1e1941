"""The monthly report, one path for every caller: the "Monthly report" dialog and ``openmisto:monthlyreport``
(Processing, ``qgis_process``) gather their parameters into a :class:`MonthlyReportRequest`; nothing else
builds the atlas.

Two steps: :func:`prepare_monthly_report` reads the workspace and computes the figures (the long part, safe in
a worker thread: the dialog runs it in a QgsTask), then the print layouts are filled and the PDF written in the
main thread (a layout is a Qt graphics scene: QGIS's own atlas export runs there too, its algorithms carry
``NoThreading``): :func:`start_monthly_report` from the event loop in short steps, the maps drawn in QGIS's
map renderer threads (the dialog: QGIS keeps answering), :func:`finish_monthly_report` at once, the same pages.
:func:`make_monthly_report` does both steps at once, for the algorithm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from qgis.PyQt.QtCore import QTimer

from .stats import Period
from .timeutil import KYIV

#: Prints running from the event loop (:func:`start_monthly_report`), kept alive to their end.
_PRINTING: list[Any] = []


@dataclass(frozen=True)
class MonthlyReportRequest:
    """What the working group asked for (see :func:`core.atlas.build.build_atlas` for each field)."""

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
    from .atlas.build import layout_rows as measure

    return measure(request.language)


def prepare_monthly_report(request: MonthlyReportRequest, rows: tuple[int, int], feedback: Any = None) -> Any:
    """Read the workspace and compute what the atlas prints (:class:`core.atlas.data.AtlasData`); any thread.

    Raises ``FileNotFoundError`` for a missing workspace and :class:`core.atlas.data.AtlasCanceled` when
    ``feedback`` cancels.
    """
    from .atlas.build import prepare_atlas
    from .store.workspace import Workspace

    if not Workspace.of(request.workspace).exists():
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
    """Write the PDF (and the optional CSV/XLSX) from prepared data; :class:`.atlas.build.AtlasResult`. Main thread."""
    from .atlas.build import render_atlas

    return render_atlas(
        data,
        request.workspace,
        request.output_pdf,
        feedback,
        request.csv_path,
        request.xlsx_path,
        basemap=request.basemap,
    )


def layer_features(data: Any) -> Any:
    """The features of the atlas's layers (:func:`core.atlas.layers.atlas_features`), made ahead; any thread."""
    from .atlas.layers import atlas_features

    return atlas_features(data)


def start_monthly_report(
    request: MonthlyReportRequest,
    data: Any,
    feedback: Any,
    done: Callable[[Any, BaseException | None], None],
    features: Any = None,
) -> None:
    """Write the PDF (and the CSV/XLSX) from prepared data in short steps from the event loop: the layouts are
    filled a step at a time, then printed in short steps (:class:`core.atlas.printer.AtlasPrinter`). Main thread.

    ``done(result, error)`` is called at the end: a :class:`core.atlas.build.AtlasResult`, or the error
    (:class:`core.atlas.data.AtlasCanceled` when ``feedback`` cancels). ``features``: :func:`layer_features`.
    """
    _StepwisePrint(request, data, feedback, done, features).start()


class _StepwisePrint:
    """:func:`start_monthly_report`'s steps; kept in :data:`_PRINTING` until the end, then let go at once (the
    layouts and layers are freed while QGIS runs, not by a garbage collection at exit)."""

    def __init__(
        self,
        request: MonthlyReportRequest,
        data: Any,
        feedback: Any,
        done: Callable[[Any, BaseException | None], None],
        features: Any,
    ) -> None:
        from .atlas.build import open_print_steps

        self._request = request
        self._data = data
        self._feedback = feedback
        self._done = done
        self._steps: Any = open_print_steps(
            data, request.workspace, request.output_pdf, feedback, basemap=request.basemap, features=features
        )
        self._job: Any = None

    def start(self) -> None:
        _PRINTING.append(self)
        QTimer.singleShot(0, self._next_step)

    def _next_step(self) -> None:
        try:
            job = next(self._steps)
        except Exception as exc:  # noqa: BLE001 - handed to the caller
            self._end(None, exc)
            return
        if job is None:
            QTimer.singleShot(0, self._next_step)
            return
        self._steps.close()  # its frame holds the layouts too
        self._steps = None
        self._job = job
        job.printer.finished.connect(self._printed)
        job.printer.start()

    def _printed(self, error: BaseException | None) -> None:
        if error is not None:
            self._end(None, error)
            return
        from .atlas.build import close_print

        try:
            result = close_print(self._job, self._data, self._request.csv_path, self._request.xlsx_path, self._feedback)
        except Exception as exc:  # noqa: BLE001 - handed to the caller
            self._end(None, exc)
            return
        self._end(result, None)

    def _end(self, result: Any, error: BaseException | None) -> None:
        if self in _PRINTING:
            _PRINTING.remove(self)
        job, self._job, self._steps = self._job, None, None
        if job is not None:
            job.printer.finished.disconnect(self._printed)
        del job
        self._done(result, error)


def make_monthly_report(request: MonthlyReportRequest, feedback: Any = None) -> Any:
    """Both steps in the calling (main) thread; returns :class:`core.atlas.build.AtlasResult`."""
    data = prepare_monthly_report(request, layout_rows(request), feedback)
    return finish_monthly_report(request, data, feedback)
