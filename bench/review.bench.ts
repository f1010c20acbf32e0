/**
 * The Review step's recompute: what the store (renderer/store/derived.ts) computes again when the user changes
 * one thing — the parsed text stays memoised; findings, the plan, the planned text, what it leaves and the diff
 * are computed anew. Two states alternate so every call recomputes. Measured on a 64-device domain and a
 * 20,000-line one (4,440 virtio devices) while switching goals (the plan edits every device), and on the
 * corpus's largest real domain while the user types in the planned XML at both ends of the text (every goal
 * is impossible for that domain, so its Review shows no plan; the hand edit is what diffs). The peak memory of
 * the 20,000-line recompute is taken in a process of its own (review-memory.ts), since peak RSS only grows.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext } from './context';
import { report, skip } from './figures';
import { median, sampleIt, timeIt } from './measure';
import { bigDomainXml } from './big-domain';
import { alternatingRecompute, goalChanges, handEditsAtBothEnds, twentyThousandLineDomain } from './review-inputs';
import type { DeriveInputs } from '../renderer/store/derived';
import { unifiedDiff } from '../src/domain-xml';

/** Median and fastest run: on a shared machine the gap between them is the other processes' share. */
function recomputeTimes(fn: () => unknown, runs: number, warmup?: number): { median: number; fastest: string } {
  const samples = sampleIt(fn, runs, warmup);
  return { median: median(samples), fastest: `fastest ${Math.min(...samples).toFixed(1)} ms` };
}

function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** What one recompute of these states produced, for the figure's note. */
function describeResult(states: readonly [DeriveInputs, DeriveInputs]): string {
  const d = alternatingRecompute(states)();
  if (!d.ok) throw new Error(`the Review step cannot derive this domain: ${d.problem}`);
  const plan = d.plan.impossible.length > 0 ? 'goal impossible' : `${d.plan.edits.length} plan edits`;
  return `${lineCount(states[0].text)} lines, ${plan}, ${lineCount(d.diff)}-line diff`;
}

/** Peak RSS of a fresh process that recomputes the 20,000-line domain, and of the same process before it does. */
function peakMemory(ctx: BenchContext): { beforeMiB: number; peakMiB: number } {
  const r = spawnSync(process.execPath, [path.join(ctx.root, 'dist/bench/review-memory.mjs')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`review-memory failed: ${r.stderr.trim().split('\n').at(-1) ?? r.status}`);
  const { beforeKiB, peakKiB } = JSON.parse(r.stdout) as { beforeKiB: number; peakKiB: number };
  return { beforeMiB: beforeKiB / 1024, peakMiB: peakKiB / 1024 };
}

export function benchReview(ctx: BenchContext): void {
  const small = goalChanges(bigDomainXml(64));
  const smallMs = recomputeTimes(alternatingRecompute(small), ctx.quick ? 20 : 200);
  report({
    name: 'review.recompute-64-devices',
    value: smallMs.median,
    unit: 'ms',
    goal: '< 16 ms (one frame)',
    met: smallMs.median < 16,
    note: `${describeResult(small)}; ${smallMs.fastest}`,
  });

  if (ctx.corpusDomains.length === 0) skip('review.recompute-largest-corpus', 'corpus not found (../shared/corpus or VAW_CORPUS)');
  else {
    const [file, text] = ctx.corpusDomains
      .map((f) => [f, readFileSync(f, 'utf8')] as const)
      .reduce((best, next) => (lineCount(next[1]) > lineCount(best[1]) ? next : best));
    const states = handEditsAtBothEnds(text);
    const ms = recomputeTimes(alternatingRecompute(states), ctx.quick ? 20 : 100);
    report({
      name: 'review.recompute-largest-corpus',
      value: ms.median,
      unit: 'ms',
      goal: '< 16 ms (one frame)',
      met: ms.median < 16,
      note: `${path.relative(ctx.corpus!, file)}, hand edits at both ends: ${describeResult(states)}; ${ms.fastest}`,
    });
  }

  const big = twentyThousandLineDomain();
  const bigStates = goalChanges(big);
  const bigMs = recomputeTimes(alternatingRecompute(bigStates), ctx.quick ? 3 : 11, 2);
  report({
    name: 'review.recompute-20k-lines',
    value: bigMs.median,
    unit: 'ms',
    goal: '< 100 ms',
    met: bigMs.median < 100,
    note: `${describeResult(bigStates)}; ${bigMs.fastest}`,
  });
  const hand = recomputeTimes(alternatingRecompute(handEditsAtBothEnds(big)), ctx.quick ? 3 : 11, 2);
  report({
    name: 'review.recompute-20k-lines-hand-edit',
    value: hand.median,
    unit: 'ms',
    note: `the same domain typed in at both ends (no plan applied; the issue's own measurement); ${hand.fastest}`,
  });
  const planned = alternatingRecompute(bigStates)();
  if (planned.ok) {
    const diffMs = timeIt(() => unifiedDiff(big, planned.planned, { fromLabel: 'a', toLabel: 'b' }), ctx.quick ? 3 : 11, 2);
    report({
      name: 'review.diff-20k-lines',
      value: diffMs,
      unit: 'ms',
      note: 'the diff alone, of the same plan (a change every few lines)',
    });
  }
  const memory = peakMemory(ctx);
  report({
    name: 'review.recompute-20k-lines.peak-rss',
    value: memory.peakMiB,
    unit: 'MiB',
    note: `a process that only recomputes it; ${memory.beforeMiB.toFixed(0)} MiB before the first recompute`,
  });
}
