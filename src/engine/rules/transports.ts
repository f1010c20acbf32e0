/**
 * Transport and device-model rules: the legacy interface cannot carry bit 33 (R-XML-05), mmio is legacy in QEMU
 * (R-QEMU-03), transitional models are PCI-only (R-XML-04), ats/page_per_vq are virtio-pci properties
 * (R-XML-02, R-TRN-04), and on ccw the bit only means "use the DMA API" (R-PV-05).
 */
import { isConfidential, iommuEffective, legacyInterface, takesAccessPlatform } from '../context';
import { makeNonTransitional, removeDriverAttribute } from '../edits';
import type { DeviceContext, RuleRecord } from '../rule-types';
import { src } from '../sources';
import { not, or, v, versionAtLeast } from '../verdict';
import { MSG_LEGACY_IOMMU, MSG_NO_VERSION_1, WHAT_IOMMU_DOES, secureName } from '../words';

/** QEMU's device type name for messages, e.g. virtio-net-ccw. */
function qemuDevice(c: DeviceContext): string {
  const fn = c.device.function === 'serial' ? 'serial' : c.device.function;
  return `virtio-${fn}-${c.device.transport === 'ccw' ? 'ccw' : 'device'}`;
}

const nonPci = (c: DeviceContext): boolean => c.device.transport === 'ccw' || c.device.transport === 'mmio';

