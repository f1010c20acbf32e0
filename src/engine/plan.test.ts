/** The plan's deduplication (withoutRepeats) and its key (editKey): two edits are one exactly when their JSON is the same. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Edit } from '../contracts/findings';
import { editKey, withoutRepeats } from './plan';

/** Short strings from a small alphabet with digits and ':', so that lengths and separators collide often. */
const part = fc.string({ unit: fc.constantFrom('a', '1', '2', ':', '/', '"'), maxLength: 4 });

const setAttribute = fc.record({ target: part, name: part, value: part }).map(({ target, name, value }): Edit => ({
  op: 'set-attribute',
  target,
  name,
  value,
}));
/** The same edit with its keys in another order: JSON differs, so the key must too. */
const reordered = fc
  .record({ target: part, name: part, value: part })
  .map(({ target, name, value }) => ({ value, op: 'set-attribute', name, target }) as unknown as Edit);
const other = fc.oneof(
  fc.record({ target: part, name: part }).map(({ target, name }): Edit => ({ op: 'remove-attribute', target, name })),
  fc.record({ parent: part, xml: part }).map(({ parent, xml }): Edit => ({ op: 'add-element', parent, xml })),
  part.map((target): Edit => ({ op: 'remove-element', target })),
);
const edit = fc.oneof(setAttribute, setAttribute, reordered, other);

describe('editKey', () => {
  it('is equal for two edits exactly when their JSON is equal', () => {
    fc.assert(
      fc.property(edit, edit, (a, b) => {
        expect(editKey(a) === editKey(b)).toBe(JSON.stringify(a) === JSON.stringify(b));
      }),
      { numRuns: 5000 },
    );
  });

  it('tells apart set-attributes whose strings join to the same text, split elsewhere', () => {
    const strings = fc.tuple(part, part, part, fc.nat(8), fc.nat(8));
    fc.assert(
      fc.property(strings, ([target, name, value, cut1, cut2]) => {
        const all = target + name + value;
        const [i, j] = [Math.min(cut1, cut2, all.length), Math.min(Math.max(cut1, cut2), all.length)];
        const a: Edit = { op: 'set-attribute', target, name, value };
        const b: Edit = { op: 'set-attribute', target: all.slice(0, i), name: all.slice(i, j), value: all.slice(j) };
        expect(editKey(a) === editKey(b)).toBe(JSON.stringify(a) === JSON.stringify(b));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('withoutRepeats', () => {
  it('keeps the first of the edits with the same JSON, in their order', () => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 30 }), (edits) => {
        const seen = new Set<string>();
        const firsts = edits.filter((e) => !seen.has(JSON.stringify(e)) && seen.add(JSON.stringify(e)));
        expect(withoutRepeats(edits)).toEqual(firsts);
      }),
      { numRuns: 3000 },
    );
  });
});
