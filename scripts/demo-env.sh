#!/usr/bin/env bash
# Creates vdresize's demo environment on qemu:///system, or completes it when parts are missing:
#   pool   vdresize-demo (dir) at <project>/data/demo-pool
#   volumes demo-qcow2.qcow2 (qcow2, 256 MiB), demo-raw-sparse.img (raw sparse, 256 MiB),
#           demo-raw-prealloc.img (raw fully allocated, 128 MiB), demo-shared.img (raw, 128 MiB, shareable)
#   VMs    vdresize-demo-1: vdb=qcow2, vdc=raw sparse, sda=raw preallocated (virtio-scsi), vdd=shared
#          vdresize-demo-2: vdb=shared
#          the tiny Linux guest of scripts/build-guest-image.sh (built and cached in data/guest-image,
#          a few seconds the first time) with qemu-guest-agent, defined by scripts/guest-domain.xml.sh:
#          type='qemu' (TCG), 128 MiB, 1 vCPU, direct kernel boot; both are started. The guest agent
#          answers 4-25 s after the start, depending on the machine's load.
#   When demo-qcow2.qcow2 is created, it gets an ext4 filesystem (in vdresize-demo-1, through the
#   guest agent), so that a resize with "growFilesystem" has something to grow. The guest has no
#   persistent root: its init mounts that filesystem again at /mnt/vdr-demo-qcow2 at every boot
#   (kernel command line vdresize.automount=..., which only the demo sets; never the shared disk).
# Idempotent: what exists is never recreated or overwritten (the demo disks may have been resized).
# Demo VMs defined by an older version of this script (no OS, SeaBIOS only) are left as they are:
# run scripts/demo-env.sh --remove first to get the Linux guests.
#
# Usage: scripts/demo-env.sh            create/complete and start, then print the disks
#        scripts/demo-env.sh --remove   destroy and undefine the VMs, delete the volumes and the pool
# Environment: DEMO_AGENT_TIMEOUT  seconds to wait for the guest agent before formatting (default 300)
set -euo pipefail

NAME=demo-env
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

URI=qemu:///system
POOL=vdresize-demo
POOL_DIR=$DATA/demo-pool
VMS=(vdresize-demo-1 vdresize-demo-2)
MiB=1048576

# volume name : format : capacity (MiB) : allocation (MiB)
VOLUMES=(
  "demo-qcow2.qcow2:qcow2:256:0"
  "demo-raw-sparse.img:raw:256:0"
  "demo-raw-prealloc.img:raw:128:128"
  "demo-shared.img:raw:128:0"
)
# vm : target : bus : volume : serial : disk option (of scripts/guest-domain.xml.sh --disk)
DISKS=(
  "vdresize-demo-1:vdb:virtio:demo-qcow2.qcow2:vdr-demo-qcow2:"
  "vdresize-demo-1:vdc:virtio:demo-raw-sparse.img:vdr-demo-sparse:"
  "vdresize-demo-1:sda:scsi:demo-raw-prealloc.img:vdr-demo-prealloc:"
  "vdresize-demo-1:vdd:virtio:demo-shared.img:vdr-demo-shared:shareable"
  "vdresize-demo-2:vdb:virtio:demo-shared.img:vdr-demo-shared:shareable"
)
# the disk that gets a filesystem when its volume is created: vm : volume : serial : mkfs program
FORMAT="vdresize-demo-1:demo-qcow2.qcow2:vdr-demo-qcow2:mkfs.ext4"
# exists while that volume was created but has no filesystem yet (so an interrupted run is resumed)
FORMAT_PENDING=$DATA/demo-env.format-pending
GUEST_IMAGE=$DATA/guest-image
CONSOLE_DIR=$DATA/demo-console   # the guests' serial consoles (boot messages), one log per VM
AGENT_TIMEOUT=${DEMO_AGENT_TIMEOUT:-300}
# the guests mount ext4/xfs found on these disks at /mnt/<serial> at boot: every demo disk but the
# shared one (ext4 or xfs mounted by two VMs at once would be corrupted)
AUTOMOUNT=$(for spec in "${DISKS[@]}"; do
  IFS=: read -r _ _ _ _ serial opt <<<"$spec"
  [ "$opt" = shareable ] || echo "$serial"
done | awk '!seen[$0]++' | paste -sd, -)

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }
REMOVE=false
for a in "$@"; do
  case $a in
    --remove) REMOVE=true ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $a" ;;
  esac
