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

/** The gzip size of the renderer's files ending in `ext`, and how many there are. */
function gzipped(assets: string, ext: string): { bytes: number; files: number } {
  const files = readdirSync(assets).filter((f) => f.endsWith(ext));
  return {
    bytes: files.reduce((sum, f) => sum + gzipSync(readFileSync(path.join(assets, f)), { level: 9 }).length, 0),
    files: files.length,
  };
}

export function benchBundleSize(ctx: BenchContext): void {
  const assets = path.join(ctx.root, 'dist/renderer/assets');
  if (!existsSync(assets)) {
    skip('ui.renderer-js-gzip', 'dist/renderer not built');
    return skip('ui.renderer-css-gzip', 'dist/renderer not built');
  }
  const js = gzipped(assets, '.js');
  report({
    name: 'ui.renderer-js-gzip',
    value: js.bytes / 1024,
    unit: 'KiB',
    goal: '< 300 KB',
    met: js.bytes < 300 * 1000,
    note: `${js.files} file(s)`,
  });
  // PatternFly's stylesheet, reported beside the JS goal (issue 16): it is loaded in parallel and cached.
  const css = gzipped(assets, '.css');
  report({ name: 'ui.renderer-css-gzip', value: css.bytes / 1024, unit: 'KiB', note: `${css.files} file(s), PatternFly included` });
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
