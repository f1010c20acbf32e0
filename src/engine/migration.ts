/**
 * R-MIG-01: the virtio options, the queue counts of virtio disks and network cards, and the vIOMMU are guest ABI.
 * libvirt compares them between source and destination definitions on migration, restore and snapshot revert; this
 * makes the same comparison ahead of time.
 */
import type {
  DeviceFacts,
  DeviceKind,
  DomainFacts,
  Maybe,
  OnOffAbsent,
  Version,
  VersionFact,
  ViommuFacts,
  VirtioDriverOptions,
} from '../contracts/facts';
import type { Edit, Finding, Source } from '../contracts/findings';
import { atLeast } from '../contracts/version';
import { src } from './sources';
import { v } from './verdict';

const OPTIONS: readonly { key: keyof VirtioDriverOptions; name: string }[] = [
  { key: 'iommu', name: 'iommu' },
  { key: 'ats', name: 'ats' },
  { key: 'packed', name: 'packed' },
  { key: 'pagePerVq', name: 'page_per_vq' },
];

/**
 * What refuses a virtio network card whose queue count differs, by the release of the libvirt that compares:
 * libvirt's own check from 11.4.0 (NEWS 11.4.0 "Treat the queues configuration of virtio-net as guest ABI"),
 * before it QEMU's, when it loads the device's state (seen on restore: QEMU 7.2 under libvirt 9.0 printed the
 * first, QEMU 10.0 under libvirt 11.3 only the last line, libvirt 12.8 its own message).
 */
const NET_QUEUES_CHECKED_FROM = v(11, 4);
const QEMU_NET_QUEUES_REFUSAL = ['get_pci_config_device: Bad config data', 'load of migration failed: Invalid argument'];

/** How libvirt prints a value in its ABI message, and what writes it back in `<driver>`. */
interface ViommuValue {
  /** As the message prints it; null when the facts do not know it (not a valid value), which is not compared. */
  readonly shown: string | null;
  /** The attribute value that gives it; null to remove the attribute. */
  readonly written: string | null;
}

/** On/off switches printed as words: absent is 'default'. */
const word = (x: OnOffAbsent): ViommuValue => ({ shown: x === 'absent' ? 'default' : x, written: x === 'absent' ? null : x });
/** On/off switches printed as libvirt's tristate numbers (seen on 12.8): absent 0, on 1, off 2. */
const tristate = (x: OnOffAbsent): ViommuValue => ({
  shown: x === 'absent' ? '0' : x === 'on' ? '1' : '2',
  written: x === 'absent' ? null : x,
});
/** Numbers: absent is printed as `unset` (0 for aw_bits, -1 for the smmuv3 ones). */
const number =
  (unset: number) =>
  (x: Maybe<number> | 'absent'): ViommuValue =>
    x === 'unknown'
      ? { shown: null, written: null }
      : { shown: String(x === 'absent' ? unset : x), written: x === 'absent' ? null : String(x) };

/**
 * The vIOMMU's `<driver>` settings libvirt compares, in its order (virDomainIOMMUDefCheckABIStability: domain_conf.c
 * 11.3 lines 21903-21957 for those up to dma_translation, the same words in 9.0's and 12.8's libvirt.so), with the
 * words of its message and how it prints each value. Every one was seen refused on restore with libvirt 12.8, and
 * none is filled in at define, so an absent one differs from any written value, QEMU's default included. `since`:
 * the release that reads it (formatdomain 11.3; NEWS 11.5.0 for the amd vIOMMU's, 12.1.0 for granule); the smmuv3
 * ones from 12.8, the first release seen with them. The model is compared first, and libvirt compares these
 * whatever it is.
 */
