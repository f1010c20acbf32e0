/** A unified diff (`diff -u` format, 3 lines of context) of two texts, line by line. */

interface Op {
  readonly kind: ' ' | '-' | '+';
  readonly line: string;
  /** Whether this line is the last one of its text and has no final newline. */
  readonly noEol: boolean;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Longest-common-subsequence diff of the middle part (after trimming a common prefix and suffix). */
function diffLines(a: readonly string[], b: readonly string[]): { kind: ' ' | '-' | '+'; ai: number; bi: number }[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const n = a.length - pre - suf;
  const m = b.length - pre - suf;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i]!;
    const below = lcs[i + 1]!;
    for (let j = m - 1; j >= 0; j--) {
      row[j] = a[pre + i] === b[pre + j] ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
    }
  }
  const out: { kind: ' ' | '-' | '+'; ai: number; bi: number }[] = [];
  for (let k = 0; k < pre; k++) out.push({ kind: ' ', ai: k, bi: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[pre + i] === b[pre + j]) {
      out.push({ kind: ' ', ai: pre + i++, bi: pre + j++ });
    } else if (j < m && (i === n || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) {
      // On a tie the removal goes first, as diff -u prints a changed line: - old, then + new.
      out.push({ kind: '+', ai: pre + i, bi: pre + j++ });
    } else {
      out.push({ kind: '-', ai: pre + i++, bi: pre + j });
    }
  }
  for (let k = 0; k < suf; k++) out.push({ kind: ' ', ai: a.length - suf + k, bi: b.length - suf + k });
  return out;
}

/** `diff -u` style output; '' when the texts are equal. */
export function unifiedDiff(before: string, after: string, labels: { readonly fromLabel: string; readonly toLabel: string }): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const aNoEol = before !== '' && !before.endsWith('\n');
  const bNoEol = after !== '' && !after.endsWith('\n');
  const raw = diffLines(a, b);
  // A last line that differs only in its final newline is a change, not context.
  const ops: (Op & { ai: number; bi: number })[] = [];
  for (const r of raw) {
    const aLast = r.ai === a.length - 1 && aNoEol;
    const bLast = r.bi === b.length - 1 && bNoEol;
    if (r.kind === ' ' && aLast !== bLast) {
      ops.push({ kind: '-', line: a[r.ai]!, noEol: aLast, ai: r.ai, bi: r.bi });
      ops.push({ kind: '+', line: b[r.bi]!, noEol: bLast, ai: r.ai + 1, bi: r.bi });
    } else if (r.kind === '+') ops.push({ kind: '+', line: b[r.bi]!, noEol: bLast, ai: r.ai, bi: r.bi });
    else ops.push({ kind: r.kind, line: a[r.ai]!, noEol: r.kind === '-' ? aLast : aLast && bLast, ai: r.ai, bi: r.bi });
  }
  const context = 3;
  const out = [`--- ${labels.fromLabel}`, `+++ ${labels.toLabel}`];
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k]!.kind === ' ') k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while the next change is within 2*context unchanged lines.
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== ' ') end++;
      let gap = end;
      while (gap < ops.length && ops[gap]!.kind === ' ') gap++;
      if (gap < ops.length && gap - end <= 2 * context) end = gap;
      else {
        end = Math.min(ops.length, end + context);
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
      out.push(`${o.kind}${o.line}`);
      if (o.noEol) out.push('\\ No newline at end of file');
    }
    k = end;
  }
  return `${out.join('\n')}\n`;
}
