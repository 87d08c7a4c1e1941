"""Put the pure-Python runtime dependencies (``holidays``) into the plugin zip's ``ext_libs``.

QGIS's Python does not ship ``holidays``; the plugin adds ``ext_libs`` to the end of
``sys.path`` so that a system copy, where present, wins.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUNTIME_LIBS = ["holidays>=0.60", "python-dateutil>=2.8"]


def main(target: str) -> None:
    path = Path(target)
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-compile",
            "--target",
            str(path),
            *RUNTIME_LIBS,
        ],
        check=True,
    )
    for dist_info in path.glob("*.dist-info"):
        for extra in ("RECORD", "INSTALLER", "REQUESTED"):
            (dist_info / extra).unlink(missing_ok=True)


if __name__ == "__main__":
    main(sys.argv[1])
