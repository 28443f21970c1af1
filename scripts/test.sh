#!/usr/bin/env bash
# Runs vdresize's tests on this machine (Debian 12, as root):
#   1. scripts/setup-host.sh   installs/configures libvirt + QEMU and starts libvirtd (the
#      --tests                 integration tests use a real QEMU through qemu:///system),
#                              chromium + chromedriver for the browser test, and the linters
#   2. scripts/lint.sh         bpmnlint on bpmn/*.bpmn, shellcheck on scripts/*.sh (seconds)
#   3. mvn -B verify           unit and process tests (Surefire), then the *IT integration tests
#                              against real libvirt (Failsafe)
# Maven runs even when the lint fails. The exit code is Maven's when Maven fails, else the lint's.
# Arguments go to Maven, e.g.: scripts/test.sh -Dtest=SizeTest -DskipITs   or   scripts/test.sh clean
set -euo pipefail
NAME="test"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
case ${1:-} in -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
require_root

bash "$ROOT/scripts/setup-host.sh" --tests
lint_rc=0
bash "$ROOT/scripts/lint.sh" || lint_rc=$?
cd "$ROOT"
log "mvn -B ${*:+$* }verify"
mvn_rc=0
mvn -B -ntp -Dstyle.color=never "$@" verify || mvn_rc=$?
if [ "$mvn_rc" != 0 ]; then exit "$mvn_rc"; fi
if [ "$lint_rc" != 0 ]; then
  log "Maven passed, but the lint failed (scripts/lint.sh, above)"
  exit "$lint_rc"
fi
