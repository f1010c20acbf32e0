/**
 * The confidential VM technologies as data: platform, the libvirt element, minimum versions, what remains the
 * host's job, and sources (domain-facts.md §2.5, §3, §7). Rules (rules/confidential/*) and the wizard's Secure VM
 * step read this table; nothing else states these facts.
 */
import type { Arch, DomainFacts, HostFacts, MachineFamily, SecureType, Support, Version, VersionFact } from '../contracts/facts';
import type { Source } from '../contracts/findings';
import { atLeast, combineVersionFacts, formatVersion } from '../contracts/version';
import { src } from './sources';
import { v } from './verdict';
import { effectiveQemu } from './versions';

export interface Technology {
  readonly type: SecureType;
  /** The technology's name, e.g. "AMD SEV-SNP". */
  readonly name: string;
  /** One line for a chooser. */
  readonly summary: string;
  /** The fact-sheet rule that describes it. */
  readonly ruleId: string;
  readonly arches: readonly Arch[];
  /** Machine families it exists on, when it is tied to one. */
  readonly machines?: readonly MachineFamily[];
  /** The `<launchSecurity type=…>` value libvirt uses; null when libvirt has no element for it. */
  readonly element: 'sev' | 'sev-snp' | 'tdx' | 's390-pv' | null;
  /** First libvirt release with the element (R-SEV-01, R-SNP-01, R-TDX-01, R-PV-01). */
  readonly libvirt?: Version;
  /** First QEMU release that runs it. */
  readonly qemu?: Version;
  /**
   * Where it also runs without the <launchSecurity> element (s390 PV: libvirt's guide's layout, iommu='on' on every
   * virtio device), the first QEMU that runs it so; `qemu` is then the first that has the element's object.
   */
  readonly withoutElement?: { readonly qemu: Version };
  /** The feature firmware descriptors list for it, which libvirt matches against <launchSecurity> (qemu_firmware.c). */
  readonly firmwareFeature?: string;
  /**
   * Where a generic OVMF cannot start it, the firmware built for it that libvirt must pick: Debian sid's (ovmf, edk2
   * 2026.08; one descriptor each, 60-edk2-x86_64-amdsev.json and -inteltdx.json, pc-q35-* only) in /usr/share/ovmf,
   * and whether it has Secure Boot with Microsoft's keys enrolled.
   */
  readonly ownFirmware?: { readonly file: string; readonly keys: boolean };
  /**
   * The first Linux whose guests of this type refuse a virtio device without VERSION_1 or ACCESS_PLATFORM (fact sheet
   * R-LNX-02: SEV family with 229164175ff0, 5.13; s390 PV with the Oct 2020 series, 5.10; both inferred). Older
   * guests do not check: they hang or read garbage instead, and print nothing.
   */
  readonly guestRefusesFrom?: Version;
  /** First guest Linux release that runs as such a guest, when the sources give one. */
  readonly guestKernel?: Version;
  /** Report an unknown libvirt/QEMU version (recent technologies) or stay silent (long-standing ones). */
  readonly versionUnknown: 'warning' | 'skip';
  /** What no domain XML can do: firmware, host kernel, BIOS settings, packages. */
  readonly hostJobs: readonly string[];
  readonly sources: readonly Source[];
}

