#!/usr/bin/env bash
# Builds a tiny Linux guest for integration tests: <out-dir>/vmlinuz and <out-dir>/initrd.img.
#
#   scripts/build-guest-image.sh [out-dir]        (default: <repo>/data/guest-image)
#
# Everything comes from Debian 12 packages, fetched with `apt-get download` and unpacked with
# `dpkg-deb -x` into a cache under the out dir; nothing is installed into /. The initramfs holds
#   - busybox-static (init, sh, mount, modprobe, cat, ...),
#   - qemu-guest-agent, respawned by init on /dev/virtio-ports/org.qemu.guest_agent.0,
#   - e2fsprogs (mkfs.ext4, resize2fs, e2fsck), xfsprogs (mkfs.xfs, xfs_growfs),
#   - sfdisk (fdisk), partx, resizepart, flock (util-linux) and growpart (cloud-guest-utils)
#     to grow the last partition of a disk online, blkid (util-linux) to tell filesystems apart,
#   - the modules virtio_pci, virtio_rng, virtio_blk, virtio_scsi, sd_mod, virtio_console and xfs with their
#     dependencies (ext4 is built into the cloud kernel),
# with exactly the shared libraries those binaries need (asked from the staged ld.so).
# There is no udev: /etc/init.d/rcS makes the /dev/virtio-ports/<name> links itself.
# Opt-in only: with "vdresize.automount=1" (or "=SERIAL[,SERIAL...]") on the kernel command line,
# rcS mounts the ext2/3/4 and xfs filesystems it finds on whole disks at /mnt/<serial> (the demo VMs
# of scripts/demo-env.sh use it, as the guest has no persistent root); without it nothing is mounted.
#
# Boot it with direct kernel boot under TCG (type='qemu'), 128 MiB RAM, the kernel command line
# "console=ttyS0 panic=-1" and a virtio-serial channel named org.qemu.guest_agent.0:
# scripts/guest-domain.xml.sh prints such a domain. See docs/guest-agent.md.
#
# Idempotent and cached: when both outputs exist and were built by this very script (its
# sha256 is recorded in <out-dir>/.build-stamp) nothing is done. Downloaded .debs and their
# unpacked trees stay in <out-dir>/cache, so a rebuild after an edit of this script takes a few
# seconds. Concurrent runs on the same out dir are serialised with flock.
set -euo pipefail

log() { echo "[build-guest-image] $*" >&2; }
die() { echo "[build-guest-image] ERROR: $*" >&2; exit 1; }
trap 'die "failed at line $LINENO: $BASH_COMMAND"' ERR

SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SCRIPT")/.." && pwd)
OUT=${1:-$REPO/data/guest-image}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
HASH=$(sha256sum "$SCRIPT" | cut -d' ' -f1)
STAMP=$OUT/.build-stamp

up_to_date() {
  [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initrd.img" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$HASH" ]
}
if up_to_date; then
  log "up to date: $OUT/vmlinuz $OUT/initrd.img"
  exit 0
fi

# one build at a time per out dir; whoever waited finds the finished build
exec 8>"$OUT/.lock"
flock 8
if up_to_date; then
  log "up to date (built concurrently): $OUT/vmlinuz $OUT/initrd.img"
  exit 0
fi

START=$(date +%s.%N)
[ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ] || die "needs a Debian amd64 host (dpkg --print-architecture)"

# ---- host tools (installed only when missing) -------------------------------------------------
need_tools=()
for t in apt-get:apt apt-cache:apt dpkg-deb:dpkg cpio:cpio gzip:gzip flock:util-linux sha256sum:coreutils; do
  command -v "${t%%:*}" >/dev/null 2>&1 || need_tools+=("${t#*:}")
