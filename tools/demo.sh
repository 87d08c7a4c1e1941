#!/usr/bin/env bash
# `make demo` (after venv, translations, install): the reference server with Pokrov data, a headless sync with
# qgis_process into build/demo/workspace.gpkg, the later issues' algorithms when they exist, then QGIS.
#
# Everything lives in build/demo/ (recreated on every run, so the demo is repeatable):
#   server.sqlite, server.log, server.pid   the reference server (127.0.0.1:$SERVER_PORT) and how to stop it
#   qgis/profiles/default/                  a QGIS profile of its own: the plugin, its settings, the demo API key
#   qgis/master-password.txt                unlocks that profile's auth DB (QGIS_AUTH_PASSWORD_FILE), demo only
#   workspace.gpkg, atlas.pdf, demo.qgz     what the demo makes
# Your own QGIS profile gets only what `make install` put there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PLUGIN=openmisto_plugin
PY=${PY:-$ROOT/.venv/bin/python}
DEMO_DIR=${DEMO_DIR:-build/demo}
mkdir -p "$DEMO_DIR"
DEMO_DIR=$(cd "$DEMO_DIR" && pwd)
SERVER_PORT=${SERVER_PORT:-8311}
DEMO_REPORTS=${DEMO_REPORTS:-3000}
DEMO_SEED=${DEMO_SEED:-20231}
# e.g. DEMO_SERVER_OPTIONS="--plain --xml-only --result-cap 200": a platform without the extensions (docs/server.md)
DEMO_SERVER_OPTIONS=${DEMO_SERVER_OPTIONS:-}
PLATFORM_URL="http://127.0.0.1:${SERVER_PORT}/open311/v2/"
DEMO_API_KEY=moderator-key
QGIS_PROCESS=${QGIS_PROCESS:-$(command -v qgis_process.bin || command -v qgis_process || echo /usr/bin/qgis_process.bin)}
# Your own profile (QGIS3 or QGIS4 folder, by the installed QGIS): only the hints below name it; the demo has its own.
USER_PROFILE=$(bash tools/qgis_profile.sh)
STAGE=${STAGE:-$ROOT/build/stage/$PLUGIN} # made by `make package` (a dependency of `make install`)

export QT_QPA_PLATFORM=offscreen
export QGIS_CUSTOM_CONFIG_PATH=$DEMO_DIR/qgis
export QGIS_AUTH_DB_DIR_PATH=$QGIS_CUSTOM_CONFIG_PATH/profiles/default
PASSWORD_FILE=$QGIS_CUSTOM_CONFIG_PATH/master-password.txt
PROFILE=$QGIS_CUSTOM_CONFIG_PATH/profiles/default

say() { printf '\n==> %s\n' "$*"; }

