/**
 * libvirt's XML (R-XML-*, domain-facts.md §2.2): where <driver iommu/ats> may go, device models, the legacy interface.
 */
import { switchWords, type DeviceFacts, type InvalidSwitch, type VirtioDriverOptions } from '../../contracts/facts';
import type { Edit } from '../../contracts/findings';
import { atLeast, formatVersion } from '../../contracts/version';
import type { DeviceContext, DomainContext, RuleRecord } from '../rule-types';
import {
  describeVersion,
  guestVirtio1,
  isConfidential,
  iommuEffective,
  legacyAnswer,
  legacyInterface,
  takesAccessPlatform,
  translatingViommu,
} from '../context';
import { MEMORY_DRIVER_OPTIONS, removeDriverAttribute, setIommu, makeNonTransitional, setVirtioModel } from '../edits';
import { qemuDeviceType, guestRefusal } from '../messages';
import { src } from '../sources';
import { not, or, v, versionAtLeast } from '../verdict';
import { WHY_CONFIDENTIAL, secureName, WHAT_IOMMU_DOES, MSG_NO_ACCESS_PLATFORM, MSG_LEGACY_IOMMU } from '../words';

import { needsBit } from './cc';
import { nonPci } from './shared';

/** The virtio <driver> options: fact key, attribute, libvirt's refusal on a non-virtio device (§7.3 item 13). */
const DRIVER_OPTIONS: readonly (readonly [keyof VirtioDriverOptions, string, string])[] = [
  ['iommu', 'iommu', 'iommu driver option is only supported for virtio devices'],
  ['ats', 'ats', 'ats driver option is only supported for virtio devices'],
  ['packed', 'packed', 'packed driver option is only supported for virtio devices'],
  ['pagePerVq', 'page_per_vq', 'page_per_vq option is only supported for virtio devices'],
];

/**
 * The devices whose virtio <driver> options libvirt refuses when the device is not virtio (domain_validate.c calls
 * virDomainCheckVirtioOptionsAreAbsent for these only, in 9.0 and 11.3).
 */
const VALIDATED_KINDS: ReadonlySet<DeviceFacts['kind']> = new Set(['disk', 'interface', 'video', 'vsock']);

function writtenOptions(d: DeviceFacts): string[] {
  return DRIVER_OPTIONS.filter(([k]) => d.driver[k] !== 'absent').map(([, attr]) => attr);
}

/** libvirt learned model='virtio-non-transitional' in 5.2.0 (R-XML-04); an older one gets no such edit (nor any). */
const NON_TRANSITIONAL_FROM = v(5, 2);
function nonTransitionalIfKnown(c: DeviceContext): readonly Edit[] {
  return atLeast(c.libvirt, NON_TRANSITIONAL_FROM) === 'no' ? [] : makeNonTransitional(c.device);
}

/**
 * The smallest fix a guest survives (issue 13 item 2): a modern device is needed only where the goal needs
 * ACCESS_PLATFORM — a confidential VM, or a vIOMMU that must isolate the device — and only a guest with virtio 1.0
 * drivers can use one. In an ordinary VM dropping the unneeded iommu='on' keeps the device working for any guest.
 */
