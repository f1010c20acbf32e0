#!/usr/bin/env node
// `npm test`: lint, typecheck, build (the CLI and e2e suites run the built artefacts), then every Vitest
// project. Ends with one plain summary line: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
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

step('lint', bin('eslint'), ['--max-warnings', '0', '.']);
step('typecheck', bin('tsc'), ['-b', '--pretty']);
step('build', process.execPath, [path.join(root, 'scripts/build.mjs')]);

mkdirSync(path.join(root, 'test-results'), { recursive: true });
const report = path.join(root, 'test-results', 'vitest.json');
console.log('\n== tests');
const r = spawnSync(
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra],
  { cwd: root, stdio: 'inherit' },
);
let summary;
try {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = j.numPendingTests + (j.numTodoTests ?? 0);
  summary = `${j.numPassedTests} passed, ${j.numFailedTests} failed, ${skipped} skipped`;
} catch {
  summary = '';
}
if (summary) console.log(`\n${summary}`);
process.exit(r.status ?? 1);
