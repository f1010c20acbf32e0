/** Guest knowledge: indexing the host's osinfo-db once, then lookups. */
import { existsSync } from 'node:fs';
import { DEFAULT_OSINFO_DIR, loadOsinfo } from '../main/services/osinfo';
import type { BenchContext } from './context';
import { report, skip } from './figures';
import { median, timeIt } from './measure';

export async function benchOsinfo(ctx: BenchContext): Promise<void> {
  if (!existsSync(`${DEFAULT_OSINFO_DIR}/os`)) return skip('osinfo.index', `${DEFAULT_OSINFO_DIR} missing (Debian package osinfo-db)`);
  const loads: number[] = [];
  let db = await loadOsinfo();
  for (let i = 0; i < (ctx.quick ? 2 : 5); i++) {
    const t0 = performance.now();
    db = await loadOsinfo();
    loads.push(performance.now() - t0);
  }
  report({ name: 'osinfo.index', value: median(loads), unit: 'ms', note: `${db.list().length} OSes` });
  const ids = db.list().map((e) => e.id);
  let i = 0;
  const perLookup = timeIt(() => db.lookup(ids[i++ % ids.length]!), ctx.quick ? 10_000 : 100_000) * 1000;
  report({ name: 'osinfo.lookup', value: perLookup, unit: 'µs', goal: 'microseconds', met: perLookup < 10 });
}
