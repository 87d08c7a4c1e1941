"""One saved key and one workspace per key identity (issue 11, items 4 and 9), against the reference server.

The same QGIS is switched moderator → officer:roads → viewer → moderator as a user does it (the settings, then
the plugin's own sync); each workspace must hold exactly what that key may see on the platform, and what one
identity left unsent stays in its own workspace.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from qgis.core import Qgis

from openmisto_plugin.core import project_layers
from openmisto_plugin.core import workflow as wf
from openmisto_plugin.core.open311.auth import load_api_key, save_api_key
from openmisto_plugin.core.settings import PluginSettings
from tests.test_plugin import clean_settings, iface, plugin, unlocked_auth, wait_for  # noqa: F401 - fixtures


def _server_ids(server, where: str = "1", args: tuple = ()) -> set[str]:
    with server.db() as conn:
        return {str(r[0]) for r in conn.execute(f"SELECT id FROM requests WHERE {where}", args)}


def _held(workspace: str) -> set[str]:
    with sqlite3.connect(f"file:{workspace}?mode=ro", uri=True) as db:
        return {r[0] for r in db.execute("SELECT service_request_id FROM reports")}


def _switch(plugin, role: str, department: str = "", authcfg: str = "") -> PluginSettings:  # noqa: F811
    """Change the role (and key) in the settings as the dialog saves them, and let the plugin apply it."""
    before = PluginSettings.load()
    changed = PluginSettings.load()
    changed.role, changed.department = role, department
    changed.authcfg = authcfg or changed.authcfgs.get(changed.profile, "")
    changed.save()
    after = PluginSettings.load()
    plugin.settings_changed(before, after)
    return after


def _sync(plugin) -> None:  # noqa: F811
    assert plugin.sync.start() is not None
    assert wait_for(lambda: plugin.sync.task is None, 180)


def test_each_key_identity_has_its_own_workspace_and_unsent_work_stays_put(
    iface,  # noqa: F811
    plugin,  # noqa: F811
    refserver,
    unlocked_auth,  # noqa: F811
    tmp_path,
):
    keys = {p: save_api_key(refserver.keys[p], f"test {p}") for p in ("moderator", "officer:roads", "viewer")}
    settings = PluginSettings.load()
    settings.base_url, settings.sync_interval_min = refserver.base_url, 0
    settings.workspace_path = str(tmp_path / "workspace.gpkg")
    settings.role, settings.authcfg = "moderator", keys["moderator"]
    settings.save()
    plugin.apply_settings(PluginSettings.load())
    _sync(plugin)
    moderator_ws = PluginSettings.load().workspace
    assert moderator_ws == str(tmp_path / "workspace.gpkg")
    everything = _server_ids(refserver)
    assert _held(moderator_ws) == everything
    # the moderator accepts a report; the platform is not told yet (no push): it waits in the outbox
    waiting = sorted(_server_ids(refserver, "external_status_code = 'for_triage'"))[0]
    store = plugin.session.open_store()
    wf.accept(store, wf.Actor("moderator"), waiting)
    plugin.session.close()

    officer = _switch(plugin, "officer", "roads", keys["officer:roads"])
    assert officer.workspace != moderator_ws and Path(officer.workspace).parent == tmp_path
    notes = iface.messageBar().get_messages(Qgis.Info)
    assert any("1" in n and Path(moderator_ws).name in n for n in notes), notes  # says where the unsent one is
    _sync(plugin)
    roads = _server_ids(refserver, "agency_responsible = ?", ("roads",))
    assert roads and _held(officer.workspace) == roads  # nothing of the other departments, no rejected reports
    layer = project_layers.find_layer(project_layers.REPORTS)
    assert layer is not None and layer.featureCount() == len(roads)
    assert Path(officer.workspace).name in layer.source()

    viewer = _switch(plugin, "viewer", authcfg=keys["viewer"])
    _sync(plugin)
    assert viewer.workspace not in (moderator_ws, officer.workspace)
    assert _held(viewer.workspace) == _server_ids(refserver)  # the reference viewer key sees everything

    back = _switch(plugin, "moderator")
    assert back.workspace == moderator_ws and back.authcfg == keys["moderator"]  # no retyping
    store = plugin.session.open_store()
    assert [e.service_request_id for e in store.outbox_entries(("pending",))] == [waiting]
    plugin.session.close()


def test_settings_keep_one_key_per_role(qgis_app, clean_settings, unlocked_auth, tmp_path):  # noqa: F811
    from openmisto_plugin.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(PluginSettings.load())
    dialog.url_edit.setText("http://127.0.0.1:8311/open311/v2/")
    dialog.workspace_widget.setFilePath(str(tmp_path / "w.gpkg"))
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("moderator"))
    dialog.key_edit.setText("moderator-key")
    dialog.accept()
    moderator_cfg = PluginSettings.load().authcfg

    second = SettingsDialog(PluginSettings.load())
    second.role_combo.setCurrentIndex(second.role_combo.findData("officer"))
    second.department_combo.setEditText("roads")
    assert second.auth_select.configId() == ""  # the officer has no key yet: nothing of the moderator's shown
    second.key_edit.setText("officer-roads-key")
    second.accept()
    officer_cfg = PluginSettings.load().authcfg
    assert officer_cfg and officer_cfg != moderator_cfg
    assert load_api_key(moderator_cfg) == "moderator-key"  # was overwritten by the officer's key before
    assert load_api_key(officer_cfg) == "officer-roads-key"

    third = SettingsDialog(PluginSettings.load())
    assert third.auth_select.configId() == officer_cfg
    third.role_combo.setCurrentIndex(third.role_combo.findData("moderator"))
    assert third.auth_select.configId() == moderator_cfg  # switching back: the moderator's key, no retyping
    third.accept()
    assert PluginSettings.load().authcfg == moderator_cfg


def test_test_connection_notices_a_key_of_another_role(qgis_app, clean_settings, refserver):  # noqa: F811
    from openmisto_plugin.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(PluginSettings.load())
    dialog.url_edit.setText(refserver.base_url)
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("moderator"))
    dialog.key_edit.setText(refserver.keys["officer:roads"])
    assert dialog.test_connection() is not None
    assert wait_for(lambda: dialog.test_button.isEnabled(), 60)
    warning = dialog.role_mismatch("officer:roads")
    assert warning and warning in dialog.test_label.text()
    assert "c62828" in dialog.test_label.styleSheet()

    dialog.key_edit.setText(refserver.keys["moderator"])
    dialog.test_connection()
    assert wait_for(lambda: dialog.test_button.isEnabled(), 60)
    assert warning not in dialog.test_label.text() and "2e7d32" in dialog.test_label.styleSheet()
    assert dialog.role_mismatch(None) == ""  # a platform that does not say whose key it is: nothing said
