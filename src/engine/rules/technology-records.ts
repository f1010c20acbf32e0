/**
 * Records every confidential VM technology has (platform, the <launchSecurity> element, minimum libvirt and QEMU,
 * host support), built from the technology table (technologies.ts) so each technology's file only adds its own.
 */
import type { DomainContext, RuleRecord, Verdict } from '../rule-types';
import type { SecureType } from '../../contracts/facts';
import type { Source } from '../../contracts/findings';
import { SEV_FAMILY, describeVersion } from '../context';
import { launchSecurityEdits } from '../edits';
import { not, unknown, versionAtLeast } from '../verdict';
import { secureName } from '../words';
import { type Technology } from '../technologies';
import { formatVersion } from '../../contracts/version';

export const is =
  (type: SecureType) =>
  (c: DomainContext): boolean =>
    c.cvm === type;
export const inSev = (c: DomainContext): boolean => SEV_FAMILY.has(c.cvm);
export const hasElementFor = (c: DomainContext): boolean =>
  c.input.domain.launchSecurity.present && c.input.domain.launchSecurity.type === c.cvm;

/** The records every technology has: its platform, its <launchSecurity> element and its minimum versions. */
export function technologyRecords(t: Technology): RuleRecord<'domain'>[] {
  const name = secureName(t.type);
  const rules: RuleRecord<'domain'>[] = [
    {
      key: `${t.ruleId}/platform`,
      id: t.ruleId,
      scope: 'domain',
      severity: 'error',
      when: [
        is(t.type),
        (c): Verdict => {
          const { arch, machine, virtType } = c.input.domain;
          // Memory encryption is a KVM feature: TCG ('qemu') and container domains cannot have it.
          if (virtType !== 'unknown' && virtType !== 'kvm') return true;
          if (arch === 'unknown') return unknown('the guest architecture');
          if (!t.arches.includes(arch)) return true;
          if (!t.machines) return false;
          return machine.family === 'unknown' ? unknown('the machine type') : !t.machines.includes(machine.family);
        },
      ],
      title: (c) =>
        `${name} needs a KVM ${t.arches.join('/')} guest${t.machines ? ` with machine ${t.machines.join('/')}` : ''}; this domain is ${String(c.input.domain.virtType)} ${String(c.input.domain.arch)} ${String(c.input.domain.machine.raw)}`,
      explanation: `${name} is a feature of specific hardware used through KVM: it only exists for ${t.arches.join('/')} guests${t.machines ? ` on the ${t.machines.join('/')} machine` : ''} of <domain type='kvm'>. No XML change can make it work elsewhere.`,
      fix: { text: `Choose the confidential VM technology of this guest's platform, or none.` },
      sources: t.sources,
    },
  ];
  if (t.type !== 'pef') {
    rules.push({
      key: `${t.ruleId}/element`,
      id: t.ruleId,
      scope: 'domain',
      severity: 'error',
      when: [is(t.type), (c) => !hasElementFor(c)],
      title: `The domain has no <launchSecurity> for ${name}`,
      detail: (c) =>
        launchSecurityEdits(t.type, c.input.domain.launchSecurity, c.input.host) === null
          ? `The element needs the host's cbitpos and reducedPhysBits, which are unknown: give the host's capabilities (--host-caps FILE from 'virsh domcapabilities', or --connect URI).`
          : `The plan adds it${SEV_FAMILY.has(t.type) ? ` with the host's cbitpos ${String(c.input.host.sev.cbitpos)} and reducedPhysBits ${String(c.input.host.sev.reducedPhysBits)}` : ''}.`,
      explanation: `libvirt starts ${name} guests only with a <launchSecurity> element; it also gives QEMU the confidential-guest-support object whose defaults turn ACCESS_PLATFORM on (QEMU >= 6.0). For the SEV family cbitpos and reducedPhysBits must be the host's values from 'virsh domcapabilities'.`,
      fix: {
        text: `Add <launchSecurity type='${t.type === 'sev-es' ? 'sev' : t.type}'> with the host's values.`,
        edits: (c) => launchSecurityEdits(t.type, c.input.domain.launchSecurity, c.input.host) ?? [],
      },
      sources: t.sources,
    });
  }
  if (t.libvirt) {
    const min = t.libvirt;
    rules.push({
      key: `${t.ruleId}/libvirt`,
      id: t.ruleId,
      scope: 'domain',
      severity: 'error',
      whenUnknown: t.versionUnknown,
      when: [is(t.type), (c) => not(versionAtLeast(c.libvirt, min, 'the libvirt version'))],
      title: (c) => `${name} needs libvirt ${formatVersion(min)} or later; this host has ${describeVersion(c.libvirt)}`,
      explanation: `libvirt learned the ${name} <launchSecurity> element in ${formatVersion(min)}; older versions reject the domain.`,
      fix: { text: `Upgrade libvirt to ${formatVersion(min)} or later.` },
      sources: t.sources,
    });
  }
  if (t.qemu) {
    const min = t.qemu;
    rules.push({
      key: `${t.ruleId}/qemu`,
      id: t.ruleId,
      scope: 'domain',
      severity: 'error',
      whenUnknown: t.versionUnknown,
      when: [is(t.type), (c) => not(versionAtLeast(c.qemu, min, 'the QEMU version'))],
      title: (c) => `${name} needs QEMU ${formatVersion(min)} or later; this domain's QEMU is ${describeVersion(c.qemu)}`,
      explanation: `QEMU supports ${name} from ${formatVersion(min)}.`,
      messages:
        t.type === 'sev'
          ? ['SEV launch security is not supported with this QEMU binary']
          : t.type === 's390-pv'
            ? ['S390 PV launch security is not supported with this QEMU binary']
            : [],
      fix: { text: `Upgrade QEMU to ${formatVersion(min)} or later.` },
      sources: t.sources,
    });
  }
  return rules;
}

/** Host support as domcapabilities and /sys report it; absent evidence is unknown, never "no". */
export function hostSupportRecord(
  id: string,
  types: readonly SecureType[],
  support: (c: DomainContext) => 'yes' | 'no' | 'unknown',
  what: string,
  messages: readonly string[],
  explanation: string,
  sources: readonly Source[],
): RuleRecord<'domain'> {
  return {
    key: `${id}/host`,
    id,
    scope: 'domain',
    severity: 'error',
    when: [(c) => types.includes(c.cvm), (c) => (support(c) === 'unknown' ? unknown(what) : support(c) === 'no')],
    title: (c) => `This host cannot run ${secureName(c.cvm)} guests`,
    detail: (c) => {
      const ev = c.input.host.evidence.map((e) => `${e.fact} = ${e.value} (${e.source})`).join('; ');
      return ev ? `Host evidence: ${ev}.` : 'No host evidence was available.';
    },
    explanation,
    messages,
    fix: { text: 'Enable the technology on the host (firmware, kernel parameters) or run the guest on a host that has it.' },
    sources,
  };
}
