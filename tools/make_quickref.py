"""The officers' one-page quick reference (Ukrainian PDF): statuses, who sets each, the deadlines.

Generated, so that it never goes stale: the statuses, their colours, who sets them and what may follow
come from ``openmisto_plugin/core/statuses.py``; the labels from the Ukrainian translation
(``i18n/openmisto_uk.ts``); the terms from ``resources/procedure.ini`` (through ``core/deadlines.py``);
the text around them from ``resources/quickref/quickref_uk.html`` (placeholders ``{statuses}``,
``{terms}``, ``{categories}``, ``{end_of_day}``…). QTextDocument → QPdfWriter, A4 portrait.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/make_quickref.py --output docs/uk/quickref.pdf

Fails (exit 1) when the result is not exactly one page.
"""

from __future__ import annotations

import argparse
import html
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "i18n"))

from qgis.PyQt.QtCore import QCoreApplication, QMarginsF, QRectF, QSizeF, QTranslator  # noqa: E402
from qgis.PyQt.QtGui import QFont, QGuiApplication, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument  # noqa: E402

TEMPLATE = ROOT / "resources" / "quickref" / "quickref_uk.html"
WHO = {"platform": "платформа", "moderator": "модератор", "officer": "виконавець"}
OPEN311 = {"open": "відкрите", "closed": "закрите"}
NEEDS_ANSWER = " <i>(відповідь заявникові обов&#39;язкова)</i>"


class TsTranslator(QTranslator):
    """Ukrainian from the ``.ts`` itself: no compiled ``.qm`` needed, always the current text."""

    def __init__(self, messages: dict[str, str]) -> None:
        super().__init__()
        self.messages = messages

    def translate(self, context, source, disambiguation=None, n=-1):
        return self.messages.get(source) if context == "OpenMisto" else None

    def isEmpty(self) -> bool:
        return False


def ukrainian() -> dict[str, str]:
    """Source string → Ukrainian translation from ``i18n/openmisto_uk.ts``."""
    import update_ts

    return {s: m.translation for s, m in update_ts.read_ts().items() if m.translation and not m.kind}


def category_names() -> dict[str, str]:
    """Names of the categories (from the reference data; codes where unknown)."""
    try:
        from server import pokrov_data

        services = getattr(pokrov_data, "CATEGORIES", ())
        return {row[0]: row[1] for row in services if len(row) > 1}
    except Exception:  # noqa: BLE001 - names are a nicety
        return {}


def days(n: int, kind: str) -> str:
    """«1 робочий день», «5 робочих днів», «30 календарних днів»."""
    adjective = {"work": ("робочий", "робочі", "робочих"), "cal": ("календарний", "календарні", "календарних")}[kind]
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} {adjective[0]} день"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} {adjective[1]} дні"
    return f"{n} {adjective[2]} днів"


def fill(template: str) -> str:
    from openmisto_plugin.core import deadlines, statuses

    procedure = deadlines.load_procedure()
    terms = procedure.defaults
    e = html.escape

    def term_of(code: str) -> str:
        if code in deadlines.MODERATION_CODES:
            return f"модерація: {days(terms.moderation_working_days, 'work')} від надходження"
        if code in deadlines.ANSWER_CODES:
            return f"відповідь: {days(terms.answer_working_days, 'work')} від передачі органу"
        if code in deadlines.PLANNED_CODES:
            return f"запланована дата, не пізніше {days(terms.extension_max_calendar_days, 'cal')} від передачі"
        return "немає (закрите)"

    rows = []
    for code, status in statuses.STATUSES.items():
        following = ", ".join(statuses.label(c) for c in statuses.TRANSITIONS.get(code, ()) if c != code)
        rows.append(
            "<tr>"
            f'<td><span style="color:{status.colour}">&#9679;</span> <b>{e(status.label)}</b></td>'
            f"<td>{OPEN311[status.open311]}</td>"
            f"<td>{e(', '.join(WHO.get(w, w) for w in status.set_by))}</td>"
            f"<td>{e(term_of(code))}{NEEDS_ANSWER if status.needs_answer else ''}</td>"
            f'<td class="small">{e(following)}</td>'
            "</tr>"
        )
    names = category_names()
    categories = []
    for code, own in sorted(procedure.categories.items()):
        differs = []
        if own.moderation_working_days != terms.moderation_working_days:
            differs.append(f"модерація — {days(own.moderation_working_days, 'work')}")
        if own.answer_working_days != terms.answer_working_days:
            differs.append(f"відповідь — {days(own.answer_working_days, 'work')}")
        if own.extension_max_calendar_days != terms.extension_max_calendar_days:
            differs.append(f"продовження — до {days(own.extension_max_calendar_days, 'cal')}")
        if differs:
            name = names.get(code, code)
            categories.append(f"<li>{e(name)} (<code>{e(code)}</code>): {e('; '.join(differs))}</li>")
    values = {
        "statuses": "".join(rows),
        "moderation": e(days(terms.moderation_working_days, "work")),
        "answer": e(days(terms.answer_working_days, "work")),
        "extension": e(days(terms.extension_max_calendar_days, "cal")),
        "end_of_day": procedure.end_of_working_day.strftime("%H:%M"),
        "categories": "<ul>" + "".join(categories) + "</ul>" if categories else "<p>Окремих строків немає.</p>",
    }
    return re.sub(r"<!--.*?-->", "", template, flags=re.DOTALL).format(**values)


def make(output: Path) -> int:
    """Write the PDF; returns the number of pages."""
    document = QTextDocument()
    font = QFont("DejaVu Sans")
    font.setPointSizeF(8.3)
    document.setDefaultFont(font)
    # The translator only while the text is made: installed, it also answers Qt's own contexts.
    translator = TsTranslator(ukrainian())
    QCoreApplication.installTranslator(translator)
    try:
        text = fill(TEMPLATE.read_text(encoding="utf-8"))
    finally:
        QCoreApplication.removeTranslator(translator)
    document.setHtml(text)
    output.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(output))
    writer.setTitle("Відкрите Місто — пам'ятка відповідальної особи")
    writer.setCreator("tools/make_quickref.py")
    writer.setResolution(300)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(12, 10, 12, 10), QPageLayout.Unit.Millimeter)
    # Lay the text out at the PDF's own resolution and paint it: one page, exactly as measured.
    document.documentLayout().setPaintDevice(writer)
    document.setPageSize(QSizeF(writer.width(), writer.height()))
    painter = QPainter(writer)
    try:
        document.drawContents(painter, QRectF(0, 0, writer.width(), writer.height()))
    finally:
        painter.end()
    log_height = document.size().height() / max(1, writer.height())
    print(f"layout: {log_height:.0%} of the page", file=sys.stderr)
    return document.pageCount()


def pdf_pages(path: Path) -> int | None:
    try:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "uk" / "quickref.pdf")
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication([])
    laid_out = make(args.output)
    pages = pdf_pages(args.output)
    if laid_out != 1 or (pages is not None and pages != 1):
        pages = laid_out if laid_out != 1 else pages
        print(f"error: {args.output} has {pages} pages; the quick reference must fit one page", file=sys.stderr)
        return 1
    print(f"Quick reference: {args.output} ({pages or '?'} page)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
