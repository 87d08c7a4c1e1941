#!/usr/bin/env bash
# Create the project venv on Debian's Python (the one that can import qgis) with the test tools.
# pytest-qgis is pinned per QGIS range: 2.1.0 is the last release that supports QGIS < 3.34; above it 5.0.2, run
# with QGIS 3.40 (Debian 13) and 3.44 (Debian unstable). Both understand the --qgis_disable_gui option that
# pyproject.toml's addopts passes (the ini key for the GUI changed its name between them).
set -euo pipefail
venv=${1:-.venv}
/usr/bin/python3 -m venv --system-site-packages "$venv"
qgis_int=$("$venv/bin/python" -c 'from qgis.core import Qgis; print(Qgis.QGIS_VERSION_INT)')
if [ "$qgis_int" -lt 33400 ]; then pytest_qgis="pytest-qgis==2.1.0"; else pytest_qgis="pytest-qgis==5.0.2"; fi
echo "QGIS $qgis_int: $pytest_qgis"
"$venv/bin/pip" install -q --disable-pip-version-check -r tools/requirements-dev.txt "$pytest_qgis"
