/**
 * docs/security.md cites code as `file` `snippet`: each cited file must still contain that code. Citations name
 * code, not line numbers, so unrelated edits (and the formatter) do not break them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { citationsIn, holdsCitedCode } from '../test/doc-claims';

const doc = readFileSync(path.join(__dirname, 'security.md'), 'utf8');
const citations = citationsIn(doc);

describe('docs/security.md', () => {
  it('lists all 20 checklist items', () => {
    const items = [...doc.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(items).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('cites code', () => {
    expect(citations.length).toBeGreaterThan(20);
  });

  it.each(citations.map((c) => [`${c.file} ${c.snippet}`, c] as const))('%s: the file still holds the cited code', (_label, c) => {
    expect(holdsCitedCode(c), `${c.file} should contain ${c.snippet}`).toBe(true);
  });
});
