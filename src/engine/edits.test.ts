/** The edits that write out a device libvirt adds itself, so that its options can be set. */
import { describe, expect, it } from 'vitest';
import { device } from '../../test/engine-facts';
import { setIommu } from './edits';

describe('setIommu on devices libvirt adds', () => {
  it('writes an implicit SCSI controller out as virtio-scsi with the index libvirt gives it', () => {
    const controller = (index: number) =>
      device({
        implicit: true,
        kind: 'controller',
        function: 'scsi',
        modelAttr: 'unknown',
        controllerIndex: index,
        target: `/domain/devices/controller[${index + 1}]`,
      });
    expect(setIommu(controller(1), 'on')).toEqual([
      {
        op: 'add-element',
        parent: '/domain/devices',
        xml: "<controller type='scsi' index='1' model='virtio-scsi'>\n  <driver iommu='on'/>\n</controller>",
      },
    ]);
  });

  it('writes the implicit virtio-serial controller out (non-transitional in a conventional PCI slot), and nothing for an implicit balloon', () => {
    const serial = device({
      implicit: true,
      kind: 'controller',
      function: 'serial',
      slot: 'pci',
      target: '/domain/devices/controller[1]',
    });
    expect(setIommu(serial, 'on')).toEqual([
      {
        op: 'add-element',
        parent: '/domain/devices',
        xml: "<controller type='virtio-serial' index='0' model='virtio-non-transitional'>\n  <driver iommu='on'/>\n</controller>",
      },
    ]);
    expect(setIommu(device({ implicit: true, kind: 'memballoon', function: 'balloon' }), 'on')).toEqual([]);
  });
});
