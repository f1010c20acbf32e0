#!/usr/bin/env bash
# The version lab (issue 14): newer libvirt + QEMU generations (Debian trixie and sid) in chroots beside the
# system's own libvirtd (Debian 12: libvirt 9.0 + QEMU 7.2), each with its own libvirtd and virtlogd, reached
# by the system's virsh through qemu+unix:///system?socket=CHROOT/run/libvirt/libvirt-sock.
# Recipe and the reasons for each step: ../shared/docs/design.md "Version lab".
#
#   scripts/lab.sh up      build each chroot when missing or when its package list changed (cached in
#                          $VAW_LAB_DIR, default /var/cache/vaw-lab, outside the repository), start its daemons,
#                          write $VAW_LAB_DIR/lab.json and print one line per generation
#   scripts/lab.sh down    destroy the lab's domains, stop its daemons, unmount; nothing stays mounted
#   scripts/lab.sh status  the lines `up` prints, for the generations that answer; exit 1 when one does not
#
# Needs root (mmdebstrap, chroot, mount). The chroots are kept between runs; only `down` + removing the
# directory throws one away. VAW_LAB_SUITES (default "trixie sid") chooses the generations.
set -euo pipefail

LAB_DIR=${VAW_LAB_DIR:-/var/cache/vaw-lab}
read -r -a SUITES <<<"${VAW_LAB_SUITES:-trixie sid}"
STATE="$LAB_DIR/lab.json"
SYSTEM_URI=qemu:///system
ROOT_DIR=$(cd "$(dirname "$0")/.." && pwd)

# What each chroot holds: libvirt's daemon, QEMU for every architecture the differential suite covers (x86 for
# q35/i440fx, s390x for ccw, ppc64 for pseries, aarch64 for virtio-mmio), firmware, qemu-img, xmllint, and
# virtiofsd. Changing this list (or the options) rebuilds the chroots on the next `up`.
PACKAGES=(libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-driver-storage libxml2-utils ovmf
  qemu-system-arm qemu-system-ppc qemu-system-s390x qemu-system-x86 qemu-utils virtiofsd)
# The registry's sid snapshot is older than its Release file's Valid-Until, hence the apt option.
MMDEBSTRAP_OPTS=(--variant=apt '--aptopt=Acquire::Check-Valid-Until "false"')

