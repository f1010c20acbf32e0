import { describe, expect, it } from 'vitest';
import { sevEsPolicy } from './edits';
import { describePolicy, plannedPolicy } from './policy';

describe('launchSecurity policies in words', () => {
  it('names the bits of the policies the plan writes', () => {
    expect(plannedPolicy('sev')).toEqual({ value: '0x0003', bits: ['NODBG (no debugging)', 'NOKS (no key sharing)'] });
    expect(plannedPolicy('sev-es')?.bits).toEqual(['NODBG (no debugging)', 'NOKS (no key sharing)', 'ES (encrypted register state)']);
    expect(plannedPolicy('sev-snp')).toEqual({ value: '0x00030000', bits: ['SMT allowed', 'reserved, must be set'] });
    expect(plannedPolicy('tdx')).toEqual({ value: '0x10000000', bits: ['SEPT_VE_DISABLE'] });
    expect(plannedPolicy('s390-pv')).toBeNull();
  });

  it('lists unnamed bits by number and refuses text that is not a number', () => {
    expect(describePolicy('sev', '0x41')).toEqual(['NODBG (no debugging)', 'bit 6']);
    expect(describePolicy('tdx', '1')).toEqual(['DEBUG']);
    expect(describePolicy('sev', 'high')).toBeNull();
  });

  it('reads the policy as hexadecimal with or without 0x, as libvirt does (<policy>10</policy> is 0x10, DOMAIN)', () => {
    expect(describePolicy('sev', '10')).toEqual(['DOMAIN']);
    expect(describePolicy('sev', '0x10')).toEqual(['DOMAIN']);
    expect(describePolicy('sev', '7')).toEqual(['NODBG (no debugging)', 'NOKS (no key sharing)', 'ES (encrypted register state)']);
    expect(describePolicy('sev-snp', '30000')).toEqual(['SMT allowed', 'reserved, must be set']);
  });

  it('turning SEV into SEV-ES keeps the bits the domain has, read as hexadecimal', () => {
    expect([sevEsPolicy('10'), sevEsPolicy('0x0003'), sevEsPolicy('unknown'), sevEsPolicy('high')]).toEqual([
      '0x0014',
      '0x0007',
      '0x0007',
      '0x0007',
    ]);
  });
});
