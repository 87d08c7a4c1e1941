"""The report filter (issue 3, item 5), one module per job.

- :mod:`.model`: what a filter asks for (:class:`~.model.ReportFilter`, JSON) and lets through (``FilterResult``);
- :mod:`.sql`: its SQL in the workspace's dialect (:attr:`Workspace.dialect <core.store.workspace.Workspace.dialect>`);
- :mod:`.spatial`: the spatial criteria as prepared GEOS tests;
- :mod:`.evaluation`: :func:`~.evaluation.evaluate` on a workspace, an address, a store or the reports layer;
- :mod:`.map_layer`: the result as the map layer's subset string, reversible;
- :mod:`.saved`: saved filters and the panel's lists, through the workspace's store.

How a filter is evaluated (``bench/bench_filters.py`` measures it against ``native:extractbylocation``):

* **Two backends, one result.** A GeoPackage workspace is filtered with SQLite SQL and its rtree, a
  shared PostGIS workspace (``postgres:`` address, ``postgres`` layer) with PostgreSQL SQL and the GiST
  index (``"geom" && ST_MakeEnvelope(…)`` for the candidate box, regular expressions with the same
  letter classes for the text). The exact spatial tests are the same Python/GEOS code for both, so the
  same :class:`ReportFilter` gives the same reports on either (``tests/test_postgis_end_to_end.py``).
* **Attributes** become one SQLite ``WHERE`` (:func:`.sql.attribute_where`) that the GeoPackage provider runs
  (a layer subset string): statuses, categories, departments, the period on ``requested_datetime``
  (Kyiv days, inclusive), overdue (``status = 'open' AND deadline < now``, the stored deadline) and the
  free text. SQLite's ``LIKE``/``lower()`` fold ASCII only, so the text is matched with ``GLOB`` and a
  ``[xX]`` class per letter: case-insensitive for Cyrillic too, still provider-side.
* **Space** (extent, districts, a drawn polygon, a distance) is turned into prepared GEOS engines in
  EPSG:4326 plus a bounding box. The box goes to SQL as a sub-query on the GeoPackage rtree
  (``fid IN (SELECT id FROM rtree_reports_geom WHERE …)``), so only candidates are read; each candidate
  point is then tested exactly with the prepared engines.
* **Distance in metres**: the source geometries (any CRS) are projected to a transverse Mercator centred
  on them (scale error < 2e-6 across a town, unlike UTM 36N whose zone edge is 1° away from Pokrov),
  buffered there, densified and projected back. A point inside the inner buffer ``d`` (vertices on the
  circle: the polygon is inside the true buffer) is in, a point outside the outer buffer (circumscribed
  polygon, ``d / cos(π/4n)``) is out, and the few points in the thin ring between get an exact GEOS
  distance in the local projection. So the result is the exact "distance ≤ d" without transforming every
  point.

Applying the result to the map layer (:func:`.map_layer.apply_to_layer`) sets a subset string: the attribute
``WHERE`` and, for spatial filters, the rtree box with either ``fid IN (passed)`` or
``fid NOT IN (rejected candidates)``, whichever list is shorter; the layer's previous subset is kept in
a custom property and restored by :func:`.map_layer.clear_layer_filter`. The lists stay short for the usual
shapes (a district, a corridor along a street) and SQLite takes long ones (its statement limit is 1e9
bytes); the rtree form is used only on an ``ogr`` GeoPackage layer, other providers get the plain
``fid IN (…)``. A subset string works in the map, the attribute table, the feature count and Processing
alike, which a renderer filter would not. The ``now`` of "overdue" is fixed when the filter is evaluated:
:meth:`gui.filter_panel.FilterPanel.refresh` evaluates again (after each sync).
"""
