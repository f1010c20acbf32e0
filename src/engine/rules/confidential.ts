/**
 * Domain-level rules of each confidential VM technology (domain-facts.md §2.5): the launchSecurity element and
 * its host values, architecture, versions, host support, memory, firmware, migration, and what each forbids.
 */
import type { SecureType } from '../../contracts/facts';
import type { Edit, Source } from '../../contracts/findings';
import { formatVersion } from '../../contracts/version';
import { SEV_FAMILY, describeVersion, isConfidential } from '../context';
import { BALLOON_NONE, LOCKED_MEMORY, launchSecurityEdits, romOff } from '../edits';
import type { DomainContext, RuleRecord, Verdict } from '../rule-types';
import { src } from '../sources';
import { not, unknown, versionAtLeast } from '../verdict';
import { WHY_CONFIDENTIAL, secureName } from '../words';
import { TECHNOLOGIES, type Technology } from '../technologies';

/** Every technology with a platform of its own (none and CCA have their own records). */
const TECHS = TECHNOLOGIES.filter((t) => t.type !== 'none' && t.type !== 'cca');

const is =
  (type: SecureType) =>
  (c: DomainContext): boolean =>
    c.cvm === type;
const inSev = (c: DomainContext): boolean => SEV_FAMILY.has(c.cvm);
const hasElementFor = (c: DomainContext): boolean => c.input.domain.launchSecurity.present && c.input.domain.launchSecurity.type === c.cvm;

