#!/usr/bin/env node
// Renders assets/icon.svg to assets/icons/<N>x<N>.png in the sizes Linux desktops use (electron.config.ts
// ICON_SIZES), with Debian's Chromium. Run after changing the SVG; the PNGs are committed.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sizes = [16, 24, 32, 48, 64, 128, 256, 512];
const svg = readFileSync(path.join(root, 'assets/icon.svg'), 'utf8');
const out = path.join(root, 'assets/icons');
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  for (const size of sizes) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const sized = svg.replace(/width="\d+" height="\d+"/, `width="${size}" height="${size}"`);
    await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`);
    await page.locator('svg').screenshot({ path: path.join(out, `${size}x${size}.png`), omitBackground: true });
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(`rendered ${sizes.length} icons into ${path.relative(root, out)}/`);