export const TECHNOLOGIES: readonly Technology[] = [
  {
    type: 'none',
    name: 'None (ordinary VM)',
    summary: 'No memory encryption; iommu only where a vIOMMU must isolate a device.',
    ruleId: 'R-SPEC-01',
    arches: [],
    element: null,
    versionUnknown: 'skip',
    hostJobs: [],
    sources: [],
  },
  {
    type: 'sev',
    name: 'AMD SEV',
    summary: 'Guest memory encrypted with a per-VM key on AMD EPYC hosts.',
    ruleId: 'R-SEV-01',
    arches: ['x86_64'],
    element: 'sev',
    libvirt: v(4, 5),
    qemu: v(2, 12),
    firmwareFeature: 'amd-sev',
    guestRefusesFrom: v(5, 13),
    guestKernel: v(4, 16),
    versionUnknown: 'skip',
    hostJobs: [
      'An AMD EPYC CPU with SEV enabled in the system firmware (BIOS) settings.',
      'Host kernel parameters mem_encrypt=on kvm_amd.sev=1; /sys/module/kvm_amd/parameters/sev reads 1 or Y.',
      '/dev/sev accessible to QEMU (SELinux policy 3.14.2.40 or later where SELinux is used).',
      'An SEV-capable OVMF (UEFI) firmware package, e.g. Debian ovmf.',
    ],
    sources: [src('LV-FMT', 'Launch Security'), src('LV-KB-SEV', 'requirements')],
  },
  {
    type: 'sev-es',
    name: 'AMD SEV-ES',
    summary: 'SEV plus encrypted CPU register state (policy bit 2, ES).',
    ruleId: 'R-SEVES-01',
    arches: ['x86_64'],
    element: 'sev',
    libvirt: v(4, 5),
    qemu: v(6, 0),
    firmwareFeature: 'amd-sev-es',
    ownFirmware: { file: 'OVMF.amdsev.fd', keys: false },
    guestRefusesFrom: v(5, 13),
    // The guest side (the #VC handler, arch/x86/kernel/sev-es.c) came with Linux 5.10; 5.11 is the host's minimum
    // (KVM's SEV-ES support), which AMD's tooling checks and the fact sheet's table gives for both.
    guestKernel: v(5, 10),
    versionUnknown: 'warning',
    hostJobs: [
      'An AMD EPYC CPU with SEV-ES enabled in the system firmware; kvm_amd.sev_es=1 on the host kernel command line.',
      'OVMF from edk2-stable202102 or later.',
    ],
    sources: [src('QEMU-SEVDOC', 'SEV-ES'), src('AMDSEV', 'README: SEV-ES minimums')],
  },
  {
    type: 'sev-snp',
    name: 'AMD SEV-SNP',
    summary: 'SEV-ES plus memory integrity (Secure Nested Paging).',
    ruleId: 'R-SNP-01',
    arches: ['x86_64'],
    element: 'sev-snp',
    libvirt: v(10, 5),
    qemu: v(9, 1),
    firmwareFeature: 'amd-sev-snp',
    ownFirmware: { file: 'OVMF.amdsev.fd', keys: false },
    guestRefusesFrom: v(5, 13),
    guestKernel: v(5, 19),
    versionUnknown: 'warning',
    hostJobs: [
      'SEV-SNP enabled in the system firmware and an SNP-capable AMD SEV firmware; host kernel 6.11 or later (KVM SNP support).',
      'The host IOMMU on and not in passthrough mode (no iommu=pt or amd_iommu=off on the host kernel command line).',
      'A stateless OVMF built for SEV (e.g. OVMF.amdsev.fd), loaded as -bios.',
    ],
    sources: [src('LV-NEWS', 'v10.5.0: Introduce SEV-SNP support'), src('QEMU-SEVDOC', 'SevSnpGuestProperties Since 9.1')],
  },
  {
    type: 'tdx',
    name: 'Intel TDX',
    summary: 'Trust domains on Intel CPUs with TDX.',
    ruleId: 'R-TDX-01',
    arches: ['x86_64'],
    element: 'tdx',
    libvirt: v(11, 6),
    qemu: v(10, 1),
    firmwareFeature: 'intel-tdx',
    ownFirmware: { file: 'OVMF.inteltdx.ms.fd', keys: true },
    guestKernel: v(5, 19),
    versionUnknown: 'warning',
    hostJobs: [
      'TDX enabled in the system firmware with the TDX module loaded; host kernel with KVM TDX support (6.16); /sys/module/kvm_intel/parameters/tdx reads Y.',
      'A TDX-enabled OVMF (e.g. OVMF.inteltdx.fd), loaded as -bios (TDX VMs have no read-only memory slots for pflash).',
      'A Quote Generation Service on the host if the guest needs attestation quotes.',
    ],
    // libvirt's NEWS has no entry for TDX; its merge "will be in the 11.6.0 release" (Daniel Berrangé, virt-manager
    // #948), and 11.3 refuses the type at define while 12.8 takes it (version lab).
    sources: [
      src('QEMU-TDXDOC', 'TDX requirements'),
      src('VM-948', 'libvirt TDX patches merged for 11.6.0 (comment of 2025-07-25)'),
      src('LAB', "<launchSecurity type='tdx'> refused at define by libvirt 11.3, known to 12.8"),
    ],
  },
  {
    type: 's390-pv',
    name: 'IBM s390 Protected Virtualization',
    summary: 'Secure execution on IBM z15 / LinuxONE III and newer.',
    ruleId: 'R-PV-01',
    arches: ['s390x'],
    machines: ['s390-ccw-virtio'],
    element: 's390-pv',
    libvirt: v(7, 6),
    qemu: v(6, 0),
    // R-PV-01: "The manual, pre-7.6 method works from QEMU 5.0" (the unpack facility, QEMU-PV).
    withoutElement: { qemu: v(5, 0) },
    guestRefusesFrom: v(5, 10),
    versionUnknown: 'warning',
    hostJobs: [
      'An IBM z15 / LinuxONE III or newer with the host kernel parameter prot_virt=1 (/sys/firmware/uv/prot_virt_host reads 1).',
      'The guest image prepared for secure execution with genprotimg (s390-tools).',
    ],
    sources: [src('LV-KB-PV', 'launchSecurity type s390-pv (7.6.0)'), src('QEMU-PV', 'protvirt')],
  },
  {
    type: 'pef',
    name: 'IBM POWER PEF',
    summary: 'Secure VMs on POWER; libvirt has no element, so every device gets iommu=on.',
    ruleId: 'R-PEF-01',
    arches: ['ppc64', 'ppc64le'],
    machines: ['pseries'],
    element: null,
    qemu: v(6, 0),
    versionUnknown: 'warning',
    hostJobs: ['A POWER9 or later host with the Ultravisor firmware (PEF) enabled.'],
    sources: [src('QEMU-PEF', 'pef-guest (QEMU 6.0)')],
  },
  {
    type: 'cca',
    name: 'Arm CCA (Realms)',
    summary: 'Not supported by libvirt or upstream QEMU.',
    ruleId: 'R-CCA-01',
    arches: ['aarch64'],
    element: null,
    versionUnknown: 'skip',
    hostJobs: [],
    sources: [src('LV-FMT', 'Launch Security (no CCA type)')],
  },
];

