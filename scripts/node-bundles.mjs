// The Node bundles (CLI, Electron main, preload), each one CommonJS file; shared by `npm run build` and the CLI
// and Electron main tests, which build a private copy so parallel runs never race on dist/.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The launcher's first line. `env -S -u` (GNU coreutils 8.30+) drops NODE_EXTRA_CA_CERTS before Node starts; why
 * is in cli/launch.ts.
 */
const CLI_SHEBANG = '#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node';

/**
 * xmllint-wasm (the schema validator when no native xmllint is installed) starts a worker from a file beside
 * its own code, which then loads the WebAssembly beside itself: bundled, "beside" is the bundle's folder.
 */
const XMLLINT_WASM_FILES = [
  ['xmllint-node.js', 'xmllint-node.js'],
  ['xmllint.wasm', 'xmllint.wasm'],
  ['COPYING', 'xmllint-wasm.COPYING'],
];

/** What is built: entry, output (relative to the output folder), and what the bundle needs beside it. */
const BUNDLES = {
  cli: [
    { entry: 'cli/launch.ts', outfile: 'cli/virtio-access.cjs', banner: CLI_SHEBANG, executable: true },
    { entry: 'cli/main.ts', outfile: 'cli/virtio-access-main.cjs', xmllintWasm: true },
  ],
  electron: [
    { entry: 'main/app.ts', outfile: 'main/app.cjs', xmllintWasm: true },
    // A sandboxed preload cannot require() siblings: one file.
    { entry: 'main/preload/index.ts', outfile: 'main/preload.cjs' },
  ],
};

/**
 * Rewrites the characters beyond ASCII left in a bundle as `\u` escapes. esbuild already writes them so in code
 * (its default charset); what it leaves is in comments, where the escape reads as well. Node reads an all-ASCII
 * file (readFileSync 'utf8') as a one-byte string without decoding it, and V8 then scans one-byte source: three
 * arrows and section signs in comments made the CLI bundle take 3.0 instead of 0.7 ms to read, at every start of
 * every command.
 */
export function escapeBeyondAscii(file) {
  const text = readFileSync(file, 'utf8');
  // Each UTF-16 unit on its own (a character beyond the BMP as its surrogate pair), as JavaScript reads \u.
  // eslint-disable-next-line no-control-regex -- the range is all of ASCII, control characters included
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) writeFileSync(file, ascii);
}

/** Builds the bundles of `which` ('cli' and/or 'electron') into `outDir`. Electron is provided at run time. */
export async function buildNodeBundles(outDir, which = ['cli', 'electron']) {
  for (const b of which.flatMap((w) => BUNDLES[w])) {
    const outfile = path.join(outDir, b.outfile);
    mkdirSync(path.dirname(outfile), { recursive: true });
    await build({
      entryPoints: [path.join(root, b.entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['electron'],
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'warning',
      banner: b.banner ? { js: b.banner } : undefined,
    });
    escapeBeyondAscii(outfile);
    if (b.executable) chmodSync(outfile, 0o755);
    if (b.xmllintWasm) {
      const dir = path.dirname(outfile);
      for (const [from, to] of XMLLINT_WASM_FILES) copyFileSync(path.join(root, 'node_modules/xmllint-wasm', from), path.join(dir, to));
      // The worker is a CommonJS .js file; the project's package.json says "type": "module".
      writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
    }
  }
}