say() { printf 'lab: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

recipe() { printf '%s\n' "mmdebstrap ${MMDEBSTRAP_OPTS[*]} --include=$(
  IFS=,
  echo "${PACKAGES[*]}"
) $1"; }

uri_of() { echo "qemu+unix:///system?socket=$LAB_DIR/$1/run/libvirt/libvirt-sock"; }

# Mount points under a directory, deepest first (the order to unmount them in).
mounts_under() {
  local dir
  dir=$(realpath -m "$1")
  awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# Processes whose root directory is the chroot: its daemons and the QEMU processes they started.
pids_in() {
  local dir p
  dir=$(realpath -m "$1")
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$dir" ] && echo "${p#/proc/}"
  done
  return 0
}

# True when the daemon whose pid file is given runs inside this chroot.
daemon_running() {
  local dir=$1 pidfile=$1/run/$2.pid pid
  [ -s "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -d "/proc/$pid" ] && [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$(realpath -m "$dir")" ]
}

ensure_mmdebstrap() {
  command -v mmdebstrap >/dev/null && return 0
  say "installing mmdebstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap
}

build() {
  local suite=$1 dir=$LAB_DIR/$1
  if [ -f "$dir/.vaw-lab-recipe" ] && [ "$(cat "$dir/.vaw-lab-recipe")" = "$(recipe "$suite")" ]; then
    return 0
  fi
  if [ -e "$dir" ]; then
    say "$suite: the package list changed; rebuilding"
    stop "$suite"
    # Never delete through a mount: with /dev bound inside, rm -rf would remove the host's device nodes.
    [ -z "$(mounts_under "$dir")" ] || die "$dir still has mounts; run scripts/lab.sh down first"
    rm -rf --one-file-system "$dir"
  fi
  ensure_mmdebstrap
  local tmp=$dir.building start=$SECONDS
  [ -z "$(mounts_under "$tmp")" ] || die "$tmp has mounts; unmount them first"
  rm -rf --one-file-system "$tmp"
  say "$suite: building the chroot with mmdebstrap (a few minutes; log in $LAB_DIR/$suite.build.log)"
  if ! mmdebstrap "${MMDEBSTRAP_OPTS[@]}" --include="$(
    IFS=,
    echo "${PACKAGES[*]}"
  )" "$suite" "$tmp" >"$LAB_DIR/$suite.build.log" 2>&1; then
    tail -n 20 "$LAB_DIR/$suite.build.log" >&2
    die "$suite: mmdebstrap failed (see $LAB_DIR/$suite.build.log)"
  fi
  recipe "$suite" >"$tmp/.vaw-lab-recipe"
  mv "$tmp" "$dir"
  say "$suite: built in $((SECONDS - start)) s ($(du -sh --one-file-system "$dir" | cut -f1))"
}

configure() {
  local dir=$1
  # QEMU cannot make its private mount namespace inside a chroot ("Failed disable mount propagation out of the
  # root filesystem"); the lab's QEMU runs without one.
  grep -q '^namespaces = \[\]' "$dir/etc/libvirt/qemu.conf" || echo 'namespaces = []' >>"$dir/etc/libvirt/qemu.conf"
  mkdir -p "$dir/run/libvirt" "$dir/var/lib/libvirt/qemu" "$dir/var/cache/libvirt/qemu" "$dir/var/log/libvirt/qemu"
  # The lab shares the host's network namespace: no libvirt network of its own may start there.
  rm -f "$dir"/etc/libvirt/qemu/networks/autostart/*.xml
  kvm_for_qemu_user "$dir"
}

# The chroot sees the host's /dev/kvm, whose group is the host's kvm gid, not the chroot's. Without access for the
# chroot's libvirt-qemu user, libvirt's capability cache never settles (its probe QEMU gets KVM, its access check as
# that user does not: qemu_capabilities.c virQEMUCapsIsValid, "KVM was enabled when probing"), so every define
# re-probes QEMU (a minute each here). Give that user the device's group under whatever name the chroot has for it.
kvm_for_qemu_user() {
  local dir=$1 gid line
  [ -c /dev/kvm ] || return 0
  gid=$(stat -c %g /dev/kvm)
  # Edited in place: not every chroot has groupadd/usermod (sid's lacks passwd).
  line=$(awk -F: -v gid="$gid" '$3 == gid' "$dir/etc/group")
  [ -n "$line" ] || { line="vaw-host-kvm:x:$gid:"; echo "$line" >>"$dir/etc/group"; }
  case ",$(cut -d: -f4 <<<"$line")," in
    *,libvirt-qemu,*) ;;
    ,,) sed -i "s/^\([^:]*:[^:]*:$gid:\)\$/\1libvirt-qemu/" "$dir/etc/group" ;;
    *) sed -i "s/^\([^:]*:[^:]*:$gid:.*\)\$/\1,libvirt-qemu/" "$dir/etc/group" ;;
  esac
}

mount_all() {
  local dir=$1 fs
  for fs in proc sys dev; do
    mountpoint -q "$dir/$fs" && continue
    mount --rbind "/$fs" "$dir/$fs"
    # A slave copy: unmounting it later never propagates back to the host's own /proc, /sys or /dev.
    mount --make-rslave "$dir/$fs"
  done
}

start() {
  local suite=$1 dir=$LAB_DIR/$1 uri
  uri=$(uri_of "$suite")
  configure "$dir"
  mount_all "$dir"
  daemon_running "$dir" virtlogd || chroot "$dir" /usr/sbin/virtlogd -d
  daemon_running "$dir" libvirtd || chroot "$dir" /usr/sbin/libvirtd -d
  # The first start probes every QEMU binary's capabilities, which takes a while on a busy machine.
  local i
  for i in $(seq 1 180); do
    virsh -c "$uri" version >/dev/null 2>&1 && return 0
    sleep 1
  done
  die "$suite: libvirtd did not answer on $uri within 180 s (see $dir/var/log/libvirt/)"
}

stop() {
  local suite=$1 dir=$LAB_DIR/$1 uri name pid
  [ -d "$dir" ] || return 0
  uri=$(uri_of "$suite")
  if [ -S "$dir/run/libvirt/libvirt-sock" ] && virsh -c "$uri" version >/dev/null 2>&1; then
    for name in $(virsh -c "$uri" list --name 2>/dev/null); do virsh -c "$uri" destroy "$name" >/dev/null 2>&1 || true; done
  fi
  local pids
  pids=$(pids_in "$dir")
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null || true
    for _ in $(seq 1 20); do
      pids=$(pids_in "$dir")
      [ -z "$pids" ] && break
      sleep 0.5
    done
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  fi
  local m
  for m in $(mounts_under "$dir"); do umount -l "$m" 2>/dev/null || true; done
  for m in dev sys proc; do
    mountpoint -q "$dir/$m" && umount -R "$dir/$m"
  done
  [ -z "$(mounts_under "$dir")" ] || die "$suite: still mounted: $(mounts_under "$dir" | tr '\n' ' ')"
  rm -f "$dir/run/libvirtd.pid" "$dir/run/virtlogd.pid"
}

# "libvirt QEMU" of a connection, as its daemon reports them.
versions_of() {
  virsh -c "$1" version --daemon 2>/dev/null | awk '
    /^Running against daemon:/ { lv = $4 }
    /^Running hypervisor: QEMU/ { q = $4 }
    END { print lv, q }'
}

json_generation() {
  local name=$1 uri=$2 schemas=$3 root=$4 lv q
  read -r lv q <<<"$(versions_of "$uri")"
  [ -n "$lv" ] && [ -n "$q" ] || die "$name: $uri did not report its libvirt and QEMU versions"
  printf '    {"name": "%s", "libvirt": "%s", "qemu": "%s", "uri": "%s", "schemaDir": "%s", "root": %s}' \
    "$name" "$lv" "$q" "$uri" "$schemas" "$root"
}

write_state() {
  local tmp=$STATE.tmp suite
  {
    echo '{'
    echo '  "generations": ['
    json_generation bookworm "$SYSTEM_URI" /usr/share/libvirt/schemas null
    for suite in "${SUITES[@]}"; do
      printf ',\n'
      json_generation "$suite" "$(uri_of "$suite")" "$LAB_DIR/$suite/usr/share/libvirt/schemas" "\"$LAB_DIR/$suite\""
    done
    printf '\n  ]\n}\n'
  } >"$tmp"
  mv "$tmp" "$STATE"
}

print_status() {
  local ok=0 suite lv q
  read -r lv q <<<"$(versions_of "$SYSTEM_URI")"
  if [ -n "$lv" ]; then
    printf '%-9s libvirt %-7s QEMU %-8s %s  %s\n' bookworm "$lv" "$q" "$SYSTEM_URI" /usr/share/libvirt/schemas
  else
    say "bookworm: no libvirtd answers on $SYSTEM_URI"
    ok=1
  fi
  for suite in "${SUITES[@]}"; do
    read -r lv q <<<"$(versions_of "$(uri_of "$suite")")"
    if [ -n "$lv" ]; then
      printf '%-9s libvirt %-7s QEMU %-8s %s  %s\n' "$suite" "$lv" "$q" "$(uri_of "$suite")" "$LAB_DIR/$suite/usr/share/libvirt/schemas"
    else
      say "$suite: not running (scripts/lab.sh up)"
      ok=1
    fi
  done
  return $ok
}

[ $# -eq 1 ] || die "usage: scripts/lab.sh up|down|status"
case $1 in
  up)
    [ "$(id -u)" = 0 ] || die "up needs root (mmdebstrap, chroot, mount)"
    mkdir -p "$LAB_DIR"
    bash "$ROOT_DIR/scripts/start-libvirtd.sh"
    # The chroots download and unpack side by side (most of a build is waiting for the registry).
    pids=()
    for suite in "${SUITES[@]}"; do
      build "$suite" &
      pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || die "a chroot could not be built (see the messages above)"; done
    for suite in "${SUITES[@]}"; do start "$suite"; done
    write_state
    say "state: $STATE"
    print_status
    ;;
  down)
    [ "$(id -u)" = 0 ] || die "down needs root (umount)"
    for suite in "${SUITES[@]}"; do stop "$suite"; done
    rm -f "$STATE"
    ;;
  status) print_status ;;
  *) die "usage: scripts/lab.sh up|down|status" ;;
esac
