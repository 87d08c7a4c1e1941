#!/usr/bin/env bash
# Run the whole test suite in clean Debian roots, one platform after the other:
#   debian12 = Debian 12 bookworm (QGIS 3.22), debian13 = Debian 13 trixie (QGIS 3.40),
#   sid = Debian unstable (QGIS 3.44).
#
#   make test-matrix                              # all three
#   MATRIX=debian13,sid make test-matrix          # a choice
#   tools/test-matrix.sh --build-only             # only build (or reuse) the roots
#   MATRIX=sid tools/test-matrix.sh --worktree --exec 'make venv && bash tools/run-tests.sh tests/test_x.py'
#                                                 # uncommitted work too, another command (when debugging)
#
# Each root is a `debootstrap --variant=minbase` of the suite from this machine's own Debian mirror (read from
# /etc/apt/sources.list*, or MATRIX_MIRROR) plus `make` and `ca-certificates`, into which the project's own
# tools/system-deps.sh then installs every other package. Roots are cached under MATRIX_CACHE
# (/var/cache/openmisto-matrix): the minbase root by suite, the root with the packages by suite + a hash of
# tools/system-deps.sh, so a change of the package list rebuilds it; a root older than MATRIX_MAX_AGE_DAYS (14) is
# built again (the old one is used when that fails). Each test run gets a fresh `git archive` of
# HEAD (committed work only, nothing beside it), runs `make test` in it with CI=true and QT_QPA_PLATFORM=offscreen,
# and prints one summary line per platform. pip downloads stay cached in the root.
#
# Exit status: 0 when every root that could be built passed; 1 when a suite failed. A root that cannot be built
# (mirror unreachable, debootstrap failing) is reported loudly and skipped. Needs root (debootstrap, chroot, mount).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${MATRIX_CACHE:-/var/cache/openmisto-matrix}
platforms=${MATRIX:-debian12,debian13,sid}
suite_timeout=${MATRIX_SUITE_TIMEOUT:-3000}
max_age_days=${MATRIX_MAX_AGE_DAYS:-14}
debootstrap_seconds=0
build_only=0
run_command="make test"
tree=HEAD
while [ $# -gt 0 ]; do
  case "$1" in
    --build-only) build_only=1 ;;
    --worktree) tree=$(git -C "$here" stash create) || true; tree=${tree:-HEAD} ;;
    --exec) run_command=$2; shift ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "test-matrix: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# Packages the root needs before the project can install its own: `make` runs `make test`, ca-certificates
# lets the host's CA certificates be installed for pip.
base_packages=make,ca-certificates

say() { echo "matrix: $*" >&2; }
loud() {
  echo "matrix: ################################################################" >&2
  echo "matrix: ## $*" >&2
  echo "matrix: ################################################################" >&2
}

suite_of() {
  case "$1" in
    debian12) echo bookworm ;;
    debian13) echo trixie ;;
    sid) echo sid ;;
    *) return 1 ;;
  esac
}

# The first Debian archive URI of this machine's APT sources (one-line and deb822 formats), not -security.
host_mirror() {
  if [ -n "${MATRIX_MIRROR:-}" ]; then
    echo "$MATRIX_MIRROR"
    return
  fi
  local files=() f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 1
  grep -hv '^[[:space:]]*#' "${files[@]}" |
    grep -oE '(https?|file)://[^][:space:]]*/debian/?([[:space:]]|$)' |
    head -n 1 | tr -d '[:space:]' | sed 's:/$::'
}

need_host_tools() {
  command -v debootstrap >/dev/null 2>&1 && return 0
  say "installing debootstrap on this machine"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2 ||
    { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2; }
}

hash_of() { sha256sum | cut -c1-12; }