const VIOMMU_ABI: readonly {
  readonly name: string;
  readonly message: string;
  readonly since?: Version;
  readonly value: (m: ViommuFacts) => ViommuValue;
}[] = [
  { name: 'intremap', message: 'intremap value', value: (m) => word(m.intremap) },
  { name: 'caching_mode', message: 'caching mode', value: (m) => word(m.cachingMode) },
  { name: 'eim', message: 'eim value', value: (m) => word(m.eim) },
  { name: 'iotlb', message: 'iotlb value', value: (m) => word(m.iotlb) },
  { name: 'aw_bits', message: 'aw_bits value', value: (m) => number(0)(m.awBits) },
  { name: 'pciBus', message: 'pci_bus value', since: v(12, 8), value: (m) => number(-1)(m.pciBus) },
  { name: 'accel', message: 'accel value', since: v(12, 8), value: (m) => tristate(m.accel) },
  { name: 'cmdqv', message: 'cmdqv value', since: v(12, 8), value: (m) => tristate(m.cmdqv) },
  { name: 'ats', message: 'ATS value', since: v(12, 8), value: (m) => tristate(m.ats) },
  { name: 'ril', message: 'ril value', since: v(12, 8), value: (m) => tristate(m.ril) },
  { name: 'ssidsize', message: 'ssid_size value', since: v(12, 8), value: (m) => number(-1)(m.ssidsize) },
  { name: 'oas', message: 'oas value', since: v(12, 8), value: (m) => number(-1)(m.oas) },
  { name: 'dma_translation', message: 'dma translation', since: v(10, 7), value: (m) => word(m.dmaTranslation) },
  { name: 'passthrough', message: 'passthrough', since: v(11, 5), value: (m) => word(m.passthrough) },
  { name: 'xtsup', message: 'xtsup', since: v(11, 5), value: (m) => word(m.xtsup) },
  {
    name: 'granule',
    message: 'granule',
    since: v(12, 1),
    value: (m) => ({ shown: m.granule === 'unknown' ? null : m.granule === 'absent' ? '0KiB' : m.granule, written: null }),
  },
];

/**
 * libvirt's message when one definition has an `<iommu>` and the other none: without counts up to 11.3 (9.0 and
 * 11.3 in the version lab), with them (destination's, source's) in 12.8, which holds several; the release between
 * that changed it is not known.
 */
const VIOMMU_COUNT_BARE = 'Target domain IOMMU device count does not match source';
const VIOMMU_COUNT_BARE_BEFORE = v(11, 4);
const VIOMMU_COUNT_NUMBERED_FROM = v(12, 8);

/** libvirt's ABI-check messages (domain_conf.c, the CheckABIStability functions), every form. */
export const MIGRATION_MESSAGES: readonly string[] = [
  "Target device virtio options don't match the source",
  ...OPTIONS.map((o) => `Target device ${o.name} option '<dst>' does not match source '<src>'`),
  'Target disk queue count <dst> does not match source <src>',
  'Target disk queue size <dst> does not match source <src>',
  "Target virtio network queue count '<dst>' does not match source '<src>'",
  ...QEMU_NET_QUEUES_REFUSAL,
  VIOMMU_COUNT_BARE,
  'Target domain IOMMU device count <dst> does not match source <src>',
  "Target domain IOMMU device model '<dst>' does not match source '<src>'",
  ...VIOMMU_ABI.map((o) => `Target domain IOMMU device ${o.message} '<dst>' does not match source '<src>'`),
];

/** libvirt formats an absent option as 'default' in these messages. */
function shown(v: OnOffAbsent): string {
  return v === 'absent' ? 'default' : v;
}

/**
 * The devices whose `<driver>` libvirt reads and writes only the virtio options of (domain_conf.c 11.3: the rng,
 * memballoon, input and vsock parsers call virDomainVirtioOptionsParseXML and nothing else on it; their formatters
 * write virDomainVirtioOptionsFormat alone into it).
 */
const OPTIONS_ONLY_DRIVER: ReadonlySet<DeviceKind> = new Set(['rng', 'memballoon', 'input', 'vsock']);

