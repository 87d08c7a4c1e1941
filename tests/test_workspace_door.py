"""The workspace door: one address, and every question about its backend answered by :class:`Workspace`."""

from __future__ import annotations

import pytest
from qgis.core import QgsVectorLayer

from openmisto_plugin.core.store.factory import open_store
from openmisto_plugin.core.store.workspace import POSTGRES, SQLITE, Workspace


def test_a_geopackage_workspace_answers_for_its_file(tmp_path):
    path = tmp_path / "pokrov.gpkg"
    workspace = Workspace(path)
    assert not workspace.exists()
    with workspace.opened(create=True) as store:
        store.set_state("probe", "1")
        assert Workspace.of(store) == workspace
        assert store.workspace == workspace
    assert workspace.exists() and not workspace.shared
    assert workspace.path == path and workspace.name == "pokrov" and workspace.local_folder() == tmp_path
    assert workspace.dialect is SQLITE
    source, provider = workspace.layer_source("reports")
    layer = QgsVectorLayer(source, "reports", provider)
    assert layer.isValid() and provider == "ogr"
    assert Workspace.of(layer) == workspace
    with workspace.opened() as store:
        assert store.get_state("probe") == "1"


def test_a_postgres_address_is_a_shared_workspace_without_a_file():
    workspace = Workspace("postgres:service=pokrov schema=city_a")
    assert workspace.shared and workspace.path is None and workspace.exists()
    assert workspace.dialect is POSTGRES and workspace.dialect.provider == "postgres"
    assert workspace.name == "city_a"
    assert workspace.local_folder().name == "openmisto"
    assert "city_a" in workspace.describe()


@pytest.mark.parametrize(
    ("dialect", "value", "expected"),
    [
        (SQLITE, "a|b", "char(97, 124, 98)"),
        (SQLITE, "O'Neil", "'O''Neil'"),
        (POSTGRES, "O'Neil\x00", "'O''Neil'"),
    ],
)
def test_the_dialect_escapes_literals_for_its_provider(dialect, value, expected):
    assert dialect.literal(value) == expected


def test_the_dialect_box_uses_each_backends_index():
    box = (35.0, 47.6, 35.1, 47.7)
    assert '"rtree_reports_geom"' in SQLITE.bbox(box, "geom", "rtree_reports_geom")
    assert POSTGRES.bbox(box, "geom", "rtree_reports_geom").startswith('"geom" && ST_MakeEnvelope(35.0, 47.6')


def test_a_filter_from_the_dialect_selects_on_a_real_geopackage_layer(tmp_path):
    path = tmp_path / "w.gpkg"
    open_store(str(path), create=True).close()
    workspace = Workspace(path)
    source, provider = workspace.layer_source("reports", workspace.dialect.in_list("status", ["open", "x|y"]))
    layer = QgsVectorLayer(source, "reports", provider)
    assert layer.isValid() and layer.featureCount() == 0
    with pytest.raises(TypeError):
        Workspace.of(42)
