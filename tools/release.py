"""The plugin's public addresses (``release.ini``) and the zip for the QGIS plugin repository.

``release.ini`` is the one place that holds repository, tracker, homepage and e-mail; every build
writes them into the staged ``metadata.txt``. ``make package`` takes them as they are (placeholders
included: a local build); ``make release`` refuses while any is a placeholder and checks the zip
against the repository's upload rules, one line per rule::

    .venv/bin/python tools/release.py config [--config release.ini]     # exit 2 on a placeholder
    .venv/bin/python tools/release.py stamp [--config …] METADATA       # write the addresses in
    .venv/bin/python tools/release.py build [--config …] --stage DIR --out ZIP
    .venv/bin/python tools/release.py check ZIP                         # the rules only

The rules are those plugins.qgis.org applies on upload (its ``plugins/validator.py``): at most
25 MB, a sound zip without path tricks, ``.pyc``, ``__pycache__``, ``.git`` or ``__MACOSX``, one top
folder named as the Python package with ``__init__.py`` and ``metadata.txt``, the required metadata,
web addresses that are real URLs, an author without ``/``, and a ``LICENSE``; plus what QGIS's plugin
manager needs to show the plugin: a PNG icon at the ``icon`` path, a plain version number, and
QGIS version bounds it understands.
"""

from __future__ import annotations

import argparse
import configparser
import io
import re
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "openmisto_plugin"
DEFAULT_CONFIG = ROOT / "release.ini"
ADDRESS_KEYS = ("repository", "tracker", "homepage", "email")
URL_KEYS = ("repository", "tracker", "homepage")
REQUIRED_METADATA = (
    "name",
    "description",
    "about",
    "version",
    "qgisMinimumVersion",
    "author",
    "email",
    "repository",
    "tracker",
)
BOOLEAN_METADATA = ("experimental", "deprecated", "server", "supportsQt6", "hasProcessingProvider")
MAX_ZIP_BYTES = 25_000_000  # plugins.qgis.org: PLUGIN_MAX_UPLOAD_SIZE
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net", "example.edu", "localhost", "127.0.0.1")
PLACEHOLDER_WORDS = ("todo", "tbd", "changeme", "placeholder", "xxx")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------- the addresses


def read_addresses(config: Path) -> dict[str, str]:
    """``{repository, tracker, homepage, email}`` from the ``[release]`` section (missing keys as ``""``)."""
    parser = configparser.ConfigParser(interpolation=None)
    if not parser.read(config, encoding="utf-8"):
        raise SystemExit(f"release: cannot read {config}")
    section = parser["release"] if parser.has_section("release") else {}
    return {key: str(section.get(key, "")).strip() for key in ADDRESS_KEYS}


def _host(value: str) -> str:
    if "@" in value and "://" not in value:
        return value.rsplit("@", 1)[1].lower()
    return (urlparse(value).hostname or "").lower()


def placeholder_reason(key: str, value: str) -> str:
    """Why ``value`` cannot be published as ``key`` (``""`` when it can)."""
    if not value:
        return "empty"
    lowered = value.lower()
    host = _host(value)
    if any(host == h or host.endswith("." + h) for h in PLACEHOLDER_HOSTS):
        return f"placeholder host {host}"
    if any(word in re.split(r"[^a-z0-9]+", lowered) for word in PLACEHOLDER_WORDS):
        return "placeholder text"
    if key == "email":
        if not re.fullmatch(r"[^@\s/]+@[^@\s/]+\.[a-z]{2,}", lowered):
            return "not an e-mail address"
    else:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            return "not an http(s) address"
    return ""


def address_problems(addresses: dict[str, str]) -> list[str]:
    return [f"{key}: {reason}" for key in ADDRESS_KEYS if (reason := placeholder_reason(key, addresses[key]))]


def stamp(metadata: Path, addresses: dict[str, str]) -> None:
    """Write the addresses into ``metadata`` (``[general]``), replacing lines of the same keys."""
    lines = [
        line
        for line in metadata.read_text(encoding="utf-8").splitlines()
        if line.split("=", 1)[0].strip() not in ADDRESS_KEYS
    ]
    at = next((i + 1 for i, line in enumerate(lines) if line.strip().startswith("author=")), len(lines))
    lines[at:at] = [f"{key}={addresses[key]}" for key in ADDRESS_KEYS]
    metadata.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------- the zip rules


@dataclass(frozen=True)
class Rule:
    name: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}" + (f": {self.detail}" if self.detail else "")


def _rule(name: str, failures: Iterable[str], ok_detail: str = "") -> Rule:
    failures = list(failures)
    return Rule(name, not failures, "; ".join(failures[:5]) + (" …" if len(failures) > 5 else "") or ok_detail)


def _metadata(archive: zipfile.ZipFile, top: str) -> dict[str, str] | str:
    try:
        text = archive.read(f"{top}/metadata.txt").decode("utf-8")
    except KeyError:
        return "no metadata.txt"
    except UnicodeDecodeError:
        return "metadata.txt is not UTF-8"
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive (qgisMinimumVersion)
    try:
        parser.read_file(io.StringIO(text))
    except configparser.Error as exc:
        return f"metadata.txt does not parse: {exc}"
    if not parser.has_section("general"):
        return "metadata.txt has no [general] section"
    return {key: value.strip() for key, value in parser.items("general")}


def _version_tuple(text: str) -> tuple[int, ...] | None:
    return tuple(int(p) for p in text.split(".")) if re.fullmatch(r"\d+(\.\d+){0,2}", text) else None


