"""The "Monthly report" dialog: period, grouping, internal or public, output files; builds the atlas in a task.

The dialog only gathers a :class:`core.monthly_report.MonthlyReportRequest`; the atlas is made by the same
two steps ``openmisto:monthlyreport`` runs (:mod:`core.monthly_report`), in a :class:`QgsTask` (progress and
cancel in QGIS's task bar): the figures in its worker thread, the pages in short steps of the main thread's
event loop (:mod:`core.atlas.printer`), so QGIS keeps answering. When it is done the PDF opens in the
system viewer and the layouts are added to the current project (:func:`core.atlas.build.add_layouts_to_project`)
for the layout designer.
"""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

from qgis.core import QgsApplication, QgsProject, QgsSettings, QgsTask
from qgis.PyQt.QtCore import QDate, QUrl, pyqtSignal
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..core.atlas.data import AtlasCanceled
from ..core.i18n import tr
from ..core.monthly_report import (
    MonthlyReportRequest,
    layer_features,
    layout_rows,
    prepare_monthly_report,
    resolve_period,
    start_monthly_report,
)
from ..core.stats import Period
from ..core.store.workspace import Workspace
from ..core.tasks import OpenMistoTask, TaskOutcome
from ..core.timeutil import KYIV
from .common import button_box, push_plain_message
from .help import help_button

log = logging.getLogger(__name__)

# Dialogs whose task still runs: kept alive until the task reports back (the dialog is closed by then).
_RUNNING: set[MonthlyReportDialog] = set()
#: Where the dialog remembers its choices (QgsSettings).
SETTINGS_GROUP = "openmisto/monthly_report"


class PrintError(Exception):
    """The layouts could not be filled or the PDF not written (the figures were ready)."""

    def user_message(self) -> str:
        return tr("The monthly report could not be written: {error}").format(error=self.__cause__ or self)


class MonthlyReportTask(OpenMistoTask):
    """The whole monthly report, its progress and Cancel in QGIS's task bar.

    The worker thread reads the workspace and computes the figures; the print layouts are then filled and the
    pages printed in short steps of the main thread's event loop
    (:func:`core.monthly_report.start_monthly_report`), while the worker waits for the end. The task's result
    is the :class:`core.atlas.build.AtlasResult`.
    """

    #: Worker → main thread: the figures are ready, print them (queued: the task lives in the main thread).
    prepared = pyqtSignal(object)

    def __init__(self, request: MonthlyReportRequest, rows: tuple[int, int]) -> None:
        super().__init__(tr("Open City: monthly report"), QgsTask.CanCancel)
        self.request = request
        self.rows = rows
        self._printed = threading.Event()
        self._print_outcome: tuple[Any, BaseException | None] = (None, None)
        self.prepared.connect(self._start_print)

    def work(self) -> Any:
        data = prepare_monthly_report(self.request, self.rows, self.feedback)
        features = layer_features(data)
        if self.isCanceled():
            return None
        self.prepared.emit((data, features))
        # Canceled: the printer stops at its next step in the main thread; this thread need not wait for it
        # (QGIS waits for its tasks when it quits).
        while not self._printed.wait(0.05):
            if self.isCanceled():
                return None
        result, error = self._print_outcome
        if isinstance(error, AtlasCanceled):
            return None
        if error is not None:
            raise PrintError(error) from error
        return result

    def _start_print(self, prepared: tuple[Any, Any]) -> None:
        """Main thread: fill the layouts and print, in steps (the worker waits for :meth:`_print_done`)."""
        data, features = prepared
        start_monthly_report(self.request, data, self.feedback, self._print_done, features)

    def _print_done(self, result: Any, error: BaseException | None) -> None:
        self._print_outcome = (result, error)
        self._printed.set()


def _month_start(day: date) -> QDate:
    return QDate(day.year, day.month, 1)


