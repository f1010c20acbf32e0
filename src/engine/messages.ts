/**
 * Messages users see, in the wording of the release they run. libvirt and QEMU reword some messages between
 * releases; a quote names the releases it was read in (source) or seen in (the version lab: libvirt 9.0 + QEMU
 * 7.2, 11.3 + 10.0, 12.8 + 11.1). For a release between two known wordings, or an unknown release, every
 * wording is quoted, so nothing is claimed that was not seen.
 */
import type { DeviceFacts, SecureType, Version, VersionFact } from '../contracts/facts';
import { compareVersions } from '../contracts/version';
import { v } from './verdict';
import type { DeviceContext } from './rule-types';
import { technology } from './technologies';

export interface Quote {
  readonly text: string;
  /** First release known to print it (inclusive); absent: as far back as it matters. */
  readonly from?: Version;
  /** Last release known to print it (inclusive, compared by major.minor); absent: up to the newest seen. */
  readonly upTo?: Version;
}

function minor(x: Version): Version {
  return { major: x.major, minor: x.minor, micro: 0 };
}

/** The quotes a release prints: one when its wording is known, all of them otherwise. */
export function quotesFor(quotes: readonly Quote[], fact: VersionFact): string[] {
  if (fact.kind === 'exact') {
    const at = minor(fact.version);
    const match = quotes.filter(
      (q) => (!q.from || compareVersions(at, minor(q.from)) >= 0) && (!q.upTo || compareVersions(at, minor(q.upTo)) <= 0),
    );
    if (match.length === 1) return [match[0]!.text];
  }
  if (fact.kind === 'at-least') {
    const match = quotes.filter((q) => !q.upTo || compareVersions(minor(q.upTo), minor(fact.version)) >= 0);
    if (match.length === 1) return [match[0]!.text];
  }
  return quotes.map((q) => q.text);
}

export function allQuotes(quotes: readonly Quote[]): string[] {
  return quotes.map((q) => q.text);
}

/**
 * libvirt's refusal of a `<launchSecurity>` type the QEMU binary, the host or the virtualization type cannot
 * run (qemu_validate.c): "SEV launch security is not supported with this QEMU binary" in 9.0, "'sev' launch
 * security is not supported with this QEMU binary" (the type as written) in 11.3 and 12.8 (fact sheet §7.3 item
 * 18; all three seen at define in the version lab). The release that changed it lies between 9.0 and 11.3.
 */
export function launchSecurityRefusals(type: SecureType): readonly Quote[] {
  const element = type === 'sev-es' ? 'sev' : type;
  const generic: Quote = { text: `'${element}' launch security is not supported with this QEMU binary`, from: v(11, 3) };
  if (element === 'sev') return [{ text: 'SEV launch security is not supported with this QEMU binary', upTo: v(9, 0) }, generic];
  if (element === 's390-pv') return [{ text: 'S390 PV launch security is not supported with this QEMU binary', upTo: v(9, 0) }, generic];
  // SEV-SNP (10.5.0) and TDX (11.6.0) arrived after the generic wording was seen; no other wording is known.
  return [{ ...generic, from: undefined }];
}

/** libvirt before a type existed rejects the element itself (seen on 9.0 for sev-snp and tdx, on 11.3 for tdx). */
export function unknownLaunchSecurityType(type: SecureType): string {
  return `XML error: Invalid value for attribute 'type' in element 'launchSecurity': '${type === 'sev-es' ? 'sev' : type}'.`;
}

/**
 * QEMU's refusal of a confidential guest under TCG (a `<domain type='qemu'>`), run here with each generation's QEMU
 * (test/lab/tcg-confidential.test.ts): QEMU 7.2 fails an assertion, 10.0 and 11.1 say the accelerator cannot have
 * SEV (system/vl.c qemu_machine_creation_done), SNP and TDX guests stop earlier for their private memory, and the
 * s390x binaries have no PV object at all without KVM.
 */
export function tcgRefusals(type: 'sev' | 'sev-snp' | 'tdx' | 's390-pv'): readonly Quote[] {
  if (type === 'sev')
    return [
      { text: "qemu_machine_creation_done: Assertion `machine->cgs->ready' failed.", upTo: v(7, 2) },
      { text: 'accelerator does not support confidential guest sev-guest', from: v(10, 0) },
    ];
  if (type === 's390-pv') return [{ text: 'invalid object type: s390-pv-guest' }];
  return [{ text: `cannot set up private guest memory for ${type}-guest: KVM required` }];
}

/**
 * QEMU's refusal to create a VM of a type the host kernel's KVM does not offer (target/i386/kvm/kvm.c
 * kvm_get_vm_type: "vm-type %s not supported by KVM"; the names "SEV-SNP" in the 10.0 source, "TDX" added with TDX
 * in 10.1). libvirt does not ask KVM about SNP, so this is what an SNP domain meets on a host without KVM SNP.
 */
export function vmTypeRefused(type: 'sev-snp' | 'tdx'): string {
  return `vm-type ${type === 'tdx' ? 'TDX' : 'SEV-SNP'} not supported by KVM`;
}

/**
 * QEMU's migration blocker (target/i386/sev.c): "SEV-SNP: Migration is not implemented" for SNP (QEMU 10.0 source
 * and binary, fact sheet §7.1 item 5), "SEV: Migration is not implemented" for SEV and SEV-ES. QEMU 11.1's binary
 * holds only the SEV wording, so an SNP guest there most likely gets it (inferred, not seen on SNP hardware).
 */
