/** Machine type names → family and the QEMU version a versioned machine type implies. */
import type { Arch, MachineFamily, Maybe, Version } from '../contracts/facts';

const FAMILIES: readonly (readonly [RegExp, MachineFamily])[] = [
  [/^(?:pc-q35-(\d+)\.(\d+)|q35)$/, 'q35'],
  [/^(?:pc-i440fx-(\d+)\.(\d+)|pc-(\d+)\.(\d+)|pc|pc-i440fx)$/, 'pc'],
  [/^s390-ccw-virtio(?:-(\d+)\.(\d+))?$/, 's390-ccw-virtio'],
  [/^pseries(?:-(\d+)\.(\d+))?$/, 'pseries'],
  [/^virt(?:-(\d+)\.(\d+))?$/, 'virt'],
  [/^microvm$/, 'microvm'],
];

/** Vendor machine types (pc-q35-rhel9.2.0) name the family but not an upstream QEMU version. */
const VENDOR_FAMILIES: readonly (readonly [RegExp, MachineFamily])[] = [
  [/^pc-q35-/, 'q35'],
  [/^pc-i440fx-/, 'pc'],
  [/^s390-ccw-virtio-/, 's390-ccw-virtio'],
  [/^pseries-/, 'pseries'],
  [/^virt-/, 'virt'],
];

/** Family and implied version of a machine type as written (`pc-q35-7.2` → q35, 7.2.0). */
export function classifyMachine(raw: string): { family: MachineFamily; version: Maybe<Version> } {
  for (const [re, family] of FAMILIES) {
    const m = re.exec(raw);
    if (!m) continue;
    const nums = m.slice(1).filter((x): x is string => x !== undefined);
    const [major, minor] = nums;
    return { family, version: major && minor ? { major: Number(major), minor: Number(minor), micro: 0 } : 'unknown' };
  }
  for (const [re, family] of VENDOR_FAMILIES) if (re.test(raw)) return { family, version: 'unknown' };
  return { family: 'other', version: 'unknown' };
}

const ARCHES: readonly Arch[] = ['x86_64', 'i686', 's390x', 'ppc64', 'ppc64le', 'aarch64', 'armv7l', 'riscv64'];

/** The `<os><type arch>` value as an Arch ('other' for architectures the fact sheet does not cover). */
export function classifyArch(raw: string): Arch {
  return (ARCHES as readonly string[]).includes(raw) ? (raw as Arch) : 'other';
}