export const TRANSPORT_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-XML-05',
    id: 'R-XML-05',
    scope: 'device',
    severity: 'error',
    // A balloon in a confidential VM is replaced by R-LNX-05's fix, so only ordinary VMs' balloons are checked here.
    // In a confidential VM the device must end up with the bit, so its legacy interface is wrong whatever iommu says now.
    when: [
      (c) => takesAccessPlatform(c.device) || (c.device.function === 'balloon' && !isConfidential(c)),
      (c) => c.device.virtio,
      legacyInterface,
      (c) => or(iommuEffective(c), isConfidential(c)),
    ],
    title: (c) => `${c.device.label} has its legacy virtio interface enabled, which cannot carry ACCESS_PLATFORM`,
    detail: (c) => {
      const d = c.device;
      const why =
        d.virtioModel === 'virtio-transitional'
          ? `its model is virtio-transitional, which keeps the legacy interface${d.driver.iommu === 'absent' ? ", and QEMU's confidential-VM default still turns iommu_platform on" : ''}`
          : `model 'virtio' on a conventional PCI slot (machine ${String(c.input.domain.machine.raw)}${d.slot === 'pci' ? ', pci slot' : ''}) is transitional`;
      return `${d.label}: ${why}. The legacy virtio 0.9.5 interface only has 32 feature bits, so it cannot carry bit 33: with iommu_platform on QEMU refuses the device at start or hotplug, and without it a confidential guest cannot use the device.`;
    },
    explanation: `${WHAT_IOMMU_DOES} Only a modern (VIRTIO 1.x) device can offer it. libvirt's model='virtio' is modern on a PCIe slot (q35 root ports) and transitional (legacy + modern) on conventional PCI (i440fx, pci-bridge, ppc64 pseries); model='virtio-transitional' always keeps the legacy part.`,
    messages: [MSG_LEGACY_IOMMU],
    fix: {
      text: "Use model='virtio-non-transitional' (libvirt >= 5.2.0), or place the device on a PCIe root port of a q35 machine.",
      edits: (c) => makeNonTransitional(c.device),
    },
    sources: [
      src('QEMU-VPCI', 'virtio_pci_device_plugged: message verbatim'),
      src('LV-KB-SEV', 'q35 recommended; virtio-non-transitional on pc'),
      src('LV-FMT', 'virtio transitional models (5.2.0)'),
    ],
  },
  {
    key: 'R-XML-04',
    id: 'R-XML-04',
    scope: 'device',
    severity: 'error',
    when: [(c) => c.device.virtioModel === 'virtio-transitional' || c.device.virtioModel === 'virtio-non-transitional', nonPci],
    title: (c) =>
      `${c.device.label}: ${String(c.device.virtioModel)} is a PCI-only model but the device is on ${String(c.device.transport)}`,
    explanation:
      "libvirt's virtio-transitional and virtio-non-transitional models choose between PCI device types; other transports have no such choice and libvirt refuses them.",
    messages: ['virtio (non-)transitional models are not supported for address type=ccw'],
    fix: { text: "Use model='virtio' on this transport." },
    sources: [src('LV-CMD', 'qemuBuildVirtioDevGetConfig'), src('LV-FMT', 'virtio transitional models')],
  },
  {
    key: 'R-XML-04/version',
    id: 'R-XML-04',
    scope: 'device',
    severity: 'error',
    whenUnknown: 'skip',
    when: [
      (c) => c.device.virtioModel === 'virtio-transitional' || c.device.virtioModel === 'virtio-non-transitional',
      (c) => not(versionAtLeast(c.libvirt, v(5, 2), 'the libvirt version')),
    ],
    title: (c) => `${c.device.label}: libvirt before 5.2.0 does not know model='${String(c.device.virtioModel)}'`,
    explanation: 'The transitional and non-transitional virtio models arrived in libvirt 5.2.0.',
    fix: { text: 'Upgrade libvirt, or use model virtio on a PCIe slot.' },
    sources: [src('LV-FMT', 'virtio transitional models (since 5.2.0)')],
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
    key: 'R-XML-02/transport',
    id: 'R-XML-02',
    scope: 'device',
    severity: 'error',
    when: [(c) => c.device.virtio && c.device.driver.ats === 'on', nonPci],
    title: (c) => `${c.device.label}: ats is a PCI Express option; QEMU refuses it on ${String(c.device.transport)}`,
    detail: (c) => `libvirt passes ats=on through, and QEMU has no such property on ${qemuDevice(c)}.`,
    explanation:
      'ats adds a PCIe Address Translation Services capability to a virtio-pci device so a guest vIOMMU can use a device IOTLB. ccw and mmio devices have no such capability.',
    messages: ["Property 'virtio-net-ccw.ats' not found"],
    fix: { text: 'Remove ats from this device.', edits: (c) => removeDriverAttribute(c.device, 'ats') },
    sources: [src('QEMU-VPCI', 'ats is a virtio-pci property'), src('LV-FMT', 'ats: PCIe devices')],
  },
  {
    key: 'R-XML-02/conventional',
    id: 'R-XML-02',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => c.device.virtio && c.device.driver.ats === 'on' && c.device.transport === 'pci',
      (c) => c.device.slot === 'pci' || c.device.slot === 'pcie-root',
    ],
    title: (c) =>
      `${c.device.label}: ats does nothing on ${c.device.slot === 'pcie-root' ? 'a PCI Express root bus' : 'a conventional PCI slot'}`,
    explanation:
      'QEMU adds the ATS capability only when the device sits on a PCI Express port (virtio_pci_realize: pcie_port = express bus and not a root bus); on conventional PCI and on a PCIe root bus (q35 bus 0, pcie-expander-bus) ats=on is silently ignored.',
    fix: { text: 'Move the device to a PCIe root port (q35), or remove ats.', edits: (c) => removeDriverAttribute(c.device, 'ats') },
    sources: [src('QEMU-VPCI', 'virtio_pci_realize: ATS capability only when pcie_port (express and not root)')],
  },
  {
    key: 'R-XML-02/no-iotlb',
    id: 'R-XML-02',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => c.device.virtio && c.device.driver.ats === 'on' && c.device.transport === 'pci' && c.device.slot === 'pcie',
      (c) => !(c.input.domain.viommu.model === 'intel' && c.input.domain.viommu.iotlb === 'on'),
    ],
    title: (c) => `${c.device.label}: ats has no effect without a vIOMMU device IOTLB`,
    explanation:
      "ATS lets a guest IOMMU driver treat the device as having its own translation cache; libvirt says it 'is needed to make use of IOTLB support'. Without <iommu model='intel'> with <driver iotlb='on'/> nothing uses it.",
    fix: { text: "Add <iommu model='intel'><driver iotlb='on'/></iommu> if you want a device IOTLB, or remove ats." },
    sources: [src('LV-FMT', 'ats ... needed to make use of IOTLB support')],
  },
  {
    key: 'R-TRN-04',
    id: 'R-TRN-04',
    scope: 'device',
    severity: 'error',
    when: [(c) => c.device.virtio && c.device.driver.pagePerVq === 'on', nonPci],
    title: (c) => `${c.device.label}: page_per_vq is a virtio-pci option; QEMU refuses it on ${String(c.device.transport)}`,
    explanation:
      'page_per_vq places each virtqueue notification area on its own page of a PCI BAR; ccw and mmio devices have no such property.',
    messages: ["Property 'virtio-net-ccw.page-per-vq' not found"],
    fix: { text: 'Remove page_per_vq from this device.', edits: (c) => removeDriverAttribute(c.device, 'page_per_vq') },
    sources: [src('QEMU-VPCI', 'page-per-vq is a virtio-pci property'), src('LV-FMT', 'page_per_vq (7.9.0)')],
  },
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
