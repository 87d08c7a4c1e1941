#!/usr/bin/env bash
# Install the Debian packages the project needs (QGIS, test and demo tools) when any is missing.
# Debian 12 (QGIS 3.22) and Debian 13 (QGIS 3.40) use the same package names.
set -euo pipefail

packages=(
  python3-qgis qgis qgis-providers python3-venv python3-pip
  gdal-bin poppler-utils qttools5-dev-tools
  xvfb xauth imagemagick fonts-dejavu-core zip unzip
  postgresql postgis
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}"
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
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
