/**
 * What Linux guests do with the bit (R-LNX-*, domain-facts.md §2.4): SWIOTLB, the balloon, legacy-only guests.
 */
import type { DomainContext, RuleRecord } from '../rule-types';
import { isConfidential, iommuEffective, takesAccessPlatform } from '../context';
import { BALLOON_NONE } from '../edits';
import { src } from '../sources';

import { WHY_CONFIDENTIAL, secureName, WHAT_IOMMU_DOES } from '../words';

import { dropIommuIfOrdinary } from './shared';
import { needsBit } from './cc';
import { or } from '../verdict';

const SWIOTLB_RULE: RuleRecord<'domain'> = {
  key: 'R-LNX-03',
  id: 'R-LNX-03',
  scope: 'domain',
  severity: 'info',
  when: [isConfidential, (c) => c.input.guest.family !== 'windows' && c.input.guest.family !== 'other'],
  title: 'All virtio I/O of this guest goes through SWIOTLB bounce buffers',
  detail: (c: DomainContext) => {
    const mem = c.input.domain.memoryKiB;
    const own = /\bswiotlb=(\d+)/.exec(c.input.domain.kernelCmdline);
    if (own) return `The kernel command line sets swiotlb=${own[1]} (${Math.round((Number(own[1]) * 2) / 1024)} MiB).`;
    if ((c.cvm === 'sev' || c.cvm === 'sev-es' || c.cvm === 'sev-snp' || c.cvm === 'tdx') && mem !== 'unknown') {
      const mib = Math.min(1024, Math.max(64, Math.round((mem / 1024) * 0.06)));
      return `With ${Math.round(mem / 1024)} MiB of RAM a current Linux guest sizes the pool to about ${mib} MiB (6% of RAM, 64 MiB to 1 GiB).`;
    }
    return 'The default pool is 64 MiB.';
  },
  explanation: `${WHY_CONFIDENTIAL} Linux sizes the pool to 6% of RAM (64 MiB to 1 GiB) for SEV and TDX guests since about 5.11, and to 64 MiB otherwise; swiotlb=N on the kernel command line (N slabs of 2 KiB, 262144 = 512 MiB) overrides it for I/O-heavy guests.`,
  fix: { text: 'For I/O-heavy guests add swiotlb=262144 (or more) to the guest kernel command line.' },
  sources: [
    src('LNX-X86CC', 'mem_encrypt_setup_arch: SWIOTLB bounce buffer size adjusted'),
    src('LNX-SWIOTLB', 'IO_TLB_DEFAULT_SIZE'),
    src('AMDSEV', 'README FAQ'),
  ],
};

export const LINUX_RULES: readonly RuleRecord<'domain'>[] = [SWIOTLB_RULE];

export const LINUX_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-LNX-05',
    id: 'R-LNX-05',
    scope: 'device',
    severity: 'error',
    when: [isConfidential, (c) => c.device.virtio && c.device.function === 'balloon'],
    title: (c) => `${c.device.label} cannot work in this ${secureName(c.cvm)} guest`,
    detail: (c) => (c.device.implicit ? 'libvirt adds a virtio memballoon by default when the XML has no <memballoon>.' : ''),
    explanation: `The Linux balloon driver always refuses ACCESS_PLATFORM because it talks in guest page numbers, not DMA addresses. ${WHY_CONFIDENTIAL} So the balloon is dead either way: the guest logs an error for it, and s390 PV requires it gone (QEMU fences ballooning there).`,
    messages: ['virtio_balloon virtio<N>: device must provide VIRTIO_F_ACCESS_PLATFORM'],
    fix: { text: "Use <memballoon model='none'/>.", edits: () => [BALLOON_NONE] },
    sources: [src('LNX-BALLOON', 'virtballoon_validate clears ACCESS_PLATFORM'), src('LV-KB-PV', "memballoon model='none'")],
  },
  {
    key: 'R-LNX-05/iommu',
    id: 'R-LNX-05',
    scope: 'device',
    severity: 'warning',
    when: [(c) => !isConfidential(c), (c) => c.device.virtio && c.device.function === 'balloon' && c.device.driver.iommu === 'on'],
    title: (c) => `${c.device.label} with iommu='on' will be refused by the guest driver`,
    explanation: 'The Linux balloon driver never accepts ACCESS_PLATFORM, and QEMU then refuses FEATURES_OK: ballooning does not work.',
    messages: ['virtio_balloon virtio<N>: virtio: device refuses features: <status>'],
    fix: {
      text: 'Remove iommu from the memballoon driver.',
      edits: (c) => [{ op: 'remove-attribute', target: `${c.device.target}/driver`, name: 'iommu' }],
    },
    sources: [src('LNX-BALLOON', 'virtballoon_validate'), src('QEMU-VIRTIO', 'virtio_validate_features')],
  },
  {
    key: 'R-LNX-06',
    id: 'R-LNX-06',
    scope: 'device',
    severity: 'error',
    whenUnknown: 'skip',
    // In a confidential VM the device must end up with the bit, whatever its iommu attribute says now.
    when: [(c) => takesAccessPlatform(c.device), (c) => c.input.guest.virtio1 === 'no', (c) => or(iommuEffective(c), needsBit(c))],
    title: (c) => `${String(c.input.guest.name)} has only legacy virtio drivers and cannot use ${c.device.label} with ACCESS_PLATFORM`,
    explanation: `${WHAT_IOMMU_DOES} Bit 33 lies beyond the 32 feature bits a legacy (virtio 0.9.5) driver understands, so a guest without VIRTIO 1.0 drivers can never accept it: the device is missing in the guest. Such a guest cannot be a confidential VM at all.`,
    fix: {
      text: "Do not set iommu='on' for this guest (ordinary VMs), or install a guest with VIRTIO 1.0 drivers.",
      edits: dropIommuIfOrdinary,
    },
    sources: [src('SPEC-PCI', 'legacy interface: feature bits 0-31 only'), src('THREAD-2020', 'old guests break (RHEL 6 example)')],
  },
  {
    key: 'R-LNX-04',
    id: 'R-LNX-04',
    scope: 'device',
    severity: 'warning',
    when: [
      isConfidential,
      (c) => c.device.virtio && c.device.function === 'blk' && c.device.queues !== 'unknown' && c.device.queues > 1,
      (c) => !/\bswiotlb=/.test(c.input.domain.kernelCmdline),
    ],
    title: (c) => `${c.device.label}: ${String(c.device.queues)} virtio-blk queues can exhaust the guest's bounce buffers`,
    explanation: `${WHY_CONFIDENTIAL} All disk I/O is copied through the SWIOTLB pool; multi-queue virtio-blk with deep queues is known to fill it, and I/O then fails or stalls.`,
    messages: [
      'swiotlb buffer is full (sz: <n> bytes), total <t> (slots), used <u> (slots)',
      "Kernel panic - not syncing: Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer",
    ],
    fix: { text: 'Add swiotlb=262144 (512 MiB) or more to the guest kernel command line, reduce the queues, or use virtio-scsi.' },
    sources: [src('LNX-SWIOTLB', 'message'), src('AMDSEV', 'README FAQ: virtio-blk multiqueue')],
  },
];