done
[[ "$AGENT_TIMEOUT" =~ ^[0-9]+$ ]] || die "DEMO_AGENT_TIMEOUT must be a number of seconds, not '$AGENT_TIMEOUT'"

require_root

# a busy or wedged libvirtd must not hang the script forever
V() { timeout 300 virsh -q -c "$URI" "$@"; }
if ! command -v virsh >/dev/null 2>&1 || ! timeout 10 virsh -c "$URI" version >/dev/null 2>&1; then
  log "libvirtd is not ready: running scripts/setup-host.sh"
  bash "$ROOT/scripts/setup-host.sh"
fi

exists_vm()   { V dominfo "$1" >/dev/null 2>&1; }
exists_pool() { V pool-info "$POOL" >/dev/null 2>&1; }
exists_vol()  { V vol-info --pool "$POOL" "$1" >/dev/null 2>&1; }
pool_active() { [ "$(V pool-info "$POOL" | awk -F: '$1=="State"{gsub(/ /,"",$2);print $2}')" = running ]; }
pool_path()   { V pool-dumpxml "$POOL" | sed -nE 's|.*<path>(.*)</path>.*|\1|p' | head -n1; }
vm_state()    { V domstate "$1" 2>/dev/null | head -n1; }
vol_bytes()   { V vol-info --bytes --pool "$POOL" "$1" | awk -F: -v k="$2" '$1==k{gsub(/[^0-9]/,"",$2);print $2}'; }
# defined by this version: the Linux guest (direct kernel boot) with the guest agent's channel
is_guest_vm() {
  local x
  x=$(V dumpxml --inactive "$1" 2>/dev/null) && grep -q '<kernel>' <<<"$x" && grep -q 'org.qemu.guest_agent.0' <<<"$x"
}

# ---- the guest agent, through virsh; JSON is written and read by python3 (setup-host.sh installs it)
# agent VM JSON [TIMEOUT]: prints the "return" member of the answer, as JSON
agent() {
  local out t=${3:-10}
  out=$(timeout $((t + 30)) virsh -q -c "$URI" qemu-agent-command --timeout "$t" "$1" "$2" 2>&1) \
    || { echo "$out" >&2; return 1; }
  python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["return"]))' "$out"
}
agent_up() { timeout 20 virsh -q -c "$URI" qemu-agent-command --timeout 5 "$1" '{"execute":"guest-ping"}' >/dev/null 2>&1; }
wait_agent() { # VM TIMEOUT
  local deadline=$((SECONDS + $2))
  until agent_up "$1"; do
    [ "$(vm_state "$1")" = running ] && [ $SECONDS -lt $deadline ] || return 1
    sleep 1
  done
}
# guest_exec VM PROGRAM ARGS...: runs PROGRAM in the guest with that argument vector (no shell);
# its stdout and stderr become ours, its exit code ours (125: the agent failed)
guest_exec() {
  local vm=$1 req pid st i
  req=$(python3 -c 'import json,sys; print(json.dumps({"execute": "guest-exec",
    "arguments": {"path": sys.argv[1], "arg": sys.argv[2:], "capture-output": True}}))' "${@:2}")
  pid=$(agent "$vm" "$req" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])') || return 125
  for ((i = 0; i < 1200; i++)); do
    st=$(agent "$vm" "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":$pid}}") || return 125
    [ "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("exited", False))' "$st")" = True ] && break
    sleep 0.1
  done
  python3 -c '
import base64, json, sys
r = json.loads(sys.argv[1])
if not r.get("exited"):
    sys.stderr.write("still running after 2 minutes\n")
    sys.exit(125)
