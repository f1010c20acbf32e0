import { describe, expect, it } from 'vitest';
import { explainRule } from './explain';

describe('explainRule', () => {
  it("says what remains the host's job for a confidential VM technology", () => {
    const snp = explainRule('R-SNP-01');
    expect(snp?.hostJobs?.join(' ')).toMatch(/host IOMMU on and not in passthrough mode/);
    expect(explainRule('R-TDX-01')?.hostJobs?.join(' ')).toMatch(/OVMF\.inteltdx\.fd/);
    expect(explainRule('R-XML-05')?.hostJobs).toBeUndefined();
  });
  it('lists every wording of a per-version message', () => {
    const sev = explainRule('R-SEV-05');
    const messages = sev?.checks.flatMap((c) => c.messages) ?? [];
    expect(messages).toEqual(
      expect.arrayContaining([
        'SEV launch security is not supported with this QEMU binary',
        "'sev' launch security is not supported with this QEMU binary",
      ]),
    );
  });
});
