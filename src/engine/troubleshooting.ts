/**
 * Troubleshooting as data: the fact sheet's symptoms (domain-facts.md §4, T-01…T-20) and the messages its §7
 * corrections add (T-21…), each with the rules that explain it, the question only the user can answer, and the goal
 * that fixes it. The wizard's Troubleshoot view renders these; it adds no knowledge of its own.
 */
import type { SecureType } from '../contracts/facts';
import { allQuotes, launchSecurityRefusals, VHOST_USER_IOMMU_PROTOCOL } from './messages';

/** Where a symptom shows: what the user was doing when it happened. */
export type SymptomGroup = 'define' | 'start' | 'device' | 'slow' | 'migration' | 'host';

export const SYMPTOM_GROUPS: readonly { readonly group: SymptomGroup; readonly title: string }[] = [
  { group: 'define', title: 'libvirt refuses the definition' },
  { group: 'start', title: 'The domain will not start' },
  { group: 'device', title: 'The guest sees no device, or it misbehaves' },
  { group: 'slow', title: 'Slow I/O, or I/O errors under load' },
  { group: 'migration', title: 'Migration, restore or snapshot refused' },
  { group: 'host', title: 'The host cannot run it' },
];

export interface Symptom {
  readonly id: string;
  readonly group: SymptomGroup;
  readonly title: string;
  /** What the user sees, verbatim where there is a message (every wording libvirt and QEMU releases print). */
  readonly seen: string;
  readonly seenAlso?: readonly string[];
  readonly rules: readonly string[];
  /** Something neither the XML nor the host can tell; the answer decides which cause applies. */
  readonly question?: string;
  readonly cause: string;
  /** A confidential-VM goal the fix implies, when the symptom only happens in one. */
  readonly goal?: SecureType | 'keep';
  /** Which host evidence (main/services/host-evidence.ts fact names) bears on the cause. */
  readonly hostEvidence?: RegExp;
  /** The fix that is not in the domain XML (host or guest side), in words. */
  readonly fix?: string;
  /** The cause is a difference between two definitions: ask for the other one (migration destination). */
  readonly compareWithDestination?: boolean;
}

