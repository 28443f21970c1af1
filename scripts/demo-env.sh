#!/usr/bin/env bash
# Creates vdresize's demo environment on qemu:///system, or completes it when parts are missing:
#   pool   vdresize-demo (dir) at <project>/data/demo-pool
#   volumes demo-qcow2.qcow2 (qcow2, 256 MiB), demo-raw-sparse.img (raw sparse, 256 MiB),
#           demo-raw-prealloc.img (raw fully allocated, 128 MiB), demo-shared.img (raw, 128 MiB, shareable)
#   VMs    vdresize-demo-1: vdb=qcow2, vdc=raw sparse, sda=raw preallocated (virtio-scsi), vdd=shared
#          vdresize-demo-2: vdb=shared
#          type='qemu' (TCG), no OS (SeaBIOS only), 32 MiB, 1 vCPU; both are started.
# Idempotent: what exists is never recreated or overwritten (the demo disks may have been resized).
#
# Usage: scripts/demo-env.sh            create/complete and start, then print the disks
#        scripts/demo-env.sh --remove   destroy and undefine the VMs, delete the volumes and the pool
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
# vm : target : bus : volume : serial : extra disk XML
DISKS=(
  "vdresize-demo-1:vdb:virtio:demo-qcow2.qcow2:vdr-demo-qcow2:"
  "vdresize-demo-1:vdc:virtio:demo-raw-sparse.img:vdr-demo-sparse:"
  "vdresize-demo-1:sda:scsi:demo-raw-prealloc.img:vdr-demo-prealloc:"
  "vdresize-demo-1:vdd:virtio:demo-shared.img:vdr-demo-shared:<shareable/>"
  "vdresize-demo-2:vdb:virtio:demo-shared.img:vdr-demo-shared:<shareable/>"
)

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
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
  log "demo environment removed"
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
for spec in "${VOLUMES[@]}"; do
  IFS=: read -r vol fmt cap alloc <<<"$spec"
  exists_vol "$vol" && continue
  V vol-create-as "$POOL" "$vol" "${cap}M" --allocation "${alloc}M" --format "$fmt" >/dev/null
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
# VMs (defined only when absent; an existing definition is never changed)
# ---------------------------------------------------------------------------------------------
domain_xml() {
  local vm=$1 spec d_vm target bus vol serial extra fmt cache path scsi=""
  for spec in "${DISKS[@]}"; do
    IFS=: read -r d_vm target bus vol serial extra <<<"$spec"
    [ "$d_vm" = "$vm" ] || continue
    [ "$bus" = scsi ] && scsi="    <controller type='scsi' index='0' model='virtio-scsi'/>"
  done
  cat <<XML
<domain type='qemu'>
  <name>$vm</name>
  <description>vdresize demo VM (scripts/demo-env.sh): no OS, SeaBIOS only; its disks are there to be resized</description>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
$scsi
XML
  for spec in "${DISKS[@]}"; do
    IFS=: read -r d_vm target bus vol serial extra <<<"$spec"
    [ "$d_vm" = "$vm" ] || continue
    fmt=raw; [[ $vol == *.qcow2 ]] && fmt=qcow2
    cache=""; [ -n "$extra" ] && cache=" cache='none'"   # a shareable disk wants no host page cache
    path=$(V vol-path --pool "$POOL" "$vol")
    cat <<XML
    <disk type='file' device='disk'>
      <driver name='qemu' type='$fmt'$cache/>
      <source file='$path'/>
      <target dev='$target' bus='$bus'/>
      <serial>$serial</serial>
      $extra
    </disk>
XML
  done
  cat <<XML
    <memballoon model='none'/>
  </devices>
</domain>
XML
}

for vm in "${VMS[@]}"; do
  if ! exists_vm "$vm"; then
    xml=$(mktemp /tmp/vdresize-demo.XXXXXX.xml)
    domain_xml "$vm" >"$xml"
    V define "$xml" >/dev/null || { rm -f "$xml"; die "virsh define $vm failed"; }
    rm -f "$xml"
    log "defined VM $vm"
  fi
  state=$(vm_state "$vm")
  case $state in
    running) ;;
    paused) V resume "$vm" >/dev/null; log "resumed VM $vm (was paused)" ;;
    "shut off"|crashed) V start "$vm" >/dev/null; log "started VM $vm" ;;
    *) log "note: VM $vm is '$state'; left as it is" ;;
  esac
done

# ---------------------------------------------------------------------------------------------
# Summary: one line per disk, as libvirt sees it
# ---------------------------------------------------------------------------------------------
iec() { numfmt --to=iec-i --suffix=B --round=nearest "$1"; }
for spec in "${DISKS[@]}"; do
  IFS=: read -r vm target bus vol serial extra <<<"$spec"
  info=$(V domblkinfo "$vm" "$target" 2>/dev/null) || { log "$vm $target: not found in the VM (its definition differs)"; continue; }
  cap=$(awk '/^Capacity:/{print $2}' <<<"$info")
  alloc=$(awk '/^Allocation:/{print $2}' <<<"$info")
  phys=$(awk '/^Physical:/{print $2}' <<<"$info")
  printf '[%s] %-15s %-3s %-6s %-21s capacity %-8s allocation %-8s physical %-8s %s\n' "$NAME" \
    "$vm" "$target" "$bus" "$vol" "$(iec "$cap")" "$(iec "$alloc")" "$(iec "$phys")" "$(vm_state "$vm")${extra:+, shareable}"
done