sys.stdout.write(base64.b64decode(r.get("out-data", "")).decode(errors="replace"))
sys.stderr.write(base64.b64decode(r.get("err-data", "")).decode(errors="replace"))
sys.exit(r["exitcode"] if "exitcode" in r else 128 + r.get("signal", 0))' "$st"
}
# guest_disk VM SERIAL: the guest's whole-disk device (vda, sdb, ...) with that <serial>, or nothing.
# Guest device names do not follow libvirt's targets: match by serial (docs/guest-agent.md, 3a).
guest_disk() {
  local vm=$1 want=$2 d s
  for d in $(agent "$vm" '{"execute":"guest-get-disks"}' | python3 -c '
import json, re, sys
for d in json.load(sys.stdin):
    n = d.get("name", "").removeprefix("/dev/")
    if not d.get("partition") and re.fullmatch(r"(vd|sd)[a-z]{1,3}", n):
        print(n)'); do
    case $d in
      vd*) s=$(guest_exec "$vm" cat "/sys/block/$d/serial" 2>/dev/null || true) ;;
      *) s=$(guest_exec "$vm" dd "if=/sys/block/$d/device/vpd_pg80" bs=1 skip=4 2>/dev/null | tr -d '\000 ' || true) ;;
    esac
    if [ "$s" = "$want" ]; then echo "$d"; return 0; fi
  done
  return 0
}
# guest_fs VM MOUNTPOINT: "TYPE TOTAL-BYTES NAME" of the filesystem mounted there, or nothing
guest_fs() {
  agent "$1" '{"execute":"guest-get-fsinfo"}' | python3 -c '
import json, sys
for f in json.load(sys.stdin):
    if f.get("mountpoint") == sys.argv[1]:
        print(f.get("type"), f.get("total-bytes"), f.get("name"))' "$2"
}

# ---------------------------------------------------------------------------------------------
# --remove
# ---------------------------------------------------------------------------------------------
if $REMOVE; then
  for vm in "${VMS[@]}"; do
    exists_vm "$vm" || continue
    case $(vm_state "$vm") in "shut off") ;; *) V destroy "$vm" >/dev/null ;; esac
    V undefine "$vm" >/dev/null
    log "removed VM $vm"
  done
  if exists_pool; then
    dir=$(pool_path)
    if [ -d "$dir" ]; then
      pool_active || V pool-start "$POOL" >/dev/null 2>&1 || true
      if pool_active; then
        V pool-refresh "$POOL" >/dev/null
        for spec in "${VOLUMES[@]}"; do
          vol=${spec%%:*}
          if exists_vol "$vol"; then V vol-delete --pool "$POOL" "$vol" >/dev/null; log "deleted volume $vol"; fi
        done
      fi
    fi
    if pool_active; then V pool-destroy "$POOL" >/dev/null; fi
    # removes the (now empty) directory; anything else that was put there is left alone
    if [ -d "$dir" ] && ! V pool-delete "$POOL" >/dev/null 2>&1; then
      log "left $dir in place: it holds files that are not demo volumes"
    fi
    V pool-undefine "$POOL" >/dev/null
    log "removed pool $POOL ($dir)"
  fi
  rm -f "$FORMAT_PENDING"
  rm -rf "$CONSOLE_DIR"
  log "demo environment removed (the cached guest image stays in data/guest-image)"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# Pool
# ---------------------------------------------------------------------------------------------
if ! exists_pool; then
  mkdir -p "$POOL_DIR"
  V pool-define-as "$POOL" dir --target "$POOL_DIR" >/dev/null
  V pool-autostart "$POOL" >/dev/null
  log "defined pool $POOL at $POOL_DIR"
else
  dir=$(pool_path)
  if [ "$dir" != "$POOL_DIR" ]; then
    log "note: pool $POOL already exists at $dir (another checkout?); using it."
    log "      To have it here instead: scripts/demo-env.sh --remove && scripts/demo-env.sh"
  fi
  # an active pool whose directory was deleted cannot be refreshed: deactivate it (deletes nothing)
  if pool_active && [ ! -d "$dir" ]; then V pool-destroy "$POOL" >/dev/null; fi
fi
if ! pool_active; then
  V pool-build "$POOL" >/dev/null   # mkdir when the directory is missing; harmless otherwise
  V pool-start "$POOL" >/dev/null
  log "started pool $POOL"
fi
V pool-refresh "$POOL" >/dev/null   # notice volumes changed behind libvirt's back (e.g. resized)

