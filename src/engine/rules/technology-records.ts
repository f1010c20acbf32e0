/**
 * Records every confidential VM technology has (platform, the <launchSecurity> element and its policy, minimum
 * libvirt, QEMU and guest kernel, host support), built from the technology table (technologies.ts) so each
 * technology's file only adds its own.
 */
import type { DomainContext, RuleRecord, Verdict } from '../rule-types';
import type { SecureType, Version } from '../../contracts/facts';
import type { Source } from '../../contracts/findings';
import { atLeast, compareVersions, formatVersion } from '../../contracts/version';
import { SEV_FAMILY, commandlineObject, describeVersion, hasConfidentialObject, versionClause } from '../context';
import { DEFAULT_POLICY, launchSecurityEdits, uefiEdits } from '../edits';
import { launchSecurityRefusals, quotesFor, allQuotes, tcgRefusals, unknownLaunchSecurityType } from '../messages';
import { src, UEFI_NEEDS_ACPI } from '../sources';
import { not, unknown, v, versionAtLeast } from '../verdict';
import { secureName } from '../words';
import { hostSupport, technology, type Technology } from '../technologies';
import { effectiveQemu } from '../versions';
import { firmwareChosenBlind } from './shared';

export const is =
  (type: SecureType) =>
  (c: DomainContext): boolean =>
    c.cvm === type;
export const inSev = (c: DomainContext): boolean => SEV_FAMILY.has(c.cvm);
/** The domain's <launchSecurity> is the one the type needs (SEV-ES is type='sev' with the ES policy bit). */
export const hasElementFor = (c: DomainContext): boolean =>
  c.input.domain.launchSecurity.present && c.input.domain.launchSecurity.type === c.cvm;

/** libvirt's refusal of the type, in the wording of the libvirt in use (every wording when it is unknown). */
const refusal = (c: DomainContext): readonly string[] => quotesFor(launchSecurityRefusals(c.cvm), c.libvirt);

/** The QEMU version as the host, machine type and libvirt tell it, without the technology's own minimum. */
const knownQemu = (c: DomainContext) => effectiveQemu(c.input.domain, c.input.host);

/** Before 6.9.0 libvirt needs cbitpos and reducedPhysBits written; from 6.9.0 it fills them in (NEWS 6.9.0). */
const AUTOFILL_SEV_VALUES = v(6, 9);

