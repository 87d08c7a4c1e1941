"""The user guide: pages per role in both languages, no broken links or images, small screenshots,
the HTML for the zip, and the one-page Ukrainian quick reference that matches the code."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "i18n"))

import build_guide  # noqa: E402
import update_ts  # noqa: E402

from openmisto_plugin.core import statuses  # noqa: E402

ROLE_PAGES = ("moderator", "officer", "working-group", "it")
SHARED_PAGES = ("index", "install", "deadlines", "outbox")
QUICKREF = DOCS / "uk" / "quickref.pdf"
MAX_WIDTH = 1200
MAX_PNG_BYTES = 400 * 1024
EXPLICIT_ANCHOR = re.compile(r"^#{1,4} .*\{#([\w-]+)\}\s*$", re.MULTILINE)
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdfinfo"), reason="poppler")


def markdown(lang: str, page: str) -> str:
    return (DOCS / lang / f"{page}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", ROLE_PAGES + SHARED_PAGES)
def test_each_role_has_its_guide_in_both_languages_with_the_same_anchors(page):
    for lang in build_guide.LANGUAGES:
        path = DOCS / lang / f"{page}.md"
        assert path.is_file(), f"{path} is missing"
        assert path.read_text(encoding="utf-8").startswith("# "), f"{path} has no title"
    # The Help buttons link to anchors: the same ones in both languages.
    assert EXPLICIT_ANCHOR.findall(markdown("uk", page)) == EXPLICIT_ANCHOR.findall(markdown("en", page))


def test_no_broken_local_links_images_or_anchors():
    assert build_guide.check() == []


def test_the_index_leads_to_every_role():
    for lang in build_guide.LANGUAGES:
        text = markdown(lang, "index")
        for page in ROLE_PAGES:
            assert f"({page}.md)" in text, f"docs/{lang}/index.md does not link to {page}.md"


def test_screenshots_are_small_and_each_is_used_in_both_languages():
    from qgis.PyQt.QtGui import QImage

    used = {lang: set() for lang in build_guide.LANGUAGES}
    for lang in build_guide.LANGUAGES:
        for page in (DOCS / lang).glob("*.md"):
            text = re.sub(r"<!--.*?-->", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
            used[lang] |= {Path(t).name for t in IMAGE.findall(text)}
    pictures = sorted((DOCS / "img").glob("*.png"))
    assert pictures, "docs/img has no screenshots: run make docs"
    for picture in pictures:
        image = QImage(str(picture))
        assert not image.isNull(), picture
        assert image.width() <= MAX_WIDTH, f"{picture.name} is {image.width()} px wide"
        assert picture.stat().st_size <= MAX_PNG_BYTES, f"{picture.name} is {picture.stat().st_size} bytes"
        for lang in build_guide.LANGUAGES:
            assert picture.name in used[lang], f"{picture.name} is not used in docs/{lang}/"


def test_every_screenshot_is_made_by_a_step_of_the_script():
    import docs_screens

    names = [step.name for step in docs_screens.STEPS]
    assert len(names) == len(set(names))
    for picture in (DOCS / "img").glob("*.png"):
        assert picture.stem in names or picture.stem.startswith("atlas_page"), f"{picture.name}: made by no step"


def test_html_for_the_zip(tmp_path):
    written = build_guide.build(tmp_path)
    for lang in build_guide.LANGUAGES:
        for page in (DOCS / lang).glob("*.md"):
            html = (tmp_path / lang / f"{page.stem}.html").read_text(encoding="utf-8")
            assert f'<html lang="{lang}">' in html
            assert "](" not in html and "**" not in html, f"unconverted Markdown in {lang}/{page.stem}.html"
            for src in re.findall(r'(?:src|href)="([^"#:]+)(?:#[^"]*)?"', html):
                assert (tmp_path / lang / src).resolve().is_file(), f"{lang}/{page.stem}.html: {src} missing"
    for page in ROLE_PAGES + SHARED_PAGES:
        assert tmp_path / "uk" / f"{page}.html" in written and tmp_path / "en" / f"{page}.html" in written


def test_the_converter_subset():
    page = build_guide.convert(
        "# Title *one*\n\nText with `code <b>` and **bold** and a [link](install.md#connect).\n\n"
        "## Part {#part}\n\n- a\n- b\n  - b1\n\n1. one\n2. two\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n"
        "> **Note.** careful\n\n```\n<raw> & code\n```\n\n<script>alert(1)</script>\n<!-- hidden ![x](gone.png) -->\n"
    )
    assert page.title == "Title one"
    assert page.anchors == ["title-one", "part"]
    body = page.body
    assert "<code>code &lt;b&gt;</code>" in body and "<strong>bold</strong>" in body
    assert '<a href="install.html#connect">link</a>' in body
    assert "<ul><li>a</li><li>b<ul><li>b1</li></ul></li></ul>" in body
    assert "<ol><li>one</li><li>two</li></ol>" in body
    assert "<th>A</th>" in body and "<td>2</td>" in body
    assert "<blockquote><p><strong>Note.</strong> careful</p></blockquote>" in body
    assert "<pre><code>&lt;raw&gt; &amp; code</code></pre>" in body
    assert "<script>" not in body and "gone.png" not in body and "gone.png" not in page.links


def ukrainian_status_labels() -> list[str]:
    ts = update_ts.read_ts()
    labels = []
    for code in statuses.STATUS_CODES:
        source = statuses.label(code)  # English source (tests run without the translation)
        assert ts.get(source) and ts[source].translation, f"no Ukrainian for {source!r}"
        labels.append(ts[source].translation)
    return labels


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


@needs_poppler
def test_quickref_is_one_page_with_every_status_and_the_terms():
    assert QUICKREF.is_file(), "docs/uk/quickref.pdf is missing: run make docs"
    info = subprocess.run(["pdfinfo", str(QUICKREF)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
    text = pdf_text(QUICKREF)
    for label in ukrainian_status_labels():
        assert label in text, f"{label!r} is not in the quick reference"
    from openmisto_plugin.core.deadlines import load_procedure

    terms = load_procedure().defaults
    assert f"{terms.answer_working_days} робочих днів" in text
    assert f"{terms.extension_max_calendar_days} календарних днів" in text


@needs_poppler
def test_quickref_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "quickref.pdf"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_quickref.py"), "--output", str(fresh)],
        check=True,
        env=env,
        capture_output=True,
    )
    assert pdf_text(fresh) == pdf_text(QUICKREF), "docs/uk/quickref.pdf is stale: run make docs"
