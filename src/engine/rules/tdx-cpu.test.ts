/** R-TDX-01/cpu-model: QEMU builds a TD's CPU only from the host's; the plan adds host-passthrough where no <cpu> is lost. */
import { describe, expect, it } from 'vitest';
import type { DomainFacts } from '../../contracts/facts';
import { CAPABLE_HOST, domain, exact, input } from '../../../test/engine-facts';
import { evaluateAndPlan } from '../plan';

const tdx = (cpuMode: DomainFacts['cpuMode']) =>
  evaluateAndPlan(
    input({
      domain: domain({ cpuMode }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(12, 8), qemuVersion: exact(11, 1) },
      goals: { secure: 'tdx' },
    }),
  );
const cpuFinding = (r: ReturnType<typeof tdx>) =>
  r.findings.find((f) => f.messages?.includes('Named cpu model is not supported for TDX yet!'));

describe('R-TDX-01/cpu-model', () => {
  it('refuses every mode that gives QEMU a named model, and none that does not', () => {
    for (const mode of ['absent', 'custom', 'host-model'] as const) expect(cpuFinding(tdx(mode))?.severity, mode).toBe('error');
    for (const mode of ['host-passthrough', 'maximum'] as const) expect(cpuFinding(tdx(mode)), mode).toBeUndefined();
  });

  it("plans <cpu mode='host-passthrough'/> only where the domain has no <cpu>; a chosen model makes the plan impossible", () => {
    expect(tdx('absent').plan.edits).toContainEqual({ op: 'add-element', parent: '/domain', xml: "<cpu mode='host-passthrough'/>" });
    expect(tdx('custom').plan.impossible.map((f) => f.title)).toContainEqual(expect.stringMatching(/gives QEMU a named CPU model/));
  });
});