# ---------------------------------------------------------------------------------------------
# Volumes (created only when absent; an existing one is never touched)
# ---------------------------------------------------------------------------------------------
IFS=: read -r f_vm f_vol f_serial f_mkfs <<<"$FORMAT"
for spec in "${VOLUMES[@]}"; do
  IFS=: read -r vol fmt cap alloc <<<"$spec"
  exists_vol "$vol" && continue
  V vol-create-as "$POOL" "$vol" "${cap}M" --allocation "${alloc}M" --format "$fmt" >/dev/null
  # the fresh volume of the disk to format gets its filesystem below; an existing one never does
  if [ "$vol" = "$f_vol" ]; then mkdir -p "$DATA"; echo "$vol" >"$FORMAT_PENDING"; fi
  if [ "$alloc" = "$cap" ]; then
    # libvirt allocates a raw file in a dir pool when allocation == capacity; make sure of it
    # (vol-create-as --prealloc-metadata is for qcow2 only)
    if [ "$(vol_bytes "$vol" Allocation)" -lt "$(vol_bytes "$vol" Capacity)" ]; then
      fallocate -l "$((cap * MiB))" "$(V vol-path --pool "$POOL" "$vol")"
      V pool-refresh "$POOL" >/dev/null
    fi
    [ "$(vol_bytes "$vol" Allocation)" -ge "$(vol_bytes "$vol" Capacity)" ] \
      || die "$vol: allocation $(vol_bytes "$vol" Allocation) < capacity $(vol_bytes "$vol" Capacity)"
  fi
  log "created volume $vol ($fmt, $cap MiB, $([ "$alloc" = "$cap" ] && echo preallocated || echo sparse))"
done

# ---------------------------------------------------------------------------------------------
# The guest image (cached: nothing to do when it is up to date, a few seconds to build)
# ---------------------------------------------------------------------------------------------
bash "$ROOT/scripts/build-guest-image.sh" "$GUEST_IMAGE" 2>&1 | sed "s/^/[$NAME] /" \
  || die "building the guest image failed: scripts/build-guest-image.sh $GUEST_IMAGE"

# ---------------------------------------------------------------------------------------------
# VMs (defined only when absent; an existing definition is never changed)
# ---------------------------------------------------------------------------------------------
domain_xml() {
  local vm=$1 spec d_vm target bus vol serial opt fmt path args=()
  for spec in "${DISKS[@]}"; do
    IFS=: read -r d_vm target bus vol serial opt <<<"$spec"
    [ "$d_vm" = "$vm" ] || continue
    fmt=raw; [[ $vol == *.qcow2 ]] && fmt=qcow2
    path=$(V vol-path --pool "$POOL" "$vol")
    [[ $path != *,* ]] || die "the path of $vol has a comma, which scripts/guest-domain.xml.sh cannot take: $path"
    args+=(--disk "$path,$fmt,$target,$bus,$serial${opt:+,$opt}")
  done
  bash "$ROOT/scripts/guest-domain.xml.sh" --name "$vm" \
    --kernel "$GUEST_IMAGE/vmlinuz" --initrd "$GUEST_IMAGE/initrd.img" --memory-mib 128 \
    --console-log "$CONSOLE_DIR/$vm.log" --cmdline-extra "vdresize.automount=$AUTOMOUNT" \
    --description "vdresize demo VM (scripts/demo-env.sh): a tiny Linux with qemu-guest-agent; its disks are there to be resized" \
    "${args[@]}"
}

mkdir -p "$CONSOLE_DIR"
OLD_STYLE=()
for vm in "${VMS[@]}"; do
  if ! exists_vm "$vm"; then
    xml=$(mktemp /tmp/vdresize-demo.XXXXXX.xml)
    domain_xml "$vm" >"$xml" || { rm -f "$xml"; die "cannot write the domain XML of $vm"; }
    V define "$xml" >/dev/null || { rm -f "$xml"; die "virsh define $vm failed"; }
    rm -f "$xml"
    log "defined VM $vm (Linux guest with qemu-guest-agent)"
  elif ! is_guest_vm "$vm"; then
    OLD_STYLE+=("$vm")
  fi
  state=$(vm_state "$vm")
  case $state in
    running) ;;
    paused) V resume "$vm" >/dev/null; log "resumed VM $vm (was paused)" ;;
    "shut off"|crashed) V start "$vm" >/dev/null; log "started VM $vm" ;;
    *) log "note: VM $vm is '$state'; left as it is" ;;
  esac