/** The records every technology has: its platform, its <launchSecurity> element and its minimum versions. */
export function technologyRecords(t: Technology): RuleRecord<'domain'>[] {
  const name = secureName(t.type);
  const quotes = t.element !== null ? launchSecurityRefusals(t.type) : [];
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
      explanation: `${name} is a feature of specific hardware used through KVM: it only exists for ${t.arches.join('/')} guests${t.machines ? ` on the ${t.machines.join('/')} machine` : ''} of <domain type='kvm'>: no change makes it work for another architecture${t.machines ? ' or machine' : ''}, and a domain of type 'qemu' (TCG) must become type 'kvm'. libvirt refuses the domain when it is defined where the host or its QEMU cannot run ${name} at all (for another architecture's QEMU binary, always); on a host that can, it defines a domain of type 'qemu' (TCG) and QEMU refuses to start it.`,
      messages: t.element !== null ? [...allQuotes(quotes), ...allQuotes(tcgRefusals(t.element))] : [],
      // libvirt's own check at define asks what the host and QEMU can do, not the domain's type (qemu_validate.c),
      // so on a capable host a TCG domain of the guest's architecture is defined and QEMU refuses it at start.
      messagesFor: (c) => {
        if (t.element === null) return [];
        const { virtType, arch } = c.input.domain;
        const tcg = virtType !== 'unknown' && virtType !== 'kvm' && arch !== 'unknown' && t.arches.includes(arch);
        return tcg ? [...quotesFor(tcgRefusals(t.element), c.qemu), ...refusal(c)] : refusal(c);
      },
      fix: {
        text: (c) =>
          c.input.domain.virtType !== 'unknown' && c.input.domain.virtType !== 'kvm'
            ? `Make it <domain type='kvm'> on a host whose KVM runs ${name}: TCG (type '${String(c.input.domain.virtType)}') cannot encrypt or protect guest memory.`
            : `Choose the confidential VM technology of this guest's platform, or none.`,
      },
      sources: [
        ...t.sources,
        src('LV-VAL', "qemuValidateDomainDef: the launch security types of the QEMU binary, whatever the domain's type"),
        src('LAB', "each generation's QEMU under TCG with each confidential object (test/lab/tcg-confidential.test.ts)"),
      ],
    },
  ];
  if (t.element !== null && t.type !== 's390-pv') {
    rules.push({
      key: `${t.ruleId}/element`,
      id: t.ruleId,
      scope: 'domain',
      severity: 'error',
      // An object from <qemu:commandline> is there instead (R-QEMU-01/commandline says what that loses).
      when: [is(t.type), (c) => !hasElementFor(c), (c) => commandlineObject(c) === null],
      title: `The domain has no <launchSecurity> for ${name}`,
      detail: (c) =>
        launchSecurityEdits(t.type, c.input.domain.launchSecurity, c.input.host) === null
          ? `libvirt ${describeVersion(c.libvirt)} needs the host's cbitpos and reducedPhysBits written in the element (libvirt 6.9.0 and later fill them in), and they are unknown: give the host's capabilities.`
          : `The plan adds it with policy ${DEFAULT_POLICY[t.type] ?? 'none'}${SEV_FAMILY.has(t.type) && c.input.host.sev.cbitpos !== 'unknown' ? ` and the host's cbitpos ${String(c.input.host.sev.cbitpos)} and reducedPhysBits ${String(c.input.host.sev.reducedPhysBits)}` : ''}.`,
      explanation: `libvirt starts ${name} guests only with a <launchSecurity> element; it also gives QEMU the confidential-guest-support object whose defaults turn ACCESS_PLATFORM on (QEMU >= 6.0).${SEV_FAMILY.has(t.type) ? " cbitpos and reducedPhysBits are the host CPU's values; libvirt fills them in from domain capabilities since 6.9.0 and needs them written before." : ''}`,
      fix: {
        text: `Add <launchSecurity type='${t.element}'>.`,
        edits: (c) => launchSecurityEdits(t.type, c.input.domain.launchSecurity, c.input.host) ?? [],
      },
      sources: [
        ...t.sources,
        ...(SEV_FAMILY.has(t.type) ? [src('LV-NEWS', "v6.9.0: Make 'cbitpos' & 'reducedPhysBits' attrs optional")] : []),
      ],
    });
  }
  if (t.type === 's390-pv') {
    // libvirt's PV guide also shows a guest without the element whose virtio devices all carry iommu='on' (§7.1
    // item 7): both layouts start. The element is what lets QEMU's defaults do it, so a plan adds it where libvirt
    // knows it; with an older libvirt the plan writes iommu='on' on every device instead (R-PV-02).
    rules.push({
      key: `${t.ruleId}/element`,
      id: t.ruleId,
      scope: 'domain',
      severity: 'info',
      inPlan: true,
      whenUnknown: 'skip',
      when: [
        is(t.type),
        (c) => !hasElementFor(c),
        (c) => commandlineObject(c) === null,
        (c) => atLeast(c.libvirt, t.libvirt ?? v(0, 0)) !== 'no',
        // Its object needs QEMU 6.0; an older one runs only the other layout.
        (c) => atLeast(knownQemu(c), t.qemu ?? v(0, 0)) !== 'no',
      ],
      title: `${name} without <launchSecurity type='s390-pv'/>: a documented layout; the element is recommended`,
      explanation:
        "libvirt's Protected Virtualization guide shows two layouts: <launchSecurity type='s390-pv'/> (libvirt 7.6.0 and QEMU 6.0, whose confidential default turns ACCESS_PLATFORM on for every device), or no element with iommu='on' written on every virtio device. The guest image decides at boot whether it runs protected. The element keeps new devices right without editing each one.",
      fix: {
        text: "Add <launchSecurity type='s390-pv'/>.",
        edits: () => [{ op: 'add-element', parent: '/domain', xml: `<launchSecurity type='s390-pv'/>`, replace: true }],
      },
      sources: t.sources,
    });
  }
  if (SEV_FAMILY.has(t.type)) {
    rules.push({
      key: `${t.ruleId}/policy`,
      id: t.ruleId,
      scope: 'domain',
      severity: 'error',
      when: [is(t.type), hasElementFor, (c) => c.input.domain.launchSecurity.policy === 'unknown'],
      title: `<launchSecurity type='${t.element}'> has no <policy>`,
      explanation: `libvirt requires the guest policy for SEV and SEV-SNP (domaincommon.rng; the parser fails without it — seen on libvirt 9.0, 11.3 and 12.8). TDX's policy is optional.`,
      messages: ['XML error: failed to get launch security policy'],
      fix: {
        text: `Add <policy>${DEFAULT_POLICY[t.type] ?? ''}</policy>.`,
        edits: () => [
          { op: 'add-element', parent: '/domain/launchSecurity', xml: `<policy>${DEFAULT_POLICY[t.type] ?? ''}</policy>`, replace: true },
        ],
      },
      sources: [
        src('LV-CONF', 'virDomainSEVDefParseXML: failed to get launch security policy'),
        src('LV-RNG', 'launchSecuritySEV: policy required'),
      ],
    });
    rules.push({
      key: `${t.ruleId}/host-values`,
      id: t.ruleId,
      scope: 'domain',
      severity: 'error',
      whenUnknown: 'skip',
      when: [
        is(t.type),
        hasElementFor,
        (c) => c.input.domain.launchSecurity.cbitpos === 'unknown' || c.input.domain.launchSecurity.reducedPhysBits === 'unknown',
        (c) => not(versionAtLeast(c.libvirt, AUTOFILL_SEV_VALUES, 'the libvirt version')),
      ],
      title: (c) => `libvirt ${describeVersion(c.libvirt)} needs cbitpos and reducedPhysBits written in <launchSecurity>`,
      explanation: "Before 6.9.0 libvirt does not fill the host CPU's cbitpos and reducedPhysBits in from domain capabilities.",
      fix: {
        text: "Write the host's values from 'virsh domcapabilities' (<sev><cbitpos>, <reducedPhysBits>).",
        edits: (c) =>
          (['cbitpos', 'reducedPhysBits'] as const).flatMap((k) => {
            const value = c.input.host.sev[k];
            return value === 'unknown'
              ? []
              : [{ op: 'add-element' as const, parent: '/domain/launchSecurity', xml: `<${k}>${value}</${k}>`, replace: true }];
          }),
      },
      sources: [src('LV-NEWS', "v6.9.0: Make 'cbitpos' & 'reducedPhysBits' attrs optional")],
    });
  }
  if (t.libvirt) {
    const min = t.libvirt;
    // libvirt before sev-snp (10.5.0) and tdx (11.6.0) rejects the type itself; for SEV and PV the older
    // wording of the release is not known to us.
    const rejected = t.type === 'sev-snp' || t.type === 'tdx' ? [unknownLaunchSecurityType(t.type)] : [];
    rules.push({
      key: `${t.ruleId}/libvirt`,
      id: t.ruleId,
      scope: 'domain',
      severity: 'error',
      whenUnknown: t.versionUnknown,
      // libvirt need not know the technology when <qemu:commandline> hands QEMU the object, nor where the domain
      // has, and the plan writes, the layout without the element (s390 PV).
      when: [
        is(t.type),
        (c) => commandlineObject(c) === null,
        (c) => !t.withoutElement || hasElementFor(c) || hasConfidentialObject(c.input, c.cvm),
        (c) => not(versionAtLeast(c.libvirt, min, 'the libvirt version')),
      ],
      title: (c) => `${name} needs libvirt ${formatVersion(min)} or later; ${versionClause("this host's libvirt", c.libvirt)}`,
      explanation: `libvirt learned the ${name} <launchSecurity> element in ${formatVersion(min)}; older versions reject the domain.`,
      messages: rejected,
      fix: { text: `Upgrade libvirt to ${formatVersion(min)} or later.` },
      sources: t.sources,
    });
  }
  if (t.qemu) {
    const element = t.qemu;
    // Without the element (s390 PV's other layout) an older QEMU runs it.
    const minFor = (c: DomainContext): Version =>
      t.withoutElement && !hasElementFor(c) && !hasConfidentialObject(c.input, c.cvm) ? t.withoutElement.qemu : element;
    rules.push({
      key: `${t.ruleId}/qemu`,
      id: t.ruleId,
      scope: 'domain',
      severity: 'error',
      whenUnknown: t.versionUnknown,
      // The version as known, not the context's, which assumes this very minimum (context.ts runningQemu).
      when: [is(t.type), (c) => not(versionAtLeast(knownQemu(c), minFor(c), 'the QEMU version'))],
      title: (c) => `${name} needs QEMU ${formatVersion(minFor(c))} or later; ${versionClause("this domain's QEMU", knownQemu(c))}`,
      explanation: `QEMU supports ${name} from ${formatVersion(element)}${t.withoutElement ? ` (without <launchSecurity>, with iommu='on' written on every virtio device, from ${formatVersion(t.withoutElement.qemu)})` : ''}.`,
      messages: allQuotes(quotes),
      // QEMU's own refusal when <qemu:commandline> names an object type it does not have (seen with QEMU 7.2).
      messagesFor: (c) => {
        const o = commandlineObject(c);
        if (o) return [`Parameter 'qom-type' does not accept value '${o.qomType}'`];
        return t.element !== null ? refusal(c) : [];
      },
      fix: {
        text: (c) => `Upgrade QEMU to ${formatVersion(minFor(c))} or later.`,
        general: `Upgrade QEMU to ${formatVersion(element)} or later.`,
      },
      sources: t.sources,
    });
  }
  if (t.guestKernel) {
    const min = t.guestKernel;
    rules.push({
      key: `${t.ruleId}/guest-kernel`,
      id: t.ruleId,
      scope: 'domain',
      severity: 'error',
      whenUnknown: 'skip',
      when: [
        is(t.type),
        (c) => c.input.guest.family === 'linux',
        (c) => {
          const k = c.input.guest.kernelVersion;
          return k === 'unknown' ? unknown('the guest kernel version') : compareVersions(k, min) < 0;
        },
      ],
      title: (c) => `The guest's Linux ${describeKernel(c)} cannot run as an ${name} guest (Linux ${formatVersion(min)} or later)`,
      explanation: `A guest kernel older than ${formatVersion(min)} has no ${name} guest support: no XML change makes this guest confidential.`,
      fix: { text: `Upgrade the guest to Linux ${formatVersion(min)} or later, or keep it an ordinary VM.` },
      sources: t.sources,
    });
  }
  return rules;
}

