"""The monthly PDF atlas (core/atlas/): pages, text, personal data, rendering, Processing, qgis_process.

Expected values are computed here from the workspace with plain SQL and the working-day calendar
(core.workdays), never with core.stats (the code under test).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from qgis.core import QgsFeedback, QgsProject
from qgis.PyQt.QtGui import QImage

from openmisto_plugin.core.atlas import build as atlas_build
from openmisto_plugin.core.atlas import columns as atlas_columns
from openmisto_plugin.core.atlas import data as atlas_data
from openmisto_plugin.core.atlas import layers as atlas_layers
from openmisto_plugin.core.atlas import layout as atlas_layout
from openmisto_plugin.core.atlas.data import Lang, pages_for
from openmisto_plugin.core.stats import Period
from openmisto_plugin.core.timeutil import KYIV
from openmisto_plugin.core.workdays import add_working_days, end_of_day
from tests.test_processing import parse_json_output, qgis_process_env, run_qgis_process  # noqa: F401 - a fixture

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
pytestmark = pytest.mark.skipif(not (PDFTOTEXT and PDFTOPPM), reason="poppler-utils is not installed")

NOW = datetime.now(timezone.utc).replace(microsecond=0)
TODAY = NOW.astimezone(KYIV).date()
PERIOD = Period.days(TODAY - timedelta(days=29), TODAY)  # ends after now: overdue is "overdue now"
OPEN_CODES = ("for_triage", "investigating", "action_scheduled", "in_progress", "planned")


# --- independent expectations ---------------------------------------------------------------------


def _dt(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _due(code: str, requested: datetime, assigned: datetime | None, expected: datetime | None) -> datetime:
    """The Procedure's defaults (1 working day to moderate, 10 to answer, planned ≤ 30 calendar days)."""
    if code in ("for_triage", "investigating"):
        return add_working_days(requested, 1)
    start = assigned or requested
    answer = add_working_days(start, 10)
    if code != "planned" or expected is None:
        return answer
    planned = expected.astimezone(KYIV)
    if planned.time() == time(0, 0):
        planned = end_of_day(planned.date())
    return min(planned, end_of_day(start.astimezone(KYIV).date() + timedelta(days=30)))


def expected_counts(workspace: Path) -> dict[str, dict[str, int]]:
    """``{agency or '': {"received": n, "overdue": n}}`` and ``'*'`` for the city, by SQL and the calendar."""
    start = PERIOD.start.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    end = PERIOD.end.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    out: dict[str, dict[str, int]] = {}
    with sqlite3.connect(f"file:{workspace}?mode=ro", uri=True) as db:
        for agency, n in db.execute(
            "SELECT coalesce(agency_responsible, ''), count(*) FROM reports "
            "WHERE requested_datetime >= ? AND requested_datetime < ? GROUP BY 1",
            (start, end),
        ):
            out.setdefault(agency, {"received": 0, "overdue": 0})["received"] = n
        marks = ",".join("?" * len(OPEN_CODES))
        for agency, code, requested, assigned, expected, deadline in db.execute(
            "SELECT coalesce(agency_responsible, ''), external_status_code, requested_datetime, assigned_datetime, "
            f"expected_datetime, deadline FROM reports WHERE external_status_code IN ({marks})",
            OPEN_CODES,
        ):
            due = _dt(deadline) or _due(code, _dt(requested), _dt(assigned), _dt(expected))
            if due < NOW:
                out.setdefault(agency, {"received": 0, "overdue": 0})["overdue"] += 1
    out["*"] = {k: sum(v[k] for v in out.values()) for k in ("received", "overdue")}
    return out


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def figure_on(page: str, label: str) -> int:
    """The current-period value next to a figure's label in the figures table."""
    found = re.search(rf"(?<!\S){re.escape(label)}\s+(\d+)(?!\S)", page)
    assert found, f"no {label!r} row on the page:\n{page}"
    return int(found.group(1))


def non_white_share(png: Path) -> float:
    image = QImage(str(png))
    assert not image.isNull()
    step = 2
    total = coloured = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            total += 1
            colour = image.pixelColor(x, y)
            if min(colour.red(), colour.green(), colour.blue()) < 235:
                coloured += 1
    return coloured / total