def check_zip(path: Path, package: str = PACKAGE, max_bytes: int = MAX_ZIP_BYTES) -> list[Rule]:
    """The repository's rules for the zip at ``path``, one :class:`Rule` each, in a fixed order."""
    size = path.stat().st_size
    rules = [_rule("size", [f"{size:,} bytes > {max_bytes:,}"] if size > max_bytes else [], f"{size:,} bytes")]
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        return [*rules, Rule("zip", False, str(exc))]
    with archive:
        names = archive.namelist()
        bad = archive.testzip()
        rules.append(_rule("zip", [f"bad entry {bad}"] if bad else [], f"{len(names)} entries"))
        rules.append(_rule("paths", [n for n in names if n.startswith("/") or ".." in n.split("/") or "\\" in n]))
        rules.append(_rule("no .pyc", [n for n in names if n.endswith((".pyc", ".pyo"))]))
        rules.append(
            _rule(
                "no __pycache__/.git/__MACOSX",
                [n for n in names if {"__pycache__", ".git", "__MACOSX"} & set(n.split("/")[:-1])],
            )
        )
        tops = sorted({n.split("/")[0] for n in names})
        top = tops[0] if tops else ""
        folder = []
        if len(tops) != 1:
            folder.append(f"top-level entries {tops}, expected one folder")
        if top != package:
            folder.append(f"folder {top!r} is not the package {package!r}")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]+", top) or not top.isidentifier():
            folder.append(f"{top!r} is not a Python identifier")
        if f"{top}/__init__.py" not in names:
            folder.append("no __init__.py")
        rules.append(_rule("folder = package", folder, top))
        rules.append(_rule("LICENSE", [] if f"{top}/LICENSE" in names else ["no LICENSE in the folder"]))
        metadata = _metadata(archive, top)
        if isinstance(metadata, str):
            return [*rules, Rule("metadata.txt", False, metadata)]
        missing = [key for key in REQUIRED_METADATA if not metadata.get(key)]
        rules.append(_rule("required metadata", [f"{key} missing or empty" for key in missing]))
        version = metadata.get("version", "")
        rules.append(_rule("version", [] if _version_tuple(version) else [f"{version!r} is not N.N or N.N.N"], version))
        low, high = metadata.get("qgisMinimumVersion", ""), metadata.get("qgisMaximumVersion", "")
        bounds = [f"{key}={v!r} is not N.N" for key, v in (("min", low), ("max", high)) if v and not _version_tuple(v)]
        if not bounds and high and _version_tuple(low) and _version_tuple(high) < _version_tuple(low):
            bounds.append(f"qgisMaximumVersion {high} < qgisMinimumVersion {low}")
        rules.append(_rule("QGIS versions", bounds, f"{low} – {high or low.split('.')[0] + '.99'}"))
        addresses = [f"{key}: {r}" for key in ADDRESS_KEYS if (r := placeholder_reason(key, metadata.get(key, "")))]
        rules.append(_rule("addresses", addresses))
        rules.append(_rule("author", ["contains '/'"] if "/" in metadata.get("author", "") else []))
        flags = [
            f"{key}={metadata[key]!r}"
            for key in BOOLEAN_METADATA
            if key in metadata and metadata[key].lower() not in ("true", "false", "yes", "no", "1", "0")
        ]
        rules.append(_rule("boolean flags", flags))
        icon = metadata.get("icon", "")
        icon_problems = []
        if not icon:
            icon_problems.append("no icon key")
        elif f"{top}/{icon.removeprefix('./')}" not in names:
            icon_problems.append(f"{icon} is not in the zip")
        elif not archive.read(f"{top}/{icon.removeprefix('./')}").startswith(PNG_SIGNATURE):
            icon_problems.append(f"{icon} is not a PNG")
        rules.append(_rule("icon", icon_problems, icon))
    return rules


# ----------------------------------------------------------------------------- commands


def write_zip(stage: Path, out: Path, package: str = PACKAGE) -> None:
    """Zip ``stage/package`` (entries sorted, folders included) as ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    root = stage / package
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted([root, *root.rglob("*")]):
            archive.write(path, path.relative_to(stage).as_posix())


def refuse(problems: list[str], config: Path) -> int:
    for problem in problems:
        print(f"FAIL {problem}")
    print(
        f"release: refusing to build: {config} still holds placeholders. Put the project's real repository, "
        "tracker, homepage and e-mail there (they become the plugin's public metadata)."
    )
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("config", "stamp", "build"):
        command = sub.add_parser(name)
        command.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
        if name == "stamp":
            command.add_argument("metadata", type=Path)
        if name == "build":
            command.add_argument("--stage", type=Path, required=True, help="folder that holds the package folder")
            command.add_argument("--out", type=Path, required=True)
    check = sub.add_parser("check")
    check.add_argument("zip", type=Path)
    args = parser.parse_args(argv)

    if args.command == "check":
        rules = check_zip(args.zip)
        for rule in rules:
            print(rule)
        return 0 if all(r.ok for r in rules) else 1

    addresses = read_addresses(args.config)
    problems = address_problems(addresses)
    if args.command == "stamp":
        stamp(args.metadata, addresses)
        if problems:
            print(f"note: {args.metadata} has placeholder addresses ({', '.join(problems)}): a local build only")
        return 0
    if problems:
        return refuse(problems, args.config)
    if args.command == "config":
        print(f"release: addresses in {args.config} are publishable")
        return 0

    metadata = args.stage / PACKAGE / "metadata.txt"
    stamp(metadata, addresses)
    write_zip(args.stage, args.out)
    rules = check_zip(args.out)
    for rule in rules:
        print(rule)
    if not all(rule.ok for rule in rules):
        args.out.unlink()
        print(f"release: {args.out} breaks the repository's rules: not kept")
        return 1
    print(f"release: built {args.out} for the QGIS plugin repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
