"""Extract ``tr("...")`` strings from the plugin and merge them into ``i18n/openmisto_uk.ts``.

Uses the ``ast`` module (no pylupdate needed): every call ``tr(<literal>)`` or
``<obj>.tr(<literal>)`` in ``openmisto_plugin/`` is a message of the single context
``OpenMisto`` (see ``core/i18n.py``). Existing translations are kept; new strings
are added as unfinished; strings no longer in the code are kept as ``vanished``
(Qt Linguist hides them, lrelease skips them).

    .venv/bin/python i18n/update_ts.py                 # update the .ts
    .venv/bin/python i18n/update_ts.py --check         # exit 1 if the .ts is out of date or incomplete
    .venv/bin/python i18n/update_ts.py --apply uk.json # also set translations from {"source": "переклад"}
    make translations                                  # compile the .qm with lrelease
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "openmisto_plugin"
TS_FILE = ROOT / "i18n" / "openmisto_uk.ts"
CONTEXT = "OpenMisto"
LANGUAGE = "uk_UA"


@dataclass
class Message:
    """One source string and where it is used."""

    source: str
    files: list[str] = field(default_factory=list)
    translation: str = ""
    kind: str = ""  # "", "unfinished" or "vanished"


def _is_tr_call(node: ast.Call) -> bool:
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "tr") or (isinstance(func, ast.Attribute) and func.attr == "tr")


def extract(package: Path = PACKAGE) -> tuple[dict[str, Message], list[str]]:
    """Source strings in code order (files sorted) and warnings about non-literal calls."""
    messages: dict[str, Message] = {}
    warnings: list[str] = []
    for path in sorted(package.rglob("*.py")):
        if "ext_libs" in path.parts or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(package.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_tr_call(n) and n.args]
        for node in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                message = messages.setdefault(arg.value, Message(arg.value))
                if relative not in message.files:
                    message.files.append(relative)
            else:
                warnings.append(f"{relative}:{node.lineno}: tr() with a non-literal argument is not translated")
    return messages, warnings


def read_ts(path: Path = TS_FILE) -> dict[str, Message]:
    """Messages of an existing .ts (context ``OpenMisto``)."""
    if not path.exists():
        return {}
    messages: dict[str, Message] = {}
    for context in ET.parse(path).getroot().iter("context"):  # noqa: S314 - the project's own .ts file  # nosec B314
        if (context.findtext("name") or "") != CONTEXT:
            continue
        for element in context.iter("message"):
            source = element.findtext("source") or ""
            translation = element.find("translation")
            text = (translation.text or "") if translation is not None else ""
            kind = translation.get("type", "") if translation is not None else "unfinished"
            messages[source] = Message(source, translation=text, kind=kind)
    return messages


def merge(code: dict[str, Message], existing: dict[str, Message]) -> list[Message]:
    """Code strings (with kept translations) followed by vanished ones."""
    merged = []
    for source, message in code.items():
        old = existing.get(source)
        message.translation = old.translation if old else ""
        message.kind = "" if message.translation else "unfinished"
        merged.append(message)
    for source, old in existing.items():
        if source not in code and old.translation:
            merged.append(Message(source, translation=old.translation, kind="vanished"))
    return merged


def render(messages: list[Message]) -> str:
    """The .ts text (stable: no line numbers, so unrelated edits do not churn it)."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE TS>",
        f'<TS version="2.1" language="{LANGUAGE}" sourcelanguage="en">',
        "<context>",
        f"    <name>{CONTEXT}</name>",
    ]
    for message in messages:
        lines.append("    <message>")
        for filename in message.files:
            lines.append(f'        <location filename="../{escape(filename, {chr(34): "&quot;"})}"/>')
        lines.append(f"        <source>{escape(message.source)}</source>")
        kind = f' type="{message.kind}"' if message.kind else ""
        lines.append(f"        <translation{kind}>{escape(message.translation)}</translation>")
        lines.append("    </message>")
    lines += ["</context>", "</TS>", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 when out of date or incomplete")
    parser.add_argument("--apply", type=Path, help="JSON object {source: translation} to merge in")
    parser.add_argument("--ts", type=Path, default=TS_FILE)
    parser.add_argument("-v", "--verbose", action="store_true", help="also warn about non-literal tr() calls")
    args = parser.parse_args(argv)

    code, warnings = extract()
    for warning in warnings if args.verbose else ():
        sys.stderr.write(f"warning: {warning}\n")
    existing = read_ts(args.ts)
    if args.apply:
        for source, translation in json.loads(args.apply.read_text(encoding="utf-8")).items():
            if translation:
                existing[source] = Message(source, translation=translation)
    messages = merge(code, existing)
    text = render(messages)
    missing = [m.source for m in messages if m.kind == "unfinished"]

    if args.check:
        current = args.ts.read_text(encoding="utf-8") if args.ts.exists() else ""
        if current != text:
            sys.stderr.write(f"{args.ts.name} is out of date: run i18n/update_ts.py\n")
        for source in missing:
            sys.stderr.write(f"untranslated: {source!r}\n")
        return 1 if current != text or missing else 0

    args.ts.write_text(text, encoding="utf-8")
    done = len(code) - len(missing)
    sys.stdout.write(f"{args.ts.name}: {len(code)} strings, {done} translated, {len(missing)} untranslated\n")
    for source in missing:
        sys.stdout.write(f"  untranslated: {source!r}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