@pytest.fixture(scope="module")
def internal(atlas_workspace, tmp_path_factory):
    out = tmp_path_factory.mktemp("atlas") / "internal.pdf"
    result = atlas_build.build_atlas(
        atlas_workspace.path, PERIOD, "department", False, out, now=NOW, csv_path=out.with_suffix(".csv")
    )
    return result


@pytest.fixture(scope="module")
def public(atlas_workspace, tmp_path_factory):
    out = tmp_path_factory.mktemp("atlas") / "public.pdf"
    return atlas_build.build_atlas(atlas_workspace.path, PERIOD, "department", True, out, now=NOW)


# --- the internal atlas ---------------------------------------------------------------------------


def test_page_count_follows_the_data(internal, atlas_workspace) -> None:
    counts = expected_counts(atlas_workspace.path)
    groups = [d["code"] for d in atlas_workspace.departments]
    assert counts.get("", {}).get("received", 0) > 0  # unassigned reports arrived: their page is there
    groups.append("")
    expected = 1 + sum(
        pages_for(
            min(counts.get(g, {}).get("overdue", 0), atlas_data.OVERDUE_LIMIT), internal.rows_first, internal.rows_next
        )
        for g in groups
    )
    assert internal.pages == expected
    assert len(pdf_pages(Path(internal.pdf))) == expected
    assert set(internal.group_pages) == set(groups)
    assert internal.rows_first >= 8 and internal.rows_next > internal.rows_first


def test_text_holds_names_and_figures(internal, atlas_workspace) -> None:
    counts = expected_counts(atlas_workspace.path)
    labels = Lang("uk").figure_labels()
    pages = pdf_pages(Path(internal.pdf))
    cover = pages[0]
    assert figure_on(cover, labels["received"]) == counts["*"]["received"]
    assert figure_on(cover, labels["overdue"]) == counts["*"]["overdue"]
    for department in atlas_workspace.departments:
        page = pages[internal.group_pages[department["code"]] - 1]
        assert department["name"] in " ".join(page.split()), department["name"]
        expected = counts.get(department["code"], {"received": 0, "overdue": 0})
        assert figure_on(page, labels["received"]) == expected["received"], department["name"]
        assert figure_on(page, labels["overdue"]) == expected["overdue"], department["name"]
        assert department["officer_name"] in page  # internal: the responsible officer is named
    for page in pages:
        assert Lang("uk").tr("Period: {period}").split("{")[0].strip() in page  # the period on every page
        assert re.search(r"\d+ з " + str(internal.pages), page)  # "page n of N" on every page
    assert Path(internal.csv).read_bytes().startswith(b"\xef\xbb\xbf")


def test_overdue_categories_print_whole_and_shares_have_one_decimal(internal) -> None:
    """The overdue table gives the category what its name needs (no "Пошкоджений дитячий май"); per cent is one
    format everywhere: one decimal with the Ukrainian comma, never "75 %" beside "83,3 %" (issue 11, item 13)."""
    pages = pdf_pages(Path(internal.pdf))
    for group in internal.data.groups:
        text = " ".join(" ".join(pages[group.first_page - 1 : group.first_page - 1 + group.page_count]).split())
        for row in group.overdue_rows:
            # whole, or (a name longer than the narrow first-page column allows) visibly cut after a long start
            cut = re.search(re.escape(row.category[:18]) + r"[^…]*…", text)
            assert row.category in text or cut, (row.category, group.key)
    # names wider than the old fixed column (33 mm) now print whole on the first page of their group
    first_pages = " ".join(" ".join(pages[g.first_page - 1] for g in internal.data.groups).split())
    wide = {
        r.category
        for g in internal.data.groups
        for r in g.overdue_rows[:3]
        if atlas_columns.text_width_mm(r.category) > 33
    }
    assert wide and any(name in first_pages for name in wide), wide
    shares = re.findall(r"(?<![\d,])(\d+(?:,\d+)?) %", " ".join(pages))
    assert shares and all(re.fullmatch(r"\d+,\d", share) for share in shares), shares
    lang = Lang("uk")
    assert lang.value("resolved_in_time_share", 0.75) == "75,0 %" and lang.value("resolved_in_time_share", 5 / 6) == (
        "83,3 %"
    )


