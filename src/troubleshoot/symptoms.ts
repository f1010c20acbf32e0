/**
 * Troubleshooting as data: the fact sheet's symptoms (domain-facts.md §4, T-01…T-20), grouped as users meet them,
 * each with the rules that explain it, the question only the user can answer, and how it ends: a plan with changes
 * (a goal, or the engine's fix of the rules found in the domain) or an exact manual step. The wizard's
 * Troubleshoot view shows these; nothing here depends on a UI.
 */
import type { SecureType } from '../contracts/facts';

export type SymptomGroup = 'start' | 'device' | 'slow' | 'migration' | 'host';

export const SYMPTOM_GROUPS: readonly { readonly id: SymptomGroup; readonly title: string }[] = [
  { id: 'start', title: 'The VM does not start' },
  { id: 'device', title: 'The guest sees no device, or it fails' },
  { id: 'slow', title: 'I/O is slow or runs out of buffers' },
  { id: 'migration', title: 'Migration or restore fails' },
  { id: 'host', title: 'The host cannot run a confidential VM' },
];

export interface Symptom {
  readonly id: string;
  readonly group: SymptomGroup;
  readonly title: string;
  /** What the user sees, verbatim where there is a message. */
  readonly seen: string;
  readonly rules: readonly string[];
  /** Something neither the XML nor the host can tell; the answer decides which cause applies. */
  readonly question?: string;
  readonly cause: string;
  /** A confidential-VM goal the fix implies, when the symptom only happens in one. */
  readonly goal?: SecureType;
  /** Which host evidence (main/services/host-evidence.ts fact names) bears on the cause. */
  readonly hostEvidence?: RegExp;
  /** The exact step to take when the fix is not in this domain's XML (host, guest or backend side). */
  readonly manual: string;
  /** The host's part of a technology is the fix: its list of host jobs (src/engine/technologies.ts) is shown. */
  readonly hostJobsOf?: SecureType;
  /** The cause is a difference between two definitions: ask for the other one (migration destination). */
  readonly compareWithDestination?: boolean;
  /** Offer to drop iommu='on' from the domain's virtio NICs (an ordinary VM's vhost-net behind a vIOMMU). */
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
      'A device did not offer ACCESS_PLATFORM: iommu missing on a QEMU older than 6.0, an explicit iommu=off, or a vhost-user backend without it.',
    manual:
      "Find the device the guest names in dmesg (virtio_blk, virtio_net …). If it is served by vhost-user, start its backend with IOMMU support (it must offer VIRTIO_F_ACCESS_PLATFORM) or give the device QEMU's own backend; otherwise write <driver iommu='on'/> on it.",
  },
  {
    id: 'T-02',
    group: 'device',
    title: 'dmesg: device must provide VIRTIO_F_VERSION_1',
    seen: 'device must provide VIRTIO_F_VERSION_1',
    rules: ['R-XML-05', 'R-QEMU-03'],
    cause: 'A device runs in legacy mode: a transitional model, or virtio-mmio (legacy in QEMU).',
    manual:
      "Give the device the guest names model='virtio-non-transitional' (Platform step); a virtio-mmio device cannot be made modern, so move it to virtio-pci where the machine has PCI.",
  },
  {
    id: 'T-03',
    group: 'start',
    title: 'QEMU refuses to start: IOMMU_PLATFORM message',
    seen: 'VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device',
    rules: ['R-XML-05'],
    cause: 'iommu on a device whose legacy interface is enabled (transitional model, or model virtio on conventional PCI).',
    manual: "Give the device QEMU names in its message model='virtio-non-transitional', or remove iommu='on' from it.",
  },
  {
    id: 'T-04',
    group: 'start',
    title: 'QEMU refuses a device: iommu_platform=true is not supported',
    seen: 'iommu_platform=true is not supported by the device',
    rules: ['R-QEMU-02', 'R-BE-03', 'R-BE-04'],
    cause: 'The vhost-user backend does not offer ACCESS_PLATFORM.',
    manual:
      "Run the vhost-user backend with IOMMU support (it must offer VIRTIO_F_ACCESS_PLATFORM), or give the device QEMU's own backend (a file or network source instead of type='vhostuser').",
  },
  {
    id: 'T-05',
    group: 'start',
    title: 'vhost-user: IOMMU support requires reply-ack and backend-req',
    seen: 'IOMMU support requires reply-ack and slave-req protocol features.',
    rules: ['R-BE-03'],
    cause: 'vhost-user behind a translating vIOMMU with a backend lacking REPLY_ACK/BACKEND_REQ.',
    manual:
      'Update the vhost-user backend to one that offers the REPLY_ACK and BACKEND_REQ protocol features, or remove the translating <iommu> device from the domain.',
  },
  {
    id: 'T-06',
    group: 'device',
    title: 'Ordinary guest: device missing, "device refuses features"',
    seen: 'virtio: device refuses features: …',
    rules: ['R-SPEC-03', 'R-LNX-06', 'R-WIN-01', 'R-LNX-05'],
    question: 'Is the guest kernel older than Linux 4.8, or Windows with old virtio-win drivers?',
    cause: 'The guest driver did not accept bit 33 (old driver, or the balloon).',
    manual:
      "Update the guest's virtio drivers (a current kernel, or the current virtio-win ISO on Windows); until then, remove iommu='on' from the devices of this ordinary VM.",
  },
  {
    id: 'T-07',
    group: 'device',
    title: 'Balloon: device must provide VIRTIO_F_ACCESS_PLATFORM',
    seen: 'virtio_balloon virtioN: device must provide VIRTIO_F_ACCESS_PLATFORM',
    rules: ['R-LNX-05'],
    cause: 'The balloon driver never accepts ACCESS_PLATFORM.',
    manual: "Replace the balloon with <memballoon model='none'/>.",
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
    manual: "Write <driver iommu='on'/> on every virtio device of the guest, and update the guest kernel.",
  },
  {
    id: 'T-09',
    group: 'slow',
    title: 'vhost-net is slow after iommu=on',
    seen: 'Throughput collapses',
    rules: ['R-BE-02', 'R-VIOMMU-04'],
    cause: 'vhost uses its device IOTLB: a vIOMMU is present, or QEMU is older than 6.2.',
    hostEvidence: /vhost-net/i,
    manual:
      "In an ordinary VM, drop iommu='on' from the NIC (nothing needs it there), or keep it and boot the guest with iommu=pt on its kernel command line, so the guest's vIOMMU passes the NIC's addresses through untranslated.",
    offerDropIommuOnNics: true,
  },
  {
    id: 'T-10',
    group: 'slow',
    title: 'swiotlb buffer is full',
    seen: 'swiotlb buffer is full (sz: … bytes), total … (slots), used … (slots)',
    rules: ['R-LNX-04', 'R-LNX-03'],
    cause: 'The bounce-buffer pool is exhausted under heavy I/O.',
    manual:
      'Boot the guest with a larger pool: swiotlb=SLOTS on its kernel command line (a slot is 2 KiB, so swiotlb=262144 is 512 MiB), and give it the memory for it.',
  },
  {
    id: 'T-11',
    group: 'start',
    title: 'Guest panics early: cannot allocate SWIOTLB buffer',
    seen: "Kernel panic - not syncing: Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer",
    rules: ['R-LNX-04', 'R-LNX-03'],
    cause: 'The requested swiotlb size cannot be allocated early: too large for the guest memory, or not enough low memory.',
    manual: 'Lower swiotlb= on the guest kernel command line, or give the guest more memory.',
  },
  {
    id: 'T-12',
    group: 'start',
    title: 'SEV guest network boot hangs',
    seen: 'PXE boot never completes',
    rules: ['R-SEV-04'],
    cause: 'The iPXE option ROM is not SEV-aware.',
    goal: 'sev',
    manual: "Turn the NIC's option ROM off (<rom enabled='no'/>) and boot from disk.",
  },
  {
    id: 'T-13',
    group: 'start',
    title: 'SEV guest fails to launch on memory limits',
    seen: 'Launch fails (locked memory)',
    rules: ['R-SEV-03'],
    cause: 'SEV pins guest memory beyond the locked-memory limit.',
    goal: 'sev',
    manual: 'Add <memoryBacking><locked/></memoryBacking> to the domain.',
  },
  {
    id: 'T-14',
    group: 'host',
    title: 'SEV launch security is not supported with this QEMU binary',
    seen: 'SEV launch security is not supported with this QEMU binary',
    rules: ['R-SEV-05', 'R-SEV-01'],
    cause: 'The host or its QEMU lacks SEV.',
    hostEvidence: /sev|svm|secure guest|hardware virtualization/i,
    hostJobsOf: 'sev',
    manual: "Prepare the host for SEV (below), reboot it, and check that 'virsh domcapabilities' shows <sev supported='yes'>.",
  },
  {
    id: 'T-15',
    group: 'host',
    title: 'S390 PV launch security is not supported',
    seen: 'S390 PV launch security is not supported by this host or kernel',
    rules: ['R-PV-03', 'R-PV-01'],
    cause: 'The host is not prepared for PV, or QEMU is older than 6.0.',
    hostEvidence: /prot_virt|secure guest/i,
    hostJobsOf: 's390-pv',
    manual: 'Prepare the host for Protected Virtualization (below) and reboot it.',
  },
  {
    id: 'T-16',
    group: 'host',
    title: 'SNP unavailable: host IOMMU disabled or in passthrough mode',
    seen: 'SNP: IOMMU is disabled or configured in passthrough mode, SNP cannot be supported',
    rules: ['R-SNP-02'],
    cause: "The host's IOMMU is off or in passthrough mode. This is the host IOMMU, not the guest's <driver iommu>.",
    hostEvidence: /sev_snp|IOMMU support/i,
    hostJobsOf: 'sev-snp',
    manual: 'Remove iommu=pt and amd_iommu=off from the host kernel command line and reboot.',
  },
  {
    id: 'T-17',
    group: 'migration',
    title: 'virsh migrate: SEV: Migration is not implemented',
    seen: 'SEV: Migration is not implemented',
    rules: ['R-SEV-06'],
    cause: 'QEMU blocks live migration of SEV-family guests.',
    manual:
      'Move the guest cold: shut it down, copy its disk and definition, and start it on the destination; a guest that must live-migrate cannot use SEV.',
  },
  {
    id: 'T-18',
    group: 'migration',
    title: 'Migration or restore refused: Target device … option does not match source',
    seen: "Target device iommu option 'X' does not match source 'Y'",
    rules: ['R-MIG-01', 'R-MIG-02'],
    cause: 'A virtio option that is guest ABI (iommu, ats, packed, page_per_vq) differs between the source and the destination definition.',
    manual: "Make the destination's <driver> options identical to the source's.",
    compareWithDestination: true,
  },
  {
    id: 'T-19',
    group: 'device',
    title: 'virtiofs mount hangs or virtiofsd exits',
    seen: 'Mount hangs; virtiofsd exits',
    rules: ['R-SNP-03', 'R-BE-03', 'R-BE-04'],
    cause: 'The virtiofs backend lacks ACCESS_PLATFORM support.',
    manual:
      'In a confidential VM, share the files another way: a virtio disk with the files on it, or NFS over the virtio NIC; virtiofsd does not offer ACCESS_PLATFORM.',
  },
  {
    id: 'T-20',
    group: 'host',
    title: 'virt-host-validate: SEV appears to be disabled in kernel',
    seen: 'WARN (AMD Secure Encrypted Virtualization appears to be disabled in kernel. Add kvm_amd.sev=1 to the kernel cmdline arguments)',
    rules: ['R-SEV-05'],
    cause: 'The kvm_amd module runs with SEV off.',
    hostEvidence: /sev|secure guest/i,
    hostJobsOf: 'sev',
    manual: 'Add kvm_amd.sev=1 (and mem_encrypt=on) to the host kernel command line and reboot.',
  },
];
