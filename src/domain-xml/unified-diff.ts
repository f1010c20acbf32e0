/** A unified diff (`diff -u` format, 3 lines of context) of two texts, line by line. */
import { diffLineRuns } from './line-diff';

const CONTEXT = 3;

/** What each line of the diff is. */
const SAME = 0;
const REMOVED = 1;
const ADDED = 2;
const MARK = [' ', '-', '+'] as const;

/**
 * The lines of a text without their `\n`, except the last when the text does not end with a newline: that one
 * gets a `\n` appended. No other line holds one, so it differs from the same line with its newline, as it must.
 */
function lines(text: string): string[] {
  const parts = text.split('\n');
  const last = parts.pop()!;
  if (last !== '') parts.push(`${last}\n`);
  return parts;
}

/**
 * One op per line of the diff, in columns (kind, and where it sits in each text) rather than an object per line;
 * a change's removed lines come before its added ones, as diff -u prints them.
 */
function lineOps(a: readonly string[], b: readonly string[]): { kind: Uint8Array; ai: Int32Array; bi: Int32Array } {
  const runs = diffLineRuns(a, b);
  let n = 0;
  for (const run of runs) n += run.same ? run.aCount : run.aCount + run.bCount;
  const kind = new Uint8Array(n);
  const ai = new Int32Array(n);
  const bi = new Int32Array(n);
  let k = 0;
  const push = (what: number, aAt: number, bAt: number): void => {
    kind[k] = what;
    ai[k] = aAt;
    bi[k++] = bAt;
  };
  for (const run of runs) {
    if (run.same) {
      for (let i = 0; i < run.aCount; i++) push(SAME, run.aStart + i, run.bStart + i);
      continue;
    }
    for (let i = 0; i < run.aCount; i++) push(REMOVED, run.aStart + i, run.bStart);
    for (let i = 0; i < run.bCount; i++) push(ADDED, run.aStart + run.aCount, run.bStart + i);
  }
  return { kind, ai, bi };
}

/** `diff -u` style output; '' when the texts are equal. */
export function unifiedDiff(before: string, after: string, labels: { readonly fromLabel: string; readonly toLabel: string }): string {
  if (before === after) return '';
  const a = lines(before);
  const b = lines(after);
  const { kind, ai, bi } = lineOps(a, b);
  const n = kind.length;
  const out = [`--- ${labels.fromLabel}`, `+++ ${labels.toLabel}`];
  let k = 0;
  while (k < n) {
    while (k < n && kind[k] === SAME) k++;
    if (k >= n) break;
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    // Extend the hunk while the next change is within 2*context unchanged lines.
    for (;;) {
      while (end < n && kind[end] !== SAME) end++;
      let gap = end;
      while (gap < n && kind[gap] === SAME) gap++;
      if (gap < n && gap - end <= 2 * CONTEXT) end = gap;
      else {
        end = Math.min(n, end + CONTEXT);
        break;
      }
    }
    let aCount = 0;
    let bCount = 0;
    let aStart = -1;
    let bStart = -1;
    for (let i = start; i < end; i++) {
      if (kind[i] !== ADDED) {
        aCount++;
        if (aStart === -1) aStart = ai[i]!;
      }
      if (kind[i] !== REMOVED) {
        bCount++;
        if (bStart === -1) bStart = bi[i]!;
      }
    }
    if (aStart === -1) aStart = ai[start]!;
    if (bStart === -1) bStart = bi[start]!;
    out.push(`@@ -${aCount === 0 ? aStart : aStart + 1},${aCount} +${bCount === 0 ? bStart : bStart + 1},${bCount} @@`);
    for (let i = start; i < end; i++) {
      const line = kind[i] === ADDED ? b[bi[i]!]! : a[ai[i]!]!;
      if (line.endsWith('\n')) out.push(`${MARK[kind[i]!]}${line.slice(0, -1)}`, '\\ No newline at end of file');
      else out.push(`${MARK[kind[i]!]}${line}`);
    }
    k = end;
  }
  return `${out.join('\n')}\n`;
}
