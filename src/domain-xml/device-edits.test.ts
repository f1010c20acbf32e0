/**
 * The in-place device path must write exactly what applying the same edits one by one writes: over devices of
 * every layout (children on the device's line, self-closing children and devices, tabs, CRLF, either quote,
 * comments) and random set-attribute edits on the device, on existing children and on missing ones, and with
 * the other operations mixed in (which send the device the one-by-one way).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Edit } from '../contracts/findings';
import { editDeviceInPlace } from './device-edits';
import { applyEdits, EditError, parseXml } from './index';

const oneByOne = (text: string, edits: readonly Edit[]): string => edits.reduce((t, e) => applyEdits(t, [e]), text);

interface Layout {
  readonly nl: string;
  readonly unit: string;
  readonly quote: string;
}

const layout: fc.Arbitrary<Layout> = fc.record({
  nl: fc.constantFrom('\n', '\n', '\r\n'),
  unit: fc.constantFrom('  ', '  ', '\t', '    '),
  quote: fc.constantFrom("'", '"'),
});

const CHILD_NAMES = ['driver', 'source', 'target', 'model', 'rom', 'address', 'backend', 'mac', 'boot', 'x-unknown'];

interface ChildSpec {
  readonly name: string;
  readonly attrs: readonly (readonly [string, string])[];
  readonly selfClosing: boolean;
  /** On the device's start-tag line instead of a line of its own. */
  readonly sameLine: boolean;
}

interface DeviceSpec {
  readonly name: string;
  readonly attrs: readonly (readonly [string, string])[];
  readonly children: readonly ChildSpec[];
  readonly selfClosing: boolean;
  readonly comment: boolean;
}

const attrs = fc.uniqueArray(
  fc.tuple(fc.constantFrom('type', 'name', 'iommu', 'ats', 'enabled', 'model', 'bus'), fc.constantFrom('on', 'off', 'a"b', "it's")),
  {
    selector: ([n]) => n,
    maxLength: 3,
  },
);

const child: fc.Arbitrary<ChildSpec> = fc.record({
  name: fc.constantFrom(...CHILD_NAMES),
  attrs,
  selfClosing: fc.boolean(),
  sameLine: fc.constantFrom(false, false, false, true),
});

const device: fc.Arbitrary<DeviceSpec> = fc.record({
  name: fc.constantFrom('disk', 'interface', 'rng', 'memballoon', 'vsock', 'video', 'controller', 'x-device'),
  attrs,
  children: fc.array(child, { maxLength: 4 }),
  selfClosing: fc.constantFrom(false, false, false, true),
  comment: fc.boolean(),
});

function attrText(list: readonly (readonly [string, string])[], quote: string): string {
  return list
    .map(([n, v]) => ` ${n}=${quote}${v.replace(/&/g, '&amp;').replace(quote, quote === '"' ? '&quot;' : '&apos;')}${quote}`)
    .join('');
}

function deviceText(d: DeviceSpec, l: Layout): string {
  const pad = l.unit.repeat(2);
  const open = `${pad}<${d.name}${attrText(d.attrs, l.quote)}`;
  if (d.selfClosing || d.children.length === 0) return `${open}/>`;
  let out = `${open}>`;
  for (const [i, c] of d.children.entries()) {
    const el = `<${c.name}${attrText(c.attrs, l.quote)}${c.selfClosing ? '/>' : `>x</${c.name}>`}`;
    out += c.sameLine && i === 0 ? el : `${l.nl}${pad}${l.unit}${el}`;
  }
  if (d.comment) out += `${l.nl}${pad}${l.unit}<!-- c -->`;
  return `${out}${l.nl}${pad}</${d.name}>`;
}

/**
 * A domain around the devices. Its <clock> gives the document a clear quote majority: a batch of edits takes
 * the quote of the document as it was, one by one each edit takes it anew, so a tiny document whose majority
 * the edits themselves flip would differ for that reason alone (as it did before the in-place path).
 */
function domainText(devices: readonly DeviceSpec[], l: Layout): string {
  const body = devices.map((d) => deviceText(d, l)).join(l.nl);
  const clock = `<clock${Array.from({ length: 12 }, (_, i) => ` a${i}=${l.quote}0${l.quote}`).join('')}/>`;
  return `<domain type=${l.quote}kvm${l.quote}>${l.nl}${l.unit}<name>t</name>${l.nl}${l.unit}${clock}${l.nl}${l.unit}<devices>${l.nl}${body}${l.nl}${l.unit}</devices>${l.nl}</domain>${l.nl}`;
}

/** Edits on the devices' own paths: mostly set-attribute (on the device, a child, a missing child), sometimes another op. */
function editsFor(devices: readonly DeviceSpec[]): fc.Arbitrary<Edit[]> {
  if (devices.length === 0) return fc.constant([]);
  const anchors = devices.map((d, i) => `/domain/devices/${d.name}[${devices.slice(0, i + 1).filter((x) => x.name === d.name).length}]`);
  const target = fc.tuple(
    fc.constantFrom(...anchors),
    fc.constantFrom('', ...CHILD_NAMES.map((n) => `/${n}`), '/driver[2]', '/model/driver', '/source[1]'),
  );
  const setAttribute = fc
    .tuple(target, fc.constantFrom('iommu', 'enabled', 'type', 'ats'), fc.constantFrom('on', 'no', 'a"b', "it's", 'x&y'))
    .map(([[a, rest], name, value]): Edit => ({ op: 'set-attribute', target: a + rest, name, value }));
  const other = fc.oneof(
    target.map(([a, rest]): Edit => ({ op: 'remove-attribute', target: a + rest, name: 'type' })),
    target.map(([a]): Edit => ({ op: 'add-element', parent: a, xml: "<driver iommu='on'/>", replace: true })),
  );
  return fc.array(fc.oneof({ arbitrary: setAttribute, weight: 8 }, { arbitrary: other, weight: 1 }), { minLength: 2, maxLength: 8 });
}

const scenario = fc
  .tuple(fc.array(device, { minLength: 1, maxLength: 4 }), layout)
  .chain(([devices, l]) => fc.tuple(fc.constant(domainText(devices, l)), editsFor(devices)));

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
    const out = editDeviceInPlace(xml, nic, '/domain/devices/interface[1]', edits, '"', '\n')?.join('');
    expect(out).toBe(
      '<interface type="network">\n      <mac address="52:54:00:00:00:01"/>\n      <model type="virtio"/>\n      <driver iommu="on"/>\n      <rom enabled="no"/>\n    </interface>',
    );
    expect(applyEdits(xml, edits)).toBe(oneByOne(xml, edits));
  });
});
