"""Відкрите Місто (Open City): Open311 citizen reports in QGIS."""


def classFactory(iface):  # noqa: N802 (QGIS plugin entry point)
    """Return the plugin instance QGIS asks for."""
    from .plugin import OpenMistoPlugin

    return OpenMistoPlugin(iface)