/**
 * Whether libvirt holds a virtio options object for the device when it compares: virDomainVirtioOptionsParseXML
 * makes one for every `<driver>` element it reads (domain_conf.c 11.3 line 1808, whatever its attributes), but
 * libvirt compares copies of both definitions that it wrote out and read back (qemu_domain.c
 * qemuDomainDefCheckABIStability, qemuDomainDefCopy, migratable). Writing out keeps a `<driver>` only with
 * something in it that libvirt holds (an empty `<driver/>` is gone, and so is one whose only attributes an
 * options-only device does not know, such as name='qemu' on an rng; seen on restore with libvirt 9.0, 11.3 and
 * 12.8) and adds one to every disk (driver name='qemu' and the format, filled in at define).
 */
function keepsOptions(d: DeviceFacts): boolean {
  if (d.kind === 'disk') return true;
  if (OPTIONS_ONLY_DRIVER.has(d.kind)) return OPTIONS.some((o) => d.driver[o.key] !== 'absent');
  return d.driverElement === 'set';
}

/** Sets the destination's `<driver>` attribute to the source's value, or removes it where the source has none (null). */
function driverAttributeEdit(b: DeviceFacts, name: string, source: string | null): Edit {
  return source === null
    ? { op: 'remove-attribute', target: `${b.target}/driver`, name }
    : { op: 'set-attribute', target: `${b.target}/driver`, name, value: source };
}

function fixEdit(a: DeviceFacts, b: DeviceFacts, o: (typeof OPTIONS)[number]): Edit {
  const value = a.driver[o.key];
  return driverAttributeEdit(b, o.name, value === 'absent' ? null : value);
}

/** An R-MIG-01 finding on the source's device (or element): libvirt (or QEMU) refuses the move. */
function abiFinding(
  a: { readonly target: string; readonly label: string },
  f: { title: string; explanation: string; messages: readonly string[]; fix: string; edits: readonly Edit[]; sources: readonly Source[] },
): Finding {
  return {
    rule: 'R-MIG-01',
    severity: 'error',
    target: a.target,
    title: `${a.label}: ${f.title}`,
    explanation: f.explanation,
    messages: f.messages,
    fix: { text: f.fix, edits: f.edits },
    sources: f.sources,
  };
}

const WHY =
  "The virtio options change which features the device offers, and the guest negotiated them at boot. libvirt's ABI check refuses to migrate, restore or revert to a definition where they differ";
const SOURCES = [src('LV-CONF', 'virDomainVirtioOptionsCheckABIStability')];

/**
 * One finding per differing option, with libvirt's message for it; but when only one side has a virtio options
 * object at all (see keepsOptions) libvirt does not compare them one by one and says so in one message (both
 * checked with virsh save/restore on libvirt 9.0, 11.3 and 12.8, test/lab/migration-driver-viommu.test.ts), so
 * that is one finding.
 */
function compareDevice(a: DeviceFacts, b: DeviceFacts): Finding[] {
  const differing = OPTIONS.filter((o) => a.driver[o.key] !== b.driver[o.key]);
  const source = keepsOptions(a);
  if (differing.length === 0) return source === keepsOptions(b) ? [] : [oneSideOnly(a, source)];
  const pairs = differing.map((o) => `${o.name}: source '${shown(a.driver[o.key])}', destination '${shown(b.driver[o.key])}'`).join('; ');
  if (source !== keepsOptions(b)) {
    return [
      abiFinding(a, {
        title: `virtio options are set on the ${source ? 'source' : 'destination'} only (${differing.map((o) => o.name).join(', ')})`,
        explanation: `${WHY}: ${pairs}.`,
        messages: ["Target device virtio options don't match the source"],
        fix: "Give the destination the source's virtio options (the edits apply to the destination definition).",
        edits: b.implicit ? [] : differing.map((o) => fixEdit(a, b, o)),
        sources: SOURCES,
      }),
    ];
  }
  return differing.map((o) =>
    abiFinding(a, {
      title: `${o.name} is '${shown(a.driver[o.key])}' on the source and '${shown(b.driver[o.key])}' on the destination`,
      explanation: `${WHY}: source ${o.name}='${shown(a.driver[o.key])}', destination ${o.name}='${shown(b.driver[o.key])}'.`,
      messages: [`Target device ${o.name} option '${shown(b.driver[o.key])}' does not match source '${shown(a.driver[o.key])}'`],
      fix: `Make the destination's ${o.name} '${shown(a.driver[o.key])}' like the source's (the edits apply to the destination definition).`,
      edits: b.implicit ? [] : [fixEdit(a, b, o)],
      sources: SOURCES,
    }),
  );
}

