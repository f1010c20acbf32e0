/**
 * Properties over generated domains (test/domain-generator.ts) and every goal: evaluation is deterministic,
 * an applied plan leaves no error, and planning again gives nothing more to do.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EngineInput } from '../contracts/engine';
import { NO_GUEST_FACTS, NO_HOST_FACTS, SECURE_TYPES, type SecureType } from '../contracts/facts';
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