function describeKernel(c: DomainContext): string {
  const k = c.input.guest.kernelVersion;
  return k === 'unknown' ? 'kernel' : formatVersion(k);
}

/** Host support as domcapabilities and /sys report it; absent evidence is unknown, never "no". */
export function hostSupportRecord(
  id: string,
  types: readonly SecureType[],
  what: string,
  extraMessages: readonly string[],
  explanation: string,
  sources: readonly Source[],
  detail?: (c: DomainContext) => string,
): RuleRecord<'domain'> {
  const support = (c: DomainContext) => hostSupport(c.cvm, c.input.host);
  return {
    key: `${id}/host`,
    id,
    scope: 'domain',
    severity: 'error',
    when: [(c) => types.includes(c.cvm), (c) => (support(c) === 'unknown' ? unknown(what) : support(c) === 'no')],
    title: (c) =>
      support(c) === 'unknown'
        ? `Whether this host can run ${secureName(c.cvm)} guests is not known`
        : `This host cannot run ${secureName(c.cvm)} guests`,
    detail: (c) => {
      const ev = c.input.host.evidence.map((e) => `${e.fact} = ${e.value} (${e.source})`).join('; ');
      return [detail?.(c) ?? '', ev ? `Host evidence: ${ev}.` : 'No host evidence was available.'].filter(Boolean).join(' ');
    },
    explanation,
    messages: [...types.flatMap((t) => allQuotes(launchSecurityRefusals(t))), ...extraMessages].filter((m, i, all) => all.indexOf(m) === i),
    messagesFor: (c) => [...refusal(c), ...extraMessages],
    fix: { text: 'Enable the technology on the host (firmware, kernel parameters) or run the guest on a host that has it.' },
    sources,
  };
}

