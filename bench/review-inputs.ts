/** What the Review benchmarks feed the store's derive: a SEV goal on a capable host, and the 20,000-line domain. */
import { UNKNOWN } from '../src/contracts/facts';
import type { derive } from '../renderer/store/derived';
import { CAPABLE_HOST, LINUX_GUEST } from '../test/engine-facts';
import { bigDomainXml } from './big-domain';

/** The state after the user chose SEV on a host that offers it: the goal whose plan edits the most. */
export function reviewInputs(text: string): Parameters<typeof derive>[0] {
  return { text, host: CAPABLE_HOST, guest: LINUX_GUEST, secure: 'sev', migration: UNKNOWN, backends: {}, models: {}, manualXml: null };
}

/** The smallest bigDomainXml with at least 20,000 lines (about 4,400 virtio devices). */
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
