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
  // Indexed loops and the match's groups read in place: every domain read comes here, on V8's baseline tier in
  // the CLI, where for-of and destructuring cost an iterator each.
  for (let f = 0; f < FAMILIES.length; f++) {
    const m = FAMILIES[f]![0].exec(raw);
    if (!m) continue;
    // The version is the first pair of groups that matched (pc-i440fx-X.Y or pc-X.Y).
    const major = m[1] ?? m[3];
    const minor = m[2] ?? m[4];
    const version = major !== undefined && minor !== undefined ? { major: Number(major), minor: Number(minor), micro: 0 } : 'unknown';
    return { family: FAMILIES[f]![1], version };
  }
  for (let f = 0; f < VENDOR_FAMILIES.length; f++) {
    if (VENDOR_FAMILIES[f]![0].test(raw)) return { family: VENDOR_FAMILIES[f]![1], version: 'unknown' };
  }
  return { family: 'other', version: 'unknown' };
}

const ARCHES: readonly Arch[] = ['x86_64', 'i686', 's390x', 'ppc64', 'ppc64le', 'aarch64', 'armv7l', 'riscv64'];

/** The `<os><type arch>` value as an Arch ('other' for architectures the fact sheet does not cover). */
export function classifyArch(raw: string): Arch {
  return (ARCHES as readonly string[]).includes(raw) ? (raw as Arch) : 'other';
}