/**
 * The same options on both sides, but other `<driver>` settings (queues, a vhost driver name) on one side only:
 * libvirt holds an options object on that side alone and refuses all the same.
 */
function oneSideOnly(a: DeviceFacts, source: boolean): Finding {
  return abiFinding(a, {
    title: `only the ${source ? 'source' : 'destination'} has <driver> settings, so libvirt holds virtio options on one side only`,
    explanation: `${WHY}, and it also refuses when only one definition has <driver> settings for the device, whichever they are (libvirt writes one out for every disk it defines, so disks always have them).`,
    messages: ["Target device virtio options don't match the source"],
    fix: `Give the ${source ? 'destination' : 'source'} the same <driver> settings as the ${source ? 'source' : 'destination'}.`,
    edits: [],
    sources: SOURCES,
  });
}

/**
 * The devices whose virtio options libvirt's ABI check compares (domain_conf.c, the *CheckABIStability functions that
 * call virDomainVirtioOptionsCheckABIStability, the same in 9.0 and 11.3): not sound, crypto, virtio-mem or
 * virtio-pmem, the virtio vIOMMU or vhost-scsi, whose options may differ.
 */
const COMPARED_KINDS: ReadonlySet<DeviceKind> = new Set([
  'disk',
  'controller',
  'filesystem',
  'interface',
  'input',
  'video',
  'memballoon',
  'rng',
  'vsock',
]);

/** A queue count as libvirt holds it: 0 when not written (the attribute is an unsigned integer or refused). */
function queueCount(n: Maybe<number>): number {
  return n === 'unknown' ? 0 : n;
}

/** A network card's queue pairs as libvirt holds them: queues='1' is kept as 0 ("There's always at least one TX/RX queue"). */
function netQueueCount(n: Maybe<number>): number {
  return n === 1 ? 0 : queueCount(n);
}

/** The queue edit: the source's count where it wrote one, else none (the destination's is removed). */
function queueEdit(b: DeviceFacts, name: string, source: number, written: boolean): Edit[] {
  return b.implicit ? [] : [driverAttributeEdit(b, name, written ? String(source) : null)];
}

const QUEUE_WHY =
  'The number of queues is part of the device the guest sees (its driver sized its queues, and on PCI its MSI-X vectors, to it at boot)';
const QUEUE_FIX = 'Give the destination the same value as the source (the edits apply to the destination definition).';

/**
 * A virtio disk's queues and queue_size (domain_conf.c virDomainDiskDefCheckABIStability, before the virtio
 * options). libvirt's queue size message prints the two queue counts, not the sizes (its arguments are the
 * counts; seen on libvirt 9.0, 11.3 and 12.8).
 */