/**
 * SMM for a technology that has none (SEV-SNP: target/i386/sev.c sev_snp_kvm_init; TDX: target/i386/kvm/tdx.c):
 * QEMU turns `auto` off and refuses `on` with the first of `messages` (the rest: what a libvirt that checks first
 * says). An absent <smm> is written out as off, so no firmware choice (a secure-boot OVMF requires SMM) turns it on.
 */
export function noSmmRecords(type: SecureType, id: string, messages: readonly string[], source: Source): RuleRecord<'domain'>[] {
  const name = secureName(type);
  const off = { op: 'set-attribute' as const, target: '/domain/features/smm', name: 'state', value: 'off' };
  return [
    {
      key: `${id}/smm`,
      id,
      scope: 'domain',
      severity: 'error',
      when: [is(type), (c) => c.input.domain.smm === 'on'],
      title: `${name} guests cannot have SMM, but <smm state='on'/> is set`,
      explanation: `QEMU refuses to start an ${name} guest with SMM on (fact sheet §7.1 item 2).`,
      messages,
      fix: { text: "Set <smm state='off'/>.", edits: () => [off] },
      sources: [source],
    },
    {
      key: `${id}/smm-off`,
      id,
      scope: 'domain',
      severity: 'info',
      inPlan: true,
      when: [is(type), (c) => c.input.domain.smm === 'absent'],
      title: `${name}: SMM is written out as off`,
      explanation: `QEMU turns SMM off by itself for ${name} when nothing asks for it, but libvirt turns it on for a firmware that requires it (a secure-boot OVMF), and QEMU then refuses the guest. The plan writes <smm state='off'/> so libvirt only picks a firmware that works without it.`,
      fix: { text: "Write <smm state='off'/> in <features>.", edits: () => [off] },
      sources: [source],
    },
  ];
}

/** libvirt 11.8.0 picks a stateless firmware for SEV-SNP by itself (NEWS 11.8.0); older releases may pick pflash. */
const STATELESS_FOR_SNP = v(11, 8);

/**
 * Firmware for technologies without read-only memory slots (TDX; SEV-SNP likewise, AMDSEV #223): OVMF must be
 * loaded with -bios, never pflash (hw/i386/pc_sysfw.c refuses pflash without KVM read-only memory; TDX guide).
 * libvirt emits -bios for a memory-mapped firmware (<loader type='rom'>, or a descriptor mapped to memory).
 */
