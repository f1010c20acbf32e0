/**
 * Exact `virtio-access plan` output for representative inputs (SEV on q35, s390 PV, transitional devices on
 * i440fx, virtio-mmio), run as the built command. Goals live in test/fixtures/golden/plans/ and must validate
 * against libvirt's schema; regenerate only with VAW_UPDATE_GOLDEN=1 and review the diff.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDomainXml } from '../main/services/schema';
import { missingParts, repoRoot } from '../test/real-parts';

const cli = path.join(repoRoot, 'dist/cli/virtio-access.cjs');
const fixtures = path.join(repoRoot, 'test/fixtures/domains');
const goldens = path.join(repoRoot, 'test/fixtures/golden/plans');
const caps = path.join(repoRoot, 'test/fixtures/domcaps/q35-sev.xml');
const update = process.env.VAW_UPDATE_GOLDEN === '1';

const CASES = [
  { fixture: 'sev-q35.xml', secure: 'sev' },
  { fixture: 'sev-q35.xml', secure: 'sev-es' },
  { fixture: 's390-pv.xml', secure: 's390-pv' },
  { fixture: 'transitional-i440fx.xml', secure: 'sev' },
  { fixture: 'mmio-aarch64.xml', secure: 'none' },
];

describe('plan goldens (built CLI)', () => {
  for (const c of CASES) {
    it(`${c.fixture} --secure ${c.secure}`, () => {
      const r = spawnSync(
        process.execPath,
        [cli, 'plan', path.join(fixtures, c.fixture), '--secure', c.secure, '--host-caps', caps, '--no-schema'],
        { encoding: 'utf8' },
      );
      expect([r.status, r.stderr]).toEqual([0, '']);
      const golden = path.join(goldens, c.fixture.replace(/\.xml$/, `.${c.secure}.xml`));
      if (update) writeFileSync(golden, r.stdout);
      expect(existsSync(golden), `${golden} is missing; run with VAW_UPDATE_GOLDEN=1 and review it`).toBe(true);
      expect(r.stdout).toBe(readFileSync(golden, 'utf8'));
    });
  }

  const noSchema = missingParts('schemas', 'xmllint');
  it.skipIf(noSchema)(`every golden plan validates against libvirt's schema ${noSchema ? `(skipped: ${noSchema})` : ''}`, async () => {
    const docs = CASES.map((c) => {
      const file = path.join(goldens, c.fixture.replace(/\.xml$/, `.${c.secure}.xml`));
      return { name: path.basename(file), text: readFileSync(file, 'utf8') };
    });
    const results = await validateDomainXml(docs);
    expect(results.filter((r) => !r.valid).map((r) => `${r.name}: ${r.errors.map((e) => e.message).join('; ')}`)).toEqual([]);
    expect(results).toHaveLength(CASES.length);
  });

  it.skipIf(missingParts('patch'))('prints a --diff that patch(1) applies to give exactly the planned document', () => {
    const input = path.join(fixtures, 'sev-q35.xml');
    const diff = spawnSync(process.execPath, [cli, 'plan', input, '--secure', 'sev', '--host-caps', caps, '--no-schema', '--diff'], {
      encoding: 'utf8',
    });
    expect(diff.status).toBe(0);
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'vaw-patch-')), 'out.xml');
    const patched = spawnSync('patch', ['-o', out, input], { input: diff.stdout, encoding: 'utf8' });
    expect(patched.status, patched.stderr + patched.stdout).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.join(goldens, 'sev-q35.sev.xml'), 'utf8'));
    rmSync(path.dirname(out), { recursive: true, force: true });
  });

  it('refuses an impossible goal with exit 1 and the reason (SEV on s390x)', () => {
    const r = spawnSync(process.execPath, [cli, 'plan', path.join(fixtures, 's390-pv.xml'), '--secure', 'sev', '--no-schema'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--secure sev cannot be planned:\n {2}R-SEV-01: AMD SEV needs a KVM x86_64 guest/);
  });

  it('plans SEV without the host values where libvirt fills them in (6.9.0 and later, or unknown), and refuses before', () => {
    const plan = (...extra: string[]) =>
      spawnSync(process.execPath, [cli, 'plan', path.join(fixtures, 'sev-q35.xml'), '--secure', 'sev', '--no-schema', ...extra], {
        encoding: 'utf8',
      });
    const filled = plan();
    expect([filled.status, filled.stderr]).toEqual([0, '']);
    expect(filled.stdout).toMatch(/<launchSecurity type='sev'>\n\s*<policy>0x0003<\/policy>\n\s*<\/launchSecurity>/);
    expect(filled.stdout).not.toContain('<cbitpos>');
    const old = plan('--libvirt-version', '6.8.0');
    expect(old.status).toBe(1);
    expect(old.stdout).toBe('');
    expect(old.stderr).toMatch(/--host-caps FILE/);
  });

  it('refuses SEV for a domain with virtiofs, which no virtiofsd can serve in a confidential VM (R-SNP-03)', () => {
    const r = spawnSync(
      process.execPath,
      [cli, 'plan', path.join(fixtures, 'vhost-user.xml'), '--secure', 'sev', '--host-caps', caps, '--no-schema'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/R-SNP-03: filesystem share: virtiofs cannot serve an AMD SEV guest/);
  });

  it('explains a rule with its QEMU message and sources', () => {
    const r = spawnSync(process.execPath, [cli, 'explain', 'r-xml-05'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device');
    expect(r.stdout).toContain('https://github.com/qemu/qemu/blob/master/hw/virtio/virtio-pci.c');
    expect(spawnSync(process.execPath, [cli, 'explain', 'R-NOPE-9'], { encoding: 'utf8' }).status).toBe(2);
  });

  it('check exits 1 on an engine error and reports it in JSON', () => {
    const r = spawnSync(
      process.execPath,
      [cli, 'check', '--json', '--no-schema', path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml')],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout) as { files: { findings: { rule: string; severity: string; messages?: string[] }[] }[] };
    const xml05 = json.files[0]?.findings.find((f) => f.rule === 'R-XML-05');
    expect(xml05?.severity).toBe('error');
    expect(xml05?.messages).toEqual(['VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device']);
  });
});
