#!/usr/bin/env node
// `npm test`: format check, lint, typecheck, build (the CLI and e2e suites run the built artefacts), then every Vitest
// project. The run ends with Vitest's own summary (Test Files / Tests / Duration); its exit status is ours.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
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
// Every scratch folder the tests make (mkdtemp under os.tmpdir()) goes in one folder of this run, removed when the
// run ends, so a developer's /tmp does not collect hundreds of them run after run. Readable by others (0755) like
// /tmp itself, for the QEMU processes libvirt runs as another user on files a test made.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'vaw-test-run-'));
chmodSync(scratch, 0o755);
const r = spawnSync(bin('vitest'), ['run', ...extra], { cwd: root, stdio: 'inherit', env: { ...process.env, TMPDIR: scratch } });
rmSync(scratch, { recursive: true, force: true });
process.exit(r.status ?? 1);
