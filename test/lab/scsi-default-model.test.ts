/**
 * libvirt 11.6.0 made virtio-scsi the default SCSI controller model on Arm and RISC-V virt machines (lsilogic
 * before). On every generation of the version lab an aarch64 domain with `<controller type='scsi'/>` is defined
 * and `virsh dumpxml` read back; the engine, given that generation's versions, must take the controller for a
 * virtio device exactly where libvirt wrote model='virtio-scsi'.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_GOALS, NO_GUEST_FACTS } from '../../src/contracts/facts';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { devicesAsChosen } from '../../src/engine/context';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { definedXml, hostFactsOf } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-scsi-default-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const domainXml = (name: string) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='aarch64' machine='virt'>hvm</type></os>
  <cpu mode='custom'><model>cortex-a57</model></cpu>
  <devices>
    <controller type='scsi' index='0'/>
    <memballoon model='none'/>
  </devices>
</domain>
`;

describe.skipIf(missing)(
  `the default SCSI controller on Arm virt on every lab generation ${missing ? `(skipped: ${missing})` : ''}`,
  () => {
    for (const g of generations) {
      it(`${g.name} (libvirt ${g.libvirt}): the engine takes the controller for virtio exactly where libvirt defines virtio-scsi`, async () => {
        const name = labDomainName(g, 'scsi-default');
        const xml = domainXml(name);
        const kept = await definedXml(g.uri, name, work, xml);
        const model = /<controller type='scsi' index='0' model='([^']+)'/.exec(kept)?.[1];
        // The generations disagree, so the case cannot pass by accident: 9.0 and 11.3 write lsilogic, 12.8 virtio-scsi.
        expect(model).toBe(/^(?:9|10|11\.[0-5])\./.test(g.libvirt) ? 'lsilogic' : 'virtio-scsi');
        const [controller] = devicesAsChosen({
          domain: readDomainFacts(parseDomainXml(xml)),
          host: await hostFactsOf(g)('aarch64', 'virt'),
          guest: NO_GUEST_FACTS,
          goals: DEFAULT_GOALS,
        });
        expect(controller?.virtio).toBe(model === 'virtio-scsi');
      });
    }
  },
);
