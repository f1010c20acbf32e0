/**
 * A virtio <input> with model='virtio-transitional' or 'virtio-non-transitional': libvirt has no such models for
 * input devices (QEMU's are modern-only) and refuses them at define (qemu_validate.c). On every generation of the
 * version lab the engine must call it an error exactly where libvirt refused it (R-XML-04/input).
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
import { defineRefusal, hostFactsOf, minimalDomainXml } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-input-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MODELS = ['virtio', 'virtio-transitional', 'virtio-non-transitional'] as const;

const domainXml = (name: string, model: string) =>
  minimalDomainXml(name, { devices: `<input type='tablet' bus='virtio' model='${model}'/>` });

describe.skipIf(missing)(`the models of a virtio input device on every lab generation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const model of MODELS) {
      it(`${g.name} (libvirt ${g.libvirt}): model='${model}': the engine's R-XML-04 error exactly when libvirt refuses the definition, in its words`, async () => {
        const name = labDomainName(g, `input-${MODELS.indexOf(model)}`);
        const xml = domainXml(name, model);
        const refusal = await defineRefusal(g.uri, name, work, xml);
        // The models disagree, so none can pass by accident.
        expect(refusal === null, refusal ?? '').toBe(model === 'virtio');
        const host = await hostFactsOf(g)('x86_64', 'q35');
        const findings = evaluate({ domain: readDomainFacts(parseDomainXml(xml)), host, guest: NO_GUEST_FACTS, goals: DEFAULT_GOALS });
        const error = findings.find((f) => f.rule === 'R-XML-04' && f.severity === 'error' && f.target.startsWith('/domain/devices/input'));
        expect(Boolean(error)).toBe(refusal !== null);
        if (error && refusal) expect(error.messages?.some((m) => refusal.includes(m))).toBe(true);
      });
    }
  }
});
