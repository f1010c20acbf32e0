/**
 * R-MIG-01 against libvirt's own ABI check: a saved (running) domain restored with another definition. The
 * engine's comparison must flag exactly the definitions libvirt refuses, quoting libvirt's message.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VersionFact } from '../../src/contracts/facts';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { compareForMigration } from '../../src/engine';
import { missingParts } from '../../test/real-parts';
import { defineXml, fixtureNamed, removeDomains, SYSTEM } from '../../test/libvirt-domains';
import { runVirsh, VirshError } from './virsh';

const name = `vaw-abi-${process.pid}`;
const facts = (xml: string) => readDomainFacts(parseDomainXml(xml));
/** The system's libvirt, which this suite restores on (Debian 12's). */
const LIBVIRT_9: VersionFact = { kind: 'exact', version: { major: 9, minor: 0, micro: 0 }, source: 'Debian 12' };

const missing = missingParts('libvirtd', 'qemu');
describe.skipIf(missing)(`virtio ABI on restore, against libvirt ${missing ? `(skipped: ${missing})` : ''}`, { timeout: 120_000 }, () => {
  let dir = '';
  let saved = '';
  let image = '';
  let original = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-abi-'));
    // QEMU runs as another user (libvirt-qemu) and must reach the disk image.
    chmodSync(dir, 0o755);
    const disk = path.join(dir, 'disk.img');
    writeFileSync(disk, Buffer.alloc(1024 * 1024));
    // The disk is written without a <driver>: libvirt adds <driver name='qemu' type='raw'/> when it defines it.
    original = fixtureNamed('tcg-q35.xml', name)
      .replace('</rng>', "  <driver iommu='on'/>\n    </rng>")
      .replace(
        '<interface',
        `<disk type='file' device='disk'><source file='${disk}'/><target dev='vda' bus='virtio'/></disk>\n    <interface`,
      );
    defineXml(original);
    await runVirsh(SYSTEM, ['start', '--paused', name], { timeoutMs: 60_000 });
    image = path.join(dir, 'domain.save');
    await runVirsh(SYSTEM, ['save', name, image], { timeoutMs: 60_000 });
    saved = await runVirsh(SYSTEM, ['save-image-dumpxml', image]);
  }, 120_000);

  afterAll(async () => {
    await removeDomains(name);
    rmSync(dir, { recursive: true, force: true });
  });

  async function restoreWith(xml: string): Promise<string> {
    const file = path.join(dir, 'dest.xml');
    writeFileSync(file, xml);
    try {
      await runVirsh(SYSTEM, ['restore', image, '--xml', file], { timeoutMs: 60_000 });
      return '';
    } catch (e) {
      if (e instanceof VirshError) return e.stderr;
      throw e;
    }
  }

  for (const [what, dest] of [
    ["iommu 'off' where the source has 'on'", (x: string) => x.replace("<driver iommu='on'/>", "<driver iommu='off'/>")],
    ['no virtio options where the source has iommu', (x: string) => x.replace(/\s*<driver iommu='on'\/>/, '')],
  ] as const) {
    it(`refuses a destination with ${what}, with the message the engine quotes`, async () => {
      const destination = dest(saved);
      const [finding, ...rest] = compareForMigration(facts(saved), facts(destination), LIBVIRT_9);
      expect(rest).toEqual([]);
      const stderr = await restoreWith(destination);
      expect(stderr).not.toBe('');
      expect(stderr).toContain(finding?.messages?.[0]);
    });
  }

  /** The engine's one finding for SOURCE → DESTINATION quotes `message`, and libvirt's restore prints it. */
  async function expectRefusal(source: string, destination: string, message: string): Promise<void> {
    expect(destination).not.toBe(saved);
    const findings = compareForMigration(facts(source), facts(destination), LIBVIRT_9);
    expect(findings.map((f) => f.messages?.[0])).toEqual([message]);
    expect(await restoreWith(destination)).toContain(findings[0]?.messages?.[0]);
  }

  it("refuses iommu='on' on a disk written without a <driver>, comparing option by option as for any disk libvirt wrote out", async () => {
    const destination = saved.replace(/<driver name='qemu' type='raw'\/>/, "<driver name='qemu' type='raw' iommu='on'/>");
    await expectRefusal(original, destination, "Target device iommu option 'on' does not match source 'default'");
  });

  it('refuses <driver> settings where the source has none, though no virtio option differs', async () => {
    // A setting that is no queue count: a NIC's queues would be a second finding (R-MIG-01's queue comparison).
    const destination = saved.replace(/(<interface type='user'>)/, "$1\n      <driver name='qemu'/>");
    await expectRefusal(saved, destination, "Target device virtio options don't match the source");
  });

  it("restores a destination the engine finds nothing wrong with, a <driver queues='1'/> the source lacks included (libvirt does not write the default back)", async () => {
    const destination = saved.replace(/(<interface type='user'>)/, "$1\n      <driver queues='1'/>");
    expect(destination).not.toBe(saved);
    expect(compareForMigration(facts(saved), facts(destination), LIBVIRT_9)).toEqual([]);
    expect(await restoreWith(destination)).toBe('');
    expect((await runVirsh(SYSTEM, ['domstate', name])).trim()).toMatch(/running|paused/);
  });
});
