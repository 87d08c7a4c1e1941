"""Shared test set-up. Fixture modules are listed here so each stays small and owned by one area."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = [
    "pytester",
    "tests.fixtures_isolation",
    "tests.fixtures_server",
    "tests.fixtures_postgis",
    "tests.fixtures_atlas",
    "tests.fixtures_hostile",
]


@pytest.fixture()
def openmisto_provider(qgis_processing):
    """The plugin's Processing provider in the registry for one test.

    The test keeps a Python reference to the provider it adds (a provider made as a temporary can lose its
    Python algorithms to the garbage collector while the registry still lists it) and removes only what it added.
    """
    from qgis.core import QgsApplication

    from openmisto_plugin.processing.provider import OpenMistoProvider

    registry = QgsApplication.processingRegistry()
    existing = registry.providerById("openmisto")
    if existing is not None:
        yield existing
        return
    provider = OpenMistoProvider()
    assert registry.addProvider(provider)
    yield provider
    registry.removeProvider("openmisto")
