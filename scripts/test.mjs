#!/usr/bin/env node
// `npm test`: format check, lint, typecheck, build (the CLI and e2e suites run the built artefacts), then every Vitest
// project. The run ends with Vitest's own summary (Test Files / Tests / Duration); its exit status is ours.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const extra = process.argv.slice(2);

function step(title, cmd, args) {
  console.log(`\n== ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status || 1);
  }
}

step('format', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
step('lint', bin('eslint'), ['--max-warnings', '0', '.']);
step('typecheck', bin('tsc'), ['-b', '--pretty']);
step('build', process.execPath, [path.join(root, 'scripts/build.mjs')]);

console.log('\n== tests');
const r = spawnSync(bin('vitest'), ['run', ...extra], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
