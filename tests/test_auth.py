"""API key in QGIS's authentication database (tools/run-tests.sh points QGIS_AUTH_DB_DIR_PATH to a temp dir)."""

from __future__ import annotations

import logging

import pytest
from qgis.core import QgsApplication, QgsSettings

from openmisto_plugin.core.open311 import auth
from openmisto_plugin.core.open311.auth import AuthError, delete_api_key, load_api_key, save_api_key

MASTER = "pytest-master-password"  # the same as tests/test_plugin.py: one session, one auth DB
KEY = "moderator-key-Ωx7"


@pytest.fixture
def unlocked(qgis_app):
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword(MASTER, True), "could not set the test master password"
    return manager


def test_save_and_load(unlocked, caplog):
    caplog.set_level(logging.DEBUG, logger="openmisto_plugin")
    authcfg = save_api_key(KEY, "Відкрите Місто: test")
    assert len(authcfg) == 7
    assert load_api_key(authcfg) == KEY
    config_names = {cfg.name() for cfg in unlocked.availableAuthMethodConfigs().values()}
    assert "Відкрите Місто: test" in config_names
    assert KEY not in caplog.text
    # the key is not in QGIS settings
    settings = QgsSettings()
    assert all(KEY not in str(settings.value(k)) for k in settings.allKeys())
    assert delete_api_key(authcfg)


def test_update_keeps_the_id(unlocked):
    authcfg = save_api_key(KEY, "one")
    again = save_api_key("new-key", "one", authcfg=authcfg)
    assert again == authcfg
    assert load_api_key(authcfg) == "new-key"
    delete_api_key(authcfg)


def test_unknown_authcfg_and_empty(unlocked):
    assert load_api_key(None) is None
    assert load_api_key("") is None
    with pytest.raises(AuthError) as info:
        load_api_key("zzzzzzz")
    assert info.value.kind == "missing" and info.value.user_message()
    with pytest.raises(ValueError):
        save_api_key("", "empty")


def test_locked_database_raises_clear_error(qgis_app, monkeypatch):
    manager = QgsApplication.authManager()
    monkeypatch.setattr(auth.QgsApplication, "authManager", staticmethod(lambda: _Locked(manager)))
    with pytest.raises(AuthError) as info:
        load_api_key("abcdefg", prompt=False)
    assert info.value.kind == "locked"
    assert "master password" in info.value.user_message()


class _Locked:
    """The real manager, seen as if no master password had been entered."""

    def __init__(self, manager) -> None:
        self._manager = manager

    def masterPasswordIsSet(self) -> bool:
        return False

    def __getattr__(self, name):
        return getattr(self._manager, name)
