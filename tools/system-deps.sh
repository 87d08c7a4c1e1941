#!/usr/bin/env bash
# Install the Debian packages the project needs (QGIS, test, demo and docs tools) when any is missing.
#   tools/system-deps.sh          install what is missing (apt-get, --no-install-recommends)
#   tools/system-deps.sh --list   print the package names, one a line, and exit (tests/test_system_deps.py)
# Packages are installed without their Recommends, so everything a test runs is named here or is a hard
# dependency (Depends/Pre-Depends) of a package named here. Debian 12 (QGIS 3.22, PostgreSQL 15), Debian 13
# (QGIS 3.40, PostgreSQL 17) and unstable (QGIS 3.44, PostgreSQL 18) use the same names, except the PostGIS
# extension, which is per PostgreSQL major: `postgis` only *recommends* it, so it is named here as
# postgresql-NN-postgis-3 for the major NN that the `postgresql` package depends on.
set -euo pipefail

packages=(
  make python3-qgis qgis qgis-providers python3-venv python3-pip
  python3-psycopg2 python3-gdal tzdata       # imported by tests/tools (psycopg2, osgeo, zoneinfo Europe/Kyiv)
  gdal-bin                                   # ogrinfo/ogr2ogr (bench, checking a workspace by hand, the workspace tests)
  sqlite3                                    # the workspace tests: another program reading and writing it
  poppler-utils                              # pdftotext, pdftoppm, pdfinfo (report and quick reference tests)
  qttools5-dev-tools                         # lrelease (make translations, tests/test_i18n.py)
  xvfb xauth imagemagick                     # make docs: QGIS under xvfb-run, convert for the screenshots
  fonts-dejavu-core                          # DejaVu Sans (Ukrainian letters) for atlases and the quick reference
  zip unzip                                  # make package / make install
  qttranslations5-l10n                       # qtbase_uk.qm: QGIS labels Qt's own buttons (file dialog) in Ukrainian
  postgresql                                 # server and client (initdb, pg_ctl, psql) for tools/pg-start.sh
)

# The PostgreSQL major of the installed `postgresql` package, else of its candidate ("" when apt knows none).
pg_major() {
  local depends
  depends=$(dpkg-query -W -f='${Status}|${Depends}\n' postgresql 2>/dev/null |
    sed -n 's/^install ok installed|//p')
  if [ -z "$depends" ]; then
    depends=$(apt-cache show --no-all-versions postgresql 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1)
  fi
  grep -oE '(^|[ ,])postgresql-[0-9]+($|[ ,(])' <<<"$depends" | grep -oE '[0-9]+' | head -n 1 || true
}

# A package counts as present only when dpkg has it fully installed (not merely unpacked or removed).
installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "^install ok installed$"
}

all_packages() {
  local major
  major=$(pg_major)
  printf '%s\n' "${packages[@]}"
  if [ -n "$major" ]; then
    echo "postgresql-$major-postgis-3"
  fi
}

if [ "${1:-}" = "--list" ]; then
  all_packages
  [ -n "$(pg_major)" ] || { echo "system-deps: apt knows no 'postgresql' package (run apt-get update)" >&2; exit 1; }
  exit 0
fi

missing=()
while read -r p; do
  installed "$p" || missing+=("$p")
done < <(all_packages)
# Without the PostgreSQL major (no apt lists yet on a fresh root) the extension cannot be named: update first.
[ -n "$(pg_major)" ] || missing+=("postgresql-NN-postgis-3")
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "error: these Debian packages are missing and I am not root (and there is no sudo): ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
major=$(pg_major)
if [ -z "$major" ]; then
  echo "error: cannot tell the PostgreSQL major version: apt has no 'postgresql' package after apt-get update" >&2
  exit 1
fi
missing=()
while read -r p; do
  installed "$p" || missing+=("$p")
done < <(all_packages)
echo "Installing Debian packages (PostgreSQL $major): ${missing[*]}"
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
