/**
 * What `virsh domcapabilities` must be asked for a domain's host facts to be about that domain: its virttype
 * (`<domain type>`), arch and machine (`<os><type arch machine>`). Without them libvirt answers for its default
 * arch, machine and virttype, whose SEV/TDX/PV support and machine list can differ from the domain's.
 */
import { parseXml } from '../domain-xml';

export interface DomainTarget {
  readonly arch?: string;
  readonly machine?: string;
  readonly virttype?: string;
}

/** The target of a domain XML text; a part the XML leaves out is left to libvirt's default. Throws XmlInputError. */
export function domainTargetOf(xml: string, fileName?: string): DomainTarget {
  const root = parseXml(xml, fileName).root;
  const type = root.find('os/type');
  const target: { -readonly [K in keyof DomainTarget]: DomainTarget[K] } = {};
  const arch = type?.attr('arch');
  const machine = type?.attr('machine');
  const virttype = root.attr('type');
  if (arch) target.arch = arch;
  if (machine) target.machine = machine;
  if (virttype) target.virttype = virttype;
  return target;
}
