/**
 * AMD SEV-SNP (R-SNP-*).
 */
import type { RuleRecord } from '../rule-types';
import { SEV_FAMILY } from '../context';
import { src } from '../sources';

import { secureName, MSG_BACKEND_NO_IOMMU } from '../words';
import { technology } from '../technologies';
import { technologyRecords, hostSupportRecord } from './technology-records';

export const SNP_RULES: readonly RuleRecord<'domain'>[] = [
  ...technologyRecords(technology('sev-snp')),
  hostSupportRecord(
    'R-SNP-02',
    ['sev-snp'],
    (c) => c.input.host.sevSnp,
    'whether the host supports SEV-SNP (virsh domcapabilities)',
    ['SNP: IOMMU is disabled or configured in passthrough mode, SNP cannot be supported'],
    "SEV-SNP needs SNP-capable firmware, a host kernel with KVM SNP support (6.11) and the host IOMMU enabled and not in passthrough mode (no iommu=pt or amd_iommu=off on the host kernel command line). That host IOMMU has nothing to do with the guest's <driver iommu='on'/>.",
    [src('AMDSEV', 'issues #88, #113: host IOMMU required')],
  ),
];

export const SNP_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-SNP-03',
    id: 'R-SNP-03',
    scope: 'device',
    severity: 'warning',
    when: [(c) => SEV_FAMILY.has(c.cvm) || c.cvm === 'tdx', (c) => c.device.function === 'fs' && c.device.fsDriver === 'virtiofs'],
    title: (c) => `${c.device.label}: virtiofs is known to fail in ${secureName(c.cvm)} guests`,
    explanation:
      'vhost-user-fs-pci was reported failing under SEV-SNP (QEMU 10.0, 2025, still open) and TDX (2022), because virtiofsd did not offer ACCESS_PLATFORM; current virtiofsd was not verified.',
    messages: ['virtiofs virtio2: device must provide VIRTIO_F_ACCESS_PLATFORM', MSG_BACKEND_NO_IOMMU],
    fix: { text: 'Avoid virtiofs in confidential VMs unless you verified your virtiofsd and QEMU.' },
    sources: [src('AMDSEV', 'issue #269 SNP and vhost-user-fs-pci'), src('QEMU-VBUS', 'plug check')],
  },
];
