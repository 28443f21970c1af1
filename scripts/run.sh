#!/usr/bin/env bash
# Runs vdresize on this machine (Debian 12, as root):
#   1. scripts/setup-host.sh  installs/configures libvirt + QEMU, starts libvirtd
#   2. mvn -B -DskipTests package  builds target/vdresize.jar (skip with --no-build)
#   3. scripts/demo-env.sh    creates the demo pool, disks and VMs (idempotent)
#   4. starts java -jar target/vdresize.jar --vdresize.demo.create-user=true in the background,
#      with class data sharing (a training start makes target/cds after a build: docs/adr/0010-warm-sooner.md)
#      (log data/vdresize.log, pid data/vdresize.pid) and waits until /actuator/health says UP
#      (over https:// when the arguments configure TLS: docs/operator-guide.md, "HTTPS").
#      That setting is the demo's: on an empty database it creates demo/demo and one user per role,
#      each with its name as password. A production start leaves it out (README.md, "Users and roles").
# If the application already runs (data/vdresize.pid), it is left alone: no build, no second start.
#
# Usage: scripts/run.sh [--no-build] [-- EXTRA_APPLICATION_ARGS...]
# Environment: PORT (default 8080), HEALTH_TIMEOUT seconds (default 240), JAVA_OPTS (default -Xmx384m)
# Example: PORT=8081 scripts/run.sh -- --vdresize.hosts[0].name=local --vdresize.hosts[0].uri=qemu:///system
set -euo pipefail
NAME=run
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
BUILD=true
APP_ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) BUILD=false ;;
    -h|--help) usage; exit 0 ;;
    --) shift; APP_ARGS=("$@"); break ;;
    *) usage >&2; die "unknown argument: $1 (application arguments go after --)" ;;
  esac
  shift
