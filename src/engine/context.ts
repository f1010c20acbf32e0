/** Derives the facts every rule shares (confidential type, effective versions, QEMU's defaults) once per input. */
import type { EngineInput } from '../contracts/engine';
import type { CommandlineConfidentialObject, DeviceFacts, SecureType, VersionFact } from '../contracts/facts';
import { atLeast, combineVersionFacts, formatVersion } from '../contracts/version';
import { effectiveLibvirt, technology } from './technologies';
import { effectiveQemu } from './versions';
import type { DeviceContext, DomainContext, Verdict } from './rule-types';
import { and, not, or, unknown, v, versionAtLeast } from './verdict';

export const SEV_FAMILY: ReadonlySet<SecureType> = new Set(['sev', 'sev-es', 'sev-snp']);

/**
 * Whether QEMU gets the confidential-guest-support object of `cvm`: from the domain's `<launchSecurity>` (or the
 * one a plan towards a confidential goal adds), or from `<qemu:commandline>` (qemu-commandline.ts), which libvirt
 * passes on unread and plans never edit. s390 PV may run without the element (LV-KB-PV, §7.1 item 7): a plan adds
 * it only where libvirt knows the element (7.6.0) and QEMU its object (6.0), or the versions are unknown.
 */
export function hasConfidentialObject(input: EngineInput, cvm: SecureType): boolean {
  const ls = input.domain.launchSecurity;
  if (!ls.present && ls.commandline?.linked) return ls.type === cvm;
  const t = technology(cvm);
  if (t.element === null) return false;
  if (ls.present && (ls.type === cvm || (cvm === 'sev-es' && ls.type === 'sev'))) return true;
  if (input.goals.secure === 'keep') return false;
  if (t.libvirt && atLeast(effectiveLibvirt(input.host), t.libvirt) === 'no') return false;
  // Where the technology also runs without the element (s390 PV), a QEMU without its object gets the other layout.
  return !(t.withoutElement && t.qemu && atLeast(effectiveQemu(input.domain, input.host), t.qemu) === 'no');
}

/** The confidential object `<qemu:commandline>` links to the machine, when no `<launchSecurity>` is there. */
export function commandlineObject(c: DomainContext): CommandlineConfidentialObject | null {
  const ls = c.input.domain.launchSecurity;
  return !ls.present && ls.commandline?.linked ? ls.commandline : null;
}

/**
 * The QEMU a confidential domain runs on: what is known of it, and at least the release that has its technology,
 * since on an older QEMU it does not run at all (its own record, R-…/qemu, says so from the version as known).
 * So an SNP domain of unknown QEMU gets QEMU's confidential defaults (6.0), as §7.3 item 16 reasons from libvirt.
 */
function runningQemu(input: EngineInput, cvm: SecureType): VersionFact {
  const known = effectiveQemu(input.domain, input.host);
  const min = technology(cvm).qemu;
  if (!min || !hasConfidentialObject(input, cvm)) return known;
  const source = `${technology(cvm).name}, which needs QEMU ${formatVersion(min)} or later`;
  return combineVersionFacts(known, { kind: 'at-least', version: min, source });
}

export function domainContext(input: EngineInput): DomainContext {
  const { domain, goals } = input;
  const cvm: SecureType = goals.secure === 'keep' ? domain.launchSecurity.type : goals.secure;
  const qemu = runningQemu(input, cvm);
  const confidentialDefault = hasConfidentialObject(input, cvm) ? versionAtLeast(qemu, v(6, 0), 'the QEMU version') : false;
  return { input, cvm, qemu, libvirt: effectiveLibvirt(input.host), confidentialDefault };
}

export function deviceContext(c: DomainContext, device: DeviceFacts): DeviceContext {
  // Spelled out rather than spread: one object shape for every device keeps rule conditions fast (a spread made
  // this a sixth of an evaluation).
  return { input: c.input, cvm: c.cvm, qemu: c.qemu, libvirt: c.libvirt, confidentialDefault: c.confidentialDefault, device };
}

/**
 * A device whose model libvirt picks by its release (DeviceFacts.virtioFrom) as this libvirt defines it: virtio
 * where the release is known to pick virtio; else as the facts read it (R-XML-04/default-model says when the
 * release is not known).
 */
