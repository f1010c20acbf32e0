/** Timing whole commands: medians after a warm-up, and A/B comparisons interleaved A B A B. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { median, pairRatioRange } from './samples';

export interface Command {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly options?: SpawnSyncOptions;
  /** Exit codes that count as success for this command. */
  readonly okCodes?: readonly number[];
}

function runOnce(c: Command): number {
  const t0 = performance.now();
  const r = spawnSync(c.cmd, c.args, { stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 256 * 2 ** 20, ...c.options });
  const ms = performance.now() - t0;
  const ok = c.okCodes ?? [0];
  if (r.error || !ok.includes(r.status ?? -1)) {
    const err = r.stderr?.toString().trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${c.cmd} ${c.args.slice(0, 4).join(' ')} … failed (exit ${r.status}): ${r.error?.message ?? err}`);
  }
  return ms;
}

/**
 * Median wall time of whole processes A and B, run interleaved A B A B after one warm-up each, and the range of
 * A/B over the pairs.
 */
export function compareCommands(
  a: Command,
  b: Command,
  runs: number,
): { a: number; b: number; pairRatios: { readonly low: number; readonly high: number } } {
  runOnce(a);
  runOnce(b);
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < runs; i++) {
    sa.push(runOnce(a));
    sb.push(runOnce(b));
  }
  return { a: median(sa), b: median(sb), pairRatios: pairRatioRange(sa, sb) };
}

/** Median wall time of one command (whole process), after `warmup` unmeasured runs. */
export function timeCommand(c: Command, runs: number, warmup = 1): number {
  for (let i = 0; i < warmup; i++) runOnce(c);
  const s: number[] = [];
  for (let i = 0; i < runs; i++) s.push(runOnce(c));
  return median(s);
}
