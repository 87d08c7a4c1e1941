"""The user guide (docs/uk/*.md, docs/en/*.md) as HTML for the plugin zip: <out>/<lang>/<page>.html.

The plugin's Help buttons open these files offline (``openmisto_plugin/gui/help.py``). The pictures
(docs/img/) and the local files the pages link to (e.g. docs/uk/quickref.pdf) are copied along, keeping
the same relative paths, so a link that works on GitHub works in the zip.

Standard library only (QGIS's Python has no Markdown package): a small converter for the subset the
guide uses —

* headings ``#`` … ``####``, with an optional explicit anchor ``## Title {#anchor}`` (the Help buttons
  link to these anchors, which are the same in both languages);
* paragraphs, ``---`` rules, ``> `` notes, fenced code blocks (```), pipe tables;
* lists ``-``/``*`` and ``1.``, nested by indenting two or more spaces;
* inline: ```code```, ``**bold**``, ``*italic*``, ``[text](link)``, ``![alt](image)``, ``<kbd>`` is not
  supported: write ``**Ctrl+C**``.

    python tools/build_guide.py --out build/help        # build
    python tools/build_guide.py --check                 # only report broken links, images and anchors
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
LANGUAGES = ("uk", "en")
SITE_TITLE = {"uk": "Відкрите Місто — посібник", "en": "Open City — user guide"}
NAV = {
    "uk": ("Зміст", "English"),
    "en": ("Contents", "Українською"),
}

CSS = """
body{font-family:"DejaVu Sans","Noto Sans",Arial,sans-serif;max-width:60em;margin:0 auto;padding:0 1.2em 3em;
line-height:1.5;color:#1b1b1b}
nav{display:flex;gap:1.5em;padding:.6em 0;border-bottom:1px solid #ccc;margin-bottom:1em;font-size:.95em}
nav .lang{margin-left:auto}
h1{font-size:1.7em;color:#0d47a1}h2{font-size:1.35em;margin-top:1.6em;border-bottom:1px solid #e0e0e0}
h3{font-size:1.1em;margin-top:1.3em}
img{max-width:100%;height:auto;border:1px solid #ccc;box-shadow:0 1px 4px rgba(0,0,0,.15)}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:.3em .6em;vertical-align:top}
th{background:#eef3fb;text-align:left}
code{background:#f3f3f3;padding:0 .25em;border-radius:3px;font-size:.92em}
pre{background:#f5f5f5;padding:.7em;overflow:auto;border-radius:4px}pre code{background:none;padding:0}
blockquote{margin:1em 0;padding:.5em 1em;background:#fff8e1;border-left:4px solid #ffb300}
a{color:#1565c0}
@media print{nav{display:none}}
""".strip()


# ------------------------------------------------------------------------------------------------ inline

_CODE = re.compile(r"`([^`]+)`")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_ANCHOR = re.compile(r"\s*\{#([\w-]+)\}\s*$")


def html_target(target: str) -> str:
    """A link as it reads in the HTML: ``page.md#x`` → ``page.html#x``."""
    path, hash_, fragment = target.partition("#")
    if path.endswith(".md") and "://" not in path:
        path = path[:-3] + ".html"
    return path + hash_ + fragment


def inline(text: str) -> str:
    """Inline Markdown → HTML (the text is escaped first; code spans are left alone)."""
    codes: list[str] = []

    def keep_code(match: re.Match[str]) -> str:
        codes.append(f"<code>{html.escape(match.group(1), quote=False)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = _CODE.sub(keep_code, text)
    text = html.escape(text, quote=False)
    text = _IMAGE.sub(
        lambda m: f'<img src="{html.escape(m.group(2))}" alt="{html.escape(m.group(1))}" loading="lazy">', text
    )
    text = _LINK.sub(lambda m: f'<a href="{html.escape(html_target(m.group(2)))}">{m.group(1)}</a>', text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], text)


def slug(text: str) -> str:
    """An anchor from a heading's text (when it has no ``{#anchor}``)."""
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"\s+", "-", text.strip())


# ------------------------------------------------------------------------------------------------ blocks


@dataclass
class Page:
    """One converted page."""

    title: str = ""
    body: str = ""
    anchors: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # every link and image target, as written in the Markdown


_HEADING = re.compile(r"^(#{1,4})\s+(.*)$")
_ITEM = re.compile(r"^(\s*)([-*]|\d+\.)\s+(.*)$")
_COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)]


def _list_html(lines: list[str]) -> str:
    """Nested lists from lines that start with a marker (after their indentation) or continue an item."""
    first = _ITEM.match(lines[0])
    assert first is not None
    indent = len(first.group(1))
    ordered = first.group(2)[0].isdigit()
    items: list[list[str]] = []
    for line in lines:
        match = _ITEM.match(line)
        if match and len(match.group(1)) <= indent:
            items.append([match.group(3)])
        else:
            items[-1].append(line)
    out = ["<ol>" if ordered else "<ul>"]
    for item in items:
        text = [item[0]]
        rest: list[str] = []
        for line in item[1:]:
            if rest or _ITEM.match(line):
                rest.append(line)
            else:
                text.append(line.strip())
        inner = inline(" ".join(text))
        if rest:
            inner += _list_html(rest)
        out.append(f"<li>{inner}</li>")
    out.append("</ol>" if ordered else "</ul>")
    return "".join(out)


def convert(markdown: str) -> Page:
    """Markdown (the guide's subset) → a :class:`Page`."""
    page = Page()
    markdown = _COMMENT.sub("", markdown)  # notes for editors (e.g. a screenshot still to come) are dropped
    page.links = [m.group(2) for m in _IMAGE.finditer(markdown)]
    page.links += [m.group(2) for m in _LINK.finditer(_IMAGE.sub("", markdown))]
    lines = markdown.splitlines()
    out: list[str] = []
    paragraph: list[str] = []
    i = 0

    def flush() -> None:
        if paragraph:
            out.append(f"<p>{inline(' '.join(s.strip() for s in paragraph))}</p>")
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush()
            i += 1
            continue
        if stripped.startswith("```"):
            flush()
            code: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            out.append(f"<pre><code>{html.escape(chr(10).join(code), quote=False)}</code></pre>")
            i += 1
            continue
        heading = _HEADING.match(stripped)
        if heading:
            flush()
            level = len(heading.group(1))
            text = heading.group(2).strip()
            explicit = _ANCHOR.search(text)
            if explicit:
                anchor = explicit.group(1)
                text = text[: explicit.start()].strip()
            else:
                anchor = slug(text)
            page.anchors.append(anchor)
            if level == 1 and not page.title:
                page.title = re.sub(r"[*`]", "", text)
            out.append(f'<h{level} id="{html.escape(anchor)}">{inline(text)}</h{level}>')
            i += 1
            continue
        if stripped in ("---", "***"):
            flush()
            out.append("<hr>")
            i += 1
            continue
        if stripped.startswith("|") and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]):
            flush()
            head = _cells(stripped)
            rows: list[list[str]] = []
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            table = ["<table><thead><tr>", *(f"<th>{inline(c)}</th>" for c in head), "</tr></thead><tbody>"]
            for row in rows:
                table.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>")
            table.append("</tbody></table>")
            out.append("".join(table))
            continue
        if stripped.startswith(">"):
            flush()
            quote: list[str] = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                quote.append(lines[i].strip()[1:].strip())
                i += 1
            inner = convert("\n".join(quote)).body
            out.append(f"<blockquote>{inner}</blockquote>")
            continue
        if _ITEM.match(line) and not paragraph:
            block: list[str] = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            out.append(_list_html(block))
            continue
        paragraph.append(line)
        i += 1
    flush()
    page.body = "\n".join(out)
    return page


# ------------------------------------------------------------------------------------------------ the guide


def pages(lang: str) -> list[Path]:
    return sorted((DOCS / lang).glob("*.md"))


def render(page: Page, lang: str, name: str, home: str = "") -> str:
    """The page as a whole HTML document; ``home`` is the path to the language folder ('' inside it)."""
    contents, other = NAV[lang]
    other_lang = "en" if lang == "uk" else "uk"
    if home:
        other_link = f"{other_lang}/index.html"
    elif (DOCS / other_lang / f"{name}.md").is_file():
        other_link = f"../{other_lang}/{name}.html"
    else:
        other_link = f"../{other_lang}/index.html"
    title = f"{page.title} — {SITE_TITLE[lang]}" if page.title else SITE_TITLE[lang]
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n"
        f'<nav><a href="{home}index.html">{contents}</a><a class="lang" href="{other_link}" hreflang="{other_lang}">'
        f"{other}</a></nav>\n<main>\n{page.body}\n</main>\n</body>\n</html>\n"
    )


def check(docs: Path = DOCS) -> list[str]:
    """Broken local links, images and anchors in the guide (both languages); [] when all is well."""
    problems: list[str] = []
    converted = {
        (lang, p.stem): convert(p.read_text(encoding="utf-8"))
        for lang in LANGUAGES
        for p in sorted((docs / lang).glob("*.md"))
    }
    for (lang, name), page in converted.items():
        for target in page.links:
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http(s), mailto: not checked offline
                continue
            path, _hash, fragment = target.partition("#")
            where = f"docs/{lang}/{name}.md: {target}"
            if not path:
                if fragment and fragment not in page.anchors:
                    problems.append(f"{where}: no such anchor")
                continue
            file = (docs / lang / path).resolve()
            try:
                file.relative_to(docs.resolve())
            except ValueError:
                problems.append(f"{where}: points outside docs/ (it would not be in the zip)")
                continue
            if not file.is_file():
                problems.append(f"{where}: no such file")
                continue
            if path.endswith(".md"):
                if file.parent == docs.resolve():  # a page of docs/ itself (e.g. postgis.md): rendered too
                    target_page = convert(file.read_text(encoding="utf-8"))
                elif file.parent.name in LANGUAGES and file.parent.parent == docs.resolve():
                    target_page = converted[(file.parent.name, file.stem)]
                else:
                    problems.append(f"{where}: a guide page links only to pages of docs/, docs/uk or docs/en")
                    continue
                if fragment and fragment not in target_page.anchors:
                    problems.append(f"{where}: no anchor #{fragment} there")
    return problems


def build(out: Path, docs: Path = DOCS) -> list[Path]:
    """Write the HTML of both languages and copy what the pages link to; returns the pages written."""
    written: list[Path] = []
    shared: set[Path] = set()
    if out.exists():
        shutil.rmtree(out)
    for lang in LANGUAGES:
        (out / lang).mkdir(parents=True, exist_ok=True)
        for source in sorted((docs / lang).glob("*.md")):
            page = convert(source.read_text(encoding="utf-8"))
            target = out / lang / f"{source.stem}.html"
            target.write_text(render(page, lang, source.stem), encoding="utf-8")
            written.append(target)
            for link in page.links:
                path = link.partition("#")[0]
                if not path or re.match(r"^[a-z][a-z0-9+.-]*:", path):
                    continue
                file = (docs / lang / path).resolve()
                if path.endswith(".md"):
                    if file.parent == docs.resolve() and file.is_file():
                        shared.add(file)
                    continue
                if file.is_file():
                    copy = (out / lang / path).resolve()
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(file, copy)
    for file in sorted(shared):  # pages of docs/ the guide links to (English reference pages)
        target = out / f"{file.stem}.html"
        target.write_text(render(convert(file.read_text(encoding="utf-8")), "en", file.stem, "en/"), encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "help")
    parser.add_argument("--check", action="store_true", help="only check links, images and anchors")
    args = parser.parse_args(argv)
    problems = check()
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    if args.check:
        return 1 if problems else 0
    written = build(args.out.resolve())
    print(f"{len(written)} pages in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
