#!/usr/bin/env bash
# Prepares this machine (Debian 12, root) for vdresize:
#  - installs the Debian packages that are missing (apt-get update only when something is missing),
#  - configures QEMU for a sandbox without AppArmor/SELinux (qemu.conf user/group/security_driver),
#  - starts virtlogd and libvirtd when they are not running (no systemd needed), restarts libvirtd
#    when qemu.conf changed or when it does not answer, and waits until qemu:///system answers.
# Idempotent and quiet: when everything is in place it prints one line. Safe to run concurrently
# (a lock serialises runs). Needs root.
#   --tests   also what only the tests need: chromium and chromium-driver (the browser IT drives
#             Tasklist and Cockpit in Debian's headless chromium); gnutls-bin (certtool makes the
#             certificates of TlsHostIT), openssh-server and openssh-client (SshHostIT starts its own
#             sshd on 127.0.0.3; the package's own sshd service is not started by this install);
#             the lint of scripts/lint.sh: shellcheck, Node.js and npm (Debian's, when there is no
#             node/npm yet), tools/bpmn's npm packages and, where node is older than bpmnlint
#             needs (Debian 12's 18), tools/node's Node.js 20 (npm ci, again only when a
#             package-lock.json changed); scripts/test.sh passes it
set -euo pipefail

NAME=setup-host
log() { echo "[$NAME] $*"; }
die() { echo "[$NAME] ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (try: sudo $0)"
[ -r /etc/debian_version ] || die "this script installs Debian packages; this does not look like Debian"

URI=qemu:///system
# Packages the project's scripts, build and tests use. The JDK and Maven are checked by command below.
PKGS=(libvirt0 libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-system
      qemu-system-x86 qemu-utils
      python3 curl util-linux coreutils
      e2fsprogs                        # mkfs.ext4: the demo's filesystem, made on this host
      busybox-static cpio xz-utils    # these three: the tiny guest image of the integration tests
      postgresql)                      # the cluster tests start a private PostgreSQL (initdb/pg_ctl)
TEST_PKGS=(chromium chromium-driver   # OperatorBrowserIT: Debian's browser and its WebDriver
           gnutls-bin                 # TlsHostIT: certtool
           openssh-server openssh-client   # SshHostIT: the test's own sshd, libvirt's qemu+ssh:// client
           shellcheck)                # scripts/lint.sh
WITH_TESTS=false
for arg in "$@"; do
  case $arg in
    --tests) WITH_TESTS=true; PKGS+=("${TEST_PKGS[@]}") ;;
    *) die "unknown argument: $arg (only --tests)" ;;
  esac
done

# One run at a time: run.sh and test.sh (or two terminals) may call this at the same moment.
mkdir -p /run/lock
exec 9>/run/lock/vdresize-setup-host.lock
flock -w 900 9 || die "another setup-host.sh holds /run/lock/vdresize-setup-host.lock for 15 min"

# ---------------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------------
export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef)
LOG=$(mktemp /tmp/vdresize-setup-host.XXXXXX.log)
POLICY_RC=/usr/sbin/policy-rc.d
made_policy=false
trap 'rm -f "$LOG"; if $made_policy; then rm -f "$POLICY_RC"; fi' EXIT

dpkg_repair() {
  # An install interrupted (e.g. at a conffile prompt) leaves dpkg half-configured; apt-get then refuses.
  [ -z "$(dpkg --audit 2>/dev/null)" ] && return 0
  log "dpkg reports unfinished packages: running dpkg --configure -a"
  local _
  for _ in $(seq 1 60); do   # dpkg has no lock timeout of its own
    dpkg --force-confold --force-confdef --configure -a >>"$LOG" 2>&1 && return 0
    sleep 5
  done
  tail -n 30 "$LOG" >&2
  die "dpkg --configure -a failed"
}

apt_run() {
  if ! apt-get "${APT_OPTS[@]}" "$@" >>"$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    return 1
  fi
}

dpkg_repair

missing=()
while read -r pkg status; do
  [ "$status" = "ii" ] || missing+=("$pkg")
done < <(for p in "${PKGS[@]}"; do
           printf '%s %s\n' "$p" "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | tr -d ' ' || true)"
         done)
