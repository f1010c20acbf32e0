/**
 * Properties over generated domains (test/domain-generator.ts) and every goal: evaluation is deterministic,
 * an applied plan leaves no error, and planning again gives nothing more to do.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EngineInput } from '../contracts/engine';
import { NO_GUEST_FACTS, NO_HOST_FACTS, SECURE_TYPES, type GuestFacts, type SecureType } from '../contracts/facts';
import type { Edit } from '../contracts/findings';
import { applyEdits, parseDomainXml, readDomainFacts } from '../domain-xml';
import { CAPABLE_HOST, LINUX_GUEST, input } from '../../test/engine-facts';
import { domainSpec, domainXml } from '../../test/domain-generator';
import { evaluate, evaluateAndPlan, planFor } from './index';
import { hasError } from './interpreter';

const GOALS: readonly (SecureType | 'keep')[] = ['keep', ...SECURE_TYPES];

function engineInput(xml: string, secure: SecureType | 'keep'): EngineInput {
  return input({ domain: readDomainFacts(parseDomainXml(xml)), host: CAPABLE_HOST, guest: LINUX_GUEST, goals: { secure } });
}

/** After the plan the domain is what the goal asked for; PEF has no element, so it stays a goal. */
const goalAfter = (secure: SecureType | 'keep'): SecureType | 'keep' => (secure === 'pef' ? 'pef' : 'keep');

describe('engine properties', () => {
  it('is deterministic', () => {
    fc.assert(
      fc.property(domainSpec, fc.constantFrom(...GOALS), (spec, secure) => {
        const i = engineInput(domainXml(spec), secure);
        expect(evaluate(i)).toEqual(evaluate(i));
        expect(planFor(i)).toEqual(planFor(i));
      }),
      { numRuns: 150 },
    );
  });

  it('evaluateAndPlan (one run of the rules) gives exactly what evaluate and planFor give, with known and unknown host facts', () => {
    fc.assert(
      fc.property(domainSpec, fc.constantFrom(...GOALS), fc.boolean(), (spec, secure, knownHost) => {
        const base = engineInput(domainXml(spec), secure);
        const i = knownHost ? base : { ...base, host: NO_HOST_FACTS, guest: NO_GUEST_FACTS };
        expect(evaluateAndPlan(i)).toEqual({ findings: evaluate(i), plan: planFor(i) });
      }),
      { numRuns: 200 },
    );
  });

  it('hasError agrees with evaluate on whether there is an error, with known and unknown host facts', () => {
    fc.assert(
      fc.property(domainSpec, fc.constantFrom(...GOALS), fc.boolean(), (spec, secure, knownHost) => {
        const base = engineInput(domainXml(spec), secure);
        const i = knownHost ? base : { ...base, host: NO_HOST_FACTS, guest: NO_GUEST_FACTS };
        expect(hasError(i)).toBe(evaluate(i).some((f) => f.severity === 'error'));
      }),
      { numRuns: 300 },
    );
  });

  it('a possible plan applies cleanly, leaves no error, and is idempotent', () => {
    fc.assert(
      fc.property(domainSpec, fc.constantFrom(...GOALS), (spec, secure) => {
        const xml = domainXml(spec);
        const plan = planFor(engineInput(xml, secure));
        if (plan.impossible.length > 0) {
          // Refusals always say why, as errors with nothing to edit.
          for (const f of plan.impossible) expect([f.severity, f.fix.edits]).toEqual(['error', []]);
          return;
        }
        const planned = applyEdits(xml, plan.edits);
        const after = engineInput(planned, goalAfter(secure));
        const errors = evaluate(after).filter((f) => f.severity === 'error');
        expect(
          errors.map((f) => `${f.rule} ${f.target}: ${f.title}`),
          planned,
        ).toEqual([]);
        expect(planFor(after).edits, planned).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('an impossible goal is refused with a finding that says why (SEV on s390x)', () => {
    const xml = domainXml({
      platform: { arch: 's390x', machine: 's390-ccw-virtio-7.2' },
      launchSecurity: 'none',
      efi: false,
      shared: false,
      viommu: false,
      devices: [],
    });
    const plan = planFor(engineInput(xml, 'sev'));
    expect(plan.edits).toEqual([]);
    expect(plan.impossible.map((f) => f.rule)).toContain('R-SEV-01');
    expect(plan.impossible[0]?.title).toMatch(/x86_64/);
  });
});

describe('plans and the guest (issue 13 item 2: the smallest fix the guest survives)', () => {
  const legacyOnly: GuestFacts = { ...LINUX_GUEST, name: 'CentOS 6', virtio1: 'no', kernelVersion: { major: 2, minor: 6, micro: 32 } };
  const oldKernel: GuestFacts = { ...LINUX_GUEST, name: 'old Linux', virtio1: 'unknown', kernelVersion: { major: 2, minor: 6, micro: 32 } };
  const GUESTS: readonly GuestFacts[] = [legacyOnly, oldKernel, NO_GUEST_FACTS, LINUX_GUEST];
  const makesModern = (e: Edit): boolean =>
    (e.op === 'set-attribute' && e.value === 'virtio-non-transitional') ||
    (e.op === 'add-element' && e.xml.includes('virtio-non-transitional'));
  const turnsBitOn = (e: Edit): boolean =>
    (e.op === 'set-attribute' && e.name === 'iommu' && e.value === 'on') || (e.op === 'add-element' && e.xml.includes("iommu='on'"));

  it('never gives a guest that cannot use modern devices a modern device or the bit, and an ordinary VM of unknown guest no modern device', () => {
    fc.assert(
      fc.property(domainSpec, fc.constantFrom(...GOALS), fc.constantFrom(...GUESTS), (spec, secure, guest) => {
        const i = { ...engineInput(domainXml(spec), secure), guest };
        const plan = planFor(i);
        const legacy = guest.virtio1 === 'no' || (guest.kernelVersion !== 'unknown' && guest.kernelVersion.major < 4);
        const confidential = (secure === 'keep' ? i.domain.launchSecurity.type : secure) !== 'none';
        if (legacy) {
          expect(plan.edits.filter(makesModern), domainXml(spec)).toEqual([]);
          expect(plan.edits.filter(turnsBitOn), domainXml(spec)).toEqual([]);
        }
        if (!confidential && guest.virtio1 !== 'yes') expect(plan.edits.filter(makesModern), domainXml(spec)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a confidential goal for a guest that cannot use modern devices, saying why', () => {
    const xml = domainXml({
      platform: { arch: 'x86_64', machine: 'pc-i440fx-7.2' },
      launchSecurity: 'none',
      efi: true,
      shared: false,
      viommu: false,
      devices: [{ kind: 'nic', model: 'virtio-transitional', iommu: 'on', ats: 'absent', nicType: 'network', vhost: false, mmio: false }],
    });
    const plan = planFor({ ...engineInput(xml, 'sev'), guest: legacyOnly });
    expect(plan.edits).toEqual([]);
    expect(plan.impossible.map((f) => f.rule)).toEqual(expect.arrayContaining(['R-SEV-01']));
    expect(plan.impossible.some((f) => /legacy virtio drivers|2\.6\.32/.test(f.title + f.fix.text))).toBe(true);
  });
});
