#!/usr/bin/env bash
# `make docs`: the guide's screenshots from the real QGIS desktop, the quick reference PDF, the guide as HTML.
#
#   1. stage the plugin from the source tree (like `make package`, without the zip) into build/docs/stage/;
#   2. tools/demo.sh in build/docs/demo (no GUI): the reference server with the Pokrov demo data, a demo profile
#      with the plugin, its settings and the demo key, a sync with qgis_process (and the demo's later steps);
#   3. the real QGIS desktop under Xvfb with that profile (the plugin adds the workspace's layers to the new project,
#      in Ukrainian, as for a user), driven by tools/docs_screens.py (run inside QGIS with --code): every step reaches its screen and grabs it into docs/img/<name>.png; a step that cannot
#      reach its screen fails, and then so does this script (and `make docs`);
#   4. the PNGs are scaled to at most $DOCS_WIDTH px and reduced to a palette (they are committed);
#   5. tools/make_quickref.py → docs/uk/quickref.pdf; tools/build_guide.py → build/help/<lang>/*.html.
#
# Options (environment):
#   DOCS_ONLY=a,b      run only these steps (names as in tools/docs_screens.py STEPS)
#   DOCS_SKIP=a,b      skip these steps (said loudly; the others still must pass)
#   DOCS_NO_SCREENS=1  skip the QGIS part (quick reference and HTML only)
#   DOCS_KEEP_SERVER=1 leave the demo server running afterwards
#   DOCS_PORT=8392     port of the docs' reference server (another than `make demo`'s 8311)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PLUGIN=openmisto_plugin
PY=${PY:-$ROOT/.venv/bin/python}
DOCS_BUILD=${DOCS_BUILD:-$ROOT/build/docs}
DEMO_DIR=$DOCS_BUILD/demo
STAGE_ROOT=$DOCS_BUILD/stage
STAGE=$STAGE_ROOT/$PLUGIN
IMG_DIR=${DOCS_IMG_DIR:-$ROOT/docs/img}
HELP_OUT=${DOCS_HELP_OUT:-$ROOT/build/help}
DOCS_PORT=${DOCS_PORT:-8392}
DOCS_WIDTH=${DOCS_WIDTH:-1200}
SCREEN_SIZE=${DOCS_SCREEN:-1280x860}
QGIS_TIMEOUT=${DOCS_QGIS_TIMEOUT:-900}
RESULT=$DOCS_BUILD/screens.json
RAW_DIR=$DOCS_BUILD/raw

say() { printf '\n==> %s\n' "$*"; }
fail() {
  echo "make docs: error: $*" >&2
  exit 1
}

mkdir -p "$DOCS_BUILD" "$IMG_DIR" "$HELP_OUT"

stop_server() {
  local pid_file=$DEMO_DIR/server.pid
  [ -n "${DOCS_KEEP_SERVER:-}" ] && return 0
  if [ -s "$pid_file" ]; then
    local pid
    pid=$(cat "$pid_file")
    # Only the server tools/demo.sh started for us (its command line names our database).
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-m server --db $DEMO_DIR/"; then
      kill "$pid" 2>/dev/null || true
    fi
    rm -f "$pid_file"
  fi
}

if [ -z "${DOCS_NO_SCREENS:-}" ]; then
  for tool in xvfb-run qgis convert lrelease pdftoppm; do
    command -v "$tool" >/dev/null || fail "'$tool' is missing (make system-deps installs it)"
  done

  # --- 1. the plugin as the zip holds it -----------------------------------------------------------------------
  say "Staging the plugin into $STAGE"
  rm -rf "$STAGE_ROOT" && mkdir -p "$STAGE"
  cp -r "$PLUGIN"/. "$STAGE"/
  cp -r resources "$STAGE"/resources
  mkdir -p "$STAGE"/i18n
  # The current translation (the .qm of `make translations` may be older than the .ts).
  lrelease -silent i18n/openmisto_uk.ts -qm "$STAGE"/i18n/openmisto_uk.qm || fail "lrelease failed on i18n/openmisto_uk.ts"
  cp metadata.txt LICENSE "$STAGE"/
  find "$STAGE" -name __pycache__ -prune -exec rm -rf {} +
  if [ -d build/stage/$PLUGIN/ext_libs ]; then
    cp -r build/stage/$PLUGIN/ext_libs "$STAGE"/ext_libs # made by `make package`: no second download
  else
    "$PY" tools/vendor_libs.py "$STAGE"/ext_libs
  fi
  "$PY" tools/build_guide.py --out "$STAGE/help" >/dev/null # the Help buttons open these

  # --- 2. server, demo profile, sync ------------------------------------------------------------------------------
  trap stop_server EXIT
  say "Demo data, profile and sync (tools/demo.sh in $DEMO_DIR)"
  DEMO_DIR=$DEMO_DIR SERVER_PORT=$DOCS_PORT STAGE=$STAGE DEMO_NO_GUI=1 PY=$PY \
    env -u DISPLAY -u WAYLAND_DISPLAY bash tools/demo.sh >"$DOCS_BUILD/demo.log" 2>&1 || {
    tail -n 40 "$DOCS_BUILD/demo.log" >&2
    fail "tools/demo.sh failed (log: $DOCS_BUILD/demo.log)"
  }
  grep -E '^(Sync|Workspace|It holds|Autoassign|Sent|Atlas|\(openmisto)' "$DOCS_BUILD/demo.log" || true

  CONFIG=$DEMO_DIR/qgis
  PROFILE=$CONFIG/profiles/default
  # The screenshots show what Pokrov's staff see: QGIS and the plugin in Ukrainian, no first-run pop-ups.
  QT_QPA_PLATFORM=offscreen "$PY" - "$PROFILE/QGIS/QGIS3.ini" <<'EOF'
