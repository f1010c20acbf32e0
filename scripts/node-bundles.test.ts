import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildNodeBundles, escapeBeyondAscii } from './node-bundles.mjs';

const beyondAscii = (text: string): string[] => [...text].filter((c) => c.charCodeAt(0) > 0x7f);

describe('escapeBeyondAscii', () => {
  it('writes the characters beyond ASCII as \\u escapes, and the module still reads and runs the same', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-ascii-'));
    const file = path.join(dir, 'm.cjs');
    // In a comment (what esbuild leaves), and in a string and a template, where the escape means the same text.
    writeFileSync(file, '// a → b, § 7, 😀\nmodule.exports = { s: "→ § 😀", t: `é${1}` };\n');
    escapeBeyondAscii(file);
    const written = readFileSync(file, 'utf8');
    expect(beyondAscii(written)).toEqual([]);
    expect(written).toContain('// a \\u2192 b, \\u00a7 7, \\ud83d\\ude00');
    expect(createRequire(import.meta.url)(file)).toEqual({ s: '→ § 😀', t: 'é1' });
  });
});

describe('buildNodeBundles', () => {
  it('writes every bundle in ASCII alone (read by Node without decoding), though the sources have comments beyond it', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'vaw-bundles-'));
    await buildNodeBundles(out);
    const bundles = ['cli', 'main'].flatMap((d) =>
      readdirSync(path.join(out, d))
        .filter((f) => f.endsWith('.cjs'))
        .map((f) => path.join(out, d, f)),
    );
    expect(bundles.map((b) => path.basename(b)).sort()).toEqual(['app.cjs', 'preload.cjs', 'virtio-access-main.cjs', 'virtio-access.cjs']);
    for (const b of bundles) expect({ bundle: b, beyond: beyondAscii(readFileSync(b, 'utf8')) }).toEqual({ bundle: b, beyond: [] });
    // What makes this test able to fail: the CLI bundle keeps comments of the sources that are not ASCII, escaped.
    expect(readFileSync(path.join(out, 'cli/virtio-access-main.cjs'), 'utf8')).toMatch(/\/\/.*\\u(2192|00a7)/);
  }, 120_000);
});
