/**
 * libvirt's XML (R-XML-*, domain-facts.md §2.2): where <driver iommu/ats> may go, device models, the legacy interface.
 */
import type { RuleRecord } from '../rule-types';
import { describeVersion, isConfidential, iommuEffective, legacyInterface, takesAccessPlatform } from '../context';
import { removeDriverAttribute, setIommu, makeNonTransitional } from '../edits';
import { src } from '../sources';
import { not, or, v, versionAtLeast } from '../verdict';
import { WHY_CONFIDENTIAL, secureName, WHAT_IOMMU_DOES, MSG_NO_ACCESS_PLATFORM, MSG_LEGACY_IOMMU } from '../words';

import { needsBit } from './cc';
import { nonPci, qemuDevice } from './shared';

export const XML_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-XML-07',
    id: 'R-XML-07',
    scope: 'device',
    severity: 'error',
    when: [needsBit, (c) => c.device.driver.iommu === 'off'],
    title: (c) => `${c.device.label} has iommu='off' in this ${secureName(c.cvm)} guest`,
    detail: (c) =>
      `An explicit iommu='off' on ${c.device.label} overrides QEMU's confidential-VM default, so the device will not offer ACCESS_PLATFORM.`,
    explanation: `${WHAT_IOMMU_DOES} ${WHY_CONFIDENTIAL} QEMU's confidential default is only a default: a value written on the device wins, silently.`,
    messages: [MSG_NO_ACCESS_PLATFORM],
    fix: { text: "Set iommu='on' (or remove the attribute on QEMU >= 6.0).", edits: (c) => setIommu(c.device, 'on') },
    sources: [src('QEMU-MACHINE', 'sugar properties are defaults'), src('LNX-VIRTIO', 'virtio_features_ok')],
  },
  {
    key: 'R-XML-01',
    id: 'R-XML-01',
    scope: 'device',
    severity: 'error',
    when: [(c) => !c.device.virtio && (c.device.driver.iommu !== 'absent' || c.device.driver.ats !== 'absent')],
    title: (c) => `${c.device.label} is not a virtio device but has virtio <driver> options`,
    detail: (c) => `${c.device.label} (model ${String(c.device.modelAttr)}) is emulated, not virtio; libvirt refuses iommu/ats on it.`,
    explanation: `${WHAT_IOMMU_DOES} The attribute belongs to virtio devices only; libvirt emits it as the QEMU property iommu_platform only when it is written, and rejects it elsewhere.`,
    messages: ['iommu driver option is only supported for virtio devices', 'ats driver option is only supported for virtio devices'],
    fix: {
      text: 'Remove the iommu/ats attributes from this device, or make it a virtio device.',
      edits: (c) => [
        ...(c.device.driver.iommu !== 'absent' ? removeDriverAttribute(c.device, 'iommu') : []),
        ...(c.device.driver.ats !== 'absent' ? removeDriverAttribute(c.device, 'ats') : []),
      ],
    },
    sources: [src('LV-VAL', 'domain_validate.c: only supported for virtio devices'), src('LV-FMT', 'Virtio-related options')],
  },
  {
    key: 'R-XML-01/version',
    id: 'R-XML-01',
    scope: 'device',
    severity: 'error',
    whenUnknown: 'skip',
    when: [
      (c) => c.device.virtio && c.device.driver.iommu !== 'absent',
      (c) => not(versionAtLeast(c.libvirt, v(3, 5), 'the libvirt version')),
    ],
    title: (c) => `libvirt ${describeVersion(c.libvirt)} does not know <driver iommu>`,
    explanation: `${WHAT_IOMMU_DOES} libvirt accepts the attribute from 3.5.0.`,
    fix: { text: 'Upgrade libvirt to 3.5.0 or later.' },
    sources: [src('LV-FMT', 'Virtio-related options: iommu since 3.5.0')],
  },
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
];
