#!/usr/bin/env bash
# Builds the SWIOTLB test guest's initramfs (gzip'd newc cpio) from what prepare.sh unpacked and this folder's
# `init`: busybox, the virtio modules in load order, and /init.
#   build-initramfs.sh OUTPUT.gz     (VAW_GUEST_CACHE as for prepare.sh)
set -euo pipefail
out="$1"
here="$(cd "$(dirname "$0")" && pwd)"
guest="${VAW_GUEST_CACHE:-/var/cache/vaw-guest}/guest"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/lib/modules"
cp "$guest/busybox" "$root/bin/busybox"
cp "$guest"/modules/* "$root/lib/modules/"
install -m 0755 "$here/init" "$root/init"
(cd "$root" && find . | "$guest/busybox" cpio -o -H newc 2>/dev/null) | gzip -1 >"$out"
