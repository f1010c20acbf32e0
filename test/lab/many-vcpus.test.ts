/**
 * A q35 domain with more than 255 vCPUs and each way of giving them interrupts, on every generation of the version
 * lab (R-VIOMMU-01/eim-for-vcpus): defined and started paused (288 vCPUs at most, one of them online, so TCG
 * starts it quickly), and the engine's findings, evaluated with that generation's versions, must agree with what
 * happened. Where the engine finds an error its plan can fix, the planned domain must start too (be defined, on
 * QEMU 7.2); where the plan is impossible (another vIOMMU model than intel on a libvirt that wants extended
 * interrupt mode), it says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contradiction } from '../../main/services/prediction-check';
import { DEFAULT_GOALS, NO_GUEST_FACTS } from '../../src/contracts/facts';
import { applyEdits, parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluateAndPlan } from '../../src/engine';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineAndStart, defineRefusal, hostFactsOf } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-vcpus-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Case {
  readonly what: string;
  readonly features: string;
  readonly devices: string;
  /** What happens on each generation (by libvirt release), so a case cannot pass by accident. */
  readonly expect: (g: Generation) => 'started' | RegExp;
}

const EIM = /more than 255 vCPUs require extended interrupt mode enabled on the iommu device/;
const EIM_OR_SPLIT = /more than 255 vCPUs require either IOAPIC in QEMU or an iommu device with EIM or XTSup mode enabled/;
const SPLIT = /IOMMU interrupt remapping requires split I\/O APIC/;
const AMD_UNKNOWN = /Invalid value for attribute 'model' in element 'iommu': 'amd'/;
/**
 * QEMU 7.2 runs no more than 255 vCPUs under TCG whatever the domain ("current -smp configuration requires kernel
 * irqchip and X2APIC API support", seen in the lab), so there a planned domain is only defined, which is where
 * libvirt refuses; QEMU 10.0 and 11.1 start it.
 */
const TCG_BELOW_256 = /^[1-7]\./;
const is9 = (g: Generation) => g.libvirt.startsWith('9.');
const is12 = (g: Generation) => g.libvirt.startsWith('12.');

const CASES: readonly Case[] = [
  { what: 'no vIOMMU', features: '', devices: '', expect: (g) => (is9(g) ? EIM : 'started') },
  { what: 'no vIOMMU, ioapic kvm', features: "<ioapic driver='kvm'/>", devices: '', expect: (g) => (is9(g) ? EIM : SPLIT) },
  { what: 'intel without eim', features: '', devices: "<iommu model='intel'/>", expect: (g) => (is9(g) ? EIM : 'started') },
  {
    what: "intel eim='off'",
    features: "<ioapic driver='qemu'/>",
    devices: "<iommu model='intel'><driver intremap='on' eim='off'/></iommu>",
    expect: (g) => (is12(g) ? 'started' : EIM),
  },
  { what: 'virtio', features: '', devices: "<iommu model='virtio'/>", expect: (g) => (is12(g) ? 'started' : EIM) },
  {
    what: 'virtio, ioapic kvm',
    features: "<ioapic driver='kvm'/>",
    devices: "<iommu model='virtio'/>",
    expect: (g) => (is12(g) ? EIM_OR_SPLIT : EIM),
  },
  {
    what: "amd xtsup='off', ioapic kvm",
    features: "<ioapic driver='kvm'/>",
    devices: "<iommu model='amd'><driver xtsup='off'/></iommu>",
    expect: (g) => (is12(g) ? EIM_OR_SPLIT : AMD_UNKNOWN),
  },
];

const domainXml = (name: string, c: Case) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu current='1'>288</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/><apic/>${c.features}</features>
  <devices>
    ${c.devices}
    <memballoon model='none'/>
  </devices>
</domain>
`;

describe.skipIf(missing)(`288 vCPUs and their interrupts on every lab generation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const c of CASES) {
      it(`${g.name} (libvirt ${g.libvirt}): ${c.what}: the engine agrees, and its plan starts`, { timeout: 240_000 }, async () => {
        const name = labDomainName(g, `vcpus-${c.what}`);
        const xml = domainXml(name, c);
        const input = {
          domain: readDomainFacts(parseDomainXml(xml)),
          host: await hostFactsOf(g)('x86_64', 'q35'),
          guest: NO_GUEST_FACTS,
          goals: DEFAULT_GOALS,
        };
        const { findings, plan } = evaluateAndPlan(input);
        const seen = await defineAndStart(g.uri, name, xml, work);
        const wanted = c.expect(g);
        if (wanted === 'started') expect(seen).toEqual({ started: true });
        else expect(seen.started ? 'started' : seen.text).toMatch(wanted);
        expect(contradiction(findings, seen)).toBeNull();
        if (seen.started) return;
        const own = findings.filter((f) => f.rule === 'R-VIOMMU-01' && f.severity === 'error');
        expect(own.length).toBeGreaterThan(0);
        if (plan.impossible.length > 0) {
          // Only the model the user chose stands in the way: the plan does not swap it.
          expect(c.devices).toMatch(/model='(?:virtio|amd)'/);
          return;
        }
        const planned = applyEdits(xml, plan.edits).replace(name, `${name}-planned`);
        if (TCG_BELOW_256.test(g.qemu)) expect(await defineRefusal(g.uri, `${name}-planned`, work, planned)).toBeNull();
        else expect(await defineAndStart(g.uri, `${name}-planned`, planned, work)).toEqual({ started: true });
      });
    }
  }
});