function compareDiskQueues(a: DeviceFacts, b: DeviceFacts): Finding[] {
  const [qa, qb] = [queueCount(a.queues), queueCount(b.queues)];
  const [sa, sb] = [queueCount(a.io.queueSize), queueCount(b.io.queueSize)];
  const sources = [src('LV-CONF', 'virDomainDiskDefCheckABIStability'), src('LAB', 'virsh restore --xml on libvirt 9.0, 11.3 and 12.8')];
  const findings: Finding[] = [];
  if (qa !== qb) {
    findings.push(
      abiFinding(a, {
        title: `queues is ${qa || 'not set'} on the source and ${qb || 'not set'} on the destination`,
        explanation: `${QUEUE_WHY}. libvirt compares the written values (an unset count is 0, even where QEMU then picks one per vCPU) and refuses to migrate, restore or revert when they differ.`,
        messages: [`Target disk queue count ${qb} does not match source ${qa}`],
        fix: QUEUE_FIX,
        edits: queueEdit(b, 'queues', qa, a.queues !== 'unknown'),
        sources,
      }),
    );
  }
  if (sa !== sb) {
    findings.push(
      abiFinding(a, {
        title: `queue_size is ${sa || 'not set'} on the source and ${sb || 'not set'} on the destination`,
        explanation:
          'The size of each queue is part of the device the guest sees. libvirt compares the written values and refuses to migrate, restore or revert when they differ; its message shows the queue counts in place of the sizes.',
        messages: [`Target disk queue size ${qb} does not match source ${qa}`],
        fix: QUEUE_FIX,
        edits: queueEdit(b, 'queue_size', sa, a.io.queueSize !== 'unknown'),
        sources,
      }),
    );
  }
  return findings;
}

/**
 * A virtio network card's queue pairs: libvirt derives the PCI device's MSI-X vectors from them (2 × queues + 2,
 * qemu_command.c), so a different count is a different device. libvirt 11.4.0 and later refuse it themselves;
 * before, QEMU refuses the device's state at the destination (on PCI, where the vector count is in the config
 * space it checks; on other transports that was not seen).
 */
function compareNetQueues(a: DeviceFacts, b: DeviceFacts, libvirt: VersionFact): Finding[] {
  const [qa, qb] = [netQueueCount(a.queues), netQueueCount(b.queues)];
  if (qa === qb) return [];
  const checked = atLeast(libvirt, NET_QUEUES_CHECKED_FROM);
  const libvirtMessage = `Target virtio network queue count '${qb}' does not match source '${qa}'`;
  const messages =
    checked === 'yes' ? [libvirtMessage] : checked === 'no' ? QEMU_NET_QUEUES_REFUSAL : [libvirtMessage, ...QEMU_NET_QUEUES_REFUSAL];
  const unseen = checked === 'no' && a.transport !== 'pci';
  const finding = abiFinding(a, {
    title: `${qa || 1} queue pair(s) on the source and ${qb || 1} on the destination`,
    explanation: `${QUEUE_WHY}. libvirt 11.4.0 and later refuse to migrate, restore or revert when the counts differ; older releases let it through and QEMU refuses the device's state when it loads it at the destination${unseen ? ' — seen on PCI, where the vector count is in the config space QEMU checks; on this transport it was not seen' : ''}.`,
    messages,
    fix: QUEUE_FIX,
    edits: queueEdit(b, 'queues', qa || 1, a.queues !== 'unknown'),
    sources: [
      src('LV-NEWS', 'v11.4.0: qemu: Treat the queues configuration of virtio-net as guest ABI'),
      src('LV-CMD', 'qemuBuildNicDevProps: vectors = 2 * queues + 2'),
      src('QEMU-PCI', 'get_pci_config_device: Bad config data'),
      src('LAB', 'virsh restore --xml on libvirt 9.0 + QEMU 7.2, 11.3 + 10.0 and 12.8 + 11.1'),
    ],
  });
  return [unseen ? { ...finding, severity: 'warning' } : finding];
}

/**
 * libvirt 10.10.0 and later complete the vIOMMU of an x86 q35 domain with more than 255 vCPUs as they read it
 * (qemu_postparse.c: qemuDomainDefAddDefaultDevices adds <iommu model='intel'> with intremap and eim on where
 * there is none; qemuDomainIOMMUDefPostParse turns an intel one's unwritten intremap and eim on), and compare what
 * they hold. Older releases, or an unknown one, are taken to compare what is written.
 */
