"""The store: GeoPackage by default, PostGIS shared (same schema, same :class:`ReportStore` API; ``factory``)."""

from __future__ import annotations

from .base import OutboxEntry, ReportStore, StoreError, SyncBusyError, UpsertCounts, VersionConflictError
from .gpkg import GeoPackageStore
from .schema import SCHEMA_VERSION, SchemaError, SchemaTooNewError

__all__ = [
    "SCHEMA_VERSION",
    "GeoPackageStore",
    "OutboxEntry",
    "ReportStore",
    "SchemaError",
    "SchemaTooNewError",
    "StoreError",
    "SyncBusyError",
    "UpsertCounts",
    "VersionConflictError",
]