export function pflashRecords(type: 'sev-snp' | 'tdx', id: string): RuleRecord<'domain'>[] {
  const name = secureName(type);
  const records: RuleRecord<'domain'>[] = [
    {
      key: `${id}/pflash`,
      id,
      scope: 'domain',
      severity: 'error',
      when: [is(type), (c) => c.input.domain.firmware.loaderType === 'pflash'],
      title: `${name} firmware cannot be loaded as pflash, which this domain's <loader type='pflash'> asks for`,
      explanation: `${name} guests have no read-only memory slots, so QEMU cannot map a pflash firmware and refuses to start; the firmware (OVMF built for ${name}) must be loaded with -bios, which libvirt does for <loader type='rom'> or a firmware its descriptors map to memory.`,
      // libvirt 12.8 refuses a TDX pflash loader itself (its strings); QEMU's refusal is the one older releases show.
      messages: [
        'pflash with kvm requires KVM readonly memory support',
        ...(type === 'tdx' ? ['Intel TDX launch security is not supported with pflash loader'] : []),
      ],
      fix: {
        text: (c) =>
          type === 'sev-snp' && versionAtLeast(c.libvirt, STATELESS_FOR_SNP, 'the libvirt version') !== true
            ? `Replace the pflash <loader> (and drop <nvram>) with <loader stateless='yes'/> and let libvirt pick an ${name} firmware with <os firmware='efi'> (before libvirt 11.8 it may otherwise pick one with NVRAM), or name one with <loader type='rom'>PATH</loader>.`
            : `Remove the pflash <loader> (and <nvram>) and let libvirt pick an ${name} firmware with <os firmware='efi'>, or name one with <loader type='rom'>PATH</loader>.`,
        edits: (c) => [
          ...uefiEdits(c.input.domain),
          // SNP before libvirt 11.8 (or where its release is unknown): a stateless loader, so that libvirt picks no
          // pflash firmware with NVRAM either (R-SNP-01/stateless); the element replaces the pflash one.
          type === 'sev-snp' && versionAtLeast(c.libvirt, STATELESS_FOR_SNP, 'the libvirt version') !== true
            ? { op: 'add-element' as const, parent: '/domain/os', xml: "<loader stateless='yes'/>", replace: true }
            : { op: 'remove-element' as const, target: '/domain/os/loader' },
          ...(c.input.domain.firmware.nvram ? [{ op: 'remove-element' as const, target: '/domain/os/nvram' }] : []),
        ],
      },
      sources: [
        src('QEMU-SYSFW', 'pc_system_firmware_init: pflash with kvm requires KVM readonly memory support'),
        type === 'tdx' ? src('QEMU-TDXDOC', 'TDVF loaded with -bios') : src('AMDSEV', 'issue #223: SNP firmware via -bios'),
        UEFI_NEEDS_ACPI,
      ],
    },
  ];
  if (type === 'sev-snp') {
    records.push({
      key: `${id}/stateless`,
      id,
      scope: 'domain',
      severity: 'warning',
      inPlan: true,
      when: [
        is(type),
        (c) => !firmwareChosenBlind(c),
        // A BIOS domain without a loader becomes <os firmware='efi'> in the same plan (R-SEV-04).
        (c) => c.input.domain.firmware.kind !== 'unknown' && c.input.domain.firmware.loaderType === 'unknown',
        (c) => c.input.domain.firmware.stateless !== 'on',
        (c) => not(versionAtLeast(c.libvirt, STATELESS_FOR_SNP, 'the libvirt version')),
      ],
      title: (c) => `libvirt ${describeVersion(c.libvirt)} may pick a pflash firmware with NVRAM for this SEV-SNP guest`,
      explanation:
        "libvirt 11.8.0 and later choose a stateless (memory-mapped) firmware for SEV-SNP by themselves; older releases may choose a pflash firmware with NVRAM, which SNP cannot map. <loader stateless='yes'/> makes libvirt choose a stateless one.",
      fix: {
        text: "Add <loader stateless='yes'/> to <os>.",
        edits: () => [{ op: 'set-attribute', target: '/domain/os/loader', name: 'stateless', value: 'yes' }],
      },
      sources: [src('LV-NEWS', 'v11.8.0: stateless firmware chosen for SEV-SNP'), src('AMDSEV', 'issue #223')],
    });
  }
  return records;
}

/** Whether the domain asks libvirt for a Secure Boot firmware: keys requested, or <loader secure='yes'>. */
export function asksSecureBoot(c: DomainContext): boolean {
  const fw = c.input.domain.firmware;
  return fw.keysRequested || fw.loaderSecure === 'on';
}

/** A SEV-SNP domain asking libvirt for Secure Boot, for which no firmware can match (R-SNP-01/secure-boot). */
function snpSecureBoot(c: DomainContext, type: SecureType): boolean {
  return type === 'sev-snp' && asksSecureBoot(c);
}

