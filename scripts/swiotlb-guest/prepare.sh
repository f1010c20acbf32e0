#!/usr/bin/env bash
# Fetches what the SWIOTLB real-guest test (real-guest.test.ts) boots: Debian's kernel (the package that
# linux-image-amd64 depends on) and busybox-static, as .deb files with `apt-get download`, and unpacks from them
# only the kernel image, the virtio modules the guest needs and the busybox binary. Nothing is installed on this
# machine. Idempotent: does nothing when the unpacked files are there.
#   VAW_GUEST_CACHE  where to keep them (default /var/cache/vaw-guest, outside the repository)
set -euo pipefail
cache="${VAW_GUEST_CACHE:-/var/cache/vaw-guest}"
guest="$cache/guest"
# In load order (modules.dep of bookworm's 6.1): virtio_pci needs the other four, virtio_blk needs virtio_ring.
modules=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk)

if [ -s "$guest/vmlinuz" ] && [ -x "$guest/busybox" ] && [ -s "$guest/modules/order" ]; then exit 0; fi
mkdir -p "$cache"
cd "$cache"

candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }'; }
if [ -z "$(candidate linux-image-amd64)" ] || [ "$(candidate linux-image-amd64)" = "(none)" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "prepare.sh: apt knows no linux-image-amd64; run apt-get update (as root) first" >&2
    exit 1
  fi
  apt-get update -qq
fi
kernel_pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$kernel_pkg" ]; then
  echo "prepare.sh: cannot tell which kernel package linux-image-amd64 depends on" >&2
  exit 1
fi
# apt-get download warns when the _apt user cannot write here; the download itself works.
ls "${kernel_pkg}"_*.deb >/dev/null 2>&1 || apt-get download -q "$kernel_pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true
ls busybox-static_*.deb >/dev/null 2>&1 || apt-get download -q busybox-static 2>&1 | grep -v '^W: Download is performed unsandboxed' || true
kernel_deb=$(ls "${kernel_pkg}"_*.deb | tail -n 1)
busybox_deb=$(ls busybox-static_*.deb | tail -n 1)

work=$(mktemp -d "$cache/unpack.XXXXXX")
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$busybox_deb" "$work/busybox"
dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*' './lib/modules/*/kernel/drivers/virtio/*' \
  './lib/modules/*/kernel/drivers/block/virtio_blk.ko*'

rm -rf "$guest.new"
mkdir -p "$guest.new/modules"
cp "$work"/boot/vmlinuz-* "$guest.new/vmlinuz"
basename "$work"/boot/vmlinuz-* | sed 's/^vmlinuz-//' >"$guest.new/kernel-release"
cp "$work/busybox/bin/busybox" "$guest.new/busybox"
for m in "${modules[@]}"; do
  # A module built into the kernel is not in the package: nothing to load.
  f=$(find "$work/lib/modules" -name "$m.ko" | head -n 1)
  if [ -n "$f" ]; then
    cp "$f" "$guest.new/modules/"
    echo "$m" >>"$guest.new/modules/order"
  fi
done
touch "$guest.new/modules/order"
rm -rf "$guest"
mv "$guest.new" "$guest"
echo "prepare.sh: guest kernel $(cat "$guest/kernel-release") and busybox in $guest"
