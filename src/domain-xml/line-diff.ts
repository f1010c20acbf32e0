/**
 * Which lines of one text become which lines of another, in time near-linear in the length for the diffs the
 * wizard shows. The common prefix and suffix are matched first; then the lines that occur exactly once in each
 * text, in the same order, are matched (the anchors of a patience diff, as `git diff --patience`); jsdiff's Myers
 * O(ND) diff runs only on the stretches between anchors. Myers alone is O(N·D): a plan that edits every device of
 * a big domain makes D grow with N (14 s at 20,000 lines), while between anchors (a disk's source path, a NIC's
 * MAC, a device's PCI address) each stretch is a device or two. Without anchors it is Myers on the whole.
 * When the editor that made the second text says where it changed the first (changedLineRuns), only the
 * changed lines are diffed.
 */
import { diffArrays } from 'diff';
import { describesEdit, type TextChange } from './text-change';
import { lineAt } from './text-lines';

/**
 * `aCount` lines of the first text from `aStart` and `bCount` lines of the second from `bStart`: equal line for
 * line (`same`, then the counts are equal), or the first's lines replaced by the second's.
 */
export interface LineRun {
  readonly same: boolean;
  readonly aStart: number;
  readonly aCount: number;
  readonly bStart: number;
  readonly bCount: number;
}

/** Runs in order, each starting where the previous one ends; adjacent runs of one kind are merged. */
class RunList {
  // Merged in place: a copy per merge was a tenth of a big diff.
  readonly runs: { same: boolean; aStart: number; aCount: number; bStart: number; bCount: number }[] = [];

  add(same: boolean, aStart: number, aCount: number, bStart: number, bCount: number): void {
    if (aCount === 0 && bCount === 0) return;
    const last = this.runs.at(-1);
    if (last && last.same === same) {
      last.aCount += aCount;
      last.bCount += bCount;
    } else this.runs.push({ same, aStart, aCount, bStart, bCount });
  }
}

/** Each line of `lines[lo, hi)` with its index, in order of first occurrence; -1 for a line that occurs again. */
function lineIndexes(lines: readonly string[], lo: number, hi: number): Map<string, number> {
  const at = new Map<string, number>();
  for (let i = lo; i < hi; i++) {
    const line = lines[i]!;
    const seen = at.get(line);
    if (seen === undefined) at.set(line, i);
    else if (seen !== -1) at.set(line, -1);
  }
  return at;
}

/**
 * The longest chain of pairs (is[k], js[k]), k < n, given in increasing i, whose j increase too (patience
 * sorting, O(K log K)); as its i's and j's, in order.
 */
function longestIncreasingChain(is: Int32Array, js: Int32Array, n: number): { readonly is: Int32Array; readonly js: Int32Array } {
  const tails = new Int32Array(n);
  let length = 0;
  const previous = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const j = js[k]!;
    let lo = 0;
    let hi = length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (js[tails[mid]!]! < j) lo = mid + 1;
      else hi = mid;
    }
    previous[k] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = k;
    if (lo === length) length++;
  }
  const chainI = new Int32Array(length);
  const chainJ = new Int32Array(length);
  for (let k = length > 0 ? tails[length - 1]! : -1, at = length - 1; k >= 0; k = previous[k]!, at--) {
    chainI[at] = is[k]!;
    chainJ[at] = js[k]!;
  }
  return { is: chainI, js: chainJ };
}

/**
 * A text's lineIndexes of the last range asked, which a caller that diffs many texts against the same first one
 * (the wizard: every plan against the loaded text) keeps with that text's lines, so they are not hashed again.
 */
export interface LineIndexMemo {
  range?: { readonly lo: number; readonly hi: number; readonly at: Map<string, number> };
}

function memoIndexes(lines: readonly string[], lo: number, hi: number, memo: LineIndexMemo | undefined): Map<string, number> {
  if (!memo) return lineIndexes(lines, lo, hi);
  if (memo.range?.lo === lo && memo.range.hi === hi) return memo.range.at;
  const at = lineIndexes(lines, lo, hi);
  memo.range = { lo, hi, at };
  return at;
}

/**
 * Lines unique to both ranges that keep their order: matched for certain, so Myers never has to find them. Only
 * the first range's lines are indexed: the second's are looked up in that index, and for each line unique to the
 * first, where it is in the second (-1 nowhere yet, -2 more than once) is kept in an array, not in a map.
 */