/** The firmware requests of the domain that rule out the one firmware Debian has for `type`, in words. */
function firmwareRequestsUnmet(c: DomainContext, type: 'sev-es' | 'sev-snp' | 'tdx'): string[] {
  const fw = c.input.domain.firmware;
  if (fw.kind !== 'efi' || fw.loaderPath !== 'absent' || firmwareChosenBlind(c)) return [];
  const unmet: string[] = [];
  const keys = technology(type).ownFirmware!.keys;
  // For SEV-SNP, Secure Boot leaves libvirt no firmware on any distribution: R-SNP-01/secure-boot says so.
  if (type !== 'sev-snp') {
    if (keys ? fw.keysDeclined : fw.keysRequested)
      unmet.push(keys ? 'Secure Boot or enrolled keys declined' : 'Secure Boot or enrolled keys requested');
    if (fw.loaderSecure === 'on') unmet.push("<loader secure='yes'>, a firmware that requires SMM");
  }
  // Its descriptor names pc-q35-* machines only.
  if (c.input.domain.machine.family === 'pc')
    unmet.push(`machine ${String(c.input.domain.machine.raw)} (i440fx), where the descriptor names only pc-q35-*`);
  return unmet;
}

/**
 * libvirt picks only a firmware whose descriptor lists the technology's feature and every key feature the domain
 * asks for or declines (qemu_firmware.c qemuFirmwareMatchDomain); for SEV-ES, SEV-SNP and TDX Debian has one.
 */
export function firmwareRequestsRecord(type: 'sev-es' | 'sev-snp' | 'tdx', id: string): RuleRecord<'domain'> {
  const name = secureName(type);
  const t = technology(type);
  const own = t.ownFirmware!;
  return {
    key: `${id}/firmware-requests`,
    id,
    scope: 'domain',
    severity: 'warning',
    when: [is(type), (c) => firmwareRequestsUnmet(c, type).length > 0],
    title: (c) => `On Debian libvirt finds no ${name} firmware for this domain: ${firmwareRequestsUnmet(c, type).join('; ')}`,
    // The machine type is the domain's own choice: a plan does not change it (R-SEV-04/machine says why q35).
    explanation: `libvirt picks a firmware only from descriptors that list the domain's machine type and the technology's feature (${String(t.firmwareFeature)}) and agree with every <firmware><feature> the domain asks for or declines and with <loader secure> (secure='yes' asks for one that requires SMM), and refuses the domain when none does (qemu_firmware.c qemuFirmwareMatchDomain). Debian sid's ovmf (edk2 2026.08) has one such descriptor: ${own.file}, for pc-q35-* machines only, ${own.keys ? "with Secure Boot and Microsoft's keys enrolled" : 'without Secure Boot or enrolled keys'}, not requiring SMM (QEMU refuses SMM for ${name} anyway); Debian 13's has none. Other distributions' descriptors were not examined. Read in libvirt's source and sid's descriptors; not seen: libvirt here refuses ${name} domains before it picks firmware (no such host).`,
    messages: [
      "Unable to find 'efi' firmware that is compatible with the current configuration",
      "Unable to find any firmware to satisfy 'efi'",
    ],
    fix: {
      text: own.keys
        ? "Remove the declined secure-boot and enrolled-keys features from <os><firmware> and secure='yes' from <loader>, or name a firmware with <loader type='rom'>PATH</loader>."
        : "Remove the requested secure-boot and enrolled-keys features from <os><firmware> and secure='yes' from <loader>, or name a firmware with <loader type='rom'>PATH</loader>.",
    },
    sources: [
      src('LV-FIRMWARE', 'qemuFirmwareMatchDomain: requested and refused features, requires-smm'),
      src('LAB', "Debian sid's /usr/share/qemu/firmware descriptors; libvirt 12.8's message seen for another unmatched request"),
    ],
  };
}

/**
 * A domain that leaves its firmware to libvirt gets one only if the host's edk2 ships a descriptor listing the
 * technology's feature (qemu_firmware.c qemuFirmwareMatchDomain), which is a matter of the host's packages: Debian
 * 13's have none for SEV-ES or SEV-SNP, and libvirt 11.3 there refuses such a domain at define (seen on the lab).
 */
export function firmwareDescriptorRecord(type: 'sev-es' | 'sev-snp' | 'tdx', id: string): RuleRecord<'domain'> {
  const name = secureName(type);
  const t = technology(type);
  return {
    key: `${id}/firmware-descriptor`,
    id,
    scope: 'domain',
    severity: 'warning',
    when: [
      is(type),
      (c) => c.input.domain.firmware.kind === 'efi' && c.input.domain.firmware.loaderPath === 'absent' && !firmwareChosenBlind(c),
      // Requests no descriptor can meet are said by R-…/firmware-requests (for SEV-SNP's Secure Boot, /secure-boot).
      (c) => firmwareRequestsUnmet(c, type).length === 0 && !snpSecureBoot(c, type),
    ],
    title: `libvirt picks this ${name} domain's firmware only from one whose descriptor lists ${String(t.firmwareFeature)}, which not every host has`,
    explanation: `With no firmware named, libvirt picks one from the descriptors of the host's edk2 (/usr/share/qemu/firmware) that list the technology's feature, and refuses the domain at define when none does (qemu_firmware.c qemuFirmwareMatchDomain, libvirt 11.3). Debian 13's ovmf (edk2 2025.02) has no such descriptor for SEV-ES or SEV-SNP: libvirt 11.3 there refuses the domain (seen on the lab). Debian sid's (edk2 2026.08) has ${t.ownFirmware!.file}, and libvirt 12.8 there gets past the firmware (seen for SEV-ES and SEV-SNP). Which descriptors this host has is not known here; other distributions' packages were not examined.`,
    messages: ["Unable to find 'efi' firmware that is compatible with the current configuration"],
    fix: {
      text: `On a host without one, install an edk2 whose descriptors list ${String(t.firmwareFeature)}, or name the firmware yourself: <loader type='rom'>PATH</loader> with a ${name} build of OVMF.`,
    },
    sources: [
      src('LV-FIRMWARE', 'qemuFirmwareMatchDomain: the technology feature a descriptor must list'),
      src(
        'LAB',
        'SEV-ES and SEV-SNP domains defined on Debian 13 (libvirt 11.3) and sid (libvirt 12.8): test/lab/firmware-descriptor.test.ts',
      ),
    ],
  };
}

