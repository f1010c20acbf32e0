/**
 * QEMU's own behaviour (R-QEMU-*, domain-facts.md §2.3): the confidential default, backends that cannot honour the bit,
 * legacy virtio-mmio.
 */
import type { RuleRecord } from '../rule-types';
import { describeVersion, isConfidential, iommuEffective } from '../context';
import { removeDriverAttribute, setIommu } from '../edits';
import { src } from '../sources';

import { WHY_CONFIDENTIAL, secureName, WHAT_IOMMU_DOES, MSG_NO_VERSION_1, MSG_BACKEND_NO_IOMMU, iommuFixText } from '../words';

import { needsBit } from './cc';
import { guestLine } from '../messages';

export const QEMU_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-QEMU-01',
    id: 'R-QEMU-01',
    scope: 'device',
    severity: 'info',
    // With the QEMU version unknown, R-SEV-02/R-PV-02 already warn; this note is only for a known default.
    whenUnknown: 'skip',
    inPlan: true,
    // Not on a virtiofs share: there QEMU's default is what makes the plug fail, and R-SNP-03 says to remove it.
    when: [needsBit, (c) => c.device.driver.iommu === 'absent', (c) => c.device.fsDriver !== 'virtiofs', (c) => c.confidentialDefault],
    title: (c) => `${c.device.label}: QEMU's confidential-VM default turns ACCESS_PLATFORM on`,
    detail: (c) =>
      `${c.device.label} has no iommu attribute; with <launchSecurity> and QEMU ${describeVersion(c.qemu)} QEMU defaults iommu_platform=on (and disable-legacy=on on PCI). ` +
      "The plan still writes iommu='on' so the domain does not depend on the QEMU version it runs on (an absent attribute means off before QEMU 6.0, which also matters after a migration or downgrade).",
    explanation: `${WHAT_IOMMU_DOES} ${WHY_CONFIDENTIAL} Since QEMU 6.0 a confidential-guest-support object (libvirt adds one for <launchSecurity>) makes this the default for every virtio device; libvirt itself never sets it (R-XML-06).`,
    fix: {
      ...iommuFixText("Optional: write <driver iommu='on'/> explicitly.", "nothing to write; QEMU's default is what turns the bit on."),
      edits: (c) => setIommu(c.device, 'on', c.libvirt),
    },
    sources: [
      src('QEMU-MACHINE', 'confidential guest support: alter virtio default properties (QEMU 6.0)'),
      src('LV-KB-SEV', 'Starting with QEMU 6.0.0 QEMU will set this by default'),
    ],
  },
  {
    key: 'R-QEMU-03',
    id: 'R-QEMU-03',
    scope: 'device',
    severity: 'error',
    when: [(c) => c.device.virtio && c.device.transport === 'mmio', isConfidential],
    title: (c) => `${c.device.label} uses virtio-mmio, which QEMU runs in legacy mode: unusable in this ${secureName(c.cvm)} guest`,
    detail: (c) =>
      `${c.device.label} is on virtio-mmio. QEMU's virtio-mmio defaults to force-legacy=true, so the device never offers VERSION_1 and cannot carry ACCESS_PLATFORM.`,
    explanation: `${WHAT_IOMMU_DOES} It needs a modern device. QEMU's virtio-mmio is legacy (register layout version 1) unless force-legacy=false is passed on the QEMU command line, for which libvirt has no XML.`,
    messages: [MSG_NO_VERSION_1],
    messagesFor: (c) => [guestLine(c.device, 'device must provide VIRTIO_F_VERSION_1')],
    fix: {
      text: 'Use virtio-pci for this device (remove its virtio-mmio <address> so libvirt places it on PCI).',
      edits: (c) =>
        c.input.domain.machine.family === 'q35' || c.input.domain.machine.family === 'pc'
          ? [{ op: 'remove-element', target: `${c.device.target}/address` }]
          : [],
    },
    sources: [
      src('QEMU-MMIO', 'DEFINE_PROP_BOOL("force-legacy", ..., true)'),
      src('QEMU-VIRTIO', 'virtio_set_status validates only with VERSION_1'),
    ],
  },
  {
    key: 'R-QEMU-03/pointless',
    id: 'R-QEMU-03',
    scope: 'device',
    severity: 'info',
    when: [(c) => c.device.virtio && c.device.transport === 'mmio', (c) => !isConfidential(c), (c) => c.device.driver.iommu === 'on'],
    title: (c) => `${c.device.label}: iommu='on' has no effect on legacy virtio-mmio`,
    explanation: `${WHAT_IOMMU_DOES} QEMU's virtio-mmio is legacy by default, so the bit is never negotiated and the device keeps using guest-physical addresses.`,
    fix: { text: 'Leave iommu absent on virtio-mmio devices of ordinary VMs.', edits: (c) => removeDriverAttribute(c.device, 'iommu') },
    sources: [src('QEMU-MMIO', 'force-legacy default')],
  },
  {
    key: 'R-QEMU-02',
    id: 'R-QEMU-02',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => c.device.virtio && c.device.backend === 'vhost-user' && c.device.function !== 'fs' && c.device.transport === 'pci',
      iommuEffective,
    ],
    title: (c) => `${c.device.label}: the vhost-user backend must offer ACCESS_PLATFORM or QEMU refuses the device`,
    explanation: `${WHAT_IOMMU_DOES} For a vhost-user device the external backend (SPDK, DPDK ...) negotiates features; if it does not offer the bit, QEMU refuses to plug the virtio-pci device. Whether your backend version offers it is not known here.`,
    messages: [MSG_BACKEND_NO_IOMMU],
    fix: { text: "Use a backend that offers VIRTIO_F_ACCESS_PLATFORM; in an ordinary VM you can drop iommu='on' for this device." },
    sources: [src('QEMU-VBUS', 'virtio_bus_device_plugged: message verbatim'), src('AMDSEV', 'issue #269')],
  },
  {
    key: 'R-QEMU-02/virtiofs',
    id: 'R-QEMU-02',
    scope: 'device',
    severity: 'error',
    // In a confidential VM R-SNP-03 says it (the bit is needed there, so dropping it is no fix).
    when: [(c) => !isConfidential(c), (c) => c.device.fsDriver === 'virtiofs' && c.device.transport === 'pci', iommuEffective],
    title: (c) => `${c.device.label}: virtiofsd does not offer ACCESS_PLATFORM, so QEMU refuses iommu='on' on virtiofs`,
    explanation: `${WHAT_IOMMU_DOES} For virtiofs the external virtiofsd decides the features, and neither QEMU 7.2's C virtiofsd nor the Rust virtiofsd offers the bit: QEMU refuses to plug vhost-user-fs-pci with iommu_platform on, even without a vIOMMU (seen at start through libvirt with QEMU 7.2 and 10.0 + virtiofsd 1.13.2; fact sheet §7.2 item 11).`,
    messages: [MSG_BACKEND_NO_IOMMU],
    fix: { text: "Remove iommu='on' from the filesystem's <driver>.", edits: (c) => removeDriverAttribute(c.device, 'iommu') },
    sources: [
      src('QEMU-VBUS', 'virtio_bus_device_plugged: iommu_platform=true is not supported by the device'),
      src('LAB', 'start --paused with virtiofsd on QEMU 7.2 and 10.0'),
    ],
  },
];
