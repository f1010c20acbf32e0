/**
 * The Review step's recompute: what the store (renderer/store/derived.ts) computes again when the user changes
 * one thing — the parsed text stays memoised; findings, the plan, the planned text, what it leaves and the diff
 * are computed anew (the cases: review-cases.ts). The figures with goals are taken in Chromium, where the
 * renderer runs them: Debian's Chromium 156 is the Chromium that Electron 45.4.1 embeds, and its V8 is three
 * years newer than Node 20's. The 20,000-line recompute is also timed in Node, which runs the same pipeline for
 * the CLI. Its peak memory is taken in a Node process of its own (review-memory.ts), since peak RSS only grows.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { BenchContext } from './context';
import { chromiumMissing, launchChromium } from './chromium';
import { report, skip } from './figures';
import { lineCount } from '../src/domain-xml/text-lines';
import { median } from './samples';
import { timeReviewCase, type ReviewCase, type ReviewTiming } from './review-cases';

/** Peak RSS of a fresh process that recomputes the 20,000-line domain, and of the same process before it does. */
function peakMemory(ctx: BenchContext): { beforeMiB: number; peakMiB: number } {
  const r = spawnSync(process.execPath, [path.join(ctx.root, 'dist/bench/review-memory.mjs')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`review-memory failed: ${r.stderr.trim().split('\n').at(-1) ?? r.status}`);
  const { beforeKiB, peakKiB } = JSON.parse(r.stdout) as { beforeKiB: number; peakKiB: number };
  return { beforeMiB: beforeKiB / 1024, peakMiB: peakKiB / 1024 };
}

/** The corpus domain with the most lines, or null without the corpus. */
function largestCorpusDomain(ctx: BenchContext): { file: string; text: string } | null {
  if (ctx.corpusDomains.length === 0) return null;
  const [file, text] = ctx.corpusDomains
    .map((f) => [f, readFileSync(f, 'utf8')] as const)
    .reduce((best, next) => (lineCount(next[1]) > lineCount(best[1]) ? next : best));
  return { file: path.relative(ctx.corpus!, file), text };
}

/**
 * The 20,000-line cases are timed after five unmeasured recomputes (the first parses the text): by the time a user
 * is on the Review step the pipeline has run on their domain a few times (loading it, choosing the goal, the
 * steps between), and Chromium's optimising tiers take that long to reach code this size.
 */
const BIG_WARMUP = 5;
const bigRuns = (ctx: BenchContext) => (ctx.quick ? 11 : 21);

const fastest = (samples: readonly number[]) => `fastest ${Math.min(...samples).toFixed(1)} ms`;

/** The goal a figure is held to: its words, and the median it must stay below. */
interface Goal {
  readonly words: string;
  readonly belowMs: number;
}
const ONE_FRAME: Goal = { words: '< 16 ms (one frame)', belowMs: 16 };
const BIG_DOMAIN: Goal = { words: '< 100 ms', belowMs: 100 };

/** A figure in milliseconds: the median of `samples`, held to `goal` when it has one. */
function reportMedian(name: string, samples: readonly number[], note: string, goal?: Goal): void {
  const value = median(samples);
  report({ name, value, unit: 'ms', ...(goal ? { goal: goal.words, met: value < goal.belowMs } : {}), note });
}

/** A case timed in the page (review-page.ts, loaded into it). */
function inPage(page: Page, which: ReviewCase, runs: number, warmup: number, corpusText: string | null = null): Promise<ReviewTiming> {
  return page.evaluate(([w, r, u, t]) => window.vawReviewBench.timeReviewCase(w, r, u, t), [which, runs, warmup, corpusText] as const);
}

async function benchInChromium(ctx: BenchContext, corpus: { file: string; text: string } | null): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ path: path.join(ctx.root, 'dist/bench/review-page.js') });
    const where = `Chromium ${browser.version()}`;

    const small = await inPage(page, '64-devices', ctx.quick ? 20 : 200, ctx.quick ? 3 : 25);
    reportMedian('review.recompute-64-devices', small.samples, `${where}; ${small.described}; ${fastest(small.samples)}`, ONE_FRAME);

    if (!corpus) skip('review.recompute-largest-corpus', 'corpus not found (../shared/corpus or VAW_CORPUS)');
    else {
      const t = await inPage(page, 'largest-corpus', ctx.quick ? 20 : 100, ctx.quick ? 3 : 12, corpus.text);
      const note = `${where}; ${corpus.file}, hand edits at both ends: ${t.described}; ${fastest(t.samples)}`;
      reportMedian('review.recompute-largest-corpus', t.samples, note, ONE_FRAME);
    }

    const big = await inPage(page, '20k-lines', bigRuns(ctx), BIG_WARMUP);
    reportMedian('review.recompute-20k-lines', big.samples, `${where}; ${big.described}; ${fastest(big.samples)}`, BIG_DOMAIN);
    const hand = await inPage(page, '20k-lines-hand-edit', bigRuns(ctx), BIG_WARMUP);
    reportMedian(
      'review.recompute-20k-lines-hand-edit',
      hand.samples,
      `${where}; the same domain typed in at both ends (no plan applied; the issue's own measurement); ${fastest(hand.samples)}`,
    );
    const diff = await page.evaluate(([r, u]) => window.vawReviewBench.timeDiff20k(r, u), [bigRuns(ctx), BIG_WARMUP] as const);
    reportMedian(
      'review.diff-20k-lines',
      diff,
      `${where}; the diff alone of the same plan (a change every few lines), without the edit list`,
    );
  } finally {
    await browser.close();
  }
}

export async function benchReview(ctx: BenchContext): Promise<void> {
  const corpus = largestCorpusDomain(ctx);
  const missing = chromiumMissing();
  if (missing) {
    for (const name of ['64-devices', 'largest-corpus', '20k-lines', '20k-lines-hand-edit'])
      skip(`review.recompute-${name}`, `${missing}: the renderer's figures are taken in Chromium`);
    skip('review.diff-20k-lines', missing);
  } else await benchInChromium(ctx, corpus);

  const node = timeReviewCase('20k-lines', bigRuns(ctx), BIG_WARMUP);
  reportMedian(
    'review.recompute-20k-lines.node',
    node.samples,
    `the same recompute in Node ${process.versions.node} (V8 ${process.versions.v8.split('-')[0]}), which the CLI runs on; ${fastest(node.samples)}`,
  );
  const memory = peakMemory(ctx);
  report({
    name: 'review.recompute-20k-lines.peak-rss',
    value: memory.peakMiB,
    unit: 'MiB',
    note: `a Node process that only recomputes it; ${memory.beforeMiB.toFixed(0)} MiB before the first recompute`,
  });
}
