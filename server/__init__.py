"""The reference Open City server (Open311 GeoReport v2) and the Pokrov sample data generator.

Standard library only; not part of the plugin zip. See docs/server.md.
"""
