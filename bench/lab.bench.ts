/**
 * The version lab's size and time: the differential suite (npm run lab) run once, as CI runs it, with its counts
 * read from the report the suite writes. CI's whole run must stay under 30 minutes and the rest of it takes about
 * 6 (plus package installs), so the suite's goal is 20 minutes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { labStateFile, readLabState } from '../test/lab';
import type { BenchContext } from './context';
import { report, skip } from './figures';

interface LabReport {
  readonly generations: readonly { readonly name: string }[];
  readonly counts: { readonly plans: number; readonly devices: number; readonly launchSecurity: number };
  readonly contradictions: readonly unknown[];
}

export function benchLab(ctx: BenchContext): void {
  try {
    readLabState();
  } catch {
    return skip('lab.suite', `the version lab is not running (${labStateFile}; sudo scripts/lab.sh up)`);
  }
  if (ctx.quick) return skip('lab.suite', '--quick: the differential suite takes minutes');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-bench-lab-'));
  try {
    const file = path.join(dir, 'report.json');
    const t0 = performance.now();
    spawnSync(path.join(ctx.root, 'node_modules/.bin/vitest'), ['run', '--project', 'lab'], {
      cwd: ctx.root,
      env: { ...process.env, VAW_LAB_REPORT: file },
      stdio: 'ignore',
    });
    const seconds = (performance.now() - t0) / 1000;
    let lab: LabReport;
    try {
      lab = JSON.parse(readFileSync(file, 'utf8')) as LabReport;
    } catch {
      return skip('lab.suite', 'the differential suite wrote no report (run npm run lab to see why)');
    }
    const configurations = lab.counts.plans + lab.counts.devices + lab.counts.launchSecurity;
    report({
      name: 'lab.generations',
      value: lab.generations.length,
      unit: 'generations',
      note: lab.generations.map((g) => g.name).join(', '),
    });
    report({
      name: 'lab.configurations',
      value: configurations,
      unit: 'configurations',
      note: `${lab.counts.plans} plans validated, ${lab.counts.devices} device configurations started, ${lab.counts.launchSecurity} launchSecurity refusals`,
    });
    report({
      name: 'lab.contradictions',
      value: lab.contradictions.length,
      unit: 'contradictions',
      goal: '0',
      met: lab.contradictions.length === 0,
    });
    report({ name: 'lab.suite-time', value: seconds, unit: 's', goal: '< 1200 s (CI under 30 min)', met: seconds < 1200 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
