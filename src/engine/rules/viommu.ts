/**
 * The vIOMMU (R-VIOMMU-*, domain-facts.md §2.8): models per machine, interrupt remapping, vhost behind it, and why
 * confidential VMs do not need one.
 */
import type { DomainContext, RuleRecord } from '../rule-types';
import { isConfidential, takesAccessPlatform, translatingViommu, describeVersion } from '../context';
import { setDriverAttribute, SPLIT_IRQCHIP, uefiEdits } from '../edits';
import { allQuotes, INTEL_AW_BITS_REFUSAL, quotesFor, SECOND_X86_VIOMMU, viommuAttributeRefusals } from '../messages';
import { src } from '../sources';
import { not, unknown, v, versionAtLeast } from '../verdict';
import { WHY_CONFIDENTIAL, secureName, WHAT_IOMMU_DOES, iommuFixText } from '../words';

import { ADDS_IOMMU_FOR_VCPUS, isVhostKernel, libvirtAddsViommu, MAX_VCPUS_WITHOUT_EIM } from './shared';
import type { OnOffAbsent, Version } from '../../contracts/facts';
import type { Edit } from '../../contracts/findings';
import { atLeast, formatVersion } from '../../contracts/version';

/**
 * Each vIOMMU model libvirt knows: the first release with it (R-VIOMMU-01; amd: NEWS 11.5.0, §7.3 item 15; an older
 * libvirt refuses the model at define, and only amd is recent enough for that to be worth a warning when the version
 * is unknown), the machines it is offered on, and its refusal elsewhere (qemu_validate.c qemuValidateDomainDeviceDefIOMMU);
 * whether it takes the <driver> options (intremap, caching_mode, iotlb …), which libvirt refuses on smmuv3 and virtio
 * (domain_validate.c virDomainIOMMUDefValidate).
 */
const VIOMMU_MODELS: Readonly<
  Record<
    string,
    { readonly since: Version; readonly machines: readonly string[]; readonly message: string; readonly driverOptions: boolean }
  >
> = {
  intel: { since: v(2, 1), machines: ['q35'], message: "IOMMU device: 'intel' is only supported with Q35 machines", driverOptions: true },
  // 12.8 has only these wordings, so amd shares intel's (inferred from the strings).
  amd: { since: v(11, 5), machines: ['q35'], message: "IOMMU device: 'amd' is only supported with Q35 machines", driverOptions: true },
  smmuv3: {
    since: v(5, 5),
    machines: ['virt'],
    message: "IOMMU device: 'smmuv3' is only supported with ARM Virt machines",
    driverOptions: false,
  },
  virtio: {
    since: v(8, 3),
    machines: ['q35', 'virt'],
    message: "IOMMU device: 'virtio' is only supported with Q35 and ARM Virt machines",
    driverOptions: false,
  },
};

/**
 * QEMU's refusals of a device assigned with VFIO behind a vIOMMU that cannot map it, as [QEMU 7.2 and 10.0, QEMU
 * 11.1] (the lab's binaries; which release between 10.0 and 11.1 changed them is not known): the intel vIOMMU
 * without caching mode (vtd_machine_done_notify at cold plug, then vtd_dev_set_iommu_device), the amd one
 * (amdvi_iommu_notify_flag_changed).
 */
const ASSIGNMENT_REFUSALS = {
  intel: [
    'We need to set caching-mode=on for intel-iommu to enable device assignment with IOMMU protection.',
    'Device assignment is not allowed without enabling caching-mode=on for Intel IOMMU.',
  ],
  amd: [
    'device <bus>.<slot>.<function> requires iommu notifier which is not currently supported',
    'device <bus>.<slot>.<function> requires dma-remap=1',
  ],
} as const;

/** Of two wordings QEMU changed between 10.0 and 11.1, the one this QEMU prints, or both when it may be either. */
function wordingOfRelease(c: DomainContext, [before, after]: readonly [string, string]): string[] {
  if (atLeast(c.qemu, v(11, 0)) === 'yes') return [after];
  if (atLeast(c.qemu, v(10, 1)) === 'no') return [before];
  return [before, after];
}

/** A virtio vIOMMU's aw_bits outside 32-64 and a granule size other than 4, 8, 16 or 64 KiB, in words and libvirt's message. */
function virtioViommuFaults(c: DomainContext): { readonly words: string; readonly message: string }[] {
  const m = c.input.domain.viommu;
  const faults: { words: string; message: string }[] = [];
  if (typeof m.awBits === 'number' && (m.awBits < 32 || m.awBits > 64))
    faults.push({ words: `aw_bits='${m.awBits}' is outside 32-64`, message: 'XML error: aw-bits must be within [32,64]' });
  const granuleChecked = atLeast(c.libvirt, v(12, 1)) !== 'no';
  if (granuleChecked && typeof m.granule === 'string' && /^\d+KiB$/.test(m.granule) && !VIRTIO_GRANULES.includes(m.granule))
    faults.push({
      words: `a granule of ${m.granule}, not 4, 8, 16 or 64 KiB`,
      message: 'unsupported configuration: iommu: unsupported granule size. Supported values are 4, 8, 16 and 64 KiB',
    });
  return faults;
}

const VIRTIO_GRANULES: readonly string[] = ['4KiB', '8KiB', '16KiB', '64KiB'];

const ADDED_VIOMMU_SOURCES = [
  src('LV-NEWS', 'v10.10.0: Automatically add IOMMU when needed'),
  src('LAB', 'define a q35 domain with 288 vCPUs on libvirt 11.3 and read it back'),
];

/** What libvirt adds, written out: with the caching mode assigned devices need when there are any. */
function addedViommu(cachingMode: boolean): Edit[] {
  const options = cachingMode ? " caching_mode='on'" : '';
  return [
    { op: 'add-element', parent: '/domain/devices', xml: `<iommu model='intel'>\n  <driver intremap='on' eim='on'${options}/>\n</iommu>` },
    SPLIT_IRQCHIP,
  ];
}

/**
 * What libvirt says when it refuses a q35 domain with more than 255 vCPUs for its interrupts, by the check of its
 * release: up to 12.1 the vIOMMU must have extended interrupt mode (qemu_validate.c, 9.0 and 11.3); 12.2 changed
 * the check (NEWS 12.2.0: the amd vIOMMU needs XTSup instead), and 12.8 passes the split I/O APIC as well. Where
 * libvirt adds the intel vIOMMU itself (10.10.0 and later, no <iommu>), its interrupt remapping refuses an
 * <ioapic> that names another driver (seen on 11.3 and 12.8).
 */
