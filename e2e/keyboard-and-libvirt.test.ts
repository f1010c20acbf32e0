/**
 * Flows a mouse user never checks: the wizard by keyboard alone (key presses counted), both colour themes free of
 * axe violations (contrast included, which needs Chromium's layout) through the app's own theme switch, and
 * defining, defining again and undoing through the real libvirtd.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { defineXml, fixtureNamed, inactiveXml, removeDomains, SYSTEM } from '../test/libvirt-domains';
import { missingParts, repoRoot } from '../test/real-parts';
import { AxeCheck } from './axe';
import { goToStep, openApp, openFileByPath, privateHome } from './harness';
import { Interactions } from './interactions';

// Save As suggests the home folder: this run's own.
const { work, env } = privateHome('vaw-e2e-kb-');

/** The focused element's accessible text, as a keyboard user hears it. */
function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return '';
    const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
    return `${el.getAttribute('aria-label') ?? ''} ${label ?? ''} ${el.tagName === 'INPUT' ? '' : (el.textContent ?? '')}`.trim();
  });
}

/** Presses Tab until the focused element's accessible text matches, as a keyboard user would. */
async function tabTo(page: Page, name: RegExp, user?: Interactions): Promise<void> {
  for (let i = 0; i < 80; i++) {
    if (user) await user.press('Tab');
    else await page.keyboard.press('Tab');
    if (name.test(await focusedName(page))) return;
  }
  throw new Error(`Tab never reached a control named ${name}`);
}

const focusIs = (page: Page, name: RegExp) => expect.poll(() => focusedName(page)).toMatch(name);

/** Start step: lists qemu:///system and opens the named domain; waits for Secure VM. */
async function loadFromLibvirt(page: Page, name: string): Promise<void> {
  await page.getByTestId('libvirt-uri').fill(SYSTEM);
  await page.getByRole('button', { name: 'List domains' }).click();
  await page.getByTestId(`domain-${name}`).click();
  await page.getByRole('heading', { level: 2, name: 'Secure VM' }).waitFor();
}

