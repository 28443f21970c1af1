#!/usr/bin/env bash
# Boots the test guest (scripts/build-guest-image.sh) and records, with virsh only, the exact guest
# agent JSON of every step docs/guest-agent.md describes: disk mapping, sizes before and after
# blockresize, SCSI rescan, online growth of ext4 (whole disk, MBR partition, growpart) and of xfs
# (hot-plugged disk, GPT partition), error answers, guest-shutdown; with timings.
#
#   scripts/probe-guest-agent.sh [transcript-file]     (default: ./guest-agent-transcript.md)
#
# Needs libvirtd (qemu:///system), qemu-img and jq. The domain is vdr-probe-<pid>; it and its
# disks are removed on exit, leftovers of killed runs (vdr-probe-*) at start.
set -u
command -v jq >/dev/null || { echo "probe-guest-agent.sh needs jq (apt-get install jq)" >&2; exit 1; }
REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
"$REPO/scripts/build-guest-image.sh" || exit 1
export LIBVIRT_DEFAULT_URI=${LIBVIRT_DEFAULT_URI:-qemu:///system}
for old in $(virsh list --all --name | grep '^vdr-probe-'); do virsh destroy "$old" >/dev/null 2>&1; virsh undefine "$old" >/dev/null 2>&1; done
DOM=vdr-probe-$$
T=$(readlink -f "${1:-guest-agent-transcript.md}")
D=$(mktemp -d /tmp/vdr-probe.XXXXXX)
cleanup() { virsh destroy $DOM >/dev/null 2>&1; virsh undefine $DOM >/dev/null 2>&1; rm -rf "$D"; }
trap cleanup EXIT
: > "$T"
qemu-img create -q -f qcow2 $D/blk.qcow2 128M; qemu-img create -q -f raw $D/scsi.raw 128M
"$REPO/scripts/guest-domain.xml.sh" --name $DOM --console-log $D/console.log --disk $D/blk.qcow2,qcow2,vdb,virtio,vdr-blk --disk $D/scsi.raw,raw,sdb,scsi,vdr-scsi > $D/dom.xml
virsh -q define $D/dom.xml
el() { echo "$EPOCHREALTIME - $1" | bc | awk '{printf "%.3f", $1}'; }
note() { echo "$*" >> $T; }
ga() { # json -> prints response, logs both
  local t=$EPOCHREALTIME r rc
  r=$(virsh qemu-agent-command $DOM "$1" --timeout 60 2>&1); rc=$?
  echo "-> $1" >> $T
  echo "<- $r   [$(el $t) s]" >> $T
  echo "$r"
}
gaq() { virsh qemu-agent-command $DOM "$1" --timeout 60 2>&1; }
jstr() { jq -Rn --arg a "$1" '$a'; }
gx() { # [-i input] prog args
  local input="" ; if [ "$1" = -i ]; then input=$2; shift 2; fi
  local args="" a; for a in "${@:2}"; do args+="$(jstr "$a"),"; done; args="[${args%,}]"
  local req="{\"execute\":\"guest-exec\",\"arguments\":{\"path\":$(jstr "$1"),\"arg\":$args"
  [ -n "$input" ] && req+=",\"input-data\":\"$(printf "$input" | base64 -w0)\""
  req+=",\"capture-output\":true}}"
  local t=$EPOCHREALTIME pid st n=0
  pid=$(ga "$req" | jq .return.pid)
  while :; do st=$(gaq "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":$pid}}"); n=$((n+1)); [ "$(jq .return.exited <<<"$st")" = true ] && break; sleep 0.05; done
  echo "-> {\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":$pid}}   (polled $n times)" >> $T
  echo "<- $st" >> $T
  note "   stdout: $(jq -r '.return["out-data"] // empty' <<<"$st" | base64 -d | tr '\n' '|' | cut -c1-400)"
  note "   stderr: $(jq -r '.return["err-data"] // empty' <<<"$st" | base64 -d | tr '\n' '|' | cut -c1-400)"
  note "   exec round trip (exec + status polls): $(el $t) s"
}
rd() { # path -> content via guest-file
  local h; h=$(ga "{\"execute\":\"guest-file-open\",\"arguments\":{\"path\":\"$1\",\"mode\":\"r\"}}" | jq .return)
  ga "{\"execute\":\"guest-file-read\",\"arguments\":{\"handle\":$h,\"count\":4096}}" >/dev/null
  ga "{\"execute\":\"guest-file-close\",\"arguments\":{\"handle\":$h}}" >/dev/null
}
fsinfo() { ga '{"execute":"guest-get-fsinfo"}' > /dev/null; }
vb() { local t=$EPOCHREALTIME; virsh blockresize $DOM "$@" >/dev/null; note "\$ virsh blockresize $DOM $*   [$(el $t) s]"; }

