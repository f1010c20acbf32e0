/** A unified diff (`diff -u` format, 3 lines of context) of two texts, line by line. */
import { diffLineRuns } from './line-diff';

const CONTEXT = 3;

/** One line of the diff: context, removed or added; `ai`/`bi` are where it sits in each text. */
interface Op {
  readonly kind: ' ' | '-' | '+';
  /** The line with its newline, if it has one (a last line without one differs from the same line with one). */
  readonly line: string;
  readonly ai: number;
  readonly bi: number;
}

/** The lines of a text, each with its `\n`; the last one lacks it when the text does not end with a newline. */
function lines(text: string): string[] {
  const parts = text.split('\n');
  const last = parts.pop()!;
  const out = parts.map((p) => `${p}\n`);
  if (last !== '') out.push(last);
  return out;
}

/** One op per line; a change's removed lines come before its added ones, as diff -u prints them. */
function lineOps(a: readonly string[], b: readonly string[]): Op[] {
  const ops: Op[] = [];
  for (const run of diffLineRuns(a, b)) {
    if (run.same) {
      for (let k = 0; k < run.aCount; k++) ops.push({ kind: ' ', line: a[run.aStart + k]!, ai: run.aStart + k, bi: run.bStart + k });
      continue;
    }
    for (let k = 0; k < run.aCount; k++) ops.push({ kind: '-', line: a[run.aStart + k]!, ai: run.aStart + k, bi: run.bStart });
    for (let k = 0; k < run.bCount; k++) ops.push({ kind: '+', line: b[run.bStart + k]!, ai: run.aStart + run.aCount, bi: run.bStart + k });
  }
  return ops;
}

/** `diff -u` style output; '' when the texts are equal. */
export function unifiedDiff(before: string, after: string, labels: { readonly fromLabel: string; readonly toLabel: string }): string {
  if (before === after) return '';
  const ops = lineOps(lines(before), lines(after));
  const out = [`--- ${labels.fromLabel}`, `+++ ${labels.toLabel}`];
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k]!.kind === ' ') k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    // Extend the hunk while the next change is within 2*context unchanged lines.
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== ' ') end++;
      let gap = end;
      while (gap < ops.length && ops[gap]!.kind === ' ') gap++;
      if (gap < ops.length && gap - end <= 2 * CONTEXT) end = gap;
      else {
        end = Math.min(ops.length, end + CONTEXT);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    const aStart = hunk.find((o) => o.kind !== '+')?.ai ?? ops[start]!.ai;
    const bStart = hunk.find((o) => o.kind !== '-')?.bi ?? ops[start]!.bi;
    out.push(`@@ -${aCount === 0 ? aStart : aStart + 1},${aCount} +${bCount === 0 ? bStart : bStart + 1},${bCount} @@`);
    for (const o of hunk) {
      if (o.line.endsWith('\n')) out.push(`${o.kind}${o.line.slice(0, -1)}`);
      else out.push(`${o.kind}${o.line}`, '\\ No newline at end of file');
    }
    k = end;
  }
  return `${out.join('\n')}\n`;
}
