"""The public atlas is anonymous (issue 10, item 7), checked on the PDF a real workspace gives.

A copy of the synced Pokrov workspace is given what a hostile or careless platform delivers: citizens'
descriptions full of phone numbers, e-mails, names and house numbers (the lists of tests/test_anonymise.py),
addresses with house and flat, and a rejected ("hidden") report alone at a spot of its own. The public
atlas is built with the real layouts and the working group's switch for citizens' text ON; then its text
(``pdftotext``) and what its maps draw (the layers the layouts render) are checked.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject

from openmisto_plugin.core.atlas import build as atlas_build
from openmisto_plugin.core.atlas import data as atlas_data
from openmisto_plugin.core.atlas import layers as atlas_layers
from openmisto_plugin.core.store.gpkg import register_gpkg_functions
from tests.test_anonymise import ADDRESSES, EMAILS, LOOSE_HOUSES, NAMES, PHONES
from tests.test_atlas import NOW, PDFTOPPM, PDFTOTEXT, PERIOD

pytestmark = pytest.mark.skipif(not (PDFTOTEXT and PDFTOPPM), reason="poppler-utils is not installed")

LONELY = (34.2600, 47.7100)  # lon/lat of the hidden report: no other report near it


def pdf_text(pdf: str | Path) -> str:
    return subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\u00a0", " "))


@pytest.fixture(scope="module")
def hostile(atlas_workspace: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The copy, and what was planted where (report ids by kind)."""
    directory = tmp_path_factory.mktemp("public")
    path = directory / "workspace.gpkg"
    shutil.copy(atlas_workspace.path, path)
    # The reports the internal atlas lists as overdue: their descriptions and addresses are printed.
    internal = atlas_data.prepare(path, PERIOD, "department", public=False, now=NOW, keep_citizen_text=True)
    listed = [row.number for group in internal.groups for row in group.overdue_rows[:6]]
    samples = PHONES + EMAILS + NAMES + LOOSE_HOUSES
    assert len(listed) >= len(ADDRESSES)
    conn = sqlite3.connect(str(path))
    register_gpkg_functions(conn)
    with conn:
        for i, sid in enumerate(listed):
            sample = samples[i % len(samples)]
            address = ADDRESSES[i % len(ADDRESSES)][0]
            conn.execute(
                "UPDATE reports SET description = ?, address = ? WHERE service_request_id = ?",
                (f"Яма на дорозі. Контакт: {sample}. Дякую", address, sid),
            )
        hidden = conn.execute(
            "SELECT service_request_id FROM reports WHERE external_status_code = 'hidden' AND requested_datetime >= ?"
            " ORDER BY fid LIMIT 1",
            (PERIOD.start.strftime("%Y-%m-%dT%H:%M:%S"),),
        ).fetchone()[0]
        point = struct.pack("<2sBBi", b"GP", 0, 1, 4326) + struct.pack("<BIdd", 1, 1, *LONELY)  # GeoPackage blob
        conn.execute(
            "UPDATE reports SET long = ?, lat = ?, geom = ? WHERE service_request_id = ?", (*LONELY, point, hidden)
        )
    conn.close()
    return {"path": path, "listed": listed, "samples": samples, "hidden": hidden}


