/**
 * The SCSI controllers libvirt adds for SCSI disks that name none, on every generation of the version lab: the
 * engine's implicit controllers (index, and whether virtio) must be the ones `virsh dumpxml` shows — virtio-scsi on
 * s390x, seven disks to a controller; on Arm virt lsilogic before libvirt 11.6 and virtio-scsi from it — and the
 * edits that write them out with iommu='on' must give a domain libvirt defines as such and QEMU starts.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_GOALS, NO_GUEST_FACTS } from '../../src/contracts/facts';
import { applyEdits, parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { devicesAsChosen } from '../../src/engine/context';
import { setIommu } from '../../src/engine/edits';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineAndStart, definedXml, hostFactsOf } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-implicit-scsi-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The daemon's view of the disk images' folder; made inside each generation's root, where QEMU can read it. */
const IMAGES = `/var/lib/libvirt/vaw-implicit-scsi-${process.pid}`;
function makeImages(g: Generation, n: number): void {
  const dir = path.join(g.root ?? '/', IMAGES);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  for (let i = 0; i < n; i++) writeFileSync(path.join(dir, `${i}.img`), Buffer.alloc(1024 * 1024));
}
afterAll(() => {
  for (const g of generations) rmSync(path.join(g.root ?? '/', IMAGES), { recursive: true, force: true });
});

const disks = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      `<disk type='file' device='disk'><source file='${IMAGES}/${i}.img'/><target dev='sd${String.fromCharCode(97 + i)}' bus='scsi'/></disk>`,
  ).join('\n    ');
const domainXml = (name: string, arch: string, machine: string, n: number) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='${arch}' machine='${machine}'>hvm</type></os>
  ${arch === 'aarch64' ? "<cpu mode='custom'><model>cortex-a57</model></cpu>" : ''}
  <devices>
    ${disks(n)}
    <memballoon model='none'/>
  </devices>
</domain>
`;

const scsiControllers = (xml: string) =>
  [...xml.matchAll(/<controller type='scsi' index='(\d+)' model='([^']+)'/g)].map((m) => ({ index: Number(m[1]), model: m[2] }));

describe.skipIf(missing)(`implicit SCSI controllers on every lab generation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const [arch, machine, n] of [
      ['s390x', 's390-ccw-virtio', 8],
      ['aarch64', 'virt', 1],
    ] as const) {
      it(
        `${g.name} (libvirt ${g.libvirt}): ${arch} with ${n} SCSI disk(s) and no controller: the engine's implicit controllers are libvirt's, and written out they start`,
        {
          timeout: 240_000,
        },
        async () => {
          const name = labDomainName(g, `implicit-scsi-${arch}`);
          makeImages(g, n);
          const xml = domainXml(name, arch, machine, n);
          const added = scsiControllers(await definedXml(g.uri, name, work, xml));
          const input = {
            domain: readDomainFacts(parseDomainXml(xml)),
            host: await hostFactsOf(g)(arch, machine),
            guest: NO_GUEST_FACTS,
            goals: DEFAULT_GOALS,
          };
          const engine = devicesAsChosen(input).filter((d) => d.implicit && d.function === 'scsi');
          // Libvirt's virtio-scsi controllers are exactly the engine's virtio ones (the emulated ones it leaves out).
          expect(engine.filter((d) => d.virtio).map((d) => d.controllerIndex)).toEqual(
            added.filter((c) => c.model === 'virtio-scsi').map((c) => c.index),
          );
          // So the case cannot pass by accident: s390x gets two controllers for eight disks everywhere; Arm virt gets virtio-scsi only on 12.8.
          expect(added.map((c) => c.model)).toEqual(
            arch === 's390x' ? ['virtio-scsi', 'virtio-scsi'] : [/^(?:9|10|11\.[0-5])\./.test(g.libvirt) ? 'lsilogic' : 'virtio-scsi'],
          );
          const virtio = engine.filter((d) => d.virtio);
          if (virtio.length === 0) return;
          const written = applyEdits(
            xml,
            virtio.flatMap((d) => setIommu(d, 'on', input.host.libvirtVersion)),
          );
          const kept = await definedXml(g.uri, name, work, written);
          expect(scsiControllers(kept)).toEqual(added);
          expect(kept.match(/<controller type='scsi'[^>]*>\s*<driver iommu='on'\/>/g)?.length).toBe(virtio.length);
          expect(await defineAndStart(g.uri, `${name}-written`, written.replace(name, `${name}-written`), work)).toEqual({ started: true });
        },
      );
    }
  }
});
