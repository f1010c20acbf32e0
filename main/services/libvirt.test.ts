import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  fileSafeName,
  getDomainCapabilities,
  getVersions,
  listDomainBackups,
  listDomains,
  parseDomainTable,
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

describe('fileSafeName (backups of domains and connections)', () => {
  it('keeps short safe names, and makes any other one safe, distinct and short', () => {
    expect(fileSafeName('vaw-vm_1.test')).toBe('vaw-vm_1.test');
    const spaced = fileSafeName('a b');
    expect(spaced).toMatch(/^a_b-[0-9a-f]{12}$/);
    expect(spaced).not.toBe(fileSafeName('a_b'));
    expect(fileSafeName('a_b')).toBe('a_b');
    expect(fileSafeName('..')).toMatch(/^_\.-[0-9a-f]{12}$/);
    for (const long of ['x'.repeat(1024), 'ж'.repeat(1024), `qemu+ssh://${'h'.repeat(500)}/system`])
      expect(Buffer.byteLength(`${fileSafeName(long)}.2026-12-02T01-02-03-456Z.xml`)).toBeLessThan(255);
  });
});

describe('parseDomainTable (virsh list --all)', () => {
  it('takes each name and state from the same row, names with blanks whole, and only listed names as persistent', () => {
    const table = [
      ' Id   Name          State',
      '------------------------------',
      ' 3    web 01        running',
      ' -    db            shut off',
      ' 7    paused vm     paused',
      ' -    gone-meanwhile   in shutdown',
      '',
    ].join('\n');
    expect(parseDomainTable(table, ['db', 'web 01'])).toEqual([
      { name: 'web 01', state: 'running', persistent: true },
      { name: 'db', state: 'shut off', persistent: true },
      { name: 'paused vm', state: 'paused', persistent: false },
      { name: 'gone-meanwhile', state: 'in shutdown', persistent: false },
    ]);
  });
});

describe('parseVirshVersion', () => {
  it('reads the library and hypervisor versions and leaves a missing hypervisor null', () => {
    expect(parseVirshVersion('Using library: libvirt 10.1.0\nRunning hypervisor: QEMU 8.2.2\n')).toEqual({
      libvirt: '10.1.0',
      qemu: '8.2.2',
    });
    expect(parseVirshVersion('Using library: libvirt 9.0.0\nRunning hypervisor: Test 0.0.0\n')).toEqual({ libvirt: '9.0.0', qemu: null });
  });

  it("takes the daemon's libvirt version over virsh's own library when --daemon printed it", () => {
    const out = 'Using library: libvirt 9.0.0\nUsing API: QEMU 9.0.0\nRunning hypervisor: QEMU 11.1.3\nRunning against daemon: 12.8.0\n';
    expect(parseVirshVersion(out)).toEqual({ libvirt: '12.8.0', qemu: '11.1.3' });
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
      const defined = await defineDomainSafely(SYSTEM, { name, originalXml: loaded, newXml: planned });
      expect(await dumpInactiveXml(SYSTEM, name)).toBe(defined.xml);
      expect(defined.xml).not.toBe(loaded);
      expect((await listDomainBackups(SYSTEM, name)).map((b) => b.backupPath)).toContain(defined.backupPath);
      const undone = await restoreDomainBackup(SYSTEM, { name, backupPath: defined.backupPath, expectedXml: defined.xml });
      expect(await dumpInactiveXml(SYSTEM, name)).toBe(loaded);
      // The undo backed up what it replaced, like a define.
      expect(readFileSync(undone.backupPath, 'utf8')).toBe(defined.xml);
    });

    it('refuses an undo when the domain changed since the define, with the diff, and changes nothing', async () => {
      const name = `vaw-ui-undo-${process.pid}`;
      try {
        defineXml(fixtureNamed('tcg-q35.xml', name));
        const loaded = await dumpInactiveXml(SYSTEM, name);
        const defined = await defineDomainSafely(SYSTEM, { name, originalXml: loaded, newXml: applyEdits(loaded, iommuEdits(false)) });
        // Another admin changes the domain after the wizard defined it.
        defineXml(defined.xml.replace(/<vcpu([^>]*)>1<\/vcpu>/, '<vcpu$1>2</vcpu>'));
        const theirs = await dumpInactiveXml(SYSTEM, name);
        const e = await rejection(restoreDomainBackup(SYSTEM, { name, backupPath: defined.backupPath, expectedXml: defined.xml }));
        expect(e).toBeInstanceOf(DomainChangedError);
        expect((e as DomainChangedError).diff).toMatch(/^\+\s*<vcpu[^>]*>2<\/vcpu>$/m);
        expect(await dumpInactiveXml(SYSTEM, name)).toBe(theirs);
      } finally {
        await removeDomains(name);
      }
    });

    it('returns the definition libvirt holds after a define, which a second define in the same session compares against', async () => {
      const name = `${prefix}twice`;
      defineXml(fixtureNamed('tcg-q35.xml', name));
      const loaded = await dumpInactiveXml(SYSTEM, name);
      // An edit that leaves an empty <driver/> (libvirt drops it when it formats the domain).
      const first = applyEdits(loaded, iommuEdits(false)).replace(
        '</devices>',
        "<rng model='virtio'><backend model='random'>/dev/urandom</backend><driver/></rng></devices>",
      );
      const r1 = await defineDomainSafely(SYSTEM, { name, originalXml: loaded, newXml: first });
      expect(r1.xml).toBe(await dumpInactiveXml(SYSTEM, name));
      expect(r1.xml).not.toBe(first);
      // Compared with the text sent, the next define would be refused as a change by someone else.
      const second = r1.xml.replace(/<vcpu([^>]*)>1<\/vcpu>/, '<vcpu$1>2</vcpu>');
      await expect(defineDomainSafely(SYSTEM, { name, originalXml: first, newXml: second })).rejects.toBeInstanceOf(DomainChangedError);
      const r2 = await defineDomainSafely(SYSTEM, { name, originalXml: r1.xml, newXml: second });
      expect(r2.xml).toMatch(/<vcpu[^>]*>2<\/vcpu>/);
    });

    it('restores only backups from its own backups folder, parsed first', async () => {
      const outside = path.join(backups, 'elsewhere.xml');
      writeFileSync(outside, fixtureNamed('tcg-q35.xml', `${prefix}outside`));
      await expect(restoreDomainBackup(SYSTEM, { name: `${prefix}outside`, backupPath: outside, expectedXml: '' })).rejects.toThrow(
        /is not in the backups folder of qemu:\/\/\/system/,
      );
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
