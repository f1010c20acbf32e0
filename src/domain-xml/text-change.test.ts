/** describesEdit: a list of changes is taken for the diff only when it turns the one text into the other. */
import { describe, expect, it } from 'vitest';
import { describesEdit } from './text-change';

describe('describesEdit', () => {
  const from = "<disk>\n  <driver name='qemu'/>\n</disk>\n";
  const to = "<disk>\n  <driver name='qemu' iommu='on'/>\n</disk>\n";
  const at = from.indexOf('/>');

  it('takes the change an editor made, and no change for equal texts', () => {
    expect(describesEdit(from, to, [{ start: at, end: at, length: " iommu='on'".length }])).toBe(true);
    expect(describesEdit(from, from, [])).toBe(true);
    expect(describesEdit(from, to, [{ start: 0, end: from.length, length: to.length }])).toBe(true);
  });

  it('refuses a change in the wrong place, lengths that do not add up, and lists out of order or out of the text', () => {
    // The same insertion three characters early (`mu'/>` does not follow it). One character early it would be
    // true: inserting `' iommu='on` before the quote makes the same text.
    expect(describesEdit(from, to, [{ start: at - 3, end: at - 3, length: " iommu='on'".length }])).toBe(false);
    expect(describesEdit(from, to, [{ start: at - 1, end: at - 1, length: " iommu='on'".length }])).toBe(true);
    expect(describesEdit(from, to, [{ start: at, end: at, length: 3 }])).toBe(false);
    expect(describesEdit(from, to, [])).toBe(false);
    expect(
      describesEdit(from + from, to + to, [
        { start: from.length + at, end: from.length + at, length: 11 },
        { start: at, end: at, length: 11 },
      ]),
    ).toBe(false);
    expect(describesEdit(from, to, [{ start: at, end: from.length + 1, length: 0 }])).toBe(false);
    expect(describesEdit(from, to, [{ start: at, end: at - 1, length: 12 }])).toBe(false);
  });
});
