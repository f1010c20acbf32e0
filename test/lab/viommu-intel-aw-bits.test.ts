/**
 * The intel vIOMMU's `<driver aw_bits>` (R-VIOMMU-01/aw-bits): libvirt passes it on unchecked and QEMU's intel-iommu
 * takes 39 or 48 only. On every lab generation the domain is started paused under TCG with 40, 48 and 52, and the
 * engine, with that generation's versions, must call it an error exactly when QEMU refused it, in QEMU's words.
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
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-awbits-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(missing)(`the intel vIOMMU's aw_bits on every lab generation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const awBits of [40, 48, 52]) {
      it(`${g.name} (libvirt ${g.libvirt}, QEMU ${g.qemu}) with aw_bits ${awBits}: an error exactly when QEMU refuses it`, async () => {
        const name = labDomainName(g, `awbits-${awBits}`);
        const xml = minimalDomainXml(name, {
          features: "<ioapic driver='qemu'/>",
          devices: `<iommu model='intel'><driver aw_bits='${awBits}'/></iommu>`,
        });
        const seen = await defineAndStart(g.uri, name, xml, work);
        const host = await hostFactsOf(g)('x86_64', 'q35');
        const findings = evaluate({ domain: readDomainFacts(parseDomainXml(xml)), host, guest: NO_GUEST_FACTS, goals: DEFAULT_GOALS });
        const error = findings.find((f) => f.rule === 'R-VIOMMU-01' && f.severity === 'error' && /aw_bits/.test(f.title));
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