done
PORT=${PORT:-8080}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-240}
[[ "$PORT" =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$PORT'"
require_root

bash "$ROOT/scripts/setup-host.sh"
mkdir -p "$DATA"

pid=$(app_pid)
if [ -n "$pid" ]; then
  running_port=$(cat "$APP_PORT_FILE" 2>/dev/null || echo "$PORT")
  log "vdresize is already running (pid $pid, port $running_port): not starting a second one and not rebuilding."
  log "To restart it with a fresh build: scripts/stop.sh && scripts/run.sh"
  [ "$running_port" = "$PORT" ] || log "note: PORT=$PORT was asked for, but the running one listens on $running_port"
  PORT=$running_port
else
  rm -f "$APP_PID_FILE" "$APP_PORT_FILE"
  if $BUILD; then
    log "building: mvn -B -DskipTests package (log: data/build.log; the first build downloads dependencies, a few minutes)"
    start=$SECONDS
    if ! (cd "$ROOT" && mvn -B -ntp -Dstyle.color=never -DskipTests package) >"$DATA/build.log" 2>&1; then
      grep -E '^\[(ERROR|WARNING)\]' "$DATA/build.log" | head -n 40 >&2 || true
      tail -n 15 "$DATA/build.log" >&2
      die "the build failed; full log: $DATA/build.log"
    fi
    log "built target/vdresize.jar in $((SECONDS - start)) s"
  fi
  [ -f "$APP_JAR" ] || die "$APP_JAR is missing: run without --no-build"
fi

bash "$ROOT/scripts/demo-env.sh"

if [ -z "$pid" ]; then
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT is already in use by another program; choose another one: PORT=8081 $0"
  fi
  [ -f "$APP_LOG" ] && mv -f "$APP_LOG" "$APP_LOG.1"
  # cwd = project root: the default database is ./data/vdresize (H2 file).
  # setsid: the application outlives this script and the terminal (Ctrl-C, closing it).
  cd "$ROOT"
  # class data sharing (lib.sh): made after a build, or when missing or made for another jar or JVM
  RUN_JAR=$APP_JAR
  CDS_OPTS=()
  # shellcheck disable=SC2086  # JAVA_OPTS is a list of words on purpose
  if cds_prepare ${JAVA_OPTS-$DEFAULT_JAVA_OPTS}; then
    RUN_JAR=$CDS_JAR
    CDS_OPTS=("-XX:SharedArchiveFile=$CDS_ARCHIVE")
  fi
  # the demo users (password = name): this is a demo; later arguments may override it
  log "starting with --vdresize.demo.create-user=true: demo users with known passwords (demo only)"
  # shellcheck disable=SC2086  # JAVA_OPTS is a list of words on purpose
  setsid java ${JAVA_OPTS-$DEFAULT_JAVA_OPTS} "${CDS_OPTS[@]}" -jar "$RUN_JAR" --server.port="$PORT" --vdresize.demo.create-user=true \
    ${APP_ARGS[@]+"${APP_ARGS[@]}"} \
    </dev/null >>"$APP_LOG" 2>&1 &
  pid=$!
  echo "$pid" >"$APP_PID_FILE"
  echo "$PORT" >"$APP_PORT_FILE"
  log "started vdresize (pid $pid, port $PORT, log data/vdresize.log)"
fi

show_log() {
  local errors
  errors=$(grep -E '( ERROR |^Caused by:|APPLICATION FAILED)' "$APP_LOG" | tail -n 8 | cut -c1-400 || true)
  [ -z "$errors" ] || printf -- '----- %s: errors -----\n%s\n' "$APP_LOG" "$errors" >&2
  echo "----- $APP_LOG: last lines -----" >&2
  tail -n 20 "$APP_LOG" | cut -c1-400 >&2
}
# http, or https once the port answers plain HTTP with Tomcat's "requires TLS" (server.ssl.* set,
# from the arguments, the environment or a configuration file alike)
SCHEME=http
health() {
  # --insecure for https: the certificate is the operator's, for a name that need not be
  # 127.0.0.1, signed by a CA curl may not know; this request sends no credentials and only reads
  # the status
  local tls=()
  [ "$SCHEME" = https ] && tls=(--insecure)
  curl -s --max-time 3 ${tls[@]+"${tls[@]}"} "$SCHEME://127.0.0.1:$PORT/actuator/health" 2>/dev/null \
    | python3 -c 'import json,sys; print(json.load(sys.stdin).get("status",""))' 2>/dev/null || true
}
speaks_tls() {
  curl -s --max-time 3 "http://127.0.0.1:$PORT/actuator/health" 2>/dev/null | grep -q 'requires TLS'
}
log "waiting for /actuator/health on port $PORT to say UP (up to $HEALTH_TIMEOUT s)"
start=$SECONDS
status=""
while :; do
  status=$(health)
  [ "$status" = UP ] && break
  if [ "$SCHEME" = http ] && speaks_tls; then
    SCHEME=https
    log "port $PORT serves HTTPS: waiting on https://"
    continue
  fi
  if [ ! -d "/proc/$pid" ]; then
    rm -f "$APP_PID_FILE" "$APP_PORT_FILE"
    show_log
    die "vdresize exited during start-up (see $APP_LOG)"
  fi
  if [ $((SECONDS - start)) -ge "$HEALTH_TIMEOUT" ]; then
    show_log
    die "no UP from $SCHEME://127.0.0.1:$PORT/actuator/health after $HEALTH_TIMEOUT s (last answer: '${status:-none}'); it still runs as pid $pid: stop it with scripts/stop.sh"
  fi
  sleep 1
done
log "UP after $((SECONDS - start)) s"
BASE=$SCHEME://localhost:$PORT
CURL=curl
TLS_NOTE=""
if [ "$SCHEME" = https ]; then
  CURL="curl --cacert CERT.pem"
  TLS_NOTE="
HTTPS: CERT.pem is the server's certificate, or the CA that signed it, in PEM; if the certificate
does not name localhost, use a name it does instead of localhost (docs/operator-guide.md, \"HTTPS\").
"
fi

QCOW2=$(timeout 30 virsh -q -c qemu:///system vol-path --pool vdresize-demo demo-qcow2.qcow2 2>/dev/null || echo /path/to/demo-qcow2.qcow2)

# the demo's watch: the ext4 filesystem on demo-qcow2 grows by itself once it is 80 % full
# (README.md, "See a disk grow by itself"); one watch, kept across restarts (its id in data/)
WATCH_ID_FILE="$ROOT/data/demo-watch.id"
watch_id=$(cat "$WATCH_ID_FILE" 2>/dev/null || true)
if [ "$SCHEME" = http ]; then
  if [ -z "$watch_id" ] || ! curl -s --max-time 10 -u demo:demo "$BASE/api/watches/$watch_id" | grep -q '"status":"\(WATCHING\|AT_LIMIT\|NO_AGENT\)"'; then
    answer=$(curl -s --max-time 60 -u demo:demo -H 'Content-Type: application/json' "$BASE/api/watches" \
      -d '{"vm":"vdresize-demo-1","target":"vdb","maxSize":"1G","mountpoint":"/mnt/vdr-demo-qcow2","interval":"PT30S"}' || true)
    watch_id=$(printf '%s' "$answer" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
    if [ -n "$watch_id" ]; then
      echo "$watch_id" >"$WATCH_ID_FILE"
      log "demo watch $watch_id on vdresize-demo-1 vdb (/mnt/vdr-demo-qcow2, up to 1 GiB)"
    else
      log "no demo watch created: ${answer:-no answer}"
    fi
  fi
fi
cat <<INFO
$TLS_NOTE
vdresize is running (pid $pid; log: data/vdresize.log; stop: scripts/stop.sh)

  Cockpit    $BASE/camunda/app/cockpit/  (every resize, finished ones too: Dashboard -> Disk resizes)
  Tasklist   $BASE/camunda/app/tasklist/
  REST API   $BASE/api/  (resizes, disks, audit; Camunda's own REST API: $BASE/engine-rest/)
  Login      demo / demo          (camunda-admin: everything)
             operator / operator  (disk-operators: start resizes, resolve the ones that need attention)
             approver / approver  (disk-approvers: approve large resizes in Tasklist)
             auditor / auditor    (auditors: read resizes, disks, audit; Cockpit read-only)
             (demo users: created on an empty database because this script starts vdresize with
             --vdresize.demo.create-user=true; a production start does not: see "Users and roles" in README.md)

Watch a demo disk (others: vdresize-demo-1 vdc, sda, vdd; vdresize-demo-2 vdb):
  virsh -c qemu:///system domblkinfo vdresize-demo-1 vdb

Grow it by 256 MiB:
  $CURL -u demo:demo -H 'Content-Type: application/json' -d '{"vm":"vdresize-demo-1","target":"vdb","size":"+256M"}' $BASE/api/resizes

The VMs run a tiny Linux with the QEMU guest agent: vdresize has the guest check the new size. The
qcow2 disk holds an ext4 filesystem, mounted at /mnt/vdr-demo-qcow2 in vdresize-demo-1; grow it too:
  $CURL -u demo:demo -H 'Content-Type: application/json' -d '{"vm":"vdresize-demo-1","target":"vdb","size":"+256M","growFilesystem":true}' $BASE/api/resizes

Follow it (ID: the "id" in that answer, also in its Location header; "guest" says what the guest saw):
  $CURL -u demo:demo $BASE/api/resizes/ID
  or every resize of that disk:  $CURL -u demo:demo '$BASE/api/resizes?disk=$QCOW2'

The guest's view, without logging in (total-bytes of /mnt/vdr-demo-qcow2):
  virsh -c qemu:///system qemu-agent-command vdresize-demo-1 '{"execute":"guest-get-fsinfo"}'

A watch (${watch_id:-not created}) grows that filesystem by itself once it is 80 % full. Fill it to 90 %
from inside the guest, then watch it grow (within a minute or two):
  virsh -c qemu:///system qemu-agent-command vdresize-demo-1 '{"execute":"guest-exec","arguments":{"path":"sh","arg":["-c","cd /mnt/vdr-demo-qcow2 && set -- \$(df -m . | tail -1) && dd if=/dev/zero of=fill-\$(date +%s) bs=1M count=\$((\$2 * 9 / 10 - \$3 + 2)) && sync"]}}'
  $CURL -u demo:demo $BASE/api/watches/${watch_id:-ID}
INFO
