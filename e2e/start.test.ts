/**
 * `npm start` where Electron cannot start: one clear line, then serve mode, whose URL shows the app in Chromium
 * with no console errors. ELECTRON_OVERRIDE_DIST_PATH (Electron's own switch) points at a folder without a
 * binary, so the test takes this path on every machine, with or without a display or a downloaded Electron.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { missingParts, repoRoot } from '../test/real-parts';
import { closeBrowser, openPage } from './harness';

const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-start-'));
afterAll(async () => {
  await closeBrowser();
  rmSync(work, { recursive: true, force: true });
});

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => createInterface({ input: stream }).once('line', resolve));
}

const missing = missingParts('chromium');
describe.skipIf(missing)(`npm start without Electron ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('says why in one line, falls back to serve mode, and the printed URL shows the app with no console errors', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/start.mjs')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        ELECTRON_OVERRIDE_DIST_PATH: path.join(work, 'no-electron'),
        XDG_CONFIG_HOME: path.join(work, 'config'),
        XDG_STATE_HOME: path.join(work, 'state'),
        XDG_CACHE_HOME: path.join(work, 'cache'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const stderrLines: string[] = [];
      createInterface({ input: child.stderr! }).on('line', (l) => stderrLines.push(l));
      const url = await firstLine(child.stdout!);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
      const why = stderrLines.find((l) => l.startsWith('Virtio Access Wizard: Electron cannot start here'));
      expect(why).toContain('no Electron binary at');
      expect(why).toContain('open the URL below in a browser');

      const s = await openPage(url);
      try {
        await s.page.getByTestId('step-ready').waitFor();
        await expect(s.page.title()).resolves.toBe('Virtio Access Wizard');
        expect(s.consoleErrors).toEqual([]);
        // The served scripts are React's production build (its development build registers with the devtools).
        const scripts = await s.page.evaluate(() =>
          [...document.querySelectorAll<HTMLScriptElement | HTMLLinkElement>('script[src], link[rel=modulepreload]')].map((e) =>
            'src' in e ? e.src : e.href,
          ),
        );
        expect(scripts.length).toBeGreaterThan(1);
        for (const src of scripts)
          expect((await (await fetch(src)).text()).includes('registerInternalModuleStart'), `development React in ${src}`).toBe(false);
      } finally {
        await s.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe.skipIf(missing)(`npm start when Electron fails at start ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('says so in one line and serves the app instead', async () => {
    // An "Electron" that exits at once with an error, as one missing a system library does.
    const dist = path.join(work, 'broken-electron');
    mkdirSync(dist, { recursive: true });
    writeFileSync(path.join(dist, 'electron'), '#!/bin/sh\necho "error while loading shared libraries: libgtk-3.so.0" >&2\nexit 127\n', {
      mode: 0o755,
    });
    const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/start.mjs')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        ELECTRON_OVERRIDE_DIST_PATH: dist,
        DISPLAY: ':99',
        XDG_CONFIG_HOME: path.join(work, 'config2'),
        XDG_STATE_HOME: path.join(work, 'state2'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const stderrLines: string[] = [];
      createInterface({ input: child.stderr! }).on('line', (l) => stderrLines.push(l));
      const url = await firstLine(child.stdout!);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
      expect(stderrLines).toContain(
        'Virtio Access Wizard: Electron cannot start here: Electron exited at start with status 127. Serving the app instead; open the URL below in a browser.',
      );
    } finally {
      child.kill('SIGTERM');
    }
  });
});