const VCPU_REFUSALS = {
  eim: 'more than 255 vCPUs require extended interrupt mode enabled on the iommu device',
  eimOrSplit: 'more than 255 vCPUs require either IOAPIC in QEMU or an iommu device with EIM or XTSup mode enabled',
  split: "IOMMU interrupt remapping requires split I/O APIC (ioapic driver='qemu')",
} as const;
type VcpuRefusal = keyof typeof VCPU_REFUSALS;
/** The first libvirt with the changed check (NEWS 12.2.0); its wording is 12.8's, the only one seen. */
const EIM_OR_SPLIT_CHECK = v(12, 2);

/** An x86 q35 domain with more than 255 vCPUs, which libvirt checks for x2APIC interrupts. */
function hasManyVcpus(c: DomainContext): boolean {
  const d = c.input.domain;
  if ((d.arch !== 'x86_64' && d.arch !== 'i686') || d.machine.family !== 'q35') return false;
  return d.vcpus.max !== 'unknown' && d.vcpus.max > MAX_VCPUS_WITHOUT_EIM;
}

/**
 * What a libvirt with the given check refuses for the domain's many vCPUs, or null. `adds` whether it adds the
 * intel vIOMMU where there is none and turns on the intel one's eim where it is not written (10.10.0 and later).
 */
function vcpuRefusal(c: DomainContext, check: 'eim' | 'eimOrSplit', adds: boolean): VcpuRefusal | null {
  const d = c.input.domain;
  const { model, eim, xtsup } = d.viommu;
  // <ioapic> without a driver is the split one once libvirt is done with it (the intremap rule's condition).
  const otherIoapic = !ioapicLeftToLibvirt(d.ioapicDriver) && d.ioapicDriver !== 'qemu';
  if (model === 'none') return !adds ? 'eim' : otherIoapic ? 'split' : null;
  const eimOn = model === 'intel' && (eim === 'on' || (eim === 'absent' && adds));
  if (check === 'eim') return eimOn ? null : 'eim';
  const xtsupOn = model === 'amd' && xtsup !== 'off';
  return eimOn || xtsupOn || !otherIoapic ? null : 'eimOrSplit';
}

/** The refusals of every libvirt this host may run, as far as its version is known: one entry per possible check. */
function vcpuRefusalsOfRelease(c: DomainContext): (VcpuRefusal | null)[] {
  const eras: [boolean, VcpuRefusal | null][] = [
    [atLeast(c.libvirt, ADDS_IOMMU_FOR_VCPUS) !== 'yes', vcpuRefusal(c, 'eim', false)],
    [atLeast(c.libvirt, ADDS_IOMMU_FOR_VCPUS) !== 'no' && atLeast(c.libvirt, EIM_OR_SPLIT_CHECK) !== 'yes', vcpuRefusal(c, 'eim', true)],
    [atLeast(c.libvirt, EIM_OR_SPLIT_CHECK) !== 'no', vcpuRefusal(c, 'eimOrSplit', true)],
  ];
  return eras.filter(([possible]) => possible).map(([, refusal]) => refusal);
}

/**
 * The vIOMMU every libvirt takes for many vCPUs: the intel one with extended interrupt mode (and caching mode for
 * assigned devices). Another model is the user's choice to give up, so it gets no edits.
 */
function intelWithEim(c: DomainContext): Edit[] {
  const d = c.input.domain;
  if (d.viommu.model === 'none') return addedViommu(d.vfioDeviceCount > 0);
  if (d.viommu.model !== 'intel' || !d.viommu.target) return [];
  const driver = `${d.viommu.target}/driver`;
  return [
    { op: 'set-attribute', target: driver, name: 'intremap', value: 'on' },
    { op: 'set-attribute', target: driver, name: 'eim', value: 'on' },
    SPLIT_IRQCHIP,
  ];
}

/** What is wrong with a virtio-iommu's written address: its type ('type') or its bus ('bus'); null when nothing is. */
function virtioIommuAddressFault(c: DomainContext): 'type' | 'bus' | null {
  const { model, address } = c.input.domain.viommu;
  if (model !== 'virtio' || !address) return null;
  if (address.type !== 'pci') return 'type';
  return typeof address.bus === 'number' && address.bus !== 0 ? 'bus' : null;
}

/** The first QEMU whose virtio-iommu libvirt accepts (R-VIOMMU-01/qemu). */
const VIRTIO_IOMMU_QEMU = v(7, 0);

/** Whether the model takes the intel vIOMMU's <driver> options: true (intel, amd), false (smmuv3, virtio), undefined (none or unknown). */
const takesDriverOptions = (model: string): boolean | undefined => VIOMMU_MODELS[model]?.driverOptions;

/**
 * The <iommu><driver> options the facts keep that only the intel (and amd) vIOMMU takes, as libvirt spells them.
 * aw_bits is one for smmuv3 always, and for virtio up to libvirt 11.3: 12.8 defines and starts a virtio-iommu with
 * it (version lab), so a newer or unknown libvirt is given the benefit of the doubt.
 */
function intelOnlyOptions(c: DomainContext): string[] {
  const viommu = c.input.domain.viommu;
  const set: [string, OnOffAbsent][] = [
    ['intremap', viommu.intremap],
    ['caching_mode', viommu.cachingMode],
    ['iotlb', viommu.iotlb],
    ['eim', viommu.eim],
  ];
  const written = set.filter(([, value]) => value !== 'absent').map(([name]) => name);
  const awBitsRefused = viommu.model !== 'virtio' || atLeast(c.libvirt, v(11, 4)) === 'no';
  return viommu.awBits !== 'absent' && awBitsRefused ? [...written, 'aw_bits'] : written;
}

/** The name libvirt gives `virt` once it expands it: the machine type of this QEMU release (virt-11.1), as written when versioned. */
function expandedVirt(c: DomainContext): string {
  const raw = c.input.domain.machine.raw;
  if (raw !== 'unknown' && /^virt-\d/.test(raw)) return raw;
  return c.qemu.kind === 'exact' ? `virt-${c.qemu.version.major}.${c.qemu.version.minor}` : 'virt-<version>';
}

/**
 * Whether libvirt decides the I/O APIC itself: no <ioapic>, or one without a driver (libvirt reads both as none, and
 * its schema refuses the second).
 */
function ioapicLeftToLibvirt(driver: string): boolean {
  return driver === 'absent' || driver === 'unknown';
}

