import type { Version, VersionFact } from './facts';

/** Parses `6.0`, `6.0.0`, `9.1.0-rc1`, `QEMU emulator version 7.2.11`; null when no number is found. */
export function parseVersion(text: string): Version | null {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), micro: Number(m[3] ?? 0) };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.micro - b.micro;
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.micro}`;
}

/**
 * Is the version fact known to be >= `min`? `yes`/`no` when decidable; `unknown` when the fact is unknown,
 * or when it is only a lower bound below `min` (the real version may still be higher).
 */
export function atLeast(fact: VersionFact, min: Version): 'yes' | 'no' | 'unknown' {
  if (fact.kind === 'unknown') return 'unknown';
  const cmp = compareVersions(fact.version, min);
  if (cmp >= 0) return 'yes';
  return fact.kind === 'exact' ? 'no' : 'unknown';
}

/** The stronger of two version facts: an exact value wins; of two lower bounds, the higher. */
export function combineVersionFacts(a: VersionFact, b: VersionFact): VersionFact {
  if (a.kind === 'exact') return a;
  if (b.kind === 'exact') return b;
  if (a.kind === 'unknown') return b;
  if (b.kind === 'unknown') return a;
  return compareVersions(a.version, b.version) >= 0 ? a : b;
}
