/**
 * IBM s390 Protected Virtualization (R-PV-*).
 */
import type { DomainContext, RuleRecord } from '../rule-types';
import { isConfidential, takesAccessPlatform } from '../context';
import { removeDriverAttribute } from '../edits';
import { src } from '../sources';

import { WHAT_IOMMU_DOES } from '../words';
import { technology } from '../technologies';
import { is, technologyRecords, hostSupportRecord } from './technology-records';
import { absentWithoutDefault } from './cc';

export const PV_RULES: readonly RuleRecord<'domain'>[] = [
  ...technologyRecords(technology('s390-pv')),
  hostSupportRecord(
    'R-PV-03',
    ['s390-pv'],
    'whether the host supports Protected Virtualization (/sys/firmware/uv/prot_virt_host, domcapabilities)',
    ['S390 PV launch security is not supported by this host or kernel'],
    's390 PV needs an IBM z15 / LinuxONE III or newer, the host kernel parameter prot_virt=1 (/sys/firmware/uv/prot_virt_host reads 1), and the guest image built with genprotimg.',
    [src('LV-KB-PV', 'host preparation'), src('QEMU-PV', 'protvirt')],
  ),
  {
    key: 'R-PV-04/hugepages',
    id: 'R-PV-04',
    scope: 'domain',
    severity: 'error',
    when: [is('s390-pv'), (c) => c.input.domain.memoryBacking.hugepages],
    title: 's390 Protected Virtualization guests cannot use huge pages',
    explanation:
      'The Ultravisor secures guest memory page by page; QEMU and libvirt document that PV guests cannot be backed by huge pages.',
    fix: {
      text: 'Remove <hugepages/> from <memoryBacking>.',
      edits: () => [{ op: 'remove-element', target: '/domain/memoryBacking/hugepages' }],
    },
    sources: [src('QEMU-PV', 'restrictions'), src('LV-KB-PV', 'restrictions')],
  },
  {
    key: 'R-PV-04/hostdev',
    id: 'R-PV-04',
    scope: 'domain',
    severity: 'warning',
    when: [is('s390-pv'), (c) => c.input.domain.hostdevCount > 0],
    title: (c) => `s390 PV guest with ${c.input.domain.hostdevCount} passthrough <hostdev> device(s)`,
    explanation:
      'The QEMU PV documentation read for the fact sheet says vfio passthrough does not work for protected guests; newer kernels and QEMU may lift this for some device types, so this is a warning, not an error.',
    fix: { text: 'Remove the <hostdev> devices unless your QEMU and kernel support passthrough for PV guests.' },
    sources: [src('QEMU-PV', 'no vfio passthrough')],
  },
  {
    key: 'R-PV-01/cpu',
    id: 'R-PV-01',
    scope: 'domain',
    severity: 'info',
    when: [is('s390-pv'), (c) => c.input.domain.cpuMode !== 'host-model' && c.input.domain.cpuMode !== 'host-passthrough'],
    title: "s390 PV: <cpu mode='host-model'/> is recommended",
    explanation: "A PV guest needs the 'unpack' CPU facility; libvirt's PV guide uses a host-model CPU.",
    fix: { text: "Use <cpu mode='host-model'/>." },
    sources: [src('LV-KB-PV', 'host-model CPU')],
  },
  {
    key: 'R-PV-01/guide-layout',
    id: 'R-PV-01',
    scope: 'domain',
    severity: 'info',
    when: [pvGuideLayout],
    title: "Every virtio device has iommu='on' without <launchSecurity>: the layout of a Protected Virtualization guest",
    explanation:
      "libvirt's guide to s390 Protected Virtualization shows a PV guest without <launchSecurity>, every virtio device with iommu='on' and the balloon off; it starts, and the guest image decides that it is protected. From libvirt 7.6.0 and QEMU 6.0, <launchSecurity type='s390-pv'/> says so in the XML: libvirt then checks the host, and QEMU turns iommu_platform on for every device itself.",
    fix: {
      text: "If this guest runs a PV image, keep iommu='on' on its devices; <launchSecurity type='s390-pv'/> (plan --secure s390-pv) makes it explicit. If it does not, iommu='on' only adds DMA-API overhead on virtio-ccw (R-PV-05).",
    },
    sources: [
      src('LV-KB-PV', "a PV guest without <launchSecurity>, iommu='on' on every virtio device"),
      src('LV-FMT', 'launchSecurity type s390-pv (since 7.6.0)'),
    ],
  },
];

/**
 * The layout of libvirt's PV guide: a domain without <launchSecurity> whose every virtio device has iommu='on'
 * (LV-KB-PV; fact sheet §7.1 item 7). Whether a guest is protected is decided by its image (genprotimg), not by the
 * XML, so such a domain may well be a PV guest, and its iommu='on' is then what makes its devices work.
 */
function pvGuideLayout(c: DomainContext): boolean {
  const d = c.input.domain;
  if (d.arch !== 's390x' || d.launchSecurity.present || c.input.goals.secure !== 'keep') return false;
  const devices = d.devices.filter((x) => x.transport === 'ccw' && takesAccessPlatform(x));
  return devices.length > 0 && devices.every((x) => x.driver.iommu === 'on');
}

export const PV_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  absentWithoutDefault(
    'R-PV-02',
    ['s390-pv'],
    [src('LV-KB-PV', "iommu='on' on every virtio device"), src('QEMU-PV', 'Enable the IOMMU by default for all I/O devices (>= 6.0)')],
  ),
  {
    key: 'R-PV-05',
    id: 'R-PV-05',
    scope: 'device',
    severity: 'info',
    when: [(c) => c.device.virtio && c.device.transport === 'ccw' && c.device.driver.iommu === 'on', (c) => !isConfidential(c)],
    title: (c) => `${c.device.label}: on virtio-ccw iommu='on' only makes the guest use its DMA API`,
    explanation: `${WHAT_IOMMU_DOES} s390 channel I/O has no IOMMU: addresses are guest-absolute either way. Outside a Protected Virtualization guest the bit only adds DMA-API overhead (allocations below 2 GiB), and old QEMU also slowed vhost down with it.`,
    fix: {
      text: (c) =>
        pvGuideLayout(c)
          ? "Leave iommu absent on ccw devices of non-PV guests; if this guest runs a PV image (every virtio device has iommu='on', as libvirt's PV guide writes them), keep it: PV needs it."
          : 'Leave iommu absent on ccw devices of non-PV guests.',
      // Not where the domain may be a PV guest: removing the bit there would cut its devices off.
      edits: (c) => (pvGuideLayout(c) ? [] : removeDriverAttribute(c.device, 'iommu')),
    },
    sources: [src('THREAD-2020', 'Halil Pasic, David Gibson: for ccw both are the same'), src('LNX-RING', 'vring_use_dma_api')],
  },
];
