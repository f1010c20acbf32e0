/**
 * The host facts of a libvirt connection, assembled one way for the app (`libvirt.read`, `host.caps`) and the
 * CLI's fleet audit (`check --connect`): the versions from `virsh version`, `virsh domcapabilities` for the
 * domain's own arch, machine and virttype, and this machine's evidence (/sys, /dev/sev, CPU flags,
 * virt-host-validate) only when the connection is to this machine — it says nothing about a remote host.
 */
import type { HostFacts } from '../../src/contracts/facts';
import { mergeHostFacts, type DomainTarget, type HostFactsPatch } from '../../src/host';
import { collectHostEvidence } from './host-evidence';
import { getDomainCapabilities, getVersions, versionFacts } from './libvirt';
import { runVirsh, VirshError, type VirshRunner } from './virsh';

/**
 * Whether `uri` reaches the libvirtd of this machine (qemu:///system, qemu:///session, qemu+unix:///…). Any
 * other driver (test:///default is no machine at all) or transport, even to localhost, is another host's view.
 */
export function isLocalUri(uri: string): boolean {
  return /^qemu(\+unix)?:\/\/\/(system|session)(\?|$)/.test(uri);
}

export interface HostFactsOptions {
  /**
   * What a domcapabilities libvirt refuses for the target (e.g. kvm without /dev/kvm, an arch with no emulator)
   * gives: 'unknown' leaves those facts unknown (reading domains), 'throw' passes virsh's error on (the user
   * asked for exactly these capabilities).
   */
  readonly whenCapsRefused?: 'unknown' | 'throw';
  /** Told why domcapabilities was refused when that leaves the facts unknown, so the app can say so. */
  readonly onCapsRefused?: (e: VirshError) => void;
  /** Aborting it kills the reader's virsh runs (the user cancelled the read). */
  readonly signal?: AbortSignal;
  /** How virsh runs: runVirsh, or a session batcher (virshSessions) so a fleet host's reads share one login. */
  readonly virsh?: VirshRunner;
}

/** Host facts of one connection for domains of any target. */
export type HostFactsReader = (target: DomainTarget) => Promise<HostFacts>;

/**
 * A reader for `uri`: the versions and local evidence are read once (on first use), domcapabilities once per
 * distinct target, so a fleet of domains of the same kind costs one domcapabilities.
 */
export function hostFactsReader(uri: string, options: HostFactsOptions = {}): HostFactsReader {
  let base: Promise<HostFactsPatch> | undefined;
  const caps = new Map<string, Promise<HostFactsPatch>>();
  const { signal } = options;
  const virsh = options.virsh ?? runVirsh;
  const refused = (e: unknown): HostFactsPatch => {
    if (options.whenCapsRefused !== 'throw' && e instanceof VirshError && e.code === 'failed') {
      options.onCapsRefused?.(e);
      return {};
    }
    throw e;
  };
  return async (target) => {
    base ??= Promise.all([getVersions(uri, { signal, virsh }), isLocalUri(uri) ? collectHostEvidence() : []]).then(
      ([versions, evidence]) => ({
        ...versionFacts(uri, versions),
        evidence,
      }),
    );
    const key = `${target.arch ?? ''}|${target.machine ?? ''}|${target.virttype ?? ''}`;
    let patch = caps.get(key);
    if (!patch) {
      patch = getDomainCapabilities(uri, target, { signal, virsh }).then((c) => c.host, refused);
      caps.set(key, patch);
    }
    const [b, p] = await Promise.all([base, patch]);
    return mergeHostFacts(b, p);
  };
}
