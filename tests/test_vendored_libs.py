"""A vendored library that fails to import degrades its feature with a message and never breaks the plugin.

``holidays`` releases built for a newer Python raise ``TypeError`` (not ``ImportError``) when imported on
an older one, e.g. QGIS 3.22's Python 3.9 on Windows: the broken package here raises exactly that, from
the front of ``sys.path`` where it shadows the real one.
"""

from __future__ import annotations

import importlib
import logging
import sys
from datetime import datetime
from pathlib import Path

import pytest
from qgis.core import Qgis, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QEvent

from openmisto_plugin import classFactory
from openmisto_plugin.core import workdays
from openmisto_plugin.core.timeutil import KYIV

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import vendor_libs  # noqa: E402

# What `X | None` at the top of a module does on Python 3.9.
BROKEN_INIT = "raise TypeError(\"unsupported operand type(s) for |: 'type' and 'NoneType'\")\n"


def _holidays_modules() -> dict[str, object]:
    return {name: mod for name, mod in sys.modules.items() if name == "holidays" or name.startswith("holidays.")}


@pytest.fixture()
def broken_holidays(tmp_path: Path):
    """``holidays`` that raises TypeError on import; the real one and the calendar restored afterwards."""
    ext_libs = tmp_path / "ext_libs"
    (ext_libs / "holidays").mkdir(parents=True)
    (ext_libs / "holidays" / "__init__.py").write_text(BROKEN_INIT, encoding="utf-8")
    saved = _holidays_modules()
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(ext_libs))
    try:
        importlib.reload(workdays)
        workdays.clear_cache()
        yield ext_libs
    finally:
        sys.path.remove(str(ext_libs))
        for name in _holidays_modules():
            del sys.modules[name]
        sys.modules.update(saved)
        importlib.reload(workdays)
        workdays.clear_cache()


def test_real_holidays_are_known_without_the_broken_copy() -> None:
    assert workdays.holidays_available() and workdays.holidays_problem() == ""
    # 2021-01-01 (a Friday, before martial law) is New Year's Day: the next working day is Monday the 4th.
    due = workdays.add_working_days(datetime(2020, 12, 31, 10, tzinfo=KYIV), 1)
    assert due.date().isoformat() == "2021-01-04"


def test_broken_holidays_degrade_to_weekends_with_a_logged_reason(broken_holidays, caplog) -> None:
    assert not workdays.holidays_available()
    assert workdays.holidays_problem().startswith("TypeError: unsupported operand type(s) for |")
    with caplog.at_level(logging.WARNING, logger="openmisto_plugin"):
        due = workdays.add_working_days(datetime(2020, 12, 31, 10, tzinfo=KYIV), 1)
    assert due.date().isoformat() == "2021-01-01"  # a holiday no longer known: only weekends are off
    assert any("TypeError" in r.getMessage() and "Saturdays and Sundays" in r.getMessage() for r in caplog.records)


def test_plugin_starts_with_broken_holidays_and_says_so(
    broken_holidays, qgis_iface, qgis_new_project, monkeypatch, caplog
):
    window = qgis_iface.mainWindow()
    monkeypatch.setattr(qgis_iface, "addDockWidget", window.addDockWidget, raising=False)
    monkeypatch.setattr(qgis_iface, "removeDockWidget", window.removeDockWidget, raising=False)
    bar = qgis_iface.messageBar()
    bar.messages = {k: [] for k in bar.messages}
    settings = QgsSettings()
    settings.remove("openmisto")
    plugin = classFactory(qgis_iface)
    try:
        with caplog.at_level(logging.WARNING, logger="openmisto_plugin"):
            plugin.initGui()
            if plugin._waiting_for_qgis:
                # The stub interface of newer pytest-qgis (QGIS 3.40/3.44 here) has an initializationCompleted that
                # never fires; QGIS sends it once its start-up is over, which runs this.
                plugin._qgis_ready()
        assert plugin.dock is not None and plugin.actions["sync"].isEnabled()
        warnings = bar.get_messages(Qgis.Warning)
        assert any("Saturdays and Sundays" in text or "субота й неділя" in text for text in warnings), warnings
        logged = [r.getMessage() for r in caplog.records if r.name == "openmisto_plugin.plugin"]
        assert any("Public holidays are unknown: TypeError" in text for text in logged), logged
    finally:
        plugin.unload()
        settings.remove("openmisto")
        for _ in range(3):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            QCoreApplication.processEvents()


def _dist_info(root: Path, name: str, version: str, requires_python: str | None, *requires: str) -> None:
    info = root / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines += [f"Requires-Dist: {r}" for r in requires]
    (info / "METADATA").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_vendored_set_is_checked_against_the_oldest_python(tmp_path: Path) -> None:
    good = tmp_path / "good"
    _dist_info(good, "holidays", "0.83", ">=3.9", "python-dateutil")
    _dist_info(good, "python_dateutil", "2.9.0.post0", "!=3.0.*,>=2.7", "six >=1.5")
    _dist_info(good, "six", "1.17.0", "!=3.0.*,>=2.7")
    assert vendor_libs.problems(good, "3.9") == []

    too_new = tmp_path / "too_new"
    _dist_info(too_new, "holidays", "0.84", ">=3.10", "python-dateutil")
    _dist_info(too_new, "python_dateutil", "2.9.0.post0", ">=2.7", "six >=1.5", 'tzdata; python_version >= "3.20"')
    problems = vendor_libs.problems(too_new, "3.9")
    assert problems == [
        "holidays 0.84 requires Python >=3.10, not 3.9",
        "python_dateutil needs six, which is not vendored",
    ]


def test_pins_are_exact() -> None:
    assert all("==" in spec for spec in vendor_libs.RUNTIME_LIBS)
    assert any(spec.startswith("holidays==") for spec in vendor_libs.RUNTIME_LIBS)
