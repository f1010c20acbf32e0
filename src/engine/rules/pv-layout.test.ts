/**
 * libvirt's PV guide writes a PV guest without <launchSecurity>, every virtio device with iommu='on' (§7.1 item 7):
 * the engine must not offer to remove the bit there (R-PV-05), and names the layout (R-PV-01/guide-layout).
 */
import { describe, expect, it } from 'vitest';
import type { DeviceFacts } from '../../contracts/facts';
import { device, input, s390Domain } from '../../../test/engine-facts';
import { evaluate } from '../interpreter';

const disk = device({ transport: 'ccw', driver: { ...device().driver, iommu: 'on' } });
const nic = (iommu: 'on' | 'absent') =>
  device({
    transport: 'ccw',
    kind: 'interface',
    function: 'net',
    target: '/domain/devices/interface[1]',
    driver: { ...device().driver, iommu },
  });
const pv05Edits = (devices: DeviceFacts[]) =>
  evaluate(input({ domain: s390Domain({ devices }) }))
    .filter((f) => f.rule === 'R-PV-05')
    .map((f) => f.fix.edits);

describe("s390 guests with iommu='on' and no <launchSecurity>", () => {
  it('offers no removal where every virtio device has the bit, as in a PV guest of libvirt’s guide, and names that layout', () => {
    expect(pv05Edits([disk, nic('on')])).toEqual([[], []]);
    const layout = evaluate(input({ domain: s390Domain({ devices: [disk, nic('on')] }) })).find((f) => f.rule === 'R-PV-01');
    expect(layout).toMatchObject({ severity: 'info', fix: { edits: [] } });
  });

  it('still offers it where some device goes without the bit (no PV guest can)', () => {
    expect(pv05Edits([disk, nic('absent')])).toEqual([
      [{ op: 'remove-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu' }],
    ]);
  });
});
