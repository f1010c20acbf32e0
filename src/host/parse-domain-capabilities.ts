/**
 * `virsh domcapabilities` → the host facts the engine uses. Pure: runs in the main process, the CLI
 * (`--host-caps FILE`) and the renderer. An element libvirt did not report leaves its fact unknown, never "no":
 * older libvirt releases simply do not know the newer features.
 */
import type { HostFacts, Maybe, Support, VersionFact } from '../contracts/facts';
import { UNKNOWN } from '../contracts/facts';
import { classifyMachine, lineColumn, parseXml, XmlInputError, type XmlElement } from '../domain-xml';

/** The part of `HostFacts` one source can tell; `mergeHostFacts` combines several. */
export type HostFactsPatch = Partial<HostFacts>;

/** What domcapabilities said besides the facts, for the UI and the fleet audit. */
export interface DomainCapabilitiesSummary {
  readonly facts: HostFactsPatch;
  readonly arch: string | null;
  readonly machine: string | null;
  readonly virttype: string | null;
  /** The `<launchSecurity>` sectype enum values (`sev`, `sev-snp`, `tdx`, `s390-pv`). */
  readonly launchSecurityTypes: readonly string[];
}

function supportOf(el: XmlElement | undefined): Support {
  const v = el?.attr('supported');
  return v === 'yes' ? 'yes' : v === 'no' ? 'no' : UNKNOWN;
}

function numberOf(el: XmlElement | undefined): Maybe<number> {
  const text = el?.text().trim();
  if (text === undefined || !/^\d+$/.test(text)) return UNKNOWN;
  return Number(text);
}

function qemuVersionOf(machine: string | null, source: string): VersionFact {
  if (machine === null) return { kind: 'unknown' };
  const { version } = classifyMachine(machine);
  if (version === UNKNOWN) return { kind: 'unknown' };
  return { kind: 'at-least', version, source: `${source}: versioned machine type ${machine}` };
}

/** Reads every fact domcapabilities holds, plus the arch/machine/virttype it was asked for. */
export function summariseDomainCapabilities(xml: string, source = 'virsh domcapabilities'): DomainCapabilitiesSummary {
  const doc = parseXml(xml, source);
  const root = doc.root;
  if (root.name !== 'domainCapabilities') {
    const { line, column } = lineColumn(xml, root.start);
    throw new XmlInputError(
      source,
      line,
      column,
      `the root element is <${root.name}>, not <domainCapabilities>`,
      'Pass the output of `virsh domcapabilities` (a domain definition goes in the FILE argument).',
    );
  }
  const text = (name: string): string | null => root.child(name)?.text().trim() || null;
  const machine = text('machine');
  const features = root.child('features');
  const launchSecurity = features?.child('launchSecurity');
  const sectypes = (launchSecurity?.children('enum') ?? [])
    .filter((e) => e.attr('name') === 'sectype')
    .flatMap((e) => e.children('value').map((v) => v.text().trim()));
  const sevEl = features?.child('sev');
  const sevSupport = supportOf(sevEl);
  const sevYes = sevSupport === 'yes' && sevEl !== undefined;
  // The feature element answers; without it, a listed sectype still says yes.
  const fromElementOrEnum = (name: string): Support => {
    const s = supportOf(features?.child(name));
    return s === UNKNOWN && sectypes.includes(name) ? 'yes' : s;
  };
  // No SEV at all means no SEV-SNP either; SEV without a listed sev-snp may be a libvirt too old to say.
  const sevSnp: Support = sectypes.includes('sev-snp') ? 'yes' : sevSupport === 'no' ? 'no' : UNKNOWN;
  const facts: HostFactsPatch = {
    qemuVersion: qemuVersionOf(machine, source),
    sev: {
      supported: sevSupport,
      cbitpos: sevYes ? numberOf(sevEl.child('cbitpos')) : UNKNOWN,
      reducedPhysBits: sevYes ? numberOf(sevEl.child('reducedPhysBits')) : UNKNOWN,
      maxGuests: sevYes ? numberOf(sevEl.child('maxGuests')) : UNKNOWN,
      maxESGuests: sevYes ? numberOf(sevEl.child('maxESGuests')) : UNKNOWN,
    },
    sevSnp,
    tdx: fromElementOrEnum('tdx'),
    s390pv: fromElementOrEnum('s390-pv'),
    machines: machine === null ? UNKNOWN : [machine],
    evidence: [
      { fact: 'sev', value: sevSupport, source: `${source}: <features><sev supported>` },
      ...sectypes.map((t) => ({ fact: 'launchSecurity sectype', value: t, source: `${source}: <features><launchSecurity>` })),
    ],
  };
  return { facts, arch: text('arch'), machine, virttype: text('domain'), launchSecurityTypes: sectypes };
}

/** `virsh domcapabilities` XML → host facts; throws `XmlInputError` (file, line) for malformed input or another document. */
export function parseDomainCapabilities(xml: string, source = 'virsh domcapabilities'): HostFactsPatch {
  return summariseDomainCapabilities(xml, source).facts;
}