/** A loader that names the AmdSev build (Debian's OVMF.amdsev.fd; the same name in Fedora's edk2). */
const AMDSEV_BUILD = /amdsev/i;

/**
 * The firmware libvirt picks for the SEV family, and what it can boot. For SEV-ES and SEV-SNP libvirt needs a
 * descriptor listing amd-sev-es or amd-sev-snp (qemu_firmware.c qemuFirmwareMatchDomain); in Debian's ovmf only
 * OVMF.amdsev.fd has one, edk2's OvmfPkg/AmdSev build for measured direct boot, whose boot manager boots no disk.
 * For plain SEV libvirt 12.8 takes it too once SMM is off or Secure Boot declined (seen on Debian sid).
 */
export function amdSevFirmwareRecord(type: 'sev' | 'sev-es' | 'sev-snp', id: string): RuleRecord<'domain'> {
  const name = secureName(type);
  return {
    key: `${id}/amdsev-boot`,
    id,
    scope: 'domain',
    severity: 'warning',
    // Only UEFI domains: libvirt picks no firmware for a BIOS one, whose plan (R-SEV-04) makes it UEFI, and the
    // planned domain is judged again.
    when: [
      is(type),
      (c) => !firmwareChosenBlind(c),
      // libvirt picks nothing at all (R-…/firmware-requests, R-SNP-01/secure-boot).
      (c) => type === 'sev' || (firmwareRequestsUnmet(c, type).length === 0 && !snpSecureBoot(c, type)),
      (c) => !c.input.domain.directKernelBoot,
      (c) => c.input.domain.firmware.kind === 'efi' && c.input.domain.firmware.loaderType !== 'pflash',
      (c) => c.input.domain.firmware.loaderPath === 'absent' || AMDSEV_BUILD.test(c.input.domain.firmware.loaderPath),
      // For SEV the Secure Boot build comes first; libvirt takes the AmdSev one only once that is ruled out.
      (c) =>
        type !== 'sev' ||
        AMDSEV_BUILD.test(c.input.domain.firmware.loaderPath) ||
        c.input.domain.smm === 'off' ||
        c.input.domain.firmware.keysDeclined,
    ],
    title: (c) => {
      const path = c.input.domain.firmware.loaderPath;
      const firmware =
        path === 'absent'
          ? `The ${name} firmware libvirt picks on Debian sid (OVMF.amdsev.fd)`
          : `${path.split('/').pop()} (the AmdSev build of OVMF)`;
      return `${firmware} boots no disk, only a kernel given with <os><kernel>`;
    },
    explanation: `libvirt picks a firmware whose descriptor lists amd-sev-snp for SEV-SNP (amd-sev-es for SEV-ES). In Debian sid's ovmf (edk2 2026.08) only OVMF.amdsev.fd does; Debian 13's has no such firmware at all. For SEV, and for any UEFI domain, libvirt takes the first descriptor in name order that fits: the Secure Boot build unless <smm state='off'/> or a declined secure-boot or enrolled-keys feature rules it out, and then OVMF.amdsev.fd, whose descriptor sorts before the generic one (seen: libvirt 12.8 on Debian sid writes it into such a domain). It is edk2's OvmfPkg/AmdSev build, made for measured direct boot: its boot manager (PlatformBootManagerLibGrub) deletes every boot option but the GRUB built into the firmware, and otherwise starts only a kernel QEMU hands over; Debian builds it with an empty GRUB. Seen here: under TCG it ignored a bootable virtio disk that Debian's generic OVMF.fd booted, and stopped. A kernel passed with -kernel did not start under TCG either, for a reason not established here; in a real ${name} guest, with kernelHashes='yes', that is the path the build is made for, not tried: no SEV hardware here. Other distributions' builds were not examined.`,
    messages: ['BdsDxe: failed to load Boot0002 "Grub Bootloader" from Fv(…)/FvFile(B5AE312C-BC8A-43B1-9C62-EBB826DD5D07): Not Found'],
    fix: {
      text: "Boot the kernel directly (<os><kernel>, <initrd>, <cmdline>, with kernelHashes='yes' on <launchSecurity> for measured boot), or name a firmware that boots disks, loaded as ROM: <loader type='rom'>/usr/share/ovmf/OVMF.fd</loader> on Debian (an OvmfPkgX64 build, the build AMD's AMDSEV scripts make for SNP; not tried on SEV hardware here).",
      edits: () => [],
    },
    sources: [
      src('EDK2-AMDSEV-BDS', 'RemoveStaleFvFileOptions: the system can only boot either the Grub or (if built) the shell'),
      src('LV-FIRMWARE', 'qemuFirmwareMatchDomain: SEV-ES and SEV-SNP need amd-sev-es / amd-sev-snp in the descriptor'),
      src('AMDSEV', 'common.sh build_install_ovmf: OvmfPkg/OvmfPkgX64.dsc'),
      src(
        'LAB',
        "Debian sid's OVMF.amdsev.fd and OVMF.fd booted under TCG from the same virtio disk (test/lab/amdsev-firmware-boot.test.ts)",
      ),
    ],
  };
}

