/**
 * Reads the domains of a libvirt connection for `virtio-access check --connect URI`: inactive XML of each,
 * with host facts from one `virsh version` per URI and one domcapabilities per distinct arch/machine/virttype.
 */
import type { HostFacts } from '../../src/contracts/facts';
import { parseXml } from '../../src/domain-xml';
import { mergeHostFacts, type HostFactsPatch } from '../../src/host';
import { collectHostEvidence } from './host-evidence';
import { dumpInactiveXml, getDomainCapabilities, getVersions, listDomains, versionFacts } from './libvirt';
import { VirshError } from './virsh';

/** One domain read from a connection. */
export interface ConnectionDomain {
  readonly uri: string;
  readonly name: string;
  readonly xml: string;
  readonly host: HostFacts;
}

/** Progress callback: domains read so far out of all asked for. */
export type FleetProgress = (done: number, total: number) => void;

function capsKey(xml: string, name: string): { arch?: string; machine?: string; virttype?: string } {
  const root = parseXml(xml, `domain ${name}`).root;
  const type = root.find('os/type');
  return { arch: type?.attr('arch'), machine: type?.attr('machine'), virttype: root.attr('type') };
}

/** Local evidence only describes this machine, so it joins the facts only for local URIs. */
function isLocal(uri: string): boolean {
  return /^qemu:\/\/\/(system|session)/.test(uri);
}

/** Reads `names` (or every domain) of `uri`; a name the host does not have rejects with domain-not-found. */
export async function readDomainsFromConnection(
  uri: string,
  names: readonly string[] | 'all',
  onProgress?: FleetProgress,
): Promise<ConnectionDomain[]> {
  const wanted = names === 'all' ? (await listDomains(uri)).map((d) => d.name) : [...names];
  const [versions, evidence] = await Promise.all([getVersions(uri), isLocal(uri) ? collectHostEvidence() : Promise.resolve([])]);
  const base: HostFactsPatch = { ...versionFacts(uri, versions), evidence };
  const caps = new Map<string, Promise<HostFactsPatch>>();
  const out: ConnectionDomain[] = [];
  for (const [i, name] of wanted.entries()) {
    const xml = await dumpInactiveXml(uri, name);
    const want = capsKey(xml, name);
    const key = `${want.arch ?? ''}|${want.machine ?? ''}|${want.virttype ?? ''}`;
    let patch = caps.get(key);
    if (!patch) {
      // A domain type the daemon has no capabilities for (e.g. kvm without /dev/kvm) leaves the facts unknown.
      patch = getDomainCapabilities(uri, want).then(
        (c) => c.host,
        (e: unknown) => {
          if (e instanceof VirshError && e.code === 'failed') return {};
          throw e;
        },
      );
      caps.set(key, patch);
    }
    out.push({ uri, name, xml, host: mergeHostFacts(base, await patch) });
    onProgress?.(i + 1, wanted.length);
  }
  return out;
}