# -- mounts, reliably undone ---------------------------------------------------------------------
mounted=()
mount_root() {
  local root=$1
  mkdir -p "$root/proc" "$root/sys" "$root/dev"
  mount -t proc proc "$root/proc" && mounted+=("$root/proc")
  mount -t sysfs sysfs "$root/sys" && mounted+=("$root/sys")
  mount --bind /dev "$root/dev" && mounted+=("$root/dev")
  mkdir -p "$root/dev/pts" "$root/dev/shm"
  mount --bind /dev/pts "$root/dev/pts" && mounted+=("$root/dev/pts")
  mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm" && mounted+=("$root/dev/shm")
}
# Processes still running inside the root or below the directory (a server a test left behind) keep its mounts
# busy: end them.
kill_root_processes() {
  local pid link real target
  real=$(readlink -f "$1")
  for link in /proc/[0-9]*/root; do
    pid=${link#/proc/}
    pid=${pid%/root}
    target=$(readlink "$link" 2>/dev/null) || continue
    [ "$target" = "$real" ] || [ "${target#"$real"/}" != "$target" ] || continue
    kill -9 "$pid" 2>/dev/null || true
  done
}
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" 2>/dev/null || true
  done
  mounted=()
}
# Everything mounted below a root, deepest first, whoever mounted it (the subshell that did may be gone).
unmount_under() {
  local real point
  real=$(readlink -f "$1")
  awk -v r="$real/" 'index($2, r) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r point; do
    umount "$point" 2>/dev/null || umount -l "$point" 2>/dev/null || true
  done
}
current_root=""
cleanup() {
  if [ -n "$current_root" ]; then
    kill_root_processes "$current_root"
    sleep 0.5
    kill_root_processes "$current_root"
  fi
  unmount_all
  [ -z "$current_root" ] || unmount_under "$current_root"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

in_root() {
  local root=$1
  shift
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"
}

# The host's resolver and CA certificates, again on every run (they may change).
host_network_into() {
  local root=$1
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  [ -f "$root/etc/hosts" ] || cp /etc/hosts "$root/etc/hosts"
  mkdir -p "$root/usr/local/share/ca-certificates/host"
  local crt
  for crt in /usr/local/share/ca-certificates/*.crt /usr/local/share/ca-certificates/*/*.crt; do
    [ -f "$crt" ] && cp "$crt" "$root/usr/local/share/ca-certificates/host/"
  done
  # The host's bundle, as a whole, for any CA it trusts outside /usr/local.
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/usr/local/share/ca-certificates/host/host-bundle.pem" 2>/dev/null || true
  if [ -x "$root/usr/sbin/update-ca-certificates" ]; then
    in_root "$root" update-ca-certificates >/dev/null 2>&1 || true
  fi
  # update-ca-certificates takes only *.crt, one certificate each: append the host's bundle after it.
  if [ -f "$root/etc/ssl/certs/ca-certificates.crt" ] &&
    ! cmp -s /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"; then
    cat /etc/ssl/certs/ca-certificates.crt >>"$root/etc/ssl/certs/ca-certificates.crt"
  fi
}

# -- building a root ---------------------------------------------------------------------------------
# The minbase root of a suite: debootstrap + APT sources + the settings a chroot needs.
build_base() {
  local suite=$1 base=$2 mirror=$3 tmp="$2.tmp" log="$2.log"
  rm -rf "$tmp"
  local t0=$SECONDS
  say "$suite: debootstrap --variant=minbase from $mirror (log: $log)"
  if ! debootstrap --variant=minbase --include="$base_packages" "$suite" "$tmp" "$mirror" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    rm -rf "$tmp"
    return 1
  fi
  {
    echo "deb $mirror $suite main"
    case "$suite" in sid) ;; *) echo "deb $mirror $suite-updates main" ;; esac
  } >"$tmp/etc/apt/sources.list"
  # A mirror that is a frozen snapshot serves Release files past their Valid-Until (unstable's lasts a week).
  cat >"$tmp/etc/apt/apt.conf.d/99openmisto-matrix" <<'EOF'
Acquire::Check-Valid-Until "false";
Acquire::Retries "3";
EOF
  # Packages never start services in the root (postgresql's postinst would start a cluster).
  printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
  chmod 755 "$tmp/usr/sbin/policy-rc.d"
  rm -f "$tmp/var/cache/apt/archives/"*.deb
  mv "$tmp" "$base"
  local other
  for other in "$(dirname "$base")"/base-*; do # another mirror or base package list: not used any more
    [ "$other" = "$base" ] || [ "$other" = "$log" ] || rm -rf "$other"
  done
  debootstrap_seconds=$((SECONDS - t0))
}