const COMPLETES_VIOMMU_FROM = v(10, 10);
/** NEWS 12.2.0, "support more than 255 vCPUs with amd-iommu": XTSup required there, "automatically enabled if needed". */
const COMPLETES_AMD_FROM = v(12, 2);
function heldViommu(d: DomainFacts, libvirt: VersionFact): ViommuFacts {
  const many = (d.arch === 'x86_64' || d.arch === 'i686') && d.machine.family === 'q35' && d.vcpus.max !== 'unknown' && d.vcpus.max > 255;
  if (!many || atLeast(libvirt, COMPLETES_VIOMMU_FROM) !== 'yes') return d.viommu;
  const on = (x: OnOffAbsent): OnOffAbsent => (x === 'absent' ? 'on' : x);
  if (d.viommu.model === 'none') return { ...d.viommu, model: 'intel', intremap: 'on', eim: 'on' };
  // 12.2.0 and later turn the amd vIOMMU's XTSup on where it is not written (NEWS 12.2.0).
  if (d.viommu.model === 'amd')
    return atLeast(libvirt, COMPLETES_AMD_FROM) === 'yes' ? { ...d.viommu, xtsup: on(d.viommu.xtsup) } : d.viommu;
  if (d.viommu.model !== 'intel') return d.viommu;
  return { ...d.viommu, intremap: on(d.viommu.intremap), eim: on(d.viommu.eim) };
}

/** A `<granule>` element for a granule as the facts hold it ('host' or '<n>KiB'). */
function granuleXml(g: string): string {
  return g === 'host' ? "<granule mode='host'/>" : `<granule size='${g.replace(/KiB$/, '')}' unit='KiB'/>`;
}

const VIOMMU_WHY =
  'The vIOMMU is part of the machine the guest sees: its driver found it, and the features it reports, at boot. libvirt refuses to migrate, restore or revert to a definition whose vIOMMU differs';
const VIOMMU_SOURCES = [
  src('LV-CONF', 'virDomainDefCheckABIStabilityFlags, virDomainIOMMUDefCheckABIStability'),
  src('LAB', 'virsh restore --xml on libvirt 9.0, 11.3 and 12.8'),
];
const VIOMMU_FIX = "Give the destination the source's vIOMMU (the edits apply to the destination definition).";

/** The source's vIOMMU written out, from what the facts hold of it. */
function viommuXml(m: ViommuFacts): string {
  const options = VIOMMU_ABI.flatMap((o) => {
    const written = o.value(m).written;
    return written === null ? [] : [` ${o.name}='${written}'`];
  }).join('');
  const granule = m.granule === 'absent' || m.granule === 'unknown' ? '' : granuleXml(m.granule);
  const driver = granule ? `<driver${options}>${granule}</driver>` : options ? `<driver${options}/>` : '';
  return driver ? `<iommu model='${m.model}'>\n  ${driver}\n</iommu>` : `<iommu model='${m.model}'/>`;
}

/**
 * The vIOMMU (domain_conf.c virDomainDefCheckABIStabilityFlags, after the memory devices): refused when one
 * definition has an <iommu> and the other none, else by virDomainIOMMUDefCheckABIStability, which stops at the
 * first difference of model, intremap, caching_mode, eim, iotlb, aw_bits (and dma_translation, and in later
 * releases more, which the facts do not hold). One finding per difference, as for the virtio options. The virtio
 * vIOMMU's own <driver> options are not compared (no virDomainVirtioOptionsCheckABIStability there).
 */