# --- 1. the reference server -------------------------------------------------------------------------------------
PID_FILE=$DEMO_DIR/server.pid
if [ -s "$PID_FILE" ]; then
  old=$(cat "$PID_FILE")
  # Only a process this script started (its command line names our server and database).
  if kill -0 "$old" 2>/dev/null && tr '\0' ' ' <"/proc/$old/cmdline" 2>/dev/null | grep -q -- "-m server --db $DEMO_DIR/"; then
    say "Stopping the demo server started earlier (pid $old)"
    kill "$old"
    for _ in $(seq 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$PID_FILE"
fi
rm -rf "${DEMO_DIR:?}"/{server.sqlite,server.sqlite-*,server.log,workspace.gpkg,workspace.gpkg-*,atlas.pdf,demo.qgz,qgis}

say "Starting the reference Open City server with Pokrov data ($DEMO_REPORTS reports, seed $DEMO_SEED) on 127.0.0.1:$SERVER_PORT"
nohup "$PY" -m server --db "$DEMO_DIR/server.sqlite" --port "$SERVER_PORT" --seed-if-empty \
  --reports "$DEMO_REPORTS" --seed "$DEMO_SEED" $DEMO_SERVER_OPTIONS >"$DEMO_DIR/server.log" 2>&1 &
echo $! >"$PID_FILE"
"$PY" - "$PLATFORM_URL" "$(cat "$PID_FILE")" "$DEMO_DIR/server.log" <<'EOF'
import os, sys, time, urllib.request
url, pid, log = sys.argv[1] + "services.json", int(sys.argv[2]), sys.argv[3]
deadline = time.monotonic() + 180
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(f"error: the server stopped; see {log}:\n" + open(log, encoding="utf-8", errors="replace").read()[-2000:])
    for ready in (url, url[: -len("json")] + "xml"):  # an --xml-only server answers XML only
        try:
            with urllib.request.urlopen(ready, timeout=2) as answer:
                if answer.status == 200:
                    sys.exit(0)
        except OSError:
            pass
    time.sleep(0.3)
sys.exit(f"error: the server did not answer {url} within 180 s; see {log}")
EOF
echo "Server ready: $PLATFORM_URL (pid $(cat "$PID_FILE"), log $DEMO_DIR/server.log)"

# --- 2. a QGIS profile for the demo, with the plugin, its settings and the demo key ------------------------------
say "Preparing the demo QGIS profile in $PROFILE"
if [ ! -f "$STAGE/metadata.txt" ]; then
  echo "error: $STAGE is missing; run 'make demo' (or 'make package') first" >&2
  exit 1
fi
mkdir -p "$PROFILE/python/plugins"
cp -r "$STAGE" "$PROFILE/python/plugins/$PLUGIN"
"$QGIS_PROCESS" plugins enable "$PLUGIN" >"$DEMO_DIR/qgis_process-enable.log" 2>&1 || {
  cat "$DEMO_DIR/qgis_process-enable.log" >&2
  exit 1
}
profile_json=$("$PY" tools/demo_sync.py profile --url "$PLATFORM_URL" --workspace "$DEMO_DIR/workspace.gpkg" \
  --key "$DEMO_API_KEY" --password-file "$PASSWORD_FILE" 2>"$DEMO_DIR/profile.log") || {
  cat "$DEMO_DIR/profile.log" >&2
  exit 1
}
grep -E '^(note|warning):' "$DEMO_DIR/profile.log" >&2 || true
AUTHCFG=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1].strip().splitlines()[-1]).get("authcfg") or "")' "$profile_json")

# --- 3. headless sync with qgis_process ----------------------------------------------------------------------------
say "Syncing with qgis_process into $DEMO_DIR/workspace.gpkg"
sync_args=(--json run openmisto:sync -- "PLATFORM_URL=$PLATFORM_URL" "WORKSPACE=$DEMO_DIR/workspace.gpkg" FULL=true)
if [ -n "$AUTHCFG" ]; then
  # The recommended headless set-up: the key in the auth DB, unlocked by QGIS_AUTH_PASSWORD_FILE.
  sync_args+=("AUTHCFG=$AUTHCFG")
  echo "API key from authentication configuration $AUTHCFG"
  export QGIS_AUTH_PASSWORD_FILE=$PASSWORD_FILE
else
  export OPENMISTO_API_KEY=$DEMO_API_KEY # never on the command line: qgis_process --json echoes its inputs
  echo "API key from the environment (OPENMISTO_API_KEY)"
fi
echo "$ ${QGIS_PROCESS##*/} ${sync_args[*]}"
"$QGIS_PROCESS" "${sync_args[@]}" >"$DEMO_DIR/sync.json" 2>"$DEMO_DIR/sync.log" || {
  tail -n 30 "$DEMO_DIR/sync.log" "$DEMO_DIR/sync.json" >&2
  exit 1
}
"$PY" - "$DEMO_DIR/sync.json" "$DEMO_DIR/workspace.gpkg" <<'EOF'
import json, sqlite3, sys
text = open(sys.argv[1], encoding="utf-8").read()
results = json.loads(text[text.index("{"):])["results"]
with sqlite3.connect(sys.argv[2]) as db:
    held = db.execute("SELECT count(*) FROM reports").fetchone()[0]
print("Sync: " + ", ".join(f"{k.lower()} {int(results[k])}" for k in ("NEW", "UPDATED", "UNCHANGED", "SKIPPED", "PAGES")))
print(f"Workspace: {sys.argv[2]}")
print(f"It holds {held} reports.")
EOF

# --- 4. assignment and the atlas (each skipped with a message when its algorithm is not registered) ---------------
algorithms=$("$QGIS_PROCESS" list 2>/dev/null || true)
has_alg() { grep -q "openmisto:$1" <<<"$algorithms"; }

