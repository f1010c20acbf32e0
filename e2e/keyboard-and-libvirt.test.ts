/**
 * Flows a mouse user never checks: the whole wizard by keyboard alone, both colour themes free of axe
 * violations (including contrast, which needs Chromium's layout), and defining through the real libvirtd.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { defineXml, fixtureNamed, inactiveXml, removeDomains, SYSTEM } from '../test/libvirt-domains';
import { missingParts, repoRoot } from '../test/real-parts';
import { AxeCheck } from './axe';
import { closeBrowser, openApp, openFileByPath } from './harness';

const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-e2e-kb-'));
const env = {
  XDG_STATE_HOME: path.join(work, 'state'),
  XDG_CACHE_HOME: path.join(work, 'cache'),
  XDG_CONFIG_HOME: path.join(work, 'config'),
};
afterAll(async () => {
  await closeBrowser();
  rmSync(work, { recursive: true, force: true });
});

/** Presses Tab until the focused element's accessible text matches, as a keyboard user would. */
async function tabTo(page: Page, name: RegExp): Promise<void> {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const text = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
      return `${el.getAttribute('aria-label') ?? ''} ${label ?? ''} ${el.tagName === 'INPUT' ? '' : (el.textContent ?? '')}`.trim();
    });
    if (name.test(text)) return;
  }
  throw new Error(`Tab never reached a control named ${name}`);
}

/** Start step: lists qemu:///system and opens the named domain; waits for Platform. */
async function loadFromLibvirt(page: Page, name: string): Promise<void> {
  await page.getByTestId('libvirt-uri').fill(SYSTEM);
  await page.getByRole('button', { name: 'List domains' }).click();
  await page.getByTestId(`domain-${name}`).click();
  await page.getByRole('heading', { name: 'Platform' }).waitFor();
}

/** Start step: Tab to the path field, type the path, Enter; waits for Platform. */
async function openFileByKeyboard(page: Page, file: string): Promise<void> {
  await page.getByTestId('step-ready').waitFor();
  await tabTo(page, /Path on this machine/);
  await page.keyboard.type(file);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Platform' }).waitFor();
}

