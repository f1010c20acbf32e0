/**
 * libvirt's PV guide writes a PV guest without <launchSecurity>, every virtio device with iommu='on' (§7.1 item 7):
 * the engine must not offer to remove the bit there (R-PV-05), and names the layout (R-PV-01/guide-layout).
 */
import { describe, expect, it } from 'vitest';
import { NO_HOST_FACTS, type DeviceFacts, type HostFacts } from '../../contracts/facts';
import { device, exact, input, s390Domain } from '../../../test/engine-facts';
import { evaluate } from '../interpreter';
import { planFor } from '../plan';

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

describe('planning s390 PV where libvirt or QEMU predates <launchSecurity type=s390-pv>', () => {
  const versions = (libvirt: [number, number], qemu: [number, number]) => ({
    ...NO_HOST_FACTS,
    libvirtVersion: exact(...libvirt),
    qemuVersion: exact(...qemu),
  });
  // An unversioned machine type, so that only the QEMU given bounds the version.
  const domainFacts = s390Domain({
    devices: [disk, nic('absent')],
    machine: { raw: 's390-ccw-virtio', family: 's390-ccw-virtio', version: 'unknown' },
  });
  const plan = (host: HostFacts) => planFor(input({ domain: domainFacts, host, goals: { secure: 's390-pv' } }));

  it("writes the guide's layout (iommu='on' on every virtio device, no element) with QEMU 5.x or libvirt before 7.6", () => {
    for (const host of [versions([9, 0], [5, 2]), versions([7, 5], [7, 2])]) {
      const p = plan(host);
      expect(p.impossible.map((f) => f.title)).toEqual([]);
      expect(p.edits).toContainEqual({ op: 'set-attribute', target: '/domain/devices/interface[1]/driver', name: 'iommu', value: 'on' });
      expect(p.edits.some((e) => e.op === 'add-element' && e.xml.includes('launchSecurity'))).toBe(false);
    }
  });

  it('adds the element where both have it, and cannot plan PV on a QEMU before 5.0', () => {
    expect(
      plan(versions([9, 0], [7, 2])).edits.some((e) => e.op === 'add-element' && e.xml.includes("launchSecurity type='s390-pv'")),
    ).toBe(true);
    expect(plan(versions([9, 0], [4, 2])).impossible.map((f) => f.title)).toContainEqual(
      expect.stringMatching(/needs QEMU 5\.0\.0 or later; this domain's QEMU is 4\.2\.0/),
    );
  });
});