# The routing rules (the workspace's own, or the example
# under resources/ when there is one) assign accepted reports without a department; a second sync sends them.
if has_alg autoassign; then
  say "Assigning accepted reports without a department by the routing rules (openmisto:autoassign)"
  assign_args=(--json run openmisto:autoassign -- "WORKSPACE=$DEMO_DIR/workspace.gpkg")
  rules=$(ls resources/routing*.json 2>/dev/null | head -n 1 || true)
  [ -n "$rules" ] && assign_args+=("RULES=$ROOT/$rules")
  "$QGIS_PROCESS" "${assign_args[@]}" >"$DEMO_DIR/autoassign.json" 2>"$DEMO_DIR/autoassign.log" || {
    tail -n 30 "$DEMO_DIR/autoassign.log" "$DEMO_DIR/autoassign.json" >&2
    exit 1
  }
  "$PY" -c 'import json,sys; t=open(sys.argv[1]).read(); r=json.loads(t[t.index("{"):])["results"]
print("Autoassign: " + ", ".join(f"{k.lower()} {r[k]}" for k in sorted(r)))' "$DEMO_DIR/autoassign.json"
  say "Sending the assignments to the platform (openmisto:sync)"
  "$QGIS_PROCESS" --json run openmisto:sync -- "PLATFORM_URL=$PLATFORM_URL" "WORKSPACE=$DEMO_DIR/workspace.gpkg" \
    ${AUTHCFG:+"AUTHCFG=$AUTHCFG"} >"$DEMO_DIR/sync-push.json" 2>"$DEMO_DIR/sync-push.log" || {
    tail -n 30 "$DEMO_DIR/sync-push.log" >&2
    exit 1
  }
  "$PY" -c 'import json,sys; t=open(sys.argv[1]).read(); r=json.loads(t[t.index("{"):])["results"]
print("Sent %s, refused %s, conflicts %s; then %s reports updated" % tuple(r[k] for k in ("SENT", "REFUSED", "CONFLICTS", "UPDATED")))' \
    "$DEMO_DIR/sync-push.json"
else
  echo "(openmisto:autoassign is not registered: skipping the assignment step)"
fi

# The working group's atlas of the last whole month (a month by default; the algorithm fills the last day).
if has_alg monthlyreport; then
  say "Making the monthly atlas of the last whole month (openmisto:monthlyreport)"
  period_start=$("$PY" -c '
import datetime as d
first = d.date.today().replace(day=1)
print((first - d.timedelta(days=1)).replace(day=1).isoformat())')
  "$QGIS_PROCESS" --json run openmisto:monthlyreport -- "WORKSPACE=$DEMO_DIR/workspace.gpkg" \
    "PERIOD_START=$period_start" "OUTPUT=$DEMO_DIR/atlas.pdf" \
    >"$DEMO_DIR/monthlyreport.json" 2>"$DEMO_DIR/monthlyreport.log" || {
    tail -n 30 "$DEMO_DIR/monthlyreport.log" >&2
    exit 1
  }
  pages=$("$PY" -c 'import json,sys; t=open(sys.argv[1]).read(); print(json.loads(t[t.index("{"):])["results"]["PAGES"])' \
    "$DEMO_DIR/monthlyreport.json")
  echo "Atlas: $DEMO_DIR/atlas.pdf ($pages pages)"
else
  echo "(openmisto:monthlyreport is not registered: skipping the atlas)"
fi

# --- 5. QGIS -------------------------------------------------------------------------------------------------------
unset QGIS_AUTH_PASSWORD_FILE OPENMISTO_API_KEY
say "Server: $PLATFORM_URL — stop it with: kill \$(cat $PID_FILE)"
echo "The same sync headless in your own profile $USER_PROFILE (where 'make install' put the plugin):"
echo "  qgis_process.bin plugins enable $PLUGIN"
echo "  OPENMISTO_API_KEY=$DEMO_API_KEY qgis_process.bin run openmisto:sync -- PLATFORM_URL=$PLATFORM_URL WORKSPACE=/path/to/workspace.gpkg"
echo "  (or AUTHCFG=<id> with QGIS_AUTH_PASSWORD_FILE naming a file that holds the master password)"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${DEMO_NO_GUI:-}" ]; then
  bash tools/launch_qgis.sh
else
  echo "No display (\$DISPLAY is not set): not opening QGIS. On a machine with a display, open the demo with"
  echo "  DEMO_DIR=$DEMO_DIR bash tools/launch_qgis.sh"
  echo "or, in your own QGIS profile $USER_PROFILE (the plugin is installed there by 'make install'), add $DEMO_DIR/workspace.gpkg"
  echo "and in Plugins > Відкрите Місто > Settings enter the URL $PLATFORM_URL and the demo key $DEMO_API_KEY."
fi
