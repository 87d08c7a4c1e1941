"""A throw-away QGIS profile in which ``qgis_process`` sees a staged copy of the plugin (tests and bench/)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = "openmisto_plugin"


def stage_plugin(plugins_dir: Path) -> Path:
    """Lay the plugin out as the zip does (package, resources, translations, metadata)."""
    target = plugins_dir / PLUGIN
    shutil.copytree(ROOT / PLUGIN, target, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "resources", target / "resources")
    (target / "i18n").mkdir(exist_ok=True)
    for qm in (ROOT / "i18n").glob("*.qm"):
        shutil.copy(qm, target / "i18n")
    shutil.copy(ROOT / "metadata.txt", target / "metadata.txt")
    return target


def isolated_profile_env(base: Path) -> dict[str, str]:
    """The environment of a ``qgis_process`` with its own profile under ``base`` and the staged plugin.

    The plugin still has to be enabled in it (``qgis_process plugins enable openmisto_plugin``).
    """
    plugins = base / "plugins"
    stage_plugin(plugins)
    config = base / "config"
    config.mkdir()
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        QGIS_CUSTOM_CONFIG_PATH=str(config),
        QGIS_AUTH_DB_DIR_PATH=str(config / "profiles" / "default"),
        QGIS_PLUGINPATH=str(plugins),
        # ext_libs (holidays) is vendored by `make package` only; the venv provides it here.
        PYTHONPATH=os.pathsep.join(p for p in sys.path if "site-packages" in p),
    )
    for name in ("OPENMISTO_API_KEY", "QGIS_AUTH_PASSWORD_FILE"):
        env.pop(name, None)
    return env
