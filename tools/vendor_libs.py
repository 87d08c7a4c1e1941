"""Put the pure-Python runtime dependencies (``holidays``) into the plugin zip's ``ext_libs``.

QGIS's Python does not ship ``holidays``; the plugin adds ``ext_libs`` to the end of
``sys.path`` so that a system copy, where present, wins.

The versions are pinned and resolved for the oldest Python a supported QGIS runs on:
QGIS 3.22 on Windows (OSGeo4W) ships Python 3.9. ``holidays`` 0.84 and later require
Python 3.10 and raise ``TypeError`` when imported on 3.9, so 0.83 is the last that fits
(checked by importing it on Python 3.9). After installing, every vendored distribution's
``Requires-Python`` and ``Requires-Dist`` are checked again; the build stops on a mismatch.

    .venv/bin/python tools/vendor_libs.py TARGET          # install into TARGET and check
    .venv/bin/python tools/vendor_libs.py --check TARGET  # only check what TARGET holds
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

OLDEST_PYTHON = "3.9"
"""Python of the oldest supported QGIS build (QGIS 3.22 on OSGeo4W)."""

RUNTIME_LIBS = ["holidays==0.83", "python-dateutil==2.9.0.post0", "six==1.17.0"]
"""Exact pins, with the dependencies spelled out (installed with --no-deps)."""


def problems(path: Path, python: str = OLDEST_PYTHON) -> list[str]:
    """What keeps the distributions in ``path`` from running on ``python``: one line each, ``[]`` when none."""
    result: list[str] = []
    found: dict[str, tuple[str, list[str]]] = {}
    for info in sorted(path.glob("*.dist-info")):
        meta = Parser().parsestr((info / "METADATA").read_text(encoding="utf-8"))
        found[canonicalize_name(meta["Name"])] = (meta["Name"], meta.get_all("Requires-Dist") or [])
        requires_python = meta.get("Requires-Python")
        if requires_python and python not in SpecifierSet(requires_python):
            result.append(f"{meta['Name']} {meta['Version']} requires Python {requires_python}, not {python}")
    environment = {"python_version": python, "python_full_version": f"{python}.0", "extra": ""}
    for name, requires in found.values():
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate(environment):
                continue
            if canonicalize_name(requirement.name) not in found:
                result.append(f"{name} needs {requirement.name}, which is not vendored")
    return result


def install(path: Path, python: str = OLDEST_PYTHON) -> None:
    """Install the pinned wheels as pip would choose them for ``python``."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-compile",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            python,
            "--target",
            str(path),
            *RUNTIME_LIBS,
        ],
        check=True,
    )
    for dist_info in path.glob("*.dist-info"):
        for extra in ("RECORD", "INSTALLER", "REQUESTED"):
            (dist_info / extra).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--check", action="store_true", help="only check what the target holds")
    args = parser.parse_args(argv)
    if not args.check:
        install(args.target)
    found = problems(args.target)
    for line in found:
        print(f"vendor_libs: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
