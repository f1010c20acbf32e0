/**
 * Run by review.bench.ts as a process of its own: recomputes the Review step for the 20,000-line domain and
 * prints the process's peak resident set size (KiB) before and after, as JSON.
 */
import { derive } from '../renderer/store/derived';
import { reviewInputs, twentyThousandLineDomain } from './review-inputs';

const inputs = reviewInputs(twentyThousandLineDomain());
const beforeKiB = process.resourceUsage().maxRSS;
for (let i = 0; i < 3; i++) {
  const d = derive(inputs);
  if (!d.ok) throw new Error(d.problem);
}
process.stdout.write(JSON.stringify({ beforeKiB, peakKiB: process.resourceUsage().maxRSS }));
