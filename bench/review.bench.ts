/**
 * The Review step's recompute: the store's `derive` (renderer/store/derived.ts) from the loaded text, as a change
 * of goal runs it — facts, findings, the plan, the planned text and what it leaves, and the diff. Measured on a
 * 64-device domain, on the corpus's largest real domain, and on a 20,000-line domain whose plan edits every
 * device (the diff's worst case: a change every few lines). The peak memory of the largest is taken in a
 * process of its own (review-memory.ts), since a process's peak RSS only grows.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext } from './context';
import { report, skip } from './figures';
import { timeIt } from './measure';
import { reviewInputs, twentyThousandLineDomain } from './review-inputs';
import { derive } from '../renderer/store/derived';
import { bigDomainXml } from './big-domain';

function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** What a recompute produced, for the figure's note. */
function describeResult(text: string): string {
  const d = derive(reviewInputs(text));
  if (!d.ok) throw new Error(`the Review step cannot derive this domain: ${d.problem}`);
  return `${lineCount(text)} lines, ${d.plan.edits.length} plan edits, ${lineCount(d.diff)}-line diff`;
}

/** Peak RSS of a fresh process that recomputes the 20,000-line domain, and of the same process before it does. */
function peakMemory(ctx: BenchContext): { beforeMiB: number; peakMiB: number } {
  const tsx = path.join(ctx.root, 'node_modules/.bin/tsx');
  const r = spawnSync(tsx, [path.join(ctx.root, 'bench/review-memory.ts')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`review-memory.ts failed: ${r.stderr.trim().split('\n').at(-1) ?? r.status}`);
  const { beforeKiB, peakKiB } = JSON.parse(r.stdout) as { beforeKiB: number; peakKiB: number };
  return { beforeMiB: beforeKiB / 1024, peakMiB: peakKiB / 1024 };
}

export function benchReview(ctx: BenchContext): void {
  const small = bigDomainXml(64);
  const smallMs = timeIt(() => derive(reviewInputs(small)), ctx.quick ? 20 : 200);
  report({
    name: 'review.recompute-64-devices',
    value: smallMs,
    unit: 'ms',
    goal: '< 16 ms (one frame)',
    met: smallMs < 16,
    note: describeResult(small),
  });

  if (ctx.corpusDomains.length === 0) skip('review.recompute-largest-corpus', 'corpus not found (../shared/corpus or VAW_CORPUS)');
  else {
    const [file, text] = ctx.corpusDomains
      .map((f) => [f, readFileSync(f, 'utf8')] as const)
      .reduce((best, next) => (lineCount(next[1]) > lineCount(best[1]) ? next : best));
    const ms = timeIt(() => derive(reviewInputs(text)), ctx.quick ? 20 : 100);
    report({
      name: 'review.recompute-largest-corpus',
      value: ms,
      unit: 'ms',
      goal: '< 16 ms (one frame)',
      met: ms < 16,
      note: `${path.relative(ctx.corpus!, file)}: ${describeResult(text)}`,
    });
  }

  const big = twentyThousandLineDomain();
  const bigMs = timeIt(() => derive(reviewInputs(big)), ctx.quick ? 3 : 11, 2);
  const memory = peakMemory(ctx);
  report({
    name: 'review.recompute-20k-lines',
    value: bigMs,
    unit: 'ms',
    goal: '< 100 ms',
    met: bigMs < 100,
    note: describeResult(big),
  });
  report({
    name: 'review.recompute-20k-lines.peak-rss',
    value: memory.peakMiB,
    unit: 'MiB',
    note: `a process that only recomputes it; ${memory.beforeMiB.toFixed(0)} MiB before the first recompute`,
  });
}
