/**
 * The wizard end to end in Chromium through serve mode, against the real services: SEV conversion of a q35 guest
 * saved with a backup in as few interactions as the issue asks (counted), s390 PV, troubleshooting "QEMU refuses
 * to start" and fixing it, and a domain from the real libvirtd defined and read back. Screens are saved.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineXml, fixtureNamed, inactiveXml, removeDomains, SYSTEM } from '../test/libvirt-domains';
import { missingParts, repoRoot } from '../test/real-parts';
import { AxeCheck } from './axe';
import { goToStep, openApp, openFileByPath, privateHome } from './harness';
import { Interactions } from './interactions';

const samples = path.join(repoRoot, 'assets/samples');
const domcaps = path.join(repoRoot, 'test/fixtures/domcaps/q35-sev.xml');
// Save As suggests the home folder: this run's own.
const { work, env } = privateHome('vaw-e2e-');

const missing = missingParts('chromium');
describe.skipIf(missing)(`wizard in Chromium ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('from a file to a saved SEV definition in 6 interactions for who knows the way, with a backup; the file written is what Review showed', async () => {
    const file = path.join(work, 'known.xml');
    copyFileSync(path.join(samples, 'sev-q35.xml'), file);
    const s = await openApp(env);
    try {
      const { page } = s;
      const user = new Interactions(page);
      await page.getByTestId('step-ready').waitFor();
      await user.fill(page.getByTestId('file-path'), file);
      await user.click(page.getByRole('button', { name: 'Open', exact: true }));
      await user.click(page.getByLabel('AMD SEV', { exact: true }));
      // Only a libvirt older than 6.9 needs the host's values first; for this file the plan is ready.
      expect(await page.getByTestId('still-needed').count()).toBe(0);
      await goToStep(page, 'Review');
      await page.getByRole('button', { name: 'The changes to the XML (diff)' }).click();
      const diff = (await page.getByTestId('diff').textContent()) ?? '';
      await user.click(page.getByRole('navigation', { name: 'Wizard steps' }).getByRole('button', { name: /Apply$/ }));
      await user.click(page.getByTestId('save'));
      await page.getByTestId('applied').waitFor();
      expect(user.count).toBeLessThanOrEqual(6);
      const written = readFileSync(file, 'utf8');
      expect(written).toContain("<launchSecurity type='sev'>");
      for (const line of diff.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')))
        expect(written).toContain(line.slice(1));
      const backup = (await page.getByTestId('backup-path').textContent()) ?? '';
      expect(readFileSync(backup, 'utf8')).toBe(readFileSync(path.join(samples, 'sev-q35.xml'), 'utf8'));
      expect(s.consoleErrors.join('\n')).toBe('');
    } finally {
      await s.close();
    }
  });

  it('a first-time user walks every step from a sample to a saved SEV definition in 10 interactions', async () => {
    const s = await openApp(env);
    try {
      const { page } = s;
      const user = new Interactions(page);
      await page.getByTestId('step-ready').waitFor();
      await s.screenshot('01-start');
      await user.click(page.getByTestId('sample-sev-q35'));
      await page.getByRole('heading', { level: 2, name: 'Secure VM' }).waitFor();
      await user.click(page.getByLabel('AMD SEV', { exact: true }));
      await s.screenshot('02-secure');
      // A first-time user also gives the host's capabilities (what its libvirt would fill in otherwise).
      await user.click(page.getByRole('button', { name: /^Host capabilities/ }));
      await user.chooseFile(page.getByTestId('host-caps-file'), domcaps);
      await page.getByRole('button', { name: 'Host capabilities (loaded)' }).waitFor();
      await s.screenshot('03-secure-host-caps');
      for (const [step, shot] of [
        ['Platform', '04-platform'],
        ['Backends', '05-backends'],
        ['Guest', '06-guest'],
        ['Review', '07-review'],
        ['Apply', '08-apply'],
      ] as const) {
        await user.click(page.getByTestId('next'));
        await page.getByRole('heading', { level: 2, name: step }).waitFor();
        await s.screenshot(shot);
      }
      await user.click(page.getByTestId('save'));
      await page.getByTestId('applied').waitFor();
      await s.screenshot('09-applied');
      expect(user.count).toBeLessThanOrEqual(10);
      expect(readFileSync(path.join(work, 'sev-q35.xml'), 'utf8')).toMatch(/<launchSecurity type='sev'>\s*<cbitpos>51<\/cbitpos>/);
      await goToStep(page, 'Review');
      expect(await page.getByTestId('review-summary').textContent()).toMatch(/0 changes planned/);
      expect(s.consoleErrors.join('\n')).toBe('');
    } finally {
      await s.close();
    }
  });

  it('Review shows the plan in words, the data path and the diff, each diff line on its own row', async () => {
    const s = await openApp(env);
    try {
      const { page } = s;
      await page.getByTestId('sample-sev-q35').click();
      await page.getByLabel('AMD SEV', { exact: true }).check();
      await goToStep(page, 'Review');
      expect(await page.getByTestId('review-summary').textContent()).toMatch(/0 errors left/);
      await page.getByTestId('plan-in-words').getByText("writes <launchSecurity type='sev'>").waitFor();
      await page.getByTestId('data-path').waitFor();
      await page.getByRole('button', { name: 'The changes to the XML (diff)' }).click();
      const diff = (await page.getByTestId('diff').textContent()) ?? '';
      expect(diff).toContain("+  <launchSecurity type='sev'>");
      // Every diff line is drawn on its own row: none overlaps the one before (a CSS regression once hid lines).
      const rows = await page
        .getByTestId('diff')
        .locator('span')
        .evaluateAll((spans) => spans.map((e) => e.getBoundingClientRect()).map((r) => [r.top, r.bottom]));
      expect(rows.length).toBe(diff.split('\n').length - 1);
      for (let i = 1; i < rows.length; i++) expect(rows[i]![0]!).toBeGreaterThanOrEqual(rows[i - 1]![1]! - 0.5);
      await page.getByTestId('diff').scrollIntoViewIfNeeded();
      await s.screenshot('07-review-diff');
      expect(s.consoleErrors.join('\n')).toBe('');
    } finally {
      await s.close();
    }
  });

  it('says once, on Review, why a goal cannot be reached: an ordinary VM for SEV-SNP set up in <qemu:commandline>', async () => {
    const file = path.join(work, 'snp-commandline.xml');
    writeFileSync(
      file,
      readFileSync(path.join(samples, 'sev-q35.xml'), 'utf8').replace(
        '</devices>',
        "</devices>\n  <qemu:commandline><qemu:arg value='-object'/><qemu:arg value='sev-snp-guest,id=s0,cbitpos=51,reduced-phys-bits=1'/><qemu:arg value='-machine'/><qemu:arg value='confidential-guest-support=s0'/></qemu:commandline>",
      ),
    );
    const s = await openApp(env);
    try {
      const { page } = s;
      await openFileByPath(page, file);
      await page.getByLabel('None (ordinary VM)', { exact: true }).check();
      await goToStep(page, 'Review');
      expect(await page.getByTestId('review-summary').textContent()).toMatch(/the goal cannot be reached/);
      const why = page.getByRole('alert').filter({ hasText: 'Why this goal cannot be reached' });
      await why.getByText('The plan cannot make this guest an ordinary VM').waitFor();
      await page.getByRole('heading', { level: 3, name: 'Also found in the domain as it is' }).waitFor();
      expect(await page.getByText('The plan cannot make this guest an ordinary VM').count()).toBe(1);
      await s.screenshot('review-impossible-goal');
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
      await page.getByRole('heading', { level: 2, name: 'Secure VM' }).waitFor();
      expect(await page.getByLabel('AMD SEV', { exact: true }).isDisabled()).toBe(true);
      await page.getByLabel('IBM s390 Protected Virtualization').check();
      await goToStep(page, 'Review');
      await page.getByRole('button', { name: 'The changes to the XML (diff)' }).click();
      const diff = (await page.getByTestId('diff').textContent()) ?? '';
      expect(diff).toContain("+  <launchSecurity type='s390-pv'/>");
      expect(diff).toContain("+    <memballoon model='none'/>");
      await s.screenshot('s390-pv-review');
      expect(s.consoleErrors.join('\n')).toBe('');
    } finally {
      await s.close();
    }
  });

  it("keeps the Secure VM step's migration choices apart on one line (an inline group outside a <form>)", async () => {
    const s = await openApp(env);
    try {
      const { page } = s;
      await page.getByTestId('sample-sev-q35').click();
      await page.getByRole('heading', { level: 2, name: 'Secure VM' }).waitFor();
      const boxes = await Promise.all(
        ['Not decided', 'Yes', 'No'].map(async (label) => (await page.getByLabel(label, { exact: true }).locator('..').boundingBox())!),
      );
      for (let i = 1; i < boxes.length; i++) {
        expect(boxes[i]!.y).toBe(boxes[0]!.y);
        // PatternFly's inline gap (spacer--gap--group--horizontal, 8 px or more), not the radios touching.
        expect(boxes[i]!.x - (boxes[i - 1]!.x + boxes[i - 1]!.width)).toBeGreaterThanOrEqual(8);
      }
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
      await page.getByLabel('Search symptoms and messages').fill('IOMMU_PLATFORM');
      await page.getByLabel('QEMU refuses to start: IOMMU_PLATFORM message').check();
      const diagnosis = page.getByTestId('diagnosis');
      await diagnosis.locator('[data-rule="R-XML-05"]').waitFor();
      // The diagnosis is scrolled into view.
      expect(await diagnosis.evaluate((e) => e.getBoundingClientRect().top < window.innerHeight)).toBe(true);
      await s.screenshot('troubleshoot-t03');
      await page.getByRole('button', { name: 'Review the fix' }).click();
      await page.getByRole('button', { name: 'The changes to the XML (diff)' }).click();
      const diff = (await page.getByTestId('diff').textContent()) ?? '';
      // An ordinary VM: the smallest fix the guest survives takes iommu='on' off the transitional device.
      expect(diff).toContain("-      <driver iommu='on'/>");
      await page.getByTestId('next').click();
      await page.getByTestId('save').click();
      await page.getByTestId('applied').waitFor();
      expect(readFileSync(file, 'utf8')).not.toContain("iommu='on'");
      expect(s.consoleErrors.join('\n')).toBe('');
    } finally {
      await s.close();
    }
  });

  const noDaemon = missingParts('libvirtd', 'qemu');
  it.skipIf(noDaemon)(
    `loads a domain from libvirt, defines the plan, and libvirt then holds the planned definition ${noDaemon ? `(skipped: ${noDaemon})` : ''}`,
    async () => {
      const name = `vaw-ui-wizard-${process.pid}`;
      defineXml(fixtureNamed('transitional-iommu.xml', name));
      const s = await openApp({ ...env, VAW_BACKUP_DIR: path.join(work, 'backups-wizard') });
      try {
        const { page } = s;
        await page.getByTestId('libvirt-uri').fill(SYSTEM);
        await page.getByRole('button', { name: 'List domains' }).click();
        await page.getByTestId(`domain-${name}`).click();
        await page.getByRole('heading', { level: 2, name: 'Secure VM' }).waitFor();
        await goToStep(page, 'Apply');
        // Test start: a throwaway copy of the plan really starts (paused, under TCG) before anything is defined.
        await page.getByTestId('test-start').click();
        const tested = page.getByTestId('test-start-result');
        await tested.waitFor({ timeout: 120_000 });
        expect(await tested.textContent()).toMatch(/The copy started \(paused\), then was removed/);
        // Nothing was defined by it: the domain is still the one loaded.
        expect(inactiveXml(name)).toContain("<driver iommu='on'/>");
        await s.screenshot('apply-test-start');
        await page.getByTestId('define').click();
        await page.getByTestId('applied').waitFor();
        await s.screenshot('libvirt-defined');
        // The plan took iommu='on' off the transitional rng, and libvirt now holds exactly that.
        const rng = /<rng[\s\S]*?<\/rng>/.exec(inactiveXml(name))?.[0] ?? '';
        expect(rng).toContain("<rng model='virtio-transitional'>");
        expect(rng).not.toContain('iommu');
        expect(s.consoleErrors.join('\n')).toBe('');
      } finally {
        await s.close();
        await removeDomains(name);
      }
    },
  );

  it('has no accessibility violations on the start and review steps', async () => {
    const s = await openApp(env);
    try {
      const { page } = s;
      await page.getByTestId('step-ready').waitFor();
      expect(await new AxeCheck(page).violations()).toEqual([]);
      await page.getByTestId('sample-transitional-i440fx').click();
      await goToStep(page, 'Review');
      await page.getByTestId('review-summary').waitFor();
      expect(await new AxeCheck(page).violations()).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
