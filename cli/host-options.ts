/** Builds HostFacts and GuestFacts from the facts flags shared by `check` and `plan`. */
import { decodeXmlBytes, readRegularFileSync } from '../main/services/read-domain-file';
import {
  guestWithKernel,
  NO_GUEST_FACTS,
  NO_HOST_FACTS,
  type GuestFacts,
  type HostFacts,
  type Version,
  type VersionFact,
} from '../src/contracts/facts';
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

/** The guest options of `check` and `plan`. */
export const GUEST_OPTIONS = { guest: { type: 'string' }, 'guest-kernel': { type: 'string' } } as const;

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
    // The same reader as domain files: a FIFO or /dev/zero is refused at once, never read without bound.
    try {
      host = mergeHostFacts(host, parseDomainCapabilities(decodeXmlBytes(readRegularFileSync(capsFile), capsFile), capsFile));
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

/**
 * The guest kernel's version from --guest-kernel, as `uname -r` prints it in the guest (6.1.0-18-amd64) or as a
 * version (6.12); null without the flag. osinfo-db records no kernel versions, so only the user can give it.
 */
export function guestKernelFromFlag(command: string, text: string | undefined): Version | null {
  if (text === undefined) return null;
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:[-+~_][\w.+~-]*)?$/.exec(text.trim());
  if (!m)
    throw new UsageError(
      `--guest-kernel wants the guest's \`uname -r\` (e.g. 6.1.0-18-amd64) or a version like 6.12, not "${text}"`,
      command,
    );
  return { major: Number(m[1]), minor: Number(m[2]), micro: Number(m[3] ?? 0) };
}

/**
 * Guest facts from --guest, else the domain's own osinfo id, via osinfo-db when available; with --guest-kernel's
 * Linux kernel when given, which makes a guest osinfo-db does not know Linux and is refused for one it calls
 * something else.
 */
export async function guestFacts(
  command: string,
  given: string | undefined,
  domainOsinfo: string,
  deps: CliDeps,
  kernel: Version | null = null,
): Promise<GuestFacts> {
  const id = given ?? (domainOsinfo === 'unknown' ? undefined : domainOsinfo);
  const facts = id === undefined ? NO_GUEST_FACTS : await deps.lookupGuest(id);
  if (!kernel) return facts;
  if (facts.family !== 'unknown' && facts.family !== 'linux')
    throw new UsageError(`--guest-kernel is a Linux kernel version, but the guest is ${String(facts.name)} (${facts.family})`, command);
  return guestWithKernel(facts, kernel);
}
