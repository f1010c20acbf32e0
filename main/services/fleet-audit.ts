/**
 * Reads the domains of libvirt connections for `virtio-access check --connect URI... [--all | DOMAIN...]`: the
 * inactive XML of each domain, with host facts from one `virsh version` per URI and one domcapabilities per
 * distinct arch/machine/virttype (host-facts.ts, the same assembly the app uses). Every step asks all its commands at once through a session batcher
 * (virsh.ts `virshSessions`), so a host costs one virsh process and one ssh login per step — the list, the
 * XML of all domains, the versions and capabilities — whatever its number of domains; hosts are read in
 * parallel, at most `jobs` at a time. A domain that cannot be read, or a host that cannot be reached, is
 * reported as such without losing what the others gave.
 */
import type { HostFacts } from '../../src/contracts/facts';
import { XmlInputError } from '../../src/domain-xml';
import { domainTargetOf, type DomainTarget } from '../../src/host';
import { hostFactsReader } from './host-facts';
import { dumpInactiveXml, listDomainNames } from './libvirt';
import { VirshError, virshSessions } from './virsh';

/** One domain read from a connection. */
export interface ConnectionDomain {
  readonly uri: string;
  readonly name: string;
  readonly xml: string;
  readonly host: HostFacts;
}

/** A domain the host has listed or was asked for, but whose XML could not be read (e.g. undefined meanwhile). */
export interface DomainFailure {
  readonly uri: string;
  readonly name: string;
  readonly error: VirshError;
}

/** What one connection gave: its domains in the order asked (or listed), and those that failed. */
export interface ConnectionRead {
  readonly domains: readonly ConnectionDomain[];
  readonly failures: readonly DomainFailure[];
}

/** Progress callback: domains read so far out of all asked for. */
export type FleetProgress = (done: number, total: number) => void;

/** Failures that say the host (or virsh itself) cannot be used at all, rather than that one domain cannot. */
const HOST_WIDE_FAILURES: ReadonlySet<VirshError['code']> = new Set([
  'not-installed',
  'refused-uri',
  'cannot-connect',
  'permission-denied',
  'daemon-down',
  'timeout',
]);

/** The domain's target for its capabilities; libvirt's defaults when its XML does not parse (check reports that). */
function targetOf(xml: string, name: string): DomainTarget {
  try {
    return domainTargetOf(xml, `domain ${name}`);
  } catch (e) {
    if (e instanceof XmlInputError) return {};
    throw e;
  }
}

/**
 * Reads `names` (or every domain) of `uri`. A domain that cannot be read (a name the host does not have
 * rejects with domain-not-found) is a failure of its own; the promise rejects only when the host as a whole
 * cannot be read (cannot connect, the list or the versions fail).
 */
export async function readDomainsFromConnection(
  uri: string,
  names: readonly string[] | 'all',
  onProgress?: FleetProgress,
): Promise<ConnectionRead> {
  const virsh = virshSessions();
  const wanted = names === 'all' ? await listDomainNames(uri, { virsh }) : [...names];
  const hostFacts = hostFactsReader(uri, { virsh });
  let done = 0;
  const reads = await Promise.all(
    wanted.map(async (name) => {
      let xml: string;
      try {
        xml = await dumpInactiveXml(uri, name, { virsh });
      } catch (error) {
        if (error instanceof VirshError && !HOST_WIDE_FAILURES.has(error.code)) {
          onProgress?.(++done, wanted.length);
          return { failure: { uri, name, error } as DomainFailure };
        }
        throw error;
      }
      const domain = { uri, name, xml, host: await hostFacts(targetOf(xml, name)) };
      onProgress?.(++done, wanted.length);
      return { domain: domain as ConnectionDomain };
    }),
  );
  return {
    domains: reads.flatMap((r) => (r.domain ? [r.domain] : [])),
    failures: reads.flatMap((r) => (r.failure ? [r.failure] : [])),
  };
}

/** What one host of a fleet gave, or why it gave nothing. */
export type HostRead =
  | ({ readonly ok: true } & ConnectionRead & { readonly uri: string })
  | { readonly ok: false; readonly uri: string; readonly error: VirshError };

/** How many hosts `readFleet` reads at once unless told: enough to hide ssh and libvirtd latency. */
export const DEFAULT_FLEET_JOBS = 8;

/**
 * Reads every URI's domains (see readDomainsFromConnection), at most `jobs` hosts at a time, and resolves with
 * one HostRead per URI in the order given; `onHost` hears of each host as it finishes. Only errors that are no
 * host's (a bug) reject.
 */
export async function readFleet(
  uris: readonly string[],
  names: readonly string[] | 'all',
  options: { readonly jobs?: number; readonly onHost?: (read: HostRead, done: number, total: number) => void } = {},
): Promise<HostRead[]> {
  const jobs = Math.max(1, options.jobs ?? DEFAULT_FLEET_JOBS);
  const out: HostRead[] = new Array(uris.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < uris.length) {
      const i = next++;
      const uri = uris[i]!;
      out[i] = await readDomainsFromConnection(uri, names).then(
        (read): HostRead => ({ ok: true, uri, ...read }),
        (error: unknown): HostRead => {
          if (error instanceof VirshError) return { ok: false, uri, error };
          throw error;
        },
      );
      options.onHost?.(out[i], ++done, uris.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, uris.length) }, worker));
  return out;
}
