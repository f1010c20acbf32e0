/**
 * The unified diff: what it prints is a patch that turns the first text into the second (checked with jsdiff's
 * patch parser and with the real patch(1)), as small as a minimal diff on planned domains, and near-linear on
 * big ones (the anchors keep Myers to short stretches; timings themselves are in `npm run bench`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyPatch, diffArrays } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bigDomainXml } from '../../bench/big-domain';
import { CAPABLE_HOST, LINUX_GUEST, input } from '../../test/engine-facts';
import { missingParts } from '../../test/real-parts';
import { planFor } from '../engine';
import { applyEdits, applyEditsForReading, parseDomainXml, readDomainFacts, unifiedDiff } from './index';
import { changedLineRuns, diffLineRuns } from './line-diff';
import type { TextChange } from './text-change';

/** Texts from few distinct lines, so that some lines are unique (anchors) and others repeat (Myers' work). */
const text = fc
  .array(fc.constantFrom('<disk>', '</disk>', "<driver iommu='on'/>", '', '  x', 'a', 'b', 'c', 'unique-1', 'unique-2'), { maxLength: 40 })
  .chain((lines) => fc.tuple(fc.constant(lines), fc.boolean()))
  .map(([lines, finalNewline]) => lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : ''));

/** A text and an edited copy of it: lines deleted, inserted, replaced, or the final newline toggled. */
const pair = fc
  .tuple(text, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.constantFrom('new', 'a', '<disk>', 'unique-3', '')), { maxLength: 8 }))
  .map(([before, edits]) => {
    const lines = before.split('\n');
    for (const [at, kind, line] of edits) {
      const i = at % (lines.length + 1);
      if (kind === 0) lines.splice(i, 1);
      else if (kind === 1) lines.splice(i, 0, line);
      else lines.splice(i, 1, line);
    }
    return [before, lines.join('\n')] as const;
  });

function planned(devices: number): { before: string; after: string } {
  const before = bigDomainXml(devices);
  const engineInput = input({
    domain: readDomainFacts(parseDomainXml(before)),
    host: CAPABLE_HOST,
    guest: LINUX_GUEST,
    goals: { secure: 'sev' },
  });
  return { before, after: applyEdits(before, planFor(engineInput).edits) };
}

function changedLineCount(diff: string): number {
  return diff
    .split('\n')
    .slice(2)
    .filter((l) => l.startsWith('-') || l.startsWith('+')).length;
}

