#!/usr/bin/env bash
# Runs vdresize's tests on this machine (Debian 12, as root):
#   1. scripts/setup-host.sh   installs/configures libvirt + QEMU and starts libvirtd (the
#      --tests                 integration tests use a real QEMU through qemu:///system), and
#                              chromium + chromedriver for the browser test
#   2. mvn -B verify           unit and process tests (Surefire), then the *IT integration tests
#                              against real libvirt (Failsafe)
# The exit code is Maven's. Arguments go to Maven, e.g.: scripts/test.sh -Dtest=SizeTest -DskipITs
# or scripts/test.sh clean
set -euo pipefail
NAME=test
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
case ${1:-} in -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
require_root

bash "$ROOT/scripts/setup-host.sh" --tests
cd "$ROOT"
log "mvn -B ${*:+$* }verify"
exec mvn -B -ntp -Dstyle.color=never "$@" verify