@pytest.fixture(scope="module")
def public_atlas(hostile: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("public_pdf") / "public.pdf"
    return atlas_build.build_atlas(hostile["path"], PERIOD, "department", True, out, now=NOW, keep_citizen_text=True)


def test_internal_atlas_prints_what_was_planted(hostile: dict[str, Any], tmp_path: Path) -> None:
    """Control: the planted text and the hidden report do reach an internal atlas."""
    result = atlas_build.build_atlas(
        hostile["path"], PERIOD, "department", False, tmp_path / "i.pdf", now=NOW, keep_citizen_text=True
    )
    text = flat(pdf_text(result.pdf))
    assert sum(flat(s) in text for s in hostile["samples"]) >= 10
    assert any(p.x == LONELY[0] and p.y == LONELY[1] for p in result.data.points)


def test_public_text_has_no_contacts_names_or_houses(public_atlas: Any, hostile: dict[str, Any], atlas_workspace):
    text = pdf_text(public_atlas.pdf)
    squeezed = flat(text)
    assert "Яма на дорозі. Контакт: ***. Дякую" in " ".join(text.split())  # the text is there, masked
    leaked = [s for s in hostile["samples"] if flat(s) in squeezed]
    assert not leaked
    for d in atlas_workspace.departments:  # no officer
        assert d["officer_name"] not in text and flat(d["officer_phone"]) not in squeezed
        assert d["officer_email"] not in text
    for _address, street in ADDRESSES:  # the street is printed (a narrow column may wrap it)
        assert street.split()[-1] in text
    # a house number follows its street within one cell (one space); two or more spaces are a column gap of the
    # layout text (the next column's days late is not a house number)
    house = r"(?:вул|пр|просп|пров|вулиця)\.? [А-ЯІЇЄҐ](?:[\w'’-]| (?! ))*?,? \d+\s*(?:кв|/|$)"
    assert re.search(house, "вул. Степова, 12\n", re.M) and re.search(house, "вул. Тараса Шевченка 7/2", re.M)
    assert not re.search(house, text, re.M)


def test_public_maps_draw_cells_only(public_atlas: Any, hostile: dict[str, Any]) -> None:
    data = public_atlas.data
    assert data.public and data.aggregate_cells and not data.points and data.cells
    layers = atlas_layers.make_layers(data, hostile["path"])
    to_map = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem(atlas_data.MAP_CRS), QgsProject()
    )
    size = atlas_data.CELL_SIZE_M
    conn = sqlite3.connect(f"file:{hostile['path']}?mode=ro", uri=True)
    exact = set()
    for lon, lat in conn.execute("SELECT long, lat FROM reports WHERE long IS NOT NULL"):
        xy = to_map.transform(QgsPointXY(lon, lat))
        exact.add((round(xy.x(), 3), round(xy.y(), 3)))
    conn.close()

    drawn = set()
    for feature in layers.reports.getFeatures():  # the cells: squares on the 250 m grid
        for vertex in feature.geometry().vertices():
            assert vertex.x() / size == pytest.approx(round(vertex.x() / size))
            assert vertex.y() / size == pytest.approx(round(vertex.y() / size))
            drawn.add((round(vertex.x(), 3), round(vertex.y(), 3)))
    for feature in layers.heat.getFeatures():  # the heat map: cell centres
        point = feature.geometry().asPoint()
        assert (point.x() / size - 0.5) == pytest.approx(round(point.x() / size - 0.5))
        drawn.add((round(point.x(), 3), round(point.y(), 3)))
    for feature in layers.pages.getFeatures():  # the page extents: on the grid too
        for vertex in feature.geometry().vertices():
            drawn.add((round(vertex.x(), 3), round(vertex.y(), 3)))
    assert drawn and not (drawn & exact)

    lonely = to_map.transform(QgsPointXY(*LONELY))
    cell = (int(lonely.x() // size), int(lonely.y() // size))
    assert all((c.ix, c.iy) != cell for c in data.cells)  # the hidden report is on no map
    city = sum(c.count for c in data.cells if c.group_key == "*")
    assert city == sum(c.count for c in data.cells if c.group_key != "*")


def test_public_page_looks_right(public_atlas: Any, tmp_path: Path) -> None:
    """Render the cover and the first group page (looked at by hand when this was written)."""
    prefix = tmp_path / "page"
    subprocess.run([PDFTOPPM, "-r", "60", "-f", "1", "-l", "2", "-png", public_atlas.pdf, str(prefix)], check=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == 2 and all(p.stat().st_size > 10_000 for p in pngs)