function asDefined(d: DeviceFacts, libvirt: VersionFact): DeviceFacts {
  return d.virtioFrom && atLeast(libvirt, d.virtioFrom) === 'yes' ? { ...d, virtio: true, virtioModel: 'virtio' } : d;
}

/** Every device as libvirt defines it, with the backend the user chose for it (Backends step), as the rules see it. */
export function devicesAsChosen(input: EngineInput): readonly DeviceFacts[] {
  const { devices } = input.domain;
  // With no choice made and no model left to libvirt's release (the usual case) they are the domain's devices.
  if (Object.keys(input.goals.backends).length === 0 && !devices.some((d) => d.virtioFrom)) return devices;
  return devices.map((raw) => {
    const d = asDefined(raw, input.host.libvirtVersion);
    const choice = input.goals.backends[d.target];
    return choice && d.virtio ? { ...d, backend: choice } : d;
  });
}

/** "this host's libvirt is 11.3.0 (from …)" or "this host's libvirt version is not known": never "is unknown" mid-sentence. */
export function versionClause(subject: string, f: VersionFact): string {
  return f.kind === 'unknown' ? `${subject} version is not known` : `${subject} is ${describeVersion(f)}`;
}

/**
 * The last version fact described and its words: device rules describe the same QEMU version for every device.
 * Kept by hand, not with lastOf: called for each device twice per recompute, where lastOf's arguments array cost
 * more than the words on V8's baseline tier (the CLI's).
 */
let lastDescribed: { readonly fact: VersionFact; readonly words: string } | null = null;