java_major=$( (java -version 2>&1 || true) | sed -nE '1s/.*version "([0-9]+).*/\1/p')
[ -n "$java_major" ] && [ "$java_major" -ge 17 ] || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v awk >/dev/null 2>&1 || missing+=(mawk)   # any awk will do (Debian's minimal images have mawk)
# scripts/lint.sh runs bpmnlint with the machine's Node.js and npm, else Debian's
if $WITH_TESTS && ! { command -v node && command -v npm; } >/dev/null 2>&1; then missing+=(nodejs npm); fi

# apt lists are needed for an install, and by the integration tests' guest image (apt-get download)
have_lists() { compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; }

if [ ${#missing[@]} -gt 0 ] || ! have_lists; then
  log "apt-get update${missing[*]:+ (missing: ${missing[*]})}"
  apt_run update || die "apt-get update failed (network? proxy?)"
fi
if [ ${#missing[@]} -gt 0 ]; then
  # openssh-server is only there for the sshd SshHostIT starts itself: its package must not start the
  # machine's sshd on port 22. policy-rc.d (exit 101) keeps package scripts from starting services
  # during this install; this script starts libvirtd itself below.
  if [[ " ${missing[*]} " == *" openssh-server "* ]] && [ ! -e "$POLICY_RC" ]; then
    printf '#!/bin/sh\n# vdresize setup-host.sh: no service starts during its install\nexit 101\n' > "$POLICY_RC"
    chmod 755 "$POLICY_RC"
    made_policy=true
  fi
  log "installing ${#missing[@]} package(s), this takes a minute or two the first time"
  if ! apt_run install "${missing[@]}"; then
    log "install failed; repairing dpkg and retrying once"
    dpkg_repair
    apt_run update || true
    apt_run install "${missing[@]}" || die "apt-get install ${missing[*]} failed"
  fi
  dpkg_repair
  if $made_policy; then rm -f "$POLICY_RC"; made_policy=false; fi
fi
for c in virsh libvirtd virtlogd qemu-img qemu-system-x86_64 curl python3 java mvn awk flock setsid fallocate timeout numfmt \
         truncate mkfs.ext4; do
  command -v "$c" >/dev/null 2>&1 || die "'$c' is still missing after the install"
done
# Debian keeps initdb and pg_ctl out of PATH, in /usr/lib/postgresql/<version>/bin
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || die "PostgreSQL's pg_ctl is still missing after the install"
if $WITH_TESTS; then
  for c in chromium chromedriver certtool ssh ssh-keygen /usr/sbin/sshd shellcheck node npm; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is still missing after the install"
  done
  # npm ci in a folder of tools/, from its package-lock.json; the lock's hash is kept in
  # node_modules, so that an unchanged lock costs nothing. No install scripts: none is needed
  # (two @carbon packages of form-js have a telemetry one).
  npm_ci() {
    local dir lock_hash
    dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools/$1" && pwd -P)
    lock_hash=$(sha256sum <"$dir/package-lock.json" | cut -d' ' -f1)
    [ "$(cat "$dir/node_modules/.installed-lock.sha256" 2>/dev/null)" != "$lock_hash" ] || return 0
    log "npm ci in tools/$1 ($2; a minute the first time)"
    if ! (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund >>"$LOG" 2>&1); then
      tail -n 30 "$LOG" >&2
      die "npm ci in tools/$1 failed"
    fi
    echo "$lock_hash" >"$dir/node_modules/.installed-lock.sha256"
  }
  npm_ci bpmn "bpmnlint and the diagram tools"
  # bpmnlint 11 loads ES modules with require(), which Node.js has from 20.19 on
  if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    npm_ci node "Node.js 20 for bpmnlint: this machine's node is $(node --version)"
  fi
fi

# ---------------------------------------------------------------------------------------------
# qemu.conf: no AppArmor/SELinux confinement and no privilege drop are possible in this sandbox
# ---------------------------------------------------------------------------------------------
QCONF=/etc/libvirt/qemu.conf
[ -f "$QCONF" ] || die "$QCONF is missing (is libvirt-daemon-system installed and configured?)"
set_conf() {
  local key=$1 value=$2
  if grep -qE "^\s*$key\s*=" "$QCONF"; then
    grep -qE "^\s*$key\s*=\s*$value\s*$" "$QCONF" || sed -i -E "s|^\s*$key\s*=.*|$key = $value|" "$QCONF"
  else
    echo "$key = $value" >> "$QCONF"
  fi
}
conf_before=$(md5sum < "$QCONF")
set_conf user '"root"'
set_conf group '"root"'
set_conf security_driver '"none"'
conf_changed=false
[ "$conf_before" = "$(md5sum < "$QCONF")" ] || conf_changed=true

if [ ! -e /dev/kvm ]; then
  # Not an error: vdresize's demo and test VMs are type='qemu' (TCG) and need no KVM.
  log "note: /dev/kvm is absent; VMs run under TCG (type='qemu'), which is what vdresize's demo and tests use"
fi

# ---------------------------------------------------------------------------------------------
# Daemons
# ---------------------------------------------------------------------------------------------
mkdir -p /var/log/libvirt /run/libvirt /var/lib/libvirt/images /var/cache/libvirt

# a healthy libvirtd answers in milliseconds; a stopped or hung one accepts the connection and never answers
answers() { timeout 5 virsh -c "$URI" version >/dev/null 2>&1; }

# pid of a running daemon from its pid file, or nothing (no file, a stale file, a pid now used by
# another process, or a zombie that nobody has reaped yet)
daemon_pid() {
  local pid stat
  pid=$(cat "/run/$1.pid" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  stat=$(cat "/proc/$pid/stat" 2>/dev/null || true)
  [[ "$stat" == "$pid ($1) "* && "$stat" != "$pid ($1) Z"* ]] && echo "$pid"
  return 0
}
# wait up to $2 seconds for libvirtd to answer; give up early when the pid $1 (if any) is gone
wait_answer() {
  local pid=$1 deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    answers && return 0
    [ -z "$pid" ] || [ -n "$(daemon_pid libvirtd)" ] || return 1
    sleep 0.5
  done
  return 1
}

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  # A normal host with systemd: let it manage the daemons.
  if $conf_changed; then
    log "qemu.conf changed: restarting libvirtd"
    systemctl restart libvirtd
  fi
  systemctl start virtlogd.socket libvirtd.socket >/dev/null 2>&1 || true
  systemctl start libvirtd >/dev/null 2>&1 || true
else
  stop_daemon() {   # by its pid file only, never by name
    local pid deadline
    pid=$(daemon_pid "$1")
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    kill -CONT "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while [ $SECONDS -lt $deadline ]; do [ -n "$(daemon_pid "$1")" ] || return 0; sleep 0.2; done
    log "$1 (pid $pid) did not stop within 10 s: killing it"
    kill -9 "$pid" 2>/dev/null || true
    sleep 0.5
  }
  start_daemon() {
    [ -z "$(daemon_pid "$1")" ] || return 0
    rm -f "/run/$1.pid"   # stale
    log "starting $1"
    # 9>&-: the daemon must not inherit (and hold forever) this script's lock
    if ! "$1" -d </dev/null >"$LOG" 2>&1 9>&-; then
      cat "$LOG" >&2
      tail -n 20 "/var/log/libvirt/$1.log" >&2 2>/dev/null || true
      die "$1 -d failed"
    fi
  }

  if $conf_changed && [ -n "$(daemon_pid libvirtd)" ]; then
    log "qemu.conf changed: restarting libvirtd"
    stop_daemon libvirtd
  fi
  start_daemon virtlogd
  pid=$(daemon_pid libvirtd)
  if [ -n "$pid" ] && ! wait_answer "$pid" 15; then
    # running but not answering (hung, stopped, or started long ago and wedged): restart it
    log "libvirtd (pid $pid) does not answer: restarting it"
    stop_daemon libvirtd
  fi
  for attempt in 1 2; do
    start_daemon libvirtd
    wait_answer "$(daemon_pid libvirtd)" 30 && break
    log "libvirtd does not answer (attempt $attempt); last lines of /var/log/libvirt/libvirtd.log:"
    tail -n 15 /var/log/libvirt/libvirtd.log 2>/dev/null | sed "s/^/[$NAME]   /" || true
    stop_daemon libvirtd
  done
fi

wait_answer "" 30 || die "libvirtd does not answer on $URI (see /var/log/libvirt/libvirtd.log)"
log "ready: $(virsh -c "$URI" version 2>/dev/null | sed -nE 's/^Running hypervisor: //p;s/^Using library: //p' | paste -sd' ' -)"
