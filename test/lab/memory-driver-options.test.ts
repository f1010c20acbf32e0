/**
 * libvirt gave <memory model='virtio-mem'> the virtio <driver> options in 11.9.0 (NEWS); older releases accept the
 * element and drop it from the domain they keep, without a word. On every generation of the version lab: the
 * domain is defined, `virsh dumpxml` shows whether libvirt kept `<driver iommu='on'/>`, and the engine, evaluated
 * with that generation's own versions, warns (R-XML-01/memory) exactly where it was dropped.
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
import { definedXml, hostFactsOf } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-memory-driver-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const domainXml = (name: string) =>
  `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>512</memory>
  <maxMemory slots='2' unit='GiB'>4</maxMemory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <cpu><numa><cell id='0' cpus='0' memory='512' unit='MiB'/></numa></cpu>
  <devices>
    <memory model='virtio-mem'>
      <target><size unit='MiB'>256</size><node>0</node><block unit='MiB'>2</block><requested unit='MiB'>0</requested></target>
      <driver iommu='on'/>
    </memory>
    <memballoon model='none'/>
  </devices>
</domain>
`;

describe.skipIf(missing)(`virtio-mem's <driver> options on every lab generation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    it(`${g.name} (libvirt ${g.libvirt}): the engine warns exactly where libvirt drops <driver iommu='on'/>`, async () => {
      const name = labDomainName(g, 'virtio-mem-driver');
      const xml = domainXml(name);
      const kept = await definedXml(g.uri, name, work, xml);
      const dropped = !/<driver iommu='on'\/>/.test(kept);
      // The generations disagree, so the case cannot pass by accident: 9.0 and 11.3 drop it, 12.8 keeps it.
      expect(dropped).toBe(/^(?:9|10|11\.[0-8])\./.test(g.libvirt));
      const warned = evaluate({
        domain: readDomainFacts(parseDomainXml(xml)),
        host: await hostFactsOf(g)('x86_64', 'q35'),
        guest: NO_GUEST_FACTS,
        goals: DEFAULT_GOALS,
      }).some((f) => f.rule === 'R-XML-01' && f.target === '/domain/devices/memory[1]');
      expect(warned).toBe(dropped);
    });
  }
});
