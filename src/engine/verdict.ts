/** Three-valued logic for rule conditions (rule-types.ts Verdict). */
import type { Verdict } from './rule-types';
import type { VersionFact, Version } from '../contracts/facts';
import { atLeast, formatVersion } from '../contracts/version';

export function unknown(...facts: string[]): Verdict {
  return { unknown: facts };
}

export function isUnknown(v: Verdict): v is { readonly unknown: readonly string[] } {
  return typeof v === 'object';
}

export function not(v: Verdict): Verdict {
  return isUnknown(v) ? v : !v;
}

/**
 * `vs` combined: `wins` if any is `wins`, else unknown with every unknown fact, else `!wins`. Loops, not
 * array helpers: conditions call this for every rule and device, and it allocates only for unknowns.
 */
function combine(vs: readonly Verdict[], wins: boolean): Verdict {
  let facts: string[] | null = null;
  for (const v of vs) {
    if (v === wins) return wins;
    if (isUnknown(v)) (facts ??= []).push(...v.unknown);
  }
  return facts ? { unknown: facts } : !wins;
}

/** False wins over unknown, unknown over true. */
export function and(...vs: Verdict[]): Verdict {
  return combine(vs, false);
}

/** True wins over unknown, unknown over false. */
export function or(...vs: Verdict[]): Verdict {
  return combine(vs, true);
}

/** `fact >= min` as a verdict; `what` names the fact (e.g. "the QEMU version"). */
export function versionAtLeast(fact: VersionFact, min: Version, what: string): Verdict {
  const r = atLeast(fact, min);
  if (r === 'unknown') {
    const known = fact.kind === 'at-least' ? ` (known: at least ${formatVersion(fact.version)}, from ${fact.source})` : '';
    return unknown(`${what}${known}`);
  }
  return r === 'yes';
}

export function v(major: number, minor: number, micro = 0): Version {
  return { major, minor, micro };
}
