// The benchmarks' own bundles, built into `outDir` (dist/bench for `npm run bench`): the Review cases for the page
// Chromium times them in, and bench/ for Node (the run, and the peak-memory process of its own). Shared by
// scripts/bench.mjs and the test that runs the page bundle (bench/review-page.test.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Review cases for the page: dist/bench/review-page.js, which sets window.vawReviewBench. */
export async function buildReviewPage(outDir) {
  await build({
    entryPoints: [path.join(root, 'bench/review-page.ts')],
    outfile: path.join(outDir, 'review-page.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
}

/** bench/run.ts and bench/review-memory.ts for Node, as run.mjs and review-memory.mjs. */
export async function buildBenchRun(outDir) {
  await build({
    entryPoints: ['run', 'review-memory'].map((name) => path.join(root, 'bench', `${name}.ts`)),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies (Playwright, React for the store's module) load from node_modules as they are.
    packages: 'external',
    logLevel: 'warning',
  });
}
