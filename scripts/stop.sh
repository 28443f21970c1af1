#!/usr/bin/env bash
# Stops the vdresize started by scripts/run.sh (by its pid file data/vdresize.pid, never by name).
# Usage: scripts/stop.sh [--demo]    --demo also removes the demo environment (scripts/demo-env.sh --remove)
set -euo pipefail
NAME=stop
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEMO=false
for a in "$@"; do
  case $a in
    --demo) DEMO=true ;;
    -h|--help) sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $a (usage: scripts/stop.sh [--demo])" ;;
  esac
done
require_root

pid=$(app_pid)
if [ -z "$pid" ]; then
  log "vdresize is not running (no live process in data/vdresize.pid)"
else
  kill "$pid"
  deadline=$((SECONDS + 30))
  while [ -d "/proc/$pid" ] && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
  if [ -d "/proc/$pid" ]; then
    log "pid $pid did not stop within 30 s: killing it"
    kill -9 "$pid" 2>/dev/null || true
  fi
  log "stopped vdresize (pid $pid)"
fi
rm -f "$APP_PID_FILE" "$APP_PORT_FILE"

if $DEMO; then bash "$ROOT/scripts/demo-env.sh" --remove; fi