class MonthlyReportDialog(QDialog):
    """Choose the period and the kind of atlas, then build it in the background."""

    def __init__(self, workspace_path: str, iface: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.iface = iface
        self.workspace_path = workspace_path
        self.task: MonthlyReportTask | None = None
        self.setWindowTitle(tr("Monthly report"))
        self.setMinimumWidth(520)

        # The last whole month (the guide's "last month"), not the current, unfinished one.
        last_month_end = _month_start(datetime.now(KYIV).date()).addDays(-1)
        self.whole_month = QRadioButton(tr("Calendar month"))
        self.whole_month.setChecked(True)
        self.month = QDateEdit(_month_start(last_month_end.toPyDate()))
        self.month.setDisplayFormat("MM.yyyy")
        self.month.setCalendarPopup(True)
        self.any_dates = QRadioButton(tr("From – to"))
        self.first = QDateEdit(_month_start(last_month_end.toPyDate()))
        self.last = QDateEdit(last_month_end)
        for edit in (self.first, self.last):
            edit.setDisplayFormat("dd.MM.yyyy")
            edit.setCalendarPopup(True)

        self.grouping = QComboBox()
        self.grouping.addItem(tr("Department"), "department")
        self.grouping.addItem(tr("District"), "district")
        self.version = QComboBox()
        self.version.addItem(tr("Internal (with the responsible officers)"), False)
        self.version.addItem(tr("Public (no personal data, for the media)"), True)
        self.cells = QCheckBox(tr("Show counts per 250 m cell instead of points"))
        self.keep_text = QCheckBox(tr("Keep the citizens' text in the overdue lists"))
        self.basemap = QCheckBox(tr("OpenStreetMap under the maps (needs the internet)"))
        self.basemap.setToolTip(tr("Streets and house numbers under the reports; offline the maps print without them"))
        self.language = QComboBox()
        self.language.addItem(tr("Ukrainian"), "uk")
        self.language.addItem(tr("English"), "en")

        self.pdf = self._file_row(tr("PDF files (*.pdf)"), save=True)
        self.csv = self._file_row(tr("CSV files (*.csv)"), save=True)
        self.xlsx = self._file_row(tr("Excel workbooks (*.xlsx)"), save=True)
        self.add_layouts = QCheckBox(tr("Keep the layouts in the project (for the layout designer)"))
        self.add_layouts.setToolTip(tr("Adds the atlas's layouts and a layer group to the current project"))
        self.add_layouts.setChecked(False)  # the user's project is left alone unless asked
        self.open_pdf = QCheckBox(tr("Open the PDF when it is ready"))
        self.open_pdf.setChecked(True)

        form = QFormLayout()
        month_row = QHBoxLayout()
        month_row.addWidget(self.whole_month)
        month_row.addWidget(self.month)
        month_row.addStretch()
        form.addRow(tr("Period"), month_row)
        dates_row = QHBoxLayout()
        dates_row.addWidget(self.any_dates)
        dates_row.addWidget(self.first)
        dates_row.addWidget(self.last)
        dates_row.addStretch()
        form.addRow("", dates_row)
        form.addRow(tr("One page per"), self.grouping)
        form.addRow(tr("Version"), self.version)
        form.addRow("", self.cells)
        form.addRow("", self.keep_text)
        form.addRow("", self.basemap)
        form.addRow(tr("Language"), self.language)
        form.addRow(tr("Atlas (PDF)"), self.pdf[0])
        form.addRow(tr("Figures (CSV, optional)"), self.csv[0])
        form.addRow(tr("Figures (XLSX, optional)"), self.xlsx[0])
        form.addRow("", self.add_layouts)
        form.addRow("", self.open_pdf)

        self.buttons = button_box(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(help_button(self, "monthly_report"), QDialogButtonBox.ButtonRole.HelpRole)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Make the report"))
        self.buttons.accepted.connect(self.save_settings)  # first: the choices are remembered even if it fails
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        for widget in (self.whole_month, self.any_dates):
            widget.toggled.connect(self._update)
        self.version.currentIndexChanged.connect(self._update)
        self.month.dateChanged.connect(self._suggest_name)
        self.grouping.currentIndexChanged.connect(self._suggest_name)
        self.version.currentIndexChanged.connect(self._suggest_name)
        self.pdf[1].textChanged.connect(self._update)
        self.load_settings()
        self._suggest_name()
        self._update()

    # -- remembered choices (QgsSettings; paths and choices only, never a secret)
    def _remembered(self) -> list[tuple[str, Any]]:
        return [
            ("grouping", self.grouping),
            ("public", self.version),
            ("language", self.language),
            ("cells", self.cells),
            ("keep_text", self.keep_text),
            ("basemap", self.basemap),
            ("add_layouts", self.add_layouts),
            ("open_pdf", self.open_pdf),
        ]

    def load_settings(self) -> None:
        """The choices of the last report made (the period always starts at the last whole month)."""
        settings = QgsSettings()
        for key, widget in self._remembered():
            value = settings.value(f"{SETTINGS_GROUP}/{key}")
            if value is None:
                continue
            if isinstance(widget, QCheckBox):
                widget.setChecked(str(value).lower() in ("true", "1"))
            else:
                wanted = str(value).lower() in ("true", "1") if key == "public" else str(value)
                index = widget.findData(wanted)
                if index >= 0:
                    widget.setCurrentIndex(index)
        folder = settings.value(f"{SETTINGS_GROUP}/folder") or ""
        if folder and Path(str(folder)).is_dir():
            self.pdf[1].setText(str(Path(str(folder)) / "atlas.pdf"))  # the name follows the choices

    def save_settings(self) -> None:
        """Remember the choices and the output folder for the next report."""
        settings = QgsSettings()
        for key, widget in self._remembered():
            value = widget.isChecked() if isinstance(widget, QCheckBox) else widget.currentData()
            settings.setValue(f"{SETTINGS_GROUP}/{key}", value)
        pdf = self.pdf[1].text().strip()
        if pdf:
            settings.setValue(f"{SETTINGS_GROUP}/folder", str(Path(pdf).parent))

    # -- widgets
    def _file_row(self, file_filter: str, save: bool) -> tuple[QWidget, QLineEdit]:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        edit = QLineEdit()
        browse = QPushButton("…")
        browse.setToolTip(tr("Choose a file"))

        def choose() -> None:
            path, _ = QFileDialog.getSaveFileName(self, tr("Save as"), edit.text(), file_filter)
            if path:
                edit.setText(path)

        browse.clicked.connect(choose)
        row.addWidget(edit)
        row.addWidget(browse)
        return box, edit

    def _suggest_name(self) -> None:
        if self.pdf[1].text():
            folder = Path(self.pdf[1].text()).parent
        else:  # beside the GeoPackage; a shared workspace has no file: the home folder
            file = Workspace.of(self.workspace_path).path
            folder = file.parent if file is not None else Path.home()
        kind = "public" if self.version.currentData() else "internal"
        name = f"atlas-{self.period().label().replace(' ', '')}-{self.grouping.currentData()}-{kind}.pdf"
        self.pdf[1].setText(str(folder / name))

    def _update(self) -> None:
        month = self.whole_month.isChecked()
        self.month.setEnabled(month)
        self.first.setEnabled(not month)
        self.last.setEnabled(not month)
        public = bool(self.version.currentData())
        self.cells.setEnabled(public)
        if not public:
            self.cells.setChecked(False)
        ok = bool(self.pdf[1].text().strip()) and self.task is None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    # -- the job
    def period(self) -> Period:
        """The chosen period (a calendar month or the days from – to, inclusive), as the algorithm reads it."""
        if self.whole_month.isChecked():
            return resolve_period(self.month.date().toPyDate().replace(day=1))
        first, last = self.first.date().toPyDate(), self.last.date().toPyDate()
        return resolve_period(min(first, last), max(first, last))

    def request(self) -> MonthlyReportRequest:
        """What :func:`core.monthly_report.make_monthly_report` is asked for."""
        return MonthlyReportRequest(
            workspace=self.workspace_path,
            period=self.period(),
            output_pdf=self.pdf[1].text().strip(),
            grouping=self.grouping.currentData(),
            public=bool(self.version.currentData()),
            aggregate_cells=self.cells.isChecked(),
            language=self.language.currentData(),
            csv_path=self.csv[1].text().strip() or None,
            xlsx_path=self.xlsx[1].text().strip() or None,
            keep_citizen_text=self.keep_text.isChecked(),
            basemap=self.basemap.isChecked(),
        )

    def start(self) -> None:
        """Start the task; the dialog closes, the task bar shows the progress and a cancel button."""
        workspace = Workspace.of(self.workspace_path)
        if not workspace.exists():
            self._message(
                tr("The workspace {path} does not exist: synchronise first.").format(path=workspace.describe())
            )
            return
        request = self._request = self.request()
        self.task = MonthlyReportTask(request, layout_rows(request))
        self.task.done.connect(self._finished)
        keep, open_pdf = self.add_layouts.isChecked(), self.open_pdf.isChecked()
        self._after = (keep, open_pdf)
        _RUNNING.add(self)
        QgsApplication.taskManager().addTask(self.task)
        self._update()
        self.accept()

    def _finished(self, outcome: TaskOutcome) -> None:
        keep, open_pdf = getattr(self, "_after", (True, True))
        self.task = None
        _RUNNING.discard(self)
        if not outcome.ok:
            if not outcome.canceled:
                self._message(outcome.error_message(), error=True)
            return
        result = outcome.result  # the PDF is written (core.atlas.build.AtlasResult)
        if keep:
            try:
                from ..core.atlas.build import add_layouts_to_project

                data_path = str(Path(result.pdf).with_suffix("")) + "-data.gpkg"
                add_layouts_to_project(QgsProject.instance(), result, data_path=data_path)
            except Exception as exc:
                log.warning("Cannot add the layouts to the project: %s", exc, exc_info=True)
                self._message(tr("The layouts could not be added to the project: {error}").format(error=exc), True)
        if open_pdf:
            QDesktopServices.openUrl(QUrl.fromLocalFile(result.pdf))
        self._message(tr("Monthly report ready: {pages} pages, {path}").format(pages=result.pages, path=result.pdf))

    def _message(self, text: str, error: bool = False) -> None:
        bar = getattr(self.iface, "messageBar", None) if self.iface is not None else None
        if callable(bar):
            from qgis.core import Qgis

            push_plain_message(bar(), tr("Monthly report"), text, Qgis.Critical if error else Qgis.Success, 10)
        else:
            log.log(logging.ERROR if error else logging.INFO, "%s", text)


def open_monthly_report_dialog(workspace_path: str, iface: Any = None, parent: QWidget | None = None) -> int:
    """Show the dialog modally (the plugin's menu action); the workspace is a GeoPackage or a ``postgres:`` address."""
    dialog = MonthlyReportDialog(workspace_path, iface, parent)
    return dialog.exec()