export function technology(type: SecureType): Technology {
  const t = TECHNOLOGIES.find((x) => x.type === type);
  if (!t) throw new Error(`no technology ${type}`);
  return t;
}

/**
 * libvirt 11.6 to 11.9 report TDX in domain capabilities whenever QEMU has it built in, also on hosts without TDX
 * (fixed in 11.10.0, NEWS): such a report is evidence only with the host's own /sys saying so (§7.3 item 17).
 */
export function tdxReportUntrusted(host: HostFacts): boolean {
  if (host.tdx !== 'yes') return false;
  // Only a libvirt known to be 11.10.0 or later is trusted on its own; a report of unknown release may be 11.6-11.9.
  const fixed = atLeast(effectiveLibvirt(host), v(11, 10)) === 'yes';
  const confirmed = host.evidence.some((e) => e.fact === 'kvm_intel.tdx' && /^(y|1)$/i.test(e.value.trim()));
  return !fixed && !confirmed;
}

/**
 * The libvirt version as the host facts tell it: as reported, or at least the release that brought each
 * `<launchSecurity>` type its domain capabilities list (a libvirt lists only the types it knows: sev-snp 10.5.0,
 * tdx 11.6.0).
 */
export function effectiveLibvirt(host: HostFacts): VersionFact {
  let fact = host.libvirtVersion;
  if (fact.kind === 'exact') return fact;
  for (const e of host.evidence) {
    if (e.fact !== 'launchSecurity sectype') continue;
    const t = TECHNOLOGIES.find((x) => x.element === e.value && x.type !== 'sev-es');
    if (t?.libvirt)
      fact = combineVersionFacts(fact, {
        kind: 'at-least',
        version: t.libvirt,
        source: `its domain capabilities, which list <launchSecurity type='${e.value}'> (libvirt ${formatVersion(t.libvirt)} and later)`,
      });
  }
  return fact;
}

/**
 * What the host kernel's KVM says of SEV-SNP: its kvm_amd `sev_snp` parameter, which reads Y exactly when KVM offers
 * the SNP VM type (arch/x86/kvm/svm/sev.c sev_set_cpu_caps, Linux 6.11 and later; older kernels have no such
 * parameter). `unknown` without that evidence.
 */