import sys
from qgis.PyQt.QtCore import QSettings
s = QSettings(sys.argv[1], QSettings.IniFormat)
for key, value in {
    "locale/overrideFlag": True, "locale/userLocale": "uk_UA", "locale/globalLocale": "uk_UA",
    "qgis/checkVersion": False, "qgis/showTips": False, "qgis/allowVersionCheck": False,
    "core/NewsFeed/https%3A%2F%2Ffeed.qgis.org/disabled": True, "qgis/messageTimeout": 60,
    "UI/UITheme": "default", "qgis/stylesheet/fontPointSize": 9,
}.items():
    s.setValue(key, value)
s.sync()
EOF

  # --- 3. the real QGIS desktop under Xvfb, driven step by step ------------------------------------------------------
  say "QGIS under Xvfb: tools/docs_screens.py (log $DOCS_BUILD/qgis.log)"
  rm -rf "$RAW_DIR" "$RESULT" && mkdir -p "$RAW_DIR"
  set +e
  env -u QT_QPA_PLATFORM -u QGIS_CUSTOM_CONFIG_PATH -u QGIS_AUTH_DB_DIR_PATH \
    QGIS_AUTH_PASSWORD_FILE="$CONFIG/master-password.txt" \
    LANG=uk_UA.UTF-8 LC_ALL= \
    DOCS_RAW_DIR="$RAW_DIR" DOCS_RESULT="$RESULT" DOCS_ONLY="${DOCS_ONLY:-}" DOCS_SKIP="${DOCS_SKIP:-}" \
    DOCS_WORKSPACE="$DEMO_DIR/workspace.gpkg" DOCS_PLATFORM_URL="http://127.0.0.1:$DOCS_PORT/open311/v2/" \
    DOCS_ATLAS="$DEMO_DIR/atlas.pdf" DOCS_WINDOW="$SCREEN_SIZE" \
    timeout --kill-after=20 "$QGIS_TIMEOUT" xvfb-run -a -s "-screen 0 ${SCREEN_SIZE}x24 -nolisten tcp" \
    qgis --noversioncheck --nologo --profiles-path "$CONFIG" --profile default \
    --code "$ROOT/tools/docs_screens.py" >"$DOCS_BUILD/qgis.log" 2>&1
  qgis_rc=$?
  set -e
  grep -E '^\[docs\]' "$DOCS_BUILD/qgis.log" || true
  [ "$qgis_rc" -eq 124 ] || [ "$qgis_rc" -eq 137 ] && fail "QGIS did not finish within ${QGIS_TIMEOUT}s (log: $DOCS_BUILD/qgis.log)"
  [ -s "$RESULT" ] || fail "QGIS ended (exit $qgis_rc) without the steps' result: see $DOCS_BUILD/qgis.log"
  "$PY" - "$RESULT" "$qgis_rc" <<'EOF' || fail "a screen could not be reached (details above; log build/docs/qgis.log)"
import json, sys
result = json.load(open(sys.argv[1], encoding="utf-8"))
bad = [s for s in result["steps"] if s["state"] == "failed"]
for s in result["steps"]:
    print(f"  {s['state']:8} {s['name']:22} {s.get('error') or s.get('file') or ''}")
if bad or int(sys.argv[2]) != 0:
    sys.exit(1)
EOF

  # --- 4. small PNGs: at most DOCS_WIDTH px wide, a 256-colour palette, no metadata ----------------------------------
  say "Optimising the screenshots into $IMG_DIR"
  for raw in "$RAW_DIR"/*.png; do
    [ -e "$raw" ] || continue
    out=$IMG_DIR/$(basename "$raw")
    convert "$raw" -resize "${DOCS_WIDTH}x>" -strip -dither None -colors 256 \
      -define png:compression-level=9 -define png:exclude-chunks=date,time "PNG8:$out"
    printf '  %-28s %5d KB\n' "$(basename "$out")" $(($(stat -c %s "$out") / 1024))
  done

  # The atlas cover (made by tools/demo.sh with openmisto:monthlyreport) as a picture for the working group's guide.
  [ -s "$DEMO_DIR/atlas.pdf" ] || fail "tools/demo.sh made no atlas ($DEMO_DIR/atlas.pdf): see $DOCS_BUILD/demo.log"
  pdftoppm -r 60 -f 1 -l 1 -singlefile -png "$DEMO_DIR/atlas.pdf" "$RAW_DIR/atlas_page1"
  convert "$RAW_DIR/atlas_page1.png" -resize "${DOCS_WIDTH}x>" -strip -dither None -colors 256 \
    -define png:compression-level=9 -define png:exclude-chunks=date,time "PNG8:$IMG_DIR/atlas_page1.png"
  stop_server
fi

# --- 5. quick reference and HTML -------------------------------------------------------------------------------------
say "Quick reference: docs/uk/quickref.pdf"
QT_QPA_PLATFORM=offscreen "$PY" tools/make_quickref.py --output docs/uk/quickref.pdf
say "The guide as HTML: $HELP_OUT"
"$PY" tools/build_guide.py --out "$HELP_OUT"
echo "Done: screenshots in docs/img/, docs/uk/quickref.pdf, the guide in $HELP_OUT/uk/index.html"
