/**
 * launchSecurity policy values in words: which bits a policy sets, named as the fact sheet names them
 * (R-SEV-01 SEV bits, R-SNP-01 the SNP bits QEMU's default sets, R-TDX-01 TDX bits). Unnamed bits are listed
 * by number so nothing is hidden.
 */
import type { SecureType } from '../contracts/facts';
import { parseLaunchSecurityPolicy, setBits } from '../contracts/launch-security-policy';
import { DEFAULT_POLICY } from './edits';

const SEV_BITS: Readonly<Record<number, string>> = {
  0: 'NODBG (no debugging)',
  1: 'NOKS (no key sharing)',
  2: 'ES (encrypted register state)',
  3: 'NOSEND',
  4: 'DOMAIN',
  5: 'SEV',
};
/**
 * QEMU's target/i386/sev.h names SMT and DBG; bit 17 is set in QEMU's default 0x30000 (reserved, must be 1); KVM's
 * arch/x86/kvm/svm/sev.c names MIGRATE_MA (which it refuses) and SINGLE_SOCKET (R-SNP-01/policy-bits).
 */
const SNP_BITS: Readonly<Record<number, string>> = {
  16: 'SMT allowed',
  17: 'reserved, must be set',
  18: 'MIGRATE_MA (migration agent)',
  19: 'DEBUG',
  20: 'SINGLE_SOCKET',
};
const TDX_BITS: Readonly<Record<number, string>> = { 0: 'DEBUG', 28: 'SEPT_VE_DISABLE' };

function namesOf(type: SecureType): Readonly<Record<number, string>> | null {
  if (type === 'sev' || type === 'sev-es') return SEV_BITS;
  if (type === 'sev-snp') return SNP_BITS;
  if (type === 'tdx') return TDX_BITS;
  return null;
}

/**
 * The names of the bits `policy` sets, lowest first; null when it is not a number. libvirt reads the policy as
 * hexadecimal with or without 0x (domain_conf.c virXPathUIntBase(..., 16, ...)), so `10` is 0x10 (DOMAIN).
 */
export function describePolicy(type: SecureType, policy: string): string[] | null {
  const names = namesOf(type);
  const value = parseLaunchSecurityPolicy(policy);
  if (!names || value === null) return null;
  return setBits(value).map((bit) => names[bit] ?? `bit ${bit}`);
}

/** The policy the plan writes for a type, with its bits in words; null for types without a policy. */
export function plannedPolicy(type: SecureType): { readonly value: string; readonly bits: readonly string[] } | null {
  const value = DEFAULT_POLICY[type];
  return value ? { value, bits: describePolicy(type, value) ?? [] } : null;
}
