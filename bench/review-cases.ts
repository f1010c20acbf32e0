/**
 * The Review recomputes the benchmarks time, defined once for both engines they run in: Chromium, the renderer's
 * (review-page.ts, bundled for the page), and Node. Each case alternates two states so that every call recomputes.
 */
import { unifiedDiff } from '../src/domain-xml';
import { lineCount } from '../src/domain-xml/text-lines';
import type { DeriveInputs } from '../renderer/store/derived';
import { bigDomainXml } from './big-domain';
import { alternatingRecompute, goalChanges, handEditsAtBothEnds, twentyThousandLineDomain } from './review-inputs';
import { sampleIt } from './samples';

/**
 * `64-devices` and `20k-lines` switch the goal between SEV and SEV-ES (the plan edits every device);
 * `largest-corpus` and `20k-lines-hand-edit` type in the planned XML at both ends of the text.
 */
export type ReviewCase = '64-devices' | 'largest-corpus' | '20k-lines' | '20k-lines-hand-edit';

export interface ReviewTiming {
  /** Milliseconds of each measured recompute. */
  readonly samples: number[];
  /** What one recompute produced: lines, plan, diff. */
  readonly described: string;
}

function statesOf(which: ReviewCase, corpusText: string | null): readonly [DeriveInputs, DeriveInputs] {
  switch (which) {
    case '64-devices':
      return goalChanges(bigDomainXml(64));
    case 'largest-corpus':
      if (corpusText === null) throw new Error('the largest-corpus case needs the corpus domain’s text');
      return handEditsAtBothEnds(corpusText);
    case '20k-lines':
      return goalChanges(twentyThousandLineDomain());
    case '20k-lines-hand-edit':
      return handEditsAtBothEnds(twentyThousandLineDomain());
  }
}

/** What one recompute of these states produced, for the figure's note. */
function describeResult(states: readonly [DeriveInputs, DeriveInputs]): string {
  const d = alternatingRecompute(states)();
  if (!d.ok) throw new Error(`the Review step cannot derive this domain: ${d.problem}`);
  const plan = d.plan.impossible.length > 0 ? 'goal impossible' : `${d.plan.edits.length} plan edits`;
  return `${lineCount(states[0].text)} lines, ${plan}, ${lineCount(d.diff)}-line diff`;
}

/** `runs` recomputes of a case after `warmup` unmeasured ones. */
export function timeReviewCase(which: ReviewCase, runs: number, warmup: number, corpusText: string | null = null): ReviewTiming {
  const states = statesOf(which, corpusText);
  return { samples: sampleIt(alternatingRecompute(states), runs, warmup), described: describeResult(states) };
}

/** The diff alone of the 20,000-line domain's SEV plan (a change every few lines), without the edit list. */
export function timeDiff20k(runs: number, warmup: number): number[] {
  const states = goalChanges(twentyThousandLineDomain());
  const planned = alternatingRecompute(states)();
  if (!planned.ok) throw new Error(`the Review step cannot derive the 20,000-line domain: ${planned.problem}`);
  const before = states[0].text;
  return sampleIt(() => unifiedDiff(before, planned.planned, { fromLabel: 'a', toLabel: 'b' }), runs, warmup);
}