const missing = missingParts('chromium');
describe.skipIf(missing)(`keyboard, themes and libvirt in Chromium ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('from a sample to a saved SEV definition with the keyboard alone in at most 20 key presses', async () => {
    const s = await openApp(env);
    try {
      const { page } = s;
      const user = new Interactions(page);
      await page.getByTestId('step-ready').waitFor();
      // Focus starts on Start's primary action, the first sample.
      await focusIs(page, /sev-q35:/);
      await user.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'Secure VM' }).waitFor();
      // ...and on Secure VM's, the technology choice: the arrow keys move within it.
      await focusIs(page, /None \(ordinary VM\)/);
      await user.press('ArrowDown');
      await focusIs(page, /^AMD SEV$/);
      for (const step of ['Platform', 'Backends', 'Guest', 'Review', 'Apply']) {
        await user.press('Alt+N');
        await page.getByRole('heading', { level: 2, name: step }).waitFor();
      }
      await focusIs(page, /^Save$/);
      await user.press('Enter');
      await page.getByTestId('applied').waitFor();
      expect(user.keys).toBeLessThanOrEqual(20);
      expect(readFileSync(path.join(work, 'sev-q35.xml'), 'utf8')).toContain("<launchSecurity type='sev'>");
      await s.screenshot('keyboard-applied');
      expect(s.consoleErrors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('opens a file, walks every step with Alt+N and saves, with the keyboard only', async () => {
    const file = path.join(work, 'keyboard.xml');
    copyFileSync(path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml'), file);
    const s = await openApp(env);
    try {
      const { page } = s;
      await page.getByTestId('step-ready').waitFor();
      await tabTo(page, /Path on this machine/);
      await page.keyboard.type(file);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'Secure VM' }).waitFor();
      for (const step of ['Platform', 'Backends', 'Guest', 'Review']) {
        await page.keyboard.press('Alt+N');
        await page.getByRole('heading', { level: 2, name: step }).waitFor();
      }
      expect(await page.getByTestId('review-summary').textContent()).toMatch(/0 errors left/);
      // Back and forth: Alt+B goes back, Alt+N on again.
      await page.keyboard.press('Alt+B');
      await page.getByRole('heading', { level: 2, name: 'Guest' }).waitFor();
      await page.keyboard.press('Alt+N');
      await page.keyboard.press('Alt+N');
      await page.getByRole('heading', { level: 2, name: 'Apply' }).waitFor();
      await focusIs(page, /^Save$/);
      await page.keyboard.press('Enter');
      await page.getByTestId('applied').waitFor();
      expect(readFileSync(file, 'utf8')).not.toContain("iommu='on'");
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
      await openFileByPath(page, file);
      await page.getByRole('button', { name: 'Troubleshoot' }).focus();
      await page.keyboard.press('Enter');
      await tabTo(page, /Search symptoms and messages/);
      await page.keyboard.type('refuses to start');
      // The search leaves one symptom; a radio group takes one Tab, and Space picks.
      await tabTo(page, /QEMU refuses to start: IOMMU_PLATFORM message/);
      await page.keyboard.press('Space');
      await page.getByTestId('diagnosis').locator('[data-rule="R-XML-05"]').waitFor();
      await tabTo(page, /^Review the fix$/);
      await page.keyboard.press('Enter');
      await page.getByTestId('review-summary').waitFor();
      await page.getByRole('button', { name: 'The changes to the XML (diff)' }).click();
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
      await page.getByRole('heading', { level: 2, name: 'Secure VM' }).waitFor();
      expect(s.consoleErrors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  for (const theme of ['Light', 'Dark'] as const) {
    it(`has no accessibility violations, contrast included, on any step in the ${theme.toLowerCase()} theme chosen in the app`, async () => {
      // The system says the other theme: the app's own switch must win.
      const s = await openApp(env, { colorScheme: theme === 'Dark' ? 'light' : 'dark' });
      try {
        const { page } = s;
        await page.getByTestId('step-ready').waitFor();
        await page.getByRole('group', { name: 'Colour theme' }).getByRole('button', { name: theme }).click();
        expect(await page.evaluate(() => document.documentElement.classList.contains('pf-v6-theme-dark'))).toBe(theme === 'Dark');
        expect(await new AxeCheck(page).violations()).toEqual([]);
        await s.screenshot(`theme-${theme.toLowerCase()}-start`);
        await page.getByTestId('sample-transitional-i440fx').click();
        for (const step of ['Secure VM', 'Platform', 'Backends', 'Guest', 'Review', 'Apply']) {
          await goToStep(page, step);
          expect(await new AxeCheck(page).violations(), `${step} (${theme})`).toEqual([]);
          expect(await page.evaluate(() => document.documentElement.scrollWidth), step).toBeLessThanOrEqual(1280);
        }
        // The choice is kept for the next visit.
        await page.reload();
        await page.getByTestId('step-ready').waitFor();
        expect(await page.evaluate(() => document.documentElement.classList.contains('pf-v6-theme-dark'))).toBe(theme === 'Dark');
        await page.getByRole('button', { name: 'Troubleshoot' }).click();
        await page.getByRole('radio').first().check();
        expect(await new AxeCheck(page).violations(), `Troubleshoot (${theme})`).toEqual([]);
        await s.screenshot(`theme-${theme.toLowerCase()}-troubleshoot`);
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
        // The user keeps iommu on and makes the rng modern instead (Platform), which the plan then keeps.
        await goToStep(page, 'Platform');
        await page.getByLabel('Virtio model of rng').selectOption('virtio-non-transitional');
        await goToStep(page, 'Review');
        await page.getByRole('button', { name: 'QEMU command line' }).click();
        await page.getByRole('button', { name: 'Ask libvirt for the planned command line' }).click();
        const argv = (await page.getByTestId('qemu-argv').textContent()) ?? '';
        // The planned rng is non-transitional with iommu on: libvirt passes both to QEMU.
        expect(argv).toMatch(/virtio-rng-pci-non-transitional/);
        expect(argv).toMatch(/"iommu_platform":true|iommu_platform=on/);
        await s.screenshot('review-qemu-argv');
        expect(s.consoleErrors).toEqual([]);
      } finally {
        await s.close();
      }
    },
  );

  it.skipIf(noDaemon)(
    `loads a domain from the real libvirtd, defines the fix with a backup, defines again, and undoes through the same checks ${noDaemon ? `(skipped: ${noDaemon})` : ''}`,
    async () => {
      const name = `vaw-ui-kb-${process.pid}`;
      defineXml(fixtureNamed('transitional-iommu.xml', name));
      const s = await openApp({ ...env, VAW_BACKUP_DIR: path.join(work, 'backups') });
      try {
        const { page } = s;
        await loadFromLibvirt(page, name);
        await goToStep(page, 'Review');
        await page.getByRole('button', { name: 'The changes to the XML (diff)' }).click();
        expect(await page.getByTestId('diff').textContent()).toContain("-      <driver iommu='on'/>");
        await page.getByTestId('next').click();
        await page.getByTestId('define').click();
        await page.getByTestId('applied').waitFor();
        const backup = (await page.getByTestId('backup-path').textContent()) ?? '';
        expect(readFileSync(backup, 'utf8')).toContain("<driver iommu='on'/>");
        expect(inactiveXml(name)).not.toContain("iommu='on'");
        // A second define in the same session (a hand edit of the vCPUs) is not refused as a conflict.
        await goToStep(page, 'Review');
        await page.getByRole('button', { name: 'Edit the planned XML by hand' }).click();
        const box = page.getByTestId('manual-xml');
        await box.fill(((await box.inputValue()) ?? '').replace(/<vcpu([^>]*)>1<\/vcpu>/, '<vcpu$1>2</vcpu>'));
        await page.getByRole('button', { name: 'Use my XML' }).click();
        await goToStep(page, 'Apply');
        await page.getByTestId('define').click();
        await page.getByTestId('applied').waitFor();
        expect(inactiveXml(name)).toMatch(/<vcpu[^>]*>2<\/vcpu>/);
        await s.screenshot('libvirt-defined');
        // Undo goes through the define's checks: another admin's change since is not overwritten.
        defineXml(inactiveXml(name).replace(/<vcpu([^>]*)>2<\/vcpu>/, '<vcpu$1>3</vcpu>'));
        const theirs = inactiveXml(name);
        await page.getByRole('button', { name: 'Undo (restore the backup)' }).click();
        await page
          .getByTestId('failure')
          .getByText(/changed in libvirt since it was loaded; nothing was changed/)
          .waitFor();
        expect(inactiveXml(name)).toBe(theirs);
        expect(s.consoleErrors).toEqual([]);
      } finally {
        await s.close();
        await removeDomains(name);
      }
    },
  );

  it.skipIf(missingParts('libvirtd', 'qemu'))(
    'refuses to define over a domain changed behind its back, shows what changed, and defines after a reload',
    async () => {
      const name = `vaw-ui-conflict-${process.pid}`;
      defineXml(fixtureNamed('transitional-iommu.xml', name));
      const s = await openApp({ ...env, VAW_BACKUP_DIR: path.join(work, 'backups-conflict') });
      try {
        const { page } = s;
        await loadFromLibvirt(page, name);
        // Another admin changes the domain after the wizard loaded it (same UUID, one more vCPU).
        defineXml(inactiveXml(name).replace(/<vcpu([^>]*)>1<\/vcpu>/, '<vcpu$1>2</vcpu>'));
        const before = inactiveXml(name);
        await goToStep(page, 'Apply');
        await page.getByTestId('define').click();
        const alert = page.getByTestId('failure');
        await alert.getByText('The domain changed in libvirt since it was loaded').waitFor();
        await alert.getByText(/changed in libvirt since it was loaded; nothing was changed/).waitFor();
        const detail = (await page.getByTestId('error-detail').textContent()) ?? '';
        expect(detail).toMatch(/^-\s*<vcpu[^>]*>1<\/vcpu>$/m);
        expect(detail).toMatch(/^\+\s*<vcpu[^>]*>2<\/vcpu>$/m);
        await s.screenshot('libvirt-conflict');
        expect(inactiveXml(name)).toBe(before);
        // Reload keeps the user's place; defining then works and keeps the other admin's change.
        await page.getByRole('button', { name: `Reload ${name} from libvirt` }).click();
        await page.getByTestId('failure').waitFor({ state: 'detached' });
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
