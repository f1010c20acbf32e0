import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Edit } from '../../src/contracts/findings';
import { DEFAULT_GOALS, NO_GUEST_FACTS, NO_HOST_FACTS } from '../../src/contracts/facts';
import { applyEdits, parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate, planFor } from '../../src/engine';
import { missingParts } from '../../test/real-parts';
import {
  defineDomainSafely,
  DomainChangedError,
  DomainNameMismatchError,
  dumpInactiveXml,
  getDomainCapabilities,
  getVersions,
  listDomainBackups,
  listDomains,
  parseVirshVersion,
  pickDefaultUri,
  qemuArgvPreview,
  restoreDomainBackup,
} from './libvirt';
import { runVirsh, VirshError } from './virsh';
import { defineXml, fixtureNamed, removeDomains, stateWhenStartedPaused, SYSTEM } from '../../test/libvirt-domains';

const prefix = `vaw-svc-${process.pid}-`;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** The edits a plan makes for a non-secure domain: modern virtio devices with the IOMMU platform feature. */
const iommuEdits = (model: boolean): Edit[] => [
  ...(model
    ? [{ op: 'set-attribute', target: '/domain/devices/interface[1]/model[1]', name: 'type', value: 'virtio-non-transitional' } as const]
    : []),
  { op: 'add-element', parent: '/domain/devices/interface[1]', xml: "<driver iommu='on'/>" },
  ...(model ? [{ op: 'set-attribute', target: '/domain/devices/rng[1]', name: 'model', value: 'virtio-non-transitional' } as const] : []),
  { op: 'add-element', parent: '/domain/devices/rng[1]', xml: "<driver iommu='on'/>" },
  ...(model
    ? [{ op: 'set-attribute', target: '/domain/devices/memballoon[1]', name: 'model', value: 'virtio-non-transitional' } as const]
    : []),
  { op: 'add-element', parent: '/domain/devices/memballoon[1]', xml: "<driver iommu='on'/>" },
];

describe('parseVirshVersion', () => {
  it('reads the library and hypervisor versions and leaves a missing hypervisor null', () => {
    expect(parseVirshVersion('Using library: libvirt 10.1.0\nRunning hypervisor: QEMU 8.2.2\n')).toEqual({
      libvirt: '10.1.0',
      qemu: '8.2.2',
    });
    expect(parseVirshVersion('Using library: libvirt 9.0.0\nRunning hypervisor: Test 0.0.0\n')).toEqual({ libvirt: '9.0.0', qemu: null });
  });
});

const virshMissing = missingParts('virsh');
describe.skipIf(virshMissing)(`libvirt operations on the test driver ${virshMissing ? '(skipped: ' + virshMissing + ')' : ''}`, () => {
  it("lists the test driver's domain with its state", async () => {
    expect(await listDomains('test:///default')).toEqual([{ name: 'test', state: 'running', persistent: true }]);
  });

  it('reports a missing domain as domain-not-found', async () => {
    const e = await rejection(dumpInactiveXml('test:///default', 'vaw-none'));
    expect(e).toBeInstanceOf(VirshError);
    expect((e as VirshError).code).toBe('domain-not-found');
  });

  it('falls back to the embedded test driver when virsh cannot run at all', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(await pickDefaultUri({})).toBe('test:///default');
    } finally {
      process.env.PATH = saved;
    }
  });
});

