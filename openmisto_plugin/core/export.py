"""Export the effectiveness figures (core/stats/) to CSV and XLSX (issue 4, item 2).

* CSV: UTF-8 with a BOM (so Excel shows Ukrainian letters), one table for all groupings,
  the header row in the user's language. Excel reads a CSV with its locale's list
  separator: where the decimal separator is a comma (Ukrainian locale) the list separator
  is ``;``. So by default the decimal separator follows ``QLocale()`` and the delimiter
  follows the decimal separator (``,`` → ``;``); both can be given.
* XLSX: a minimal SpreadsheetML workbook written with the standard library (zip + XML,
  inline strings), one sheet per grouping: no openpyxl needed in QGIS's Python.

Values: counts as integers; the share "resolved in time" in CSV as a percentage (66.7),
in XLSX as a fraction with a percentage format; working days with up to 2 decimals.
Changes against the previous period follow the figures (share change in percentage points).
Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first: names come from
the platform) gets a leading ``'`` in both formats (``escaping.spreadsheet_cell``).
"""

from __future__ import annotations

import csv
import logging
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Union
from xml.sax.saxutils import escape, quoteattr  # nosec B406 - escapes text for XML we write; parses nothing

from .escaping import spreadsheet_cell
from .i18n import tr
from .stats import (
    CITY_KEY,
    DAYS_FIELDS,
    FIGURE_FIELDS,
    SHARE_FIELDS,
    Figures,
    FigureSet,
    figure_headers,
    grouping_label,
)

log = logging.getLogger(__name__)

FiguresInput = Union[FigureSet, Sequence[Figures]]
"""What the writers take per grouping: a :class:`FigureSet` (with changes) or a list of :class:`Figures`."""

_NUMBER = Union[int, float, None]

# --------------------------------------------------------------------------- the table


def _rows_of(data: FiguresInput) -> tuple[list[tuple[Figures, dict[str, _NUMBER] | None]], str, str | None]:
    """``([(figures, deltas or None)], period label, previous period label or None)``."""
    if isinstance(data, FigureSet):
        return (
            [(row.current, row.deltas) for row in data.rows],
            data.period.label(),
            data.previous_period.label(),
        )
    return [(f, None) for f in data], "", None


def table(data: FiguresInput, grouping: str | None = None) -> tuple[list[str], list[list[object]]]:
    """Header row and rows of one grouping (values raw: shares as fractions, ``None`` for no value).

    Columns: [Grouping], Group, Code, Period, [Previous period], the figures, [their changes].
    The bracketed ones appear when ``grouping`` is given / when ``data`` has the previous period.
    """
    rows, period, previous = _rows_of(data)
    names = figure_headers()
    header: list[str] = []
    if grouping is not None:
        header.append(tr("Grouping"))
    header += [tr("Group"), tr("Code"), tr("Period")]
    if previous is not None:
        header.append(tr("Previous period"))
    header += [names[n] for n in FIGURE_FIELDS]
    if previous is not None:
        header += [tr("Change: {figure}").format(figure=names[n]) for n in FIGURE_FIELDS]
    out: list[list[object]] = []
    for figures, deltas in rows:
        line: list[object] = []
        if grouping is not None:
            line.append(grouping_label(grouping))
        line += [figures.label, "" if figures.key == CITY_KEY else figures.key, period]
        if previous is not None:
            line.append(previous)
        line += [figures.value(n) for n in FIGURE_FIELDS]
        if deltas is not None:
            line += [deltas.get(n) for n in FIGURE_FIELDS]
        out.append(line)
    return header, out


def _field_of_column(data: FiguresInput, index: int, grouping: str | None) -> str | None:
    """The figure name behind a column index of :func:`table` (``None`` for text columns)."""
    _, _, previous = _rows_of(data)
    lead = (1 if grouping is not None else 0) + 3 + (1 if previous is not None else 0)
    k = index - lead
    if k < 0:
        return None
    return FIGURE_FIELDS[k % len(FIGURE_FIELDS)]


# --------------------------------------------------------------------------- CSV


def _locale_decimal() -> str:
    try:
        from qgis.PyQt.QtCore import QLocale

        point = QLocale().decimalPoint()
        return str(point) or "."
    except Exception:  # noqa: BLE001 - no Qt: a plain dot
        return "."