done
APT_UPDATED=0
apt_update_once() {
  [ "$APT_UPDATED" = 1 ] && return 0
  [ "$(id -u)" = 0 ] || die "apt package lists are missing or stale and this is not root: run 'apt-get update' as root"
  log "apt-get update"
  apt-get update -qq >/dev/null || die "apt-get update failed"
  APT_UPDATED=1
}
if [ ${#need_tools[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing host tools (${need_tools[*]}); install them or run as root"
  apt_update_once
  log "installing host tools: ${need_tools[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_tools[@]}" >/dev/null
fi

# ---- packages --------------------------------------------------------------------------------
resolve_kernel() {
  apt-cache depends linux-image-cloud-amd64 2>/dev/null \
    | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}
CACHE=$OUT/cache
DEBS=$CACHE/debs
mkdir -p "$DEBS" "$CACHE/x"
# the kernel package once resolved is kept (with its .deb) so that builds stay reproducible and
# skip apt-cache's 2 s; delete <out-dir>/cache to pick up a newer kernel
KPKG=$(cat "$CACHE/kernel-package" 2>/dev/null || true)
if [ -z "$KPKG" ]; then
  KPKG=$(resolve_kernel || true)
  if [ -z "$KPKG" ]; then
    apt_update_once
    KPKG=$(resolve_kernel || true)
  fi
  [ -n "$KPKG" ] || die "cannot resolve the kernel behind linux-image-cloud-amd64 (apt-cache depends)"
  echo "$KPKG" > "$CACHE/kernel-package"
fi

PKGS=(
  "$KPKG" busybox-static
  qemu-guest-agent libc6 libglib2.0-0 libpcre2-8-0 libnuma1 libudev1 liburing2
  e2fsprogs libext2fs2 libcom-err2 libblkid1 libuuid1
  xfsprogs libinih1 liburcu8
  fdisk libfdisk1 libsmartcols1 libtinfo6 libreadline8
  util-linux cloud-guest-utils
)
# binaries taken from the staged packages: name -> its path in the staging tree is looked up
BINARIES=(qemu-ga mke2fs resize2fs e2fsck mkfs.xfs xfs_growfs sfdisk partx resizepart flock growpart blkid)
# extra names for the same binaries: link -> target
declare -A LINKS=([sbin/mkfs.ext4]=mke2fs [sbin/mkfs.ext3]=mke2fs [sbin/fsck.ext4]=e2fsck)
# loaded at boot, before the agent starts (those built into the kernel are skipped)
# virtio_rng: without it the CRNG of a TCG guest (no RDRAND) is not ready for half a minute and
# every mkfs blocks 2-5 s in getrandom() for its UUID
MODULES=(virtio_pci virtio_rng virtio_blk virtio_scsi sd_mod virtio_console ext4)
# loaded in the background after that: xfs.ko takes a second to load under TCG
LATE_MODULES=(xfs)

cached_deb() { # pkg -> path of a cached .deb of it, or nothing
  local f
  for f in "$DEBS/$1"_*_amd64.deb "$DEBS/$1"_*_all.deb; do
    [ -s "$f" ] && { echo "$f"; return 0; }
  done
  return 0
}
missing=()
for p in "${PKGS[@]}"; do
  [ -n "$(cached_deb "$p")" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "downloading ${#missing[@]} packages: ${missing[*]}"
  dl() { (cd "$DEBS" && apt-get -q=2 -o APT::Sandbox::User=root download "${missing[@]}") ; }
  if ! dl >"$CACHE/download.log" 2>&1; then
    apt_update_once
    dl >"$CACHE/download.log" 2>&1 || die "apt-get download failed: $(tail -3 "$CACHE/download.log")"
  fi
fi

STAGE_DIRS=()
for p in "${PKGS[@]}"; do
  deb=$(cached_deb "$p")
  [ -n "$deb" ] || die "package $p was not downloaded (see $CACHE/download.log)"
  x=$CACHE/x/$(basename "$deb" .deb)
  if [ ! -e "$x/.ok" ]; then
    rm -rf "$x"; mkdir -p "$x"
    dpkg-deb -x "$deb" "$x" || die "cannot unpack $deb"
    touch "$x/.ok"
  fi
  STAGE_DIRS+=("$x")
done
KX=${STAGE_DIRS[0]}
BBX=${STAGE_DIRS[1]}

# ---- assemble the root -----------------------------------------------------------------------
WORK=$OUT/.work
rm -rf "$WORK"
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,lib/x86_64-linux-gnu,lib64,etc/init.d,proc,sys,dev,run,tmp,mnt,root,var}
ln -s ../run "$ROOT/var/run"
ln -s ../tmp "$ROOT/var/tmp"
chmod 1777 "$ROOT/tmp"

# busybox; rcS makes its applet links at boot ("busybox --install -s", which never replaces the
# real binaries below): 300 symlinks cost a second here and nothing in the guest
BB=$BBX/bin/busybox
[ -x "$BB" ] || die "busybox-static has no bin/busybox"
cp "$BB" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
ln -s bin/busybox "$ROOT/init"

# the real binaries (they replace busybox applets of the same name, e.g. mke2fs)
find_staged() { # name -> path of the file in one of the staging trees
  local d s
  for d in "${STAGE_DIRS[@]}"; do
    for s in usr/sbin sbin usr/bin bin; do
      [ -f "$d/$s/$1" ] && { echo "$d/$s/$1"; return 0; }
    done
  done
  return 1
}
ELF_BINS=()
for b in "${BINARIES[@]}"; do
  src=$(find_staged "$b") || die "binary $b not found in the staged packages"
  rel=${src#"$CACHE"/x/*/}
  mkdir -p "$ROOT/$(dirname "$rel")"
  cp -L "$src" "$ROOT/$rel"
  [ "$(head -c4 "$src" | od -An -c | tr -d ' ')" = "177ELF" ] && ELF_BINS+=("$src")
done
for l in "${!LINKS[@]}"; do
  target=${LINKS[$l]}
  rm -f "$ROOT/$l"
  tpath=
  for d in usr/sbin sbin usr/bin bin; do
    if [ -e "$ROOT/$d/$target" ]; then tpath=$d/$target; break; fi
  done
  [ -n "$tpath" ] || die "link $l: $target is not in the image"
  ln -s "/$tpath" "$ROOT/$l"
done

# shared libraries, as the staged dynamic loader resolves them
LDSO=$(find "${STAGE_DIRS[@]}" -path '*/lib64/ld-linux-x86-64.so.2' -print -quit)
[ -n "$LDSO" ] || die "ld-linux-x86-64.so.2 not found in the staged libc6"
LIBPATH=
for d in "${STAGE_DIRS[@]}"; do LIBPATH+="$d/lib/x86_64-linux-gnu:$d/usr/lib/x86_64-linux-gnu:"; done
cp -L "$LDSO" "$ROOT/lib64/ld-linux-x86-64.so.2"
for b in "${ELF_BINS[@]}"; do
  list=$("$LDSO" --library-path "$LIBPATH" --list "$b" 2>&1) || die "cannot list the libraries of $b: $list"
  if grep -q 'not found' <<<"$list"; then
    die "libraries of $(basename "$b") missing from the package list: $(grep 'not found' <<<"$list" | awk '{print $1}' | tr '\n' ' ')"
  fi
  awk '$2 == "=>" && $3 ~ /^\// && $1 !~ /\// { print $1, $3 }' <<<"$list" | while read -r soname path; do
    [ -e "$ROOT/lib/x86_64-linux-gnu/$soname" ] || cp -L "$path" "$ROOT/lib/x86_64-linux-gnu/$soname"
  done
done

# kernel and modules
VMLINUZ=$(find "$KX/boot" -name 'vmlinuz-*' -print -quit)
[ -n "$VMLINUZ" ] || die "no boot/vmlinuz-* in $KPKG"
KVER=${VMLINUZ##*/vmlinuz-}
MODSRC=$KX/lib/modules/$KVER
MODDST=$ROOT/lib/modules/$KVER
mkdir -p "$MODDST"
declare -A ADDED=()
# module names treat - and _ alike
is_builtin() { local n=${1//-/_}; grep -qE "/${n//_/[-_]}\.ko\$" "$MODSRC/modules.builtin"; }
add_module() {
  local n=${1//-/_} rel dep
  [ -n "${ADDED[$n]:-}" ] && return 0
  ADDED[$n]=1
  is_builtin "$n" && return 0
  rel=$(grep -m1 -E "/${n//_/[-_]}\.ko\$" "$MODSRC/modules.order" || true)
  [ -n "$rel" ] || die "kernel module $n is neither built in nor in modules.order of $KVER"
  mkdir -p "$MODDST/$(dirname "$rel")"
  cp "$MODSRC/$rel" "$MODDST/$rel"
  echo "$rel" >> "$MODDST/modules.order"
  for dep in $(tr '\0' '\n' < "$MODSRC/$rel" | sed -n 's/^depends=//p' | tr ',' ' '); do
    add_module "$dep"
  done
}
for m in "${MODULES[@]}" "${LATE_MODULES[@]}"; do add_module "$m"; done
BOOT_MODS=() BG_MODS=()
for m in "${MODULES[@]}"; do is_builtin "$m" || BOOT_MODS+=("$m"); done
for m in "${LATE_MODULES[@]}"; do is_builtin "$m" || BG_MODS+=("$m"); done
cp "$MODSRC/modules.builtin" "$MODDST/"
"$BB" depmod -b "$ROOT" "$KVER" || die "depmod failed"

# ---- init ------------------------------------------------------------------------------------
cat > "$ROOT/etc/inittab" <<'EOF'
::sysinit:/etc/init.d/rcS
::respawn:/sbin/qemu-ga-run
::askfirst:-/bin/sh
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/sync
::shutdown:/bin/umount -a -r
EOF

cat > "$ROOT/etc/init.d/rcS" <<EOF
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
hostname vdr-guest
for m in ${BOOT_MODS[*]}; do
  modprobe "\$m" || echo "rcS: cannot load \$m"
done
/sbin/virtio-port-links
(for m in ${BG_MODS[*]}; do modprobe "\$m" || echo "rcS: cannot load \$m"; done) &
/sbin/vdr-automount
echo "vdr-guest: rcS done after \$(cut -d' ' -f1 /proc/uptime) s"
EOF

# no udev: link /dev/virtio-ports/<name> to the port's device, as udev's rules would
cat > "$ROOT/sbin/virtio-port-links" <<'EOF'
#!/bin/sh
mkdir -p /dev/virtio-ports
for p in /sys/class/virtio-ports/*; do
  [ -r "$p/name" ] || continue
  n=$(cat "$p/name")
  [ -n "$n" ] && [ -e "/dev/${p##*/}" ] && ln -sfn "../${p##*/}" "/dev/virtio-ports/$n"
done
exit 0
EOF

cat > "$ROOT/sbin/qemu-ga-run" <<'EOF'
#!/bin/sh
# started (and restarted) by init; waits for the agent's port, which appears asynchronously
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
PORT=/dev/virtio-ports/org.qemu.guest_agent.0
[ -e /run/qemu-ga.respawn ] && sleep 1
touch /run/qemu-ga.respawn
i=0
until [ -e "$PORT" ]; do
  /sbin/virtio-port-links
  [ -e "$PORT" ] && break
  i=$((i + 1))
  [ $((i % 50)) = 0 ] && echo "qemu-ga-run: still waiting for $PORT" > /dev/console
  usleep 100000
done
echo "qemu-ga-run: starting qemu-ga at $(cut -d' ' -f1 /proc/uptime) s" > /dev/console
exec qemu-ga -m virtio-serial -p "$PORT"
EOF

# Opt-in automount (the guest's root is the initramfs, so nothing survives a reboot): only when the
# kernel command line has vdresize.automount=1 (every disk with a serial) or
# vdresize.automount=SERIAL[,SERIAL...] (those disks only). Tests never set it: they make and mount
# their filesystems themselves, and a mount at boot could collide with their mkfs.
# Whole disks only (no partitions), ext2/3/4 and xfs only, at /mnt/<serial>; a disk or a mount point
# already mounted is left alone, so running it again (guest-exec /sbin/vdr-automount) is harmless.
cat > "$ROOT/sbin/vdr-automount" <<'EOF'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
want=
for w in $(cat /proc/cmdline); do
  case "$w" in vdresize.automount=*) want=${w#vdresize.automount=} ;; esac
done
case "$want" in ''|0) exit 0 ;; esac
for b in /sys/block/vd* /sys/block/sd*; do
  [ -e "$b" ] || continue
  d=${b##*/}
  case "$d" in
    vd*) serial=$(cat "$b/serial" 2>/dev/null) ;;
    *) serial=$(dd if="$b/device/vpd_pg80" bs=1 skip=4 2>/dev/null | tr -d '\000 ') ;;  # 4 header bytes
  esac
  case "$serial" in ''|.|..|*[!A-Za-z0-9._-]*) continue ;; esac
  if [ "$want" != 1 ]; then
    case ",$want," in *",$serial,"*) ;; *) continue ;; esac
  fi
  grep -q "^/dev/$d " /proc/mounts && continue
  grep -q " /mnt/$serial " /proc/mounts && continue
  type=$(blkid -p -o value -s TYPE "/dev/$d" 2>/dev/null)
  case "$type" in
    ext2|ext3|ext4) ;;
    xfs) modprobe xfs 2>/dev/null ;;
    *) continue ;;
  esac
  mkdir -p "/mnt/$serial"
  if mount -t "$type" "/dev/$d" "/mnt/$serial"; then
    echo "vdr-automount: /dev/$d ($type, serial $serial) on /mnt/$serial"
  else
    echo "vdr-automount: cannot mount /dev/$d ($type, serial $serial) on /mnt/$serial"
  fi
