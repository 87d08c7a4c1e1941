"""Відкрите Місто (Open City): Open311 citizen reports in QGIS."""

import sys
from pathlib import Path

# Pure-Python dependencies QGIS's Python lacks (``holidays``) ship in the zip's ext_libs (tools/vendor_libs.py).
# Appended, not prepended: a copy installed on the system wins.
_EXT_LIBS = str(Path(__file__).resolve().parent / "ext_libs")
if Path(_EXT_LIBS).is_dir() and _EXT_LIBS not in sys.path:
    sys.path.append(_EXT_LIBS)


def classFactory(iface):
    """Return the plugin instance QGIS asks for."""
    from .plugin import OpenMistoPlugin

    return OpenMistoPlugin(iface)
