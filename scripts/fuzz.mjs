#!/usr/bin/env node
// `npm run fuzz`: the differential fuzz suite (libxml2 parity, plans without internal errors or changes outside
// their edits) over more mutants than CI runs (30000 unless VAW_FUZZ_RUNS says) and a new seed each time, printed
// first: VAW_FUZZ_SEED=S VAW_FUZZ_RUNS=N npm run fuzz reproduces a run.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = process.env.VAW_FUZZ_RUNS ?? '30000';
const seed = process.env.VAW_FUZZ_SEED ?? String(Date.now() % 2 ** 31);
console.log(`fuzz: ${runs} mutants, seed ${seed} (VAW_FUZZ_SEED=${seed} VAW_FUZZ_RUNS=${runs} npm run fuzz repeats this run)`);
const r = spawnSync(path.join(root, 'node_modules/.bin/vitest'), ['run', 'src/domain-xml/libxml2-parity.fuzz.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, VAW_FUZZ_RUNS: runs, VAW_FUZZ_SEED: seed },
});
process.exit(r.status ?? 1);
