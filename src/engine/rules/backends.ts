/**
 * What serves each device (R-BE-*, domain-facts.md §2.7): vhost-kernel, vhost-user, vDPA.
 */
import type { RuleRecord, DeviceContext } from '../rule-types';
import { SEV_FAMILY, iommuEffective, translatingViommu } from '../context';
import { SHARED_MEMORY, setDriverAttribute } from '../edits';
import { src } from '../sources';
import { not, or, v, versionAtLeast } from '../verdict';
import { WHY_CONFIDENTIAL, secureName, WHAT_IOMMU_DOES, MSG_BACKEND_NO_IOMMU } from '../words';

import { isVhostKernel, libvirtAddsViommu } from './shared';
import type { Edit } from '../../contracts/findings';
import type { DeviceFacts } from '../../contracts/facts';
import { allQuotes, VHOST_USER_IOMMU_PROTOCOL, quotesFor } from '../messages';
import { atLeast } from '../../contracts/version';

/**
 * Whether guest memory is shared, as libvirt decides it for vhost-user (qemuValidateDomainDefVhostUserRequireSharedMemory):
 * without NUMA cells the memory backing must be shared; with them every cell must be shared, or default with
 * shared backing.
 */
function sharedMemory(c: DeviceContext): boolean {
  const m = c.input.domain.memoryBacking;
  if (m.numaCells.length === 0) return m.accessMode === 'shared';
  return m.numaCells.every((cell) => cell === 'shared' || (cell === 'default' && m.accessMode === 'shared'));
}

/**
 * The devices libvirt refuses without shared memory whatever its release: vhost-user disks and virtiofs, and
 * vhost-vdpa disks (qemu_validate.c; a libvirt older than 9.8.0 does not know <disk type='vhostvdpa'> at all).
 * A vhost-user interface only from libvirt 11.2.0 (R-BE-03/shared-memory-net).
 */
function needsSharedMemoryAlways(d: DeviceFacts): boolean {
  // libvirt checks shared memory for vhost-user disks and virtiofs (interfaces: R-BE-03/shared-memory-net), not video.
  if (d.kind === 'interface' || d.kind === 'video') return false;
  return d.backend === 'vhost-user' || isVdpaDisk(d);
}

/** `<disk type='vhostvdpa'>` (libvirt 9.8.0 and later). */
function isVdpaDisk(d: DeviceFacts): boolean {
  return d.kind === 'disk' && d.backend === 'vdpa';
}

/** Shared memfd backing, unless a NUMA cell says private (then the user has to decide; no edit). */
function sharedMemoryEdits(c: DeviceContext): readonly Edit[] {
  return c.input.domain.memoryBacking.numaCells.includes('private') ? [] : SHARED_MEMORY;
}

/** What libvirt before 11.2.0 logs for a vhost-user interface without shared memory (libvirt 9.0's strings). */
const VHOST_USER_NET_WARNING = 'Detected vhost-user interface without any shared memory, the interface might not be operational';

