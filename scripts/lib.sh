# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables are for the scripts that source this file
# Shared by the project's scripts (sourced, not run). The sourcing script sets NAME first.
# setup-host.sh stays self-contained on purpose: it must work on a machine with nothing else.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
DATA=$ROOT/data
APP_JAR=$ROOT/target/vdresize.jar
APP_LOG=$DATA/vdresize.log
APP_PID_FILE=$DATA/vdresize.pid
APP_PORT_FILE=$DATA/vdresize.port
# The JVM options vdresize runs with unless JAVA_OPTS says otherwise (scripts/run.sh, scripts/bench.sh).
# Without a heap limit the JVM may grow its heap to a quarter of the machine's memory and keep it;
# the live data is far smaller (docs/benchmark.md: RSS after 200 simultaneous resizes).
DEFAULT_JAVA_OPTS="-Xmx384m"

log() { echo "[$NAME] $*"; }
die() { echo "[$NAME] ERROR: $*" >&2; exit 1; }
require_root() { [ "$(id -u)" = 0 ] || die "must run as root (libvirt's qemu:///system, Debian packages); try: sudo $0"; }

# The pid of the running application from data/vdresize.pid, or nothing: the file is trusted only
# when that process is a java running our jar (a stale file or a reused pid is ignored).
app_pid() {
  local pid
  pid=$(cat "$APP_PID_FILE" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- '-jar [^ ]*vdresize\.jar' && echo "$pid"
  return 0
}