def test_long_overdue_lists_flow_onto_more_pages(internal) -> None:
    data = internal.data
    long = [g for g in data.groups if g.page_count > 1]
    assert long, "the test data should have a department with a long overdue list"
    pages = pdf_pages(Path(internal.pdf))
    group = long[0]
    rows = group.overdue_rows
    last_page = pages[group.first_page + group.page_count - 2]
    assert rows[-1].address in last_page or rows[-1].number in last_page
    text = "\n".join(pages[group.first_page - 1 : group.first_page - 1 + group.page_count])
    listed = [r for r in rows if re.search(rf"(?<!\S){re.escape(r.number)}\s+{re.escape(r.category.split()[0])}", text)]
    assert len(listed) == len(rows)


def test_page_one_is_not_blank(internal, tmp_path) -> None:
    subprocess.run([PDFTOPPM, "-r", "50", "-f", "1", "-l", "1", "-png", internal.pdf, str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    assert non_white_share(png) > 0.08


# --- the public atlas -----------------------------------------------------------------------------


def _personal_strings(atlas_workspace) -> list[str]:
    found = []
    for d in atlas_workspace.departments:
        found += [d["officer_name"], d["officer_phone"], d["officer_email"]]
        found += d["officer_name"].split()[:1]  # the surname alone
    with sqlite3.connect(f"file:{atlas_workspace.server_db}?mode=ro", uri=True) as db:
        for (text,) in db.execute("SELECT description FROM requests WHERE description LIKE '%+380%'"):
            found += re.findall(r"\+380\d{9}", text)
        for row in db.execute("SELECT contact_email, contact_phone FROM requests"):
            found += [v for v in row if v]
    return [s for s in found if s]


def test_public_version_has_no_personal_data(public, internal, atlas_workspace) -> None:
    secrets = _personal_strings(atlas_workspace)
    assert any(re.fullmatch(r"\+380\d{9}", s) for s in secrets)
    text = "\n".join(pdf_pages(Path(public.pdf)))
    flat = re.sub(r"\s+", "", text)
    leaked = [s for s in secrets if s in text or re.sub(r"\s+", "", s) in flat]
    assert not leaked
    assert public.pages == internal.pages
    assert Lang("uk").tr("Public version") in text


def test_public_kept_text_masks_phones(atlas_workspace, tmp_path) -> None:
    result = atlas_build.build_atlas(
        atlas_workspace.path,
        PERIOD,
        "department",
        True,
        tmp_path / "p.pdf",
        now=NOW,
        keep_citizen_text=True,
        aggregate_cells=True,
    )
    text = "\n".join(pdf_pages(Path(result.pdf)))
    assert not re.search(r"\+380\d{9}", text)
    assert result.data.cells and not result.data.points


def test_mask_and_street_only() -> None:
    assert atlas_data.mask_contacts("дзвоніть +380671234567 або a.b@mail.example") == "дзвоніть *** або ***"
    assert atlas_data.street_only("вул. Центральна, 12") == "вул. Центральна"
    assert atlas_data.street_only("просп. Миру, 7/2, кв. 5") == "просп. Миру"


# --- other options --------------------------------------------------------------------------------


def test_districts_in_english(atlas_workspace, tmp_path) -> None:
    result = atlas_build.build_atlas(
        atlas_workspace.path, PERIOD, "district", False, tmp_path / "d.pdf", language="en", now=NOW
    )
    pages = pdf_pages(Path(result.pdf))
    assert len(pages) == result.pages == 1 + sum(g.page_count for g in result.data.groups)
    with sqlite3.connect(f"file:{atlas_workspace.path}?mode=ro", uri=True) as db:
        names = [n for (n,) in db.execute("SELECT name FROM districts")]
    for name in names:
        assert any(name in p for p in pages[1:])
    assert "Received" in pages[0] and "Page 1 of" in pages[0]


def test_cancel(atlas_workspace, tmp_path) -> None:
    feedback = QgsFeedback()
    feedback.cancel()
    with pytest.raises(atlas_data.AtlasCanceled):
        atlas_build.build_atlas(
            atlas_workspace.path, PERIOD, "department", False, tmp_path / "c.pdf", feedback=feedback
        )


def test_layouts_in_a_project(internal, tmp_path) -> None:
    project = QgsProject()
    layouts = atlas_build.add_layouts_to_project(project, internal, data_path=tmp_path / "atlas.gpkg")
    assert len(project.layoutManager().printLayouts()) == 2
    _cover, group = layouts
    assert group.atlas().enabled()
    assert group.atlas().coverageLayer().featureCount() == internal.pages - 1
    assert (tmp_path / "atlas.gpkg").exists()
    # again: replaced, not doubled
    atlas_build.add_layouts_to_project(project, internal)
    assert len(project.layoutManager().printLayouts()) == 2
    # memory layers (no data_path) are made again from the workspace: QGIS must not ask on quit whether to
    # keep them (QgisApp::checkMemoryLayers skips a layer with this custom property; issue 11, item 13)
    memory = [layer for layer in project.mapLayers().values() if layer.providerType() == "memory"]
    assert memory and all(int(layer.customProperty("skipMemoryLayersCheck", 0)) == 1 for layer in memory)


def test_the_basemap_goes_under_the_maps_only_when_asked(internal) -> None:
    """Issue 11, item 14: the atlas draws the OpenStreetMap basemap under its maps when asked (default off: the
    atlas above was made without it, offline); the layer is only configured here, no tile is fetched."""
    from openmisto_plugin.core import basemap

    project = QgsProject()
    cover, group = atlas_layout.load_layouts(project)
    layers = atlas_layers.make_layers(internal.data, internal.workspace_path)
    atlas_layout.fill_group(group, internal.data, layers, NOW)
    assert all(layer.providerType() != "wms" for layer in group.itemById("om_map_group").layers())
    layers.basemap = basemap.osm_layer()
    atlas_layout.fill_cover(cover, internal.data, layers, NOW)
    atlas_layout.fill_group(group, internal.data, layers, NOW)
    for layout, item_id in ((cover, "om_map_status"), (group, "om_map_group")):
        drawn = layout.itemById(item_id).layers()
        assert drawn[-1] is layers.basemap and drawn[0] is not layers.basemap  # bottom, under the reports


def test_parse_period() -> None:
    assert atlas_build.parse_period("2026-11") == Period.month(2026, 11)
    assert atlas_build.parse_period((date(2026, 11, 1), date(2026, 11, 15))) == Period.days(
        date(2026, 11, 1), date(2026, 11, 15)
    )
    with pytest.raises(ValueError):
        atlas_build.parse_period(42)


# --- Processing -----------------------------------------------------------------------------------


def _params(workspace: Path, output: Path) -> dict[str, str]:
    return {
        "WORKSPACE": str(workspace),
        "PERIOD_START": PERIOD.first_day.isoformat(),
        "PERIOD_END": PERIOD.last_day.isoformat(),
        "GROUPING": "0",
        "PUBLIC": "false",
        "OUTPUT": str(output),
    }


def _comparable(pages: list[str]) -> list[str]:
    """Page texts without the moment the PDF was made."""
    return [re.sub(r"Складено: \S+ \S+", "", p) for p in pages]


def test_processing_algorithm(openmisto_provider, atlas_workspace, tmp_path) -> None:
    import processing

    params = _params(atlas_workspace.path, tmp_path / "a.pdf")
    params["XLSX"] = str(tmp_path / "f.xlsx")
    result = processing.run("openmisto:monthlyreport", params)
    assert Path(result["OUTPUT"]).exists() and (tmp_path / "f.xlsx").exists()
    assert result["PAGES"] == len(pdf_pages(Path(result["OUTPUT"])))


@pytest.mark.skipif(not shutil.which("qgis_process.bin"), reason="qgis_process.bin is not installed")
def test_qgis_process_writes_the_same_pdf(qgis_process_env, atlas_workspace, tmp_path) -> None:  # noqa: F811
    env = qgis_process_env
    output = tmp_path / "headless.pdf"
    args = [f"{k}={v}" for k, v in _params(atlas_workspace.path, output).items()]
    ran = run_qgis_process(["--json", "run", "openmisto:monthlyreport", "--", *args], env)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    results = parse_json_output(ran.stdout)["results"]
    assert Path(results["OUTPUT"]) == output
    in_process = atlas_build.build_atlas(atlas_workspace.path, PERIOD, "department", False, tmp_path / "in.pdf")
    assert int(results["PAGES"]) == in_process.pages
    assert _comparable(pdf_pages(output)) == _comparable(pdf_pages(Path(in_process.pdf)))


# --- the dialog -----------------------------------------------------------------------------------


def test_dialog_builds_in_a_task_and_keeps_the_layouts(qgis_new_project, atlas_workspace, tmp_path) -> None:
    import time as _time

    from qgis.PyQt.QtCore import QCoreApplication

    from openmisto_plugin.gui.monthly_report_dialog import MonthlyReportDialog

    dialog = MonthlyReportDialog(str(atlas_workspace.path))
    dialog.any_dates.setChecked(True)
    dialog.first.setDate(PERIOD.first_day)
    dialog.last.setDate(PERIOD.last_day)
    assert dialog.period() == PERIOD
    dialog.pdf[1].setText(str(tmp_path / "dialog.pdf"))
    dialog.open_pdf.setChecked(False)
    dialog.add_layouts.setChecked(True)  # off by default: the user's project is not touched unless asked
    outcomes = []
    dialog.start()
    dialog.task.done.connect(outcomes.append)
    deadline = _time.monotonic() + 120
    while not outcomes and _time.monotonic() < deadline:
        QCoreApplication.processEvents()
        _time.sleep(0.02)
    assert outcomes and outcomes[0].ok, outcomes and outcomes[0].error
    assert (tmp_path / "dialog.pdf").exists()
    assert len(QgsProject.instance().layoutManager().printLayouts()) == 2
    assert (tmp_path / "dialog-data.gpkg").exists()


def test_reading_only_recent_rows_gives_the_same_figures(atlas_workspace) -> None:
    from openmisto_plugin.core import stats

    for period in (PERIOD, Period.month(TODAY.year, TODAY.month), Period.month(2026, 1)):
        previous = period.previous()
        full = stats.load_rows(atlas_workspace.path)
        recent = atlas_data.load_rows_since(atlas_workspace.path, previous.start)
        assert len(recent.reports) <= len(full.reports)
        a = stats.figure_set(full.reports, full.history, period, now=NOW, names=full.names["department"])
        b = stats.figure_set(recent.reports, recent.history, period, now=NOW, names=recent.names["department"])
        assert [(r.key, r.current.as_dict(), r.previous.as_dict()) for r in a.rows] == [
            (r.key, r.current.as_dict(), r.previous.as_dict()) for r in b.rows
        ]


def test_a_box_proj_refuses_as_a_whole_is_drawn_from_its_corners() -> None:
    """QGIS 3.40/3.44 refused transformBoundingBox of the city box inside a task once; the atlas must still draw."""
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsCoordinateTransformContext,
        QgsCsException,
    )

    from openmisto_plugin.core.atlas.data import MAP_CRS, _to_map

    class RefusingBoxes(QgsCoordinateTransform):
        def transformBoundingBox(self, *_args, **_kwargs):
            raise QgsCsException("Invalid value for an argument")

    args = (QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem(MAP_CRS))
    real = QgsCoordinateTransform(*args, QgsCoordinateTransformContext())
    refusing = RefusingBoxes(*args, QgsCoordinateTransformContext())
    pokrov = (34.05, 47.61, 34.18, 47.70)
    whole = _to_map(real, pokrov)
    from_corners = _to_map(refusing, pokrov)
    assert from_corners is not None
    assert all(abs(a - b) < 50 for a, b in zip(whole, from_corners)), (whole, from_corners)  # metres
