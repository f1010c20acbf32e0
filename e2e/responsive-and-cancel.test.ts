/**
 * The wizard on a small screen and with a slow libvirt, in Chromium through serve mode: no step scrolls sideways
 * at 800×600, every label of the data-path picture stays inside its box at any width, and a libvirt call that
 * never answers shows its elapsed time and stops for good on Cancel (the virsh process is gone), with no second
 * submit while it runs.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { missingParts } from '../test/real-parts';
import { startSilentLibvirt } from '../test/silent-libvirt';
import { goToStep, openApp, privateHome } from './harness';

// Recent files and caches of this run's own.
const { env } = privateHome('vaw-e2e-rc-');

/** How far the page and any element that scrolls sideways reach beyond their box (nothing, when all fits). */
function sideways(page: Page): Promise<{ page: number; elements: string[] }> {
  return page.evaluate(() => ({
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    elements: [...document.querySelectorAll('body *')]
      .filter((e) => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
      .map((e) => `${e.tagName}.${String(e.className)}`),
  }));
}

/** Every label and sub-label of the data-path picture that sticks out of its box, with by how much. */
function labelsOutsideBoxes(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.vaw-path-box')].flatMap((box) => {
      const b = box.getBoundingClientRect();
      return [...box.querySelectorAll('.vaw-path-label, .vaw-path-sub')].flatMap((label) => {
        // The text's own extent, not its block: a Range measures the glyphs.
        const range = document.createRange();
        range.selectNodeContents(label);
        const r = range.getBoundingClientRect();
        const out = r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5;
        return out
          ? [`${label.textContent} (${Math.round(r.left)}-${Math.round(r.right)} in ${Math.round(b.left)}-${Math.round(b.right)})`]
          : [];
      });
    }),
  );
}

const missing = missingParts('chromium');
describe.skipIf(missing)(`small screens and slow calls in Chromium ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`no step scrolls sideways at 800×600 (${theme})`, async () => {
      const s = await openApp(env, { viewport: { width: 800, height: 600 }, colorScheme: theme });
      try {
        const { page } = s;
        await page.getByTestId('step-ready').waitFor();
        expect(await sideways(page), 'Start').toEqual({ page: 0, elements: [] });
        await s.screenshot(`800x600-${theme}-start`);
        await page.getByTestId('sample-sev-q35').click();
        await page.getByLabel('AMD SEV', { exact: true }).check();
        for (const step of ['Secure VM', 'Platform', 'Backends', 'Guest', 'Review', 'Apply']) {
          await goToStep(page, step);
          if (step === 'Review') await page.getByRole('button', { name: 'The changes to the XML (diff)' }).click();
          expect(await sideways(page), step).toEqual({ page: 0, elements: [] });
          await s.screenshot(`800x600-${theme}-${step.toLowerCase().replace(' ', '-')}`);
        }
        await page.getByRole('button', { name: 'Troubleshoot' }).click();
        await page.getByLabel('swiotlb buffer is full').check();
        expect(await sideways(page), 'Troubleshoot').toEqual({ page: 0, elements: [] });
        await s.screenshot(`800x600-${theme}-troubleshoot`);
        expect(s.consoleErrors).toEqual([]);
      } finally {
        await s.close();
      }
    });
  }

  it('every label of the data-path picture stays inside its box, from a phone to a wide screen', async () => {
    const s = await openApp(env, { viewport: { width: 1440, height: 900 } });
    try {
      const { page } = s;
      await page.getByTestId('sample-vhost-user').click();
      await page.getByLabel('AMD SEV-SNP', { exact: true }).check();
      await goToStep(page, 'Review');
      const device = page.getByTestId('path-device');
      const options = await device.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      for (const width of [1440, 1024, 800, 640, 480, 360]) {
        await page.setViewportSize({ width, height: 900 });
        for (const option of options) {
          await device.selectOption(option);
          await page.getByTestId('data-path').scrollIntoViewIfNeeded();
          expect(await labelsOutsideBoxes(page), `${option} at ${width} px`).toEqual([]);
        }
        if (width === 800 || width === 360) await s.screenshot(`data-path-${width}`);
      }
      expect(s.consoleErrors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it.skipIf(missingParts('virsh'))(
    'a libvirt call that never answers shows its elapsed time, allows no second submit, and Cancel kills its virsh',
    async () => {
      const daemon = await startSilentLibvirt();
      const s = await openApp(env);
      try {
        const { page } = s;
        await page.getByTestId('libvirt-uri').fill(daemon.uri);
        const list = page.getByRole('button', { name: 'List domains' });
        await list.click();
        await daemon.connected();
        const busy = page.getByTestId('busy');
        await busy.getByText(/Listing the domains on qemu\+unix/).waitFor();
        // The seconds count up while it waits (once a second: give the count time to pass 2, poll's default is 1 s).
        await expect
          .poll(async () => Number(/(\d+) s so far/.exec((await page.getByTestId('busy-elapsed').textContent()) ?? '')?.[1]), {
            timeout: 10_000,
          })
          .toBeGreaterThanOrEqual(2);
        await s.screenshot('slow-call');
        // No second submit while it runs.
        expect(await list.isDisabled()).toBe(true);
        // Listing runs three virsh at once; all of them wait on the daemon.
        expect(daemon.open()).toBeGreaterThanOrEqual(1);
        await page.getByTestId('cancel-call').click();
        await busy.waitFor({ state: 'detached' });
        // The virsh process is gone: the daemon sees its connection close.
        await daemon.allClosed();
        expect(daemon.open()).toBe(0);
        expect(await page.getByTestId('failure').count()).toBe(0);
        expect(await list.isDisabled()).toBe(false);
        expect(s.consoleErrors).toEqual([]);
      } finally {
        await s.close();
        await daemon.stop();
      }
    },
  );
});
