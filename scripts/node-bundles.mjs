// The Node bundles (CLI, Electron main, preload), each one CommonJS file; shared by `npm run build` and the CLI
// and Electron main tests, which build a private copy so parallel runs never race on dist/.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
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
    if (b.executable) chmodSync(outfile, 0o755);
    if (b.xmllintWasm) {
      const dir = path.dirname(outfile);
      for (const [from, to] of XMLLINT_WASM_FILES) copyFileSync(path.join(root, 'node_modules/xmllint-wasm', from), path.join(dir, to));
      // The worker is a CommonJS .js file; the project's package.json says "type": "module".
      writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
    }
  }
}