export function describeVersion(f: VersionFact): string {
  if (f.kind === 'unknown') return 'of unknown version';
  if (lastDescribed?.fact === f) return lastDescribed.words;
  const words = `${f.kind === 'at-least' ? 'at least ' : ''}${formatVersion(f.version)} (from ${f.source})`;
  lastDescribed = { fact: f, words };
  return words;
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
 * Device types QEMU lets keep a legacy interface (hw/virtio/virtio.c virtio_legacy_allowed: net, block, console,
 * rng, balloon, scsi, 9p — a <filesystem> other than virtiofs, whose vhost-user-fs-pci is non-transitional only).
 * The others are modern-only: gpu, input, vsock, iommu, mem and pmem force virtio 1 (virtio_pci_force_virtio_1),
 * and the rest refuse a legacy bus ("device is modern-only, use disable-legacy=on").
 */
const LEGACY_CAPABLE = new Set<DeviceFacts['function']>(['net', 'blk', 'serial', 'rng', 'balloon', 'scsi']);

/** Whether QEMU has a legacy form of the device's type at all (what model='virtio-transitional' can give it). */
export function hasLegacyForm(d: DeviceFacts): boolean {
  return LEGACY_CAPABLE.has(d.function) || (d.function === 'fs' && d.fsDriver !== 'virtiofs');
}

/**
 * vhost-vsock-pci forces virtio 1 only where the machine type checks for legacy devices (5.1 and later); machine
 * types up to 5.0 set x-disable-legacy-check (hw_compat_5_0), so there it keeps a legacy interface like the
 * others (hw/virtio/vhost-vsock-pci.c vhost_vsock_pci_realize; virtio-pci.c warns and lets it through).
 */
function legacyVsock(c: DeviceContext): boolean {
  const mv = c.input.domain.machine.version;
  return c.device.function === 'vsock' && mv !== 'unknown' && (mv.major < 5 || (mv.major === 5 && mv.minor === 0));
}

/** Whether the device keeps its legacy (virtio 0.9.5) interface, and why, in words for explanations. */
export interface LegacyAnswer {
  readonly verdict: Verdict;
  readonly because: string;
}

/**
 * Is the device's legacy interface enabled? QEMU: `disable-legacy=auto` becomes on only on a PCI Express port
 * (virtio_pci_realize: `pcie_port = pci_bus_is_express(bus) && !pci_bus_is_root(bus)`), so model='virtio' is
 * transitional on conventional PCI *and* on a PCIe root bus (q35 bus 0, pcie-expander-bus) — unless QEMU's
 * confidential default sets disable-legacy=on (R-QEMU-01). Transitional models keep it; non-transitional drop it
 * (R-XML-04, R-TRN-01, §7.1 item 1).
 */
export function legacyAnswer(c: DeviceContext): LegacyAnswer {
  const d = c.device;
  if (d.transport === 'unknown') return { verdict: unknown(`the transport of ${d.label}`), because: 'the transport is not known' };
  if (d.transport !== 'pci') return { verdict: false, because: `on virtio-${d.transport} there is no PCI legacy interface` };
  if (!hasLegacyForm(d) && !legacyVsock(c)) return { verdict: false, because: `QEMU's ${d.function} device type is modern-only` };
  if (d.virtioModel === 'virtio-transitional') return { verdict: true, because: "model='virtio-transitional' keeps the legacy interface" };
  if (d.virtioModel === 'virtio-non-transitional') return { verdict: false, because: "model='virtio-non-transitional' is modern-only" };
  if (oldMachine(c))
    return { verdict: true, because: `machine type ${String(c.input.domain.machine.raw)} (2.6 or older) makes virtio-pci legacy` };
  if (d.slot === 'unknown') return { verdict: unknown(`the PCI slot kind of ${d.label}`), because: 'the PCI slot is not known' };
  if (d.slot === 'pcie') return { verdict: false, because: "model='virtio' on a PCI Express port is modern-only" };
  const where = d.slot === 'pcie-root' ? 'a PCI Express root bus (q35 bus 0 or an expander bus)' : 'conventional PCI';
  const cd = c.confidentialDefault;
  if (cd === true)
    return {
      verdict: false,
      because: `model='virtio' on ${where} would be transitional, but QEMU's confidential-VM default sets disable-legacy=on`,
    };
  return {
    verdict: not(cd),
    because: `model='virtio' on ${where} is transitional (QEMU enables disable-legacy only on PCI Express ports)`,
  };
}

export function legacyInterface(c: DeviceContext): Verdict {
  return legacyAnswer(c).verdict;
}

/** Does iommu_platform end up on for this device (explicitly, or by QEMU's confidential default)? */
export function iommuEffective(c: DeviceContext): Verdict {
  // What libvirt does not pass to QEMU (vhost-user-vga) is only QEMU's default.
  if (c.device.driverOptionsNotPassed) return c.confidentialDefault;
  const a = c.device.driver.iommu;
  if (a === 'on') return true;
  if (a === 'off') return false;
  return c.confidentialDefault;
}

/**
 * Whether the guest's drivers speak VIRTIO 1.0: osinfo-db lists modern device ids; or the guest's Linux accepts
 * ACCESS_PLATFORM (4.8 and later), which only a modern driver can (R-LNX-01, R-SPEC-02); or it predates Linux 4.0,
 * whose virtio-pci got the modern driver (commit 1fcf0512c9c8, "virtio_pci: modern driver"): before it, only the
 * legacy interface binds. Kernels are judged by upstream numbering, as for ACCESS_PLATFORM (R-SPEC-03).
 */
export function guestVirtio1(c: DomainContext): 'yes' | 'no' | 'unknown' {
  const g = c.input.guest;
  if (g.virtio1 !== 'unknown') return g.virtio1;
  if (g.family !== 'linux' || g.kernelVersion === 'unknown') return 'unknown';
  const kernel = { kind: 'exact', version: g.kernelVersion, source: 'guest' } as const;
  if (atLeast(kernel, v(4, 8)) === 'yes') return 'yes';
  if (atLeast(kernel, v(4, 0)) === 'no') return 'no';
  return 'unknown';
}

/** The guest as findings name it: its OS, else its kernel (`--guest-kernel`), else 'This guest'. */
export function guestWords(c: DomainContext): string {
  const g = c.input.guest;
  if (g.name !== 'unknown') return String(g.name);
  return g.kernelVersion === 'unknown' ? 'This guest' : `This guest (Linux ${formatVersion(g.kernelVersion)})`;
}

/** Does a vIOMMU translate DMA in this domain? */
export function translatingViommu(c: DomainContext): boolean {
  return c.input.domain.viommu.model !== 'none';
}

export function isConfidential(c: DomainContext): boolean {
  return c.cvm !== 'none';
}

export { and, or, not };
