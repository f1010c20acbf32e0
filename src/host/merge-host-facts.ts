/** Combines host facts from several sources (versions, domcapabilities, host evidence) into one `HostFacts`. */
import type { HostFacts, Support, VersionFact } from '../contracts/facts';
import { NO_HOST_FACTS, UNKNOWN } from '../contracts/facts';
import type { HostFactsPatch } from './parse-domain-capabilities';

/** `exact` beats `at-least`; between two of a kind the higher version wins (both are true statements). */
function betterVersion(a: VersionFact, b: VersionFact): VersionFact {
  if (b.kind === 'unknown') return a;
  if (a.kind === 'unknown') return b;
  if (a.kind !== b.kind) return a.kind === 'exact' ? a : b;
  const va = a.version;
  const vb = b.version;
  const cmp = va.major - vb.major || va.minor - vb.minor || va.micro - vb.micro;
  return cmp >= 0 ? a : b;
}

/** A known answer beats unknown; a later known answer replaces an earlier one. */
function support(a: Support, b: Support | undefined): Support {
  return b === undefined || b === UNKNOWN ? a : b;
}

/** Merges patches left to right onto `NO_HOST_FACTS`; evidence lists are concatenated. */
export function mergeHostFacts(...parts: readonly HostFactsPatch[]): HostFacts {
  return parts.reduce<HostFacts>((acc, p) => {
    const sev = p.sev;
    const pick = <T>(x: T | typeof UNKNOWN, y: T | typeof UNKNOWN | undefined): T | typeof UNKNOWN =>
      y === undefined || y === UNKNOWN ? x : y;
    return {
      libvirtVersion: p.libvirtVersion ? betterVersion(acc.libvirtVersion, p.libvirtVersion) : acc.libvirtVersion,
      qemuVersion: p.qemuVersion ? betterVersion(acc.qemuVersion, p.qemuVersion) : acc.qemuVersion,
      sev: sev
        ? {
            supported: support(acc.sev.supported, sev.supported),
            cbitpos: pick(acc.sev.cbitpos, sev.cbitpos),
            reducedPhysBits: pick(acc.sev.reducedPhysBits, sev.reducedPhysBits),
            maxGuests: pick(acc.sev.maxGuests, sev.maxGuests),
            maxESGuests: pick(acc.sev.maxESGuests, sev.maxESGuests),
          }
        : acc.sev,
      sevSnp: support(acc.sevSnp, p.sevSnp),
      tdx: support(acc.tdx, p.tdx),
      s390pv: support(acc.s390pv, p.s390pv),
      machines:
        p.machines === undefined || p.machines === UNKNOWN
          ? acc.machines
          : [...new Set([...(acc.machines === UNKNOWN ? [] : acc.machines), ...p.machines])],
      evidence: p.evidence ? [...acc.evidence, ...p.evidence] : acc.evidence,
    };
  }, NO_HOST_FACTS);
}
