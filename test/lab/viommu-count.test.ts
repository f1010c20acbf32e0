/**
 * Two `<iommu>` devices on x86 (R-VIOMMU-01/count): libvirt up to 11.3 refuses them at define, 12.8 defines them and
 * QEMU refuses the second vIOMMU at start. On every lab generation the domain is defined and started paused under
 * TCG with one and with two, and the engine, with that generation's versions, must call it an error exactly when
 * it was refused, in the words of whoever refused it.
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
        await expectErrorExactlyWhenRefused(
          g,
          xml,
          seen.started ? null : seen.text,
          (f) => f.rule === 'R-VIOMMU-01' && /<iommu> devices/.test(f.title),
        );
      });
    }
  }
});
