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
import { buildBenchRun, buildReviewPage } from './bench-bundles.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (run(process.execPath, [path.join(root, 'scripts/build.mjs')]) !== 0) {
  console.error('bench: the build failed, so nothing can be measured.');
  process.exit(2);
}
try {
  await buildReviewPage(path.join(root, 'dist/bench'));
  await buildBenchRun(path.join(root, 'dist/bench'));
} catch {
  console.error('bench: bundling bench/ failed, so nothing can be measured.');
  process.exit(2);
}
process.exit(run(process.execPath, [path.join(root, 'dist/bench/run.mjs'), ...process.argv.slice(2)]));