def _csv_value(value: object, name: str | None, decimal: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return spreadsheet_cell(str(value))
    if name in SHARE_FIELDS:
        value = round(float(value) * 100, 1)
    elif name in DAYS_FIELDS:
        value = round(float(value), 2)
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    else:
        text = str(value)
    return text.replace(".", decimal) if decimal != "." else text


def write_csv(
    path: str | Path,
    figures_by_grouping: Mapping[str, FiguresInput],
    delimiter: str | None = None,
    decimal: str | None = None,
) -> Path:
    """Write all groupings into one CSV table (UTF-8 with BOM, translated header); returns the path.

    ``decimal`` defaults to the locale's decimal separator, ``delimiter`` to ``;`` when the
    decimal separator is a comma, else ``,`` (what Excel expects in that locale).
    """
    decimal = decimal or _locale_decimal()
    delimiter = delimiter or (";" if decimal == "," else ",")
    if delimiter == decimal:
        raise ValueError("the delimiter and the decimal separator must differ")
    path = Path(path)
    header_written = False
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        for grouping, data in figures_by_grouping.items():
            header, rows = table(data, grouping)
            if not header_written:
                writer.writerow(header)
                header_written = True
            for row in rows:
                writer.writerow(
                    [_csv_value(v, _field_of_column(data, i, grouping), decimal) for i, v in enumerate(row)]
                )
    log.info("Wrote the figures to %s", path)
    return path


# --------------------------------------------------------------------------- XLSX

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Styles (index into cellXfs of _STYLES): 0 default, 1 header, 2 percent, 3 days.
_STYLE_HEADER, _STYLE_PERCENT, _STYLE_DAYS = 1, 2, 3

_STYLES = (
    _XML_DECL + f'<styleSheet xmlns="{_NS_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="0.0%"/><numFmt numFmtId="165" formatCode="0.0"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment wrapText="1" vertical="top"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

# Characters XML 1.0 does not allow (control characters other than tab, LF, CR).
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(ref: str, value: object, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = spreadsheet_cell(_BAD_XML.sub("", str(value)))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _sheet_xml(header: Sequence[str], rows: Sequence[Sequence[object]], styles: Sequence[int]) -> str:
    widths = [max(10, min(40, len(h) // 2 + 4)) for h in header]
    widths[0] = 36
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths))
    out = [
        _XML_DECL,
        f'<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">',
        f'<dimension ref="A1:{_column_letter(len(header) - 1)}{len(rows) + 1}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>'
        "</sheetView></sheetViews>",
        '<sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{cols}</cols>",
        "<sheetData>",
        '<row r="1">',
    ]
    out += [_cell(f"{_column_letter(i)}1", h, _STYLE_HEADER) for i, h in enumerate(header)]
    out.append("</row>")
    for r, row in enumerate(rows, start=2):
        out.append(f'<row r="{r}">')
        out += [_cell(f"{_column_letter(i)}{r}", v, styles[i]) for i, v in enumerate(row)]
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, none of ``[]:*?/\\``)."""
    base = _BAD_SHEET_CHARS.sub("_", _BAD_XML.sub("", name)).strip().strip("'")[:31] or "Sheet"
    candidate, n = base, 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def write_xlsx(path: str | Path, figures_by_grouping: Mapping[str, FiguresInput]) -> Path:
    """Write an XLSX workbook with one sheet per grouping (named by :func:`stats.grouping_label`); returns the path."""
    if not figures_by_grouping:
        raise ValueError("nothing to write: no grouping")
    path = Path(path)
    taken: set[str] = set()
    sheets: list[tuple[str, str]] = []
    for grouping, data in figures_by_grouping.items():
        header, rows = table(data)
        styles = []
        for i in range(len(header)):
            name = _field_of_column(data, i, None)
            styles.append(_STYLE_PERCENT if name in SHARE_FIELDS else _STYLE_DAYS if name in DAYS_FIELDS else 0)
        sheets.append((sheet_name(grouping_label(grouping), taken), _sheet_xml(header, rows, styles)))
    _write_workbook(path, sheets)
    log.info("Wrote the figures to %s", path)
    return path


def write_rows_xlsx(path: str | Path, sheet: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """One plain sheet (a header row, then ``rows``) as an XLSX workbook; returns the path."""
    path = Path(path)
    _write_workbook(path, [(sheet_name(sheet, set()), _sheet_xml(header, rows, [0] * len(header)))])
    return path


def write_rows_csv(path: str | Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """A plain table as CSV (UTF-8 with BOM; ``;`` where the decimal separator is a comma); returns the path."""
    decimal = _locale_decimal()
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";" if decimal == "," else ",", lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_value(value, None, decimal) for value in row])
    return path


def _write_workbook(path: Path, sheets: Sequence[tuple[str, str]]) -> None:
    """The XLSX package around ``(sheet name, sheet XML)`` pairs."""
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    content_types = (
        _XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        _XML_DECL + f'<Relationships xmlns="{_NS_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    sheet_entries = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>' for i, (name, _) in enumerate(sheets, start=1)
    )
    workbook = (
        _XML_DECL + f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheet_entries}</sheets></workbook>"
    )
    workbook_rels = (
        _XML_DECL
        + f'<Relationships xmlns="{_NS_PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_NS_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{_NS_REL}/styles" Target="styles.xml"/>'
        + "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        z.writestr("xl/styles.xml", _STYLES)
        for i, (_, xml) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)


__all__ = ["FiguresInput", "sheet_name", "table", "write_csv", "write_rows_csv", "write_rows_xlsx", "write_xlsx"]
