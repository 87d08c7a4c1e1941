"""Where the plugin's files are, both in a source checkout and in the installed zip."""

from __future__ import annotations

from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parent.parent


def _first_existing(name: str) -> Path:
    """``<plugin>/<name>`` when packaged, ``<checkout>/<name>`` in a source tree."""
    packaged = PLUGIN_DIR / name
    if packaged.exists():
        return packaged
    return PLUGIN_DIR.parent / name


def resources_dir() -> Path:
    """Folder with styles, icons, layout templates and the Procedure file."""
    return _first_existing("resources")


def resource(*parts: str) -> Path:
    """Path of one file under the resources folder."""
    return resources_dir().joinpath(*parts)


def i18n_dir() -> Path:
    """Folder with the compiled translations (``openmisto_<locale>.qm``)."""
    return _first_existing("i18n")
