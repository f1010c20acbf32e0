/** Builds HostFacts and GuestFacts from the facts flags shared by `check` and `plan`. */
import { decodeXmlBytes, readRegularFileSync } from '../main/services/read-domain-file';
import { NO_GUEST_FACTS, NO_HOST_FACTS, type GuestFacts, type HostFacts, type VersionFact } from '../src/contracts/facts';
import { parseVersion } from '../src/contracts/version';
import { XmlInputError } from '../src/domain-xml';
import { mergeHostFacts, parseDomainCapabilities } from '../src/host';
import { UsageError, valueOf, type ParsedArgs } from './args';
import type { CliDeps } from './cli-deps';

/** Flags every facts-taking command accepts. */
export const FACT_VALUE_FLAGS = ['--qemu-version', '--libvirt-version', '--host-caps', '--guest'] as const;

function exactVersion(command: string, flag: string, text: string | undefined): VersionFact | null {
  if (text === undefined) return null;
  const version = parseVersion(text);
  if (!version || !/^\d+\.\d+(\.\d+)?$/.test(text.trim()))
    throw new UsageError(`${flag} wants a version like 7.2 or 9.0.0, not "${text}"`, command);
  return { kind: 'exact', version, source: flag };
}

/** Host facts from --host-caps, --qemu-version and --libvirt-version (the explicit versions win). */
export async function hostFactsFromFlags(command: string, args: ParsedArgs, base: HostFacts = NO_HOST_FACTS): Promise<HostFacts> {
  let host: HostFacts = base;
  const capsFile = valueOf(args, '--host-caps');
  if (capsFile !== undefined) {
    // The same reader as domain files: a FIFO or /dev/zero is refused at once, never read without bound.
    try {
      host = mergeHostFacts(host, parseDomainCapabilities(decodeXmlBytes(readRegularFileSync(capsFile), capsFile), capsFile));
    } catch (e) {
      if (e instanceof XmlInputError)
        throw new UsageError(`--host-caps: ${e.message} (give the output of \`virsh domcapabilities\`)`, command);
      throw e;
    }
  }
  const qemu = exactVersion(command, '--qemu-version', valueOf(args, '--qemu-version'));
  const libvirt = exactVersion(command, '--libvirt-version', valueOf(args, '--libvirt-version'));
  if (qemu) host = { ...host, qemuVersion: qemu };
  if (libvirt) host = { ...host, libvirtVersion: libvirt };
  return host;
}

/** Guest facts from --guest, else the domain's own osinfo id, via osinfo-db when available. */
export async function guestFacts(args: ParsedArgs, domainOsinfo: string, deps: CliDeps): Promise<GuestFacts> {
  const id = valueOf(args, '--guest') ?? (domainOsinfo === 'unknown' ? undefined : domainOsinfo);
  if (id === undefined) return NO_GUEST_FACTS;
  if (!deps.lookupGuest) return { ...NO_GUEST_FACTS, osinfoId: id };
  return deps.lookupGuest(id);
}
