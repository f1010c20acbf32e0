/**
 * The page bundle the Review figures are timed in (`npm run bench`) runs in Chromium and derives what Node derives
 * from the same case: the figures time the product's work, not a page that failed half-way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReviewPage } from '../scripts/bench-bundles.mjs';
import { missingParts } from '../test/real-parts';
import { launchChromium } from './chromium';
import { timeReviewCase } from './review-cases';

const noChromium = missingParts('chromium');
const out = mkdtempSync(path.join(os.tmpdir(), 'vaw-bench-page-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(noChromium)(`the Review benchmark page ${noChromium ? `(skipped: ${noChromium})` : ''}`, () => {
  it('times the 64-device case in Chromium and describes the same recompute as Node', async () => {
    await buildReviewPage(out);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.addScriptTag({ path: path.join(out, 'review-page.js') });
      const inPage = await page.evaluate(() => window.vawReviewBench.timeReviewCase('64-devices', 3, 1));
      expect(inPage.samples).toHaveLength(3);
      for (const ms of inPage.samples) expect(ms).toBeGreaterThan(0);
      expect(inPage.described).toBe(timeReviewCase('64-devices', 1, 0).described);
      expect(inPage.described).toMatch(/^\d+ lines, \d+ plan edits, \d+-line diff$/);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
