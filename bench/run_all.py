"""Run every ``bench/bench_*.py`` in turn (``make bench``); extra arguments go to each of them.

Each benchmark runs in its own process (each makes its own QgsApplication and temporary data).
The exit status is non-zero when a benchmark crashed; missed targets are reported by the
benchmarks themselves and do not fail the run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name} ===", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script), *args], cwd=HERE.parent)
        print(f"=== {script.name}: exit {code}, {time.perf_counter() - start:.0f} s ===", flush=True)
        if code != 0:
            failed.append(script.name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