function anchors(
  a: readonly string[],
  aLo: number,
  aHi: number,
  b: readonly string[],
  bLo: number,
  bHi: number,
  aMemo: LineIndexMemo | undefined,
) {
  const inA = memoIndexes(a, aLo, aHi, aMemo);
  const inB = new Int32Array(aHi - aLo).fill(-1);
  for (let j = bLo; j < bHi; j++) {
    const i = inA.get(b[j]!);
    if (i === undefined || i === -1) continue;
    inB[i - aLo] = inB[i - aLo] === -1 ? j : -2;
  }
  const is = new Int32Array(inA.size);
  const js = new Int32Array(inA.size);
  let n = 0;
  // In increasing i: the order of the first range's unique lines, as the chain wants them.
  for (let k = 0; k < inB.length; k++) {
    if (inB[k]! < 0) continue;
    is[n] = aLo + k;
    js[n++] = inB[k]!;
  }
  return longestIncreasingChain(is, js, n);
}

/** Stretches of at most this many lines (both texts' together) are checked by scanning, not with sets. */
const SMALL_STRETCH = 32;

/** Whether `line` is one of `a`'s kept lines of a stretch: its first `pre` from `aLo`, or those from `keptHi` to `aHi`. */
function isKept(a: readonly string[], aLo: number, pre: number, keptHi: number, aHi: number, line: string): boolean {
  for (let i = aLo; i < aLo + pre; i++) if (a[i] === line) return true;
  for (let i = keptHi; i < aHi; i++) if (a[i] === line) return true;
  return false;
}

/**
 * The runs of a stretch whose minimal diff is plain, without Myers: its common start and end kept, the lines
 * between replaced, when no line between occurs in the other text's lines between nor in the kept ones. Every
 * line the two could still share is then a kept one, so keeping them all in order is the only minimal diff,
 * which is what Myers finds too. False (nothing added) otherwise.
 */
function plainStretch(
  out: RunList,
  a: readonly string[],
  aLo: number,
  aHi: number,
  b: readonly string[],
  bLo: number,
  bHi: number,
): boolean {
  let pre = 0;
  while (aLo + pre < aHi && bLo + pre < bHi && a[aLo + pre] === b[bLo + pre]) pre++;
  let suf = 0;
  while (aHi - suf > aLo + pre && bHi - suf > bLo + pre && a[aHi - 1 - suf] === b[bHi - 1 - suf]) suf++;
  const keptHi = aHi - suf;
  // A stretch is mostly a device or two: scanning its few lines is cheaper than filling two sets for each.
  if (aHi - aLo + bHi - bLo <= SMALL_STRETCH) {
    for (let i = aLo + pre; i < keptHi; i++) if (isKept(a, aLo, pre, keptHi, aHi, a[i]!)) return false;
    for (let j = bLo + pre; j < bHi - suf; j++) {
      const line = b[j]!;
      if (isKept(a, aLo, pre, keptHi, aHi, line)) return false;
      for (let i = aLo + pre; i < keptHi; i++) if (a[i] === line) return false;
    }
  } else {
    const kept = new Set<string>();
    for (let i = aLo; i < aLo + pre; i++) kept.add(a[i]!);
    for (let i = keptHi; i < aHi; i++) kept.add(a[i]!);
    const between = new Set<string>();
    for (let i = aLo + pre; i < keptHi; i++) {
      if (kept.has(a[i]!)) return false;
      between.add(a[i]!);
    }
    for (let j = bLo + pre; j < bHi - suf; j++) if (kept.has(b[j]!) || between.has(b[j]!)) return false;
  }
  out.add(true, aLo, pre, bLo, pre);
  out.add(false, aLo + pre, aHi - suf - aLo - pre, bLo + pre, bHi - suf - bLo - pre);
  out.add(true, aHi - suf, suf, bHi - suf, suf);
  return true;
}

/** Myers (jsdiff) on `a[aLo, aHi)` against `b[bLo, bHi)`, unless the stretch is plain (plainStretch). */
function diffStretch(out: RunList, a: readonly string[], aLo: number, aHi: number, b: readonly string[], bLo: number, bHi: number): void {
  if (aLo === aHi || bLo === bHi) return out.add(false, aLo, aHi - aLo, bLo, bHi - bLo);
  if (plainStretch(out, a, aLo, aHi, b, bLo, bHi)) return;
  let ai = aLo;
  let bi = bLo;
  for (const change of diffArrays(a.slice(aLo, aHi), b.slice(bLo, bHi))) {
    const aCount = change.added ? 0 : change.count;
    const bCount = change.removed ? 0 : change.count;
    out.add(!change.added && !change.removed, ai, aCount, bi, bCount);
    ai += aCount;
    bi += bCount;
  }
}

