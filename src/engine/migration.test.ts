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

  it('gives one finding with libvirt’s summary when only one side has virtio options, and a fix for each', () => {
    const source = domain({ devices: [device()] });
    const destination = domain({ devices: [device({ driver: { ats: 'on', packed: 'on' } })] });
    const [f, ...rest] = compareForMigration(source, destination);
    expect(rest).toEqual([]);
    expect(f?.title).toBe('disk vda: virtio options are set on the destination only (ats, packed)');
    expect(f?.messages).toEqual(["Target device virtio options don't match the source"]);
    expect(f?.fix.edits).toEqual([
      { op: 'remove-attribute', target: '/domain/devices/disk[1]/driver', name: 'ats' },
      { op: 'remove-attribute', target: '/domain/devices/disk[1]/driver', name: 'packed' },
    ]);
  });

  it('is silent when the options match or the device is not shared', () => {
    const same = domain({ devices: [device({ driver: { iommu: 'on', ats: 'on' } })] });
    expect(compareForMigration(same, same)).toEqual([]);
    expect(compareForMigration(same, domain({ devices: [] }))).toEqual([]);
  });
});
