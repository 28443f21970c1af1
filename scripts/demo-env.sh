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
#   When demo-qcow2.qcow2 is created, it gets an ext4 filesystem, made on this host before any VM
#   uses the volume (mkfs.ext4 into a raw file, copied into the qcow2 with qemu-img convert), so that
#   a resize with "growFilesystem" has something to grow. The guest has no persistent root: its init
#   mounts that filesystem at /mnt/vdr-demo-qcow2 at every boot (kernel command line
#   vdresize.automount=..., which only the demo sets; never the shared disk).
# Idempotent: what exists is never recreated or overwritten (the demo disks may have been resized).
# Demo VMs defined by an older version of this script (no OS, SeaBIOS only) are left as they are:
# run scripts/demo-env.sh --remove first to get the Linux guests.
#
# Usage: scripts/demo-env.sh            create/complete and start, then print the disks
#        scripts/demo-env.sh --remove   destroy and undefine the VMs, delete the volumes and the pool
set -euo pipefail

NAME=demo-env
# shellcheck source=lib.sh
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
# A filesystem on the fresh qcow2 disk, made here before a VM uses it. Only ever on a volume this
# script created and into which nothing was ever written: never overwrite data.
# ---------------------------------------------------------------------------------------------
if [ -f "$FORMAT_PENDING" ] && ! exists_vol "$f_vol"; then rm -f "$FORMAT_PENDING"; fi
if [ -f "$FORMAT_PENDING" ]; then
  f_path=$(V vol-path --pool "$POOL" "$f_vol")
  # a running QEMU holds a write lock on the image: qemu-img refuses to open it, and so do we
  if ! map=$(qemu-img map --output=json -f qcow2 "$f_path" 2>&1); then
    log "note: $f_vol has no filesystem yet, and it cannot be read here (is a VM using it? stop it and run"
    log "      scripts/demo-env.sh again): $map"
  elif grep -Eq '"data": *true' <<<"$map"; then
    log "note: $f_vol already holds data: no filesystem made on it"
    rm -f "$FORMAT_PENDING"
  else
    raw=$(mktemp "$DATA/demo-fs.XXXXXX.img")
    truncate -s "$(vol_bytes "$f_vol" Capacity)" "$raw"
    "$f_mkfs" -q -F -E nodiscard -L demo "$raw" || { rm -f "$raw"; die "$f_mkfs on a copy of $f_vol failed"; }
    # -n: into the volume libvirt made (its file, its ownership); the volume is known to be all zeros
    qemu-img convert -n --target-is-zero -f raw -O qcow2 "$raw" "$f_path" \
      || { rm -f "$raw"; die "qemu-img convert into $f_path failed"; }
    rm -f "$raw"
    V pool-refresh "$POOL" >/dev/null
    log "made an ${f_mkfs#mkfs.} filesystem on $f_vol; $f_vm mounts it at /mnt/$f_serial when it boots"
    rm -f "$FORMAT_PENDING"
  fi
fi

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
# Summary: one line per disk, as libvirt sees it, then what the guests' consoles say
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
  else
    # the console log starts anew at every start of the VM (append='off')
    console=$CONSOLE_DIR/$vm.log
    if grep -aq 'vdr-guest: rcS done' "$console" 2>/dev/null; then
      log "$vm: Linux guest up$(tr -d '\r' <"$console" | sed -n 's/^vdr-automount:/;/p' | tr -d '\n')"
    else
      log "$vm: Linux guest booting; its agent answers 4-25 s after the start (console: ${console#"$ROOT"/})"
    fi
  fi
done
