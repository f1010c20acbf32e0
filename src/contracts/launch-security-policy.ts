/**
 * The `<launchSecurity><policy>` value as libvirt reads it: always hexadecimal, with or without `0x`
 * (libvirt 11.3 src/conf/domain_conf.c parses SEV's policy with virXPathUIntBase(..., 16, ...) and SEV-SNP's
 * and TDX's with virXPathULongLongBase(..., 16, ...)). `<policy>10</policy>` is therefore 0x10, never ten.
 * Every reader of the policy (domain facts, the SEV-ES edit, the policy in words) uses this one function.
 */
export function parseLaunchSecurityPolicy(text: string): bigint | null {
  const t = text.trim();
  const m = /^(?:0x)?([0-9a-f]{1,16})$/i.exec(t);
  return m ? BigInt(`0x${m[1]!}`) : null;
}

/** The bits a 64-bit policy sets, lowest first. */
export function setBits(value: bigint): number[] {
  const out: number[] = [];
  for (let bit = 0; bit < 64; bit++) if ((value >> BigInt(bit)) & 1n) out.push(bit);
  return out;
}
