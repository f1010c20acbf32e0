/**
 * Which lines of one text become which lines of another, in time near-linear in the length for the diffs the
 * wizard shows. The common prefix and suffix are matched first; then the lines that occur exactly once in each
 * text, in the same order, are matched (the anchors of a patience diff, as `git diff --patience`); jsdiff's Myers
 * O(ND) diff runs only on the stretches between anchors. Myers alone is O(N·D): a plan that edits every device of
 * a big domain makes D grow with N (14 s at 20,000 lines), while between anchors (a disk's source path, a NIC's
 * MAC, a device's PCI address) each stretch is a device or two. Without anchors it is Myers on the whole.
 */
import { diffArrays } from 'diff';

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

/** The longest chain of (i, j) pairs, given in increasing i, whose j increase too (patience sorting, O(K log K)). */
function longestIncreasingChain(pairs: readonly (readonly [number, number])[]): (readonly [number, number])[] {
  const tails: number[] = [];
  const previous = new Int32Array(pairs.length);
  for (let k = 0; k < pairs.length; k++) {
    const j = pairs[k]![1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < j) lo = mid + 1;
      else hi = mid;
    }
    previous[k] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = k;
  }
  const chain: (readonly [number, number])[] = [];
  for (let k = tails.at(-1) ?? -1; k >= 0; k = previous[k]!) chain.push(pairs[k]!);
  return chain.reverse();
}

/** Lines unique to both ranges that keep their order: matched for certain, so Myers never has to find them. */
function anchors(a: readonly string[], aLo: number, aHi: number, b: readonly string[], bLo: number, bHi: number) {
  const inB = lineIndexes(b, bLo, bHi);
  const pairs: (readonly [number, number])[] = [];
  for (const [line, i] of lineIndexes(a, aLo, aHi)) {
    if (i === -1) continue;
    const j = inB.get(line);
    if (j !== undefined && j !== -1) pairs.push([i, j]);
  }
  return longestIncreasingChain(pairs);
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
  const kept = new Set<string>();
  for (let i = aLo; i < aLo + pre; i++) kept.add(a[i]!);
  for (let i = aHi - suf; i < aHi; i++) kept.add(a[i]!);
  const between = new Set<string>();
  for (let i = aLo + pre; i < aHi - suf; i++) {
    if (kept.has(a[i]!)) return false;
    between.add(a[i]!);
  }
  for (let j = bLo + pre; j < bHi - suf; j++) if (kept.has(b[j]!) || between.has(b[j]!)) return false;
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

/** The runs from `a` to `b`, covering both texts from start to end. */
export function diffLineRuns(a: readonly string[], b: readonly string[]): LineRun[] {
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
  for (const [i, j] of anchors(a, pre, aEnd, b, pre, bEnd)) {
    diffStretch(out, a, ai, i, b, bi, j);
    out.add(true, i, 1, j, 1);
    ai = i + 1;
    bi = j + 1;
  }
  diffStretch(out, a, ai, aEnd, b, bi, bEnd);
  out.add(true, aEnd, suf, bEnd, suf);
  return out.runs;
}
