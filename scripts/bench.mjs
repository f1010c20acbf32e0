#!/usr/bin/env node
// `npm run bench`: build, then run every benchmark. The CLI and renderer are measured as shipped: the CLI figures
// run dist/cli, the Review figures run in Chromium (the renderer's engine) from a page bundle of their cases, and
// the other in-process figures run from an esbuild bundle of bench/ beside it, so the code they time is compiled
// the way the shipped bundles are (modules joined into one scope) — under tsx every reference to another module's
// export went through a getter that no shipped bundle has (~30 % of the 20,000-line recompute).
// Exits non-zero only when the benchmarks cannot run; goals are reported, not enforced.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (run(process.execPath, [path.join(root, 'scripts/build.mjs')]) !== 0) {
  console.error('bench: the build failed, so nothing can be measured.');
  process.exit(2);
}
try {
  await build({
    // The Review figures are taken in Chromium (bench/review.bench.ts): their cases, bundled for the page.
    entryPoints: [path.join(root, 'bench/review-page.ts')],
    outfile: path.join(root, 'dist/bench/review-page.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  await build({
    // review-memory runs as a process of its own (peak RSS only grows), so it is an entry of its own.
    entryPoints: ['run', 'review-memory'].map((name) => path.join(root, 'bench', `${name}.ts`)),
    outdir: path.join(root, 'dist/bench'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies (Playwright, React for the store's module) load from node_modules as they are.
    packages: 'external',
    logLevel: 'warning',
  });
} catch {
  console.error('bench: bundling bench/ failed, so nothing can be measured.');
  process.exit(2);
}
process.exit(run(process.execPath, [path.join(root, 'dist/bench/run.mjs'), ...process.argv.slice(2)]));
