"""A prepared GEOS engine together with the geometry it was built on.

``QgsGeometry.createGeometryEngine(g.constGet())`` keeps a plain pointer to ``g``'s inner geometry, so the
engine is only valid while ``g`` lives. Building it in a helper and returning only the engine frees ``g`` when
the helper returns: QGIS 3.22 happened to survive that, QGIS 3.40 crashes. Build engines only through
:class:`PreparedGeometry`, which owns its own copy of the geometry for the engine's whole life.
"""

from __future__ import annotations

from qgis.core import QgsAbstractGeometry, QgsGeometry


class PreparedGeometry:
    """A prepared GEOS engine and the geometry it points to, alive together."""

    __slots__ = ("_engine", "_geometry")

    def __init__(self, geometry: QgsGeometry) -> None:
        if geometry.isNull():
            raise ValueError("a GEOS engine needs a geometry, not a null one")
        # A deep copy that nobody else shares or changes: a shared (implicitly shared) QgsGeometry would
        # detach to a new inner geometry on the first change and leave the engine pointing at the old one.
        self._geometry = QgsGeometry(geometry.constGet().clone())
        self._engine = QgsGeometry.createGeometryEngine(self._geometry.constGet())
        self._engine.prepareGeometry()

    @property
    def geometry(self) -> QgsGeometry:
        """A copy of the geometry (changing it does not touch the engine's)."""
        return QgsGeometry(self._geometry.constGet().clone())

    def intersects(self, other: QgsAbstractGeometry) -> bool:
        """True when ``other`` (an inner geometry, e.g. ``QgsPoint`` or ``g.constGet()``) touches or is inside."""
        return self._engine.intersects(other)

    def distance(self, other: QgsAbstractGeometry) -> float:
        """The shortest distance to ``other`` in the geometry's units."""
        return self._engine.distance(other)
