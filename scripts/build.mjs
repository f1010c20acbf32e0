#!/usr/bin/env node
// `npm run build`: the renderer with Vite, and the Node entry points (CLI, Electron main, preload) with esbuild,
// each bundled to one CommonJS file. The preload must be a single CommonJS file: a sandboxed preload cannot
// require() siblings.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist');

/** Node bundles: [entry, output, platform extras]. Electron is provided by the runtime, never bundled. */
const nodeEntries = [
  { entry: 'cli/main.ts', outfile: 'cli/virtio-access.cjs', banner: '#!/usr/bin/env node', executable: true },
  { entry: 'main/app.ts', outfile: 'main/app.cjs' },
  { entry: 'main/preload/index.ts', outfile: 'main/preload.cjs' },
];

async function buildNode() {
  for (const e of nodeEntries) {
    const entry = path.join(root, e.entry);
    if (!existsSync(entry)) {
      console.log(`build: ${e.entry} not present yet, skipped`);
      continue;
    }
    const outfile = path.join(out, e.outfile);
    mkdirSync(path.dirname(outfile), { recursive: true });
    await esbuild({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['electron'],
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'warning',
      banner: e.banner ? { js: e.banner } : undefined,
    });
    if (e.executable) chmodSync(outfile, 0o755);
  }
}

async function buildRenderer() {
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}

const started = Date.now();
await Promise.all([buildNode(), buildRenderer()]);
console.log(`built dist/ in ${Date.now() - started} ms`);
