"""The test data lives in the repository: a clone runs its tests with nothing beside it, and every copied file says
where it came from."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
OPEN311 = TESTS / "data" / "open311"
REALWORLD = OPEN311 / "realworld"

# The folder beside the repository, by relative path, absolute path or path pieces ([e] keeps this file from matching).
OUTSIDE_PATHS = re.compile(r"\.\./shar[e]d|/shar[e]d/data|['\"]shar[e]d['\"]\s*[,/]\s*['\"]data['\"]")
# What the test run reads or runs: the tests and their helpers, the runner, the CI script.
RUN_FILES = [
    *sorted(p for p in TESTS.rglob("*") if p.is_file() and p.suffix in {".py", ".sh", ".cfg", ".ini", ".toml"}),
    REPO / "tools" / "run-tests.sh",
    REPO / "pyproject.toml",
    REPO / "Makefile",
    REPO / ".ci" / "run",
]


@pytest.mark.parametrize("path", [p for p in RUN_FILES if p.exists()], ids=lambda p: str(p.relative_to(REPO)))
def test_no_test_reads_data_from_outside_the_repository(path: Path):
    text = path.read_text(encoding="utf-8")
    found = OUTSIDE_PATHS.findall(text)
    assert not found, f"{path.relative_to(REPO)} mentions {found}: copy the data into tests/data/ with its origin"


def _manifest() -> list[dict[str, str]]:
    with (REALWORLD / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_realworld_folder_holds_exactly_the_manifest():
    rows = _manifest()
    listed = {row["file"] for row in rows}
    present = {
        str(p.relative_to(REALWORLD))
        for p in REALWORLD.rglob("*")
        if p.is_file() and p.name not in {"MANIFEST.tsv", "SOURCES.md", "README.md"}
    }
    assert present == listed
    for row in rows:
        assert (REALWORLD / row["file"]).stat().st_size == int(row["bytes"]), row["file"]
        assert len(row["commit"]) == 40 and row["repository"] and row["path"], row


def test_every_data_folder_names_its_origin_and_licence():
    folders = {p.parent for p in OPEN311.rglob("*") if p.is_file() and p.name != "README.md"}
    for folder in folders:
        readmes = [folder / name for name in ("README.md", "SOURCES.md") if (folder / name).exists()]
        assert readmes, f"{folder.relative_to(REPO)} has no README.md or SOURCES.md"
        text = "\n".join(p.read_text(encoding="utf-8") for p in readmes)
        assert "icen" in text, f"{folder.relative_to(REPO)} does not give the licence of its origin"  # Licence/licence
        data_files = [p.name for p in folder.iterdir() if p.is_file() and p.suffix in {".json", ".xml"}]
        for name in data_files:
            assert name in text, f"{name} has no origin line in {folder.relative_to(REPO)}"
    manifest_commits = {row["file"].split("/", 1)[0]: row["commit"] for row in _manifest()}
    for project, commit in manifest_commits.items():
        assert commit in (REALWORLD / project / "README.md").read_text(encoding="utf-8")
