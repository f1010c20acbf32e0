/**
 * The intel vIOMMU's `<driver aw_bits>` (R-VIOMMU-01/aw-bits): libvirt passes it on unchecked and QEMU's intel-iommu
 * takes 39 or 48 only. On every lab generation the domain is started paused under TCG with 40, 48 and 52, and the
 * engine, with that generation's versions, must call it an error exactly when QEMU refused it, in QEMU's words.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineAndStart, expectErrorExactlyWhenRefused, minimalDomainXml } from './run-on-generation';

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
        await expectErrorExactlyWhenRefused(
          g,
          xml,
          seen.started ? null : seen.text,
          (f) => f.rule === 'R-VIOMMU-01' && /aw_bits/.test(f.title),
        );
      });
    }
  }
});
