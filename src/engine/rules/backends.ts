/**
 * What serves each device (R-BE-*, domain-facts.md §2.7): vhost-kernel, vhost-user, vDPA.
 */
import type { RuleRecord } from '../rule-types';
import { SEV_FAMILY, iommuEffective, translatingViommu } from '../context';
import { SHARED_MEMORY, setDriverAttribute } from '../edits';
import { src } from '../sources';
import { not, or, v, versionAtLeast } from '../verdict';
import { WHY_CONFIDENTIAL, secureName, WHAT_IOMMU_DOES, MSG_BACKEND_NO_IOMMU } from '../words';

import { isVhostKernel } from './shared';

export const BACKEND_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-BE-03/shared-memory',
    id: 'R-BE-03',
    scope: 'device',
    severity: 'error',
    when: [
      (c) => c.device.virtio && c.device.backend === 'vhost-user' && c.device.kind !== 'interface',
      (c) => c.input.domain.memoryBacking.accessMode !== 'shared',
    ],
    title: (c) => `${c.device.label} is a vhost-user device and needs shared guest memory`,
    explanation:
      'A vhost-user backend is a separate process that maps guest memory; libvirt refuses vhost-user disks and virtiofs unless memory is shared.',
    messages: ["'virtiofs' requires shared memory"],
    fix: { text: "Add <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>.", edits: () => SHARED_MEMORY },
    sources: [src('LV-VAL', 'requires shared memory'), src('QEMU-VU', 'vhost-user memory regions')],
  },
  {
    key: 'R-BE-03/shared-memory-net',
    id: 'R-BE-03',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => c.device.virtio && c.device.backend === 'vhost-user' && c.device.kind === 'interface',
      (c) => c.input.domain.memoryBacking.accessMode !== 'shared',
    ],
    title: (c) => `${c.device.label}: vhost-user networking needs shared guest memory`,
    explanation:
      'The vhost-user switch (e.g. OVS-DPDK) maps guest memory to move packets; without shared memory (memfd, or shared hugepages, or NUMA cells with memAccess=shared) no traffic flows.',
    fix: {
      text: "Add <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking> (unless NUMA cells already share memory).",
      edits: () => SHARED_MEMORY,
    },
    sources: [src('QEMU-VU', 'vhost-user memory regions')],
  },
  {
    key: 'R-BE-03/viommu',
    id: 'R-BE-03',
    scope: 'device',
    severity: 'warning',
    when: [(c) => c.device.virtio && c.device.backend === 'vhost-user', translatingViommu, iommuEffective],
    title: (c) => `${c.device.label}: vhost-user behind a vIOMMU needs the backend's IOTLB support`,
    explanation:
      'With ACCESS_PLATFORM and a translating vIOMMU, vhost-user addresses are IOVAs: the backend asks QEMU for translations with VHOST_USER_IOTLB_MSG, which needs the REPLY_ACK and BACKEND_REQ protocol features. (There is no VHOST_USER_PROTOCOL_F_IOTLB flag.)',
    messages: ['IOMMU support requires reply-ack and slave-req protocol features.'],
    fix: { text: "Use a backend with these protocol features, or remove the vIOMMU or iommu='on' for this device." },
    sources: [src('QEMU-VU', 'vhost-user.rst IOTLB'), src('QEMU-VHOST', 'vhost-user.c message')],
  },
  {
    key: 'R-BE-04',
    id: 'R-BE-04',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => SEV_FAMILY.has(c.cvm) || c.cvm === 'tdx',
      (c) => c.device.virtio && c.device.backend === 'vhost-user' && c.device.function !== 'fs',
    ],
    title: (c) => `${c.device.label}: vhost-user in this ${secureName(c.cvm)} guest is unverified`,
    explanation: `${WHY_CONFIDENTIAL} The vhost-user backend must offer ACCESS_PLATFORM and reach the shared bounce buffers; no QEMU combination is confirmed to work (Cloud Hypervisor sets the bit itself, QEMU does not).`,
    messages: [MSG_BACKEND_NO_IOMMU],
    fix: { text: 'Prefer a QEMU or vhost-kernel backend for this device, or verify your backend first.' },
    sources: [src('AMDSEV', 'issue #269'), src('QEMU-VBUS', 'plug check')],
  },
  {
    key: 'R-BE-02',
    id: 'R-BE-02',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => c.device.virtio,
      isVhostKernel,
      iommuEffective,
      (c) => or(translatingViommu(c), not(versionAtLeast(c.qemu, v(6, 2), 'the QEMU version'))),
    ],
    title: (c) => `${c.device.label}: vhost will translate every address through a device IOTLB (slow)`,
    detail: (c) =>
      translatingViommu(c)
        ? `The domain has a vIOMMU (<iommu model='${c.input.domain.viommu.model}'>), so vhost receives IOVAs.`
        : 'QEMU before 6.2 uses the vhost device IOTLB whenever iommu_platform is on, even without a vIOMMU.',
    explanation: `${WHAT_IOMMU_DOES} With a translating vIOMMU, the vhost kernel module resolves each address through its IOTLB, asking QEMU on every miss: throughput drops sharply (about 10x measured on s390 with old QEMU). QEMU 6.2 and later skip the IOTLB when no vIOMMU translates, so confidential VMs without one run at normal vhost speed apart from the bounce-buffer copies.`,
    fix: {
      text: "Upgrade QEMU to 6.2 or later; with a vIOMMU enable iotlb='on' on it and ats='on' on the device; in an ordinary VM drop iommu='on' from devices that do not need vIOMMU isolation.",
    },
    sources: [
      src('QEMU-VHOST', 'vhost_dev_has_iommu (f7ef7e6e3b, ae4003738f)'),
      src('LNX-VHOST', 'device IOTLB API 6b1e6cc7855b'),
      src('THREAD-2020', 'Pasic: 10x slowdown'),
    ],
  },
  {
    key: 'R-BE-05',
    id: 'R-BE-05',
    scope: 'device',
    severity: 'info',
    when: [(c) => c.device.backend === 'vdpa', (c) => c.device.transport === 'pci' && c.device.driver.pagePerVq !== 'on'],
    title: (c) => `${c.device.label}: libvirt recommends page_per_vq='on' for vDPA`,
    explanation:
      "vhost-vdpa handles ACCESS_PLATFORM itself and hardware vDPA parents do DMA through the host IOMMU. page_per_vq='on' puts each queue's notification area on its own page so it can be mapped to the hardware. Behaviour with SEV/TDX is unconfirmed.",
    fix: { text: "Set page_per_vq='on' on the device's <driver>.", edits: (c) => setDriverAttribute(c.device, 'page_per_vq', 'on') },
    sources: [src('LV-FMT', 'page_per_vq: recommended for vDPA'), src('LNX-VHOST', 'drivers/vhost/vdpa.c')],
  },
];
