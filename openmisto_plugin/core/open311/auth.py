"""The platform API key in QGIS's authentication database (never in QgsSettings or projects).

The key is stored as an authcfg of method ``Basic`` (available in every QGIS 3.x) with
username ``api_key`` and the key as password; settings and projects keep only the
7-character authcfg id. The database is encrypted with the user's master password:
when it is not set yet, QGIS asks for it in the desktop (``prompt=True``); headless
runs (``qgis_process``) get it from ``QGIS_AUTH_PASSWORD_FILE`` or the OS keychain.
"""

from __future__ import annotations

import logging

from qgis.core import QgsApplication, QgsAuthMethodConfig

from ..i18n import tr

__all__ = ["AUTH_METHOD", "AUTH_USERNAME", "AuthError", "delete_api_key", "load_api_key", "save_api_key"]

log = logging.getLogger(__name__)

AUTH_METHOD = "Basic"
AUTH_USERNAME = "api_key"


class AuthError(Exception):
    """The authentication database cannot be used (``kind``: unavailable, locked, missing, failed)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind

    def user_message(self) -> str:
        """A translated explanation for the user."""
        texts = {
            "unavailable": tr(
                "The QGIS authentication database is not available (Settings > Options > Authentication)."
            ),
            "locked": tr("The QGIS authentication database is locked: enter the master password and try again."),
            "missing": tr("The saved API key was not found in the QGIS authentication database. Enter it again."),
            "failed": tr("The API key could not be saved in the QGIS authentication database."),
        }
        return texts.get(self.kind, str(self))


def _manager(prompt: bool):
    """The auth manager, unlocked; ``prompt`` lets QGIS ask for the master password."""
    manager = QgsApplication.authManager()
    if manager is None or manager.isDisabled():
        raise AuthError("unavailable", "the QGIS authentication system is disabled")
    if AUTH_METHOD not in manager.authMethodsKeys():
        raise AuthError("unavailable", f"the QGIS authentication method {AUTH_METHOD!r} is not installed")
    if not manager.masterPasswordIsSet() and (not prompt or not manager.setMasterPassword(True)):
        raise AuthError("locked", "the QGIS authentication database is locked (master password not set)")
    return manager


def _ok(result) -> bool:
    """PyQGIS returns ``bool`` or ``(bool, config)`` depending on the version."""
    return bool(result[0] if isinstance(result, tuple) else result)


def _load(manager, authcfg: str) -> QgsAuthMethodConfig | None:
    """The full (decrypted) config of ``authcfg``, or ``None``."""
    config = QgsAuthMethodConfig()
    result = manager.loadAuthenticationConfig(authcfg, config, True)
    if isinstance(result, tuple) and len(result) > 1 and isinstance(result[1], QgsAuthMethodConfig):
        config = result[1]
    return config if _ok(result) and config.isValid() else None


def save_api_key(key: str, name: str, authcfg: str | None = None, prompt: bool = True) -> str:
    """Store ``key`` (a new authcfg, or update ``authcfg`` if it exists); returns the authcfg id."""
    if not key:
        raise ValueError("empty API key")
    manager = _manager(prompt)
    loaded = _load(manager, authcfg) if authcfg and authcfg in manager.availableAuthMethodConfigs() else None
    existing = loaded is not None
    config = loaded if loaded is not None else QgsAuthMethodConfig(AUTH_METHOD)
    config.setMethod(AUTH_METHOD)
    config.setName(name)
    config.setConfig("username", AUTH_USERNAME)
    config.setConfig("password", key)
    if existing:
        if not manager.updateAuthenticationConfig(config):
            raise AuthError("failed", f"could not update authcfg {authcfg}")
        log.info("API key updated in authcfg %s", config.id())
        return config.id()
    result = manager.storeAuthenticationConfig(config)
    stored = result[1] if isinstance(result, tuple) and len(result) > 1 else config
    if not _ok(result) or not stored.id():
        raise AuthError("failed", "could not store the API key in the authentication database")
    log.info("API key stored in authcfg %s", stored.id())
    return stored.id()


def load_api_key(authcfg: str | None, prompt: bool = True) -> str | None:
    """The key saved under ``authcfg``; ``None`` when no authcfg is given.

    Raises :class:`AuthError` when the database is locked/unavailable or the id is unknown.
    """
    if not authcfg:
        return None
    manager = _manager(prompt)
    if authcfg not in manager.availableAuthMethodConfigs():
        raise AuthError("missing", f"no authcfg {authcfg!r} in the authentication database")
    config = _load(manager, authcfg)
    if config is None:
        raise AuthError("locked", f"authcfg {authcfg!r} could not be decrypted")
    return config.config("password") or None


def delete_api_key(authcfg: str) -> bool:
    """Remove a saved key (e.g. when the user clears the setting)."""
    manager = _manager(prompt=False)
    return bool(manager.removeAuthenticationConfig(authcfg))