function compareViommu(source: DomainFacts, destination: DomainFacts, libvirt: VersionFact): Finding[] {
  const [a, b] = [heldViommu(source, libvirt), heldViommu(destination, libvirt)];
  const subject = { target: a.target ?? '/domain/devices', label: 'vIOMMU' };
  const target = b.target ?? '/domain/devices/iommu[1]';
  if ((a.model === 'none') !== (b.model === 'none')) {
    const [na, nb] = [a.model === 'none' ? 0 : 1, b.model === 'none' ? 0 : 1];
    const numbered = `Target domain IOMMU device count ${nb} does not match source ${na}`;
    const [bare, counted] = [atLeast(libvirt, VIOMMU_COUNT_BARE_BEFORE), atLeast(libvirt, VIOMMU_COUNT_NUMBERED_FROM)];
    const messages = bare === 'no' ? [VIOMMU_COUNT_BARE] : counted === 'yes' ? [numbered] : [VIOMMU_COUNT_BARE, numbered];
    // A vIOMMU libvirt adds itself (heldViommu) is not written, so there is nothing to remove.
    const removable = destination.viommu.target !== null;
    return [
      abiFinding(subject, {
        title: na ? `the destination has no <iommu> (the source's is ${a.model})` : `only the destination has an <iommu> (${b.model})`,
        explanation: `${VIOMMU_WHY}, and it counts the <iommu> devices first.`,
        messages,
        fix: na ? VIOMMU_FIX : "Remove the destination's <iommu>, as the source has none.",
        edits: na
          ? [{ op: 'add-element', parent: '/domain/devices', xml: viommuXml(a) }]
          : removable
            ? [{ op: 'remove-element', target }]
            : [],
        sources: VIOMMU_SOURCES,
      }),
    ];
  }
  if (a.model === 'none' || a.model === 'other' || b.model === 'other') return [];
  const finding = (what: string, dst: string, srcValue: string, message: string, edits: Edit[]) =>
    abiFinding(subject, {
      title: `${what} is '${srcValue}' on the source and '${dst}' on the destination`,
      explanation: `${VIOMMU_WHY}: source ${what} '${srcValue}', destination '${dst}'.`,
      messages: [message],
      fix: VIOMMU_FIX,
      edits: destination.viommu.target === null ? [] : edits,
      sources: VIOMMU_SOURCES,
    });
  if (a.model !== b.model) {
    const message = `Target domain IOMMU device model '${b.model}' does not match source '${a.model}'`;
    return [finding('the vIOMMU model', b.model, a.model, message, [{ op: 'set-attribute', target, name: 'model', value: a.model }])];
  }
  const edit = (name: string, value: string | null): Edit[] =>
    value === null
      ? [{ op: 'remove-attribute', target: `${target}/driver`, name }]
      : [{ op: 'set-attribute', target: `${target}/driver`, name, value }];
  const findings: Finding[] = [];
  for (const o of VIOMMU_ABI) {
    if (o.since && atLeast(libvirt, o.since) === 'no') continue;
    const [va, vb] = [o.value(a), o.value(b)];
    if (va.shown === null || vb.shown === null || va.shown === vb.shown) continue;
    const message = `Target domain IOMMU device ${o.message} '${vb.shown}' does not match source '${va.shown}'`;
    // <granule> is an element: the destination gets the source's in place of its own, or none.
    const edits: Edit[] =
      o.name !== 'granule'
        ? edit(o.name, va.written)
        : a.granule === 'absent'
          ? [{ op: 'remove-element', target: `${target}/driver/granule` }]
          : [{ op: 'add-element', parent: `${target}/driver`, xml: granuleXml(String(a.granule)), replace: true }];
    findings.push(finding(o.name, vb.shown, va.shown, message, edits));
  }
  return findings;
}

/**
 * How libvirt words a changed model, per kind (domain_conf.c 11.3, the *CheckABIStability functions, which compare
 * the model enum). A disk or vsock without a model holds 'default', which the facts do not tell from 'virtio': both
 * wordings are given then. libvirt prints an input's model through the bus names and a filesystem's not at all.
 */
