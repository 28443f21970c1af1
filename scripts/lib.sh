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
# seconds) and one training start of the application on a throw-away database under
# target/cds/train that serves a few resizes (cds_exercise) and is then stopped; the JVM writes
# the archive as it exits. Arguments: the JVM options the application will run with.
# Returns 1 after saying why when it cannot: the caller then starts target/vdresize.jar as it is.
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
  local start=$SECONDS train=$CDS_DIR/train port pid ok=false
  rm -rf "$CDS_DIR"
  mkdir -p "$train"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if java -Djarmode=tools -jar "$APP_JAR" extract --destination "$CDS_DIR/app" >"$CDS_LOG" 2>&1; then
    (cd "$train" && exec java "$@" -XX:ArchiveClassesAtExit="$CDS_ARCHIVE" -jar "$CDS_JAR" --server.port="$port" \
        --spring.datasource.url="jdbc:h2:file:$train/db/vdresize" --vdresize.demo.create-user=true) >>"$CDS_LOG" 2>&1 &
    pid=$!
    local deadline=$((SECONDS + 600))
    while [ -d "/proc/$pid" ] && [ $SECONDS -lt $deadline ]; do
      if curl -s --max-time 3 "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"UP"'; then
        ok=true
        break
      fi
      sleep 1
    done
    if $ok; then
      # the classes of a resize's path go into the archive too; without it the archive still has the start's
      cds_exercise "$port" "$train" >>"$CDS_LOG" 2>&1 || log "class data sharing: the training's resizes failed (see target/cds.log); the archive has the start's classes only"
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if $ok && [ -s "$CDS_ARCHIVE" ]; then
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

# The training's work: three default resizes (+1M) of a 16 MiB qcow2 volume held by a running no-OS
# domain (type='qemu', 32 MiB, like the benchmark's), both transient and named vdr-cds-<pid>: they
# vanish when destroyed, which this does whatever happened. Arguments: the port, a work directory.
cds_exercise() {
  local port=$1 dir=$2 vm=vdr-cds-$$ i id status rc=0
  local virsh=(virsh -q -c qemu:///system)
  mkdir -p "$dir/pool"
  cat >"$dir/domain.xml" <<XML
<domain type='qemu'><name>$vm</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os><on_reboot>destroy</on_reboot><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$dir/pool/disk.qcow2'/>
<target dev='vdb' bus='virtio'/></disk><memballoon model='none'/></devices></domain>
XML
  "${virsh[@]}" pool-create-as "$vm" dir --target "$dir/pool" >/dev/null || return 1
  if "${virsh[@]}" vol-create-as "$vm" disk.qcow2 16M --format qcow2 >/dev/null \
      && "${virsh[@]}" create "$dir/domain.xml" >/dev/null; then
    for i in 1 2 3; do
      id=$(curl -s --max-time 60 -u demo:demo -H 'Content-Type: application/json' \
          -d "{\"vm\":\"$vm\",\"target\":\"vdb\",\"size\":\"+1M\"}" "http://127.0.0.1:$port/api/resizes" \
          | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || { rc=1; break; }
      status=$(curl -s --max-time 60 -u demo:demo "http://127.0.0.1:$port/api/resizes/$id?wait=30" \
          | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])') || { rc=1; break; }
      echo "training resize $i: $status"
      [ "$status" = COMPLETED ] || rc=1
    done
    "${virsh[@]}" destroy "$vm" >/dev/null 2>&1 || true
  else
    rc=1
  fi
  "${virsh[@]}" pool-destroy "$vm" >/dev/null 2>&1 || true
  return $rc
}
