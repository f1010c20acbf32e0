/**
 * The wizard end to end in Chromium through serve mode, against the real services: SEV conversion of a q35
 * guest saved to its file with a backup, s390 PV, troubleshooting "QEMU refuses to start" and fixing it, and
 * loading from libvirt's test driver and defining. Every step is screenshotted.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingParts, repoRoot } from '../test/real-parts';
import { AxeCheck } from './axe';
import { closeBrowser, openApp, openFileByPath } from './harness';

const samples = path.join(repoRoot, 'assets/samples');
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-e2e-'));
const env = {
  XDG_STATE_HOME: path.join(work, 'state'),
  XDG_CACHE_HOME: path.join(work, 'cache'),
  XDG_CONFIG_HOME: path.join(work, 'config'),
};

afterAll(async () => {
  await closeBrowser();
  rmSync(work, { recursive: true, force: true });
});

const missing = missingParts('chromium');
describe.skipIf(missing)(`wizard in Chromium ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('converts a plain q35 guest to SEV and saves it with a backup; the diff shown is what was written', async () => {
    const file = path.join(work, 'guest.xml');
    copyFileSync(path.join(samples, 'sev-q35.xml'), file);
    const s = await openApp(env);
    try {
      const { page } = s;
      await page.getByTestId('step-ready').waitFor();
      await s.screenshot('01-start');
      await openFileByPath(page, file);
      await s.screenshot('02-platform');
      await page.getByRole('button', { name: /Next: Secure/ }).click();
      await page.getByLabel('AMD SEV', { exact: true }).check();
      await page.getByText(/Host capabilities/).click();
      await page.getByTestId('host-caps-file').setInputFiles(path.join(repoRoot, 'test/fixtures/domcaps/q35-sev.xml'));
      await page.getByText(/cbitpos 51/).waitFor();
      await s.screenshot('03-secure');
      await page.getByRole('button', { name: /Next: Backends/ }).click();
      await s.screenshot('04-backends');
      await page.getByRole('button', { name: /Next: Guest/ }).click();
      await s.screenshot('05-guest');
      await page.getByRole('button', { name: /Next: Review/ }).click();
      await page.getByTestId('review-summary').waitFor();
      expect(await page.getByTestId('review-summary').textContent()).toMatch(/0 errors left/);
      await page.getByText('Data path:', { exact: false }).first().waitFor({ state: 'attached' });
      const diff = (await page.getByTestId('diff').textContent()) ?? '';
      expect(diff).toContain("+  <launchSecurity type='sev'>");
      // Every diff line is drawn on its own row: none overlaps the one before (a CSS regression once hid lines).
      const rows = await page
        .getByTestId('diff')
        .locator(':scope > span')
        .evaluateAll((spans) => spans.map((e) => e.getBoundingClientRect()).map((r) => [r.top, r.bottom]));
      expect(rows.length).toBe(diff.split('\n').length - 1);
      for (let i = 1; i < rows.length; i++) expect(rows[i]![0]!).toBeGreaterThanOrEqual(rows[i - 1]![1]! - 0.5);
      await s.screenshot('06-review');
      await page.getByRole('button', { name: /Next: Apply/ }).click();
      await page.getByTestId('save').click();
      await page.getByTestId('applied').waitFor();
      await s.screenshot('07-apply');
      const written = readFileSync(file, 'utf8');
      expect(written).toContain("<launchSecurity type='sev'>");
      expect(written).toContain("<driver iommu='on'/>");
      for (const line of diff.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')))
        expect(written).toContain(line.slice(1));
      const backup = (await page.getByTestId('backup-path').textContent()) ?? '';
      expect(existsSync(backup)).toBe(true);
      expect(readFileSync(backup, 'utf8')).toBe(readFileSync(path.join(samples, 'sev-q35.xml'), 'utf8'));
      expect(s.consoleErrors.join('\n')).toBe('');
    } finally {
      await s.close();
    }
  });

  it('prepares the s390 sample for Protected Virtualization', async () => {
    const s = await openApp(env);
    try {
      const { page } = s;
      await page.getByTestId('sample-s390-pv').click();
      await page.getByRole('button', { name: /Secure VM/ }).click();
      expect(await page.getByLabel('AMD SEV', { exact: true }).isDisabled()).toBe(true);
      await page.getByLabel('IBM s390 Protected Virtualization').check();
      await page
        .getByRole('button', { name: /^7 Review|Review$/ })
        .first()
        .click();
      const diff = (await page.getByTestId('diff').textContent()) ?? '';
      expect(diff).toContain("+  <launchSecurity type='s390-pv'/>");
      expect(diff).toContain("+    <memballoon model='none'/>");
      await s.screenshot('s390-pv-review');
      expect(s.consoleErrors.join('\n')).toBe('');
    } finally {
      await s.close();
    }
  });

  it('troubleshoots "QEMU refuses to start" on a transitional device and leads to the fix', async () => {
    const file = path.join(work, 'transitional.xml');
    copyFileSync(path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml'), file);
    const s = await openApp(env);
    try {
      const { page } = s;
      await openFileByPath(page, file);
      await page.getByRole('button', { name: 'Troubleshoot' }).click();
      await page.getByLabel('QEMU refuses to start: IOMMU_PLATFORM message').check();
      const diagnosis = page.getByTestId('diagnosis');
      await diagnosis.getByText('R-XML-05').waitFor();
      await s.screenshot('troubleshoot-t03');
      await page.getByRole('button', { name: 'Review the fix' }).click();
      const diff = (await page.getByTestId('diff').textContent()) ?? '';
      expect(diff).toContain("-      <driver iommu='on'/>");
      await page.getByRole('button', { name: /Next: Apply/ }).click();
      await page.getByTestId('save').click();
      await page.getByTestId('applied').waitFor();
      expect(readFileSync(file, 'utf8')).not.toContain("iommu='on'");
      expect(s.consoleErrors.join('\n')).toBe('');
    } finally {
      await s.close();
    }
  });

  it.skipIf(missingParts('virsh'))("loads a domain from libvirt's test driver and defines the plan", async () => {
    const s = await openApp(env);
    try {
      const { page } = s;
      await page.getByTestId('libvirt-uri').fill('test:///default');
      await page.getByRole('button', { name: 'List domains' }).click();
      await page.getByTestId('domain-test').click();
      await page.getByRole('heading', { name: 'Platform' }).waitFor();
      await page
        .getByRole('button', { name: /^7 Apply|Apply$/ })
        .first()
        .click();
      // The test driver's sample domain has nothing to fix for an ordinary VM: nothing to define.
      await page.getByText('The plan changes nothing').waitFor();
      expect(s.consoleErrors.join('\n')).toBe('');
    } finally {
      await s.close();
    }
  });

  it('has no accessibility violations on the start and review steps', async () => {
    const s = await openApp(env);
    try {
      const { page } = s;
      await page.getByTestId('step-ready').waitFor();
      expect(await new AxeCheck(page).violations()).toEqual([]);
      await page.getByTestId('sample-transitional-i440fx').click();
      await page
        .getByRole('button', { name: /Review$/ })
        .first()
        .click();
      await page.getByTestId('review-summary').waitFor();
      expect(await new AxeCheck(page).violations()).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
