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

  it('turning SEV into SEV-ES keeps the bits the domain has, read as hexadecimal', () => {
    expect([sevEsPolicy('10'), sevEsPolicy('0x0003'), sevEsPolicy('unknown'), sevEsPolicy('high')]).toEqual([
      '0x0014',
      '0x0007',
      '0x0007',
      '0x0007',
    ]);
  });
});

describe('policy text as libvirt reads it', () => {
  it('is hexadecimal with or without 0x: <policy>10</policy> is DOMAIN, not NOKS and NOSEND', () => {
    expect(describePolicy('sev', '10')).toEqual(['DOMAIN']);
    expect(describePolicy('sev', '0x10')).toEqual(['DOMAIN']);
    expect(describePolicy('sev-snp', '30000')).toEqual(['SMT allowed', 'reserved, must be set']);
  });
  it('names the SNP bits KVM decides on: MIGRATE_MA (refused) and SINGLE_SOCKET', () => {
    expect(describePolicy('sev-snp', '0x1f0000')).toEqual([
      'SMT allowed',
      'reserved, must be set',
      'MIGRATE_MA (migration agent)',
      'DEBUG',
      'SINGLE_SOCKET',
    ]);
  });
});
