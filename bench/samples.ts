/**
 * Timing inside one process: medians, and samples after a warm-up. No Node APIs, so that the Review figures can
 * be taken with the same code in Chromium (review-page.ts) and in Node.
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The lowest and highest of `a[i] / b[i]`: how far the ratio of two commands timed in interleaved pairs moves
 * between pairs, which on a shared VM says more about a ratio near its goal than the ratio of the medians alone.
 */
export function pairRatioRange(a: readonly number[], b: readonly number[]): { readonly low: number; readonly high: number } {
  if (a.length === 0 || a.length !== b.length) throw new Error('pairRatioRange needs as many pairs of each');
  const ratios = a.map((x, i) => x / b[i]!);
  return { low: Math.min(...ratios), high: Math.max(...ratios) };
}

/** Milliseconds of each of `runs` runs of `fn` after `warmup` unmeasured ones. */
export function sampleIt(fn: () => unknown, runs: number, warmup = Math.max(3, runs >> 3)): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** Median milliseconds of `fn` over `runs` runs after `warmup` unmeasured ones. */
export function timeIt(fn: () => unknown, runs: number, warmup = Math.max(3, runs >> 3)): number {
  return median(sampleIt(fn, runs, warmup));
}
