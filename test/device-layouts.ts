/**
 * Devices of every layout (children on the device's line, self-closing children and devices, tabs, CRLF, either
 * quote, comments) in a small domain, with random edits on them: mostly set-attribute (on the device, on
 * existing children and on missing ones), sometimes another operation.
 */
import fc from 'fast-check';
import type { Edit } from '../src/contracts/findings';

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

/** A domain of one to four devices in one layout, and random edits on those devices. */
export const deviceEditScenario: fc.Arbitrary<[string, Edit[]]> = fc
  .tuple(fc.array(device, { minLength: 1, maxLength: 4 }), layout)
  .chain(([devices, l]) => fc.tuple(fc.constant(domainText(devices, l)), editsFor(devices)));
