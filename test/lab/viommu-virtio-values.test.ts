/**
 * virtio-iommu's aw_bits and granule (R-VIOMMU-01/virtio-values): libvirt 12.8 refuses an aw_bits outside 32-64 and a
 * granule other than 4, 8, 16 or 64 KiB at define. On the lab generations whose libvirt takes both (12.1 and later)
 * each case is defined, and the engine, with that generation's versions, must call it an error exactly when libvirt
 * refuses it, in its words.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labDomainName, readLabState, releaseAtLeast, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineRefusal, expectErrorExactlyWhenRefused, minimalDomainXml } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState().filter((g) => releaseAtLeast(g.libvirt, 12, 1));
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-viommu-values-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CASES = [
  { what: "aw_bits='20'", driver: "<driver aw_bits='20'/>", refused: true },
  { what: "aw_bits='48'", driver: "<driver aw_bits='48'/>", refused: false },
  { what: 'a 2 MiB granule', driver: "<driver><granule size='2' unit='MiB'/></driver>", refused: true },
  { what: 'a 64 KiB granule', driver: "<driver><granule size='64' unit='KiB'/></driver>", refused: false },
] as const;

describe.skipIf(missing)(`virtio-iommu's aw_bits and granule where libvirt takes them ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('has such a generation', () => expect(generations.length).toBeGreaterThan(0));
  for (const g of generations) {
    for (const c of CASES) {
      it(`${g.name} (libvirt ${g.libvirt}) with ${c.what}: an error exactly when libvirt refuses it`, async () => {
        const name = labDomainName(g, `viommu-values-${CASES.indexOf(c)}`);
        const xml = minimalDomainXml(name, { features: '<acpi/>', devices: `<iommu model='virtio'>${c.driver}</iommu>` });
        const refusal = await defineRefusal(g.uri, name, work, xml);
        expect(refusal !== null, refusal ?? 'defined').toBe(c.refused);
        await expectErrorExactlyWhenRefused(g, xml, refusal, (f) => f.rule === 'R-VIOMMU-01');
      });
    }
  }
});
