/**
 * R-MIG-01: the virtio options are guest ABI. libvirt compares them between source and destination definitions
 * on migration, restore and snapshot revert; this makes the same comparison ahead of time.
 */
import type { DeviceFacts, DomainFacts, OnOffAbsent, VirtioDriverOptions } from '../contracts/facts';
import type { Finding } from '../contracts/findings';
import { src } from './sources';

const OPTIONS: readonly { key: keyof VirtioDriverOptions; name: string }[] = [
  { key: 'iommu', name: 'iommu' },
  { key: 'ats', name: 'ats' },
  { key: 'packed', name: 'packed' },
  { key: 'pagePerVq', name: 'page_per_vq' },
];

/** libvirt formats an absent option as 'default' in these messages. */
function shown(v: OnOffAbsent): string {
  return v === 'absent' ? 'default' : v;
}

function compareDevice(a: DeviceFacts, b: DeviceFacts): Finding[] {
  return OPTIONS.filter((o) => a.driver[o.key] !== b.driver[o.key]).map((o) => ({
    rule: 'R-MIG-01',
    severity: 'error' as const,
    target: a.target,
    title: `${a.label}: ${o.name} is '${shown(a.driver[o.key])}' on the source and '${shown(b.driver[o.key])}' on the destination`,
    explanation:
      `The ${o.name} option changes which virtio features the device offers, and the guest negotiated them at boot. libvirt's ABI check refuses to migrate, restore or revert to a definition where it differs: ` +
      `source ${o.name}='${shown(a.driver[o.key])}', destination ${o.name}='${shown(b.driver[o.key])}'.`,
    messages: [`Target device ${o.name} option '${shown(b.driver[o.key])}' does not match source '${shown(a.driver[o.key])}'`],
    fix: {
      text: `Make the destination's ${o.name} '${shown(a.driver[o.key])}' like the source's (the edits apply to the destination definition).`,
      edits: b.implicit
        ? []
        : [a.driver[o.key] === 'absent' ? { op: 'remove-attribute', target: `${b.target}/driver`, name: o.name } : { op: 'set-attribute', target: `${b.target}/driver`, name: o.name, value: a.driver[o.key] }],
    },
    sources: [src('LV-CONF', 'virDomainVirtioOptionsCheckABIStability')],
  }));
}

/** Compares the virtio options of the devices two definitions share (matched by XPath). */
export function compareForMigration(source: DomainFacts, destination: DomainFacts): Finding[] {
  const byTarget = new Map(destination.devices.map((d) => [d.target, d]));
  return source.devices.flatMap((a) => {
    const b = byTarget.get(a.target);
    return b && a.virtio && b.virtio ? compareDevice(a, b) : [];
  });
}
