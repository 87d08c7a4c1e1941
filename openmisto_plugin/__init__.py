"""Відкрите Місто (Open City): Open311 citizen reports in QGIS."""


def classFactory(iface):
    """Return the plugin instance QGIS asks for."""
    from .plugin import OpenMistoPlugin

    return OpenMistoPlugin(iface)
