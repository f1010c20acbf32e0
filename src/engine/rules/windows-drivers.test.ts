/**
 * Windows guests with iommu='on' in an ordinary VM: since when each virtio-win driver takes ACCESS_PLATFORM (R-WIN-01),
 * read in kvm-guest-drivers-windows; Linux's balloon rule (R-LNX-05) does not apply to virtio-win's balloon.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceFacts, GuestFacts } from '../../contracts/facts';
import { device, domain, input } from '../../../test/engine-facts';
import { evaluate } from '../interpreter';

const windows = (version: string): GuestFacts => ({
  osinfoId: `http://microsoft.com/win/${version}`,
  name: `Windows ${version}`,
  family: 'windows',
  virtio1: 'yes',
  kernelVersion: 'unknown',
});
const on = { ...device().driver, iommu: 'on' as const };
const balloon = device({
  kind: 'memballoon',
  function: 'balloon',
  label: 'memballoon',
  target: '/domain/devices/memballoon[1]',
  driver: on,
});
const rng = device({ kind: 'rng', function: 'rng', label: 'rng', target: '/domain/devices/rng[1]', driver: on });
const nic = device({ kind: 'interface', function: 'net', label: 'interface 1', target: '/domain/devices/interface[1]', driver: on });
const findings = (devices: DeviceFacts[], guest: GuestFacts) =>
  evaluate(input({ domain: domain({ devices }), guest })).map((f) => [f.rule, f.severity, f.title] as const);

describe('virtio-win drivers and ACCESS_PLATFORM', () => {
  it("gives the balloon virtio-win's date, not Linux's refusal", () => {
    const seen = findings([balloon], windows('10'));
    expect(seen.map(([rule]) => rule)).not.toContain('R-LNX-05');
    expect(seen).toContainEqual(['R-WIN-01', 'info', "memballoon: virtio-win's balloon driver accepts ACCESS_PLATFORM from December 2019"]);
  });

  it('dates the drivers on the WDF library (viorng) to December 2019, NetKVM to April 2018', () => {
    expect(findings([rng, nic], windows('10')).map(([, , title]) => title)).toEqual([
      "rng: virtio-win's viorng accepts ACCESS_PLATFORM from December 2019",
      "interface 1: virtio-win's NetKVM accepts ACCESS_PLATFORM from April 2018",
    ]);
  });

  it('says of a NIC of Windows before 10 only that no NetKVM build takes the bit', () => {
    const nicFindings = findings([nic], windows('7')).filter(([rule]) => rule === 'R-WIN-01');
    expect(nicFindings.map(([, severity]) => severity)).toEqual(['error']);
  });
});
