/**
 * launchSecurity policy values in words: which bits a policy sets, named as the fact sheet names them
 * (R-SEV-01 SEV bits, R-SNP-01 the SNP bits QEMU's default sets, R-TDX-01 TDX bits). Unnamed bits are listed
 * by number so nothing is hidden.
 */
import type { SecureType } from '../contracts/facts';
import { DEFAULT_POLICY } from './edits';

const SEV_BITS: Readonly<Record<number, string>> = {
  0: 'NODBG (no debugging)',
  1: 'NOKS (no key sharing)',
  2: 'ES (encrypted register state)',
  3: 'NOSEND',
  4: 'DOMAIN',
  5: 'SEV',
};
/** QEMU's target/i386/sev.h names SMT and DBG; bit 17 is set in QEMU's default 0x30000 (reserved, must be 1). */
const SNP_BITS: Readonly<Record<number, string>> = { 16: 'SMT allowed', 17: 'reserved, must be set', 19: 'DEBUG' };
const TDX_BITS: Readonly<Record<number, string>> = { 0: 'DEBUG', 28: 'SEPT_VE_DISABLE' };

function bitsOf(type: SecureType): Readonly<Record<number, string>> | null {
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
  const names = bitsOf(type);
  const digits = policy.trim().replace(/^0x/i, '');
  if (!names || !/^[0-9a-f]+$/i.test(digits)) return null;
  const value = BigInt(`0x${digits}`);
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) if ((value >> BigInt(bit)) & 1n) out.push(names[bit] ?? `bit ${bit}`);
  return out;
}

/** The bits a type's policy has names for (what the wizard may offer), lowest first; empty for types without one. */
export function policyBits(type: SecureType): readonly { readonly bit: number; readonly name: string }[] {
  return Object.entries(bitsOf(type) ?? {}).map(([bit, name]) => ({ bit: Number(bit), name }));
}

/** The policy the plan writes for a type, with its bits in words; null for types without a policy. */
export function plannedPolicy(type: SecureType): { readonly value: string; readonly bits: readonly string[] } | null {
  const value = DEFAULT_POLICY[type];
  return value ? { value, bits: describePolicy(type, value) ?? [] } : null;
}
