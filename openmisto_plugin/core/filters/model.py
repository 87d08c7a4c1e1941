"""What a report filter asks for (:class:`ReportFilter`, saved as JSON) and lets through (:class:`FilterResult`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from qgis.core import QgsRectangle

from ..i18n import tr
from ..timeutil import parse_day

FORMAT_VERSION = 1
UNASSIGNED = ""  # department code meaning "no department yet"


@dataclass
class ReportFilter:
    """What the officer asked for. Empty fields do not filter; the criteria are combined with AND."""

    statuses: list[str] = field(default_factory=list)  # external status codes
    categories: list[str] = field(default_factory=list)  # service codes
    departments: list[str] = field(default_factory=list)  # agency_responsible codes; "" = not assigned
    date_from: date | None = None  # requested on or after this Kyiv date
    date_to: date | None = None  # requested on or before this Kyiv date
    overdue_only: bool = False
    text: str = ""  # words in description, address or id (all words, any case)
    extent: QgsRectangle | None = None
    extent_crs: str = ""
    districts: list[str] = field(default_factory=list)  # district codes
    polygon_wkt: str = ""
    polygon_crs: str = ""
    near_wkts: list[str] = field(default_factory=list)  # geometries to measure the distance from
    near_crs: str = ""
    distance_m: float = 0.0
    near_layer: str = ""  # name of the layer the geometries came from (display only)

    # -- queries ------------------------------------------------------------------------------------
    @property
    def has_spatial(self) -> bool:
        return bool(self.extent is not None or self.districts or self.polygon_wkt or self.near_wkts)

    def is_empty(self) -> bool:
        """True when the filter lets every report through."""
        return not (
            self.statuses
            or self.categories
            or self.departments
            or self.date_from
            or self.date_to
            or self.overdue_only
            or self.text.strip()
            or self.has_spatial
        )

    # -- JSON ---------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": FORMAT_VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, QgsRectangle):
                value = [value.xMinimum(), value.yMinimum(), value.xMaximum(), value.yMaximum()]
            elif isinstance(value, list):
                value = list(value)
            data[f.name] = value
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportFilter:
        """Build from :meth:`to_dict` output; unknown keys are ignored, bad values raise ``ValueError``."""
        if int(data.get("version", FORMAT_VERSION)) > FORMAT_VERSION:
            raise ValueError(tr("The saved filter was made by a newer version of the plugin."))
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data or data[f.name] is None:
                continue
            value = data[f.name]
            if f.name in ("date_from", "date_to"):
                value = parse_day(str(value))
                if value is None:
                    raise ValueError(f"not a date: {data[f.name]!r}")
            elif f.name == "extent":
                xmin, ymin, xmax, ymax = (float(v) for v in value)
                value = QgsRectangle(xmin, ymin, xmax, ymax)
            elif f.name in ("statuses", "categories", "departments", "districts", "near_wkts"):
                value = [str(v) for v in value]
            elif f.name == "overdue_only":
                value = bool(value)
            elif f.name == "distance_m":
                value = float(value)
            else:
                value = str(value)
            kwargs[f.name] = value
        return cls(**kwargs)

    @classmethod
    def from_json(cls, text: str) -> ReportFilter:
        return cls.from_dict(json.loads(text))


@dataclass(frozen=True)
class FilterResult:
    """The reports a filter lets through (``fids`` sorted) and what :func:`apply_to_layer` needs."""

    fids: list[int]
    count: int
    where: str = ""  # the attribute WHERE ("" = none)
    bbox: tuple[float, float, float, float] | None = None  # EPSG:4326 candidate box of a spatial filter
    rejected: list[int] = field(default_factory=list)  # candidates in the box that failed the exact test
    seconds: float = 0.0
    empty_space: bool = False  # the spatial criteria cannot match anything (e.g. disjoint areas)
