/** The XML edits rule fixes are made of, built from facts (targets are the device XPaths facts carry). */
import type { DeviceFacts, DomainFacts, HostFacts, LaunchSecurityFacts, SecureType, VersionFact, VirtioModel } from '../contracts/facts';
import type { Edit } from '../contracts/findings';
import { parseLaunchSecurityPolicy } from '../contracts/launch-security-policy';
import { atLeast } from '../contracts/version';

/** libvirt 11.9.0 gave virtio-mem and virtio-pmem the virtio <driver> options (NEWS 11.9.0; §7.3 item 14). */
export const MEMORY_DRIVER_OPTIONS = { major: 11, minor: 9, micro: 0 };

/** Devices whose element has a place for the virtio <driver> options at all (not a vhost-scsi hostdev, not the virtio-iommu). */
function hasDriverElement(d: DeviceFacts): boolean {
  return d.kind !== 'hostdev' && d.function !== 'iommu';
}

/**
 * Whether libvirt lets the device carry the virtio <driver> options (iommu, ats, packed ...): its schema
 * (domaincommon.rng, ref virtioOptions) has them on disks, controllers, filesystems, interfaces, video,
 * memballoon, vsock, input and rng, but not on a vhost-scsi <hostdev> or on <iommu model='virtio'>; on
 * <memory model='virtio-mem|virtio-pmem'> only from libvirt 11.9.0, so not when the version is unknown.
 */
export function hasDriverOptions(d: DeviceFacts, libvirt: VersionFact = { kind: 'unknown' }): boolean {
  if (!hasDriverElement(d)) return false;
  return d.kind !== 'memory' || atLeast(libvirt, MEMORY_DRIVER_OPTIONS) === 'yes';
}

export function setIommu(d: DeviceFacts, value: 'on' | 'off', libvirt?: VersionFact): Edit[] {
  if (!hasDriverOptions(d, libvirt)) return [];
  if (d.implicit) {
    if (d.function === 'serial') return [writeOutSerialController(d, value)];
    if (d.function === 'scsi') return [writeOutScsiController(d.controllerIndex ?? 0, value)];
    return [];
  }
  return [...writeOutModel(d), { op: 'set-attribute', target: `${d.target}/driver`, name: 'iommu', value }];
}

/**
 * A device that is virtio only by libvirt's per-arch default (a NIC or video without <model> on s390x or Arm
 * virt, a model-less SCSI controller on s390x) gets its model written out with its virtio options: libvirt's
 * generic validation checks the options against the written model, not the QEMU driver's default.
 */
function writeOutModel(d: DeviceFacts): Edit[] {
  if (d.modelAttr !== 'unknown') return [];
  if (d.kind === 'interface' || d.kind === 'video')
    return [{ op: 'set-attribute', target: `${d.target}/model`, name: 'type', value: 'virtio' }];
  if (d.kind === 'controller' && d.function === 'scsi')
    return [{ op: 'set-attribute', target: d.target, name: 'model', value: 'virtio-scsi' }];
  return [];
}

export function removeDriverAttribute(d: DeviceFacts, name: string): Edit[] {
  return d.implicit || !hasDriverElement(d) ? [] : [{ op: 'remove-attribute', target: `${d.target}/driver`, name }];
}

export function setDriverAttribute(d: DeviceFacts, name: string, value: string, libvirt?: VersionFact): Edit[] {
  return d.implicit || !hasDriverOptions(d, libvirt)
    ? []
    : [...writeOutModel(d), { op: 'set-attribute', target: `${d.target}/driver`, name, value }];
}

/**
 * libvirt adds the virtio-serial controller for a virtio channel or console itself; a plan that needs options
 * on it writes it out in full, as libvirt would (a bare `<controller>` would not validate).
 */
function writeOutSerialController(d: DeviceFacts, iommu: 'on' | 'off'): Edit {
  const model = d.slot === 'pci' ? ` model='virtio-non-transitional'` : '';
  return {
    op: 'add-element',
    parent: '/domain/devices',
    xml: `<controller type='virtio-serial' index='0'${model}>\n  <driver iommu='${iommu}'/>\n</controller>`,
  };
}

/** A SCSI controller libvirt adds as virtio-scsi, written out with the index libvirt gives it and its options. */
function writeOutScsiController(index: number, iommu: 'on' | 'off'): Edit {
  return {
    op: 'add-element',
    parent: '/domain/devices',
    xml: `<controller type='scsi' index='${index}' model='virtio-scsi'>\n  <driver iommu='${iommu}'/>\n</controller>`,
  };
}

/**
 * Boot with UEFI (`<os firmware='efi'>`, libvirt picks the firmware), and on x86 the `<acpi/>` feature with it:
 * libvirt refuses UEFI without ACPI there ("UEFI requires ACPI on this architecture", qemu_validate.c
 * qemuValidateDomainDef, libvirt 9.0 to 11.3 alike).
 */
export function uefiEdits(domain: Pick<DomainFacts, 'arch' | 'firmware'>): Edit[] {
  const x86 = domain.arch === 'x86_64' || domain.arch === 'i686';
  return [
    { op: 'set-attribute', target: '/domain/os', name: 'firmware', value: 'efi' },
    ...(x86 && !domain.firmware.acpi ? [{ op: 'add-element' as const, parent: '/domain/features', xml: '<acpi/>', replace: true }] : []),
  ];
}

