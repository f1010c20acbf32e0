/**
 * R-SNP-02/host: libvirt lists sev-snp in domain capabilities without asking KVM, so only KVM's own sev_snp
 * parameter settles whether the host runs SNP guests (technologies.ts snpReportUnconfirmed).
 */
import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../contracts/facts';
import { CAPABLE_HOST, domain, input } from '../../../test/engine-facts';
import { evaluateAndPlan } from '../plan';

const snpOn = (evidence: readonly Evidence[]) =>
  evaluateAndPlan(input({ domain: domain(), host: { ...CAPABLE_HOST, sevSnp: 'yes', evidence }, goals: { secure: 'sev-snp' } }));
const hostFinding = (r: ReturnType<typeof snpOn>) => r.findings.find((f) => f.rule === 'R-SNP-02');
const param = (value: string): Evidence[] => [{ fact: 'kvm_amd.sev_snp', value, source: '/sys/module/kvm_amd/parameters/sev_snp' }];

describe('R-SNP-02/host', () => {
  it("is an error when KVM's sev_snp reads N although domain capabilities list sev-snp, quoting QEMU's refusal", () => {
    const f = hostFinding(snpOn(param('N')));
    expect(f).toMatchObject({ severity: 'error', title: 'This host cannot run AMD SEV-SNP guests' });
    expect(f?.messages).toContain('vm-type SEV-SNP not supported by KVM');
  });

  it('says the domain-capabilities report alone is not evidence, and is silent once KVM confirms it', () => {
    const unconfirmed = hostFinding(snpOn([]));
    expect(unconfirmed).toMatchObject({ severity: 'warning', title: 'Whether this host can run AMD SEV-SNP guests is not known' });
    expect(unconfirmed?.explanation).toMatch(/sev_snp was not read, so that report alone is not evidence/);
    expect(hostFinding(snpOn(param('Y')))).toBeUndefined();
  });
});