# The root with the project's packages: a copy of the base, then the project's tools/system-deps.sh in it.
build_deps_root() {
  local base=$1 root=$2 tmp="$2.tmp" log="$2.log"
  rm -rf "$tmp"
  cp -a "$base" "$tmp"
  host_network_into "$tmp"
  mkdir -p "$tmp/opt/openmisto-setup/tools"
  git -C "$here" show HEAD:tools/system-deps.sh >"$tmp/opt/openmisto-setup/tools/system-deps.sh"
  current_root=$tmp
  mount_root "$tmp"
  say "$(basename "$(dirname "$root")"): tools/system-deps.sh in the root (log: $log)"
  local ok=1
  in_root "$tmp" bash /opt/openmisto-setup/tools/system-deps.sh >"$log" 2>&1 || ok=0
  kill_root_processes "$tmp"
  unmount_all
  current_root=""
  if [ $ok -eq 0 ]; then
    tail -n 30 "$log" >&2
    rm -rf "$tmp"
    return 1
  fi
  rm -rf "$tmp/opt/openmisto-setup"
  in_root "$tmp" apt-get clean >/dev/null 2>&1 || true
  mv "$tmp" "$root"
}

# Prints the root directory of a platform, building what is missing; records build times in the root.
ensure_root() {
  local platform=$1 suite mirror base_key deps_key dir base root t0
  trap cleanup EXIT # a subshell: its own mounts
  suite=$(suite_of "$platform")
  mirror=$(host_mirror) || { loud "$platform: no Debian mirror in /etc/apt/sources.list* (set MATRIX_MIRROR)"; return 1; }
  base_key=$(printf '%s %s %s' "$suite" "$base_packages" "$mirror" | hash_of)
  deps_key=$(git -C "$here" show HEAD:tools/system-deps.sh | cat - <(echo "$base_key") | hash_of)
  dir=$cache/$suite
  base=$dir/base-$base_key
  root=$dir/root-$deps_key
  mkdir -p "$dir"
  local stale=""
  if [ -f "$root/.openmisto-root" ]; then
    if [ -z "$(find "$root/.openmisto-root" -mtime +"$max_age_days")" ]; then
      touch "$root/.openmisto-used"
      echo "$root"
      return 0
    fi
    # The suite moved on since (unstable every day, stable at point releases): build it again.
    say "$platform: the root is older than $max_age_days days: building it again from the mirror"
    stale=$root.stale
    rm -rf "$stale"
    mv "$root" "$stale"
    rm -rf "$base"
  fi
  t0=$SECONDS
  if [ ! -d "$base" ] && ! { need_host_tools && build_base "$suite" "$base" "$mirror"; } ||
    ! build_deps_root "$base" "$root"; then
    [ -n "$stale" ] || return 1
    loud "$platform: building the root again failed: testing in the old one"
    mv "$stale" "$root"
    echo "$root"
    return 0
  fi
  [ -z "$stale" ] || rm -rf "$stale"
  local t_base=$debootstrap_seconds
  local t_deps=$((SECONDS - t0 - t_base))  # system-deps.sh, after the debootstrap
  printf 'debootstrap_seconds=%s\nsystem_deps_seconds=%s\nbuilt=%s\n' "$t_base" "$t_deps" "$(date -u +%FT%TZ)" \
    >"$root/.openmisto-root"
  touch "$root/.openmisto-used"
  say "$platform: root built in $((SECONDS - t0)) s (debootstrap $t_base s, system-deps.sh $t_deps s)"
  # Roots of this suite for other package lists: the one used last stays (another branch), older ones go.
  local old
  for old in $(ls -1dt "$dir"/root-*/.openmisto-used 2>/dev/null | tail -n +3); do
    old=$(dirname "$old")
    [ "$old" = "$root" ] || { say "$platform: removing the unused root $old"; rm -rf "$old" "$old.log"; }
  done
  echo "$root"
}

# -- running the suite in a root -------------------------------------------------------------------------
summary_of() {
  # The last pytest summary line, e.g. "==== 3 failed, 557 passed, 2 skipped in 312.00s ====" (no "=" with -q).
  grep -aE '^(=+ )?[0-9]+ (passed|failed|errors?|skipped|deselected).* in [0-9.]+s|no tests ran' "$1" | tail -n 1 || true
}
count_in() { echo "$1" | grep -oE "[0-9]+ $2" | grep -oE '^[0-9]+' || echo 0; }

