/** A unified diff (`diff -u` format, 3 lines of context) of two texts, line by line. */
import { lastOf } from '../last-result';
import { changedLineRuns, diffLineRuns, type LineIndexMemo, type LineRun } from './line-diff';
import type { TextChange } from './text-change';
import { lineCount, lines, lineStarts } from './text-lines';

const CONTEXT = 3;

/** What each line of the diff is. */
const SAME = 0;
const REMOVED = 1;
const ADDED = 2;
const MARK = [' ', '-', '+'] as const;

/**
 * One op per line of the diff, in columns (kind, and where it sits in each text) rather than an object per line;
 * a change's removed lines come before its added ones, as diff -u prints them.
 */
function lineOps(runs: readonly LineRun[]): { kind: Uint8Array; ai: Int32Array; bi: Int32Array } {
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

/** A text split into lines (`lines`) with where each starts (`lineStarts`). */
interface Split {
  readonly lines: string[];
  readonly starts: Int32Array;
  /** What the line diff keeps of these lines when they are diffed from again. */
  readonly memo: LineIndexMemo;
}

function split(text: string): Split {
  const parts = lines(text);
  return { lines: parts, starts: lineStarts(text, parts.length), memo: {} };
}

/**
 * The split of a text diffed from, the last one's kept: the wizard diffs every plan and hand edit against the same
 * loaded text, which need not be split (nor its lines hashed by the line diff's maps) again for each.
 */
const splitBefore = lastOf(split);

/** The runs from `before`'s lines to `after`'s, with where each text's lines start. */
function lineRuns(
  before: string,
  after: string,
  changes: readonly TextChange[] | null | undefined,
): { runs: readonly LineRun[]; aStarts: Int32Array; bStarts: Int32Array } {
  const { lines: a, starts: aStarts, memo } = splitBefore(before);
  if (changes) {
    const bStarts = lineStarts(after, lineCount(after));
    const runs = changedLineRuns(before, a, aStarts, after, bStarts, changes);
    if (runs) return { runs, aStarts, bStarts };
  }
  const b = split(after);
  return { runs: diffLineRuns(a, b.lines, memo), aStarts, bStarts: b.starts };
}

/**
 * `diff -u` style output; '' when the texts are equal. `changes`, when the caller made `after` from `before` and
 * knows where (text-change.ts), spare diffing the lines between them.
 */
export function unifiedDiff(
  before: string,
  after: string,
  labels: { readonly fromLabel: string; readonly toLabel: string },
  changes?: readonly TextChange[] | null,
): string {
  if (before === after) return '';
  const { runs, aStarts, bStarts } = lineRuns(before, after, changes);
  const { kind, ai, bi } = lineOps(runs);
  const n = kind.length;
  const out = [`--- ${labels.fromLabel}\n+++ ${labels.toLabel}\n`];
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
    out.push(`@@ -${aCount === 0 ? aStart : aStart + 1},${aCount} +${bCount === 0 ? bStart : bStart + 1},${bCount} @@\n`);
    // Each stretch of lines of one kind is one piece of its text, marked line by line (a piece per line made
    // a 20,000-line plan's diff, a hunk of nearly every line, cost as much as finding it).
    for (let i = start; i < end;) {
      const what = kind[i]!;
      const added = what === ADDED;
      const text = added ? after : before;
      const at = added ? bi : ai;
      const starts = added ? bStarts : aStarts;
      let j = i + 1;
      while (j < end && kind[j] === what && at[j] === at[j - 1]! + 1) j++;
      out.push(marked(text, starts, at[i]!, at[j - 1]! + 1, MARK[what]!));
      i = j;
    }
    k = end;
  }
  return out.join('');
}

/**
 * Lines `from` to `to` (exclusive) of `text`, each with `mark` before it and a line break after it; a last line
 * without its line break is followed by diff's note saying so.
 */
function marked(text: string, starts: Int32Array, from: number, to: number, mark: string): string {
  const end = starts[to]! - 1;
  const body = text.slice(starts[from]!, end);
  const markedLines = mark + (to - from > 1 ? body.replaceAll('\n', `\n${mark}`) : body);
  // Only an unterminated last line ends at the text's end (a terminated one ends at its line break).
  return end === text.length ? `${markedLines}\n\\ No newline at end of file\n` : `${markedLines}\n`;
}
