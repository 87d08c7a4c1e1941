"""The monthly report dialog's form (issue 11, item 11): it opens on the last whole month, remembers the last
report's choices in QgsSettings (no secrets), and leaves the user's project alone unless asked."""

from __future__ import annotations

from datetime import datetime

import pytest
from qgis.core import QgsSettings

from openmisto_plugin.core.timeutil import KYIV
from openmisto_plugin.gui.monthly_report_dialog import SETTINGS_GROUP, MonthlyReportDialog


@pytest.fixture()
def clean_dialog_settings(qgis_app):
    settings = QgsSettings()
    settings.remove(SETTINGS_GROUP)
    yield settings
    settings.remove(SETTINGS_GROUP)


def test_opens_on_the_last_whole_month_without_touching_the_project(clean_dialog_settings, tmp_path):
    today = datetime.now(KYIV).date()
    last_month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    dialog = MonthlyReportDialog(str(tmp_path / "workspace.gpkg"))
    try:
        period = dialog.period()
        assert (period.first_day.year, period.first_day.month) == last_month
        assert period.first_day.day == 1 and period.last_day < today.replace(day=1)  # a whole, finished month
        assert dialog.last.date().toPyDate() == period.last_day  # "from – to" offers the same month
        assert not dialog.add_layouts.isChecked()  # no layer group in the user's project by default
        assert "atlas-" in dialog.pdf[1].text() and str(tmp_path) in dialog.pdf[1].text()
    finally:
        dialog.deleteLater()


def test_remembers_the_choices_of_the_last_report(clean_dialog_settings, tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    dialog = MonthlyReportDialog(str(tmp_path / "workspace.gpkg"))
    dialog.grouping.setCurrentIndex(dialog.grouping.findData("district"))
    dialog.version.setCurrentIndex(dialog.version.findData(True))
    dialog.cells.setChecked(True)
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.add_layouts.setChecked(True)
    dialog.open_pdf.setChecked(False)
    dialog.pdf[1].setText(str(out / "mine.pdf"))
    dialog.save_settings()
    dialog.deleteLater()

    again = MonthlyReportDialog(str(tmp_path / "workspace.gpkg"))
    try:
        assert again.grouping.currentData() == "district" and again.version.currentData() is True
        assert again.cells.isChecked() and again.language.currentData() == "en"
        assert again.add_layouts.isChecked() and not again.open_pdf.isChecked()
        assert again.pdf[1].text().startswith(str(out))  # the folder is remembered, the name follows the choices
        assert "district-public" in again.pdf[1].text()
    finally:
        again.deleteLater()
    stored = {key: clean_dialog_settings.value(f"{SETTINGS_GROUP}/{key}") for key in ("folder", "grouping")}
    assert stored == {"folder": str(out), "grouping": "district"}


def test_the_basemap_is_an_option_off_by_default(clean_dialog_settings, tmp_path, openmisto_provider):
    """Issue 11, item 14: the atlas offers OpenStreetMap under its maps, off unless asked (works offline)."""
    from qgis.core import QgsApplication

    dialog = MonthlyReportDialog(str(tmp_path / "workspace.gpkg"))
    try:
        assert not dialog.basemap.isChecked() and dialog.request().basemap is False
        dialog.basemap.setChecked(True)
        assert dialog.request().basemap is True
    finally:
        dialog.deleteLater()
    algorithm = QgsApplication.processingRegistry().algorithmById("openmisto:monthlyreport")
    parameter = algorithm.parameterDefinition("BASEMAP")
    assert parameter is not None and parameter.defaultValue() is False
