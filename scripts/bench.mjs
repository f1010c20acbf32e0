#!/usr/bin/env node
// `npm run bench`: build (the CLI and renderer are measured as shipped), then run every benchmark.
// Exits non-zero only when the benchmarks cannot run; goals are reported, not enforced.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (run(process.execPath, [path.join(root, 'scripts/build.mjs')]) !== 0) {
  console.error('bench: the build failed, so nothing can be measured.');
  process.exit(2);
}
process.exit(run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'bench/run.ts'), ...process.argv.slice(2)]));