function techRules(t: Technology): RuleRecord<'domain'>[] {
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
function hostSupport(
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

export const CONFIDENTIAL_RULES: readonly RuleRecord<'domain'>[] = [
  ...TECHS.flatMap(techRules),
  hostSupport(
    'R-SEV-05',
    ['sev', 'sev-es'],
    (c) => c.input.host.sev.supported,
    "whether the host supports SEV (<sev supported='yes'> in virsh domcapabilities)",
    [
      'SEV launch security is not supported with this QEMU binary',
      'WARN (AMD Secure Encrypted Virtualization appears to be disabled in kernel. Add kvm_amd.sev=1 to the kernel cmdline arguments)',
    ],
    "libvirt refuses SEV guests unless 'virsh domcapabilities' shows <sev supported='yes'>. The host needs an AMD EPYC CPU with SEV enabled in firmware, the kernel parameters mem_encrypt=on kvm_amd.sev=1 (/sys/module/kvm_amd/parameters/sev reads 1 or Y), and /dev/sev accessible to QEMU.",
    [src('LV-KB-SEV', 'host checks'), src('LV-FMT', 'domain capabilities: sev')],
  ),
  hostSupport(
    'R-SNP-02',
    ['sev-snp'],
    (c) => c.input.host.sevSnp,
    'whether the host supports SEV-SNP (virsh domcapabilities)',
    ['SNP: IOMMU is disabled or configured in passthrough mode, SNP cannot be supported'],
    "SEV-SNP needs SNP-capable firmware, a host kernel with KVM SNP support (6.11) and the host IOMMU enabled and not in passthrough mode (no iommu=pt or amd_iommu=off on the host kernel command line). That host IOMMU has nothing to do with the guest's <driver iommu='on'/>.",
    [src('AMDSEV', 'issues #88, #113: host IOMMU required')],
  ),
  hostSupport(
    'R-TDX-01',
    ['tdx'],
    (c) => c.input.host.tdx,
    'whether the host supports TDX (virsh domcapabilities)',
    [],
    'TDX needs a TDX-enabled BIOS and a host kernel with KVM TDX support (6.16); /sys/module/kvm_intel/parameters/tdx reads Y.',
    [src('QEMU-TDXDOC', 'host requirements')],
  ),
  hostSupport(
    'R-PV-03',
    ['s390-pv'],
    (c) => c.input.host.s390pv,
    'whether the host supports Protected Virtualization (/sys/firmware/uv/prot_virt_host, domcapabilities)',
    ['S390 PV launch security is not supported by this host or kernel'],
    's390 PV needs an IBM z15 / LinuxONE III or newer, the host kernel parameter prot_virt=1 (/sys/firmware/uv/prot_virt_host reads 1), and the guest image built with genprotimg.',
    [src('LV-KB-PV', 'host preparation'), src('QEMU-PV', 'protvirt')],
  ),
  {
    key: 'R-SEV-01/cbitpos',
    id: 'R-SEV-01',
    scope: 'domain',
    severity: 'error',
    whenUnknown: 'skip',
    when: [
      inSev,
      hasElementFor,
      (c) =>
        mismatch(c.input.domain.launchSecurity.cbitpos, c.input.host.sev.cbitpos) ||
        mismatch(c.input.domain.launchSecurity.reducedPhysBits, c.input.host.sev.reducedPhysBits),
    ],
    title: (c) =>
      `<launchSecurity> has cbitpos ${String(c.input.domain.launchSecurity.cbitpos)} / reducedPhysBits ${String(c.input.domain.launchSecurity.reducedPhysBits)}, the host reports ${String(c.input.host.sev.cbitpos)} / ${String(c.input.host.sev.reducedPhysBits)}`,
    explanation:
      "cbitpos is the physical address bit that marks a page as encrypted and reducedPhysBits how much address space encryption takes away; both are properties of the host CPU and must be copied from 'virsh domcapabilities'. Wrong values fail the launch.",
    fix: {
      text: "Use the host's values from 'virsh domcapabilities'.",
      edits: (c) => {
        const edits: Edit[] = [];
        const { cbitpos, reducedPhysBits } = c.input.host.sev;
        if (cbitpos !== 'unknown')
          edits.push({ op: 'add-element', parent: '/domain/launchSecurity', xml: `<cbitpos>${cbitpos}</cbitpos>`, replace: true });
        if (reducedPhysBits !== 'unknown')
          edits.push({
            op: 'add-element',
            parent: '/domain/launchSecurity',
            xml: `<reducedPhysBits>${reducedPhysBits}</reducedPhysBits>`,
            replace: true,
          });
        return edits;
      },
    },
    sources: [src('LV-FMT', 'Launch Security: cbitpos, reducedPhysBits'), src('LV-KB-SEV', 'values from domcapabilities')],
  },
  {
    key: 'R-SEV-03',
    id: 'R-SEV-03',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => c.cvm === 'sev' || c.cvm === 'sev-es',
      (c) => !c.input.domain.memoryBacking.locked && c.input.domain.memtuneHardLimitKiB === 'absent',
    ],
    title: 'SEV guest memory is neither locked nor limited',
    explanation:
      'SEV pins all guest memory, so QEMU needs a locked-memory allowance for all of it. libvirt grants it for <memoryBacking><locked/></memoryBacking> (preferred) or a <memtune><hard_limit> of guest RAM plus headroom; without either the launch fails.',
    fix: { text: 'Add <memoryBacking><locked/></memoryBacking>.', edits: () => [LOCKED_MEMORY] },
    sources: [src('LV-KB-SEV', 'memory locking')],
  },
  {
    key: 'R-SEV-03/snp',
    id: 'R-SEV-03',
    scope: 'domain',
    severity: 'warning',
    when: [is('sev-snp'), (c) => !c.input.domain.memoryBacking.locked && c.input.domain.memtuneHardLimitKiB === 'absent'],
    title: 'SEV-SNP guest memory is neither locked nor limited (whether SNP needs it is unconfirmed)',
    explanation:
      "SEV and SEV-ES need locked guest memory. libvirt's documentation is silent for SEV-SNP (UNCONFIRMED in the fact sheet); if the launch fails on memory limits, add <memoryBacking><locked/></memoryBacking>.",
    fix: { text: 'If the launch fails on memory limits, add <memoryBacking><locked/></memoryBacking>.' },
    sources: [src('LV-KB-SEV', 'covers SEV/SEV-ES only')],
  },
  {
    key: 'R-SEV-04/machine',
    id: 'R-SEV-04',
    scope: 'domain',
    severity: 'warning',
    when: [
      inSev,
      (c) => (c.input.domain.machine.family === 'unknown' ? unknown('the machine type') : c.input.domain.machine.family !== 'q35'),
    ],
    title: (c) => `${secureName(c.cvm)} on machine ${String(c.input.domain.machine.raw)}: q35 is the recommended machine`,
    explanation:
      "libvirt's SEV guide recommends q35. On i440fx ('pc') every virtio device must be virtio-non-transitional, because a conventional PCI slot makes model='virtio' transitional and the legacy interface cannot carry ACCESS_PLATFORM.",
    fix: { text: 'Prefer a q35 machine type (a new domain, since changing the machine type re-addresses every device).' },
    sources: [src('LV-KB-SEV', 'q35 recommended')],
  },
  {
    key: 'R-SEV-04/firmware',
    id: 'R-SEV-04',
    scope: 'domain',
    severity: 'error',
    when: [inSev, (c) => (c.input.domain.firmware.kind === 'unknown' ? unknown('the firmware') : c.input.domain.firmware.kind === 'bios')],
    title: (c) => `${secureName(c.cvm)} needs UEFI firmware (OVMF); this domain boots with BIOS`,
    explanation:
      'SeaBIOS cannot start an encrypted guest: SEV needs an SEV-aware OVMF. For attestation use a stateless loader (measured firmware without NVRAM).',
    fix: {
      text: "Use <os firmware='efi'> (libvirt then picks an SEV-capable OVMF).",
      edits: (c) =>
        c.input.domain.firmware.loaderType === 'unknown'
          ? [{ op: 'set-attribute', target: '/domain/os', name: 'firmware', value: 'efi' }]
          : [],
    },
    sources: [src('LV-KB-SEV', 'UEFI required'), src('QEMU-SEVDOC', 'OVMF, stateless firmware for attestation')],
  },
  {
    key: 'R-SEV-06',
    id: 'R-SEV-06',
    scope: 'domain',
    severity: 'error',
    whenUnknown: 'skip',
    when: [inSev, (c) => c.input.goals.migration === true],
    title: (c) => `${secureName(c.cvm)} guests cannot be live-migrated`,
    explanation: 'QEMU installs a migration blocker for SEV, SEV-ES and SEV-SNP guests; virsh migrate fails.',
    messages: ['SEV: Migration is not implemented'],
    fix: { text: 'Shut the guest down and move it cold, or do not make it a SEV guest.' },
    sources: [src('QEMU-SEVDOC', 'target/i386/sev.c migration blocker')],
  },
  {
    key: 'R-SEV-06/note',
    id: 'R-SEV-06',
    scope: 'domain',
    severity: 'info',
    when: [inSev, (c) => c.input.goals.migration === 'unknown'],
    title: (c) => `${secureName(c.cvm)} guests cannot be live-migrated`,
    explanation: "QEMU blocks live migration of SEV-family guests ('SEV: Migration is not implemented'); plan for cold moves.",
    fix: { text: 'Nothing to change; plan maintenance with shutdowns instead of live migration.' },
    sources: [src('QEMU-SEVDOC', 'migration blocker')],
  },
  {
    key: 'R-SEVES-01/smm',
    id: 'R-SEVES-01',
    scope: 'domain',
    severity: 'warning',
    when: [is('sev-es'), (c) => c.input.domain.smm === 'on'],
    title: 'SEV-ES guests have no SMM, but <smm state=on> is set',
    explanation:
      "QEMU documents that SEV-ES guests have no SMM, cannot reboot in place and need an in-kernel irqchip. How libvirt's <smm> interacts is unconfirmed; use a firmware build that does not need SMM.",
    fix: {
      text: "Set <smm state='off'/> and use an OVMF build without SMM.",
      edits: () => [{ op: 'set-attribute', target: '/domain/features/smm', name: 'state', value: 'off' }],
    },
    sources: [src('QEMU-SEVDOC', 'SEV-ES limitations')],
  },
  {
    key: 'R-TDX-01/smm',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'error',
    when: [is('tdx'), (c) => c.input.domain.smm === 'on'],
    title: 'TDX guests cannot have SMM',
    explanation: "QEMU's TDX documentation requires no SMM (and a split irqchip, with OVMF loaded as -bios).",
    fix: {
      text: "Set <smm state='off'/>.",
      edits: () => [{ op: 'set-attribute', target: '/domain/features/smm', name: 'state', value: 'off' }],
    },
    sources: [src('QEMU-TDXDOC', 'SMM not supported')],
  },
  {
    key: 'R-TDX-01/firmware',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'warning',
    when: [is('tdx'), (c) => c.input.domain.firmware.loaderType !== 'rom'],
    title: "TDX loads OVMF as -bios; this domain's firmware is not a <loader type='rom'>",
    explanation:
      "QEMU's TDX guide loads OVMF with -bios, not pflash. The libvirt form is unconfirmed; templates use <loader type='rom' readonly='yes'>/usr/share/ovmf/OVMF.fd</loader> with <memoryBacking><source type='anonymous'/><access mode='private'/></memoryBacking>.",
    fix: { text: "Use a TDX-enabled OVMF as <loader type='rom'>." },
    sources: [src('QEMU-TDXDOC', 'OVMF via -bios')],
  },
  {
    key: 'R-PV-04/hugepages',
    id: 'R-PV-04',
    scope: 'domain',
    severity: 'error',
    when: [is('s390-pv'), (c) => c.input.domain.memoryBacking.hugepages],
    title: 's390 Protected Virtualization guests cannot use huge pages',
    explanation:
      'The Ultravisor secures guest memory page by page; QEMU and libvirt document that PV guests cannot be backed by huge pages.',
    fix: {
      text: 'Remove <hugepages/> from <memoryBacking>.',
      edits: () => [{ op: 'remove-element', target: '/domain/memoryBacking/hugepages' }],
    },
    sources: [src('QEMU-PV', 'restrictions'), src('LV-KB-PV', 'restrictions')],
  },
  {
    key: 'R-PV-04/hostdev',
    id: 'R-PV-04',
    scope: 'domain',
    severity: 'warning',
    when: [is('s390-pv'), (c) => c.input.domain.hostdevCount > 0],
    title: (c) => `s390 PV guest with ${c.input.domain.hostdevCount} passthrough <hostdev> device(s)`,
    explanation:
      'The QEMU PV documentation read for the fact sheet says vfio passthrough does not work for protected guests; newer kernels and QEMU may lift this for some device types, so this is a warning, not an error.',
    fix: { text: 'Remove the <hostdev> devices unless your QEMU and kernel support passthrough for PV guests.' },
    sources: [src('QEMU-PV', 'no vfio passthrough')],
  },
  {
    key: 'R-PV-01/cpu',
    id: 'R-PV-01',
    scope: 'domain',
    severity: 'info',
    when: [is('s390-pv'), (c) => c.input.domain.cpuMode !== 'host-model' && c.input.domain.cpuMode !== 'host-passthrough'],
    title: "s390 PV: <cpu mode='host-model'/> is recommended",
    explanation: "A PV guest needs the 'unpack' CPU facility; libvirt's PV guide uses a host-model CPU.",
    fix: { text: "Use <cpu mode='host-model'/>." },
    sources: [src('LV-KB-PV', 'host-model CPU')],
  },
  {
    key: 'R-PEF-01/object',
    id: 'R-PEF-01',
    scope: 'domain',
    severity: 'info',
    when: [is('pef')],
    title: 'POWER PEF has no libvirt <launchSecurity> type',
    explanation:
      "QEMU 6.0 added the pef-guest object (-object pef-guest,id=pef0 -machine confidential-guest-support=pef0), but no libvirt element creates it; add it with <qemu:commandline> if you need QEMU's defaults. The guest decides at boot whether to become secure, so every virtio device must offer ACCESS_PLATFORM whatever the host does: the plan writes iommu='on' on each.",
    fix: { text: "Write iommu='on' on every virtio device (the plan does)." },
    sources: [src('QEMU-PEF', 'pef-guest object')],
  },
  {
    key: 'R-CCA-01',
    id: 'R-CCA-01',
    scope: 'domain',
    severity: 'error',
    when: [is('cca')],
    title: 'Arm CCA Realms are not supported by libvirt or upstream QEMU',
    explanation:
      'No libvirt <launchSecurity> type and no upstream QEMU confidential-guest object exist for Arm CCA (unconfirmed negative search). When they arrive the same rule will hold: every virtio device needs ACCESS_PLATFORM.',
    fix: { text: 'Choose no confidential VM technology for this guest for now.' },
    sources: [src('LV-FMT', 'Launch Security (no CCA type)')],
  },
  {
    key: 'R-WIN-02',
    id: 'R-WIN-02',
    scope: 'domain',
    severity: 'warning',
    when: [isConfidential, (c) => c.input.guest.family === 'windows'],
    title: (c) => `Windows as a ${secureName(c.cvm)} guest on KVM is unconfirmed`,
    explanation: 'No source confirms that Windows runs as a confidential guest on KVM with virtio devices, or how it bounce-buffers there.',
    fix: { text: 'Test carefully before relying on it.' },
    sources: [src('VWIN', 'no confidential-guest support found')],
  },
  {
    key: 'R-VIOMMU-03',
    id: 'R-VIOMMU-03',
    scope: 'domain',
    severity: 'warning',
    when: [isConfidential, (c) => c.input.domain.viommu.model !== 'none'],
    title: (c) => `A vIOMMU (<iommu model='${c.input.domain.viommu.model}'>) is not needed for ${secureName(c.cvm)}`,
    explanation: `ACCESS_PLATFORM is what a confidential VM needs; despite the attribute's name no <iommu> device is involved. ${WHY_CONFIDENTIAL} Whether a vIOMMU works together with SEV or TDX is unconfirmed.`,
    fix: { text: 'Remove the <iommu> device unless the guest needs it for another reason.' },
    sources: [src('LV-KB-SEV', 'no iommu device'), src('LV-KB-PV', 'no iommu device')],
  },
];

function mismatch(domainValue: number | 'unknown', hostValue: number | 'unknown'): Verdict {
  if (hostValue === 'unknown') return unknown("the host's SEV values (virsh domcapabilities)");
  return domainValue !== hostValue;
}

/** Device-level rules of confidential VMs: balloon, boot ROM, virtio-gpu. */
export const CONFIDENTIAL_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-LNX-05',
    id: 'R-LNX-05',
    scope: 'device',
    severity: 'error',
    when: [isConfidential, (c) => c.device.virtio && c.device.function === 'balloon'],
    title: (c) => `${c.device.label} cannot work in this ${secureName(c.cvm)} guest`,
    detail: (c) => (c.device.implicit ? 'libvirt adds a virtio memballoon by default when the XML has no <memballoon>.' : ''),
    explanation: `The Linux balloon driver always refuses ACCESS_PLATFORM because it talks in guest page numbers, not DMA addresses. ${WHY_CONFIDENTIAL} So the balloon is dead either way: the guest logs an error for it, and s390 PV requires it gone (QEMU fences ballooning there).`,
    messages: ['virtio_balloon virtio3: device must provide VIRTIO_F_ACCESS_PLATFORM'],
    fix: { text: "Use <memballoon model='none'/>.", edits: () => [BALLOON_NONE] },
    sources: [src('LNX-BALLOON', 'virtballoon_validate clears ACCESS_PLATFORM'), src('LV-KB-PV', "memballoon model='none'")],
  },
  {
    key: 'R-LNX-05/iommu',
    id: 'R-LNX-05',
    scope: 'device',
    severity: 'warning',
    when: [(c) => !isConfidential(c), (c) => c.device.virtio && c.device.function === 'balloon' && c.device.driver.iommu === 'on'],
    title: (c) => `${c.device.label} with iommu='on' will be refused by the guest driver`,
    explanation: 'The Linux balloon driver never accepts ACCESS_PLATFORM, and QEMU then refuses FEATURES_OK: ballooning does not work.',
    messages: ['virtio: device refuses features: <hex>'],
    fix: {
      text: 'Remove iommu from the memballoon driver.',
      edits: (c) => [{ op: 'remove-attribute', target: `${c.device.target}/driver`, name: 'iommu' }],
    },
    sources: [src('LNX-BALLOON', 'virtballoon_validate'), src('QEMU-VIRTIO', 'virtio_validate_features')],
  },
  {
    key: 'R-SEV-04/rom',
    id: 'R-SEV-04',
    scope: 'device',
    severity: 'warning',
    inPlan: true,
    when: [inSev, (c) => c.device.virtio && c.device.kind === 'interface' && c.device.rom !== 'off'],
    title: (c) => `${c.device.label}: the iPXE boot ROM is not SEV-aware`,
    explanation:
      "Network boot through the virtio-net option ROM hangs in a SEV guest. libvirt's SEV guide disables it with <rom enabled='no'/>.",
    fix: { text: "Add <rom enabled='no'/> to the interface.", edits: (c) => romOff(c.device) },
    sources: [src('LV-KB-SEV', "<rom enabled='no'/>")],
  },
  {
    key: 'R-SEV-04/gpu',
    id: 'R-SEV-04',
    scope: 'device',
    severity: 'error',
    when: [inSev, (c) => c.device.function === 'gpu' && !c.device.implicit],
    title: (c) => `${c.device.label}: virtio-gpu cannot be used in this ${secureName(c.cvm)} guest`,
    explanation: "libvirt's SEV guide rules out virtio-gpu; use another display adapter or none.",
    fix: {
      // Removing beats rewriting the model: a virtio video's <driver> options and <acceleration> are invalid on
      // any other model, and libvirt adds a default adapter itself when <graphics> needs one.
      text: "Remove the virtio video device (libvirt adds a default adapter for <graphics>), or use e.g. <model type='vga'/>.",
      edits: (c) => [{ op: 'remove-element', target: c.device.target }],
    },
    sources: [src('LV-KB-SEV', 'virtio-gpu not supported')],
  },
];
