/** Derives the facts every rule shares (confidential type, effective versions, QEMU's defaults) once per input. */
import type { EngineInput } from '../contracts/engine';
import type { DeviceFacts, SecureType, VersionFact } from '../contracts/facts';
import { combineVersionFacts, formatVersion } from '../contracts/version';
import type { DeviceContext, DomainContext, Verdict } from './rule-types';
import { and, not, or, unknown, v, versionAtLeast } from './verdict';

/** Types whose libvirt element gives QEMU a confidential-guest-support object (PEF and CCA have none). */
const LAUNCH_SECURITY_TYPES: ReadonlySet<SecureType> = new Set(['sev', 'sev-es', 'sev-snp', 'tdx', 's390-pv']);
export const SEV_FAMILY: ReadonlySet<SecureType> = new Set(['sev', 'sev-es', 'sev-snp']);

export function domainContext(input: EngineInput): DomainContext {
  const { domain, host, goals } = input;
  const cvm: SecureType = goals.secure === 'keep' ? domain.launchSecurity.type : goals.secure;
  const machineBound: VersionFact =
    domain.machine.version === 'unknown'
      ? { kind: 'unknown' }
      : { kind: 'at-least', version: domain.machine.version, source: `machine type ${String(domain.machine.raw)}` };
  const qemu = combineVersionFacts(host.qemuVersion, machineBound);
  const confidentialDefault = LAUNCH_SECURITY_TYPES.has(cvm) ? versionAtLeast(qemu, v(6, 0), 'the QEMU version') : false;
  return { input, cvm, qemu, libvirt: host.libvirtVersion, confidentialDefault };
}

export function deviceContext(c: DomainContext, device: DeviceFacts): DeviceContext {
  // Spelled out rather than spread: one object shape for every device keeps rule conditions fast (a spread made
  // this a sixth of an evaluation).
  return { input: c.input, cvm: c.cvm, qemu: c.qemu, libvirt: c.libvirt, confidentialDefault: c.confidentialDefault, device };
}

export function describeVersion(f: VersionFact): string {
  if (f.kind === 'unknown') return 'unknown';
  return `${f.kind === 'at-least' ? 'at least ' : ''}${formatVersion(f.version)} (from ${f.source})`;
}

/** Devices that carry the virtio `<driver>` options and must negotiate the bit in a confidential VM. */
export function takesAccessPlatform(d: DeviceFacts): boolean {
  return d.virtio && d.function !== 'iommu' && d.function !== 'balloon';
}

/** Machine types up to 2.6 make virtio-pci legacy-only (hw_compat_2_6). */
function oldMachine(c: DomainContext): boolean {
  const mv = c.input.domain.machine.version;
  return mv !== 'unknown' && (mv.major < 2 || (mv.major === 2 && mv.minor <= 6));
}

/**
 * Is the device's legacy (virtio 0.9.5) interface enabled? R-XML-04/R-TRN-01: transitional models keep it;
 * `virtio` is transitional on a conventional PCI slot unless QEMU's confidential default sets disable-legacy.
 */
export function legacyInterface(c: DeviceContext): Verdict {
  const d = c.device;
  if (d.transport === 'unknown') return unknown(`the transport of ${d.label}`);
  if (d.transport !== 'pci') return false;
  // virtio-gpu and virtio-input exist only as modern devices (R-XML-04).
  if (d.function === 'gpu' || d.function === 'input') return false;
  if (d.virtioModel === 'virtio-transitional') return true;
  if (d.virtioModel === 'virtio-non-transitional') return false;
  if (oldMachine(c)) return true;
  if (d.slot === 'unknown') return unknown(`the PCI slot kind of ${d.label}`);
  if (d.slot === 'pcie') return false;
  return not(c.confidentialDefault);
}

/** Does iommu_platform end up on for this device (explicitly, or by QEMU's confidential default)? */
export function iommuEffective(c: DeviceContext): Verdict {
  const a = c.device.driver.iommu;
  if (a === 'on') return true;
  if (a === 'off') return false;
  return c.confidentialDefault;
}

/** Does a vIOMMU translate DMA in this domain? */
export function translatingViommu(c: DomainContext): boolean {
  return c.input.domain.viommu.model !== 'none';
}

export function isConfidential(c: DomainContext): boolean {
  return c.cvm !== 'none';
}

export { and, or, not };