describe('unifiedDiff as a patch', () => {
  it('turns the first text into the second when applied (jsdiff parses and applies it)', () => {
    fc.assert(
      fc.property(pair, ([before, after]) => {
        const diff = unifiedDiff(before, after, { fromLabel: 'a', toLabel: 'b' });
        expect(diff === '').toBe(before === after);
        if (diff !== '') expect(applyPatch(before, diff)).toBe(after);
      }),
      { numRuns: 500, seed: 20261202 },
    );
  });

  it('turns the same first text into each of several second texts in turn, and another first text too', () => {
    fc.assert(
      fc.property(pair, pair, ([before, after], [other, otherAfter]) => {
        // The first text's split is kept from one call to the next (the wizard diffs every plan against one text).
        for (const [from, to] of [
          [before, after],
          [before, other],
          [other, otherAfter],
          [before, after],
        ] as const) {
          const diff = unifiedDiff(from, to, { fromLabel: 'a', toLabel: 'b' });
          expect(diff === '').toBe(from === to);
          if (diff !== '') expect(applyPatch(from, diff)).toBe(to);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('prints each change as its removed lines, then its added lines, as diff -u does', () => {
    fc.assert(
      fc.property(pair, ([before, after]) => {
        const body = unifiedDiff(before, after, { fromLabel: 'a', toLabel: 'b' }).split('\n').slice(2);
        for (let i = 1; i < body.length; i++) expect(body[i - 1]!.startsWith('+') && body[i]!.startsWith('-')).toBe(false);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('is as small as a minimal (Myers) diff for a plan that edits every device of a 250-device domain', () => {
    const { before, after } = planned(250);
    const minimal = diffArrays(before.split('\n'), after.split('\n'))
      .filter((c) => c.added || c.removed)
      .reduce((n, c) => n + c.count, 0);
    expect(minimal).toBeGreaterThan(250);
    expect(changedLineCount(unifiedDiff(before, after, { fromLabel: 'a', toLabel: 'b' }))).toBe(minimal);
  });

  it('matches the lines that occur once in both texts before running Myers between them', () => {
    // Two unique lines swapped: only one of them can stay matched, and the runs cover both texts in order.
    const a = ['x', 'u1', 'y', 'u2', 'z'];
    const b = ['x', 'u2', 'y', 'u1', 'z'];
    const runs = diffLineRuns(a, b);
    let ai = 0;
    let bi = 0;
    for (const r of runs) {
      expect([r.aStart, r.bStart]).toEqual([ai, bi]);
      if (r.same) expect(a.slice(r.aStart, r.aStart + r.aCount)).toEqual(b.slice(r.bStart, r.bStart + r.bCount));
      ai += r.aCount;
      bi += r.bCount;
    }
    expect([ai, bi]).toEqual([a.length, b.length]);
    expect(runs.filter((r) => r.same).reduce((n, r) => n + r.aCount, 0)).toBe(3);
  });
});

describe('diffLineRuns without anchors', () => {
  /** The pairs of lines a diff keeps (matches), from its runs or from jsdiff's changes. */
  const keptByRuns = (runs: ReturnType<typeof diffLineRuns>): string[] =>
    runs.filter((r) => r.same).flatMap((r) => Array.from({ length: r.aCount }, (_, k) => `${r.aStart + k}:${r.bStart + k}`));
  const keptByMyers = (a: string[], b: string[]): string[] => {
    const kept: string[] = [];
    let ai = 0;
    let bi = 0;
    for (const c of diffArrays(a, b)) {
      if (!c.added && !c.removed) for (let k = 0; k < c.count; k++) kept.push(`${ai + k}:${bi + k}`);
      if (!c.added) ai += c.count;
      if (!c.removed) bi += c.count;
    }
    return kept;
  };
  // Every line written twice: none occurs once, so there are no anchors and the texts' middle is one stretch,
  // which diffLineRuns either finds plain (kept start and end, the rest sharing no line) or gives to Myers.
  const doubled = fc
    .array(fc.constantFrom('a', 'b', 'c', 'd', '<disk>', '</disk>'), { maxLength: 12 })
    .map((ls) => ls.flatMap((l) => [l, l]));

  it('keeps the very lines Myers (jsdiff) keeps, plain stretches included', () => {
    fc.assert(
      fc.property(doubled, doubled, (a, b) => {
        let pre = 0;
        while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
        let suf = 0;
        while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
        const mid = keptByMyers(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf)).map((p) => {
          const [i, j] = p.split(':').map(Number);
          return `${i! + pre}:${j! + pre}`;
        });
        const ends = [
          ...Array.from({ length: pre }, (_, k) => `${k}:${k}`),
          ...mid,
          ...Array.from({ length: suf }, (_, k) => `${a.length - suf + k}:${b.length - suf + k}`),
        ];
        expect(keptByRuns(diffLineRuns(a, b))).toEqual(ends);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('diffLineRuns checking stretches', () => {
  const kept = (runs: ReturnType<typeof diffLineRuns>): number => runs.filter((r) => r.same).reduce((n, r) => n + r.aCount, 0);
  // Lines from a few values, every one at least twice, between a first and a last line of each text's own: no
  // common start or end and no line once in both, so no anchors, and the texts are one stretch, longer than the
  // 32 lines diffLineRuns checks by scanning (it then checks with sets).
  const long = (own: string) =>
    fc
      .array(fc.constantFrom('a', 'b', 'c', '<disk>', '</disk>', 'x', 'y'), { minLength: 17, maxLength: 40 })
      .map((ls) => [`${own} first`, ...ls, ...ls, `${own} last`]);

  it('keeps as many lines as Myers (jsdiff) in stretches too long to scan', () => {
    fc.assert(
      fc.property(long('a'), long('b'), (a, b) => {
        const myers = diffArrays(a, b)
          .filter((c) => !c.added && !c.removed)
          .reduce((n, c) => n + c.count, 0);
        expect(kept(diffLineRuns(a, b))).toBe(myers);
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same runs with the first text's memo as without, whatever was diffed from it before", () => {
    const lines = fc.array(fc.constantFrom('a', 'b', '<disk>', 'u1', 'u2', 'u3', 'u4'), { maxLength: 30 });
    fc.assert(
      fc.property(lines, fc.array(lines, { minLength: 1, maxLength: 6 }), (a, bs) => {
        const memo = {};
        for (const b of bs) expect(diffLineRuns(a, b, memo)).toEqual(diffLineRuns(a, b));
      }),
      { numRuns: 1000 },
    );
  });
});

/**
 * A text edited by splices at random character offsets (within lines, across line breaks, at the ends), with the
 * list of what each splice did, as an editor reports it.
 */
const spliced = fc
  .tuple(
    text,
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.constantFrom('', 'x', '\n', ' a\n<disk>', '</disk>\n', 'unique-3')), {
      maxLength: 6,
    }),
  )
  .map(([before, raw]) => {
    // Sorted, non-overlapping splices of `before`.
    const cuts = raw.map(([at, span, insert]) => ({ at: at % (before.length + 1), span, insert })).sort((x, y) => x.at - y.at);
    const changes: TextChange[] = [];
    let after = '';
    let at = 0;
    for (const cut of cuts) {
      if (cut.at < at) continue;
      const end = Math.min(before.length, cut.at + cut.span);
      after += before.slice(at, cut.at) + cut.insert;
      changes.push({ start: cut.at, end, length: cut.insert.length });
      at = end;
    }
    return { before, after: after + before.slice(at), changes };
  });

describe('unifiedDiff told where the text changed', () => {
  const labels = { fromLabel: 'a', toLabel: 'b' };

  it('prints a patch that turns the first text into the second, diffing only the changed lines', () => {
    fc.assert(
      fc.property(spliced, ({ before, after, changes }) => {
        const diff = unifiedDiff(before, after, labels, changes);
        expect(diff === '').toBe(before === after);
        if (diff !== '') expect(applyPatch(before, diff)).toBe(after);
        // No line outside a change is printed as changed: at most the changed lines, and their neighbours' count.
        expect(changedLineCount(diff)).toBeLessThanOrEqual(changedLineCount(unifiedDiff(before, after, labels)) + 4 * changes.length);
      }),
      { numRuns: 1000, seed: 20261203 },
    );
  });

  it('finds the runs from the changed lines alone, covering both texts, every kept line the same in both', () => {
    // The diff's lines (unified-diff.ts): an unterminated last line has a line break added; where each starts,
    // and after them the text's length (plus one after an unterminated last line).
    const split = (t: string) => {
      const lines = t.split('\n');
      const last = lines.pop()!;
      if (last !== '') lines.push(`${last}\n`);
      const starts = new Int32Array(lines.length + 1);
      for (let i = 0, at = 0; i <= lines.length; i++) {
        starts[i] = at;
        at += (lines[i] ?? '').length + (lines[i]?.endsWith('\n') ? 0 : 1);
      }
      return { lines, starts };
    };
    fc.assert(
      fc.property(spliced, ({ before, after, changes }) => {
        const a = split(before);
        const b = split(after);
        const runs = changedLineRuns(before, a.lines, a.starts, after, b.starts, changes);
        expect(runs).not.toBeNull();
        let ai = 0;
        let bi = 0;
        for (const r of runs!) {
          expect([r.aStart, r.bStart]).toEqual([ai, bi]);
          if (r.same) expect(a.lines.slice(ai, ai + r.aCount)).toEqual(b.lines.slice(bi, bi + r.bCount));
          ai += r.aCount;
          bi += r.bCount;
        }
        expect([ai, bi]).toEqual([a.lines.length, b.lines.length]);
      }),
      { numRuns: 1000, seed: 3 },
    );
  });

  it('prints the whole-text diff when the changes given do not turn the first text into the second', () => {
    fc.assert(
      fc.property(spliced, fc.nat(), fc.integer({ min: -3, max: 3 }), ({ before, after, changes }, which, shift) => {
        const k = which % Math.max(1, changes.length);
        fc.pre(changes.length > 0 && shift !== 0 && changes[k]!.length + shift >= 0);
        // One change's length off: the lengths no longer add up to the second text's.
        const wrong = changes.map((c, i) => (i === k ? { ...c, length: c.length + shift } : c));
        const diff = unifiedDiff(before, after, labels, wrong);
        expect(diff).toBe(unifiedDiff(before, after, labels));
      }),
      { numRuns: 500, seed: 5 },
    );
  });

  it('prints the very diff of the whole texts for a plan that edits every device of a 1,000-device domain', () => {
    const before = bigDomainXml(1000);
    const parsed = parseDomainXml(before);
    const engineInput = input({ domain: readDomainFacts(parsed), host: CAPABLE_HOST, guest: LINUX_GUEST, goals: { secure: 'sev' } });
    const applied = applyEditsForReading(parsed, planFor(engineInput).edits);
    expect(applied.changes?.length).toBeGreaterThan(1000);
    expect(unifiedDiff(before, applied.text, labels, applied.changes)).toBe(unifiedDiff(before, applied.text, labels));
  });
});

const noPatch = missingParts('patch');
describe.skipIf(noPatch)(`unifiedDiff with the real patch(1) ${noPatch ? `(skipped: ${noPatch})` : ''}`, () => {
  it('patch applies the diff of a 1,000-device (4,500-line) plan and of random edits exactly', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-udiff-'));
    try {
      const cases = [planned(1000), ...fc.sample(pair, { numRuns: 30, seed: 11 }).map(([before, after]) => ({ before, after }))];
      for (const [i, { before, after }] of cases.entries()) {
        if (before === after) continue;
        const file = path.join(dir, `${i}.txt`);
        const out = path.join(dir, `${i}.out`);
        writeFileSync(file, before);
        const r = spawnSync('patch', ['-s', '-o', out, file], {
          input: unifiedDiff(before, after, { fromLabel: 'a', toLabel: 'b' }),
          encoding: 'utf8',
        });
        expect(r.status, `case ${i}: ${r.stdout}${r.stderr}`).toBe(0);
        expect(readFileSync(out, 'utf8'), `case ${i}`).toBe(after);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
