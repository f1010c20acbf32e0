/**
 * The amd vIOMMU's `<driver passthrough>` (libvirt 11.5 and later): libvirt hands it to QEMU as amd-iommu's pt
 * property, which QEMU 11.1 does not have. On each lab generation whose libvirt has the amd vIOMMU, the domain is
 * started paused under TCG with passthrough on, off and absent, and the engine, with that generation's versions,
 * must call it an error exactly when QEMU refused it, in QEMU's words. And on every generation's QEMU (libvirt or
 * not): the engine, with that QEMU's version, is silent exactly where its amd-iommu lists pt (QEMU 7.2 and 10.0
 * inherit it from x86-iommu) and errs where it does not (11.1).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_GOALS, NO_GUEST_FACTS } from '../../src/contracts/facts';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate } from '../../src/engine';
import { labDomainName, readLabState, releaseAtLeast, type Generation } from '../lab';
import { CAPABLE_HOST, exact } from '../engine-facts';
import { missingParts } from '../real-parts';
import { defineAndStart, expectErrorExactlyWhenRefused, minimalDomainXml } from './run-on-generation';

const missing = missingParts('lab');
const hasAmd = (g: Generation) => releaseAtLeast(g.libvirt, 11, 5);
const generations: Generation[] = missing ? [] : readLabState().filter(hasAmd);
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-amdpt-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(missing)(
  `the amd vIOMMU's passthrough on the lab generations whose libvirt has the amd vIOMMU (11.5) ${missing ? `(skipped: ${missing})` : ''}`,
  () => {
    it('has such a generation', () => expect(generations.length).toBeGreaterThan(0));
    for (const g of generations) {
      for (const passthrough of ['on', 'off', null] as const) {
        it(`${g.name} (libvirt ${g.libvirt}, QEMU ${g.qemu}) with passthrough ${passthrough ?? 'absent'}: an error exactly when QEMU refuses it`, async () => {
          const name = labDomainName(g, `amdpt-${passthrough ?? 'absent'}`);
          const driver = passthrough ? `<driver passthrough='${passthrough}'/>` : '';
          const xml = minimalDomainXml(name, { features: "<ioapic driver='qemu'/>", devices: `<iommu model='amd'>${driver}</iommu>` });
          const seen = await defineAndStart(g.uri, name, xml, work);
          await expectErrorExactlyWhenRefused(
            g,
            xml,
            seen.started ? null : seen.text,
            (f) => f.rule === 'R-VIOMMU-01' && /passthrough/.test(f.title),
          );
        });
      }
    }
  },
);

/** Whether this generation's QEMU lists a pt property for amd-iommu (`-device amd-iommu,help`). */
function amdIommuHasPt(g: Generation): boolean {
  const args = ['-machine', 'q35', '-device', 'amd-iommu,help'];
  const r = g.root
    ? spawnSync('chroot', [g.root, 'qemu-system-x86_64', ...args], { encoding: 'utf8', timeout: 60_000 })
    : spawnSync('qemu-system-x86_64', args, { encoding: 'utf8', timeout: 60_000 });
  expect(r.stdout, r.stderr).toMatch(/xtsup|intremap|device-iotlb/);
  return /^\s*pt=/m.test(r.stdout);
}

describe.skipIf(missing)(`amd-iommu's pt on every lab generation's QEMU ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of missing ? [] : readLabState()) {
    it(`${g.name} (QEMU ${g.qemu}): the engine errs exactly where amd-iommu has no pt`, () => {
      const has = amdIommuHasPt(g);
      const [major, minor] = g.qemu.split('.').map(Number) as [number, number];
      const findings = evaluate({
        domain: readDomainFacts(
          parseDomainXml(
            minimalDomainXml('amdpt', {
              features: "<ioapic driver='qemu'/>",
              devices: "<iommu model='amd'><driver passthrough='on'/></iommu>",
            }),
          ),
        ),
        host: { ...CAPABLE_HOST, qemuVersion: exact(major, minor) },
        guest: NO_GUEST_FACTS,
        goals: DEFAULT_GOALS,
      });
      const finding = findings.find((f) => f.rule === 'R-VIOMMU-01' && /passthrough/.test(f.title));
      expect(finding?.severity ?? 'none').toBe(has ? 'none' : 'error');
    });
  }
});