const missing = missingParts('libvirtd', 'qemu');
describe.skipIf(missing)(
  `libvirt operations on the real daemon ${missing ? '(skipped: ' + missing + ')' : ''}`,
  { timeout: 180_000 },
  () => {
    let backups = '';
    const savedBackupDir = process.env.VAW_BACKUP_DIR;

    beforeAll(() => {
      backups = mkdtempSync(path.join(os.tmpdir(), 'vaw-libvirt-backups-'));
      process.env.VAW_BACKUP_DIR = backups;
    });

    afterAll(async () => {
      await removeDomains(prefix);
      if (savedBackupDir === undefined) delete process.env.VAW_BACKUP_DIR;
      else process.env.VAW_BACKUP_DIR = savedBackupDir;
      rmSync(backups, { recursive: true, force: true });
    });

    it('reads the libvirt and QEMU versions the daemon runs', async () => {
      const v = await getVersions(SYSTEM);
      const qemu = /version (\d+\.\d+\.\d+)/.exec(execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }))?.[1];
      expect(v.libvirt).toMatch(/^\d+\.\d+\.\d+$/);
      expect(v.qemu?.split('.').slice(0, 2)).toEqual(qemu?.split('.').slice(0, 2));
    });

    it('picks $LIBVIRT_DEFAULT_URI when it answers, else the system daemon', async () => {
      expect(await pickDefaultUri({ LIBVIRT_DEFAULT_URI: 'test:///default' })).toBe('test:///default');
      expect(await pickDefaultUri({ LIBVIRT_DEFAULT_URI: 'qemu:///system?socket=/nonexistent' })).toBe(SYSTEM);
    });

    it('reads domcapabilities for the TCG q35 machine', async () => {
      const caps = await getDomainCapabilities(SYSTEM, { virttype: 'qemu', arch: 'x86_64', machine: 'q35' });
      expect(caps.domcapsXml).toMatch(/<domainCapabilities>/);
      expect(caps.host.machines).toEqual([expect.stringMatching(/^pc-q35-/)]);
      expect(caps.host.qemuVersion?.kind).toBe('at-least');
    });

    for (const [file, modelChange] of [
      ['tcg-q35.xml', false],
      ['tcg-i440fx.xml', true],
    ] as const) {
      it(`applies the IOMMU plan to ${file}: backup, define, round trip, and the domain starts under TCG`, async () => {
        const name = `${prefix}${file.replace('.xml', '')}`;
        defineXml(fixtureNamed(file, name));
        const loaded = await dumpInactiveXml(SYSTEM, name);
        const planned = applyEdits(loaded, iommuEdits(modelChange));
        const argv = await qemuArgvPreview(SYSTEM, planned);
        expect(argv).toMatch(/iommu_platform=on|"iommu_platform":true/);

        const result = await defineDomainSafely(SYSTEM, { name, originalXml: loaded, newXml: planned });
        expect(result.appliesAtNextBoot).toBe(false);
        expect(readFileSync(result.backupPath, 'utf8')).toBe(loaded);
        const after = await dumpInactiveXml(SYSTEM, name);
        expect(after.match(/<driver iommu='on'\/>/g)).toHaveLength(3);

        expect(await stateWhenStartedPaused(name)).toBe('paused');
      });
    }

    it('refuses to define when the domain changed since it was loaded, shows the diff, and changes nothing', async () => {
      const name = `${prefix}conflict`;
      defineXml(fixtureNamed('tcg-q35.xml', name));
      const loaded = await dumpInactiveXml(SYSTEM, name);
      // Someone else edits the domain (another tool, another admin) after the wizard loaded it.
      defineXml(loaded.replace(/<vcpu([^>]*)>1<\/vcpu>/, '<vcpu$1>2</vcpu>'));
      const changed = await dumpInactiveXml(SYSTEM, name);
      const e = await rejection(defineDomainSafely(SYSTEM, { name, originalXml: loaded, newXml: applyEdits(loaded, iommuEdits(false)) }));
      expect(e).toBeInstanceOf(DomainChangedError);
      expect((e as DomainChangedError).diff).toMatch(/^-\s*<vcpu[^>]*>1<\/vcpu>$/m);
      expect((e as DomainChangedError).diff).toMatch(/^\+\s*<vcpu[^>]*>2<\/vcpu>$/m);
      expect(await dumpInactiveXml(SYSTEM, name)).toBe(changed);
      expect(await listDomainBackups(SYSTEM, name)).toEqual([]);
    });

    it('keeps the old definition when libvirt rejects the new one, and restores from the backup', async () => {
      const name = `${prefix}restore`;
      defineXml(fixtureNamed('tcg-q35.xml', name));
      const loaded = await dumpInactiveXml(SYSTEM, name);

      const invalid = loaded.replace('</devices>', '<bogus/></devices>');
      const e = await rejection(defineDomainSafely(SYSTEM, { name, originalXml: loaded, newXml: invalid }));
      expect((e as VirshError).code).toBe('validation-failed');
      expect(await dumpInactiveXml(SYSTEM, name)).toBe(loaded);

      const planned = applyEdits(loaded, iommuEdits(false));
      const { backupPath } = await defineDomainSafely(SYSTEM, { name, originalXml: loaded, newXml: planned });
      expect(await dumpInactiveXml(SYSTEM, name)).not.toBe(loaded);
      expect((await listDomainBackups(SYSTEM, name)).map((b) => b.backupPath)).toContain(backupPath);
      await restoreDomainBackup(SYSTEM, backupPath);
      expect(await dumpInactiveXml(SYSTEM, name)).toBe(loaded);
    });

    it('refuses new XML that names another domain', async () => {
      const e = await rejection(
        defineDomainSafely(SYSTEM, { name: `${prefix}a`, originalXml: '', newXml: fixtureNamed('tcg-q35.xml', `${prefix}b`) }),
      );
      expect(e).toBeInstanceOf(DomainNameMismatchError);
    });

    it('says a change to a running domain applies at next boot', async () => {
      const name = `${prefix}running`;
      defineXml(fixtureNamed('tcg-q35.xml', name));
      await runVirsh(SYSTEM, ['start', '--paused', name], { timeoutMs: 60_000 });
      try {
        const loaded = await dumpInactiveXml(SYSTEM, name);
        const result = await defineDomainSafely(SYSTEM, { name, originalXml: loaded, newXml: applyEdits(loaded, iommuEdits(false)) });
        expect(result.appliesAtNextBoot).toBe(true);
        expect(await runVirsh(SYSTEM, ['dumpxml', name])).not.toMatch(/iommu='on'/);
        expect(await dumpInactiveXml(SYSTEM, name)).toMatch(/iommu='on'/);
      } finally {
        await runVirsh(SYSTEM, ['destroy', name]);
      }
    });

    it("the engine's plan for that R-XML-05 domain, applied through defineDomainSafely, makes it start under TCG", async () => {
      const name = `${prefix}transitional-fixed`;
      defineXml(fixtureNamed('transitional-iommu.xml', name));
      const loaded = await dumpInactiveXml(SYSTEM, name);
      const plan = planFor({
        domain: readDomainFacts(parseDomainXml(loaded)),
        host: NO_HOST_FACTS,
        guest: NO_GUEST_FACTS,
        goals: DEFAULT_GOALS,
      });
      expect(plan.impossible).toEqual([]);
      expect(plan.edits.length).toBeGreaterThan(0);
      await defineDomainSafely(SYSTEM, { name, originalXml: loaded, newXml: applyEdits(loaded, plan.edits) });
      const after = await dumpInactiveXml(SYSTEM, name);
      // An ordinary VM: the smallest fix drops the iommu='on' the transitional device cannot carry, and keeps the model.
      expect(after).toMatch(/<rng model='virtio-transitional'>/);
      expect(after).not.toMatch(/iommu='on'/);
      expect(await stateWhenStartedPaused(name)).toBe('paused');
    });

    it('a transitional device with iommu on, which the engine flags as R-XML-05, really fails to start with the message the finding quotes', async () => {
      const name = `${prefix}transitional`;
      const xml = fixtureNamed('transitional-iommu.xml', name);
      const findings = evaluate({
        domain: readDomainFacts(parseDomainXml(xml)),
        host: NO_HOST_FACTS,
        guest: NO_GUEST_FACTS,
        goals: DEFAULT_GOALS,
      });
      const xml05 = findings.find((f) => f.rule === 'R-XML-05');
      expect(xml05?.severity).toBe('error');
      defineXml(xml);
      const e = await rejection(runVirsh(SYSTEM, ['start', '--paused', name], { timeoutMs: 60_000 }));
      expect(e).toBeInstanceOf(VirshError);
      const quoted = (xml05?.messages ?? []).find((m) => (e as VirshError).stderr.includes(m));
      expect(quoted, `stderr: ${(e as VirshError).stderr}\nquoted: ${JSON.stringify(xml05?.messages)}`).toBeDefined();
    });
  },
);
