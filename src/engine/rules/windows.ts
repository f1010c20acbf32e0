/**
 * Windows guests (R-WIN-*, domain-facts.md §2.10).
 */
import type { RuleRecord } from '../rule-types';
import { isConfidential, iommuEffective, takesAccessPlatform } from '../context';
import { BALLOON_NONE } from '../edits';
import { src } from '../sources';

import { secureName, WHAT_IOMMU_DOES, implicitBalloonWords } from '../words';

import { dropIommuIfOrdinary } from './shared';

const PRE_10_WINDOWS = /microsoft\.com\/win\/(xp|2k|2k3|2k3r2|vista|2k8|2k8r2|7|8|8\.1|2k12|2k12r2)$/;

export const WINDOWS_RULES: readonly RuleRecord<'domain'>[] = [
  {
    key: 'R-WIN-02',
    id: 'R-WIN-02',
    scope: 'domain',
    severity: 'warning',
    when: [isConfidential, (c) => c.input.guest.family === 'windows'],
    title: (c) => `Windows as an ${secureName(c.cvm)} guest on KVM is unconfirmed`,
    explanation: 'No source confirms that Windows runs as a confidential guest on KVM with virtio devices, or how it bounce-buffers there.',
    fix: { text: 'Test carefully before relying on it.' },
    sources: [src('VWIN', 'no confidential-guest support found')],
  },
];

export const WINDOWS_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-WIN-02/balloon',
    id: 'R-WIN-02',
    scope: 'device',
    severity: 'warning',
    when: [isConfidential, (c) => c.device.virtio && c.device.function === 'balloon', (c) => c.input.guest.family === 'windows'],
    title: (c) => `${c.device.label}: whether virtio-win's balloon driver works in an ${secureName(c.cvm)} guest is not known`,
    detail: (c) => implicitBalloonWords(c.device),
    explanation:
      "The balloon hands the host guest page numbers, not DMA addresses, which is why Linux's driver refuses ACCESS_PLATFORM and the balloon is dead in a confidential Linux guest (R-LNX-05). No source says what virtio-win's balloon driver does there; libvirt's s390 PV guide and the usual SEV layouts leave the balloon out.",
    fix: { text: "Use <memballoon model='none'/> unless you have tested ballooning in this guest.", edits: () => [BALLOON_NONE] },
    sources: [src('LNX-BALLOON', 'virtballoon_validate clears ACCESS_PLATFORM'), src('VWIN', 'no confidential-guest support found')],
  },
  {
    key: 'R-WIN-01',
    id: 'R-WIN-01',
    scope: 'device',
    severity: 'info',
    whenUnknown: 'skip',
    when: [(c) => takesAccessPlatform(c.device), (c) => c.input.guest.family === 'windows', (c) => c.device.driver.iommu === 'on'],
    title: (c) => `${c.device.label}: Windows needs virtio-win drivers from 2018 or later to accept ACCESS_PLATFORM`,
    explanation: `${WHAT_IOMMU_DOES} virtio-win's viostor, vioscsi and NetKVM accept the bit since April 2018 (NetKVM only in its Windows 10 / Server 2016 builds); with older drivers QEMU refuses FEATURES_OK and the device shows an error in Device Manager.`,
    fix: { text: 'Use a current virtio-win driver ISO.' },
    sources: [src('VWIN', 'BZ1530210, BZ1539256, BZ1549587')],
  },
  {
    key: 'R-WIN-01/netkvm',
    id: 'R-WIN-01',
    scope: 'device',
    severity: 'error',
    whenUnknown: 'skip',
    when: [
      (c) => c.device.virtio && c.device.kind === 'interface',
      (c) => c.input.guest.family === 'windows' && PRE_10_WINDOWS.test(String(c.input.guest.osinfoId)),
      iommuEffective,
    ],
    title: (c) => `${c.device.label}: NetKVM for ${String(c.input.guest.name)} does not accept ACCESS_PLATFORM`,
    explanation:
      'NetKVM accepts the bit only in its builds for Windows 10 / Server 2016 and later (WINVER >= 0x0A00); older builds leave it unacked and QEMU refuses the device.',
    fix: { text: "Remove iommu='on' from this interface (ordinary VMs), or use another NIC model.", edits: dropIommuIfOrdinary },
    sources: [src('VWIN', 'NetKVM WINVER >= 0x0A00')],
  },
];
