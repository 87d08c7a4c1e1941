"""`make release`: addresses from release.ini, refused while they are placeholders, the zip checked rule by rule."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = "openmisto_plugin"
sys.path.insert(0, str(ROOT / "tools"))

import release  # noqa: E402

REAL_LOOKING = """\
[release]
repository = https://github.com/pokrov-city/openmisto_plugin
tracker = https://github.com/pokrov-city/openmisto_plugin/issues
homepage = https://pokrov-city.github.io/openmisto_plugin/
email = openmisto@pokrov-rada.gov.ua
"""

RULES = [
    "size",
    "zip",
    "paths",
    "no .pyc",
    "no __pycache__/.git/__MACOSX",
    "folder = package",
    "LICENSE",
    "required metadata",
    "version",
    "QGIS versions",
    "addresses",
    "author",
    "boolean flags",
    "icon",
]


def run_release(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "release.py"), *args], capture_output=True, text=True, timeout=120
    )


def stage(base: Path) -> Path:
    """The plugin folder as `make stage` lays it out (without the guide and ext_libs, which need network and time)."""
    target = base / PLUGIN
    shutil.copytree(ROOT / PLUGIN, target, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "resources", target / "resources")
    for name in ("metadata.txt", "LICENSE"):
        shutil.copy(ROOT / name, target / name)
    return base


def test_the_projects_addresses_are_placeholders_and_release_refuses(tmp_path: Path) -> None:
    refused = run_release("config", "--config", str(ROOT / "release.ini"))
    assert refused.returncode == 2
    lines = refused.stdout.splitlines()
    assert lines[:4] == [
        "FAIL repository: placeholder host example.org",
        "FAIL tracker: placeholder host example.org",
        "FAIL homepage: placeholder host example.org",
        "FAIL email: placeholder host example.org",
    ]
    assert "refusing to build" in lines[-1]

    base = stage(tmp_path / "stage")
    out = tmp_path / "dist" / "plugin.zip"
    build = run_release("build", "--config", str(ROOT / "release.ini"), "--stage", str(base), "--out", str(out))
    assert build.returncode == 2 and "refusing to build" in build.stdout
    assert not out.exists()
    assert (base / PLUGIN / "metadata.txt").read_text(encoding="utf-8") == (ROOT / "metadata.txt").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("email", "", "empty"),
        ("email", "team at pokrov", "not an e-mail address"),
        ("tracker", "https://tracker.example.com/x", "placeholder host tracker.example.com"),
        ("repository", "ftp://git.pokrov.ua/x", "not an http(s) address"),
        ("homepage", "https://pokrov.ua/TODO", "placeholder text"),
        ("homepage", "http://localhost:8000/", "placeholder host localhost"),
    ],
)
def test_placeholders_are_recognised(key: str, value: str, reason: str) -> None:
    assert release.placeholder_reason(key, value) == reason


def test_real_looking_addresses_build_a_zip_that_passes_every_rule(tmp_path: Path) -> None:
    config = tmp_path / "release.ini"
    config.write_text(REAL_LOOKING, encoding="utf-8")
    base = stage(tmp_path / "stage")
    out = tmp_path / "dist" / "plugin.zip"
    built = run_release("build", "--config", str(config), "--stage", str(base), "--out", str(out))
    assert built.returncode == 0, built.stdout + built.stderr
    lines = built.stdout.splitlines()
    assert [line.split(":")[0].removeprefix("ok   ") for line in lines[:-1]] == RULES
    assert all(line.startswith("ok   ") for line in lines[:-1]), lines
    assert lines[-1] == f"release: built {out} for the QGIS plugin repository"

    with zipfile.ZipFile(out) as archive:
        parser = configparser.ConfigParser(interpolation=None)
        parser.optionxform = str
        parser.read_string(archive.read(f"{PLUGIN}/metadata.txt").decode("utf-8"))
        general = parser["general"]
        icon = archive.read(f"{PLUGIN}/{general['icon']}")
    assert general["repository"] == "https://github.com/pokrov-city/openmisto_plugin"
    assert general["tracker"] == "https://github.com/pokrov-city/openmisto_plugin/issues"
    assert general["homepage"] == "https://pokrov-city.github.io/openmisto_plugin/"
    assert general["email"] == "openmisto@pokrov-rada.gov.ua"
    assert general["qgisMaximumVersion"] == "4.99" and general["experimental"] == "False"
    assert icon.startswith(release.PNG_SIGNATURE)

    checked = run_release("check", str(out))
    assert checked.returncode == 0 and checked.stdout.count("ok   ") == len(RULES)


def test_rules_name_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    metadata = "[general]\nname=x\nversion=v1\nqgisMinimumVersion=3.22\nqgisMaximumVersion=3.10\nauthor=a/b\n"
    metadata += "icon=icon.svg\nexperimental=maybe\nrepository=https://example.org/x\n"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("my-plugin/__init__.py", "")
        archive.writestr("my-plugin/__pycache__/plugin.cpython-311.pyc", b"\0")
        archive.writestr("my-plugin/metadata.txt", metadata)
        archive.writestr("my-plugin/icon.svg", "<svg/>")
        archive.writestr("other/readme.txt", "")
    rules = {rule.name: rule for rule in release.check_zip(bad, max_bytes=100)}
    assert list(rules) == RULES
    failed = {name for name, rule in rules.items() if not rule.ok}
    assert failed == set(RULES) - {"zip", "paths"}
    assert "my-plugin/__pycache__/plugin.cpython-311.pyc" in rules["no .pyc"].detail
    assert "expected one folder" in rules["folder = package"].detail
    assert "description missing or empty" in rules["required metadata"].detail
    assert "email missing or empty" in rules["required metadata"].detail
    assert rules["version"].detail == "'v1' is not N.N or N.N.N"
    assert rules["QGIS versions"].detail == "qgisMaximumVersion 3.10 < qgisMinimumVersion 3.22"
    assert "repository: placeholder host example.org" in rules["addresses"].detail
    assert rules["icon"].detail == "icon.svg is not a PNG"
    assert rules["boolean flags"].detail == "experimental='maybe'"


def test_stamp_replaces_the_addresses_in_place(tmp_path: Path) -> None:
    metadata = tmp_path / "metadata.txt"
    shutil.copy(ROOT / "metadata.txt", metadata)
    config = tmp_path / "release.ini"
    config.write_text(REAL_LOOKING, encoding="utf-8")
    for _ in range(2):  # stamping twice leaves one line per key
        assert run_release("stamp", "--config", str(config), str(metadata)).returncode == 0
    text = metadata.read_text(encoding="utf-8")
    assert text.count("\nemail=") == 1 and "email=openmisto@pokrov-rada.gov.ua" in text
    assert "example.org" not in text
