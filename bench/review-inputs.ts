/**
 * What the Review benchmarks feed the store: a capable host and a Linux guest, the 20,000-line domain, and two
 * states a recompute alternates between, so that every call is a real recompute of what one change of the
 * user's changes (the store memoises the parsed text and recomputes the rest, renderer/store/derived.ts).
 */
import { UNKNOWN } from '../src/contracts/facts';
import { createDerive, type DeriveInputs } from '../renderer/store/derived';
import { CAPABLE_HOST, LINUX_GUEST } from '../test/engine-facts';
import { bigDomainXml } from './big-domain';

/** The state once the user chose `secure` on a host that offers every technology. */
export function reviewInputs(text: string, secure: DeriveInputs['secure'] = 'sev'): DeriveInputs {
  return { text, host: CAPABLE_HOST, guest: LINUX_GUEST, secure, migration: UNKNOWN, backends: {}, models: {}, manualXml: null };
}

/** Switching between SEV and SEV-ES: each recompute plans, applies, judges and diffs anew. */
export function goalChanges(text: string): readonly [DeriveInputs, DeriveInputs] {
  return [reviewInputs(text, 'sev'), reviewInputs(text, 'sev-es')];
}

/**
 * Typing in the planned XML at both ends of the text (its name, and a comment before </domain>): each recompute
 * judges the hand-edited text and diffs it against the loaded one, with changes at both ends.
 */
export function handEditsAtBothEnds(text: string): readonly [DeriveInputs, DeriveInputs] {
  const edit = (n: number) =>
    text.replace(/<name>([^<]*)<\/name>/, `<name>$1-${n}</name>`).replace(/<\/domain>\s*$/, `  <!-- edit ${n} -->\n</domain>\n`);
  return [
    { ...reviewInputs(text), manualXml: edit(1) },
    { ...reviewInputs(text), manualXml: edit(2) },
  ];
}

/** A recompute function over the two states, alternating (the first call of each pair is not a cache hit). */
export function alternatingRecompute(states: readonly [DeriveInputs, DeriveInputs]): () => ReturnType<ReturnType<typeof createDerive>> {
  const derive = createDerive();
  let flip = false;
  return () => {
    flip = !flip;
    return derive(flip ? states[0] : states[1]);
  };
}

/** The smallest bigDomainXml with at least 20,000 lines (4,440 virtio devices). */
export function twentyThousandLineDomain(): string {
  const lines = (n: number) => bigDomainXml(n).split('\n').length - 1;
  let lo = 1;
  let hi = 8192;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines(mid) >= 20_000) hi = mid;
    else lo = mid + 1;
  }
  return bigDomainXml(lo);
}
