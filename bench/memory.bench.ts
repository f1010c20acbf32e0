/** Peak resident memory of `check` over the whole corpus, and of serve mode sitting idle. */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { BenchContext } from './context';
import { report, skip } from './figures';
import { startServeProcess } from './serve-process';

function procStatusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]);
}

export function benchCheckMemory(ctx: BenchContext): void {
  const name = 'memory.check-corpus-peak-rss';
  if (ctx.corpusDomains.length === 0) return skip(name, 'corpus not found (../shared/corpus or VAW_CORPUS)');
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'vaw-rss-')), 'rss');
  const r = spawnSync(process.execPath, ['--require', path.join(ctx.root, 'bench/rss-probe.cjs'), ctx.cli, 'check', ...ctx.corpusDomains], {
    env: { ...process.env, VAW_RSS_FILE: out },
    stdio: 'ignore',
  });
  if (r.status === null || r.status > 2) return skip(name, `check exited with ${r.status ?? r.signal}`);
  report({ name, value: Number(readFileSync(out, 'utf8')) / 1024, unit: 'MiB', note: `${ctx.corpusDomains.length} files` });
}

export async function benchServeIdleMemory(ctx: BenchContext): Promise<void> {
  const name = 'memory.serve-idle-rss';
  const serve = await startServeProcess(ctx.cli);
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const pid = serve.child.pid;
    if (pid === undefined) return skip(name, 'serve has no pid');
    report({
      name,
      value: procStatusKiB(pid, 'VmRSS') / 1024,
      unit: 'MiB',
      note: `peak ${(procStatusKiB(pid, 'VmHWM') / 1024).toFixed(1)} MiB`,
    });
  } finally {
    await serve.stop();
  }
}