function legacyFix(c: DeviceContext): { readonly text: string; readonly edits: readonly Edit[] } {
  const modern = guestVirtio1(c);
  if (isConfidential(c)) {
    if (modern === 'no') {
      return {
        text: 'None: this guest has only legacy virtio drivers, and a confidential VM needs modern devices (see R-LNX-06).',
        edits: [],
      };
    }
    return {
      text:
        atLeast(c.libvirt, NON_TRANSITIONAL_FROM) === 'no'
          ? `Place the device on a PCIe root port of a q35 machine, or upgrade libvirt: ${describeVersion(c.libvirt)} has no model='virtio-non-transitional' (5.2.0).`
          : "Use model='virtio-non-transitional' (libvirt >= 5.2.0), or place the device on a PCIe root port of a q35 machine.",
      edits: nonTransitionalIfKnown(c),
    };
  }
  if (translatingViommu(c) && modern === 'yes') {
    return {
      text: "Use model='virtio-non-transitional' so the device can keep iommu='on' behind the vIOMMU (the guest has virtio 1.0 drivers).",
      edits: nonTransitionalIfKnown(c),
    };
  }
  const why = translatingViommu(c)
    ? "The device then bypasses the vIOMMU. Whether the guest has virtio 1.0 drivers is not known; if it has, choose model='virtio-non-transitional' instead to keep iommu='on' (Platform step)."
    : 'An ordinary VM without a vIOMMU gains nothing from the bit, and the model stays as the guest needs it.';
  return { text: `Remove iommu='on' from the device. ${why}`, edits: removeDriverAttribute(c.device, 'iommu') };
}

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
    messagesFor: (c) => guestRefusal(c, 'device must provide VIRTIO_F_ACCESS_PLATFORM'),
    fix: { text: "Set iommu='on' (or remove the attribute on QEMU >= 6.0).", edits: (c) => setIommu(c.device, 'on', c.libvirt) },
    sources: [src('QEMU-MACHINE', 'sugar properties are defaults'), src('LNX-VIRTIO', 'virtio_features_ok')],
  },
  {
    key: 'R-XML-01',
    id: 'R-XML-01',
    scope: 'device',
    severity: 'error',
    when: [(c) => !c.device.virtio && VALIDATED_KINDS.has(c.device.kind) && DRIVER_OPTIONS.some(([k]) => c.device.driver[k] !== 'absent')],
    title: (c) => `${c.device.label} is not a virtio device but has virtio <driver> options`,
    detail: (c) =>
      `${c.device.label} (model ${String(c.device.modelAttr)}) is emulated, not virtio; libvirt refuses ${writtenOptions(c.device).join(', ')} on it.`,
    explanation: `${WHAT_IOMMU_DOES} The virtio <driver> options (iommu, ats, packed, page_per_vq) belong to virtio devices only; libvirt emits them as QEMU properties only when they are written, and refuses them on a non-virtio disk, interface, video or vsock device (domain_validate.c).`,
    messages: DRIVER_OPTIONS.map(([, , message]) => message),
    messagesFor: (c) => DRIVER_OPTIONS.filter(([k]) => c.device.driver[k] !== 'absent').map(([, , message]) => message),
    fix: {
      text: 'Remove the virtio <driver> options from this device, or make it a virtio device.',
      edits: (c) =>
        DRIVER_OPTIONS.filter(([k]) => c.device.driver[k] !== 'absent').flatMap(([, attr]) => removeDriverAttribute(c.device, attr)),
    },
    sources: [
      src('LV-VALIDATE', 'virDomainCheckVirtioOptionsAreAbsent: only supported for virtio devices'),
      src('LV-FMT', 'Virtio-related options'),
    ],
  },

  {
    key: 'R-XML-01/ignored',
    id: 'R-XML-01',
    scope: 'device',
    severity: 'warning',
    when: [(c) => !c.device.virtio && !VALIDATED_KINDS.has(c.device.kind) && DRIVER_OPTIONS.some(([k]) => c.device.driver[k] !== 'absent')],
    title: (c) => `${c.device.label} is not a virtio device: its ${writtenOptions(c.device).join(', ')} does nothing`,
    detail: (c) =>
      `${c.device.label} (model ${String(c.device.modelAttr)}) is emulated, not virtio. libvirt accepts and keeps ${writtenOptions(c.device).join(', ')} on it without a word, but only virtio devices ever get these options.`,
    explanation: `${WHAT_IOMMU_DOES} libvirt refuses the virtio <driver> options on a non-virtio disk, interface, video or vsock device, but not on other devices (controllers, inputs, sound), where they are simply never used (domain_validate.c; seen defined and started on libvirt 9.0, 11.3 and 12.8).`,
    fix: {
      text: 'Remove the virtio <driver> options from this device, or make it a virtio device.',
      edits: (c) =>
        DRIVER_OPTIONS.filter(([k]) => c.device.driver[k] !== 'absent').flatMap(([, attr]) => removeDriverAttribute(c.device, attr)),
    },
    sources: [
      src('LV-VALIDATE', 'virDomainCheckVirtioOptionsAreAbsent: called for disks, interfaces, video and vsock only'),
      src('LAB', "a non-virtio SCSI controller and a USB tablet with <driver iommu='on'/>, started on libvirt 9.0, 11.3 and 12.8"),
    ],
  },
  {
    key: 'R-XML-01/not-passed',
    id: 'R-XML-01',
    scope: 'device',
    severity: 'warning',
    when: [(c) => c.device.driverOptionsNotPassed === true && DRIVER_OPTIONS.some(([k]) => c.device.driver[k] !== 'absent')],
    title: (c) => `${c.device.label} is the primary vhost-user video: libvirt ignores its ${writtenOptions(c.device).join(', ')}`,
    detail: (c) =>
      `libvirt makes the primary vhost-user video on x86 a vhost-user-vga device and builds it without the virtio <driver> options, which it accepts and keeps in the XML without a word.${isConfidential(c) ? " Whether QEMU turns ACCESS_PLATFORM on for it is QEMU's confidential-VM default alone (R-QEMU-01)." : ''}`,
    explanation: `${WHAT_IOMMU_DOES} libvirt passes the virtio options (iommu, ats, packed, page_per_vq) only to the video models it builds as virtio devices: virtio-vga, virtio-gpu and vhost-user-gpu, not vhost-user-vga (qemu_command.c qemuDeviceVideoGetModel and qemuBuildDeviceVideoCmd, libvirt 11.3).`,
    fix: {
      text: 'Remove the virtio <driver> options from this video, or give it another primary video so that it becomes vhost-user-gpu.',
      edits: (c) =>
        DRIVER_OPTIONS.filter(([k]) => c.device.driver[k] !== 'absent').flatMap(([, attr]) => removeDriverAttribute(c.device, attr)),
    },
    sources: [src('LV-CMD', 'qemuDeviceVideoGetModel: vhost-user-vga is not built as a virtio device; qemuBuildDeviceVideoCmd')],
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
    key: 'R-XML-01/memory',
    id: 'R-XML-01',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => c.device.kind === 'memory' && writtenOptions(c.device).length > 0,
      (c) => not(versionAtLeast(c.libvirt, MEMORY_DRIVER_OPTIONS, 'the libvirt version')),
    ],
    title: (c) => `libvirt ${describeVersion(c.libvirt)} drops the <driver> options of ${c.device.label}`,
    detail: (c) =>
      `${c.device.label} has ${writtenOptions(c.device).join(', ')}; libvirt before 11.9.0 has no place for them on <memory model='virtio-mem|virtio-pmem'>, and drops them without a word when the domain is defined, so QEMU never gets them.`,
    explanation: `${WHAT_IOMMU_DOES} libvirt 11.9.0 gave virtio-mem and virtio-pmem the virtio <driver> options (NEWS 11.9.0). Older releases accept the element and leave it out of the domain they keep (seen on libvirt 9.0 and 11.3: \`virsh dumpxml\` no longer shows it, and the domain starts without it; 12.8 keeps it).`,
    fix: {
      text: "Run libvirt 11.9.0 or later for the options to take effect, or remove them: the device then relies on QEMU's default (on in a confidential VM from QEMU 6.0).",
    },
    sources: [
      src('LV-NEWS', 'v11.9.0: virtio options for virtio-mem and virtio-pmem'),
      src('LAB', 'define + dumpxml on libvirt 9.0, 11.3 and 12.8'),
    ],
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
          : legacyAnswer(c).because;
      return `${d.label}: ${why}. The legacy virtio 0.9.5 interface only has 32 feature bits, so it cannot carry bit 33: with iommu_platform on QEMU refuses the device at start or hotplug, and without it a confidential guest cannot use the device.`;
    },
    explanation: `${WHAT_IOMMU_DOES} Only a modern (VIRTIO 1.x) device can offer it. libvirt's model='virtio' is modern on a PCI Express port (q35 root ports) and transitional (legacy + modern) on conventional PCI (i440fx, pci-bridge, ppc64 pseries) and on a PCI Express root bus (q35 bus 0); model='virtio-transitional' always keeps the legacy part.`,
    messages: [MSG_LEGACY_IOMMU],
    fix: {
      text: (c) => legacyFix(c).text,
      general:
        "In a confidential VM: model='virtio-non-transitional' (libvirt >= 5.2.0), or a PCIe root port of a q35 machine. In an ordinary VM: remove iommu='on', which the device only needs behind a vIOMMU; with a vIOMMU and a guest known to have virtio 1.0 drivers, make it non-transitional instead.",
      edits: (c) => legacyFix(c).edits,
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
      "libvirt's virtio-transitional and virtio-non-transitional models choose between PCI device types; other transports have no such types. libvirt defines the domain anyway (its own complaint, 'virtio (non-)transitional models are not supported for address type=ccw', does not fail the command) and writes the model into QEMU's device name, which QEMU then refuses at start (seen on libvirt 9.0, 11.3 and 12.8; fact sheet §7.1 item 8).",
    messages: [
      "'virtio-blk-ccw-transitional' is not a valid device model name",
      "'virtio-net-ccw-non-transitional' is not a valid device model name",
      "'virtio-net-device-transitional' is not a valid device model name",
    ],
    messagesFor: (c) => [`'${qemuDeviceType(c.device)}' is not a valid device model name`],
    fix: {
      text: "Use model='virtio' on this transport.",
      edits: (c) => setVirtioModel(c.device, 'virtio'),
    },
    sources: [
      src('LV-CMD', 'qemuBuildVirtioDevGetConfig: reports but does not fail for address type ccw'),
      src('LV-FMT', 'virtio transitional models'),
      src('LAB', 'start --paused on QEMU 7.2, 10.0, 11.1'),
    ],
  },

  {
    key: 'R-XML-04/input',
    id: 'R-XML-04',
    scope: 'device',
    severity: 'error',
    when: [
      (c) => c.device.function === 'input' && c.device.virtio,
      (c) => c.device.virtioModel === 'virtio-transitional' || c.device.virtioModel === 'virtio-non-transitional',
    ],
    title: (c) => `${c.device.label}: libvirt has no ${String(c.device.virtioModel)} model for virtio input devices`,
    explanation:
      "QEMU's virtio input devices are modern-only (virtio-input-pci forces virtio 1), so libvirt offers no transitional or non-transitional model for them and refuses the domain at define (qemu_validate.c; seen on libvirt 9.0, 11.3 and 12.8). model='virtio' already gives the modern device.",
    messages: ['virtio (non-)transitional models are not supported for input type=tablet'],
    messagesFor: (c) => [`virtio (non-)transitional models are not supported for input type=${c.device.label.replace(/^input /, '')}`],
    fix: {
      text: "Use model='virtio' (or leave the model out).",
      edits: (c) => setVirtioModel(c.device, 'virtio'),
    },
    sources: [
      src('LV-VAL', 'qemuValidateDomainDeviceDefInput: model=virtio-(non-)transitional is unsupported'),
      src('LAB', "define <input bus='virtio'> with each model on libvirt 9.0, 11.3 and 12.8 (test/lab/input-models.test.ts)"),
    ],
  },
  {
    key: 'R-XML-04/vsock',
    id: 'R-XML-04',
    scope: 'device',
    severity: 'error',
    when: [
      (c) => c.device.function === 'vsock' && c.device.virtioModel === 'virtio-transitional',
      (c) => versionAtLeast(c.qemu, v(5, 1), 'the QEMU version'),
    ],
    title: (c) => `${c.device.label}: QEMU has no transitional vsock device for model='virtio-transitional'`,
    explanation:
      "libvirt hands model='virtio-transitional' on a <vsock> to QEMU as vhost-vsock-pci-transitional (its test data), and QEMU 5.1 and later have no such device: vhost-vsock became modern-only (hw/virtio/vhost-vsock-pci.c has only the generic and non-transitional names). QEMU 7.2, 10.0 and 11.1 refuse the name (seen in the version lab).",
    messages: ["'vhost-vsock-pci-transitional' is not a valid device model name"],
    fix: { text: "Use model='virtio' (or leave the model out).", edits: (c) => setVirtioModel(c.device, 'virtio') },
    sources: [
      src('LV-TESTS', 'virtio-transitional: "driver":"vhost-vsock-pci-transitional"'),
      src('LAB', "each lab generation's QEMU with -device vhost-vsock-pci-transitional (test/lab/vsock-transitional.test.ts)"),
    ],
  },
  {
    key: 'R-XML-04/virtiofs',
    id: 'R-XML-04',
    scope: 'device',
    severity: 'error',
    when: [(c) => c.device.function === 'fs' && c.device.fsDriver === 'virtiofs' && c.device.modelAttr !== 'unknown'],
    title: (c) => `${c.device.label}: libvirt takes no model on a virtiofs filesystem (model='${String(c.device.modelAttr)}')`,
    explanation:
      "libvirt refuses any model on a <filesystem> with <driver type='virtiofs'>, virtio included: vhost-user-fs-pci is modern-only and has no transitional form (qemu_validate.c qemuValidateDomainDeviceDefFS; seen at define on libvirt 9.0, 11.3 and 12.8).",
    messages: ['virtiofs does not support model'],
    fix: {
      text: 'Remove the model attribute from the filesystem.',
      edits: (c) => (c.device.implicit ? [] : [{ op: 'remove-attribute', target: c.device.target, name: 'model' }]),
    },
    sources: [
      src('LV-VAL', 'qemuValidateDomainDeviceDefFS: virtiofs does not support model'),
      src('LAB', 'test/lab/virtiofs-model.test.ts: defined on libvirt 9.0, 11.3 and 12.8'),
    ],
  },
  {
    key: 'R-XML-04/default-model',
    id: 'R-XML-04',
    scope: 'device',
    severity: 'info',
    when: [(c) => c.device.virtioFrom !== undefined && atLeast(c.libvirt, c.device.virtioFrom) === 'unknown'],
    title: (c) =>
      `${c.device.label} has no model: libvirt ${formatVersion(c.device.virtioFrom!)} and later make it virtio-scsi, older releases lsilogic`,
    explanation:
      "libvirt picks a SCSI controller's model when the XML gives none: on Arm and RISC-V virt machines it was the emulated lsilogic HBA until libvirt 11.6.0 made it virtio-scsi (NEWS 11.6.0; seen: 9.0 and 11.3 define lsilogic, 12.8 virtio-scsi). A virtio-scsi controller is a virtio device, with the virtio <driver> options; which one this domain gets depends on the libvirt that defines it, which is not known here, so the checks take the older choice.",
    fix: {
      text: "Write the <controller type='scsi'> with model='virtio-scsi' (or model='lsilogic'), so every libvirt defines the same one.",
    },
    sources: [
      src('LV-NEWS', 'v11.6.0: qemu: Change default SCSI controller model to virtio-scsi for ARM and RISC-V'),
      src('LAB', "define <controller type='scsi'/> on aarch64 virt on libvirt 9.0, 11.3 and 12.8"),
    ],
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
    detail: (c) =>
      `libvirt passes ats=on through, and QEMU has no such property on ${qemuDeviceType({ ...c.device, virtioModel: 'virtio' })}.`,
    explanation:
      'ats adds a PCIe Address Translation Services capability to a virtio-pci device so a guest vIOMMU can use a device IOTLB. ccw and mmio devices have no such capability.',
    messages: ["Property 'virtio-net-ccw.ats' not found", "Property 'virtio-net-device.ats' not found"],
    messagesFor: (c) => [`Property '${qemuDeviceType({ ...c.device, virtioModel: 'virtio' })}.ats' not found`],
    fix: { text: 'Remove ats from this device.', edits: (c) => removeDriverAttribute(c.device, 'ats') },
    sources: [src('QEMU-VPCI', 'ats is a virtio-pci property'), src('LV-FMT', 'ats: PCIe devices')],
  },
  {
    key: 'R-XML-02/conventional',
    id: 'R-XML-02',
    scope: 'device',
    severity: 'info',
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
    severity: 'info',
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

/** libvirt's refusal of one value, as virsh prints it (seen on libvirt 9.0 and 12.8). */
function refusalOf(i: InvalidSwitch): string {
  return `XML error: Invalid value for attribute '${i.attribute}' in element '${i.element}': '${i.value}'.`;
}

const written = (i: InvalidSwitch): string => `${i.attribute}='${i.value}' on ${i.target}`;

/** The fix of one value: the word libvirt takes for what it plainly says. */
function wordFor(i: InvalidSwitch): string | null {
  if (i.meant === 'unknown') return null;
  const [on, off] = switchWords(i.words);
  return i.meant === 'on' ? on : off;
}

export const XML_RULES: readonly RuleRecord<'domain'>[] = [
  {
    key: 'R-XML-01/value',
    id: 'R-XML-01',
    scope: 'domain',
    severity: 'error',
    when: [(c: DomainContext) => c.input.domain.invalidSwitches.length > 0],
    title: (c) => {
      const all = c.input.domain.invalidSwitches;
      return `libvirt refuses ${all.length === 1 ? 'a value' : `${all.length} values`} it cannot read: ${all.map(written).join(', ')}`;
    },
    detail: (c) =>
      c.input.domain.invalidSwitches
        .map((i) => {
          const word = wordFor(i);
          return `${written(i)} takes only ${i.words.replace('/', ' or ')}${word ? `; '${i.value}' plainly means ${word}, which is how the rest of this check reads it` : ', and what this value means is not clear, so the rest of this check reads it as absent'}.`;
        })
        .join(' '),
    explanation:
      "libvirt reads some attributes as one of two words and refuses the domain when it meets another value: the virtio <driver> options (iommu, ats, packed, page_per_vq), the vIOMMU's <driver> options, <smm state> take on or off; <loader stateless>, <rom enabled> and <launchSecurity kernelHashes> take yes or no (seen at define on libvirt 9.0 and 12.8). Mixing the two pairs up is easy, since the same document uses both.",
    messages: ["XML error: Invalid value for attribute '<attribute>' in element '<element>': '<value>'."],
    messagesFor: (c) => c.input.domain.invalidSwitches.map(refusalOf),
    fix: {
      text: (c) =>
        c.input.domain.invalidSwitches
          .map((i) => {
            const word = wordFor(i);
            return word
              ? `Write ${i.attribute}='${word}' on ${i.target}.`
              : `Write ${i.attribute}='${switchWords(i.words)[0]}' or '${switchWords(i.words)[1]}' on ${i.target}.`;
          })
          .join(' '),
      general: 'Write the word libvirt takes: on or off, or yes or no.',
      edits: (c) => {
        const all = c.input.domain.invalidSwitches;
        // Only when every value says plainly what it means; otherwise the user has to choose.
        if (all.some((i) => wordFor(i) === null)) return [];
        return all.map((i) => ({ op: 'set-attribute' as const, target: i.target, name: i.attribute, value: wordFor(i)! }));
      },
    },
    sources: [
      src('LV-RNG', 'virOnOff and virYesNo'),
      src('LAB', "virsh define with iommu='yes', ats='true' and stateless='on' on libvirt 9.0 and 12.8"),
    ],
  },
];
