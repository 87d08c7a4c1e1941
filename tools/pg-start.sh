#!/usr/bin/env bash
# Start a throw-away PostgreSQL + PostGIS cluster for tests and benchmarks (installs nothing:
# tools/system-deps.sh installs `postgresql` and the `postgresql-NN-postgis-3` of its major).
#
#   eval "$(tools/pg-start.sh [--fast] [--port N] [--dir DIR] [--db NAME])"
#
# Prints `export PGHOST=… PGPORT=… PGUSER=… PGDATABASE=… PGSERVICEFILE=… OPENMISTO_PG_SERVICE=…
# OPENMISTO_PG_DIR=…` on stdout (progress goes to stderr). The cluster lives in a temporary directory
# owned by the `postgres` OS user when run as root (initdb refuses root), listens on 127.0.0.1:PORT
# and on a unix socket in that directory, trusts local connections (a test cluster, never for real
# data) and has a database with `CREATE EXTENSION postgis`. --fast turns fsync off (tests only).
# The newest installed PostgreSQL with PostGIS is used (Debian 12: 15, Debian 13: 17).
# Stop it with tools/pg-stop.sh [DIR]. Exits non-zero, with the reason, when it cannot start.
set -euo pipefail

port=${OPENMISTO_PG_PORT:-55432}
dir=""
db=${OPENMISTO_PG_DB:-openmisto}
fast=0
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) fast=1 ;;
    --port) port=$2; shift ;;
    --dir) dir=$2; shift ;;
    --db) db=$2; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "pg-start: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

fail() {
  echo "pg-start: ERROR: $*" >&2
  exit 1
}

# -- the newest PostgreSQL that has PostGIS -------------------------------------------------------
bindir=""
version=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  v=$(basename "$(dirname "$candidate")")
  if [ -x "$candidate/initdb" ] && [ -f "/usr/share/postgresql/$v/extension/postgis.control" ]; then
    bindir=$candidate
    version=$v
    break
  fi
done
[ -n "$bindir" ] || fail "no PostgreSQL server with PostGIS found under /usr/lib/postgresql/*/bin" \
  "(install the Debian packages: bash tools/system-deps.sh installs postgresql and postgresql-NN-postgis-3)"

# -- who runs the server ------------------------------------------------------------------------
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || fail "running as root but there is no 'postgres' OS user to run the server"
  if command -v runuser >/dev/null 2>&1; then
    as_owner=(runuser -u postgres --)
  else
    as_owner=(su postgres -s /bin/sh -c)
  fi
  owner=postgres
else
  owner=$(id -un)
fi
run() {
  if [ ${#as_owner[@]} -eq 0 ]; then
    "$@"
  elif [ "${as_owner[0]}" = su ]; then
    "${as_owner[@]}" "$(printf '%q ' "$@")"
  else
    "${as_owner[@]}" "$@"
  fi
}

# -- a free port --------------------------------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
tries=0
while port_busy "$port"; do
  tries=$((tries + 1))
  [ $tries -lt 50 ] || fail "no free TCP port from ${OPENMISTO_PG_PORT:-55432} on"
  port=$((port + 1))
done

# -- the cluster ------------------------------------------------------------------------------------
if [ -z "$dir" ]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/openmisto-pg.XXXXXX")
else
  mkdir -p "$dir"
fi
chmod 755 "$dir"
[ "$owner" = "$(id -un)" ] || chown "$owner" "$dir"
data="$dir/data"
log="$dir/server.log"

echo "pg-start: PostgreSQL $version ($bindir), cluster in $dir, port $port" >&2
if ! run "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2
  fail "initdb failed (see above)"
fi
{
  echo "listen_addresses = '127.0.0.1'"
  echo "port = $port"
  echo "unix_socket_directories = '$dir'"
  echo "max_connections = 100"
  echo "shared_buffers = 128MB"
  echo "logging_collector = off"
  if [ $fast -eq 1 ]; then
    echo "fsync = off"
    echo "synchronous_commit = off"
    echo "full_page_writes = off"
  fi
} | run tee -a "$data/postgresql.conf" >/dev/null

# Another run may take the port between the check above and the start: then try the next ones.
started=0
for _attempt in 1 2 3 4 5; do
  if run "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >"$dir/pg_ctl.log" 2>&1; then
    started=1
    break
  fi
  grep -q "Address already in use" "$log" 2>/dev/null || break
  port=$((port + 1))
  while port_busy "$port"; do port=$((port + 1)); done
  echo "pg-start: port taken meanwhile, trying $port" >&2
  echo "port = $port" | run tee -a "$data/postgresql.conf" >/dev/null
  run truncate -s 0 "$log"
done
if [ $started -eq 0 ]; then
  cat "$dir/pg_ctl.log" >&2
  [ -f "$log" ] && tail -n 30 "$log" >&2
  fail "PostgreSQL did not start (cluster left in $dir for inspection; tools/pg-stop.sh $dir removes it)"
fi

psql_run() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
if ! psql_run -d postgres -c "CREATE DATABASE \"$db\"" >&2 ||
  ! psql_run -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2; then
  run "$bindir/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
  fail "could not create database $db with the postgis extension"
fi

service=openmisto_test
cat >"$dir/pg_service.conf" <<EOF
[$service]
host=$dir
port=$port
dbname=$db
user=postgres
EOF
chmod 644 "$dir/pg_service.conf"

cat >"$dir/env" <<EOF
export PGHOST=$dir
export PGPORT=$port
export PGUSER=postgres
export PGDATABASE=$db
export PGSERVICEFILE=$dir/pg_service.conf
export OPENMISTO_PG_SERVICE=$service
export OPENMISTO_PG_DIR=$dir
export OPENMISTO_PG_BINDIR=$bindir
EOF
echo "pg-start: ready: psql -h $dir -p $port -U postgres $db (service '$service' in $dir/pg_service.conf)" >&2
cat "$dir/env"
