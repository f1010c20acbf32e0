/**
 * virtio-9p is one of the device types QEMU lets keep a legacy interface (hw/virtio/virtio.c
 * virtio_legacy_allowed), so a 9p <filesystem> with iommu='on' where model='virtio' is transitional (conventional
 * PCI, the q35 root bus) makes QEMU refuse to start: "VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor
 * transitional device" (R-XML-05). On every generation of the version lab each placement is started paused under
 * TCG, and the engine, with that generation's versions, must call it an error exactly when QEMU refused it.
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
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-9p-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const REFUSAL = 'VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device';

/** Where the share sits: two placements where model='virtio' is transitional, one where it is modern-only. */
const CASES = [
  { what: 'the q35 root bus', machine: 'q35', controllers: '', address: "<address type='pci' bus='0x00' slot='0x05'/>" },
  {
    what: 'a pcie-root-port',
    machine: 'q35',
    controllers: "<controller type='pci' index='1' model='pcie-root-port'/>",
    address: "<address type='pci' bus='0x01' slot='0x00'/>",
  },
  { what: 'i440fx (conventional PCI)', machine: 'pc', controllers: '', address: "<address type='pci' bus='0x00' slot='0x05'/>" },
] as const;

// /usr exists inside every generation's root; mapped access and a read-only share need nothing of its owner.
const domainXml = (name: string, c: (typeof CASES)[number]) =>
  minimalDomainXml(name, {
    machine: c.machine,
    devices: `${c.controllers}
    <filesystem type='mount' accessmode='mapped'><driver iommu='on'/><source dir='/usr'/><target dir='share'/><readonly/>${c.address}</filesystem>`,
  });

describe.skipIf(missing)(`a 9p share with iommu='on' on every lab generation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const c of CASES) {
      it(`${g.name} (libvirt ${g.libvirt}, QEMU ${g.qemu}) on ${c.what}: the engine's R-XML-05 error exactly when QEMU refuses it`, async () => {
        const name = labDomainName(g, `9p-${CASES.indexOf(c)}`);
        const xml = domainXml(name, c);
        const seen = await defineAndStart(g.uri, name, xml, work);
        // The placements disagree, so none can pass by accident.
        const refusal = seen.started ? '' : seen.text;
        expect(seen.started, refusal).toBe(c.what === 'a pcie-root-port');
        if (!seen.started) expect(refusal).toContain(REFUSAL);
        const host = await hostFactsOf(g)('x86_64', c.machine);
        const findings = evaluate({ domain: readDomainFacts(parseDomainXml(xml)), host, guest: NO_GUEST_FACTS, goals: DEFAULT_GOALS });
        const error = findings.find(
          (f) => f.rule === 'R-XML-05' && f.severity === 'error' && f.target.startsWith('/domain/devices/filesystem'),
        );
        expect(Boolean(error)).toBe(!seen.started);
        if (error) expect(error.messages).toContain(REFUSAL);
      });
    }
  }
});
