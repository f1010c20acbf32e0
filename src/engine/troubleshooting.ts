/**
 * Troubleshooting as data: the fact sheet's symptoms (domain-facts.md §4, T-01…T-20) and the messages its §7
 * corrections add (T-21…), each with the rules that explain it, the question only the user can answer, and the goal
 * that fixes it. The wizard's Troubleshoot view renders these; it adds no knowledge of its own.
 */
import type { SecureType } from '../contracts/facts';
import { allQuotes, launchSecurityRefusals, VHOST_USER_IOMMU_PROTOCOL, vmTypeRefused } from './messages';

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
  /**
   * The exact step to take (host, guest, backend or XML side), in words: what the wizard says when the plan has no
   * change for the symptom, so every symptom ends in a plan or in this.
   */
  readonly fix: string;
  /** The host's part of a technology is the fix: its host jobs (technologies.ts) are listed with it. */
  readonly hostJobsOf?: SecureType;
  /** The cause is a difference between two definitions: ask for the other one (migration destination). */
  readonly compareWithDestination?: boolean;
  /** An ordinary VM's vhost-net behind a vIOMMU: the wizard offers to drop iommu='on' from its virtio NICs. */
  readonly offerDropIommuOnNics?: boolean;
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
    fix: "Find the device the guest names in dmesg (virtio_blk, virtio_net …). If a vhost-user backend serves it, start the backend with IOMMU support (it must offer VIRTIO_F_ACCESS_PLATFORM) or give the device QEMU's own backend; otherwise write <driver iommu='on'/> on it.",
  },
  {
    id: 'T-02',
    group: 'device',
    title: 'dmesg: device must provide VIRTIO_F_VERSION_1',
    seen: 'device must provide VIRTIO_F_VERSION_1',
    rules: ['R-XML-05', 'R-QEMU-03'],
    cause: 'A device runs in legacy mode: a transitional model, or virtio-mmio (legacy in QEMU).',
    fix: "Give the device the guest names model='virtio-non-transitional' (Platform step); a virtio-mmio device cannot be made modern, so move it to virtio-pci where the machine has PCI.",
  },
  {
    id: 'T-03',
    group: 'start',
    title: 'QEMU refuses to start: IOMMU_PLATFORM message',
    seen: 'VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device',
    rules: ['R-XML-05'],
    cause: 'iommu on a device whose legacy interface is enabled (transitional model, or model virtio on conventional PCI).',
    fix: "Give the device QEMU names in its message model='virtio-non-transitional', or remove iommu='on' from it.",
  },
  {
    id: 'T-04',
    group: 'start',
    title: 'QEMU refuses a device: iommu_platform=true is not supported',
    seen: 'iommu_platform=true is not supported by the device',
    rules: ['R-QEMU-02', 'R-BE-03', 'R-BE-04'],
    cause: 'The vhost-user backend does not offer ACCESS_PLATFORM.',
    fix: "Run the vhost-user backend with IOMMU support (it must offer VIRTIO_F_ACCESS_PLATFORM), or give the device QEMU's own backend (a file or network source instead of type='vhostuser').",
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
    fix: 'Update the vhost-user backend to one that offers the REPLY_ACK and BACKEND_REQ protocol features, or turn ACCESS_PLATFORM off for that device in an ordinary VM.',
  },
  {
    id: 'T-06',
    group: 'device',
    title: 'Ordinary guest: device missing, "device refuses features"',
    seen: 'virtio: device refuses features: …',
    rules: ['R-SPEC-03', 'R-LNX-06', 'R-WIN-01', 'R-LNX-05'],
    question: 'Is the guest kernel older than Linux 4.8, or Windows with old virtio-win drivers?',
    cause: 'The guest driver did not accept bit 33 (old driver, or the balloon).',
    fix: "Update the guest's virtio drivers (a current kernel, or the current virtio-win ISO on Windows); until then, remove iommu='on' from the devices of this ordinary VM.",
  },
  {
    id: 'T-07',
    group: 'device',
    title: 'Balloon: device must provide VIRTIO_F_ACCESS_PLATFORM',
    seen: 'virtio_balloon virtio<N>: device must provide VIRTIO_F_ACCESS_PLATFORM',
    rules: ['R-LNX-05'],
    cause: 'The balloon driver never accepts ACCESS_PLATFORM.',
    fix: "Replace the balloon with <memballoon model='none'/>.",
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
    fix: "Write <driver iommu='on'/> on every virtio device of the guest, and update the guest kernel.",
  },
  {
    id: 'T-09',
    group: 'slow',
    title: 'vhost-net is slow after iommu=on',
    seen: 'Throughput collapses',
    rules: ['R-BE-02', 'R-VIOMMU-04'],
    cause: 'vhost uses its device IOTLB: a vIOMMU is present, or QEMU is older than 6.2.',
    hostEvidence: /vhost-net/i,
    fix: "In an ordinary VM, drop iommu='on' from the NIC (nothing needs it there), or keep it and boot the guest with iommu=pt on its kernel command line, so the guest's vIOMMU passes the NIC's addresses through untranslated.",
    offerDropIommuOnNics: true,
  },
  {
    id: 'T-10',
    group: 'slow',
    title: 'swiotlb buffer is full',
    seen: 'swiotlb buffer is full (sz: … bytes), total … (slots), used … (slots)',
    rules: ['R-LNX-04', 'R-LNX-03'],
    cause:
      "The guest's bounce-buffer pool is smaller than the DMA its virtio devices have in flight. The evidence gives the pool this domain's guest gets, the worst case of its devices and the swiotlb= that covers it.",
    fix: 'Put the recommended swiotlb= on the guest kernel command line: in its boot loader, or in <os><cmdline> for direct kernel boot, which the plan writes. Fewer queues or a smaller queue_size lower the worst case.',
  },
  {
    id: 'T-11',
    group: 'device',
    title: 'The guest has no SWIOTLB buffer',
    seen: "Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer",
    seenAlso: ["Kernel panic - not syncing: Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer"],
    rules: ['R-LNX-04', 'R-LNX-03'],
    cause:
      'The guest has no bounce-buffer pool: it could not allocate the size asked for at boot (on x86 the pool must lie below 4 GiB), or swiotlb=noforce turned it off. Linux 6.0 and later log this and fail the I/O; older kernels stop with "Kernel panic - not syncing: Can not allocate SWIOTLB buffer earlier …".',
    fix: 'Lower swiotlb= on the guest kernel command line (6.1 from 6.1.40, 6.12 and later halve a pool that does not fit until it does), remove swiotlb=noforce, or give the guest more memory.',
  },
  {
    id: 'T-12',
    group: 'start',
    title: 'SEV guest network boot hangs',
    seen: 'PXE boot never completes',
    rules: ['R-SEV-04'],
    cause: 'The iPXE option ROM is not SEV-aware.',
    goal: 'sev',
    fix: "Turn the NIC's option ROM off (<rom enabled='no'/>) and boot from disk.",
  },
  {
    id: 'T-13',
    group: 'start',
    title: 'SEV guest fails to launch on memory limits',
    seen: 'Launch fails (locked memory)',
    rules: ['R-SEV-03'],
    cause: 'SEV pins guest memory beyond the locked-memory limit.',
    goal: 'sev',
    fix: 'Add <memoryBacking><locked/></memoryBacking> to the domain.',
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
    fix: "Prepare the host for the technology (below), reboot it, and check that 'virsh domcapabilities' lists it as supported; a domain of type 'qemu' must become type 'kvm'.",
    hostJobsOf: 'sev',
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
    fix: 'Prepare the host for Protected Virtualization (below) and reboot it.',
    hostJobsOf: 's390-pv',
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
    hostJobsOf: 'sev-snp',
  },
  {
    id: 'T-17',
    group: 'migration',
    title: 'virsh migrate: Migration is not implemented',
    seen: 'SEV: Migration is not implemented',
    seenAlso: ['SEV-SNP: Migration is not implemented'],
    rules: ['R-SEV-06'],
    cause: 'QEMU blocks live migration of SEV-family guests.',
    fix: 'Move the guest cold: shut it down, copy its disk and definition, and start it on the destination; a guest that must live-migrate cannot use SEV.',
  },
  {
    id: 'T-18',
    group: 'migration',
    title: 'Migration or restore refused: a virtio option or queue count does not match the source',
    seen: "Target device iommu option '<dst>' does not match source '<src>'",
    seenAlso: [
      'Target disk queue count <dst> does not match source <src>',
      "Target virtio network queue count '<dst>' does not match source '<src>'",
      'get_pci_config_device: Bad config data',
    ],
    rules: ['R-MIG-01'],
    cause:
      "A virtio option that is guest ABI (iommu, ats, packed, page_per_vq), or a virtio disk's or NIC's queue count, differs between the source and the destination definition (before libvirt 11.4.0 QEMU, not libvirt, refuses the NIC's).",
    fix: "Make the destination's <driver> options and queue counts identical to the source's.",
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
    fix: "In a confidential VM, share the files another way: a virtio disk with the files on it, or NFS over the virtio NIC. In an ordinary VM, remove iommu='on' from the <filesystem>.",
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
    hostJobsOf: 'sev',
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
    fix: "Give the ccw or mmio device model='virtio' (only PCI has transitional and non-transitional models).",
  },
  {
    id: 'T-22',
    group: 'start',
    title: 'SEV-SNP or TDX guest refuses SMM',
    seen: 'SEV-SNP does not support SMM.',
    seenAlso: ["TDX VM doesn't support SMM"],
    rules: ['R-SNP-01', 'R-TDX-01'],
    cause: "<smm state='on'/>, or a secure-boot firmware that makes libvirt turn SMM on, in a guest that has no SMM.",
    fix: "Write <smm state='off'/> under <features>, and use firmware without secure boot (which needs SMM).",
  },
  {
    id: 'T-23',
    group: 'start',
    title: 'SEV-SNP or TDX guest with pflash firmware',
    seen: 'pflash with kvm requires KVM readonly memory support',
    rules: ['R-SNP-01', 'R-TDX-01'],
    cause:
      'SNP and TDX guests have no read-only memory slots: the firmware must be loaded with -bios (a memory-mapped or stateless firmware), not pflash.',
    fix: "Load the firmware with -bios: <loader type='rom'> (a stateless firmware for SNP, TDVF for TDX) instead of pflash.",
  },
  {
    id: 'T-24',
    group: 'define',
    title: 'libvirt: failed to get launch security policy',
    seen: 'XML error: failed to get launch security policy',
    rules: ['R-SEV-01', 'R-SEVES-01', 'R-SNP-01'],
    cause:
      "<launchSecurity type='sev'> and type='sev-snp' need a <policy>; cbitpos and reducedPhysBits may be left out from libvirt 6.9.0.",
    fix: "Add <policy> to <launchSecurity> (0x0003 for SEV, 0x30000 for SEV-SNP); on libvirt older than 6.9 also the host's cbitpos and reducedPhysBits.",
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
    fix: "Give the guest shared memory: <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>, or memAccess='shared' on its NUMA cells.",
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
    fix: "Add <ioapic driver='qemu'/> under <features>, or turn intremap off on the <iommu>, or use a vIOMMU model the machine has.",
  },
  {
    id: 'T-27',
    group: 'start',
    title: 'QEMU: vm-type SEV-SNP not supported by KVM',
    seen: vmTypeRefused('sev-snp'),
    rules: ['R-SNP-02'],
    cause:
      "The host kernel's KVM does not run SEV-SNP guests: a kernel before 6.11, or SNP not enabled in the system firmware or the SEV firmware, so /sys/module/kvm_amd/parameters/sev_snp reads N or is absent. libvirt let the domain through because its domain capabilities list sev-snp whenever QEMU has it and SEV works; it does not ask KVM about SNP.",
    fix: 'Enable SEV-SNP in the system firmware, boot a host kernel of 6.11 or later, and check that /sys/module/kvm_amd/parameters/sev_snp reads Y before starting the guest; or run it as SEV-ES or SEV meanwhile.',
    hostEvidence: /sev_snp/i,
    hostJobsOf: 'sev-snp',
  },
  {
    id: 'T-28',
    group: 'start',
    title: 'QEMU: vm-type TDX not supported by KVM',
    seen: vmTypeRefused('tdx'),
    rules: ['R-TDX-01'],
    cause:
      "The host kernel's KVM does not run TDX guests: a kernel without KVM TDX support (6.16), TDX not enabled in the system firmware, or the TDX module not loaded, so /sys/module/kvm_intel/parameters/tdx does not read Y. libvirt 11.6 to 11.9 report TDX in domain capabilities on such hosts too (fixed in 11.10.0).",
    fix: 'Enable TDX in the system firmware, load the TDX module, boot a host kernel with KVM TDX support, and check that /sys/module/kvm_intel/parameters/tdx reads Y before starting the guest.',
    hostEvidence: /tdx/i,
    hostJobsOf: 'tdx',
  },
];
