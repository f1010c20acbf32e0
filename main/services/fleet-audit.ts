/**
 * Reads the domains of a libvirt connection for `virtio-access check --connect URI`: inactive XML of each,
 * with host facts from one `virsh version` per URI and one domcapabilities per distinct arch/machine/virttype
 * (host-facts.ts, the same assembly the app uses).
 */
import type { HostFacts } from '../../src/contracts/facts';
import { domainTargetOf } from '../../src/host';
import { hostFactsReader } from './host-facts';
import { dumpInactiveXml, listDomains } from './libvirt';

/** One domain read from a connection. */
export interface ConnectionDomain {
  readonly uri: string;
  readonly name: string;
  readonly xml: string;
  readonly host: HostFacts;
}

/** Progress callback: domains read so far out of all asked for. */
export type FleetProgress = (done: number, total: number) => void;

/** Reads `names` (or every domain) of `uri`; a name the host does not have rejects with domain-not-found. */
export async function readDomainsFromConnection(
  uri: string,
  names: readonly string[] | 'all',
  onProgress?: FleetProgress,
): Promise<ConnectionDomain[]> {
  const wanted = names === 'all' ? (await listDomains(uri)).map((d) => d.name) : [...names];
  const hostFacts = hostFactsReader(uri);
  const out: ConnectionDomain[] = [];
  for (const [i, name] of wanted.entries()) {
    const xml = await dumpInactiveXml(uri, name);
    out.push({ uri, name, xml, host: await hostFacts(domainTargetOf(xml, `domain ${name}`)) });
    onProgress?.(i + 1, wanted.length);
  }
  return out;
}