/** A loader that names a build with Secure Boot keys enrolled (Debian's `.ms.fd`, Fedora's `secboot`/`enrolled`). */
const SECURE_BOOT_BUILD = /\.ms\.fd$|secboot|enrolled/i;

/** The firmware libvirt picks on Debian for each type, and why it is that one. */
const PICKED_WITH_KEYS: Readonly<Record<'sev' | 'tdx', string>> = {
  sev: "For SEV libvirt takes the first of Debian's descriptors that lists amd-sev, 40-edk2-x86_64-secure-enrolled.json (OVMF_CODE_4M.ms.fd, which needs SMM, so libvirt turns SMM on); with <smm state='off'/> or a declined secure-boot or enrolled-keys feature it takes another (R-SEV-04/amdsev-boot).",
  tdx: "For TDX libvirt takes a firmware whose descriptor lists intel-tdx; in Debian sid's ovmf that is only OVMF.inteltdx.ms.fd.",
};

/**
 * A kernel given with <os><kernel> where libvirt's pick on Debian boots with Secure Boot and Microsoft's keys: the
 * firmware loads it like any image and refuses a distribution-signed one, unless a <shim> vouches for it.
 */
export function kernelSecureBootRecord(type: 'sev' | 'tdx', id: string): RuleRecord<'domain'> {
  const name = secureName(type);
  return {
    key: `${id}/kernel-secure-boot`,
    id,
    scope: 'domain',
    severity: 'warning',
    when: [
      is(type),
      (c) => c.input.domain.directKernelBoot && !c.input.domain.shim,
      (c) => c.input.domain.firmware.kind === 'efi',
      (c) => !c.input.domain.firmware.keysDeclined && (type !== 'sev' || c.input.domain.smm !== 'off'),
      (c) => c.input.domain.firmware.loaderPath === 'absent' || SECURE_BOOT_BUILD.test(c.input.domain.firmware.loaderPath),
    ],
    title: `The ${name} firmware libvirt picks on Debian checks the kernel given with <os><kernel> against Secure Boot keys, without a <shim> to vouch for it`,
    explanation: `${PICKED_WITH_KEYS[type]} It boots with Secure Boot on and Microsoft's keys enrolled, and loads a kernel QEMU hands over like any other image: one signed by anyone else — a distribution's own kernel is signed by the distribution, which only its shim trusts — is refused, and the guest stops in the firmware. Seen under TCG with Debian's signed kernel (test/lab/firmware-kernel.test.ts; the firmware's own words below), which Debian's firmware without Secure Boot starts. <os><shim> (libvirt 11.2, QEMU 10.0) makes QEMU hand the firmware a shim signed by Microsoft, which checks the kernel with the distribution's key. Not tried in a ${name} guest: no such hardware here.`,
    messages: [
      // The firmware's first line of two (the next: "OVMF: command line switch for qemu (available in version 10.0 + newer).").
      "OVMF: Secure boot image verification failed.  Consider using the '-shim'",
      'BdsDxe: No bootable option or device was found.',
    ],
    fix: {
      text: `Add <shim>/usr/lib/shim/shimx64.efi.signed</shim> to <os> (Debian's shim-signed; the kernel must be signed by a key that shim trusts, as distribution kernels are)${type === 'sev' ? ", or name a firmware without Secure Boot: <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader> on Debian" : ''}.`,
      edits: () => [],
    },
    sources: [
      src('LV-FMT', 'os/shim: an initial UEFI bootloader for secure boot environments (NEWS 11.2.0)'),
      src('LV-FIRMWARE', 'qemuFirmwareMatchDomain: descriptors in name order, the first that matches'),
      src('LAB', "Debian sid's firmware started under TCG with -kernel (Debian's signed kernel): the verification message"),
    ],
  };
}
