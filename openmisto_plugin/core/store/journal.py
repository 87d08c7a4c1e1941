"""GeoPackages in the rollback journal while the plugin runs (issue 11, item 1).

QGIS switches a local GeoPackage to WAL whenever it opens it for writing (a layer's filter, the layer
properties), unless GDAL's ``OGR_SQLITE_JOURNAL`` option is set; its read-only connections then meet
"unable to open database file", and the workspace's commits live in ``-wal`` until a checkpoint, where any
other program can break them. With ``OGR_SQLITE_JOURNAL=DELETE`` (GDAL's own default for GeoPackage) QGIS
leaves the journal mode alone and GDAL opens GeoPackages with the rollback journal, like the store does.

The option is process-wide: while the plugin is loaded, GeoPackages QGIS edits use the rollback journal too.
A value the user set (environment or QGIS options) is kept; unloading the plugin restores what was there.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

OPTION = "OGR_SQLITE_JOURNAL"
_previous: list[str | None] = []


def use_rollback_journal() -> None:
    """Set ``OGR_SQLITE_JOURNAL=DELETE`` unless something already chose a journal mode."""
    from osgeo import gdal

    current = gdal.GetConfigOption(OPTION)
    _previous.append(current)
    if current is None:
        gdal.SetConfigOption(OPTION, "DELETE")
        log.info("GeoPackages use the rollback journal (%s=DELETE) while the plugin is loaded", OPTION)


def restore_journal() -> None:
    """Undo the last :func:`use_rollback_journal`."""
    from osgeo import gdal

    if _previous:
        gdal.SetConfigOption(OPTION, _previous.pop())
