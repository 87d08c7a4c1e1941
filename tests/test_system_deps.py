"""tools/system-deps.sh names every Debian package the tests and tools need: each program they run and each
system file they read belongs to a package it names or to a hard dependency (Depends/Pre-Depends) of one, since
it installs with --no-install-recommends. Checked against dpkg's own records, not against "it works here"."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "system-deps.sh"

# Programs run by the Makefile and shell scripts (the Python ones are found below by reading the sources).
SHELL_COMMANDS = ["lrelease", "zip", "unzip", "xvfb-run", "xauth", "convert", "pdftoppm", "qgis", "ogrinfo"]
POSTGRES_COMMANDS = ["initdb", "pg_ctl", "psql"]  # tools/pg-start.sh, under /usr/lib/postgresql/NN/bin
PYTHON_MODULES = ["qgis", "psycopg2", "osgeo"]


def _listed() -> list[str]:
    done = subprocess.run(["bash", str(SCRIPT), "--list"], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.split()


@lru_cache(maxsize=1)
def _installed_closure() -> set[str]:
    """The listed packages, the Essential ones (always there), and recursively their installed Depends and
    Pre-Depends (not Recommends)."""
    fields = "${Package}\t${Status}\t${Essential}\t${Provides}\t${Depends}\t${Pre-Depends}\n"
    rows = subprocess.run(["dpkg-query", "-W", "-f", fields], capture_output=True, text=True, check=True).stdout
    depends: dict[str, str] = {}
    providers: dict[str, set[str]] = {}
    essentials: set[str] = set()
    for row in rows.splitlines():
        package, status, essential, provides, *requires = row.split("\t")
        if status != "install ok installed":
            continue
        if essential == "yes":
            essentials.add(package)
        depends[package] = ", ".join(r for r in requires if r)
        providers.setdefault(package, set()).add(package)
        for virtual in filter(None, (p.split("(")[0].strip() for p in provides.split(","))):
            providers.setdefault(virtual, set()).add(package)

    def resolve(name: str) -> set[str]:
        return providers.get(name.split(":")[0], set())

    todo = [*essentials, *(p for name in _listed() for p in resolve(name))]
    seen: set[str] = set()
    while todo:
        package = todo.pop()
        if package in seen:
            continue
        seen.add(package)
        for clause in filter(None, (c.strip() for c in depends.get(package, "").split(","))):
            for alternative in clause.split("|"):
                found = resolve(alternative.split("(")[0].strip())
                if found:  # the first alternative that is installed is the one dpkg relied on
                    todo.extend(found)
                    break
    return seen


def _owners(path: str) -> set[str]:
    """Packages that dpkg says own the path, or the file it resolves to."""
    owners: set[str] = set()
    candidates = {path, os.path.realpath(path)}
    candidates |= {c.removeprefix("/usr") for c in candidates if c.startswith(("/usr/bin/", "/usr/sbin/", "/usr/lib/"))}
    for candidate in candidates:  # dpkg records /bin/bash where a merged /usr finds /usr/bin/bash
        done = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, check=False)
        for line in done.stdout.splitlines():
            if ": " in line and not line.startswith("diversion"):
                owners.update(p.strip().split(":")[0] for p in line.split(": ", 1)[0].split(","))
    return owners


def _python_commands() -> set[str]:
    """Programs the Python tests and tools run: shutil.which("x") and subprocess.run(["x", …])."""
    pattern = re.compile(r"""(?:which\(|run\(\[|Popen\(\[)\s*["']([A-Za-z0-9_.+-]+)["']""")
    sources = [p for p in (*ROOT.glob("tests/*.py"), *ROOT.glob("tools/*.py")) if p.name != Path(__file__).name]
    return {name for source in sources for name in pattern.findall(source.read_text(encoding="utf-8"))}


@lru_cache(maxsize=1)
def _needed_files() -> dict[str, str]:
    needed: dict[str, str] = {}
    for command in sorted(_python_commands() | set(SHELL_COMMANDS)):
        path = shutil.which(command, path="/usr/bin:/usr/sbin")  # Debian's, not a copy in /usr/local
        needed[f"command {command}"] = path or ""
    bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    for command in POSTGRES_COMMANDS:
        needed[f"PostgreSQL {command}"] = f"{bindirs[-1]}/{command}" if bindirs else ""
    for module in PYTHON_MODULES:
        spec = __import__(module)
        needed[f"Python module {module}"] = str(Path(spec.__file__).resolve())
    needed["time zone Europe/Kyiv"] = "/usr/share/zoneinfo/Europe/Kyiv"
    fonts = glob.glob("/usr/share/fonts/**/DejaVuSans.ttf", recursive=True)
    needed["font DejaVu Sans"] = fonts[0] if fonts else ""
    return needed


def test_list_names_the_postgis_extension_of_the_postgresql_major():
    listed = _listed()
    depends = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Depends}", "postgresql"], capture_output=True, text=True, check=True
    ).stdout
    major = re.search(r"postgresql-(\d+)", depends).group(1)
    assert f"postgresql-{major}-postgis-3" in listed
    assert "postgis" not in listed  # its extension is only a Recommends: the tests need the extension itself
    extension = Path(f"/usr/share/postgresql/{major}/extension/postgis.control")
    assert _owners(str(extension)) & _installed_closure(), f"{extension} comes from no listed package"


@pytest.mark.parametrize("what", sorted(_needed_files()))
def test_everything_the_tests_run_comes_from_a_listed_package(what: str):
    path = _needed_files()[what]
    assert path and os.path.exists(path), f"{what} is not installed: name its package in tools/system-deps.sh"
    owners = _owners(path)
    assert owners, f"{what} ({path}) belongs to no Debian package: a hand-installed copy?"
    assert owners & _installed_closure(), (
        f"{what} ({path}) comes from {sorted(owners)}, which tools/system-deps.sh neither names nor depends on"
    )
