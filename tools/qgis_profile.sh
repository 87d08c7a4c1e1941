#!/usr/bin/env bash
# Print the default QGIS profile folder of the installed QGIS: QGIS 3 keeps profiles in
# ~/.local/share/QGIS/QGIS3/profiles, QGIS 4 in ~/.local/share/QGIS/QGIS4/profiles.
#   bash tools/qgis_profile.sh            -> ~/.local/share/QGIS/QGIS<major>/profiles/default
#   bash tools/qgis_profile.sh --major    -> 3 or 4
# The major version comes from QGIS's Python (what the plugin runs in), else from `qgis --version`;
# QGIS_MAJOR=4 overrides both (e.g. to install for a QGIS that is not the system's).
set -euo pipefail
major=${QGIS_MAJOR:-}
if [ -z "$major" ]; then
  major=$(python3 -c 'from qgis.core import Qgis; print(Qgis.QGIS_VERSION_INT // 10000)' 2>/dev/null || true)
fi
if [ -z "$major" ] && command -v qgis >/dev/null; then
  major=$(QT_QPA_PLATFORM=offscreen qgis --version 2>/dev/null | sed -n 's/^QGIS \([0-9][0-9]*\)\..*/\1/p' | head -n 1)
fi
case "$major" in
  3 | 4) ;;
  "")
    echo "warning: no QGIS found; assuming QGIS 3" >&2
    major=3
    ;;
  *) echo "warning: QGIS $major: its profile folder is taken as QGIS$major" >&2 ;;
esac
if [ "${1:-}" = "--major" ]; then
  echo "$major"
else
  echo "${XDG_DATA_HOME:-$HOME/.local/share}/QGIS/QGIS$major/profiles/default"
fi
