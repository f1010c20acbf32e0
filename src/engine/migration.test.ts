/** R-MIG-01: comparing two definitions' virtio options the way libvirt's ABI check does. */
import { describe, expect, it } from 'vitest';
import { device, domain } from '../../test/engine-facts';
import { compareForMigration } from './migration';

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
});