const MODEL_MESSAGES: Partial<Record<DeviceKind, (dst: string, src: string) => string>> = {
  disk: (dst, src) => `Target disk model ${dst} does not match source ${src}`,
  interface: (dst, src) => `Target network card model ${dst} does not match source ${src}`,
  rng: (dst, src) => `Target RNG model '${dst}' does not match source '${src}'`,
  memballoon: (dst, src) => `Target balloon model ${dst} does not match source ${src}`,
  vsock: (dst, src) => `Target domain vsock device model '${dst}' does not match source '${src}'`,
  filesystem: () => 'Target filesystem model does not match source',
};

/**
 * The names libvirt may print for the device's model (see MODEL_MESSAGES): a balloon's as written (virtio, none,
 * ...; the one libvirt adds is virtio), another device's virtio model.
 */
function modelNames(d: DeviceFacts): string[] {
  if (d.kind === 'memballoon') return [d.implicit || d.modelAttr === 'unknown' ? 'virtio' : String(d.modelAttr)];
  const m = String(d.virtioModel);
  return m === 'virtio' && (d.kind === 'disk' || d.kind === 'vsock') ? ['default', 'virtio'] : [m];
}

/**
 * A virtio model (virtio, virtio-transitional, virtio-non-transitional) that differs between the definitions:
 * libvirt compares every device's model and refuses any change, even where the guest sees the same device (virtio
 * and virtio-non-transitional on a PCIe port). Seen on restore: rng and network card on libvirt 11.3, disk and rng
 * on 12.8 (QA helper-31).
 */
function compareModel(a: DeviceFacts, b: DeviceFacts): Finding[] {
  const balloon = a.kind === 'memballoon' && b.kind === 'memballoon';
  if (
    balloon
      ? modelNames(a)[0] === modelNames(b)[0]
      : a.virtioModel === b.virtioModel || a.virtioModel === 'unknown' || b.virtioModel === 'unknown'
  )
    return [];
  const message = MODEL_MESSAGES[a.kind];
  const [from, to] = balloon ? [modelNames(a)[0], modelNames(b)[0]] : [String(a.virtioModel), String(b.virtioModel)];
  return [
    abiFinding(a, {
      title: `the model is '${from}' on the source and '${to}' on the destination`,
      explanation: `libvirt's ABI check compares each device's model and refuses to migrate, restore or revert to a definition where it differs, whether or not the guest would see another device (a transitional device offers the legacy interface too; a non-transitional one on a PCIe port is the same device as 'virtio').`,
      messages: message ? [...new Set(modelNames(b).flatMap((dst) => modelNames(a).map((src) => message(dst, src))))] : [],
      fix: "Give the destination the source's model; change the model only with the domain shut off, and boot it again.",
      edits: [],
      sources: [src('LV-CONF', "the devices' *CheckABIStability: the model"), src('LAB', 'virsh restore --xml on libvirt 11.3 and 12.8')],
    }),
  ];
}

/**
 * Compares the devices two definitions share (matched by XPath): the queue counts of virtio disks and network
 * cards, then the virtio options; then the vIOMMU. `libvirt` is the release of the libvirt that compares (the
 * source host's for a migration, the restoring host's for a restore), which decides who refuses a network card's
 * queues and how libvirt words a missing vIOMMU.
 */
export function compareForMigration(source: DomainFacts, destination: DomainFacts, libvirt: VersionFact): Finding[] {
  const byTarget = new Map(destination.devices.map((d) => [d.target, d]));
  const devices = source.devices.flatMap((a) => {
    const b = byTarget.get(a.target);
    // A virtio balloon on one side only (model='none' on the other, what every confidential plan writes).
    if (b && a.kind === 'memballoon' && b.kind === 'memballoon' && a.virtio !== b.virtio) return compareModel(a, b);
    if (!b || !a.virtio || !b.virtio || !COMPARED_KINDS.has(a.kind)) return [];
    const queues = a.kind === 'disk' ? compareDiskQueues(a, b) : a.kind === 'interface' ? compareNetQueues(a, b, libvirt) : [];
    return [...compareModel(a, b), ...queues, ...compareDevice(a, b)];
  });
  return [...devices, ...compareViommu(source, destination, libvirt)];
}
