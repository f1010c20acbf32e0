/**
 * Run by review.bench.ts as a process of its own: recomputes the Review step for the 20,000-line domain (the
 * goal switching between SEV and SEV-ES) and prints the process's peak resident set size (KiB) before and
 * after, as JSON.
 */
import { alternatingRecompute, goalChanges, twentyThousandLineDomain } from './review-inputs';

const recompute = alternatingRecompute(goalChanges(twentyThousandLineDomain()));
const beforeKiB = process.resourceUsage().maxRSS;
for (let i = 0; i < 4; i++) {
  const d = recompute();
  if (!d.ok) throw new Error(d.problem);
}
process.stdout.write(JSON.stringify({ beforeKiB, peakKiB: process.resourceUsage().maxRSS }));