export function migrationBlocker(type: SecureType): readonly Quote[] {
  if (type !== 'sev-snp') return [{ text: 'SEV: Migration is not implemented' }];
  return [
    { text: 'SEV-SNP: Migration is not implemented', from: v(9, 1), upTo: v(10, 0) },
    { text: 'SEV: Migration is not implemented', from: v(11, 1) },
  ];
}

/**
 * vhost-user without the protocol features IOMMU support needs (hw/virtio/vhost-user.c): "slave-req" in QEMU
 * 7.2 (binary), "backend-req" after the rename (10.0 and 11.1 binaries; fact sheet §7.2 item 12: after 8.0).
 */
export const VHOST_USER_IOMMU_PROTOCOL: readonly Quote[] = [
  { text: 'IOMMU support requires reply-ack and slave-req protocol features.', upTo: v(8, 0) },
  { text: 'IOMMU support requires reply-ack and backend-req protocol features.', from: v(8, 1) },
];

/**
 * More than one `<iommu>` on x86: libvirt refuses the domain at define (domain_conf.c 11.3, "only a single IOMMU
 * device is supported"; seen on 9.0 and 11.3), while 12.8 defines it (for several smmuv3 on Arm) and QEMU refuses a
 * second x86 vIOMMU at start (hw/i386/pc.c; seen with 11.1). The release in between that stopped refusing is not known.
 */
export const SECOND_X86_VIOMMU: readonly Quote[] = [
  { text: 'XML error: only a single IOMMU device is supported', upTo: v(11, 3) },
  { text: 'QEMU does not support multiple vIOMMUs for x86 yet.', from: v(12, 8) },
];

/**
 * QEMU's refusal of an intel-iommu address width other than 39 or 48 bits in legacy (not scalable) mode, the only
 * mode libvirt sets up (hw/i386/intel_iommu.c vtd_decide_config), as worded (seen at
 * start in the version lab: 7.2's, and 10.0's and 11.1's; the release that changed it is not known).
 */
export const INTEL_AW_BITS_REFUSAL: readonly Quote[] = [
  { text: 'Supported values for aw-bits are: 39, 48', upTo: v(7, 2) },
  { text: 'Legacy mode: supported values for aw-bits are: 39, 48', from: v(10, 0) },
];

/**
 * libvirt's refusal of intel-only <iommu><driver> options on the smmuv3 and virtio models (domain_validate.c
 * virDomainIOMMUDefValidate, identical in 9.0 and 11.3): "additional attributes" in 9.0 and 11.3, "some additional
 * attributes" in 12.8 (all three seen at define in the version lab; the release that changed it is not known).
 */
export function viommuAttributeRefusals(model: string): readonly Quote[] {
  return [
    { text: `XML error: iommu model '${model}' doesn't support additional attributes`, upTo: v(11, 3) },
    { text: `XML error: iommu model '${model}' doesn't support some additional attributes`, from: v(12, 8) },
  ];
}

/** The Linux driver that binds each kind of virtio device, as it names itself in the kernel log. */
const LINUX_DRIVER: Partial<Record<DeviceFacts['function'], string>> = {
  blk: 'virtio_blk',
  net: 'virtio_net',
  scsi: 'virtio_scsi',
  serial: 'virtio_console',
  rng: 'virtio_rng',
  balloon: 'virtio_balloon',
  fs: 'virtiofs',
  gpu: 'virtio_gpu',
  input: 'virtio_input',
  vsock: 'vmw_vsock_virtio_transport',
  mem: 'virtio_mem',
  pmem: 'virtio_pmem',
  iommu: 'virtio_iommu',
};

/** A guest kernel line for this device: `<driver> virtio<N>: <text>` (drivers/virtio/virtio.c dev_warn). */
export function guestLine(d: DeviceFacts, text: string): string {
  return `${LINUX_DRIVER[d.function] ?? 'virtio'} virtio<N>: ${text}`;
}

/** The guest's refusal of the device, as `guestLine` words it; none where the guest's Linux is known to predate the check. */
export function guestRefusal(c: DeviceContext, text: string): string[] {
  const from = technology(c.cvm).guestRefusesFrom;
  const k = c.input.guest.kernelVersion;
  if (from && c.input.guest.family === 'linux' && k !== 'unknown' && compareVersions(k, from) < 0) return [];
  return [guestLine(c.device, text)];
}

/** QEMU's device type for a device, as libvirt writes it on the command line (qemuBuildVirtioDevGetConfig). */
export function qemuDeviceType(d: DeviceFacts): string {
  const base: Partial<Record<DeviceFacts['function'], string>> = {
    blk: 'virtio-blk',
    net: 'virtio-net',
    scsi: d.kind === 'hostdev' ? 'vhost-scsi' : 'virtio-scsi',
    serial: 'virtio-serial',
    rng: 'virtio-rng',
    balloon: 'virtio-balloon',
    fs: d.fsDriver === 'virtiofs' ? 'vhost-user-fs' : 'virtio-9p',
    gpu: 'virtio-gpu',
    input: 'virtio-input',
    vsock: 'vhost-vsock',
    mem: 'virtio-mem',
    pmem: 'virtio-pmem',
    iommu: 'virtio-iommu',
  };
  const name = base[d.function] ?? 'virtio';
  const bus = d.transport === 'ccw' ? 'ccw' : d.transport === 'mmio' ? 'device' : 'pci';
  const model =
    d.virtioModel === 'virtio-transitional' ? '-transitional' : d.virtioModel === 'virtio-non-transitional' ? '-non-transitional' : '';
  return `${name}-${bus}${model}`;
}
