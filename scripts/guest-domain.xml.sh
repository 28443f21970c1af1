#!/usr/bin/env bash
# Prints the libvirt domain XML that boots the test guest of scripts/build-guest-image.sh.
#
#   scripts/guest-domain.xml.sh --name NAME [--kernel FILE] [--initrd FILE] [--memory-mib N]
#                               [--console-log FILE] [--cmdline-extra 'ARGS'] [--description TEXT]
#                               [--disk PATH,FORMAT,TARGET,BUS[,SERIAL[,shareable]]]...
#
#   --disk  /tmp/a.qcow2,qcow2,vdb,virtio,vdr-blk   (BUS: virtio | scsi | sata)
#   --disk  /tmp/s.img,raw,vdd,virtio,vdr-shared,shareable   (<shareable/> and cache='none': a disk
#           that several VMs use at once wants no host page cache)
#   --cmdline-extra 'vdresize.automount=1'   appended to the kernel command line (the demo's opt-in
#           automount, see build-guest-image.sh)
#
# Defaults: kernel and initrd from <repo>/data/guest-image, 128 MiB (96 MiB is the least that
# boots, 64 MiB reboot-loops). The choices and why:
#   type='qemu'            TCG: /dev/kvm here is kvm_pvm, and a kernel under type='kvm' dies with
#                          "KVM internal error ... emulation failure"
#   direct kernel boot     no bootloader, no root disk: the whole system is the initramfs
#   console=ttyS0 panic=-1 kernel messages on the serial console; reboot at once on a panic, and
#   <on_reboot>destroy     ... so a crashed guest shows up as shut off, not as a reboot loop
#   channel org.qemu.guest_agent.0   the port qemu-ga listens on (virsh qemu-agent-command)
#   <acpi/>                ACPI PCI hotplug: tests can attach disks to a running guest and
#                          reuse one boot (the pc machine has no hotplug without it)
#   virtio-rng             seeds the guest's CRNG at once; without it (TCG has no RDRAND) every
#                          mkfs waits seconds in getrandom() for a UUID
#   no network, no USB, no balloon, no graphics: fewer devices, faster boot under TCG
# The test helper src/test/java/org/vdresize/testsupport/GuestImage.java writes the same XML.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
NAME='' KERNEL=$REPO/data/guest-image/vmlinuz INITRD=$REPO/data/guest-image/initrd.img MEM=128 LOG=''
CMDLINE_EXTRA='' DESCRIPTION=''
DISKS=()
die() { echo "guest-domain.xml.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --name) NAME=${2:?}; shift 2 ;;
    --kernel) KERNEL=${2:?}; shift 2 ;;
    --initrd) INITRD=${2:?}; shift 2 ;;
    --memory-mib) MEM=${2:?}; shift 2 ;;
    --console-log) LOG=${2:?}; shift 2 ;;
    --cmdline-extra) CMDLINE_EXTRA=${2:?}; shift 2 ;;
    --description) DESCRIPTION=${2:?}; shift 2 ;;
    --disk) DISKS+=("${2:?}"); shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[ -n "$NAME" ] || die "--name is required"
[[ "$MEM" =~ ^[0-9]+$ ]] || die "--memory-mib must be a number"

# the replacements are quoted: in bash >= 5.2 (patsub_replacement) an unquoted & is the match
esc() { local s=$1; s=${s//&/"&amp;"}; s=${s//</"&lt;"}; s=${s//>/"&gt;"}; s=${s//\'/"&apos;"}; s=${s//\"/"&quot;"}; printf '%s' "$s"; }

disk_xml=
need_scsi=0
for d in "${DISKS[@]}"; do
  IFS=, read -r path format target bus serial opts extra <<<"$d"
  { [ -n "$path" ] && [ -n "$format" ] && [ -n "$target" ] && [ -n "$bus" ] && [ -z "$extra" ]; } \
    || die "--disk needs PATH,FORMAT,TARGET,BUS[,SERIAL[,shareable]] (no commas in PATH): $d"
  case "$bus" in virtio|sata) ;; scsi) need_scsi=1 ;; *) die "unsupported bus $bus (virtio, scsi, sata)" ;; esac
  case "$opts" in ''|shareable) ;; *) die "unknown disk option '$opts' (shareable): $d" ;; esac
  cache=; [ "$opts" = shareable ] && cache=" cache='none'"
  disk_xml+="    <disk type='file' device='disk'>
      <driver name='qemu' type='$(esc "$format")'$cache/>
      <source file='$(esc "$path")'/>
      <target dev='$(esc "$target")' bus='$bus'/>
"
  [ -n "$serial" ] && disk_xml+="      <serial>$(esc "$serial")</serial>
"
  [ "$opts" = shareable ] && disk_xml+="      <shareable/>
"
  disk_xml+="    </disk>
"
done
scsi_xml=
[ "$need_scsi" = 1 ] && scsi_xml="    <controller type='scsi' index='0' model='virtio-scsi'/>
"
if [ -n "$LOG" ]; then
  serial_xml="    <serial type='pty'><log file='$(esc "$LOG")' append='off'/><target port='0'/></serial>"
else
  serial_xml="    <serial type='pty'><target port='0'/></serial>"
fi

description_xml=
[ -n "$DESCRIPTION" ] && description_xml="  <description>$(esc "$DESCRIPTION")</description>
"

cat <<EOF
<domain type='qemu'>
  <name>$(esc "$NAME")</name>
${description_xml}  <memory unit='MiB'>$MEM</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$(esc "$KERNEL")</kernel>
    <initrd>$(esc "$INITRD")</initrd>
    <cmdline>console=ttyS0 panic=-1${CMDLINE_EXTRA:+ $(esc "$CMDLINE_EXTRA")}</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
${disk_xml}${scsi_xml}    <controller type='usb' model='none'/>
    <controller type='virtio-serial' index='0'/>
    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
${serial_xml}
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='none'/>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices>
</domain>
EOF
