"""Every test starts from, and leaves, the same QGIS state: an empty ``QgsProject.instance()`` and no plugin
loaded (so no plugin translator installed on the application).

A test that failed half-way used to leave the Ukrainian translator and its layers behind, and unrelated tests
after it failed in cascade. The autouse fixture here checks the state before each test and restores it after:
a plugin the test left loaded is unloaded (and reported as an error of that test: load it through the
``plugin`` fixture, which unloads it whatever happens), the project is cleared.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

PROBE_CONTEXT = "OpenMisto"
PROBE_SOURCE = "Open City"  # "Відкрите Місто" while the plugin's translator is installed


def plugin_translation_active() -> bool:
    """True while a translator that knows the plugin's strings is installed on the application."""
    from qgis.PyQt.QtCore import QCoreApplication

    return QCoreApplication.translate(PROBE_CONTEXT, PROBE_SOURCE) != PROBE_SOURCE


def project_leftovers() -> list[str]:
    """What ``QgsProject.instance()`` holds that an empty project does not."""
    from qgis.core import QgsProject

    project = QgsProject.instance()
    found = [f"layer {layer.name()!r}" for layer in project.mapLayers().values()]
    found += [f"layout {layout.name()!r}" for layout in project.layoutManager().layouts()]
    return found


def plugin_dock_shown() -> bool:
    """True while a window holds the plugin's dock (cheap: no scan of all Python objects)."""
    from qgis.PyQt.QtWidgets import QApplication, QDockWidget

    return any(w.findChild(QDockWidget, "OpenMistoDock") is not None for w in QApplication.topLevelWidgets())


def loaded_plugins() -> list:
    """Plugin instances still loaded (``initGui`` done, ``unload`` not)."""
    from openmisto_plugin.plugin import OpenMistoPlugin

    return [
        o
        for o in gc.get_objects()
        if isinstance(o, OpenMistoPlugin) and (o.dock is not None or o.translator is not None)
    ]


def unload_plugin(plugin) -> None:
    """``plugin.unload()`` unless it already ran, then let Qt delete what it scheduled."""
    from qgis.PyQt.QtCore import QCoreApplication, QEvent

    try:
        if plugin.dock is not None or plugin.translator is not None:
            plugin.unload()
    finally:
        if plugin.translator is not None:  # unload() failed half-way: at least no Ukrainian for the next test
            QCoreApplication.removeTranslator(plugin.translator)
            plugin.translator = None
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def isolated_qgis_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a test that starts with a plugin translator or project content, restores both after it."""
    from qgis.core import QgsProject

    assert not plugin_translation_active(), "a plugin translator is installed before the test started"
    assert not project_leftovers(), f"the project is not empty before the test: {project_leftovers()}"
    yield
    leaked = []
    if plugin_translation_active() or plugin_dock_shown():
        for plugin in loaded_plugins():
            unload_plugin(plugin)
            leaked.append("a loaded plugin")
        if plugin_translation_active():
            leaked.append("the plugin translator (installed by something other than a plugin instance)")
    if project_leftovers():
        QgsProject.instance().clear()
    if leaked:
        pytest.fail(f"{request.node.nodeid} left {', '.join(leaked)} behind: load the plugin through a fixture")