function kvmSnp(host: HostFacts): Support {
  const value = host.evidence.find((e) => e.fact === 'kvm_amd.sev_snp')?.value.trim();
  if (value === undefined) return 'unknown';
  return /^(y|1)$/i.test(value) ? 'yes' : /^(n|0)$/i.test(value) ? 'no' : 'unknown';
}

/**
 * libvirt lists sev-snp in domain capabilities whenever QEMU has the sev-snp-guest object (9.1 and later) and SEV
 * itself works (qemu_capabilities.c virQEMUCapsFillDomainLaunchSecurity; QEMU's query-sev-capabilities asks nothing
 * of SNP, sev.c sev_get_capabilities; libvirt 12.8 reads kvm_amd's `sev` parameter, never `sev_snp`). So a host whose
 * KVM lacks SNP (a kernel before 6.11, SNP not enabled) still reports it, and QEMU stops with "vm-type SEV-SNP not
 * supported by KVM" (target/i386/kvm/kvm.c kvm_get_vm_type): such a report is evidence only with KVM's own word.
 */
export function snpReportUnconfirmed(host: HostFacts): boolean {
  return host.sevSnp === 'yes' && kvmSnp(host) === 'unknown';
}

/** Whether the host can run the type, as domain capabilities and /sys report it; absent evidence is unknown. */
export function hostSupport(type: SecureType, host: HostFacts): Support {
  if (type === 'tdx' && tdxReportUntrusted(host)) return 'unknown';
  switch (type) {
    case 'sev':
    case 'sev-es':
      return host.sev.supported;
    case 'sev-snp':
      return kvmSnp(host) === 'no' ? 'no' : snpReportUnconfirmed(host) ? 'unknown' : host.sevSnp;
    case 'tdx':
      return host.tdx;
    case 's390-pv':
      return host.s390pv;
    default:
      return 'unknown';
  }
}

export interface Availability {
  /** `unavailable`: something known rules it out; `unknown`: nothing rules it out but a fact is missing. */
  readonly status: 'available' | 'unavailable' | 'unknown';
  /** Why, in words the wizard shows as they are. */
  readonly reasons: readonly string[];
}

/**
 * Whether the domain could become `type` on this host: its architecture and machine, the host's support, and the
 * libvirt and QEMU versions when known ("libvirt 9.0.0 here; AMD SEV-SNP needs 10.5.0").
 */
export function availability(type: SecureType, domain: DomainFacts, host: HostFacts): Availability {
  const t = technology(type);
  if (type === 'none') return { status: 'available', reasons: [] };
  const out: string[] = [];
  if (type === 'cca') out.push('libvirt and upstream QEMU have no Arm CCA support');
  if (t.arches.length > 0 && domain.arch !== 'unknown' && !t.arches.includes(domain.arch)) {
    out.push(`needs a ${t.arches.join('/')} guest; this one is ${domain.arch}`);
  }
  if (t.machines && domain.machine.family !== 'unknown' && !t.machines.includes(domain.machine.family)) {
    out.push(`needs machine ${t.machines.join('/')}; this one is ${String(domain.machine.raw)}`);
  }
  const support = hostSupport(type, host);
  if (support === 'no')
    out.push(
      type === 'sev-snp' && kvmSnp(host) === 'no'
        ? `this host's KVM does not run ${t.name} guests (/sys/module/kvm_amd/parameters/sev_snp)`
        : `this host reports no ${t.name} support (virsh domcapabilities)`,
    );
  const missing: string[] = [];
  if (support === 'unknown' && t.element !== null) missing.push(`whether this host supports ${t.name} is not known`);
  for (const [what, min, fact] of [
    ['libvirt', t.libvirt, effectiveLibvirt(host)],
    ['QEMU', t.qemu, effectiveQemu(domain, host)],
  ] as const) {
    if (!min) continue;
    const known = atLeast(fact, min);
    if (known === 'no' && fact.kind !== 'unknown')
      out.push(`${what} ${formatVersion(fact.version)} here; ${t.name} needs ${formatVersion(min)}`);
    if (known === 'unknown') missing.push(`${t.name} needs ${what} ${formatVersion(min)}`);
  }
  if (out.length > 0) return { status: 'unavailable', reasons: out };
  return missing.length > 0 ? { status: 'unknown', reasons: missing } : { status: 'available', reasons: [] };
}
