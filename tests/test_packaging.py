"""The installed plugin finds the libraries its zip carries in ext_libs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ext_libs_are_importable_after_the_plugin_package(tmp_path: Path) -> None:
    plugin = tmp_path / "plugins" / "openmisto_plugin"
    shutil.copytree(ROOT / "openmisto_plugin", plugin, ignore=shutil.ignore_patterns("__pycache__"))
    (plugin / "ext_libs").mkdir()
    (plugin / "ext_libs" / "om_vendored_probe.py").write_text("WHERE = 'ext_libs'\n", encoding="utf-8")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import openmisto_plugin; "
        "import om_vendored_probe; print(om_vendored_probe.WHERE, sys.path[-1])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(plugin.parent)], capture_output=True, text=True, timeout=60, check=True
    )
    where, last = done.stdout.split()
    assert where == "ext_libs"
    assert Path(last) == plugin / "ext_libs"  # appended last: a system copy of a library wins