export const VIOMMU_RULES: readonly RuleRecord<'domain'>[] = [
  {
    key: 'R-VIOMMU-03',
    id: 'R-VIOMMU-03',
    scope: 'domain',
    severity: 'warning',
    when: [
      isConfidential,
      (c) => c.input.domain.viommu.model !== 'none',
      // With more than 255 vCPUs on x86 libvirt needs the intel or amd vIOMMU for their interrupts (R-VIOMMU-01's
      // eim-for-vcpus), and adds one itself from 10.10.0: that one is no choice to undo (QA helper-29's B2).
      (c) => {
        const d = c.input.domain;
        return !(
          (d.viommu.model === 'intel' || d.viommu.model === 'amd') &&
          typeof d.vcpus.max === 'number' &&
          d.vcpus.max > MAX_VCPUS_WITHOUT_EIM
        );
      },
    ],
    title: (c) => `A vIOMMU (<iommu model='${c.input.domain.viommu.model}'>) is not needed for ${secureName(c.cvm)}`,
    explanation: `ACCESS_PLATFORM is what a confidential VM needs; despite the attribute's name no <iommu> device is involved. ${WHY_CONFIDENTIAL} Whether a vIOMMU works together with SEV or TDX is unconfirmed.`,
    fix: { text: 'Remove the <iommu> device unless the guest needs it for another reason.' },
    sources: [src('LV-KB-SEV', 'no iommu device'), src('LV-KB-PV', 'no iommu device')],
  },
  {
    key: 'R-VIOMMU-01/machine',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => c.input.domain.viommu.model in VIOMMU_MODELS,
      (c) =>
        c.input.domain.machine.family === 'unknown'
          ? unknown('the machine type')
          : !VIOMMU_MODELS[c.input.domain.viommu.model]!.machines.includes(c.input.domain.machine.family) ||
            // libvirt's "ARM Virt" is the virt machine of aarch64 and armv7l (qemuDomainIsARMVirt), not RISC-V's (QA helper-32).
            (c.input.domain.machine.family === 'virt' && !['aarch64', 'armv7l', 'unknown'].includes(String(c.input.domain.arch))),
    ],
    title: (c) => `<iommu model='${c.input.domain.viommu.model}'> is not available on machine ${String(c.input.domain.machine.raw)}`,
    explanation:
      'libvirt offers the intel and amd vIOMMUs on q35, smmuv3 on Arm virt and the virtio-iommu on q35 and Arm virt only (seen at define on libvirt 9.0, 11.3 and 12.8).',
    messages: Object.values(VIOMMU_MODELS).map((m) => m.message),
    messagesFor: (c) => [VIOMMU_MODELS[c.input.domain.viommu.model]?.message ?? ''],
    fix: { text: 'Remove the <iommu> device or use a machine type that supports it.' },
    sources: [src('LV-FMT', 'IOMMU devices'), src('LV-VAL', 'IOMMU device validation')],
  },
  {
    key: 'R-VIOMMU-01/version',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => c.input.domain.viommu.model in VIOMMU_MODELS,
      (c) => {
        const model = c.input.domain.viommu.model;
        const known = atLeast(c.libvirt, VIOMMU_MODELS[model]!.since);
        if (known !== 'unknown') return known === 'no';
        return model === 'amd' ? unknown("whether this host's libvirt is 11.5.0 or later, the first with <iommu model='amd'>") : false;
      },
    ],
    title: (c) =>
      `<iommu model='${c.input.domain.viommu.model}'> needs libvirt ${formatVersion(VIOMMU_MODELS[c.input.domain.viommu.model]!.since)}; this host's libvirt is ${describeVersion(c.libvirt)}`,
    explanation: `libvirt refuses an <iommu> model newer than itself when the domain is defined (seen for amd on libvirt 9.0 and 11.3; 12.8 defines and starts it). The models and their first releases: ${Object.entries(
      VIOMMU_MODELS,
    )
      .map(([m, { since }]) => `${m} ${formatVersion(since)}`)
      .join(', ')}.`,
    messages: ["XML error: Invalid value for attribute 'model' in element 'iommu': '<model>'."],
    messagesFor: (c) => [`XML error: Invalid value for attribute 'model' in element 'iommu': '${c.input.domain.viommu.model}'.`],
    fix: {
      text: (c) =>
        c.input.domain.viommu.model === 'amd'
          ? "Run libvirt 11.5.0 or later, or use <iommu model='intel'> on q35, which every libvirt in use knows."
          : `Run libvirt ${formatVersion(VIOMMU_MODELS[c.input.domain.viommu.model]!.since)} or later, or remove the <iommu> device.`,
      general: 'Run a libvirt that knows the model, or use one it knows.',
    },
    sources: [
      src('LV-FMT', 'IOMMU devices (models and the releases that added them)'),
      src('LV-NEWS', 'v11.5.0: AMD IOMMU'),
      src('LAB', "define <iommu model='amd'> on libvirt 9.0, 11.3 and 12.8"),
    ],
  },
  {
    key: 'R-VIOMMU-01/acpi-uefi',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => c.input.domain.viommu.model === 'virtio' && c.input.domain.firmware.acpi,
      (c) => c.input.domain.arch === 'aarch64' && c.input.domain.firmware.kind !== 'efi',
    ],
    title: "<iommu model='virtio'> on Arm has its <acpi/>, but libvirt refuses ACPI there without UEFI",
    explanation:
      "The virtio-iommu needs ACPI (R-VIOMMU-01's acpi check), and on aarch64 libvirt refuses ACPI unless the domain boots UEFI firmware (qemu_validate.c, libvirt 11.3; seen at define on libvirt 11.3 and 12.8: test/lab/viommu-arm-acpi.test.ts).",
    messages: ['ACPI requires UEFI on this architecture'],
    fix: { text: "Boot with UEFI: <os firmware='efi'>.", edits: (c) => uefiEdits(c.input.domain) },
    sources: [src('LV-VAL', 'ACPI requires UEFI on this architecture')],
  },
  {
    key: 'R-VIOMMU-01/acpi',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [(c) => c.input.domain.viommu.model === 'virtio', (c) => !c.input.domain.firmware.acpi],
    title: "<iommu model='virtio'> needs <acpi/> in <features>",
    explanation:
      'The guest finds the virtio-iommu through an ACPI table (VIOT), so libvirt refuses the model in a domain without the acpi feature (seen at define on libvirt 9.0, 11.3 and 12.8; with <acpi/> the same q35 domain starts on all three). On Arm, libvirt also refuses ACPI without UEFI firmware.',
    messages: ["IOMMU device: 'virtio' requires ACPI"],
    fix: {
      text: (c) =>
        c.input.domain.arch === 'aarch64' && c.input.domain.firmware.kind !== 'efi'
          ? "Add <acpi/> to <features> and boot with UEFI (<os firmware='efi'>): libvirt refuses ACPI without UEFI on Arm."
          : 'Add <acpi/> to <features>.',
      edits: (c) => [
        { op: 'add-element', parent: '/domain/features', xml: '<acpi/>', replace: true },
        ...(c.input.domain.arch === 'aarch64' && c.input.domain.firmware.kind !== 'efi' ? uefiEdits(c.input.domain) : []),
      ],
    },
    sources: [
      src('LV-VAL', "qemuValidateDomainDeviceDefIOMMU: IOMMU device: '%s' requires ACPI"),
      src('LV-VAL', 'qemuValidateDomainDef: ACPI requires UEFI on this architecture (aarch64)'),
      src('LAB', "define <iommu model='virtio'> on q35 without and with <acpi/> on libvirt 9.0, 11.3 and 12.8"),
    ],
  },
  {
    key: 'R-VIOMMU-01/qemu',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    // Unknown versions stay silent: libvirt 12.4 and later need QEMU 7.2 anyway, and QEMU 6.x is rare beside a
    // libvirt new enough for the model.
    when: [(c) => c.input.domain.viommu.model === 'virtio', (c) => atLeast(c.qemu, VIRTIO_IOMMU_QEMU) === 'no'],
    title: (c) => `<iommu model='virtio'> needs QEMU ${formatVersion(VIRTIO_IOMMU_QEMU)}; this host's QEMU is ${describeVersion(c.qemu)}`,
    explanation: `libvirt offers the virtio-iommu only with a QEMU whose virtio-iommu-pci has the boot-bypass property, which QEMU ${formatVersion(VIRTIO_IOMMU_QEMU)} added (libvirt's capability data: 7.0.0 has virtio-iommu.boot-bypass, 6.2.0 does not); an older QEMU gets the domain refused when it starts.`,
    messages: ["IOMMU device: 'virtio' is not supported with this QEMU binary"],
    fix: {
      text: `Run QEMU ${formatVersion(VIRTIO_IOMMU_QEMU)} or later, or use <iommu model='intel'> on q35.`,
      general: 'Run a QEMU that has the model, or use another vIOMMU.',
    },
    sources: [src('LV-VAL', 'qemuValidateDomainDeviceDefIOMMU: QEMU_CAPS_VIRTIO_IOMMU_BOOT_BYPASS (libvirt 9.0 and 11.3)')],
  },
  {
    key: 'R-VIOMMU-01/added-for-vcpus',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'info',
    when: [libvirtAddsViommu, (c) => c.input.domain.vfioDeviceCount === 0],
    title: (c) => `libvirt adds <iommu model='intel'> to this domain for its ${String(c.input.domain.vcpus.max)} vCPUs`,
    explanation: `More than ${MAX_VCPUS_WITHOUT_EIM} vCPUs need x2APIC interrupts, which need the vIOMMU's extended interrupt mode, so libvirt 10.10.0 and later write <iommu model='intel'><driver intremap='on' eim='on'/></iommu> and <ioapic driver='qemu'/> into a q35 domain that has no <iommu> (seen on libvirt 11.3; 9.0 refuses such a domain instead). Devices with iommu='on' are then translated by it, as in any domain with a vIOMMU (R-VIOMMU-02, R-VIOMMU-04); a confidential guest gets it too.`,
    fix: { text: 'Nothing to change; write the <iommu> yourself to choose its options (for example caching_mode for assigned devices).' },
    sources: ADDED_VIOMMU_SOURCES,
  },
  {
    key: 'R-VIOMMU-01/added-without-caching-mode',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [libvirtAddsViommu, (c) => c.input.domain.vfioDeviceCount > 0],
    title: (c) =>
      `libvirt adds <iommu model='intel'> for the ${String(c.input.domain.vcpus.max)} vCPUs without caching mode, which the ${c.input.domain.vfioDeviceCount} assigned device(s) need`,
    explanation: `libvirt 10.10.0 and later add an intel vIOMMU with intremap and eim (not caching_mode) to a q35 domain with more than ${MAX_VCPUS_WITHOUT_EIM} vCPUs and no <iommu>; QEMU then refuses the devices assigned with VFIO, which need caching mode behind it (R-VIOMMU-01/caching-mode). Writing the <iommu> with caching_mode='on' keeps what libvirt would add and makes the assignment work.`,
    messages: [...ASSIGNMENT_REFUSALS.intel],
    messagesFor: (c) => wordingOfRelease(c, ASSIGNMENT_REFUSALS.intel),
    fix: {
      text: "Write <iommu model='intel'><driver intremap='on' eim='on' caching_mode='on'/></iommu> and <ioapic driver='qemu'/> yourself.",
      edits: () => addedViommu(true),
    },
    sources: [...ADDED_VIOMMU_SOURCES, src('QEMU-VTD', 'device assignment needs caching-mode=on')],
  },
  {
    key: 'R-VIOMMU-01/eim-for-vcpus',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      hasManyVcpus,
      (c) => {
        const refusals = vcpuRefusalsOfRelease(c);
        if (refusals.every((r) => r === null)) return false;
        if (refusals.every((r) => r !== null)) return true;
        return unknown(`the libvirt version (${describeVersion(c.libvirt)}): libvirt changed this check in 10.10.0 and 12.2.0`);
      },
    ],
    title: (c) => {
      const d = c.input.domain;
      const n = String(d.vcpus.max);
      if (!vcpuRefusalsOfRelease(c).includes('eim'))
        return `${n} vCPUs need <ioapic driver='qemu'/>, not driver='${String(d.ioapicDriver)}'`;
      if (d.viommu.model === 'none') return `${n} vCPUs need a vIOMMU with extended interrupt mode, which this libvirt does not add`;
      if (d.viommu.model === 'intel') return `${n} vCPUs need eim='on' on <iommu model='intel'>`;
      return `${n} vCPUs need extended interrupt mode, which <iommu model='${d.viommu.model}'> does not have in this libvirt`;
    },
    explanation:
      "More than 255 vCPUs have APIC IDs above 255, which only x2APIC interrupts reach, and libvirt checks that the domain provides them. Up to libvirt 12.1 the vIOMMU must have extended interrupt mode: only <iommu model='intel'> with eim='on' passes (libvirt 10.10.0 and later add that vIOMMU themselves when there is none, and turn eim on where it is not written), so a virtio or amd vIOMMU, or eim='off', is refused at define (seen on 9.0 and 11.3). libvirt 12.2.0 changed the check (NEWS: the amd vIOMMU needs XTSup instead, which libvirt turns on itself); 12.8 also takes the split I/O APIC (<ioapic driver='qemu'/>, which it writes itself where <ioapic> names no driver) and refuses only <ioapic driver='kvm'/> without such a vIOMMU (seen). Where libvirt adds the intel vIOMMU, its interrupt remapping refuses <ioapic driver='kvm'/> as well.",
    messages: Object.values(VCPU_REFUSALS),
    messagesFor: (c) => [...new Set(vcpuRefusalsOfRelease(c).flatMap((r) => (r ? [VCPU_REFUSALS[r]] : [])))],
    fix: {
      text: (c) =>
        vcpuRefusalsOfRelease(c).includes('eim')
          ? c.input.domain.viommu.model === 'none' || c.input.domain.viommu.model === 'intel'
            ? "Write <iommu model='intel'> with <driver intremap='on' eim='on'/> and <ioapic driver='qemu'/>, or give the domain at most 255 vCPUs."
            : `Use <iommu model='intel'> with <driver intremap='on' eim='on'/> and <ioapic driver='qemu'/> instead of the ${c.input.domain.viommu.model} one, give the domain at most 255 vCPUs, or run libvirt 12.2 or later.`
          : "Set <ioapic driver='qemu'/> in <features>.",
      general:
        "Give the vIOMMU extended interrupt mode (<iommu model='intel'> with eim='on'), or from libvirt 12.2 the split I/O APIC (<ioapic driver='qemu'/>); or give the domain at most 255 vCPUs.",
      edits: (c) => (vcpuRefusalsOfRelease(c).includes('eim') ? intelWithEim(c) : [SPLIT_IRQCHIP]),
    },
    sources: [
      src('LV-VAL', 'qemuValidateDomainVCpuTopology: more than 255 vCPUs (libvirt 9.0, 11.3)'),
      src('LV-POSTPARSE', 'qemuDomainIOMMUDefPostParse: eim turned on for the intel vIOMMU (libvirt 11.3)'),
      src('LV-NEWS', 'v12.2.0: conf: support more than 255 vCPUs with amd-iommu'),
      ...ADDED_VIOMMU_SOURCES,
      src('LAB', "define q35 domains with 288 vCPUs and each vIOMMU, eim='off', <ioapic driver='kvm'/> on libvirt 9.0, 11.3 and 12.8"),
    ],
  },
  {
    key: 'R-VIOMMU-01/caching-mode',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => c.input.domain.viommu.model === 'intel',
      (c) => c.input.domain.viommu.cachingMode !== 'on',
      (c) => c.input.domain.vfioDeviceCount > 0,
    ],
    title: (c) => `${c.input.domain.vfioDeviceCount} assigned device(s) behind <iommu model='intel'> without caching_mode='on'`,
    explanation:
      "A device assigned with VFIO (<hostdev> of a PCI device or mdev, <interface type='hostdev'>) must learn every mapping the guest creates in the vIOMMU, and the intel vIOMMU reports new mappings only in caching mode; QEMU therefore refuses to start the domain without it (hw/i386/intel_iommu.c). libvirt leaves caching_mode as written. QEMU 7.2 and 10.0 refuse a cold-plugged device with the first message below, 11.1 with the second (prefixed by the device and 'Failed to set vIOMMU:'), which the older ones give for hotplug.",
    messages: [...ASSIGNMENT_REFUSALS.intel],
    messagesFor: (c) => wordingOfRelease(c, ASSIGNMENT_REFUSALS.intel),
    fix: {
      text: "Set <driver caching_mode='on'/> on the <iommu>.",
      edits: (c) =>
        c.input.domain.viommu.target
          ? [{ op: 'set-attribute' as const, target: `${c.input.domain.viommu.target}/driver`, name: 'caching_mode', value: 'on' }]
          : [],
    },
    sources: [
      src('QEMU-VTD', 'vtd_machine_done_notify / vtd_dev_set_iommu_device: device assignment needs caching-mode=on'),
      src('LAB', "both wordings in QEMU 7.2's and 10.0's binaries, only the second in 11.1's"),
    ],
  },
  {
    key: 'R-VIOMMU-01/amd-assignment',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [(c) => c.input.domain.viommu.model === 'amd', (c) => c.input.domain.vfioDeviceCount > 0],
    title: (c) => `${c.input.domain.vfioDeviceCount} assigned device(s) behind <iommu model='amd'>, which cannot map them`,
    explanation:
      "QEMU's AMD vIOMMU refuses the mapping notifications a device assigned with VFIO needs: QEMU 7.2 and 10.0 do not support them at all, 11.1 only with the amd-iommu property dma-remap=on, which libvirt 12.8 cannot set (its <iommu> has no such option). QEMU then refuses to start the domain (hw/i386/amd_iommu.c).",
    messages: [...ASSIGNMENT_REFUSALS.amd],
    messagesFor: (c) => wordingOfRelease(c, ASSIGNMENT_REFUSALS.amd),
    fix: { text: "Use <iommu model='intel'> with <driver caching_mode='on'/> for a guest with assigned devices." },
    sources: [
      src('QEMU-AMDVI', 'amdvi_iommu_notify_flag_changed: MAP notifiers need dma-remap'),
      src('LAB', "the messages in QEMU 7.2's, 10.0's and 11.1's binaries; no dma-remap option in libvirt 12.8's strings"),
    ],
  },
  {
    key: 'R-VIOMMU-01/address',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [(c) => virtioIommuAddressFault(c) !== null],
    title: (c) =>
      `<iommu model='virtio'> ${virtioIommuAddressFault(c) === 'type' ? 'has a non-PCI address' : 'is not on the root bus (bus 0)'}`,
    explanation:
      "virtio-iommu is a PCI device that must sit on the root bus as an integrated device: libvirt refuses any other address type, and a PCI address on another bus, at define (domain_validate.c; seen on libvirt 9.0, 11.3 and 12.8, and in libvirt's own negative tests). Without an <address> libvirt places it there itself.",
    messages: [
      "unsupported configuration: IOMMU device: 'virtio' needs a PCI address",
      'XML error: The device at PCI address <address> needs to be an integrated device (bus=0)',
    ],
    messagesFor: (c) =>
      virtioIommuAddressFault(c) === 'type'
        ? ["unsupported configuration: IOMMU device: 'virtio' needs a PCI address"]
        : [`XML error: The device at PCI address ${c.input.domain.viommu.address!.printed} needs to be an integrated device (bus=0)`],
    fix: {
      text: "Remove the <iommu>'s <address> (libvirt then places it on bus 0).",
      edits: (c) => (c.input.domain.viommu.target ? [{ op: 'remove-element', target: `${c.input.domain.viommu.target}/address` }] : []),
    },
    sources: [
      src('LV-VALIDATE', "virDomainIOMMUDefValidate: IOMMU device: 'virtio' needs a PCI address"),
      src('LV-TESTS', 'virtio-iommu-invalid-address, virtio-iommu-invalid-address-type'),
      src('LAB', 'define on libvirt 9.0, 11.3 and 12.8'),
    ],
  },
  {
    key: 'R-VIOMMU-01/count',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [(c) => c.input.domain.viommu.count > 1, (c) => c.input.domain.arch === 'x86_64' || c.input.domain.arch === 'i686'],
    title: (c) => `${c.input.domain.viommu.count} <iommu> devices: an x86 domain can have one`,
    explanation:
      'libvirt up to 11.3 at least refuses a second <iommu> at define (domain_conf.c); libvirt 12.8 defines several (for Arm, where several SMMUv3 can sit on different PCI buses), but QEMU refuses a second vIOMMU on x86 when the domain starts (hw/i386/pc.c). Seen on the version lab: refused at define by libvirt 9.0 and 11.3, at start by QEMU 11.1 under libvirt 12.8 (test/lab/viommu-count.test.ts).',
    messages: allQuotes(SECOND_X86_VIOMMU),
    messagesFor: (c) => quotesFor(SECOND_X86_VIOMMU, c.libvirt),
    fix: { text: 'Keep one <iommu> device: the intel or amd one where interrupts need it (many vCPUs), else the one the guest uses.' },
    sources: [
      src('LV-CONF', 'virDomainDefParseXML: only a single IOMMU device is supported (11.3)'),
      src('QEMU-PC', 'pc_machine_device_pre_plug_cb: QEMU does not support multiple vIOMMUs for x86 yet'),
    ],
  },
  {
    key: 'R-VIOMMU-01/virtio-values',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => c.input.domain.viommu.model === 'virtio' && virtioViommuFaults(c).length > 0,
      // libvirt checks them only where it takes them: aw_bits from 11.4 (before, R-VIOMMU-01's options record), the
      // granule from 12.1 (NEWS 12.1.0).
      (c) => versionAtLeast(c.libvirt, v(11, 4), 'the libvirt version'),
    ],
    title: (c) =>
      `<iommu model='virtio'>: ${virtioViommuFaults(c)
        .map((f) => f.words)
        .join('; ')}`,
    explanation:
      "libvirt 12.8 refuses at define a virtio-iommu aw_bits outside 32-64 (QEMU's virtio-iommu refuses it at realize too, hw/virtio/virtio-iommu.c) and a granule other than 4, 8, 16 or 64 KiB (seen at define on libvirt 12.8: test/lab/viommu-virtio-values.test.ts).",
    messages: [
      'XML error: aw-bits must be within [32,64]',
      'unsupported configuration: iommu: unsupported granule size. Supported values are 4, 8, 16 and 64 KiB',
    ],
    messagesFor: (c) => virtioViommuFaults(c).map((f) => f.message),
    fix: { text: "Give aw_bits a value from 32 to 64 and the granule 4, 8, 16 or 64 KiB (or mode='host'), or leave them out." },
    sources: [
      src('LAB', 'libvirt 12.8 at define (QA helper-31)'),
      src('QEMU-VIOMMU', 'virtio_iommu_device_realize: aw-bits must be within [32,64]'),
    ],
  },
  {
    key: 'R-VIOMMU-01/aw-bits',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => c.input.domain.viommu.model === 'intel',
      (c) => typeof c.input.domain.viommu.awBits === 'number' && c.input.domain.viommu.awBits !== 39 && c.input.domain.viommu.awBits !== 48,
    ],
    title: (c) =>
      `<iommu model='intel'> sets aw_bits='${String(c.input.domain.viommu.awBits)}', which QEMU's intel-iommu refuses: 39 or 48 only`,
    explanation:
      "libvirt hands <driver aw_bits> to QEMU as intel-iommu's aw-bits without checking it, and QEMU's intel-iommu takes only a 39- or 48-bit guest address width in the legacy (not scalable) mode libvirt sets up: the domain does not start (hw/i386/intel_iommu.c vtd_decide_config; seen with 40 and 52 on QEMU 7.2, 10.0 and 11.1 in the version lab, 48 starts). 48 bits are needed only for guests with more than 512 GiB of address space to map.",
    messages: allQuotes(INTEL_AW_BITS_REFUSAL),
    messagesFor: (c) => quotesFor(INTEL_AW_BITS_REFUSAL, c.qemu),
    fix: {
      text: "Set aw_bits to 39 or 48, or leave it out for QEMU's default (48 in QEMU 10.0).",
      edits: (c) =>
        c.input.domain.viommu.target
          ? [{ op: 'set-attribute', target: `${c.input.domain.viommu.target}/driver`, name: 'aw_bits', value: '48' }]
          : [],
    },
    sources: [
      src('QEMU-VTD', 'vtd_decide_config: supported values for aw-bits are: 39, 48'),
      src('LAB', 'test/lab/viommu-intel-aw-bits.test.ts: 40 and 52 refused at start on QEMU 7.2, 10.0 and 11.1, 48 started'),
    ],
  },
  {
    key: 'R-VIOMMU-01/amd-passthrough',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    whenUnknown: 'warning',
    when: [
      (c) => c.input.domain.viommu.model === 'amd' && c.input.domain.viommu.passthrough !== 'absent',
      // QEMU 10.0's amd-iommu has pt, from its parent x86-iommu (QA helper-31 started it with pt=on and off); 11.1's
      // has none (seen); the releases between and after were not examined.
      (c) => {
        const atLeast = (major: number, minor: number) => versionAtLeast(c.qemu, v(major, minor), 'the QEMU version');
        if (atLeast(10, 1) === false) return false;
        if (atLeast(11, 1) === true && atLeast(11, 2) === false) return true;
        return unknown("whether this QEMU's amd-iommu has the pt property (QEMU 10.0's has, QEMU 11.1's has not)");
      },
    ],
    title: (c) => `<iommu model='amd'> sets passthrough='${String(c.input.domain.viommu.passthrough)}', which QEMU's amd-iommu cannot take`,
    explanation:
      "libvirt (11.5 and later) hands <driver passthrough> to QEMU as the amd-iommu device's pt property, on or off. QEMU 10.0's amd-iommu has it, inherited from x86-iommu (hw/i386/x86-iommu.c: pt, default on), but QEMU 11.1's has no such property: the domain does not start (seen in the version lab with libvirt 12.8). Leaving the attribute out keeps QEMU's own behaviour.",
    messages: ["Property 'amd-iommu.pt' not found"],
    fix: {
      text: "Remove passthrough from the <iommu>'s <driver>.",
      edits: (c) =>
        c.input.domain.viommu.target
          ? [{ op: 'remove-attribute', target: `${c.input.domain.viommu.target}/driver`, name: 'passthrough' }]
          : [],
    },
    sources: [
      src(
        'QEMU-X86IOMMU',
        "x86_iommu_properties: pt, which amd-iommu inherits in QEMU 10.0 (started with pt=on and off); 11.1's amd-iommu has none",
      ),
      src('LAB', 'test/lab/viommu-amd-passthrough.test.ts: libvirt 12.8 with QEMU 11.1'),
    ],
  },
  {
    key: 'R-VIOMMU-01/smmuv3-assignment',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => c.input.domain.viommu.model === 'smmuv3',
      (c) => c.input.domain.vfioDeviceCount > 0,
      (c) => c.input.domain.viommu.accel !== 'on',
    ],
    title: (c) => `${c.input.domain.vfioDeviceCount} assigned device(s) behind <iommu model='smmuv3'> without accel='on'`,
    explanation:
      "QEMU's emulated SMMUv3 cannot send the mapping notifications a device assigned with VFIO needs, and refuses the device (hw/arm/smmuv3.c; the same message in QEMU 7.2, 10.0 and 11.1). QEMU 11.1 can instead let the host's SMMUv3 translate in nested mode (accel=on, which needs KVM and a host SMMUv3 with nested translation), which libvirt 12.8 writes for <driver accel='on'/>.",
    messages: ['device <bus>.<slot>.<function> requires iommu MAP notifier which is not currently supported'],
    fix: {
      text: "Set <driver accel='on'/> on the <iommu> where libvirt and QEMU have it (libvirt 12.8 and QEMU 11.1 do) and the host SMMUv3 supports nested translation; otherwise use <iommu model='virtio'>, or no vIOMMU.",
    },
    sources: [
      src('QEMU-SMMUV3', 'smmuv3_notify_flag_changed: MAP notifier not supported'),
      src('LAB', "the message in QEMU 7.2's, 10.0's and 11.1's binaries; accel in QEMU 11.1's and libvirt 12.8's strings"),
    ],
  },
  {
    key: 'R-VIOMMU-01/attributes',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [(c) => takesDriverOptions(c.input.domain.viommu.model) === false, (c) => intelOnlyOptions(c).length > 0],
    title: (c) =>
      `<iommu model='${c.input.domain.viommu.model}'> does not take the intel vIOMMU's <driver> options; this one sets ${intelOnlyOptions(c).join(', ')}`,
    explanation:
      'libvirt refuses a smmuv3 or virtio vIOMMU whose <driver> sets any of intremap, caching_mode, eim, iotlb or aw_bits (libvirt 12.8 takes aw_bits on the virtio model): they are options of the intel vIOMMU (and, from libvirt 11.5, the amd one); the smmuv3 options newer libvirt has (accel, ats, ril and others, as libvirt 12.8 names them) are another set. Every libvirt in the version lab (9.0, 11.3, 12.8) refuses it at define.',
    messages: viommuAttributeRefusals('<model>').map((q) => q.text),
    messagesFor: (c) => {
      const options = quotesFor(viommuAttributeRefusals(c.input.domain.viommu.model), c.libvirt);
      // libvirt 11.3 and later first add <ioapic driver='qemu'/> for intremap='on' (see R-VIOMMU-01/intremap), which
      // aarch64 refuses before the options are looked at (seen on 11.3 and 12.8, with the machine type expanded).
      if (c.input.domain.viommu.model !== 'smmuv3' || c.input.domain.viommu.intremap !== 'on') return options;
      const newer = atLeast(c.libvirt, v(11, 3));
      if (newer === 'no') return options;
      const ioapic = `unsupported configuration: The 'ioapic' feature is not supported for architecture 'aarch64' or machine type '${expandedVirt(c)}'`;
      return newer === 'yes' ? [ioapic] : [...options, ioapic];
    },
    fix: {
      text: (c) => `Remove ${intelOnlyOptions(c).join(', ')} from the <iommu>'s <driver>.`,
      edits: (c) =>
        c.input.domain.viommu.target
          ? intelOnlyOptions(c).map((name) => ({
              op: 'remove-attribute' as const,
              target: `${c.input.domain.viommu.target}/driver`,
              name,
            }))
          : [],
    },
    sources: [
      src('LV-VALIDATE', "virDomainIOMMUDefValidate: iommu model '%s' doesn't support additional attributes"),
      src(
        'LAB',
        "define <iommu model='virtio'> and <iommu model='smmuv3'> with iotlb, caching_mode or intremap on libvirt 9.0, 11.3 and 12.8",
      ),
    ],
  },
  {
    key: 'R-VIOMMU-01/eim',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => takesDriverOptions(c.input.domain.viommu.model) === true && c.input.domain.viommu.eim === 'on',
      (c) => c.input.domain.viommu.intremap !== 'on',
      // Only for an intel vIOMMU whose intremap is left out in a q35 domain of more than 255 vCPUs does libvirt
      // (10.10.0 and later, as it defines the domain) turn intremap on itself (qemu_postparse.c
      // qemuDomainIOMMUDefPostParse).
      (c) => {
        const d = c.input.domain;
        const vcpus = d.vcpus.max;
        if (d.viommu.intremap === 'off' || d.viommu.model !== 'intel' || d.machine.family !== 'q35') return true;
        if (vcpus === 'unknown') return unknown('the number of vCPUs');
        if (vcpus <= MAX_VCPUS_WITHOUT_EIM) return true;
        return not(versionAtLeast(c.libvirt, ADDS_IOMMU_FOR_VCPUS, 'the libvirt version'));
      },
    ],
    title: (c) =>
      `eim='on' needs interrupt remapping, but this <iommu>'s intremap is ${c.input.domain.viommu.intremap === 'off' ? "'off'" : 'not set'}`,
    explanation:
      "The vIOMMU's extended interrupt mode (x2APIC interrupts) works through its interrupt remapping, so libvirt refuses eim='on' unless intremap='on' is written too (domain_validate.c, every libvirt in the version lab). Only for an intel vIOMMU of a q35 domain with more than 255 vCPUs does libvirt 10.10 and later turn a missing intremap on itself as it defines the domain.",
    messages: ['IOMMU eim requires interrupt remapping to be enabled'],
    fix: {
      text: "Set intremap='on' on the <iommu>'s <driver> (with <ioapic driver='qemu'/> in <features>, which interrupt remapping needs), or drop eim='on'.",
      edits: (c) =>
        c.input.domain.viommu.target
          ? [{ op: 'set-attribute', target: `${c.input.domain.viommu.target}/driver`, name: 'intremap', value: 'on' }, SPLIT_IRQCHIP]
          : [],
    },
    sources: [
      src('LV-VALIDATE', 'virDomainDefIOMMUValidate: "IOMMU eim requires interrupt remapping to be enabled"'),
      src('LV-POSTPARSE', 'qemuDomainIOMMUDefPostParse: intremap and eim turned on for more than 255 vCPUs'),
      src('LAB', "define <iommu model='intel'><driver eim='on'/> on libvirt 9.0, 11.3 and 12.8 (test/lab/viommu-eim.test.ts)"),
    ],
  },
  {
    key: 'R-VIOMMU-01/intremap',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => takesDriverOptions(c.input.domain.viommu.model) === true && c.input.domain.viommu.intremap === 'on',
      (c) => c.input.domain.ioapicDriver !== 'qemu',
      // Every libvirt refuses a domain whose <ioapic> names another driver. Without one (no <ioapic>, or one
      // without a driver, which libvirt reads as none), libvirt 11.3 and later add driver='qemu' themselves
      // (qemu_postparse.c, qemuDomainDefEnableDefaultFeatures: only while the feature is none) and 9.0 does not
      // (version lab, fact sheet §7.3 item 21); the release that changed it is not known.
      (c) => {
        if (!ioapicLeftToLibvirt(c.input.domain.ioapicDriver)) return true;
        const known = atLeast(c.libvirt, v(11, 3));
        if (known === 'yes') return false;
        if (c.libvirt.kind === 'exact' && atLeast(c.libvirt, v(9, 1)) === 'no') return true;
        return unknown(
          `whether libvirt ${describeVersion(c.libvirt)} adds <ioapic driver='qemu'/> itself (11.3 and later do, 9.0 does not)`,
        );
      },
    ],
    title: (c) =>
      ioapicLeftToLibvirt(c.input.domain.ioapicDriver)
        ? "intremap='on' needs <ioapic driver='qemu'/>"
        : `intremap='on' needs <ioapic driver='qemu'/>, not driver='${String(c.input.domain.ioapicDriver)}'`,
    explanation:
      "Interrupt remapping in the vIOMMU requires the split irqchip, which libvirt enables with <features><ioapic driver='qemu'/></features>. Every libvirt refuses the domain when <ioapic> names another driver; without a driver, libvirt 9.0 refuses it too, while 11.3 and 12.8 add driver='qemu' themselves.",
    messages: ["IOMMU interrupt remapping requires split I/O APIC (ioapic driver='qemu')"],
    fix: {
      text: "Set <ioapic driver='qemu'/> in <features>.",
      edits: () => [SPLIT_IRQCHIP],
    },
    sources: [
      src('LV-VALIDATE', 'virDomainDefIOMMUValidate: interrupt remapping requires split I/O APIC'),
      src('LV-POSTPARSE', "qemuDomainDefEnableDefaultFeatures (libvirt 11.3): adds driver='qemu' only when <ioapic> gives none"),
      src('LAB', "define on libvirt 9.0, 11.3 and 12.8, without <ioapic> and with <ioapic driver='kvm'/>"),
    ],
  },
];