/** The virtio model of a device, written where each element keeps it (interfaces in `<model type>`). */
export function setVirtioModel(d: DeviceFacts, model: VirtioModel): Edit[] {
  if (d.implicit) return [];
  if (d.kind === 'interface') return [{ op: 'set-attribute', target: `${d.target}/model`, name: 'type', value: model }];
  return [{ op: 'set-attribute', target: d.target, name: 'model', value: model }];
}

/** Devices whose virtio model is a choice (transitional or not): PCI devices QEMU has a legacy form of. */
export function hasModelChoice(d: DeviceFacts): boolean {
  return (
    d.virtio &&
    !d.implicit &&
    d.transport === 'pci' &&
    ['blk', 'net', 'scsi', 'serial', 'rng', 'balloon', 'fs', 'vsock'].includes(d.function) &&
    // libvirt takes no model on virtiofs (R-XML-04/virtiofs): only 9p shares have one.
    !(d.function === 'fs' && d.fsDriver === 'virtiofs')
  );
}

export function makeNonTransitional(d: DeviceFacts): Edit[] {
  return setVirtioModel(d, 'virtio-non-transitional');
}

export const BALLOON_NONE: Edit = { op: 'add-element', parent: '/domain/devices', xml: `<memballoon model='none'/>`, replace: true };

export const BALLOON_TRANSITIONAL: Edit = {
  op: 'add-element',
  parent: '/domain/devices',
  xml: `<memballoon model='virtio-transitional'/>`,
  replace: true,
};

/** The split irqchip (QEMU's I/O APIC, KVM's local APICs): interrupt remapping, many vCPUs and TDX need it. */
export const SPLIT_IRQCHIP: Edit = { op: 'set-attribute', target: '/domain/features/ioapic', name: 'driver', value: 'qemu' };

export const LOCKED_MEMORY: Edit = { op: 'add-element', parent: '/domain/memoryBacking', xml: '<locked/>', replace: true };

export const SHARED_MEMORY: readonly Edit[] = [
  { op: 'add-element', parent: '/domain/memoryBacking', xml: `<source type='memfd'/>`, replace: true },
  { op: 'add-element', parent: '/domain/memoryBacking', xml: `<access mode='shared'/>`, replace: true },
];

export function romOff(d: DeviceFacts): Edit[] {
  return d.implicit ? [] : [{ op: 'set-attribute', target: `${d.target}/rom`, name: 'enabled', value: 'no' }];
}

/** The default policies the plan writes: SEV NODBG|NOKS, SEV-ES adds ES (bit 2), SNP QEMU's default, TDX SEPT_VE_DISABLE. */
export const DEFAULT_POLICY: Partial<Record<SecureType, string>> = {
  sev: '0x0003',
  'sev-es': '0x0007',
  'sev-snp': '0x00030000',
  tdx: '0x10000000',
};

/** Before 6.9.0 libvirt needs the host's cbitpos and reducedPhysBits written; later it fills them in. */
const SEV_VALUES_AUTOFILLED = { major: 6, minor: 9, micro: 0 };

/**
 * The `<launchSecurity>` element for a type. For the SEV family the host's cbitpos and reducedPhysBits are
 * written when known, and needed only where libvirt is older than 6.9.0 (null then, when they are unknown).
 */
export function launchSecurityXml(type: SecureType, host: HostFacts): string | null {
  switch (type) {
    case 'sev':
    case 'sev-es':
    case 'sev-snp': {
      const { cbitpos, reducedPhysBits } = host.sev;
      const known = cbitpos !== 'unknown' && reducedPhysBits !== 'unknown';
      if (!known && atLeast(host.libvirtVersion, SEV_VALUES_AUTOFILLED) === 'no') return null;
      const element = type === 'sev-snp' ? 'sev-snp' : 'sev';
      const values = known ? `\n  <cbitpos>${cbitpos}</cbitpos>\n  <reducedPhysBits>${reducedPhysBits}</reducedPhysBits>` : '';
      return `<launchSecurity type='${element}'>${values}\n  <policy>${DEFAULT_POLICY[type]}</policy>\n</launchSecurity>`;
    }
    case 'tdx':
      return `<launchSecurity type='tdx'>\n  <policy>${DEFAULT_POLICY.tdx}</policy>\n</launchSecurity>`;
    case 's390-pv':
      return `<launchSecurity type='s390-pv'/>`;
    default:
      return null;
  }
}

/** Edits that turn the domain's launchSecurity into `type`; null when host values it needs are missing. */
export function launchSecurityEdits(type: SecureType, current: LaunchSecurityFacts, host: HostFacts): Edit[] | null {
  if (type === 'sev-es' && current.present && current.type === 'sev') {
    return [{ op: 'add-element', parent: '/domain/launchSecurity', xml: `<policy>${sevEsPolicy(current.policy)}</policy>`, replace: true }];
  }
  const xml = launchSecurityXml(type, host);
  return xml === null ? null : [{ op: 'add-element', parent: '/domain', xml, replace: true }];
}

/** The SEV policy with the ES bit (2) added to the bits the user chose. */
export function sevEsPolicy(policy: string): string {
  const n = (policy === 'unknown' ? null : parseLaunchSecurityPolicy(policy)) ?? 0x3n;
  return `0x${(n | 0x4n).toString(16).padStart(4, '0')}`;
}
