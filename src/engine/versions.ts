/** What a domain and its host tell about the QEMU version, beyond what a tool reported. */
import type { DomainFacts, HostFacts, Version, VersionFact } from '../contracts/facts';
import { atLeast, combineVersionFacts, formatVersion } from '../contracts/version';
import { v } from './verdict';

/**
 * libvirt's minimum QEMU (NEWS 11.2.0 "Remove support for qemu-6.1 and older", 12.4.0 "Bump minimum version to
 * QEMU-7.2"): a known libvirt version bounds the QEMU version from below (fact sheet §7.3 item 16).
 */
const QEMU_FLOOR_OF_LIBVIRT: readonly { readonly libvirt: Version; readonly qemu: Version }[] = [
  { libvirt: v(12, 4), qemu: v(7, 2) },
  { libvirt: v(11, 2), qemu: v(6, 2) },
];

/** The QEMU version as far as the host, a versioned machine type and libvirt's own minimum tell it. */
export function effectiveQemu(domain: DomainFacts, host: HostFacts): VersionFact {
  const machineBound: VersionFact =
    domain.machine.version === 'unknown'
      ? { kind: 'unknown' }
      : { kind: 'at-least', version: domain.machine.version, source: `machine type ${String(domain.machine.raw)}` };
  const lv = host.libvirtVersion;
  let libvirtBound: VersionFact = { kind: 'unknown' };
  if (lv.kind !== 'unknown') {
    const floor = QEMU_FLOOR_OF_LIBVIRT.find((f) => atLeast(lv, f.libvirt) === 'yes');
    if (floor) {
      const source = `libvirt ${formatVersion(lv.version)}, which needs QEMU ${formatVersion(floor.qemu)} or later`;
      libvirtBound = { kind: 'at-least', version: floor.qemu, source };
    }
  }
  return combineVersionFacts(combineVersionFacts(host.qemuVersion, machineBound), libvirtBound);
}
