/**
 * The CLI against what users would run instead, as whole processes interleaved A B A B. Ours runs as installed:
 * the command file itself, through its first line (which drops NODE_EXTRA_CA_CERTS, see cli/launch.ts), with
 * the code cache the warm-up run leaves, as every run after a user's first has it:
 * `virtio-access plan --secure sev` vs `virt-xml --edit all --disk driver.iommu=on`, and `virtio-access check`
 * over the corpus vs `virt-xml-validate` per file and vs one `xmllint --relaxng` over all files.
 */
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { BenchContext } from './context';
import { compareCommands, timeCommand } from './measure';
import { report, skip } from './figures';
import { bigDomainXml } from './big-domain';
import { pageTouch, type PageTouch } from './page-touch';
import { median } from './samples';

const DOMAIN_RNG = '/usr/share/libvirt/schemas/domain.rng';

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** How far the ratio of medians moved between the interleaved pairs it came from. */
function pairsNote(range: { readonly low: number; readonly high: number }, runs: number): string {
  return `ratio of the medians; the ${runs} pairs' own ratios ${range.low.toFixed(2)}–${range.high.toFixed(2)}`;
}

/** plan on one file (fresh process) vs virt-xml --edit of the iommu change on the same file. */
export function benchPlanVsVirtXml(ctx: BenchContext): void {
  const name = 'cli.plan-vs-virt-xml';
  if (!onPath('virt-xml')) return skip(name, 'virt-xml not installed (Debian package virtinst)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-bench-'));
  const file = path.join(dir, 'guest.xml');
  writeFileSync(file, bigDomainXml(8));
  const caps = path.join(ctx.root, 'test/fixtures/domcaps/q35-sev.xml');
  const runs = ctx.quick ? 5 : 20;
  const r = compareCommands(
    { cmd: ctx.cli, args: ['plan', file, '--secure', 'sev', '--host-caps', caps] },
    {
      cmd: 'virt-xml',
      args: ['-c', 'test:///default', '--edit', 'all', '--disk', 'driver.iommu=on'],
      options: { input: readFileSync(file) },
    },
    runs,
  );
  report({
    name: `${name}.ours`,
    value: r.a,
    unit: 'ms',
    note: 'whole SEV plan: iommu on every virtio device, launchSecurity, balloon, ...',
  });
  report({ name: `${name}.virt-xml`, value: r.b, unit: 'ms', note: 'one device class (disks) only' });
  report({
    name,
    value: r.a / r.b,
    unit: 'ratio',
    goal: '<= 0.33 (3x faster)',
    met: r.a / r.b <= 1 / 3,
    note: pairsNote(r.pairRatios, runs),
  });
}

/**
 * What a process pays the first time it writes to a page of memory, beside node-start: Node's start and a check
 * over the corpus take a few thousand pages, so the same code starts slower where a page is dear. No goal: it
 * describes the machine the CLI figures were taken on.
 */
function reportPageTouch(name: string, env: NodeJS.ProcessEnv, runs: number): void {
  const samples: PageTouch[] = [];
  try {
    for (let i = 0; i < runs; i++) samples.push(pageTouch(env));
  } catch (e) {
    return skip(name, e instanceof Error ? e.message : String(e));
  }
  const microseconds = median(samples.map((s) => s.microseconds));
  const nodePages = median(samples.map((s) => s.nodePages));
  report({
    name,
    value: microseconds,
    unit: 'µs',
    note: `first write to a fresh 4 KiB page, median of ${runs} processes; Node had taken ${nodePages} pages by its first line (${((microseconds * nodePages) / 1000).toFixed(0)} ms of them at this price)`,
  });
}

/** check over the whole corpus in one process vs virt-xml-validate per file and one xmllint over all. */
export function benchCheckCorpus(ctx: BenchContext): void {
  const name = 'cli.check-corpus';
  if (ctx.corpusDomains.length === 0) return skip(name, 'corpus not found (../shared/corpus or VAW_CORPUS)');
  if (!existsSync(DOMAIN_RNG)) return skip(name, `${DOMAIN_RNG} missing (Debian package libvirt-clients)`);
  const files = ctx.corpusDomains;
  const ours = { cmd: ctx.cli, args: ['check', ...files], okCodes: [0, 1, 2] };
  const runs = ctx.quick ? 3 : 9;
  if (onPath('xmllint')) {
    const r = compareCommands(ours, { cmd: 'xmllint', args: ['--noout', '--relaxng', DOMAIN_RNG, ...files], okCodes: [0, 3, 4] }, runs);
    report({ name: `${name}.ours`, value: r.a, unit: 'ms', note: `${files.length} files, with schema validation` });
    report({ name: `${name}.xmllint`, value: r.b, unit: 'ms', note: 'one xmllint --noout --relaxng over all files' });
    report({
      name: `${name}-vs-xmllint`,
      value: r.a / r.b,
      unit: 'ratio',
      goal: '<= 2.0',
      met: r.a / r.b <= 2,
      note: pairsNote(r.pairRatios, runs),
    });
    // What ours pays before reading a file, however fast the rest: Node starting with nothing to run (without the
    // certificate file our command's first line drops). Against the goal's budget of twice xmllint's run.
    const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
    const start = timeCommand({ cmd: process.execPath, args: ['-e', '0'], options: { env } }, runs * 3);
    report({
      name: `${name}.node-start`,
      value: start,
      unit: 'ms',
      note: `node -e 0; ${((100 * start) / (2 * r.b)).toFixed(0)} % of the goal's budget`,
    });
    reportPageTouch(`${name}.page-touch`, env, runs);
  } else skip(`${name}-vs-xmllint`, 'xmllint not installed (Debian package libxml2-utils)');
  if (onPath('virt-xml-validate')) {
    const loop = 'for f in "$@"; do virt-xml-validate "$f" domain >/dev/null 2>&1; done; true';
    const r = compareCommands(ours, { cmd: 'sh', args: ['-c', loop, 'sh', ...files] }, ctx.quick ? 1 : 3);
    report({ name: `${name}.virt-xml-validate`, value: r.b, unit: 'ms', note: 'virt-xml-validate once per file' });
    // No goal: the 50x goal is retired (one xmllint run over the corpus alone is about 0.018 of this loop).
    report({ name: `${name}-vs-virt-xml-validate`, value: r.a / r.b, unit: 'ratio' });
  } else skip(`${name}-vs-virt-xml-validate`, 'virt-xml-validate not installed (Debian package libvirt-clients)');
}