export const VIOMMU_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-VIOMMU-04',
    id: 'R-VIOMMU-04',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => c.device.virtio && c.input.domain.viommu.model === 'intel',
      isVhostKernel,
      (c) => c.device.driver.iommu === 'on',
      (c) => c.input.domain.viommu.iotlb !== 'on' || c.device.driver.ats !== 'on',
    ],
    title: (c) => `${c.device.label}: vhost behind the intel vIOMMU needs iotlb='on' on the IOMMU and ats='on' on the device`,
    explanation: 'The device IOTLB on the vIOMMU and ATS on the device make the guest send the device-IOTLB invalidations vhost relies on.',
    fix: {
      text: "Set <driver iotlb='on'/> on <iommu model='intel'> and ats='on' on the device.",
      edits: (c) => [
        ...(c.device.driver.ats !== 'on' ? setDriverAttribute(c.device, 'ats', 'on', c.libvirt) : []),
        ...(c.input.domain.viommu.iotlb !== 'on' && c.input.domain.viommu.target
          ? [{ op: 'set-attribute' as const, target: `${c.input.domain.viommu.target}/driver`, name: 'iotlb', value: 'on' }]
          : []),
      ],
    },
    sources: [src('LV-FMT', 'ats: needed to make use of IOTLB support; iommu iotlb'), src('QEMU-VHOST', 'device IOTLB')],
  },
  {
    key: 'R-VIOMMU-02/windows-rng',
    id: 'R-VIOMMU-02',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => !isConfidential(c) && c.input.guest.family === 'windows',
      translatingViommu,
      (c) => c.device.virtio && c.device.function === 'rng' && c.device.driver.iommu !== 'on',
    ],
    title: (c) => `${c.device.label}: behind the vIOMMU, a Windows guest's viorng needs iommu='on'`,
    explanation: `${WHAT_IOMMU_DOES} Windows drivers reach memory only through Windows' DMA API, and viorng declares itself ready for DMA remapping (its INF: DmaRemappingCompatible=1), so where Windows remaps DMA through the vIOMMU the device must translate too. virtio-win's drivers on its WDF library check this since 2025 (VirtIOWdfDeviceCheckIOMMUActive, commit 51dc3d8a): with remapping active and no ACCESS_PLATFORM the device fails to start ("This device is not configured correctly"); older drivers hand the device addresses it cannot use. Whether Windows turns remapping on behind QEMU's vIOMMU depends on its version and policy, which the XML does not tell.`,
    fix: {
      text: "Set iommu='on' on the device's <driver>.",
      edits: (c) => setDriverAttribute(c.device, 'iommu', 'on'),
    },
    sources: [
      src('VWIN', 'viorng/viorng/viorng.inf: DmaRemappingCompatible=1 (a6e7a8c4)'),
      src('VWIN', 'VirtIO/WDF/Dma.c VirtIOWdfDeviceCheckIOMMUActive (51dc3d8a, 2025)'),
    ],
  },
  {
    key: 'R-VIOMMU-02',
    id: 'R-VIOMMU-02',
    scope: 'device',
    severity: 'info',
    when: [
      translatingViommu,
      (c) => !isConfidential(c),
      (c) => takesAccessPlatform(c.device) && c.device.driver.iommu !== 'on',
      // A Windows guest's viorng has its own warning (R-VIOMMU-02/windows-rng).
      (c) => !(c.input.guest.family === 'windows' && c.device.function === 'rng'),
    ],
    title: (c) => `${c.device.label} bypasses the vIOMMU`,
    explanation: `${WHAT_IOMMU_DOES} The two are independent: <iommu> puts an emulated IOMMU in the guest, and only devices with iommu='on' obey it. Without the bit this device reads guest-physical memory directly, so the guest IOMMU neither isolates nor translates it (fine unless the guest assigns it to userspace drivers with vfio or DPDK).`,
    fix: iommuFixText(
      "Set iommu='on' on the device if the guest should isolate it with the vIOMMU.",
      'the guest cannot isolate it with the vIOMMU.',
    ),
    sources: [src('SPEC', 'ACCESS_PLATFORM overrides the platform IOMMU description'), src('LNX-RING', 'vring_use_dma_api')],
  },
];
