/**
 * virtio-iommu's address: libvirt refuses a non-PCI one and a PCI one off the root bus at define
 * (R-VIOMMU-01/address). Each case is defined on every lab generation, and the engine, with that generation's
 * versions, must call it an error exactly when libvirt refuses it, in libvirt's words.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineRefusal, expectErrorExactlyWhenRefused, minimalDomainXml } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-viommu-addr-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CASES = [
  { what: 'a virtio-mmio address', address: "<address type='virtio-mmio'/>", refused: true },
  { what: 'bus 1 (a root port)', address: "<address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>", refused: true },
  { what: 'bus 0', address: "<address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>", refused: false },
] as const;

describe.skipIf(missing)(`virtio-iommu's address on every lab generation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const c of CASES) {
      it(`${g.name} (libvirt ${g.libvirt}) with ${c.what}: an error exactly when libvirt refuses it, in its words`, async () => {
        const name = labDomainName(g, `viommu-addr-${CASES.indexOf(c)}`);
        const xml = minimalDomainXml(name, {
          features: '<acpi/>',
          devices: `<controller type='pci' index='1' model='pcie-root-port'/>\n    <iommu model='virtio'>${c.address}</iommu>`,
        });
        const refusal = await defineRefusal(g.uri, name, work, xml);
        expect(refusal !== null, refusal ?? 'defined').toBe(c.refused);
        await expectErrorExactlyWhenRefused(g, xml, refusal, (f) => f.rule === 'R-VIOMMU-01' && /address|root bus/.test(f.title));
      });
    }
  }
});
