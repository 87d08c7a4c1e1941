"""Shared test set-up. Fixture modules are listed here so each stays small and owned by one area."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = [
    "tests.fixtures_server",
    "tests.fixtures_postgis",
    "tests.fixtures_atlas",
]
