"""Effectiveness figures for the working group (issue 4, items 1–2).

GUI-free and pure: the input is plain rows of the store's ``reports`` and
``request_updates`` tables (dicts; datetimes as store text or datetimes), a
:class:`Period`, a grouping and ``now``; the output is :class:`Figures` per group
and for the whole city, with the change against the previous period
(:class:`FiguresComparison`). :func:`load_rows` reads the rows from a workspace (its store).

:class:`FigureEngine` is the public core: it prepares the reports once, evaluates each
of them once per period (:class:`ReportState`: what it gives to the figures, its status
and deadline at the period's end) and sums those per group. The atlas
(``core.atlas.data``) uses the same states for its maps and overdue lists. Speed notes
(100 000 reports) are in ``docs/figures.md``.

Which timestamp each figure uses is written down in ``docs/figures.md``; in short,
every event is counted in the period that holds the moment it happened in the
report's history, and a report belongs to a group by its *current* department,
district or category.

One job per module: :mod:`.periods` (the periods), :mod:`.figures` (the figures of a group, their
names, percentiles and comparison), :mod:`.states` (what one report gives to a period),
:mod:`.engine` (:class:`FigureEngine` and the functions over it), :mod:`.rows` (reading the rows
through the workspace's store). Import from this package: its names are the API.
"""

from .engine import FigureEngine, all_figure_sets, compute_figures, figure_set
from .figures import (
    CATEGORY,
    CITY_KEY,
    DAYS_FIELDS,
    DEPARTMENT,
    DISTRICT,
    FIGURE_FIELDS,
    GROUP_COLUMN,
    GROUPINGS,
    NO_GROUP_KEY,
    SHARE_FIELDS,
    Figures,
    FiguresComparison,
    FigureSet,
    city_label,
    compare,
    figure_headers,
    group_key,
    grouping_label,
    median,
    no_group_label,
    percentile,
)
from .periods import Period
from .rows import (
    HISTORY_COLUMNS,
    REPORT_COLUMNS,
    Rows,
    TableRows,
    load_rows,
    paused_gc,
    reading,
    status_code,
    to_datetime,
)
from .states import (
    ASSIGN_CODE,
    NOT_RESOLVED_CODE,
    REJECT_CODES,
    RESOLVED_CODE,
    RESPONSE_CODES,
    TRIAGE_CODE,
    ReportState,
)

__all__ = [
    "ASSIGN_CODE",
    "CATEGORY",
    "CITY_KEY",
    "DAYS_FIELDS",
    "DEPARTMENT",
    "DISTRICT",
    "FIGURE_FIELDS",
    "GROUPINGS",
    "GROUP_COLUMN",
    "HISTORY_COLUMNS",
    "NOT_RESOLVED_CODE",
    "NO_GROUP_KEY",
    "REJECT_CODES",
    "REPORT_COLUMNS",
    "RESOLVED_CODE",
    "RESPONSE_CODES",
    "SHARE_FIELDS",
    "TRIAGE_CODE",
    "FigureEngine",
    "FigureSet",
    "Figures",
    "FiguresComparison",
    "Period",
    "ReportState",
    "Rows",
    "TableRows",
    "all_figure_sets",
    "city_label",
    "compare",
    "compute_figures",
    "figure_headers",
    "figure_set",
    "group_key",
    "grouping_label",
    "load_rows",
    "median",
    "no_group_label",
    "paused_gc",
    "percentile",
    "reading",
    "status_code",
    "to_datetime",
]
