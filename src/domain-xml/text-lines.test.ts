import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineAt, lineCount, lines, lineStarts } from './text-lines';

describe('text lines', () => {
  it('gives an unterminated last line its own line break, so it differs from the same line with one', () => {
    expect(lines('a\nb')).toEqual(['a', 'b\n']);
    expect(lines('a\nb\n')).toEqual(['a', 'b']);
    expect(lines('')).toEqual([]);
  });

  it('counts, starts and cuts out each line as lines() splits the text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'bc', '\n', '\r', ' ')).map((parts) => parts.join('')),
        (text) => {
          const split = lines(text);
          expect(lineCount(text)).toBe(split.length);
          const starts = lineStarts(text, split.length);
          expect(split.map((_, i) => lineAt(text, starts, i))).toEqual(split);
        },
      ),
      { numRuns: 500 },
    );
  });
});