export const SYMPTOMS: readonly Symptom[] = [
  {
    id: 'T-01',
    group: 'device',
    title: 'Confidential VM has no virtio disk or network',
    seen: 'device must provide VIRTIO_F_ACCESS_PLATFORM',
    rules: ['R-SEV-02', 'R-PV-02', 'R-CC-01', 'R-XML-07', 'R-QEMU-02', 'R-BE-04'],
    question: 'Does the guest’s dmesg show "device must provide VIRTIO_F_ACCESS_PLATFORM"?',
    cause:
      'A device did not offer ACCESS_PLATFORM: iommu missing on QEMU < 6.0, an explicit iommu=off, or a vhost-user backend without it.',
  },
  {
    id: 'T-02',
    group: 'device',
    title: 'dmesg: device must provide VIRTIO_F_VERSION_1',
    seen: 'device must provide VIRTIO_F_VERSION_1',
    rules: ['R-XML-05', 'R-QEMU-03'],
    cause: 'A device runs in legacy mode: a transitional model, or virtio-mmio (legacy in QEMU).',
  },
  {
    id: 'T-03',
    group: 'start',
    title: 'QEMU refuses to start: IOMMU_PLATFORM message',
    seen: 'VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device',
    rules: ['R-XML-05'],
    cause: 'iommu on a device whose legacy interface is enabled (transitional model, or model virtio on conventional PCI).',
  },
  {
    id: 'T-04',
    group: 'start',
    title: 'QEMU refuses a device: iommu_platform=true is not supported',
    seen: 'iommu_platform=true is not supported by the device',
    rules: ['R-QEMU-02', 'R-BE-03', 'R-BE-04'],
    cause: 'The vhost-user backend does not offer ACCESS_PLATFORM.',
  },
  {
    id: 'T-05',
    group: 'start',
    title: 'vhost-user: IOMMU support requires reply-ack and backend-req',
    seen: allQuotes(VHOST_USER_IOMMU_PROTOCOL)[1]!,
    seenAlso: allQuotes(VHOST_USER_IOMMU_PROTOCOL).slice(0, 1),
    rules: ['R-BE-03'],
    cause:
      'A vhost-user backend offers ACCESS_PLATFORM but not the REPLY_ACK and BACKEND_REQ protocol features QEMU then requires (with or without a vIOMMU).',
  },
  {
    id: 'T-06',
    group: 'device',
    title: 'Ordinary guest: device missing, "device refuses features"',
    seen: 'virtio: device refuses features: …',
    rules: ['R-SPEC-03', 'R-LNX-06', 'R-WIN-01', 'R-LNX-05'],
    question: 'Is the guest kernel older than Linux 4.8, or Windows with old virtio-win drivers?',
    cause: 'The guest driver did not accept bit 33 (old driver, or the balloon).',
  },
  {
    id: 'T-07',
    group: 'device',
    title: 'Balloon: device must provide VIRTIO_F_ACCESS_PLATFORM',
    seen: 'virtio_balloon virtio<N>: device must provide VIRTIO_F_ACCESS_PLATFORM',
    rules: ['R-LNX-05'],
    cause: 'The balloon driver never accepts ACCESS_PLATFORM.',
  },
  {
    id: 'T-08',
    group: 'device',
    title: 'Old confidential guest: boot hangs, I/O errors or garbage on virtio devices',
    seen: 'Hangs or corrupted I/O (no message)',
    rules: ['R-SEV-02', 'R-PV-02', 'R-CC-01', 'R-XML-07'],
    question: 'Is the guest kernel older than the ones that refuse such devices (about Linux 5.13 for SEV, 5.10 for s390 PV; R-LNX-02)?',
    cause:
      'A device lacks ACCESS_PLATFORM, so the host touches encrypted or secure memory; an older kernel does not refuse the device, it misbehaves.',
  },
  {
    id: 'T-09',
    group: 'slow',
    title: 'vhost-net is slow after iommu=on',
    seen: 'Throughput collapses',
    rules: ['R-BE-02', 'R-VIOMMU-04'],
    cause: 'vhost uses its device IOTLB: a vIOMMU is present, or QEMU is older than 6.2.',
    hostEvidence: /vhost-net/i,
  },
  {
    id: 'T-10',
    group: 'slow',
    title: 'swiotlb buffer is full',
    seen: 'swiotlb buffer is full (sz: … bytes), total … (slots), used … (slots)',
    rules: ['R-LNX-04', 'R-LNX-03'],
    cause: 'The bounce-buffer pool is exhausted under heavy I/O.',
  },
  {
    id: 'T-11',
    group: 'device',
    title: 'Guest panics early: cannot allocate SWIOTLB buffer',
    seen: "Kernel panic - not syncing: Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer",
    rules: ['R-LNX-04', 'R-LNX-03'],
    cause: 'The requested swiotlb size cannot be allocated early: too large for the guest memory, or not enough low memory.',
    fix: 'Lower swiotlb= on the guest kernel command line, or give the guest more memory.',
  },
  {
    id: 'T-12',
    group: 'start',
    title: 'SEV guest network boot hangs',
    seen: 'PXE boot never completes',
    rules: ['R-SEV-04'],
    cause: 'The iPXE option ROM is not SEV-aware.',
    goal: 'sev',
  },
  {
    id: 'T-13',
    group: 'start',
    title: 'SEV guest fails to launch on memory limits',
    seen: 'Launch fails (locked memory)',
    rules: ['R-SEV-03'],
    cause: 'SEV pins guest memory beyond the locked-memory limit.',
    goal: 'sev',
  },
  {
    id: 'T-14',
    group: 'define',
    title: 'Launch security is not supported with this QEMU binary',
    seen: allQuotes(launchSecurityRefusals('sev'))[1]!,
    seenAlso: [
      ...allQuotes(launchSecurityRefusals('sev')).slice(0, 1),
      ...allQuotes(launchSecurityRefusals('sev-snp')),
      ...allQuotes(launchSecurityRefusals('tdx')),
    ],
    rules: ['R-SEV-05', 'R-SEV-01', 'R-SNP-02', 'R-SNP-01', 'R-TDX-01'],
    cause:
      'The host, its QEMU, or the domain type cannot run this launch security: the host lacks the technology (domain capabilities), QEMU is too old, or the domain is not type kvm.',
    hostEvidence: /sev|svm|secure guest|hardware virtualization/i,
  },
  {
    id: 'T-15',
    group: 'define',
    title: 'S390 PV launch security is not supported',
    seen: 'S390 PV launch security is not supported by this host or kernel',
    seenAlso: allQuotes(launchSecurityRefusals('s390-pv')),
    rules: ['R-PV-03', 'R-PV-01'],
    cause: 'The host is not prepared for PV, or QEMU is older than 6.0.',
    hostEvidence: /prot_virt|secure guest/i,
  },
  {
    id: 'T-16',
    group: 'host',
    title: 'SNP unavailable: host IOMMU disabled or in passthrough mode',
    seen: 'SNP: IOMMU is disabled or configured in passthrough mode, SNP cannot be supported',
    rules: ['R-SNP-02'],
    cause: "The host's IOMMU is off or in passthrough mode. This is the host IOMMU, not the guest's <driver iommu>.",
    fix: 'Remove iommu=pt and amd_iommu=off from the host kernel command line and reboot.',
    hostEvidence: /sev_snp|IOMMU support/i,
  },
  {
    id: 'T-17',
    group: 'migration',
    title: 'virsh migrate: Migration is not implemented',
    seen: 'SEV: Migration is not implemented',
    seenAlso: ['SEV-SNP: Migration is not implemented'],
    rules: ['R-SEV-06'],
    cause: 'QEMU blocks live migration of SEV-family guests.',
  },
  {
    id: 'T-18',
    group: 'migration',
    title: 'Migration or restore refused: Target device … option does not match source',
    seen: "Target device iommu option '<dst>' does not match source '<src>'",
    rules: ['R-MIG-01', 'R-MIG-02'],
    cause: 'A virtio option that is guest ABI (iommu, ats, packed, page_per_vq) differs between the source and the destination definition.',
    fix: "Make the destination's <driver> options identical to the source's.",
    compareWithDestination: true,
  },
  {
    id: 'T-19',
    group: 'start',
    title: 'virtiofs with iommu on: the domain will not start, or the mount hangs',
    seen: 'iommu_platform=true is not supported by the device',
    seenAlso: ['Mount hangs; virtiofsd exits'],
    rules: ['R-QEMU-02', 'R-SNP-03', 'R-BE-03'],
    cause:
      'virtiofsd does not offer ACCESS_PLATFORM: QEMU refuses vhost-user-fs-pci with iommu_platform on (older stacks hung instead). In a confidential VM the bit is required, so virtiofs cannot be used there.',
  },
  {
    id: 'T-20',
    group: 'host',
    title: 'virt-host-validate: SEV appears to be disabled in kernel',
    seen: 'WARN (AMD Secure Encrypted Virtualization appears to be disabled in kernel. Add kvm_amd.sev=1 to the kernel cmdline arguments)',
    rules: ['R-SEV-05'],
    cause: 'The kvm_amd module runs with SEV off.',
    fix: 'Add kvm_amd.sev=1 (and mem_encrypt=on) to the host kernel command line and reboot.',
    hostEvidence: /sev|secure guest/i,
  },
  {
    id: 'T-21',
    group: 'start',
    title: "QEMU: 'virtio-…-ccw-transitional' is not a valid device model name",
    seen: "'virtio-blk-ccw-transitional' is not a valid device model name",
    seenAlso: [
      "'virtio-net-ccw-non-transitional' is not a valid device model name",
      "'virtio-net-device-transitional' is not a valid device model name",
    ],
    rules: ['R-XML-04'],
    cause:
      'A virtio-transitional or virtio-non-transitional model on virtio-ccw or virtio-mmio: those models exist only on PCI. libvirt defines the domain anyway.',
  },
  {
    id: 'T-22',
    group: 'start',
    title: 'SEV-SNP or TDX guest refuses SMM',
    seen: 'SEV-SNP does not support SMM.',
    seenAlso: ["TDX VM doesn't support SMM"],
    rules: ['R-SNP-01', 'R-TDX-01'],
    cause: "<smm state='on'/>, or a secure-boot firmware that makes libvirt turn SMM on, in a guest that has no SMM.",
  },
  {
    id: 'T-23',
    group: 'start',
    title: 'SEV-SNP or TDX guest with pflash firmware',
    seen: 'pflash with kvm requires KVM readonly memory support',
    rules: ['R-SNP-01', 'R-TDX-01'],
    cause:
      'SNP and TDX guests have no read-only memory slots: the firmware must be loaded with -bios (a memory-mapped or stateless firmware), not pflash.',
  },
  {
    id: 'T-24',
    group: 'define',
    title: 'libvirt: failed to get launch security policy',
    seen: 'XML error: failed to get launch security policy',
    rules: ['R-SEV-01', 'R-SEVES-01', 'R-SNP-01'],
    cause:
      "<launchSecurity type='sev'> and type='sev-snp' need a <policy>; cbitpos and reducedPhysBits may be left out from libvirt 6.9.0.",
  },
  {
    id: 'T-25',
    group: 'define',
    title: 'libvirt: requires shared memory',
    seen: "'vhostuser' requires shared memory",
    seenAlso: ["'virtiofs' requires shared memory", "'interface' requires shared memory"],
    rules: ['R-BE-03'],
    cause:
      'A vhost-user disk, NIC (libvirt 11.2 and later) or virtiofs needs shared guest memory: memfd with shared access, or NUMA cells with memAccess=shared.',
  },
  {
    id: 'T-26',
    group: 'define',
    title: 'libvirt: IOMMU interrupt remapping requires split I/O APIC',
    seen: "IOMMU interrupt remapping requires split I/O APIC (ioapic driver='qemu')",
    seenAlso: [
      "IOMMU device: 'virtio' is only supported with Q35 and ARM Virt machines",
      "IOMMU device: 'intel' is only supported with Q35 machines",
    ],
    rules: ['R-VIOMMU-01'],
    cause:
      "An intel vIOMMU with intremap='on' without <ioapic driver='qemu'/> (libvirt 9.0; 11.3 and later add it), or a vIOMMU model the machine type does not have.",
  },
];