/**
 * The runs from `a` to `b`, covering both texts from start to end. `aMemo`, if given, belongs to `a` (lines that
 * never change) and keeps what was worked out from it for the next diff against it.
 */
export function diffLineRuns(a: readonly string[], b: readonly string[], aMemo?: LineIndexMemo): LineRun[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const aEnd = a.length - suf;
  const bEnd = b.length - suf;
  const out = new RunList();
  out.add(true, 0, pre, 0, pre);
  let ai = pre;
  let bi = pre;
  const chain = anchors(a, pre, aEnd, b, pre, bEnd, aMemo);
  for (let k = 0; k < chain.is.length; k++) {
    const i = chain.is[k]!;
    const j = chain.js[k]!;
    diffStretch(out, a, ai, i, b, bi, j);
    out.add(true, i, 1, j, 1);
    ai = i + 1;
    bi = j + 1;
  }
  diffStretch(out, a, ai, aEnd, b, bi, bEnd);
  out.add(true, aEnd, suf, bEnd, suf);
  return out.runs;
}

/**
 * The runs from `a` (the lines of `before`, which start at `aStarts`) to the lines of `after` (starting at
 * `bStarts`), when the editor that made `after` says where it changed `before` (text-change.ts): the lines
 * outside the changes are the same, moved, so only the lines each change touches are diffed (diffStretch), and
 * of `after` only those are cut out. A plan that edits every device of a big domain makes thousands of small
 * stretches, each found without hashing the whole texts' lines. Null when the changes do not describe `after`
 * (a bug in the editor; the caller then diffs the whole texts).
 */
export function changedLineRuns(
  before: string,
  a: readonly string[],
  aStarts: Int32Array,
  after: string,
  bStarts: Int32Array,
  changes: readonly TextChange[],
): LineRun[] | null {
  if (!describesEdit(before, after, changes)) return null;
  const aCount = aStarts.length - 1;
  const bCount = bStarts.length - 1;
  // Only the changed lines are ever read from b (diffStretch reads inside its stretch).
  const b = new Array<string>(bCount);
  const out = new RunList();
  let ai = 0;
  let bi = 0;
  let delta = 0;
  for (let k = 0; k < changes.length;) {
    // The change's lines: from the start of the line it starts in to the first line start after its end that
    // follows unchanged text, so it is a line start in both texts; with every next change that starts before it.
    const first = changes[k]!;
    const from = first.start === 0 ? 0 : before.lastIndexOf('\n', first.start - 1) + 1;
    const bFrom = from + delta;
    let to = lineEndAfter(before, first.end);
    delta += first.length - (first.end - first.start);
    for (k++; k < changes.length && changes[k]!.start < to; k++) {
      const c = changes[k]!;
      to = Math.max(to, lineEndAfter(before, c.end));
      delta += c.length - (c.end - c.start);
    }
    const aLo = lineIndex(aStarts, aCount, from, ai);
    const bLo = lineIndex(bStarts, bCount, bFrom, bi);
    const aHi = lineIndex(aStarts, aCount, to, aLo);
    const bHi = lineIndex(bStarts, bCount, to + delta, bLo);
    // The unchanged lines before it are as many in both texts, or the changes do not line up with the lines.
    if (aLo - ai !== bLo - bi) return null;
    out.add(true, ai, aLo - ai, bi, bLo - bi);
    for (let j = bLo; j < bHi; j++) b[j] = lineAt(after, bStarts, j);
    diffStretch(out, a, aLo, aHi, b, bLo, bHi);
    ai = aHi;
    bi = bHi;
  }
  if (aCount - ai !== bCount - bi) return null;
  out.add(true, ai, aCount - ai, bi, bCount - bi);
  return out.runs;
}

/** The start of the line after the one holding `text[at]` (the text's length when there is none). */
function lineEndAfter(text: string, at: number): number {
  return text.indexOf('\n', at) + 1 || text.length;
}

/** How many lines start before `offset` (starts: as text-lines.ts's lineStarts), counting on from line `from`. */
function lineIndex(starts: Int32Array, count: number, offset: number, from: number): number {
  let i = from;
  while (i < count && starts[i]! < offset) i++;
  return i;
}
