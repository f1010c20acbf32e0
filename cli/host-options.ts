/** Builds HostFacts and GuestFacts from the facts flags shared by `check` and `plan`. */
import { promises as fs } from 'node:fs';
import { NO_GUEST_FACTS, NO_HOST_FACTS, type GuestFacts, type HostFacts, type VersionFact } from '../src/contracts/facts';
import { parseVersion } from '../src/contracts/version';
import { XmlInputError } from '../src/domain-xml';
import { mergeHostFacts, parseDomainCapabilities } from '../src/host';
import { UsageError } from './args';
import type { CliDeps } from './cli-deps';

/** The host facts options `check`, `plan` and `compare` accept. */
export const HOST_OPTIONS = {
  'qemu-version': { type: 'string' },
  'libvirt-version': { type: 'string' },
  'host-caps': { type: 'string' },
} as const;

/** The guest option of `check` and `plan`. */
export const GUEST_OPTIONS = { guest: { type: 'string' } } as const;

/** The host facts options as parsed. */
export interface HostOptionValues {
  readonly 'qemu-version'?: string;
  readonly 'libvirt-version'?: string;
  readonly 'host-caps'?: string;
}

function exactVersion(command: string, flag: string, text: string | undefined): VersionFact | null {
  if (text === undefined) return null;
  const version = parseVersion(text);
  if (!version || !/^\d+\.\d+(\.\d+)?$/.test(text.trim()))
    throw new UsageError(`${flag} wants a version like 7.2 or 9.0.0, not "${text}"`, command);
  return { kind: 'exact', version, source: flag };
}

/** Host facts from --host-caps, --qemu-version and --libvirt-version (the explicit versions win). */
export async function hostFactsFromFlags(command: string, values: HostOptionValues, base: HostFacts = NO_HOST_FACTS): Promise<HostFacts> {
  let host: HostFacts = base;
  const capsFile = values['host-caps'];
  if (capsFile !== undefined) {
    let xml: string;
    try {
      xml = await fs.readFile(capsFile, 'utf8');
    } catch (e) {
      throw new UsageError(`--host-caps ${capsFile}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, command);
    }
    try {
      host = mergeHostFacts(host, parseDomainCapabilities(xml, capsFile));
    } catch (e) {
      if (e instanceof XmlInputError)
        throw new UsageError(`--host-caps: ${e.message} (give the output of \`virsh domcapabilities\`)`, command);
      throw e;
    }
  }
  const qemu = exactVersion(command, '--qemu-version', values['qemu-version']);
  const libvirt = exactVersion(command, '--libvirt-version', values['libvirt-version']);
  if (qemu) host = { ...host, qemuVersion: qemu };
  if (libvirt) host = { ...host, libvirtVersion: libvirt };
  return host;
}

/** Guest facts from --guest, else the domain's own osinfo id, via osinfo-db when available. */
export async function guestFacts(given: string | undefined, domainOsinfo: string, deps: CliDeps): Promise<GuestFacts> {
  const id = given ?? (domainOsinfo === 'unknown' ? undefined : domainOsinfo);
  if (id === undefined) return NO_GUEST_FACTS;
  return deps.lookupGuest(id);
}