const missing = missingParts('chromium');
describe.skipIf(missing)(`keyboard, themes and libvirt in Chromium ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('opens a file, walks every step and saves, with the keyboard only', async () => {
    const file = path.join(work, 'keyboard.xml');
    copyFileSync(path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml'), file);
    const s = await openApp(env);
    try {
      const { page } = s;
      await openFileByKeyboard(page, file);
      for (const next of [/^Next: Secure/, /^Next: Backends/, /^Next: Guest/, /^Next: Review/]) {
        await tabTo(page, next);
        await page.keyboard.press('Enter');
      }
      await page.getByTestId('review-summary').waitFor();
      expect(await page.getByTestId('review-summary').textContent()).toMatch(/0 errors left/);
      await tabTo(page, /^Next: Apply/);
      await page.keyboard.press('Enter');
      await tabTo(page, /^Save$/);
      await page.keyboard.press('Enter');
      await page.getByTestId('applied').waitFor();
      expect(readFileSync(file, 'utf8')).not.toContain("iommu='on'");
      await s.screenshot('keyboard-applied');
      expect(s.consoleErrors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('troubleshoots and reaches the fix with the keyboard only', async () => {
    const file = path.join(work, 'keyboard-ts.xml');
    copyFileSync(path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml'), file);
    const s = await openApp(env);
    try {
      const { page } = s;
      await openFileByKeyboard(page, file);
      await tabTo(page, /^Troubleshoot$/);
      await page.keyboard.press('Enter');
      // A radio group takes one Tab; the arrow keys move within it, as in any form.
      await tabTo(page, /Confidential VM has no virtio disk or network/);
      for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowDown');
      await page.getByTestId('diagnosis').getByText('R-XML-05').waitFor();
      await tabTo(page, /^Review the fix$/);
      await page.keyboard.press('Enter');
      await page.getByTestId('review-summary').waitFor();
      expect(await page.getByTestId('diff').textContent()).toContain("-      <driver iommu='on'/>");
      expect(s.consoleErrors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it.skipIf(missingParts('virsh'))('loads a domain from a libvirt connection with the keyboard only', async () => {
    const s = await openApp(env);
    try {
      const { page } = s;
      await page.getByTestId('step-ready').waitFor();
      await tabTo(page, /Connection URI/);
      await page.keyboard.type('test:///default');
      await page.keyboard.press('Enter');
      await tabTo(page, /^test\b/);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Platform' }).waitFor();
      expect(s.consoleErrors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no accessibility violations, contrast included, on any step in the ${colorScheme} theme`, async () => {
      const s = await openApp(env, { colorScheme });
      try {
        const { page } = s;
        await page.getByTestId('step-ready').waitFor();
        expect(await new AxeCheck(page).violations()).toEqual([]);
        await page.getByTestId('sample-transitional-i440fx').click();
        for (const step of ['Platform', 'Secure VM', 'Backends', 'Guest', 'Review', 'Apply']) {
          await page
            .getByRole('navigation', { name: 'Wizard steps' })
            .getByRole('button', { name: new RegExp(`${step}$`) })
            .click();
          await page.getByRole('heading', { level: 2, name: step }).waitFor();
          expect(await new AxeCheck(page).violations(), `${step} (${colorScheme})`).toEqual([]);
          // Usable at 1024×700: nothing wider than the window (no sideways scrolling anywhere).
          const overflow = await page.evaluate(() =>
            [...document.querySelectorAll('body *')]
              .filter((e) => e.tagName !== 'PRE' && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
              .map((e) => e.tagName + '.' + e.className),
          );
          expect(overflow, `${step}: elements scrolling sideways`).toEqual([]);
          expect(await page.evaluate(() => document.documentElement.scrollWidth), step).toBeLessThanOrEqual(1024);
        }
        await page.getByRole('button', { name: 'Troubleshoot' }).click();
        await page.getByRole('radio').first().check();
        expect(await new AxeCheck(page).violations(), `Troubleshoot (${colorScheme})`).toEqual([]);
        await s.screenshot(`theme-${colorScheme}-troubleshoot`);
        expect(s.consoleErrors).toEqual([]);
      } finally {
        await s.close();
      }
    });
  }

  const noDaemon = missingParts('libvirtd', 'qemu');
  it.skipIf(noDaemon)(
    `shows the QEMU command line libvirt builds for the planned XML of a file ${noDaemon ? `(skipped: ${noDaemon})` : ''}`,
    async () => {
      const file = path.join(work, 'argv.xml');
      copyFileSync(path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml'), file);
      const s = await openApp(env);
      try {
        const { page } = s;
        await openFileByPath(page, file);
        await page
          .getByRole('navigation', { name: 'Wizard steps' })
          .getByRole('button', { name: /Review$/ })
          .click();
        await page.getByRole('button', { name: 'Ask libvirt for the planned command line' }).click();
        const argv = (await page.getByTestId('qemu-argv').textContent()) ?? '';
        // The planned rng stays transitional and loses iommu='on' (an ordinary VM): libvirt passes neither bit on.
        expect(argv).toMatch(/virtio-rng-pci-transitional/);
        expect(argv).not.toMatch(/iommu_platform/);
        await s.screenshot('review-qemu-argv');
        expect(s.consoleErrors).toEqual([]);
      } finally {
        await s.close();
      }
    },
  );

  it.skipIf(noDaemon)(
    `loads a domain from the real libvirtd, defines the fix with a backup, and the domain keeps it ${noDaemon ? `(skipped: ${noDaemon})` : ''}`,
    async () => {
      const name = `vaw-e2e-${process.pid}`;
      defineXml(fixtureNamed('transitional-iommu.xml', name));
      const s = await openApp({ ...env, VAW_BACKUP_DIR: path.join(work, 'backups') });
      try {
        const { page } = s;
        await loadFromLibvirt(page, name);
        await page
          .getByRole('navigation', { name: 'Wizard steps' })
          .getByRole('button', { name: /Review$/ })
          .click();
        expect(await page.getByTestId('diff').textContent()).toContain("-      <driver iommu='on'/>");
        await page.getByRole('button', { name: /^Next: Apply/ }).click();
        await page.getByTestId('define').click();
        await page.getByTestId('applied').waitFor();
        await s.screenshot('libvirt-defined');
        const backup = (await page.getByTestId('backup-path').textContent()) ?? '';
        expect(readFileSync(backup, 'utf8')).toContain("<rng model='virtio-transitional'>");
        const now = inactiveXml(name);
        expect(now).not.toContain("iommu='on'");
        await page.getByRole('button', { name: 'Undo (restore the backup)' }).click();
        await page.getByText('Restored from the backup.').waitFor();
        expect(inactiveXml(name)).toContain("<rng model='virtio-transitional'>");
        // The restored definition is the starting point again: Review offers the same fix once more.
        await page
          .getByRole('navigation', { name: 'Wizard steps' })
          .getByRole('button', { name: /Review$/ })
          .click();
        expect(await page.getByTestId('diff').textContent()).toContain("-      <driver iommu='on'/>");
        expect(s.consoleErrors).toEqual([]);
      } finally {
        await s.close();
        await removeDomains(name);
      }
    },
  );

  it.skipIf(missingParts('libvirtd', 'qemu'))(
    'refuses to define over a domain changed behind its back, and shows what changed',
    async () => {
      const name = `vaw-e2e-conflict-${process.pid}`;
      defineXml(fixtureNamed('transitional-iommu.xml', name));
      const s = await openApp({ ...env, VAW_BACKUP_DIR: path.join(work, 'backups-conflict') });
      try {
        const { page } = s;
        await loadFromLibvirt(page, name);
        // Another admin changes the domain after the wizard loaded it (same UUID, one more vCPU).
        defineXml(inactiveXml(name).replace(/<vcpu([^>]*)>1<\/vcpu>/, '<vcpu$1>2</vcpu>'));
        const before = inactiveXml(name);
        await page
          .getByRole('navigation', { name: 'Wizard steps' })
          .getByRole('button', { name: /Apply$/ })
          .click();
        await page.getByTestId('define').click();
        const alert = page.getByRole('alert');
        await alert.getByText(/changed in libvirt since it was loaded; nothing was changed/).waitFor();
        const detail = (await page.getByTestId('error-detail').textContent()) ?? '';
        expect(detail).toMatch(/^-\s*<vcpu[^>]*>1<\/vcpu>$/m);
        expect(detail).toMatch(/^\+\s*<vcpu[^>]*>2<\/vcpu>$/m);
        await s.screenshot('libvirt-conflict');
        expect(inactiveXml(name)).toBe(before);
        // Reload keeps the user's place; defining then works and keeps the other admin's change.
        await page.getByRole('button', { name: `Reload ${name} from libvirt` }).click();
        await page.getByRole('alert').waitFor({ state: 'detached' });
        // Define stays disabled until the reload has finished (the click waits for it).
        await page.getByTestId('define').click();
        await page.getByTestId('applied').waitFor();
        const after = inactiveXml(name);
        expect(after).toMatch(/<vcpu[^>]*>2<\/vcpu>/);
        expect(after).not.toContain("iommu='on'");
      } finally {
        await s.close();
        await removeDomains(name);
      }
    },
  );
});
