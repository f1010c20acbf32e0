/** R-MIG-01: comparing two definitions' virtio options and queue counts the way libvirt's ABI check does. */
import { describe, expect, it } from 'vitest';
import type { DomainFacts, VersionFact } from '../contracts/facts';
import { device, domain } from '../../test/engine-facts';
import { compareForMigration as compareWith } from './migration';
import { v } from './verdict';

const UNKNOWN_LIBVIRT: VersionFact = { kind: 'unknown' };
const libvirt = (major: number, minor: number): VersionFact => ({ kind: 'exact', version: v(major, minor), source: 'test' });
/** The comparisons that do not depend on the libvirt release. */
const compareForMigration = (a: DomainFacts, b: DomainFacts) => compareWith(a, b, UNKNOWN_LIBVIRT);

describe('compareForMigration', () => {
  it('names both values and gives libvirt’s message when both sides have virtio options', () => {
    const source = domain({ devices: [device({ driver: { iommu: 'on' } })] });
    const destination = domain({ devices: [device({ driver: { iommu: 'off' } })] });
    const [f, ...rest] = compareForMigration(source, destination);
    expect(rest).toEqual([]);
    expect(f?.rule).toBe('R-MIG-01');
    expect(f?.severity).toBe('error');
    expect(f?.title).toBe("disk vda: iommu is 'on' on the source and 'off' on the destination");
    expect(f?.messages).toEqual(["Target device iommu option 'off' does not match source 'on'"]);
    expect(f?.fix.edits).toEqual([{ op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu', value: 'on' }]);
  });

  it('reports ats, packed and page_per_vq one by one too', () => {
    const source = domain({ devices: [device({ driver: { iommu: 'on' } })] });
    const destination = domain({ devices: [device({ driver: { iommu: 'on', ats: 'on', packed: 'on', pagePerVq: 'off' } })] });
    expect(compareForMigration(source, destination).map((f) => f.messages?.[0])).toEqual([
      "Target device ats option 'on' does not match source 'default'",
      "Target device packed option 'on' does not match source 'default'",
      "Target device page_per_vq option 'off' does not match source 'default'",
    ]);
  });

  const rng = (p: Parameters<typeof device>[0] = {}) =>
    device({ kind: 'rng', function: 'rng', label: 'rng', target: '/domain/devices/rng[1]', ...p });

  it('gives one finding with libvirt’s summary when only one side has virtio options, and a fix for each', () => {
    const source = domain({ devices: [rng()] });
    const destination = domain({ devices: [rng({ driver: { ats: 'on', packed: 'on' } })] });
    const [f, ...rest] = compareForMigration(source, destination);
    expect(rest).toEqual([]);
    expect(f?.title).toBe('rng: virtio options are set on the destination only (ats, packed)');
    expect(f?.messages).toEqual(["Target device virtio options don't match the source"]);
    expect(f?.fix.edits).toEqual([
      { op: 'remove-attribute', target: '/domain/devices/rng[1]/driver', name: 'ats' },
      { op: 'remove-attribute', target: '/domain/devices/rng[1]/driver', name: 'packed' },
    ]);
  });

  it('compares one by one where libvirt holds options on both sides, as for any disk libvirt wrote out; an empty <driver/> holds none', () => {
    // libvirt writes <driver name='qemu' type='…'/> for every disk it defines, so the source always has one.
    const disk = compareForMigration(domain({ devices: [device()] }), domain({ devices: [device({ driver: { iommu: 'on' } })] }));
    expect(disk.map((f) => f.messages?.[0])).toEqual(["Target device iommu option 'on' does not match source 'default'"]);
    // An empty <driver/> is not written out again, so it holds nothing.
    const empty = compareForMigration(
      domain({ devices: [rng({ driver: { iommu: 'on' } })] }),
      domain({ devices: [rng({ driverElement: 'empty' })] }),
    );
    expect(empty.map((f) => f.messages?.[0])).toEqual(["Target device virtio options don't match the source"]);
  });

  it('refuses <driver> settings on one side only even when no virtio option differs', () => {
    const [f, ...rest] = compareForMigration(domain({ devices: [rng()] }), domain({ devices: [rng({ driverElement: 'set' })] }));
    expect(rest).toEqual([]);
    expect([f?.title, f?.messages]).toEqual([
      'rng: only the destination has <driver> settings, so libvirt holds virtio options on one side only',
      ["Target device virtio options don't match the source"],
    ]);
    expect(compareForMigration(domain({ devices: [rng()] }), domain({ devices: [rng({ driverElement: 'empty' })] }))).toEqual([]);
  });

  it('is silent for devices whose virtio options libvirt does not compare (virtio-mem, sound, the virtio vIOMMU)', () => {
    const mem = (iommu: 'on' | 'absent') =>
      domain({ devices: [device({ kind: 'memory', function: 'mem', target: '/domain/devices/memory[1]', driver: { iommu } })] });
    expect(compareForMigration(mem('on'), mem('absent'))).toEqual([]);
  });

  it('is silent when the options match or the device is not shared', () => {
    const same = domain({ devices: [device({ driver: { iommu: 'on', ats: 'on' } })] });
    expect(compareForMigration(same, same)).toEqual([]);
    expect(compareForMigration(same, domain({ devices: [] }))).toEqual([]);
  });

  const nic = (p: Parameters<typeof device>[0] = {}) =>
    device({ kind: 'interface', function: 'net', label: 'interface 1', target: '/domain/devices/interface[1]', ...p });

  it("compares a virtio disk's queues and queue_size first, quoting libvirt's queue size message with the counts it prints", () => {
    const source = domain({ devices: [device({ queues: 2, io: { queueSize: 256 } })] });
    const destination = domain({ devices: [device({ queues: 4, io: { queueSize: 512 } })] });
    const findings = compareForMigration(source, destination);
    expect(findings.map((f) => [f.title, f.messages])).toEqual([
      ['disk vda: queues is 2 on the source and 4 on the destination', ['Target disk queue count 4 does not match source 2']],
      ['disk vda: queue_size is 256 on the source and 512 on the destination', ['Target disk queue size 4 does not match source 2']],
    ]);
    expect(findings.flatMap((f) => f.fix.edits)).toEqual([
      { op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'queues', value: '2' },
      { op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'queue_size', value: '256' },
    ]);
    // A count the source leaves unset is 0 to libvirt: the fix removes the destination's.
    const [unset] = compareForMigration(domain({ devices: [device()] }), domain({ devices: [device({ queues: 1 })] }));
    expect(unset?.messages).toEqual(['Target disk queue count 1 does not match source 0']);
    expect(unset?.fix.edits).toEqual([{ op: 'remove-attribute', target: '/domain/devices/disk[1]/driver', name: 'queues' }]);
  });

  it("names who refuses a virtio NIC's queue pairs by the comparing libvirt's release: libvirt from 11.4, QEMU's state check before", () => {
    const source = domain({ devices: [nic({ queues: 2 })] });
    const destination = domain({ devices: [nic({ queues: 4 })] });
    const messages = (l: VersionFact) => compareWith(source, destination, l).map((f) => [f.severity, f.messages]);
    const LIBVIRT = "Target virtio network queue count '4' does not match source '2'";
    const QEMU = ['get_pci_config_device: Bad config data', 'load of migration failed: Invalid argument'];
    expect(messages(libvirt(12, 8))).toEqual([['error', [LIBVIRT]]]);
    expect(messages(libvirt(11, 4))).toEqual([['error', [LIBVIRT]]]);
    expect(messages(libvirt(11, 3))).toEqual([['error', QEMU]]);
    expect(messages(UNKNOWN_LIBVIRT)).toEqual([['error', [LIBVIRT, ...QEMU]]]);
  });

  it("takes a NIC's queues='1' for no count, as libvirt does, but not a disk's", () => {
    const one = compareWith(domain({ devices: [nic({ queues: 1 })] }), domain({ devices: [nic()] }), libvirt(12, 8));
    expect(one).toEqual([]);
    const [pairs] = compareWith(domain({ devices: [nic({ queues: 2 })] }), domain({ devices: [nic({ queues: 1 })] }), libvirt(12, 8));
    expect(pairs?.messages).toEqual(["Target virtio network queue count '0' does not match source '2'"]);
    expect(compareForMigration(domain({ devices: [device({ queues: 1 })] }), domain({ devices: [device()] }))).toHaveLength(1);
  });

  it("warns, not errs, for a NIC's queues off PCI under a libvirt older than 11.4, where QEMU's refusal was not seen", () => {
    const ccw = (queues: number) => domain({ devices: [nic({ queues, transport: 'ccw' })] });
    const [f, ...rest] = compareWith(ccw(2), ccw(4), libvirt(9, 0));
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('warning');
    expect(f?.explanation).toMatch(/on this transport it was not seen/);
    expect(compareWith(ccw(2), ccw(4), libvirt(11, 4))[0]?.severity).toBe('error');
  });
});
