#!/usr/bin/env bash
# Prepares this machine for vdresize: installs what is missing (Debian 12), configures QEMU for
# this sandbox, starts virtlogd and libvirtd when they are not running and waits until they answer.
# Idempotent: safe to run any number of times. Needs root.
set -euo pipefail

PKGS=(libvirt0 libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-system
      qemu-system-x86 qemu-utils openjdk-17-jdk-headless maven python3 curl
      busybox-static cpio xz-utils)

log() { echo "[setup-host] $*"; }

[ "$(id -u)" = 0 ] || { echo "setup-host.sh must run as root" >&2; exit 1; }

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --force-confold: libvirt-daemon-system otherwise stops at a conffile prompt for qemu.conf
  apt-get install -y -qq -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
fi
# a previous install interrupted at a conffile prompt leaves dpkg half-configured
dpkg --force-confold --configure -a >/dev/null 2>&1 || true

# No AppArmor/SELinux and no privilege drop are possible in this sandbox.
QCONF=/etc/libvirt/qemu.conf
set_conf() {
  local key=$1 value=$2
  if grep -qE "^\s*$key\s*=" "$QCONF"; then
    grep -qE "^\s*$key\s*=\s*$value\s*$" "$QCONF" || sed -i -E "s|^\s*$key\s*=.*|$key = $value|" "$QCONF"
  else
    echo "$key = $value" >> "$QCONF"
  fi
}
changed_before=$(md5sum "$QCONF" | cut -d' ' -f1)
set_conf user '"root"'
set_conf group '"root"'
set_conf security_driver '"none"'
changed_after=$(md5sum "$QCONF" | cut -d' ' -f1)

mkdir -p /var/log/libvirt /var/run/libvirt /var/lib/libvirt /var/lib/libvirt/images

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

if alive /var/run/libvirtd.pid && [ "$changed_before" != "$changed_after" ]; then
  log "qemu.conf changed: restarting libvirtd"
  kill "$(cat /var/run/libvirtd.pid)"; sleep 1
fi
if ! alive /var/run/virtlogd.pid; then
  log "starting virtlogd"
  virtlogd -d
fi
if ! alive /var/run/libvirtd.pid; then
  log "starting libvirtd"
  libvirtd -d
fi
for _ in $(seq 1 60); do
  if virsh -c qemu:///system version >/dev/null 2>&1; then
    log "libvirtd answers on qemu:///system"
    exit 0
  fi
  sleep 0.5
done
echo "libvirtd did not answer within 30 s" >&2
exit 1