note "## boot"
t0=$EPOCHREALTIME; virsh -q start $DOM; note "virsh start: $(el $t0) s"
for i in $(seq 1 1200); do gaq '{"execute":"guest-ping"}' >/dev/null 2>&1 && break; sleep 0.1; done
note "guest-ping answered $(el $t0) s after start; load $(cut -d' ' -f1-3 /proc/loadavg)"
ga '{"execute":"guest-ping"}' >/dev/null
ga '{"execute":"guest-info"}' >/dev/null
note "## disks"
ga '{"execute":"guest-get-disks"}' >/dev/null
ga '{"execute":"guest-get-fsinfo"}' >/dev/null
note "### serial via guest-file"
rd /sys/block/vda/serial
rd /sys/block/sda/device/vpd_pg80
note "### serial via guest-exec cat"
gx cat /sys/block/vda/serial
note "## sizes and blockresize"
rd /sys/block/vda/size; rd /sys/block/sda/size
vb vdb 192M; rd /sys/block/vda/size
vb sdb 192M; rd /sys/block/sda/size
note "### scsi rescan through guest-file (mode w), no shell"
h=$(ga '{"execute":"guest-file-open","arguments":{"path":"/sys/class/block/sda/device/rescan","mode":"w"}}' | jq .return)
ga "{\"execute\":\"guest-file-write\",\"arguments\":{\"handle\":$h,\"buf-b64\":\"MQo=\"}}" >/dev/null
ga "{\"execute\":\"guest-file-flush\",\"arguments\":{\"handle\":$h}}" >/dev/null
ga "{\"execute\":\"guest-file-close\",\"arguments\":{\"handle\":$h}}" >/dev/null
note "## ext4 on the whole virtio-blk disk"
gx mkfs.ext4 -q -F -E nodiscard /dev/vda
gx mkdir -p /mnt/vda
gx mount -t ext4 /dev/vda /mnt/vda
fsinfo
vb vdb 320M
gx resize2fs /dev/vda
fsinfo
note "## ext4 on a partition of the scsi disk (MBR)"
gx -i 'label: dos\n,\n' sfdisk -q /dev/sda
gx mkfs.ext4 -q -F -E nodiscard /dev/sda1
gx mkdir -p /mnt/sda1
gx mount -t ext4 /dev/sda1 /mnt/sda1
fsinfo
vb sdb 320M
rd /sys/block/sda/size
rd /sys/block/sda/sda1/size
gx -i ',+\n' sfdisk --no-reread --force -N 1 /dev/sda
gx partx -u -n 1 /dev/sda
rd /sys/block/sda/sda1/size
gx resize2fs /dev/sda1
fsinfo
note "### the same with growpart"
vb sdb 384M
gx growpart /dev/sda 1
gx resize2fs /dev/sda1
fsinfo
note "## xfs on a hot-plugged virtio-blk disk with a GPT partition"
qemu-img create -q -f qcow2 $D/xfs.qcow2 400M
t=$EPOCHREALTIME; virsh attach-disk $DOM $D/xfs.qcow2 vdc --driver qemu --subdriver qcow2 --targetbus virtio --serial vdr-xfs --live >/dev/null; note "\$ virsh attach-disk ... vdc --serial vdr-xfs --live   [$(el $t) s]"
for i in $(seq 100); do [ "$(gaq '{"execute":"guest-get-disks"}' | jq '[.return[].name] | index("/dev/vdb")')" != null ] && break; sleep 0.2; done
note "new disk visible in guest-get-disks after $(el $t) s"
ga '{"execute":"guest-get-disks"}' >/dev/null
gx -i 'label: gpt\n,\n' sfdisk -q /dev/vdb
gx mkfs.xfs -q /dev/vdb1
gx mkdir -p /mnt/xfs
gx mount -t xfs /dev/vdb1 /mnt/xfs
fsinfo
vb vdc 600M
gx -i ',+\n' sfdisk --no-reread --force -N 1 /dev/vdb
gx partx -u -n 1 /dev/vdb
gx xfs_growfs /mnt/xfs
fsinfo
note "## errors"
ga '{"execute":"guest-file-open","arguments":{"path":"/sys/class/block/vda/device/rescan","mode":"w"}}' >/dev/null
ga '{"execute":"guest-file-open","arguments":{"path":"/sys/block/nosuch/size","mode":"r"}}' >/dev/null
ga '{"execute":"guest-exec","arguments":{"path":"/no/such","arg":[],"capture-output":true}}' >/dev/null
gx resize2fs /dev/nosuch
gx sh -c 'kill -9 $$'
ga '{"execute":"no-such-command"}' >/dev/null
note "## shutdown"
t=$EPOCHREALTIME; ga '{"execute":"guest-shutdown"}' >/dev/null
for i in $(seq 100); do [ "$(virsh domstate $DOM)" = "shut off" ] && break; sleep 0.2; done
note "shut off $(el $t) s after guest-shutdown"
echo "transcript: $T"
