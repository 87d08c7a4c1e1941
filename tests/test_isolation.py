"""A failing test does not leak its plugin, translator or layers into the next one (issue 13).

Each case runs a small test file in a separate pytest (pytester, in a subprocess: a second QgsApplication
cannot live in this process) with this project's fixtures: the first test loads the plugin with the Ukrainian
interface, adds a layer and fails; the second checks that it starts with English strings and an empty project.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CONFTEST = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
pytest_plugins = ["tests.fixtures_isolation"]
from tests.test_plugin import clean_settings, iface, plugin  # noqa: F401 - fixtures
"""

CHECK_NEXT_TEST = """
def test_next_starts_clean():
    from qgis.core import QgsProject
    from qgis.PyQt.QtCore import QCoreApplication

    assert QCoreApplication.translate("OpenMisto", "Open City") == "Open City"
    assert QgsProject.instance().mapLayers() == {}
"""

ADD_LAYER = """
    from qgis.core import QgsProject, QgsVectorLayer

    QgsProject.instance().addMapLayer(QgsVectorLayer("Point?crs=EPSG:4326", "left behind", "memory"))
    from qgis.PyQt.QtCore import QCoreApplication

    assert QCoreApplication.translate("OpenMisto", "Open City") == "Відкрите Місто"  # the translator is in
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, body: str) -> pytest.RunResult:
    # a QGIS profile of its own: the inner run changes the interface language in its settings
    monkeypatch.setenv("QGIS_CUSTOM_CONFIG_PATH", str(pytester.mkdir("qgis-profile")))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_leak=body + CHECK_NEXT_TEST)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", "--qgis_disable_gui")


def test_failing_test_with_the_plugin_fixture_leaks_nothing(pytester, monkeypatch) -> None:
    body = (
        "\ndef test_fails_with_the_plugin_loaded(plugin):\n"
        "    assert plugin.translator is not None\n" + ADD_LAYER + "    assert False, 'the test body fails here'\n"
    )
    result = _run(pytester, monkeypatch, body)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: the test body fails here"])


def test_plugin_loaded_in_the_body_is_unloaded_and_reported(pytester, monkeypatch) -> None:
    body = (
        "\ndef test_fails_after_loading_by_hand(iface, clean_settings):\n"
        "    from openmisto_plugin import classFactory\n\n"
        "    loaded = classFactory(iface)\n"
        "    loaded.initGui()\n" + ADD_LAYER + "    assert False, 'the test body fails here'\n"
    )
    result = _run(pytester, monkeypatch, body)
    # the body's failure, the leak reported at its teardown, and the next test unharmed
    result.assert_outcomes(passed=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(["*left a loaded plugin behind*"])