done
if [ ${#OLD_STYLE[@]} -gt 0 ]; then
  log "note: ${OLD_STYLE[*]}: defined by an older demo-env.sh (no OS, SeaBIOS only): left unchanged."
  log "      Resizes work, but no guest agent answers: no guest sees the new size or grows a filesystem."
  log "      For the Linux guests (this deletes the demo disks): scripts/demo-env.sh --remove && scripts/demo-env.sh"
fi

# ---------------------------------------------------------------------------------------------
# A filesystem on the fresh qcow2 disk (only ever on a volume created by this script, and only when
# the guest finds nothing on it: never overwrite data)
# ---------------------------------------------------------------------------------------------
if [ -f "$FORMAT_PENDING" ] && ! exists_vol "$f_vol"; then rm -f "$FORMAT_PENDING"; fi
if [ -f "$FORMAT_PENDING" ]; then
  if ! is_guest_vm "$f_vm"; then
    log "note: $f_vol has no filesystem yet, and $f_vm has no guest agent to make one (old-style VM, see above)"
  elif [ "$(vm_state "$f_vm")" != running ]; then
    log "note: $f_vol has no filesystem yet: $f_vm is not running; run scripts/demo-env.sh again once it is"
  else
    log "waiting for the guest agent of $f_vm, to put a filesystem on $f_vol (up to $AGENT_TIMEOUT s; boot takes 4-25 s)"
    start=$SECONDS
    wait_agent "$f_vm" "$AGENT_TIMEOUT" \
      || die "no guest agent in $f_vm after $((SECONDS - start)) s (console: $CONSOLE_DIR/$f_vm.log); run scripts/demo-env.sh again to retry"
    log "the guest agent of $f_vm answers after $((SECONDS - start)) s"
    dev=$(guest_disk "$f_vm" "$f_serial")
    [ -n "$dev" ] || die "$f_vm shows no disk with serial $f_serial"
    rc=0; guest_exec "$f_vm" blkid -p "/dev/$dev" >/dev/null 2>&1 || rc=$?
    case $rc in
      2) # blkid -p found no filesystem and no partition table: the new, empty disk
        guest_exec "$f_vm" "$f_mkfs" -q -E nodiscard -L demo "/dev/$dev" >/dev/null \
          || die "$f_mkfs /dev/$dev in $f_vm failed"
        log "made an ${f_mkfs#mkfs.} filesystem on $f_vol (/dev/$dev in $f_vm)" ;;
      0) log "note: $f_vol (/dev/$dev in $f_vm) already holds a filesystem or a partition table: not touched" ;;
      *) die "blkid -p /dev/$dev in $f_vm failed (exit $rc)" ;;
    esac
    guest_exec "$f_vm" /sbin/vdr-automount >/dev/null || die "/sbin/vdr-automount in $f_vm failed"
    [ -n "$(guest_fs "$f_vm" "/mnt/$f_serial")" ] \
      || die "the filesystem on /dev/$dev is not mounted at /mnt/$f_serial in $f_vm"
    rm -f "$FORMAT_PENDING"
  fi
fi

# ---------------------------------------------------------------------------------------------
# Summary: one line per disk, as libvirt sees it, then what the guests say
# ---------------------------------------------------------------------------------------------
iec() { numfmt --to=iec-i --suffix=B --round=nearest "$1"; }
for spec in "${DISKS[@]}"; do
  IFS=: read -r vm target bus vol serial opt <<<"$spec"
  info=$(V domblkinfo "$vm" "$target" 2>/dev/null) || { log "$vm $target: not found in the VM (its definition differs)"; continue; }
  cap=$(awk '/^Capacity:/{print $2}' <<<"$info")
  alloc=$(awk '/^Allocation:/{print $2}' <<<"$info")
  phys=$(awk '/^Physical:/{print $2}' <<<"$info")
  printf '[%s] %-15s %-3s %-6s %-21s capacity %-8s allocation %-8s physical %-8s %s\n' "$NAME" \
    "$vm" "$target" "$bus" "$vol" "$(iec "$cap")" "$(iec "$alloc")" "$(iec "$phys")" "$(vm_state "$vm")${opt:+, $opt}"
done
for vm in "${VMS[@]}"; do
  if ! is_guest_vm "$vm"; then
    log "$vm: no OS (old-style demo VM, see above)"
  elif [ "$(vm_state "$vm")" != running ]; then
    log "$vm: $(vm_state "$vm")"
  elif ! agent_up "$vm"; then
    log "$vm: Linux guest booting, its agent answers 4-25 s after the start (console: data/demo-console/$vm.log)"
  else
    line="$vm: Linux guest, the guest agent answers"
    if [ "$vm" = "$f_vm" ] && fs=$(guest_fs "$vm" "/mnt/$f_serial" 2>/dev/null) && [ -n "$fs" ]; then
      read -r type bytes dev <<<"$fs"
      line+="; $type on /dev/$dev ($f_vol) at /mnt/$f_serial: $(iec "$bytes")"
    fi
    log "$line"
  fi
done
