/**
 * R-MIG-01: the virtio options are guest ABI. libvirt compares them between source and destination definitions
 * on migration, restore and snapshot revert; this makes the same comparison ahead of time.
 */
import type { DeviceFacts, DeviceKind, DomainFacts, OnOffAbsent, VirtioDriverOptions } from '../contracts/facts';
import type { Edit, Finding } from '../contracts/findings';
import { src } from './sources';

const OPTIONS: readonly { key: keyof VirtioDriverOptions; name: string }[] = [
  { key: 'iommu', name: 'iommu' },
  { key: 'ats', name: 'ats' },
  { key: 'packed', name: 'packed' },
  { key: 'pagePerVq', name: 'page_per_vq' },
];

/** libvirt's ABI-check messages (domain_conf.c virDomainVirtioOptionsCheckABIStability), every form. */
export const MIGRATION_MESSAGES: readonly string[] = [
  "Target device virtio options don't match the source",
  ...OPTIONS.map((o) => `Target device ${o.name} option '<dst>' does not match source '<src>'`),
];

/** libvirt formats an absent option as 'default' in these messages. */
function shown(v: OnOffAbsent): string {
  return v === 'absent' ? 'default' : v;
}

/**
 * Whether libvirt holds a virtio options object for the device when it compares: virDomainVirtioOptionsParseXML
 * makes one for every `<driver>` element it reads, and libvirt compares copies of both definitions that it wrote
 * out and read back (qemuDomainDefCopy, migratable). Writing out keeps a `<driver>` only with something in it (an
 * empty `<driver/>` is gone, seen on restore with libvirt 9.0) and adds one to every disk (driver name='qemu' and
 * the format, filled in at define).
 */
function keepsOptions(d: DeviceFacts): boolean {
  return d.driverElement === 'set' || d.kind === 'disk';
}

function fixEdit(a: DeviceFacts, b: DeviceFacts, o: (typeof OPTIONS)[number]): Edit {
  return a.driver[o.key] === 'absent'
    ? { op: 'remove-attribute', target: `${b.target}/driver`, name: o.name }
    : { op: 'set-attribute', target: `${b.target}/driver`, name: o.name, value: a.driver[o.key] };
}

const WHY =
  "The virtio options change which features the device offers, and the guest negotiated them at boot. libvirt's ABI check refuses to migrate, restore or revert to a definition where they differ";
const SOURCES = [src('LV-CONF', 'virDomainVirtioOptionsCheckABIStability')];

/**
 * One finding per differing option, with libvirt's message for it; but when only one side has a virtio options
 * object at all (see keepsOptions) libvirt does not compare them one by one and says so in one message (both
 * checked against libvirt 9.0 with virsh save/restore in main/services/migration-abi.test.ts), so that is one finding.
 */
function compareDevice(a: DeviceFacts, b: DeviceFacts): Finding[] {
  const differing = OPTIONS.filter((o) => a.driver[o.key] !== b.driver[o.key]);
  const source = keepsOptions(a);
  if (differing.length === 0) return source === keepsOptions(b) ? [] : [oneSideOnly(a, source)];
  const pairs = differing.map((o) => `${o.name}: source '${shown(a.driver[o.key])}', destination '${shown(b.driver[o.key])}'`).join('; ');
  if (source !== keepsOptions(b)) {
    return [
      {
        rule: 'R-MIG-01',
        severity: 'error',
        target: a.target,
        title: `${a.label}: virtio options are set on the ${source ? 'source' : 'destination'} only (${differing.map((o) => o.name).join(', ')})`,
        explanation: `${WHY}: ${pairs}.`,
        messages: ["Target device virtio options don't match the source"],
        fix: {
          text: "Give the destination the source's virtio options (the edits apply to the destination definition).",
          edits: b.implicit ? [] : differing.map((o) => fixEdit(a, b, o)),
        },
        sources: SOURCES,
      },
    ];
  }
  return differing.map((o) => ({
    rule: 'R-MIG-01',
    severity: 'error' as const,
    target: a.target,
    title: `${a.label}: ${o.name} is '${shown(a.driver[o.key])}' on the source and '${shown(b.driver[o.key])}' on the destination`,
    explanation: `${WHY}: source ${o.name}='${shown(a.driver[o.key])}', destination ${o.name}='${shown(b.driver[o.key])}'.`,
    messages: [`Target device ${o.name} option '${shown(b.driver[o.key])}' does not match source '${shown(a.driver[o.key])}'`],
    fix: {
      text: `Make the destination's ${o.name} '${shown(a.driver[o.key])}' like the source's (the edits apply to the destination definition).`,
      edits: b.implicit ? [] : [fixEdit(a, b, o)],
    },
    sources: SOURCES,
  }));
}

/**
 * The same options on both sides, but other `<driver>` settings (queues, a vhost driver name) on one side only:
 * libvirt holds an options object on that side alone and refuses all the same.
 */
function oneSideOnly(a: DeviceFacts, source: boolean): Finding {
  return {
    rule: 'R-MIG-01',
    severity: 'error',
    target: a.target,
    title: `${a.label}: only the ${source ? 'source' : 'destination'} has <driver> settings, so libvirt holds virtio options on one side only`,
    explanation: `${WHY}, and it also refuses when only one definition has <driver> settings for the device, whichever they are (libvirt writes one out for every disk it defines, so disks always have them).`,
    messages: ["Target device virtio options don't match the source"],
    fix: {
      text: `Give the ${source ? 'destination' : 'source'} the same <driver> settings as the ${source ? 'source' : 'destination'}.`,
      edits: [],
    },
    sources: SOURCES,
  };
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

/** Compares the virtio options of the devices two definitions share (matched by XPath). */
export function compareForMigration(source: DomainFacts, destination: DomainFacts): Finding[] {
  const byTarget = new Map(destination.devices.map((d) => [d.target, d]));
  return source.devices.flatMap((a) => {
    const b = byTarget.get(a.target);
    return b && a.virtio && b.virtio && COMPARED_KINDS.has(a.kind) ? compareDevice(a, b) : [];
  });
}
