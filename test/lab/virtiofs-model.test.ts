/**
 * A virtiofs filesystem with a model (R-XML-04/virtiofs): libvirt refuses any, virtio included. On every lab
 * generation the domain is defined with no model, model='virtio' and model='virtio-non-transitional', and the
 * engine, with that generation's versions, must call it an error exactly when libvirt refuses it, in its words.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineRefusal, expectErrorExactlyWhenRefused } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-virtiofs-model-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const domainXml = (name: string, model: string | null) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
  <devices>
    <filesystem type='mount' accessmode='passthrough'${model ? ` model='${model}'` : ''}><driver type='virtiofs'/><source dir='/var/lib/libvirt'/><target dir='share'/></filesystem>
    <memballoon model='none'/>
  </devices>
</domain>
`;

describe.skipIf(missing)(`a virtiofs filesystem's model on every lab generation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const model of [null, 'virtio', 'virtio-non-transitional']) {
      it(`${g.name} (libvirt ${g.libvirt}) with ${model ? `model='${model}'` : 'no model'}: an error exactly when libvirt refuses it`, async () => {
        const name = labDomainName(g, `virtiofs-model-${model ?? 'none'}`);
        const xml = domainXml(name, model);
        const refusal = await defineRefusal(g.uri, name, work, xml);
        expect(refusal !== null, refusal ?? 'defined').toBe(model !== null);
        await expectErrorExactlyWhenRefused(g, xml, refusal, (f) => f.rule === 'R-XML-04');
      });
    }
  }
});