run_platform() {
  local platform=$1 root=$2 log=$3 work=/build/openmisto_plugin
  trap cleanup EXIT # a subshell: its own mounts
  current_root=$root
  host_network_into "$root"
  rm -rf "$root/build"
  mkdir -p "$root$work"
  git -C "$here" archive --format=tar "$tree" | tar -x -C "$root$work"
  mount_root "$root"
  local versions status=0 t0=$SECONDS
  versions=$(in_root "$root" python3 -c \
    'import platform; from qgis.core import Qgis; print(Qgis.QGIS_VERSION.split("-")[0], platform.python_version())' \
    2>/dev/null) || versions="? ?"
  in_root "$root" CI=true QT_QPA_PLATFORM=offscreen timeout "$suite_timeout" \
    bash -c "cd $work && $run_command" >"$log" 2>&1 || status=$?
  local seconds=$((SECONDS - t0))
  kill_root_processes "$root"
  unmount_all
  current_root=""
  rm -rf "$root/build"
  echo "$status $seconds $versions"
}

if [ "$(id -u)" -ne 0 ]; then
  echo "test-matrix: needs root (debootstrap, chroot, mount)" >&2
  exit 2
fi
mkdir -p "$cache/logs"
find "$cache/logs" -name '*.log' -mtime +"$max_age_days" -delete 2>/dev/null || true
t_all=$SECONDS
summaries=()
failed=0
IFS=, read -r -a wanted <<<"$platforms"
[ "$tree" != HEAD ] || [ -z "$(git -C "$here" status --porcelain --untracked-files=no)" ] ||
  say "note: uncommitted changes are not tested (each root gets HEAD)"
for platform in "${wanted[@]}"; do
  suite=$(suite_of "$platform") || { echo "test-matrix: unknown platform '$platform' (debian12, debian13, sid)" >&2; exit 2; }
  exec 9>"$cache/$suite.lock"
  flock 9
  t_build=$SECONDS
  # Builds and runs are subshells: when interrupted, this shell ends what runs in the suite's roots and
  # unmounts them.
  current_root=$cache/$suite
  if ! root=$(ensure_root "$platform"); then
    loud "$platform ($suite): THE ROOT COULD NOT BE BUILT - SKIPPED, NOT TESTED (see the log above)"
    summaries+=("matrix: $platform: SKIPPED, root could not be built")
    current_root=""
    flock -u 9
    continue
  fi
  built=$((SECONDS - t_build))
  built_note="root cached"
  [ $built -lt 5 ] || built_note="root built in $built s"
  if [ $build_only -eq 1 ]; then
    summaries+=("matrix: $platform: $built_note ($root)")
    current_root=""
    flock -u 9
    continue
  fi
  log=$cache/logs/$platform-$(date -u +%Y%m%dT%H%M%SZ).log
  say "$platform: make test in $root (log: $log)"
  read -r status seconds qgis python < <(run_platform "$platform" "$root" "$log")
  current_root=""
  flock -u 9
  summary=$(summary_of "$log")
  passed=$(count_in "$summary" passed)
  nfailed=$(count_in "$summary" failed)
  errors=$(count_in "$summary" error)
  skipped=$(count_in "$summary" skipped)
  line="matrix: $platform QGIS $qgis Python $python: $passed passed, $nfailed failed"
  [ "$errors" = 0 ] || line+=", $errors errors"
  [ "$skipped" = 0 ] || line+=", $skipped skipped"
  line+=" ($seconds s; $built_note)"
  if [ "$status" -ne 0 ]; then
    failed=1
    [ -n "$summary" ] || line+=" - NO PYTEST SUMMARY (exit status $status: crashed, timed out or failed before the tests)"
    line+=" - FAILED, log: $log"
    echo "---- $platform: the end of $log ----" >&2
    if grep -aq 'Fatal Python error' "$log"; then
      # A crash: the tests that ran, the error and the Python frames where it happened.
      grep -aE '^tests/' "$log" | tail -n 5 >&2
      grep -a -m1 -A12 'Fatal Python error' "$log" >&2
    else
      tail -n 60 "$log" >&2
    fi
    echo "----" >&2
  fi
  summaries+=("$line")
done
echo
printf '%s\n' "${summaries[@]}"
echo "matrix: total $((SECONDS - t_all)) s"
exit $failed
