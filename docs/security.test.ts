/** docs/security.md cites code as `file:line` `snippet`; each citation must still point at that code. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const doc = readFileSync(path.join(__dirname, 'security.md'), 'utf8');
const citations = [...doc.matchAll(/`([\w./-]+\.(?:ts|html|json)):(\d+)` `([^`]+)`/g)].map((m) => ({ file: m[1]!, line: Number(m[2]), snippet: m[3]! }));

describe('docs/security.md', () => {
  it('lists all 20 checklist items', () => {
    const items = [...doc.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(items).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it.each(citations.map((c) => [`${c.file}:${c.line}`, c] as const))('%s still holds the cited code', (_label, c) => {
    const lines = readFileSync(path.join(root, c.file), 'utf8').split('\n');
    expect(lines[c.line - 1], `${c.file}:${c.line} should contain ${c.snippet}`).toContain(c.snippet);
  });
});
