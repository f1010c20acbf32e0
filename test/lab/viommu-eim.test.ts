/**
 * An intel vIOMMU with eim='on' and no intremap='on': libvirt refuses it at define ("IOMMU eim requires interrupt
 * remapping to be enabled", domain_validate.c), on every generation of the version lab, and the engine must say so
 * exactly where libvirt refused (R-VIOMMU-01/eim).
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
import { defineRefusal, hostFactsOf, minimalDomainXml } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-eim-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const REFUSAL = 'IOMMU eim requires interrupt remapping to be enabled';

const CASES = [
  { what: "eim='on' alone", driver: "<driver eim='on'/>", refused: true },
  { what: "eim='on' with intremap='off'", driver: "<driver intremap='off' eim='on'/>", refused: true },
  { what: "eim='on' with intremap='on'", driver: "<driver intremap='on' eim='on'/>", refused: false },
] as const;

const domainXml = (name: string, driver: string) =>
  minimalDomainXml(name, { features: "<acpi/><ioapic driver='qemu'/>", devices: `<iommu model='intel'>${driver}</iommu>` });

describe.skipIf(missing)(
  `an intel vIOMMU's eim without interrupt remapping on every lab generation ${missing ? `(skipped: ${missing})` : ''}`,
  () => {
    for (const g of generations) {
      for (const c of CASES) {
        it(`${g.name} (libvirt ${g.libvirt}): ${c.what}: the engine's R-VIOMMU-01 error exactly when libvirt refuses the definition`, async () => {
          const name = labDomainName(g, `eim-${CASES.indexOf(c)}`);
          const xml = domainXml(name, c.driver);
          const refusal = await defineRefusal(g.uri, name, work, xml);
          expect(refusal === null ? null : refusal.includes(REFUSAL), refusal ?? '').toBe(c.refused ? true : null);
          const host = await hostFactsOf(g)('x86_64', 'q35');
          const findings = evaluate({ domain: readDomainFacts(parseDomainXml(xml)), host, guest: NO_GUEST_FACTS, goals: DEFAULT_GOALS });
          const error = findings.find((f) => f.messages?.includes(REFUSAL) && f.severity === 'error');
          expect(Boolean(error)).toBe(c.refused);
        });
      }
    }
  },
);
