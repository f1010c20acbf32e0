/**
 * The in-place device path must write exactly what applying the same edits one by one writes: over devices of
 * every layout (children on the device's line, self-closing children and devices, tabs, CRLF, either quote,
 * comments) and random set-attribute edits on the device, on existing children and on missing ones, and with
 * the other operations mixed in (which send the device the one-by-one way).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Edit } from '../contracts/findings';
import { deviceEditScenario as scenario } from '../../test/device-layouts';
import { editDeviceInPlace } from './device-edits';
import { applyEdits, EditError, parseXml } from './index';

const oneByOne = (text: string, edits: readonly Edit[]): string => edits.reduce((t, e) => applyEdits(t, [e]), text);

describe('device edits written in place', () => {
  // An edit the one-by-one path refuses is refused too (the message of the small per-device document names the
  // path inside it, as it did before the in-place path).
  it('give exactly what applying the edits one by one gives, or refuse what it refuses', () => {
    fc.assert(
      fc.property(scenario, ([xml, edits]) => {
        let expected: string | Error;
        try {
          expected = oneByOne(xml, edits);
        } catch (e) {
          expected = e as Error;
        }
        if (expected instanceof Error) expect(() => applyEdits(xml, edits)).toThrow(EditError);
        else expect(applyEdits(xml, edits)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  }, 120_000);

  it('take many plain plans in place, over 30 % (so the comparison above exercises them)', () => {
    let inPlace = 0;
    let plain = 0;
    fc.assert(
      fc.property(scenario, ([xml, edits]) => {
        const doc = parseXml(xml);
        const first = doc.root.child('devices')!.children()[0]!;
        const anchor = `/domain/devices/${first.name}[1]`;
        const mine = edits.filter((e) => e.op === 'set-attribute' && (e.target === anchor || e.target.startsWith(`${anchor}/`)));
        if (mine.length === 0 || mine.some((e) => /\/.*\/|\[2\]/.test(e.op === 'set-attribute' ? e.target.slice(anchor.length) : '')))
          return;
        plain++;
        const out = editDeviceInPlace(xml, first, anchor, mine, "'", '\n');
        if (out !== null) inPlace++;
      }),
      { numRuns: 1000 },
    );
    expect(plain).toBeGreaterThan(100);
    expect(inPlace / plain).toBeGreaterThan(0.3);
  }, 120_000);

  it('writes a missing <driver> and <rom> of a NIC where libvirt puts them, with the document quote', () => {
    const xml =
      '<domain>\n  <devices>\n    <interface type="network">\n      <mac address="52:54:00:00:00:01"/>\n      <model type="virtio"/>\n    </interface>\n  </devices>\n</domain>\n';
    const doc = parseXml(xml);
    const nic = doc.root.child('devices')!.children()[0]!;
    const edits: Edit[] = [
      { op: 'set-attribute', target: '/domain/devices/interface[1]/driver', name: 'iommu', value: 'on' },
      { op: 'set-attribute', target: '/domain/devices/interface[1]/rom', name: 'enabled', value: 'no' },
    ];
    const out = editDeviceInPlace(xml, nic, '/domain/devices/interface[1]', edits, '"', '\n')?.pieces.join('');
    expect(out).toBe(
      '<interface type="network">\n      <mac address="52:54:00:00:00:01"/>\n      <model type="virtio"/>\n      <driver iommu="on"/>\n      <rom enabled="no"/>\n    </interface>',
    );
    expect(applyEdits(xml, edits)).toBe(oneByOne(xml, edits));
  });
});
