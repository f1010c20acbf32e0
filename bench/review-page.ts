/**
 * The Review cases in a page: bundled for the browser by scripts/bench.mjs (dist/bench/review-page.js) and run by
 * review.bench.ts in Chromium, where the renderer computes them.
 */
import { timeDiff20k, timeReviewCase } from './review-cases';

declare global {
  interface Window {
    vawReviewBench: { readonly timeReviewCase: typeof timeReviewCase; readonly timeDiff20k: typeof timeDiff20k };
  }
}

window.vawReviewBench = { timeReviewCase, timeDiff20k };
