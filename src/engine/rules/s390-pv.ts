/**
 * IBM s390 Protected Virtualization (R-PV-*).
 */
import type { RuleRecord } from '../rule-types';
import { isConfidential } from '../context';
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
];

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
    fix: { text: 'Leave iommu absent on ccw devices of non-PV guests.', edits: (c) => removeDriverAttribute(c.device, 'iommu') },
    sources: [src('THREAD-2020', 'Halil Pasic, David Gibson: for ccw both are the same'), src('LNX-RING', 'vring_use_dma_api')],
  },
];
