/**
 * Windows guests (R-WIN-*, domain-facts.md §2.10).
 */
import type { DeviceFacts } from '../../contracts/facts';
import type { RuleRecord } from '../rule-types';
import { isConfidential, iommuEffective, takesAccessPlatform } from '../context';
import { BALLOON_NONE } from '../edits';
import { src } from '../sources';

import { secureName, WHAT_IOMMU_DOES, implicitBalloonWords } from '../words';

import { dropIommuIfOrdinary } from './shared';

const PRE_10_WINDOWS = /microsoft\.com\/win\/(xp|2k|2k3|2k3r2|vista|2k8|2k8r2|7|8|8\.1|2k12|2k12r2)$/;

/**
 * Since when each virtio-win driver acknowledges ACCESS_PLATFORM (kvm-guest-drivers-windows, read at fbcc19d7): viostor,
 * vioscsi and NetKVM from March 2018 (17be9030, d12a7eab, eac3270d; the April 2018 build); the drivers on its WDF
 * library (viorng, vioserial, vioinput, the balloon) from December 2019 (8098cb90, VirtIOWdf.c, build mm194);
 * viosock and viogpudo from their first release.
 */
const ACCEPTS_SINCE: Partial<Record<DeviceFacts['function'], { readonly driver: string; readonly since: string }>> = {
  blk: { driver: 'viostor', since: 'April 2018' },
  scsi: { driver: 'vioscsi', since: 'April 2018' },
  net: { driver: 'NetKVM', since: 'April 2018' },
  rng: { driver: 'viorng', since: 'December 2019' },
  serial: { driver: 'vioserial', since: 'December 2019' },
  input: { driver: 'vioinput', since: 'December 2019' },
  balloon: { driver: 'balloon driver', since: 'December 2019' },
  vsock: { driver: 'viosock', since: 'its first release (November 2019)' },
  gpu: { driver: 'viogpudo', since: 'its first release (December 2020)' },
};

/** Windows before 10 / Server 2016, whose NetKVM build never takes the bit (R-WIN-01/netkvm says so). */
const preTenWindows = (c: { input: { guest: { osinfoId: unknown } } }) => PRE_10_WINDOWS.test(String(c.input.guest.osinfoId));

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
      "The balloon hands the host guest page numbers, not DMA addresses, which is why Linux's driver refuses ACCESS_PLATFORM and the balloon is dead in a confidential Linux guest (R-LNX-05). virtio-win's balloon driver acknowledges the bit (December 2019 and later) but still hands the host page frame numbers (MmGetMdlPfnArray in Balloon/sys/balloon.c), and virtio-win has no code for confidential guests at all; whether ballooning works there is not known. libvirt's s390 PV guide and the usual SEV layouts leave the balloon out.",
    fix: { text: "Use <memballoon model='none'/> unless you have tested ballooning in this guest.", edits: () => [BALLOON_NONE] },
    sources: [
      src('LNX-BALLOON', 'virtballoon_validate clears ACCESS_PLATFORM'),
      src('VWIN', 'Balloon/sys/balloon.c: page frame numbers from MmGetMdlPfnArray; no confidential-guest code found'),
    ],
  },
  {
    key: 'R-WIN-01',
    id: 'R-WIN-01',
    scope: 'device',
    severity: 'info',
    whenUnknown: 'skip',
    when: [
      (c) => c.input.guest.family === 'windows' && c.device.driver.iommu === 'on',
      (c) => c.device.virtio && (takesAccessPlatform(c.device) || c.device.function === 'balloon'),
      // A NIC of Windows before 10 never gets the bit from any NetKVM: R-WIN-01/netkvm's error says so.
      (c) => !(c.device.kind === 'interface' && preTenWindows(c)),
    ],
    title: (c) => {
      const d = ACCEPTS_SINCE[c.device.function];
      return d
        ? `${c.device.label}: virtio-win's ${d.driver} accepts ACCESS_PLATFORM from ${d.since}`
        : `${c.device.label}: Windows needs current virtio-win drivers to accept ACCESS_PLATFORM`;
    },
    explanation: `${WHAT_IOMMU_DOES} virtio-win's drivers acknowledge the bit from these releases: viostor, vioscsi and NetKVM from April 2018 (NetKVM only in its Windows 10 / Server 2016 builds), the drivers built on its WDF library (viorng, vioserial, vioinput, the balloon) from December 2019, viosock and viogpudo from their first release. With an older driver QEMU refuses FEATURES_OK and the device shows an error in Device Manager.`,
    fix: { text: 'Use a current virtio-win driver ISO.' },
    sources: [
      src('VWIN', 'BZ1530210, BZ1539256, BZ1549587; commits 17be9030, d12a7eab, eac3270d (2018)'),
      src('VWIN', 'VirtIO/WDF/VirtIOWdf.c: VIRTIO_F_ACCESS_PLATFORM acknowledged from 8098cb90 (2019-11, build mm194)'),
    ],
  },
  {
    key: 'R-WIN-01/netkvm',
    id: 'R-WIN-01',
    scope: 'device',
    severity: 'error',
    whenUnknown: 'skip',
    when: [
      (c) => c.device.virtio && c.device.kind === 'interface',
      (c) => c.input.guest.family === 'windows' && preTenWindows(c),
      iommuEffective,
    ],
    title: (c) => `${c.device.label}: NetKVM for ${String(c.input.guest.name)} does not accept ACCESS_PLATFORM`,
    explanation:
      'NetKVM accepts the bit only in its builds for Windows 10 / Server 2016 and later (WINVER >= 0x0A00); older builds leave it unacked and QEMU refuses the device.',
    fix: { text: "Remove iommu='on' from this interface (ordinary VMs), or use another NIC model.", edits: dropIommuIfOrdinary },
    sources: [src('VWIN', 'NetKVM WINVER >= 0x0A00')],
  },
];
