/** The renderer as shipped: bundle size (gzip), and navigation to an interactive first step in Chromium. */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BenchContext } from './context';
import { median } from './measure';
import { report, skip } from './figures';
import { startServeProcess } from './serve-process';

const CHROMIUM = process.env.VAW_CHROMIUM ?? '/usr/bin/chromium';

export function benchBundleSize(ctx: BenchContext): void {
  const name = 'ui.renderer-js-gzip';
  const assets = path.join(ctx.root, 'dist/renderer/assets');
  if (!existsSync(assets)) return skip(name, 'dist/renderer not built');
  const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
  const bytes = js.reduce((sum, f) => sum + gzipSync(readFileSync(path.join(assets, f)), { level: 9 }).length, 0);
  report({ name, value: bytes / 1024, unit: 'KiB', goal: '< 300 KB', met: bytes < 300 * 1000, note: `${js.length} file(s)` });
}

export async function benchFirstStepInteractive(ctx: BenchContext): Promise<void> {
  const name = 'ui.navigation-to-first-step';
  if (!existsSync(CHROMIUM)) return skip(name, `${CHROMIUM} not installed (Debian package chromium)`);
  const serve = await startServeProcess(ctx.cli);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const samples: number[] = [];
    const runs = ctx.quick ? 5 : 15;
    for (let i = 0; i < runs + 2; i++) {
      const page = await browser.newPage();
      await page.goto(serve.url);
      await page.waitForSelector('[data-testid="step-ready"]');
      // performance.now() counts from the navigation's time origin, so this is navigation → interactive step.
      const ms = await page.evaluate(() => performance.now());
      if (i >= 2) samples.push(ms);
      await page.close();
    }
    const value = median(samples);
    report({ name, value, unit: 'ms', goal: '< 500 ms', met: value < 500 });
  } finally {
    await browser.close();
    await serve.stop();
  }
}
