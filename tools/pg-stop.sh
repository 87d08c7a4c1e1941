#!/usr/bin/env bash
# Stop a cluster started by tools/pg-start.sh and remove its directory.
#   tools/pg-stop.sh [DIR]      (DIR defaults to $OPENMISTO_PG_DIR)
# --keep leaves the directory (data and server.log) in place.
set -euo pipefail

keep=0
dir=""
for arg in "$@"; do
  case "$arg" in
    --keep) keep=1 ;;
    *) dir=$arg ;;
  esac
done
dir=${dir:-${OPENMISTO_PG_DIR:-}}
[ -n "$dir" ] || { echo "pg-stop: give the cluster directory (or set OPENMISTO_PG_DIR)" >&2; exit 2; }
case "$dir" in
  */openmisto-pg.*|*/pg-cluster*) ;;
  *) [ -f "$dir/env" ] || { echo "pg-stop: $dir is not a pg-start.sh cluster" >&2; exit 2; } ;;
esac

data="$dir/data"
if [ -f "$data/PG_VERSION" ]; then
  version=$(cat "$data/PG_VERSION")
  bindir=/usr/lib/postgresql/$version/bin
  if [ -f "$data/postmaster.pid" ]; then
    if [ "$(id -u)" -eq 0 ]; then
      runuser -u postgres -- "$bindir/pg_ctl" -D "$data" -m fast -w -t 30 stop >&2 ||
        runuser -u postgres -- "$bindir/pg_ctl" -D "$data" -m immediate stop >&2 || true
    else
      "$bindir/pg_ctl" -D "$data" -m fast -w -t 30 stop >&2 || "$bindir/pg_ctl" -D "$data" -m immediate stop >&2 || true
    fi
  fi
fi
if [ $keep -eq 0 ]; then
  rm -rf "$dir"
fi
echo "pg-stop: stopped $dir" >&2
