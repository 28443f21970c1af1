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

# Class data sharing (docs/adr/0010-warm-sooner.md): the jar in Spring Boot's extracted layout
# (java -Djarmode=tools ... extract) and a dynamic CDS archive of the classes a start loads, made by
# a training start that stops right after the context refresh. The JVM then maps those classes
# instead of finding, reading and verifying them in the jar. scripts/run.sh and scripts/bench.sh
# start the application this way; without a usable archive they run target/vdresize.jar as it is.
CDS_DIR=$ROOT/target/cds
CDS_JAR=$CDS_DIR/app/vdresize.jar
CDS_ARCHIVE=$CDS_DIR/vdresize.jsa
CDS_STAMP=$CDS_DIR/made-for
CDS_LOG=$ROOT/target/cds.log

# What the archive is valid for: this target/vdresize.jar (size, time) and this JVM.
cds_key() { printf '%s | %s\n' "$(stat -c '%s %Y' "$APP_JAR")" "$(java -version 2>&1 | head -n 1)"; }

cds_current() {
  [ -f "$APP_JAR" ] && [ -s "$CDS_ARCHIVE" ] && [ -f "$CDS_JAR" ] && [ "$(cat "$CDS_STAMP" 2>/dev/null)" = "$(cds_key)" ]
}

# Makes target/cds when it is missing or was made for another jar or JVM: the extraction (a few
# seconds) and one training start of the application (about as long as a start), on a throw-away
# database under target/cds/train. Arguments: the JVM options the application will run with.
# Returns 1 after saying why when it cannot; the caller then starts target/vdresize.jar without it.
cds_prepare() {
  [ -f "$APP_JAR" ] || return 1
  mkdir -p "$ROOT/target"
  exec 9>"$ROOT/target/.cds.lock"
  flock 9
  if cds_current; then
    exec 9>&-
    return 0
  fi
  log "class data sharing: extracting the jar and a training start into target/cds (log: target/cds.log)"
  local start=$SECONDS train=$CDS_DIR/train
  rm -rf "$CDS_DIR"
  mkdir -p "$train"
  if java -Djarmode=tools -jar "$APP_JAR" extract --destination "$CDS_DIR/app" >"$CDS_LOG" 2>&1 \
      && (cd "$train" && java "$@" -XX:ArchiveClassesAtExit="$CDS_ARCHIVE" -Dspring.context.exit=onRefresh \
            -jar "$CDS_JAR" --server.port=0 --spring.datasource.url="jdbc:h2:file:$train/db/vdresize" \
            --vdresize.demo.create-user=true) >>"$CDS_LOG" 2>&1 \
      && [ -s "$CDS_ARCHIVE" ]; then
    rm -rf "$train"
    cds_key >"$CDS_STAMP"
    log "class data sharing: ready in $((SECONDS - start)) s"
    exec 9>&-
    return 0
  fi
  tail -n 5 "$CDS_LOG" >&2
  rm -rf "$CDS_DIR"
  log "warning: no class data sharing archive (see target/cds.log); starting target/vdresize.jar without one"
  exec 9>&-
  return 1
}
