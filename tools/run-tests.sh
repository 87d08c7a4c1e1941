#!/usr/bin/env bash
# Run the test suite headless. Used by `make test` (and so by .ci/run).
set -euo pipefail
export QT_QPA_PLATFORM=offscreen
export QGIS_CUSTOM_CONFIG_PATH=${QGIS_CUSTOM_CONFIG_PATH:-$(mktemp -d)}
export QGIS_AUTH_DB_DIR_PATH=${QGIS_AUTH_DB_DIR_PATH:-$QGIS_CUSTOM_CONFIG_PATH}
exec .venv/bin/python -m pytest "$@"
