/**
 * Two `<iommu>` devices on x86 (R-VIOMMU-01/count): libvirt up to 11.3 refuses them at define, 12.8 defines them and
 * QEMU refuses the second vIOMMU at start. On every lab generation the domain is defined and started paused under
 * TCG with one and with two, and the engine, with that generation's versions, must call it an error exactly when
 * it was refused, in the words of whoever refused it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_GOALS, NO_GUEST_FACTS } from '../../src/contracts/facts';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate } from '../../src/engine';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineAndStart, hostFactsOf, minimalDomainXml } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-viommu-count-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CASES = [
  { what: 'one intel vIOMMU', devices: "<iommu model='intel'/>" },
  { what: 'an intel and a virtio vIOMMU', devices: "<iommu model='intel'/>\n    <iommu model='virtio'/>" },
] as const;

describe.skipIf(missing)(`several <iommu> on x86 on every lab generation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const c of CASES) {
      it(`${g.name} (libvirt ${g.libvirt}, QEMU ${g.qemu}) with ${c.what}: an error exactly when it is refused`, async () => {
        const name = labDomainName(g, `viommu-count-${CASES.indexOf(c)}`);
        const xml = minimalDomainXml(name, { features: "<acpi/><ioapic driver='qemu'/>", devices: c.devices });
        const seen = await defineAndStart(g.uri, name, xml, work);
        const host = await hostFactsOf(g)('x86_64', 'q35');
        const findings = evaluate({ domain: readDomainFacts(parseDomainXml(xml)), host, guest: NO_GUEST_FACTS, goals: DEFAULT_GOALS });
        const error = findings.find((f) => f.rule === 'R-VIOMMU-01' && f.severity === 'error' && /<iommu> devices/.test(f.title));
        expect(Boolean(error), seen.started ? 'started' : seen.text).toBe(!seen.started);
        if (!seen.started)
          expect(
            error?.messages?.some((m) => seen.text.includes(m)),
            seen.text,
          ).toBe(true);
      });
    }
  }
});
