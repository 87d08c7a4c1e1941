"""``openmisto:monthlyreport``: the working group's PDF atlas (and optional CSV/XLSX of the figures).

The same :func:`~openmisto_plugin.core.monthly_report.make_monthly_report` as the "Monthly report" dialog, from the
toolbox, from models and headless::

    qgis_process.bin --json run openmisto:monthlyreport -- \
        WORKSPACE=/data/workspace.gpkg PERIOD_START=2026-11-01 PERIOD_END=2026-11-30 \
        GROUPING=0 PUBLIC=false OUTPUT=/data/atlas-2026-11.pdf

``PERIOD_START`` and ``PERIOD_END`` are the first and the last day (inclusive, Kyiv dates; empty: the
current month). ``WORKSPACE`` is a GeoPackage path or a shared PostGIS workspace
(``postgres:service=… schema=…``). ``GROUPING``: 0 departments, 1 districts. Outputs ``OUTPUT`` (the PDF) and ``PAGES``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ..core.i18n import tr
from ..core.monthly_report import MonthlyReportRequest, make_monthly_report, resolve_period
from ..core.qgis_compat import ALGORITHM_NO_THREADING, PARAMETER_ADVANCED
from ..core.store.base import StoreError
from ..core.store.pg_connection import PgConnectionError
from ..core.store.workspace import Workspace
from ..core.timeutil import parse_day
from .base import OpenMistoAlgorithm

GROUPINGS = ("department", "district")
LANGUAGES = ("uk", "en")


def _day(value: Any) -> date | None:
    """A date from ``2026-11-01``, a QDate/QDateTime or a datetime; ``None`` when empty."""
    if value is None or value == "":
        return None
    if hasattr(value, "toPyDate"):
        return value.toPyDate() if not value.isNull() else None
    if hasattr(value, "toPyDateTime"):
        return value.toPyDateTime().date() if not value.isNull() else None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    day = parse_day(str(value).strip()[:10])
    if day is None:
        raise ValueError(f"not a date: {value!r}")
    return day


class MonthlyReportAlgorithm(OpenMistoAlgorithm):
    """Write the monthly atlas of a workspace to a PDF."""

    PERIOD_START = "PERIOD_START"
    PERIOD_END = "PERIOD_END"
    GROUPING = "GROUPING"
    PUBLIC = "PUBLIC"
    AGGREGATE = "AGGREGATE"
    KEEP_TEXT = "KEEP_TEXT"
    BASEMAP = "BASEMAP"
    LANGUAGE = "LANGUAGE"
    OUTPUT = "OUTPUT"
    CSV = "CSV"
    XLSX = "XLSX"
    PAGES = "PAGES"

    def name(self) -> str:
        return "monthlyreport"

    def flags(self) -> Any:
        # print layouts are Qt graphics scenes: main thread only, as QGIS's own atlas export algorithms
        return super().flags() | ALGORITHM_NO_THREADING

    def displayName(self) -> str:
        return tr("Monthly report (PDF atlas)")

    def group(self) -> str:
        return tr("Reports")

    def groupId(self) -> str:
        return "reports"

    def shortHelpString(self) -> str:
        return tr(
            "Writes the working group's atlas: a cover with the city map by status, a heat map and the key "
            "figures, then one page per department or district with its map, figures and overdue reports. "
            "The public version holds no personal data. Optionally the figures as CSV and XLSX."
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_workspace_parameter()
        self.addParameter(
            QgsProcessingParameterString(
                self.PERIOD_START, tr("First day of the period (YYYY-MM-DD; empty: this month)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.PERIOD_END, tr("Last day of the period (YYYY-MM-DD; empty: end of that month)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.GROUPING, tr("One page per"), [tr("Department"), tr("District")], defaultValue=0
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(self.PUBLIC, tr("Public version (no personal data)"), defaultValue=False)
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.AGGREGATE, tr("Show counts per grid cell instead of points"), defaultValue=False
            )
        )
        advanced = [
            QgsProcessingParameterBoolean(self.KEEP_TEXT, tr("Keep the citizens' text"), defaultValue=False),
            QgsProcessingParameterBoolean(
                self.BASEMAP, tr("OpenStreetMap under the maps (needs the internet)"), defaultValue=False
            ),
            QgsProcessingParameterEnum(self.LANGUAGE, tr("Language"), [tr("Ukrainian"), tr("English")], defaultValue=0),
        ]
        for parameter in advanced:
            parameter.setFlags(parameter.flags() | PARAMETER_ADVANCED)
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterFileDestination(self.OUTPUT, tr("Atlas (PDF)"), tr("PDF files (*.pdf)"))
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.CSV, tr("Figures (CSV)"), tr("CSV files (*.csv)"), optional=True, createByDefault=False
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.XLSX, tr("Figures (XLSX)"), tr("Excel workbooks (*.xlsx)"), optional=True, createByDefault=False
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.PAGES, tr("Pages")))

    def _period(self, parameters: dict[str, Any], context: QgsProcessingContext):
        try:
            first = _day(self.parameterAsString(parameters, self.PERIOD_START, context))
            last = _day(self.parameterAsString(parameters, self.PERIOD_END, context))
            return resolve_period(first, last)
        except ValueError as exc:
            raise QgsProcessingException(tr("Not a date or not a period: {error}").format(error=exc)) from exc

    def processAlgorithm(
        self, parameters: dict[str, Any], context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        from ..core.atlas.data import AtlasCanceled

        workspace = self.workspace_value(parameters, context)
        if not Workspace.of(workspace).exists():
            raise QgsProcessingException(
                tr("The workspace {path} does not exist.").format(path=Workspace.of(workspace).describe())
            )
        period = self._period(parameters, context)
        grouping = GROUPINGS[self.parameterAsEnum(parameters, self.GROUPING, context)]
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        csv_path = self.parameterAsFileOutput(parameters, self.CSV, context) or None
        xlsx_path = self.parameterAsFileOutput(parameters, self.XLSX, context) or None
        language = LANGUAGES[self.parameterAsEnum(parameters, self.LANGUAGE, context)]
        feedback.pushInfo(tr("Period: {period}").format(period=period.label()))
        request = MonthlyReportRequest(
            workspace=workspace,
            period=period,
            output_pdf=output,
            grouping=grouping,
            public=self.parameterAsBoolean(parameters, self.PUBLIC, context),
            aggregate_cells=self.parameterAsBoolean(parameters, self.AGGREGATE, context),
            language=language,
            csv_path=csv_path,
            xlsx_path=xlsx_path,
            keep_citizen_text=self.parameterAsBoolean(parameters, self.KEEP_TEXT, context),
            basemap=self.parameterAsBoolean(parameters, self.BASEMAP, context),
        )
        try:
            result = make_monthly_report(request, feedback)
        except AtlasCanceled:
            raise QgsProcessingException(tr("Canceled.")) from None
        except (OSError, ValueError, StoreError, PgConnectionError) as exc:
            raise QgsProcessingException(str(exc)) from exc
        feedback.pushInfo(tr("{pages} pages written to {path}").format(pages=result.pages, path=result.pdf))
        outputs: dict[str, Any] = {self.OUTPUT: result.pdf, self.PAGES: result.pages}
        if result.csv:
            outputs[self.CSV] = result.csv
        if result.xlsx:
            outputs[self.XLSX] = result.xlsx
        return outputs