done
exit 0
EOF

# qemu-ga's guest-shutdown runs "/sbin/shutdown -h|-P|-r +0 <message>"; busybox has no shutdown
cat > "$ROOT/sbin/shutdown" <<'EOF'
#!/bin/sh
case "$1" in
  -r) exec reboot ;;
  -H) exec halt ;;
  *) exec poweroff ;;
esac
EOF
chmod 0755 "$ROOT/etc/init.d/rcS" "$ROOT/sbin/virtio-port-links" "$ROOT/sbin/qemu-ga-run" "$ROOT/sbin/shutdown" \
  "$ROOT/sbin/vdr-automount"

printf 'root:x:0:0:root:/root:/bin/sh\n' > "$ROOT/etc/passwd"
printf 'root:x:0:\n' > "$ROOT/etc/group"
: > "$ROOT/etc/fstab"
ln -s /proc/self/mounts "$ROOT/etc/mtab"

# ---- pack ------------------------------------------------------------------------------------
(cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) \
  | gzip -6 -n > "$WORK/initrd.img"
cp "$VMLINUZ" "$WORK/vmlinuz"
mv -f "$WORK/vmlinuz" "$OUT/vmlinuz"
mv -f "$WORK/initrd.img" "$OUT/initrd.img"
echo "$KVER" > "$OUT/kernel-version"
echo "$HASH" > "$STAMP"
rm -rf "$WORK"

END=$(date +%s.%N)
log "built $OUT/vmlinuz ($KVER, $(du -k "$OUT/vmlinuz" | cut -f1) KiB) and $OUT/initrd.img ($(du -k "$OUT/initrd.img" | cut -f1) KiB) in $(awk -v a="$START" -v b="$END" 'BEGIN{printf "%.1f", b-a}') s"
