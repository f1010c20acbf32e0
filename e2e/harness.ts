/**
 * End-to-end harness: the built `virtio-access serve` (the real services) and Debian's Chromium driven by
 * playwright-core. Screenshots go to test-results/screenshots/ as test artifacts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll } from 'vitest';
import { repoRoot } from '../test/real-parts';

export const CHROMIUM = process.env.VAW_CHROMIUM ?? '/usr/bin/chromium';
const shots = path.join(repoRoot, 'test-results/screenshots');

export interface Session {
  readonly page: Page;
  readonly url: string;
  /** Console errors and page errors seen so far; a clean run has none. */
  readonly consoleErrors: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startServe(env: NodeJS.ProcessEnv = {}): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/cli/virtio-access.cjs'), 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return { url, child };
}

let browser: Browser | null = null;

export interface PageOptions {
  readonly colorScheme?: 'light' | 'dark';
  readonly viewport?: { readonly width: number; readonly height: number };
}

export async function openApp(env: NodeJS.ProcessEnv = {}, options: PageOptions = {}): Promise<Session> {
  const { url, child } = await startServe(env);
  return openPage(url, () => child.kill('SIGTERM'), options);
}

/** Opens `url` (a serve URL with its token) in a fresh Chromium page (1280×800 unless asked) that records console errors. */
export async function openPage(url: string, onClose: () => void = () => {}, options: PageOptions = {}): Promise<Session> {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu'],
  });
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(url);
  mkdirSync(shots, { recursive: true });
  return {
    page,
    url,
    consoleErrors,
    screenshot: async (name) => {
      await page.screenshot({ path: path.join(shots, `${name}.png`) });
    },
    close: async () => {
      await context.close();
      onClose();
    },
  };
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = null;
}

/** Opens a domain XML file by its path on the Start step, as a user types it, and waits for the next step. */
export async function openFileByPath(page: Page, file: string): Promise<void> {
  await page.getByTestId('file-path').fill(file);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'Secure VM' }).waitFor();
}

/** Goes to a step through the wizard's own navigation (the step list, or its toggle on a narrow window). */
export async function goToStep(page: Page, title: string): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Wizard steps' });
  const toggle = page.getByRole('button', { name: 'Wizard toggle' });
  if (!(await nav.getByRole('button', { name: new RegExp(`${title}$`) }).isVisible()) && (await toggle.isVisible())) await toggle.click();
  await nav.getByRole('button', { name: new RegExp(`${title}$`) }).click();
  await page.getByRole('heading', { level: 2, name: title === 'Start' ? 'Choose a domain' : title }).waitFor();
}

/**
 * A private home (HOME and the XDG folders: recent files, caches, the Save As folder) for one e2e file's serve
 * processes, removed with the browser after the file.
 */
export function privateHome(prefix: string): { readonly work: string; readonly env: NodeJS.ProcessEnv } {
  const work = mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(async () => {
    await closeBrowser();
    rmSync(work, { recursive: true, force: true });
  });
  return {
    work,
    env: {
      HOME: work,
      XDG_STATE_HOME: path.join(work, 'state'),
      XDG_CACHE_HOME: path.join(work, 'cache'),
      XDG_CONFIG_HOME: path.join(work, 'config'),
    },
  };
}
