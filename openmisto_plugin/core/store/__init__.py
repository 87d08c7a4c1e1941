"""The store: GeoPackage by default, PostGIS later (same schema, same :class:`ReportStore` API)."""

from __future__ import annotations

from .base import OutboxEntry, ReportStore, StoreError, UpsertCounts
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
    "UpsertCounts",
]
