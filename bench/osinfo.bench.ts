/** Guest knowledge: indexing the host's osinfo-db (from scratch, and from the on-disk cache), then lookups. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_OSINFO_DIR, loadOsinfo, type OsinfoLoadOptions } from '../main/services/osinfo';
import type { BenchContext } from './context';
import { report, skip } from './figures';
import { median, timeIt } from './samples';

async function loadTimes(ctx: BenchContext, options: OsinfoLoadOptions): Promise<number[]> {
  await loadOsinfo(undefined, options);
  const times: number[] = [];
  for (let i = 0; i < (ctx.quick ? 2 : 5); i++) {
    const t0 = performance.now();
    await loadOsinfo(undefined, options);
    times.push(performance.now() - t0);
  }
  return times;
}

export async function benchOsinfo(ctx: BenchContext): Promise<void> {
  if (!existsSync(`${DEFAULT_OSINFO_DIR}/os`)) return skip('osinfo.index', `${DEFAULT_OSINFO_DIR} missing (Debian package osinfo-db)`);
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'vaw-bench-osinfo-'));
  try {
    const db = await loadOsinfo(undefined, { cacheDir: null });
    report({
      name: 'osinfo.index',
      value: median(await loadTimes(ctx, { cacheDir: null })),
      unit: 'ms',
      note: `${db.list().length} OSes, built from the XML`,
    });
    report({ name: 'osinfo.index-cached', value: median(await loadTimes(ctx, { cacheDir })), unit: 'ms', note: 'from the on-disk cache' });
    const ids = db.list().map((e) => e.id);
    let i = 0;
    const perLookup = timeIt(() => db.lookup(ids[i++ % ids.length]!), ctx.quick ? 10_000 : 100_000) * 1000;
    report({ name: 'osinfo.lookup', value: perLookup, unit: 'µs', goal: 'microseconds', met: perLookup < 10 });
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
