#!/usr/bin/env bash
# Starts a real libvirtd (QEMU driver) and virtlogd where systemd does not run them (CI, containers,
# developer sandboxes). Idempotent: returns at once when qemu:///system already answers. Needs root and
# the Debian packages libvirt-daemon, libvirt-daemon-driver-qemu and qemu-system-*.
# QEMU guests run as the libvirt-qemu user, which the packages create only when their postinst runs
# under a normal system; create it (and the directories libvirtd expects) when missing.
set -euo pipefail
uri=qemu:///system
if virsh -c "$uri" version >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "start-libvirtd.sh: needs root to start the system libvirtd" >&2
  exit 1
fi
getent group kvm >/dev/null || groupadd -r kvm
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
  useradd -r -g libvirt-qemu -G kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
# Where udev does not run, nothing gives /dev/kvm the group Debian's udev rule gives it (root:kvm 0660). Left root-only,
# libvirt's capability cache never settles: its probe QEMU gets KVM, its access check as libvirt-qemu does not
# (qemu_capabilities.c virQEMUCapsIsValid, "KVM was enabled when probing"), so every define re-probes QEMU.
if [ -c /dev/kvm ] && [ "$(stat -c %G /dev/kvm)" = root ]; then
  chgrp kvm /dev/kvm
  chmod 0660 /dev/kvm
fi
mkdir -p /var/log/libvirt/qemu /var/run/libvirt /var/lib/libvirt/qemu /var/cache/libvirt
# Whether the system's own daemon runs: the version lab's daemons (scripts/lab.sh) have the same names but
# run in chroots, so only a process whose root is / counts.
running_here() {
  local pid
  for pid in $(pgrep -x "$1"); do
    [ "$(readlink "/proc/$pid/root")" = / ] && return 0
  done
  return 1
}
# virtlogd collects QEMU's output; `virsh start` fails without it.
running_here virtlogd || virtlogd -d
running_here libvirtd || libvirtd -d
for _ in $(seq 1 30); do
  if virsh -c "$uri" version >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "start-libvirtd.sh: libvirtd did not answer on $uri within 30 s; see /var/log/libvirt/libvirtd.log" >&2
exit 1
