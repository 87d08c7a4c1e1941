#!/usr/bin/env bash
# Open QGIS on the demo: the demo profile (plugin enabled, platform URL, workspace and demo key set by tools/demo.sh)
# and a project build/demo/demo.qgz with the workspace's layers. Run tools/demo.sh (or `make demo`) first.
# --profiles-path keeps the demo profile in build/demo/qgis/profiles on QGIS 3 and 4 alike (no QGIS3/QGIS4 folder).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
DEMO_DIR=${DEMO_DIR:-build/demo}
DEMO_DIR=$(cd "$DEMO_DIR" && pwd)
CONFIG=$DEMO_DIR/qgis
PROFILE=$CONFIG/profiles/default
WORKSPACE=$DEMO_DIR/workspace.gpkg
PROJECT=$DEMO_DIR/demo.qgz
PASSWORD_FILE=$CONFIG/master-password.txt

for needed in "$PROFILE/python/plugins/openmisto_plugin/metadata.txt" "$WORKSPACE"; do
  [ -e "$needed" ] || { echo "error: $needed is missing: run 'make demo' first" >&2; exit 1; }
done

# The project is built headless, with the demo profile (so the plugin's own layer helpers and styles are used).
QT_QPA_PLATFORM=offscreen QGIS_CUSTOM_CONFIG_PATH=$CONFIG QGIS_AUTH_DB_DIR_PATH=$PROFILE \
  "$PY" tools/demo_sync.py project --workspace "$WORKSPACE" --output "$PROJECT"

cmd=(qgis --noversioncheck --profiles-path "$CONFIG" --profile default --project "$PROJECT")
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display: QGIS cannot open here. On a desktop, run:"
  echo "  QGIS_AUTH_PASSWORD_FILE=$PASSWORD_FILE ${cmd[*]}"
  exit 0
fi

echo "Opening QGIS: ${cmd[*]}"
echo "(log: $DEMO_DIR/qgis.log; the plugin is set to the demo server and the workspace $WORKSPACE)"
if [ ! -s "$PASSWORD_FILE" ]; then
  echo "The demo API key is not in the auth DB: enter 'moderator-key' in Plugins > Відкрите Місто > Settings."
fi
# Unset on purpose: QT_QPA_PLATFORM=offscreen from `make` would hide the window.
# QGIS_AUTH_PASSWORD_FILE unlocks the demo profile's auth DB without asking (demo only; QGIS reads it once).
env -u QT_QPA_PLATFORM -u QGIS_CUSTOM_CONFIG_PATH -u QGIS_AUTH_DB_DIR_PATH QGIS_AUTH_PASSWORD_FILE="$PASSWORD_FILE" \
  nohup "${cmd[@]}" >"$DEMO_DIR/qgis.log" 2>&1 &
echo "QGIS started (pid $!)."