export const BACKEND_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-BE-03/shared-memory',
    id: 'R-BE-03',
    scope: 'device',
    severity: 'error',
    when: [(c) => c.device.virtio && needsSharedMemoryAlways(c.device), (c) => !sharedMemory(c)],
    title: (c) =>
      `${c.device.label} is a ${c.device.backend === 'vdpa' ? 'vhost-vdpa' : 'vhost-user'} device and needs shared guest memory`,
    explanation:
      "A vhost-user backend is a separate process that maps guest memory. libvirt refuses vhost-user disks, vhost-vdpa disks (libvirt 9.8.0 and later, which know them) and virtiofs unless memory is shared: <memoryBacking><access mode='shared'/>, or every NUMA cell with memAccess='shared' (or the default with shared memory backing) — qemu_validate.c qemuValidateDomainDefVhostUserRequireSharedMemory, the messages seen at define on libvirt 9.0, 11.3 and 12.8 (vhostvdpa: 11.3 and 12.8).",
    messages: ["'vhostuser' requires shared memory", "'vhostvdpa' requires shared memory", "'virtiofs' requires shared memory"],
    messagesFor: (c) => [
      `'${c.device.kind === 'filesystem' ? 'virtiofs' : c.device.backend === 'vdpa' ? 'vhostvdpa' : 'vhostuser'}' requires shared memory`,
    ],
    fix: { text: "Add <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>.", edits: (c) => sharedMemoryEdits(c) },
    sources: [src('LV-VAL', 'qemuValidateDomainDefVhostUserRequireSharedMemory'), src('QEMU-VU', 'vhost-user memory regions')],
  },
  {
    key: 'R-BE-05/version',
    id: 'R-BE-05',
    scope: 'device',
    severity: 'error',
    when: [
      (c) => isVdpaDisk(c.device),
      // libvirt 9.8.0 added vDPA block devices (NEWS); 9.0 refuses the disk type at define.
      (c) => not(versionAtLeast(c.libvirt, v(9, 8), 'the libvirt version')),
    ],
    title: (c) => `${c.device.label}: <disk type='vhostvdpa'> needs libvirt 9.8.0 or later`,
    explanation:
      'libvirt learned vDPA block devices in 9.8.0; an older libvirt does not know the disk type and refuses the domain at define (seen on 9.0).',
    messages: ["XML error: Invalid value for attribute 'type' in element 'disk': 'vhostvdpa'."],
    fix: { text: 'Run libvirt 9.8.0 or later, or give the disk another type.' },
    sources: [
      src('LV-NEWS', 'v9.8.0: qemu: Add support for vDPA block devices'),
      src('LAB', "define <disk type='vhostvdpa'> on libvirt 9.0, 11.3 and 12.8"),
    ],
  },
  {
    key: 'R-BE-03/shared-memory-net',
    id: 'R-BE-03',
    scope: 'device',
    severity: 'error',
    when: [(c) => c.device.virtio && c.device.backend === 'vhost-user' && c.device.kind === 'interface', (c) => !sharedMemory(c)],
    title: (c) => `${c.device.label}: vhost-user networking needs shared guest memory`,
    explanation:
      "The vhost-user switch (e.g. OVS-DPDK) maps guest memory to move packets. libvirt 11.2.0 and later refuse the domain without shared memory (memfd with shared access, or NUMA cells with memAccess=shared); older releases only log a warning and start it, and the interface may not work (NEWS 11.2.0: 'Historically libvirt printed only a warning').",
    messages: ["'interface' requires shared memory", VHOST_USER_NET_WARNING],
    // libvirt 11.2.0 made it a refusal (NEWS); before, it logged a warning (its words in 9.0's libvirt_driver_qemu.so)
    // and started the guest, whose interface may not work.
    messagesFor: (c) => {
      const refuses = atLeast(c.libvirt, v(11, 2));
      return refuses === 'yes'
        ? ["'interface' requires shared memory"]
        : refuses === 'no'
          ? [VHOST_USER_NET_WARNING]
          : ["'interface' requires shared memory", VHOST_USER_NET_WARNING];
    },
    fix: {
      text: "Add <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking> (unless NUMA cells already share memory).",
      edits: (c) => sharedMemoryEdits(c),
    },
    sources: [
      src('LV-NEWS', 'v11.2.0: vhost-user shared memory misconfiguration is an error'),
      src('LV-VAL', 'qemuValidateDomainDefVhostUserRequireSharedMemory'),
    ],
  },
  {
    key: 'R-BE-03/protocol',
    id: 'R-BE-03',
    scope: 'device',
    severity: 'warning',
    // virtiofsd offers no IOMMU_PLATFORM at all (R-QEMU-02, R-SNP-03), so the protocol check never comes into play.
    when: [
      // virtiofsd and passt offer no IOMMU_PLATFORM at all (R-QEMU-02/virtiofs, /passt).
      (c) => c.device.virtio && c.device.backend === 'vhost-user' && c.device.function !== 'fs' && c.device.vhostUserProgram === undefined,
      iommuEffective,
    ],
    title: (c) => `${c.device.label}: a vhost-user backend that offers ACCESS_PLATFORM must also offer REPLY_ACK and BACKEND_REQ`,
    explanation:
      'When a vhost-user backend offers IOMMU_PLATFORM, QEMU requires the REPLY_ACK and BACKEND_REQ (formerly SLAVE_REQ) protocol features, with or without a vIOMMU, and refuses the device otherwise (hw/virtio/vhost-user.c; fact sheet §7.2 item 12). With a translating vIOMMU the backend then asks QEMU for translations with VHOST_USER_IOTLB_MSG. (There is no VHOST_USER_PROTOCOL_F_IOTLB flag.) Which features your backend offers is not known here.',
    messages: allQuotes(VHOST_USER_IOMMU_PROTOCOL),
    messagesFor: (c) => quotesFor(VHOST_USER_IOMMU_PROTOCOL, c.qemu),
    fix: { text: "Use a backend with these protocol features, or (ordinary VMs) remove iommu='on' for this device." },
    sources: [src('QEMU-VU', 'vhost-user.rst IOTLB'), src('QEMU-VU-C', 'vhost_user_backend_init: IOMMU support requires reply-ack')],
  },
  {
    key: 'R-BE-04',
    id: 'R-BE-04',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => SEV_FAMILY.has(c.cvm) || c.cvm === 'tdx',
      // passt is known to be refused (R-QEMU-02/passt).
      (c) => c.device.virtio && c.device.backend === 'vhost-user' && c.device.function !== 'fs' && c.device.vhostUserProgram === undefined,
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
      // The vIOMMU libvirt adds itself for many vCPUs translates too (QA helper-29).
      (c) => or(translatingViommu(c), libvirtAddsViommu(c), not(versionAtLeast(c.qemu, v(6, 2), 'the QEMU version'))),
    ],
    title: (c) => `${c.device.label}: vhost will translate every address through a device IOTLB (slow)`,
    detail: (c) =>
      translatingViommu(c)
        ? `The domain has a vIOMMU (<iommu model='${c.input.domain.viommu.model}'>), so vhost receives IOVAs.`
        : libvirtAddsViommu(c) === true
          ? `libvirt adds an intel vIOMMU for this domain's ${String(c.input.domain.vcpus.max)} vCPUs (10.10.0 and later), so vhost receives IOVAs.`
          : 'QEMU before 6.2 uses the vhost device IOTLB whenever iommu_platform is on, even without a vIOMMU.',
    explanation: `${WHAT_IOMMU_DOES} With a translating vIOMMU, the vhost kernel module resolves each address through its IOTLB, asking QEMU on every miss: throughput drops sharply (about 10x measured on s390 with old QEMU). QEMU 6.2 and later skip the IOTLB when no vIOMMU translates, so confidential VMs without one run at normal vhost speed apart from the bounce-buffer copies.`,
    fix: {
      text: (c) => {
        const model = c.input.domain.viommu.model;
        if (!translatingViommu(c))
          return "Upgrade QEMU to 6.2 or later, which skips the device IOTLB when no vIOMMU translates; in an ordinary VM you can drop iommu='on' instead.";
        // Only the intel vIOMMU has a checked remedy (R-VIOMMU-04); the others' device IOTLB with vhost is not verified here.
        if (model === 'intel' && c.input.domain.viommu.iotlb === 'on' && c.device.driver.ats === 'on')
          return "The device IOTLB is already set up (iotlb='on', ats='on'): what is left is the price of vIOMMU isolation for vhost. Drop iommu='on' from the device if it needs no isolation; vhost then reads guest memory directly.";
        return model === 'intel'
          ? "Set <driver iotlb='on'/> on <iommu model='intel'> and ats='on' on the device (R-VIOMMU-04), or drop iommu='on' from the device if it needs no vIOMMU isolation."
          : `Drop iommu='on' from the device if it needs no isolation by <iommu model='${model}'>; vhost then reads guest memory directly.`;
      },
      general:
        "Upgrade QEMU to 6.2 or later; with the intel vIOMMU enable iotlb='on' on it and ats='on' on the device; drop iommu='on' from devices that do not need vIOMMU isolation.",
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
    fix: {
      text: "Set page_per_vq='on' on the device's <driver>.",
      edits: (c) => setDriverAttribute(c.device, 'page_per_vq', 'on', c.libvirt),
    },
    sources: [src('LV-FMT', 'page_per_vq: recommended for vDPA'), src('LNX-VHOST', 'drivers/vhost/vdpa.c')],
  },
];
