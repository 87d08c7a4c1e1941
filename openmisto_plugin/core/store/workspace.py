"""The workspace: the one door to a city's report data, whatever keeps it.

A workspace is a GeoPackage file or a PostGIS schema, named by one address (see :mod:`.factory`). Code
outside ``core/store/`` never asks which of the two it is: it takes a :class:`Workspace` (from an address,
a store, or a QGIS layer of the workspace) and asks it for what it needs:

- :meth:`Workspace.open` / :meth:`Workspace.opened`: the store, whose interface is the only way to read
  and write the workspace's data;
- :meth:`Workspace.layer_source`: the data source of a QGIS layer on one of its tables;
- :attr:`Workspace.dialect`: how that layer's provider writes SQL (subset strings), as a :class:`SqlDialect`;
- :attr:`Workspace.shared`: several people (and the server) sync it, so it has no file of its own;
- :meth:`Workspace.local_folder`: where files made from it go on this computer (photos, PDFs).
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..escaping import glob_pattern, regex_pattern, sql_identifier, sql_in, sql_literal
from .base import ReportStore
from .factory import describe, is_postgres, layer_source, open_store, workspace_exists

DEFAULT_SCHEMA = "openmisto"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SqlDialect:
    """The SQL of a workspace's layer provider and of its store's :meth:`~ReportStore.query`.

    ``name`` is ``sqlite`` (GeoPackage through OGR) or ``postgres``; code outside the store passes the
    dialect along or calls its methods, it never compares the name.
    """

    name: str

    @property
    def provider(self) -> str:
        """QGIS provider key of layers in this dialect (``ogr`` or ``postgres``)."""
        return "postgres" if self.name == "postgres" else "ogr"

    def literal(self, value: Any) -> str:
        """``value`` as a string literal (:func:`core.escaping.sql_literal`)."""
        return sql_literal(value, self.name)

    def in_list(self, column: str, values: Iterable[Any]) -> str:
        """``"column" IN (…)`` of escaped literals (:func:`core.escaping.sql_in`)."""
        return sql_in(column, values, self.name)

    def boolean(self, value: bool) -> str:
        """A boolean literal: ``true``/``false`` for PostgreSQL, ``1``/``0`` for SQLite."""
        if self.name == "postgres":
            return "TRUE" if value else "FALSE"
        return "1" if value else "0"

    def bbox(self, bbox: tuple[float, float, float, float], geometry_column: str, rtree: str) -> str:
        """Rows whose geometry's box meets ``bbox`` (WGS 84 ``xmin, ymin, xmax, ymax``).

        PostGIS: ``&&`` on ``geometry_column`` (its GiST index); GeoPackage: ``fid`` in the entries of the
        layer's R*Tree ``rtree`` (``rtree_<table>_<column>``).
        """
        xmin, ymin, xmax, ymax = (float(v) for v in bbox)
        if self.name == "postgres":
            return f"{sql_identifier(geometry_column)} && ST_MakeEnvelope({xmin!r}, {ymin!r}, {xmax!r}, {ymax!r}, 4326)"
        return (
            f'"fid" IN (SELECT id FROM {sql_identifier(rtree)} WHERE minx <= {xmax!r} AND maxx >= {xmin!r}'  # noqa: S608 - a quoted identifier and float reprs  # nosec B608
            f" AND miny <= {ymax!r} AND maxy >= {ymin!r})"
        )

    def contains(self, column: str, word: str) -> str:
        """``column`` holds ``word`` in any case (letter classes: Cyrillic too, whatever the database's locale).

        SQLite: ``GLOB`` (its ``LIKE``/``lower()`` fold ASCII only); PostgreSQL: a regular expression with the
        same letter classes (:func:`core.escaping.glob_pattern`, :func:`core.escaping.regex_pattern`).
        """
        if self.name == "postgres":
            return f"{sql_identifier(column)} ~ {sql_literal(regex_pattern(word), self.name)}"
        return f"{sql_identifier(column)} GLOB {sql_literal(glob_pattern(word), self.name)}"


SQLITE = SqlDialect("sqlite")
POSTGRES = SqlDialect("postgres")


class Workspace:
    """One workspace, named by its address (a GeoPackage path or a ``postgres:`` address)."""

    def __init__(self, address: str | os.PathLike[str]) -> None:
        self.address = os.fspath(address) if address else ""

    def __repr__(self) -> str:
        return f"Workspace({self.describe()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Workspace) and other.address == self.address

    def __hash__(self) -> int:
        return hash(self.address)

    @classmethod
    def of(cls, target: Any) -> Workspace:
        """The workspace of ``target``: a :class:`Workspace`, an address, a store, or a QGIS layer on it."""
        if isinstance(target, Workspace):
            return target
        if isinstance(target, (str, os.PathLike)):
            return cls(target)
        if isinstance(target, ReportStore):
            return cls(target.path)
        if hasattr(target, "providerType") and hasattr(target, "source"):  # a QgsVectorLayer
            return cls(_layer_address(target))
        raise TypeError(f"not a workspace: {target!r}")

    # -- what it is --------------------------------------------------------------
    @property
    def shared(self) -> bool:
        """A database several people (and the server) sync: no file, the sync lock lives in the database."""
        return is_postgres(self.address)

    @property
    def dialect(self) -> SqlDialect:
        """How its layers' provider and its store write SQL."""
        return POSTGRES if self.shared else SQLITE

    @property
    def path(self) -> Path | None:
        """The GeoPackage file (``None`` for a shared workspace)."""
        return None if self.shared or not self.address else Path(self.address)

    @property
    def name(self) -> str:
        """A short name for file names and folders: the file's stem, or the database schema."""
        if self.path is not None:
            return self.path.stem
        return self._schema()

    def exists(self) -> bool:
        """Whether there may be a workspace without connecting (the file exists, or an address is set)."""
        return workspace_exists(self.address)

    def describe(self) -> str:
        """The workspace in words for messages and tooltips (secret-free)."""
        return describe(self.address)

    def local_folder(self) -> Path:
        """Where files made from this workspace go on this computer.

        A GeoPackage's own folder; for a shared workspace ``<QGIS settings dir>/openmisto`` (it has no folder).
        """
        if self.path is not None:
            return self.path.parent
        from qgis.core import QgsApplication

        return Path(QgsApplication.qgisSettingsDirPath()) / "openmisto"

    def reads_utc_stamps_as_local(self) -> bool:
        """Whether this QGIS reads the workspace's UTC stamps as local time in layers.

        The store writes every datetime as UTC (``…Z``). QGIS 3.22's OGR provider drops the ``Z`` of a
        GeoPackage DATETIME and shows the same wall clock as local time (3.40 keeps it as UTC); PostGIS's
        ``timestamptz`` is read right everywhere. Expressions comparing stamps with ``now()`` correct for it.
        """
        return not self.shared and _ogr_reads_utc_as_local()

    # -- doors -------------------------------------------------------------------
    def open(self, create: bool = False) -> ReportStore:
        """Its store (``create=True`` creates a missing GeoPackage or schema); the caller closes it."""
        return open_store(self.address, create=create)

    @contextmanager
    def opened(self, create: bool = False) -> Iterator[ReportStore]:
        """Its store for the ``with`` block, closed afterwards."""
        store = self.open(create=create)
        try:
            yield store
        finally:
            store.close()

    def layer_source(self, table: str, subset: str = "") -> tuple[str, str]:
        """``(data source, provider key)`` of a QGIS layer on ``table`` (see :func:`.factory.layer_source`)."""
        return layer_source(self.address, table, subset)

    def _schema(self) -> str:
        from .pg_connection import PgConnectionError, parse_uri

        try:
            return parse_uri(self.address).schema
        except PgConnectionError:
            return DEFAULT_SCHEMA


@functools.cache
def _ogr_reads_utc_as_local() -> bool:
    """Probe once: a GeoPackage holding ``2026-01-01T00:00:00Z``, read by QGIS's OGR provider."""
    from osgeo import ogr
    from qgis.core import QgsVectorLayer
    from qgis.PyQt.QtCore import Qt

    with tempfile.TemporaryDirectory(prefix="openmisto-probe-") as folder:
        path = os.path.join(folder, "probe.gpkg")
        source = ogr.GetDriverByName("GPKG").CreateDataSource(path)
        table = source.CreateLayer("probe", geom_type=ogr.wkbNone)
        table.CreateField(ogr.FieldDefn("stamp", ogr.OFTDateTime))
        feature = ogr.Feature(table.GetLayerDefn())
        feature.SetField("stamp", "2026/01/01 00:00:00+00")
        table.CreateFeature(feature)
        source = table = feature = None
        layer = QgsVectorLayer(f"{path}|layername=probe", "probe", "ogr")
        value = next(layer.getFeatures())["stamp"] if layer.isValid() else None
        del layer
    local = getattr(value, "timeSpec", None) is not None and value.timeSpec() == Qt.TimeSpec.LocalTime
    log.info("QGIS reads GeoPackage UTC stamps as %s time", "local" if local else "UTC")
    return local


def _layer_address(layer: Any) -> str:
    """The workspace address of a QGIS layer made by the plugin (or any layer on a workspace table)."""
    known = layer.customProperty("openmisto/workspace")  # project_layers.WORKSPACE_PROPERTY
    if known:
        return str(known)
    if layer.providerType() == "postgres":
        from qgis.core import QgsDataSourceUri

        from .pg_connection import PgConnectionInfo

        uri = QgsDataSourceUri(layer.source())
        info = PgConnectionInfo(
            service=uri.service() or None,
            host=uri.host() or None,
            port=int(uri.port()) if uri.port() else None,
            dbname=uri.database() or None,
            user=uri.username() or None,
            authcfg=uri.authConfigId() or None,
            schema=uri.schema() or DEFAULT_SCHEMA,
        )
        return info.to_uri()
    from qgis.core import QgsProviderRegistry

    parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
    return str(parts.get("path") or layer.source().split("|")[0])
