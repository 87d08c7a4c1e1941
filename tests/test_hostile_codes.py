"""A hostile platform's codes cannot reach a data source string (issue 10, item 1).

A district ``code`` once went into ``…|layername=districts|subset="code" = '<code>'``: GDAL read the rest of
the code as open options, and ``PRELUDE_STATEMENTS`` ran SQL on the workspace. These tests play that platform:
its codes are refused when stored, and a workspace that already holds such codes (written by an older version)
stays intact when the officer ticks them in the Filter panel, when the filtered layer is cloned and when the
project is saved and read again.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from qgis.core import QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import Qt

from openmisto_plugin.core import escaping
from tests.test_filters import build_workspace

# Payloads a platform can put into a code. The SQL is written without quotes (the old code doubled them), so
# each one works as written (``--`` comments out the closing quote); ``ATTACH`` of a bare name creates that file
# in the working directory.
ATTACK_DELETE = "zz|option:PRELUDE_STATEMENTS=DELETE FROM outbox; --"
ATTACK_ATTACH = "zy|option:PRELUDE_STATEMENTS=ATTACH DATABASE stolen AS s; CREATE TABLE s.loot AS SELECT * FROM meta;--"

# ---------------------------------------------------------------------------------------------- the quoting module


def test_sqlite_literals_never_carry_a_data_source_separator() -> None:
    assert escaping.sql_literal("it's") == "'it''s'"
    pipe = escaping.sql_literal("a|b")
    assert "|" not in pipe and pipe == "char(97, 124, 98)"
    assert "\n" not in escaping.sql_literal("line\nbreak")
    assert escaping.sql_literal("a|b'", "postgres") == "'a|b'''"
    assert escaping.sql_in("code", ["x", "x", "y"]) == "\"code\" IN ('x', 'y')"
    assert escaping.sql_in("code", []) == "0 = 1"
    assert escaping.sql_identifier('we"ird') == '"we""ird"'
    with pytest.raises(ValueError):
        escaping.sql_identifier("a|option:X=1")


def test_sqlite_evaluates_the_char_literal_to_the_original_text() -> None:
    """The ``char(…)`` form is the same value for SQLite (a filter on it still finds the row)."""
    value = "x|y\t'z'\u0412"
    conn = sqlite3.connect(":memory:")
    try:
        assert conn.execute(f"SELECT {escaping.sql_literal(value)}").fetchone()[0] == value
        assert conn.execute(f"SELECT {escaping.sql_literal(ATTACK_ATTACH)}").fetchone()[0] == ATTACK_ATTACH
    finally:
        conn.close()


@pytest.mark.parametrize(
    "code",
    # Codes of real Open311 servers (Helsinki, SeeClickFix, Chicago, the reference server) and Pokrov's.
    ["171", "4e090d24992b941e78000001", "CSROWR-12", "import:3qp16kaphhsc78uc422l", "pivdenno_zakhidnyi", "Центр 2"],
)
def test_real_codes_are_valid(code: str) -> None:
    assert escaping.is_valid_code(code)


@pytest.mark.parametrize(
    "code",
    [ATTACK_DELETE, "x' OR 1=1 --", "a\nb", "", " lead", "trail ", "two  spaces", "..", "_x", "<b>x</b>", "x" * 101],
)
def test_hostile_codes_are_invalid(code: str) -> None:
    assert not escaping.is_valid_code(code)


def test_expression_literal_is_qgis_quoting() -> None:
    from qgis.core import QgsFeature, QgsFeatureRequest

    value = "a'b\\' OR 1=1 OR 'c"
    layer = QgsVectorLayer("None?field=id:string", "ids", "memory")
    features = []
    for text in (value, "other", "c"):
        feature = QgsFeature(layer.fields())
        feature.setAttribute("id", text)
        features.append(feature)
    assert layer.dataProvider().addFeatures(features)[0]
    expression = f"{escaping.expression_field('id')} = {escaping.expression_literal(value)}"
    found = [f["id"] for f in layer.getFeatures(QgsFeatureRequest().setFilterExpression(expression))]
    assert found == [value]


def test_file_names_and_url_segments() -> None:
    assert escaping.file_name_component("../../etc/passwd") == "_.._etc_passwd"
    assert escaping.file_name_component("Центральний: 1/2") == "Центральний_ 1_2"
    assert escaping.file_name_component("..") == "file" and escaping.file_name_component("CON") == "file"
    assert escaping.url_path_segment("../admin?x=1#y") == "..%2Fadmin%3Fx%3D1%23y"
    with pytest.raises(ValueError):
        escaping.url_path_segment("..")


# ---------------------------------------------------------------------------------------------- stored codes


def test_a_hostile_platforms_district_codes_are_not_stored(fresh_refserver: Any, tmp_path: Path, caplog) -> None:
    """The platform serves two districts with payload codes beside its real ones: the real ones are kept."""
    import json

    from openmisto_plugin.core.open311.client import Open311Client
    from openmisto_plugin.core.store.gpkg import GeoPackageStore
    from openmisto_plugin.core.sync import SyncEngine

    conn = sqlite3.connect(str(fresh_refserver.db_path))
    with conn:
        real = conn.execute("SELECT code, ring_json FROM districts ORDER BY sort").fetchall()
        for i, code in enumerate((ATTACK_DELETE, ATTACK_ATTACH)):
            conn.execute(
                "INSERT INTO districts (code, name, ring_json, sort) VALUES (?, ?, ?, ?)",
                (code, "Evil", json.dumps(json.loads(real[0][1])), 100 + i),
            )
        conn.execute("UPDATE departments SET code = ? WHERE code = 'roads'", ("roads'|option:X=1",))
    conn.close()

    store = GeoPackageStore.create(str(tmp_path / "workspace.gpkg"))
    try:
        client = Open311Client(fresh_refserver.base_url, api_key=fresh_refserver.keys["moderator"])
        with caplog.at_level(logging.WARNING, logger="openmisto_plugin"):
            SyncEngine(store, client).pull(full=True)
        districts = [r["code"] for r in store.query("SELECT code FROM districts ORDER BY code")]
        departments = [r["code"] for r in store.query("SELECT code FROM departments")]
        reports = store.count()
    finally:
        store.close()
    assert districts == sorted(code for code, _ring in real)
    assert "roads'|option:X=1" not in departments and len(departments) >= 5
    assert reports > 0  # the reports beside them are kept
    skipped = [r.getMessage() for r in caplog.records if "invalid code" in r.getMessage()]
    assert len(skipped) == 3 and any("PRELUDE_STATEMENTS" in m for m in skipped)


# ---------------------------------------------------------------------------------------------- the Filter panel


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory, qgis_app: Any) -> Path:
    """A workspace that holds payload codes (as an older version stored them) and one outbox entry."""
    from openmisto_plugin.core.store.gpkg import register_gpkg_functions

    path = build_workspace(tmp_path_factory.mktemp("poisoned") / "workspace.gpkg", reports=400)
    conn = sqlite3.connect(str(path))
    register_gpkg_functions(conn)
    with conn:
        conn.execute("UPDATE districts SET code = ? WHERE code = 'tsentralnyi'", (ATTACK_DELETE,))
        conn.execute("UPDATE districts SET code = ? WHERE code = 'molodizhnyi'", (ATTACK_ATTACH,))
        conn.execute("UPDATE reports SET agency_responsible = ? WHERE agency_responsible = 'roads'", (ATTACK_DELETE,))
        conn.execute("UPDATE departments SET code = ? WHERE code = 'roads'", (ATTACK_DELETE,))
        conn.execute(
            "INSERT INTO outbox (update_id, service_request_id, payload_json, created_at, state, attempts)"
            " VALUES ('u-1', '1', '{}', '2026-12-01T00:00:00.000Z', 'pending', 0)"
        )
    conn.close()
    return path


def outbox_rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT update_id, state FROM outbox ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.fixture
def working_copy(poisoned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # where an ATTACH of a bare name would create its file
    copy = tmp_path / "workspace.gpkg"
    shutil.copy(poisoned, copy)
    return copy


def test_the_old_data_source_string_was_exploitable(working_copy: Path, tmp_path: Path) -> None:
    """Control: the payload does run through a ``|subset=`` data source (so the tests below can fail)."""
    literal = "'" + ATTACK_DELETE.replace("'", "''") + "'"
    layer = QgsVectorLayer(f'{working_copy}|layername=districts|subset="code" = {literal}', "d", "ogr")
    del layer
    assert outbox_rows(working_copy) == []


@pytest.fixture
def panel(working_copy: Path, qgis_iface: Any, qgis_new_project: None) -> Iterator[Any]:
    from openmisto_plugin.gui.filter_panel import FilterPanel

    layer = QgsVectorLayer(f"{working_copy}|layername=reports", "reports", "ogr")
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer)
    widget = FilterPanel(qgis_iface.mapCanvas())
    widget.set_workspace(str(working_copy))
    widget.set_layer(layer)
    yield widget
    widget.unload()
    widget.deleteLater()


def tick(items: Any, code: str) -> None:
    for i in range(items.count()):
        if items.item(i).data(Qt.ItemDataRole.UserRole) == code:
            items.item(i).setCheckState(Qt.CheckState.Checked)
            return
    raise AssertionError(f"{code!r} is not in the list")


def test_ticking_a_hostile_district_leaves_the_workspace_intact(panel: Any, working_copy: Path, tmp_path: Path):
    before = outbox_rows(working_copy)
    assert before == [("u-1", "pending")]
    panel.department_list.set_checked([])
    tick(panel.district_list, ATTACK_DELETE)
    tick(panel.district_list, ATTACK_ATTACH)
    tick(panel.department_list, ATTACK_DELETE)
    panel.apply_button.click()

    # The filter did its job: the reports of those two districts handled by the "department".
    conn = sqlite3.connect(str(working_copy))
    expected = [
        r[0]
        for r in conn.execute(
            "SELECT fid FROM reports WHERE district IN ('tsentralnyi', 'molodizhnyi') AND agency_responsible = ?"
            " ORDER BY fid",
            (ATTACK_DELETE,),
        )
    ]
    conn.close()
    assert expected and sorted(panel.layer.allFeatureIds()) == expected

    # The filtered layer written to a project, read again, and cloned: still nothing runs.
    project_file = tmp_path / "project.qgs"
    assert QgsProject.instance().write(str(project_file))
    source = panel.layer.source()
    assert "|option:" not in source and "|subset=" in source
    clone = QgsVectorLayer(source, "clone", "ogr")
    assert clone.featureCount() == len(expected)
    QgsProject.instance().clear()
    assert QgsProject.instance().read(str(project_file))
    reread = list(QgsProject.instance().mapLayers().values())
    assert [layer.featureCount() for layer in reread] == [len(expected)]
    QgsProject.instance().clear()

    assert outbox_rows(working_copy) == before
    assert not (tmp_path / "stolen").exists()


def test_reports_with_hostile_ids_are_skipped_and_the_rest_kept(tmp_path: Path, caplog) -> None:
    from openmisto_plugin.core.store.gpkg import GeoPackageStore
    from tests.helpers_store import req

    store = GeoPackageStore.create(str(tmp_path / "workspace.gpkg"))
    try:
        with caplog.at_level(logging.WARNING, logger="openmisto_plugin"):
            counts = store.upsert_requests([req(1), req(2)])
            hostile = [req(3), req(4)]
            hostile[0].service_request_id = ATTACK_DELETE
            hostile[1].service_request_id = "../../admin"
            counts = counts + store.upsert_requests([*hostile, req(5)])
        ids = [r["service_request_id"] for r in store.query("SELECT service_request_id FROM reports ORDER BY fid")]
    finally:
        store.close()
    assert ids == ["1", "2", "5"] and counts.new == 3
    assert sum("invalid code" in r.getMessage() for r in caplog.records) == 2
