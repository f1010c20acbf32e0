/**
 * Every rule of the fact sheet (domain-facts.md §2) with its title, and, for the ones no record evaluates, the
 * reason it cannot be decided from a domain, its host and its guest. Records are found by id (rules/index.ts);
 * a test checks that every id here has records or a reason, and that the sheet has no id missing here.
 */
export interface SheetRule {
  readonly id: string;
  readonly title: string;
  /** Why no record evaluates it; absent when records do. */
  readonly notDecidable?: string;
  /** A check outside the record interpreter, for rules that need more than one domain. */
  readonly evaluatedBy?: string;
}

export const SHEET_RULES: readonly SheetRule[] = [
  {
    id: 'R-SPEC-01',
    title: 'What the bit means',
    notDecidable: 'Definition only; every explanation starts from it (words.ts WHAT_IOMMU_DOES).',
  },
  {
    id: 'R-SPEC-02',
    title: 'Only modern (VIRTIO 1.x) devices and drivers can negotiate it',
    notDecidable:
      'Decided per transport and guest by R-XML-05 (legacy virtio-pci), R-QEMU-03 (legacy mmio) and R-LNX-06 (legacy-only guest drivers); the ccw revision is negotiated at run time.',
  },
  { id: 'R-SPEC-03', title: 'The device may refuse to work if the driver does not accept the bit; QEMU does refuse' },
  {
    id: 'R-SPEC-04',
    title: 'Neighbouring feature bits (commonly misnumbered)',
    notDecidable: 'Reference knowledge (bit numbers); nothing in a domain depends on it.',
  },
  {
    id: 'R-SPEC-05',
    title: 'Names: IOMMU_PLATFORM = ACCESS_PLATFORM = iommu_platform = <driver iommu>',
    notDecidable: 'Vocabulary used by every explanation.',
  },
  { id: 'R-XML-01', title: '<driver iommu> is a per-device virtio option, emitted only when present' },
  { id: 'R-XML-02', title: 'ats applies only to PCI Express devices and is useful only with a vIOMMU device IOTLB' },
  {
    id: 'R-XML-03',
    title: 'packed and page_per_vq are independent of ACCESS_PLATFORM',
    notDecidable: 'Information only; the transport limits of page_per_vq are checked by R-TRN-04.',
  },
  { id: 'R-XML-04', title: 'virtio device models: transitional vs non-transitional' },
  { id: 'R-XML-05', title: 'iommu on a transitional or legacy virtio-pci device makes QEMU fail' },
  {
    id: 'R-XML-06',
    title: 'libvirt does not set or validate iommu for confidential VMs',
    notDecidable: 'A fact about libvirt, the reason the engine checks; cited in R-QEMU-01 explanations.',
  },
  { id: 'R-XML-07', title: "An explicit iommu='off' defeats QEMU's confidential-VM default" },
  { id: 'R-QEMU-01', title: 'Confidential-guest support makes iommu_platform=on (and disable-legacy=on) the default (QEMU >= 6.0)' },
  { id: 'R-QEMU-02', title: 'QEMU refuses a device whose backend cannot honour iommu_platform' },
  { id: 'R-QEMU-03', title: 'virtio-mmio in QEMU defaults to the legacy interface' },
  {
    id: 'R-LNX-01',
    title: 'Linux accepts the bit since 4.8, and it switches the ring to the DMA API',
    notDecidable: 'Background for the data path; the 4.8 minimum is checked by R-SPEC-03 when the guest kernel version is known.',
  },
  {
    id: 'R-LNX-02',
    title: 'Confidential Linux guests reject virtio devices without VERSION_1 and ACCESS_PLATFORM',
    notDecidable: 'The guest-side consequence; its messages appear in R-CC-01, R-SEV-02, R-PV-02, R-XML-07 and R-QEMU-03 findings.',
  },
  { id: 'R-LNX-03', title: 'SWIOTLB bounce-buffer size in confidential guests' },
  { id: 'R-LNX-04', title: 'SWIOTLB exhaustion under heavy I/O' },
  { id: 'R-LNX-05', title: 'virtio-balloon never accepts ACCESS_PLATFORM' },
  { id: 'R-LNX-06', title: 'Legacy-only guests break when the bit is offered' },
  { id: 'R-CC-01', title: 'Every confidential VM needs ACCESS_PLATFORM on every virtio device, and no vIOMMU' },
  { id: 'R-SEV-01', title: 'AMD SEV: XML and minimum versions' },
  { id: 'R-SEV-02', title: 'SEV: ACCESS_PLATFORM on every virtio device' },
  { id: 'R-SEV-03', title: 'SEV guests need their memory locked (or a hard limit)' },
  { id: 'R-SEV-04', title: 'SEV: machine type, firmware and other devices' },
  { id: 'R-SEV-05', title: 'SEV host checks' },
  { id: 'R-SEV-06', title: 'SEV/SEV-ES/SNP guests cannot be live-migrated by QEMU' },
  { id: 'R-SEVES-01', title: 'SEV-ES' },
  { id: 'R-SNP-01', title: 'AMD SEV-SNP' },
  { id: 'R-SNP-02', title: 'The SNP host IOMMU must be on and not in passthrough mode' },
  { id: 'R-SNP-03', title: 'vhost-user-fs (virtiofs) does not work under SNP (as of QEMU 10.0)' },
  { id: 'R-TDX-01', title: 'Intel TDX' },
  { id: 'R-PV-01', title: 'IBM s390 Protected Virtualization: XML and versions' },
  { id: 'R-PV-02', title: 's390 PV: ACCESS_PLATFORM on every virtio-ccw device' },
  { id: 'R-PV-03', title: 's390 PV host prerequisites' },
  { id: 'R-PV-04', title: 's390 PV restrictions' },
  { id: 'R-PV-05', title: 'On virtio-ccw, ACCESS_PLATFORM means "use the DMA API" (there is no IOMMU)' },
  { id: 'R-PEF-01', title: 'IBM POWER PEF (Secure VM)' },
  { id: 'R-CCA-01', title: 'Arm CCA (Realms)' },
  {
    id: 'R-TRN-01',
    title: 'virtio-pci: legacy, transitional, modern',
    notDecidable: 'Transport semantics; applied through the slot and model facts by R-XML-05 and R-XML-02.',
  },
  { id: 'R-TRN-02', title: 'virtio-ccw', notDecidable: 'Transport semantics; applied by R-PV-05, R-XML-02 and R-TRN-04.' },
  { id: 'R-TRN-03', title: 'virtio-mmio', notDecidable: 'Transport semantics; applied by R-QEMU-03, R-XML-02 and R-TRN-04.' },
  { id: 'R-TRN-04', title: 'Attribute applicability matrix (libvirt <driver>)' },
  {
    id: 'R-BE-01',
    title: 'QEMU userspace virtio devices',
    notDecidable: 'Information only: QEMU devices support the bit at negligible cost; the vIOMMU cost is explained by R-VIOMMU-02.',
  },
  { id: 'R-BE-02', title: 'vhost-kernel (vhost-net, vhost-vsock, vhost-scsi) and the device IOTLB' },
  { id: 'R-BE-03', title: 'vhost-user and ACCESS_PLATFORM' },
  { id: 'R-BE-04', title: 'vhost-user in confidential VMs' },
  { id: 'R-BE-05', title: 'vDPA' },
  { id: 'R-VIOMMU-01', title: '<iommu> models and versions' },
  { id: 'R-VIOMMU-02', title: "Relationship between <iommu> and <driver iommu='on'/>" },
  { id: 'R-VIOMMU-03', title: 'Confidential VMs do not need a vIOMMU' },
  { id: 'R-VIOMMU-04', title: 'vhost with a vIOMMU: use iotlb + ats' },
  {
    id: 'R-MIG-01',
    title: 'iommu and ats are guest ABI; libvirt checks them',
    evaluatedBy:
      "compareForMigration(source, destination, libvirt): every shared virtio device's iommu, ats, packed and page_per_vq must match, or libvirt refuses with \"Target device iommu option 'X' does not match source 'Y'\"; so must a virtio disk's queues and queue_size, and a virtio NIC's queues (libvirt refuses from 11.4.0, QEMU before).",
  },
  {
    id: 'R-MIG-02',
    title: 'No machine-type compat property for iommu_platform; the QEMU 6.0 default is tied to the confidential-guest object',
    notDecidable:
      "An absent iommu differs across QEMU 6.0 only in a guest with a confidential-guest object, and every such object but SEV's came with QEMU 6.0 or later (s390-pv-guest 6.0, sev-snp-guest 9.1, tdx-guest 10.1, pef-guest 6.0), so both ends of a migration already have the default; SEV-family guests cannot live-migrate at all (R-SEV-06). The explanation stays in R-QEMU-01's findings.",
  },
  { id: 'R-WIN-01', title: 'virtio-win drivers accept ACCESS_PLATFORM' },
  { id: 'R-WIN-02', title: 'Windows as a confidential guest' },
  {
    id: 'R-HIST-01',
    title: 'Positions in the Feb 2020 force_dma_unencrypted thread',
    notDecidable: 'History, used in explanations (THREAD-2020 sources).',
  },
];
