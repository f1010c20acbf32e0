/**
 * Intel TDX (R-TDX-*): host support (with libvirt 11.6–11.9's false report), SMM, firmware.
 */
import { formatVersion } from '../../contracts/version';
import type { DomainContext, RuleRecord } from '../rule-types';
import { firmwareChosenBlind, wrongBlobLength } from './shared';
import { vmTypeRefused } from '../messages';
import { src, UEFI_NEEDS_ACPI } from '../sources';
import { DEFAULT_POLICY, SPLIT_IRQCHIP, uefiEdits } from '../edits';
import { technology, tdxReportUntrusted } from '../technologies';
import {
  firmwareDescriptorRecord,
  firmwareRequestsRecord,
  hasElementFor,
  hostSupportRecord,
  is,
  kernelSecureBootRecord,
  noSmmRecords,
  pflashRecords,
  technologyRecords,
} from './technology-records';
import { unknown } from '../verdict';
import { parseLaunchSecurityPolicy, setBits } from '../../contracts/launch-security-policy';

/**
 * TD attribute bits (the TDX <policy>): DEBUG (0) and SEPT_VE_DISABLE (28) are the only ones libvirt passes
 * (libvirt 12.8 refuses others), and KVM supports SEPT_VE_DISABLE alone (arch/x86/kvm/vmx/tdx.c
 * KVM_SUPPORTED_TD_ATTRS), which QEMU checks before it creates the TD (target/i386/kvm/tdx.c
 * tdx_validate_attributes).
 */
const TDX_DEBUG = 1n;
const TDX_SEPT_VE_DISABLE = 1n << 28n;
/** The policy every TDX stack accepts (SEPT_VE_DISABLE alone, QEMU's default attributes): the plan's. */
const TDX_WORKING_POLICY = DEFAULT_POLICY.tdx!;

const tdxPolicy = (policy: string): bigint | null => (policy === 'unknown' ? null : parseLaunchSecurityPolicy(policy));

/** libvirt 12.8's own TDX checks, known from its QEMU driver's strings: TDX cannot be defined in the lab. */
/** The <cpu> modes for which libvirt gives QEMU no named CPU model: -cpu host and -cpu max. */
const CPUS_WITHOUT_MODEL: ReadonlySet<string> = new Set(['host-passthrough', 'maximum']);

/**
 * Buses whose drivers TDVF leaves out of a TD (edk2 OvmfPkg/IntelTdx/IntelTdxX64.fdf: in NCCFV, which a TD does not
 * load): virtio-scsi (VirtioScsiDxe, ScsiBus, ScsiDisk; no other SCSI controller has a driver at all) and USB.
 */
const TD_UNBOOTABLE_BUSES: ReadonlySet<string> = new Set(['scsi', 'usb']);

const LIBVIRT_12_8_STRINGS = src('LAB', "the message in libvirt 12.8's QEMU driver (its strings; TDX cannot be defined in the lab)");

const SET_WORKING_POLICY = {
  text: `Write <policy>${TDX_WORKING_POLICY}</policy> (SEPT_VE_DISABLE only).`,
  edits: () => [{ op: 'set-text' as const, target: '/domain/launchSecurity/policy', text: TDX_WORKING_POLICY }],
};

/** TDX's measurement digests (SHA-384, 48 bytes), in libvirt's element names. */
const TDX_DIGESTS: readonly (readonly [string, number])[] = [
  ['mrConfigId', 48],
  ['mrOwner', 48],
  ['mrOwnerConfig', 48],
];
const wrongTdxDigest = (c: DomainContext) => wrongBlobLength(c, TDX_DIGESTS);

/** A TD's TSC frequency QEMU refuses (kHz, as QEMU counts it), and whether it is at least in range. */
function tdxTscFault(c: DomainContext): { readonly khz: number; readonly inRange: boolean } | null {
  const hz = c.input.domain.tscFrequencyHz;
  if (typeof hz !== 'number') return null;
  const khz = Math.floor(hz / 1000);
  const inRange = khz >= 100_000 && khz <= 10_000_000;
  return inRange && khz % 25_000 === 0 ? null : { khz, inRange };
}

export const TDX_RULES: readonly RuleRecord<'domain'>[] = [
  ...technologyRecords(technology('tdx')),
  {
    key: 'R-TDX-01/digest-length',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'error',
    when: [is('tdx'), (c) => wrongTdxDigest(c) !== null],
    title: (c) => {
      const w = wrongTdxDigest(c)!;
      return `<${w.name}> holds ${w.got} bytes; TDX takes a SHA-384 digest of 48`;
    },
    explanation:
      "libvirt passes <mrConfigId>, <mrOwner> and <mrOwnerConfig> to QEMU as written; QEMU decodes their base64 and refuses to create the TD unless each is a 48-byte SHA-384 digest (target/i386/kvm/tdx.c tdx_pre_create_vcpu; the message is in QEMU 11.1's strings). A digest written as hex (96 characters) is read as base64: 72 bytes.",
    messages: ["TDX 'mrconfigid' sha384 digest was 72 bytes, expected 48 bytes"],
    messagesFor: (c) => {
      const w = wrongTdxDigest(c)!;
      return [`TDX '${w.name.toLowerCase()}' sha384 digest was ${w.got} bytes, expected 48 bytes`];
    },
    fix: { text: 'Write the digest as base64 of its 48 bytes (e.g. xxd -r -p of the hex, then base64 -w0), or leave the element out.' },
    sources: [src('QEMU-TDX', 'tdx_pre_create_vcpu: "TDX \'%s\' sha384 digest was %ld bytes, expected %d bytes"')],
  },
  {
    key: 'R-TDX-01/tsc-frequency',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'error',
    when: [is('tdx'), (c) => tdxTscFault(c) !== null],
    title: (c) => `A TD's TSC runs in steps of 25 MHz from 100 MHz to 10 GHz; <timer name='tsc'> asks for ${tdxTscFault(c)!.khz} kHz`,
    explanation:
      "libvirt hands <clock><timer name='tsc' frequency=…> (Hz) to QEMU as tsc-frequency. The TDX module derives a TD's TSC from the 25 MHz core crystal clock, so QEMU refuses to create the TD unless the frequency is a multiple of 25 MHz between 100 MHz and 10 GHz (target/i386/kvm/tdx.c tdx_pre_create_vcpu; both messages are in QEMU 11.1's strings; KVM checks the same).",
    messages: ['Invalid TSC 2345678 KHz, it must be multiple of 25MHz'],
    messagesFor: (c) => {
      const f = tdxTscFault(c)!;
      return [
        f.inRange
          ? `Invalid TSC ${f.khz} KHz, it must be multiple of 25MHz`
          : `Invalid TSC ${f.khz} KHz, must specify cpu_frequency between [100000, 10000000] kHz`,
      ];
    },
    fix: {
      text: "Give the tsc timer a frequency that is a multiple of 25 MHz (e.g. 2500000000), or leave the frequency out to keep the host's.",
    },
    sources: [
      src('QEMU-TDX', 'tdx_pre_create_vcpu: TDX_MIN/MAX_TSC_FREQUENCY_KHZ, multiple of 25MHz'),
      src('LNX-KVMTDX', 'setup_tdparams: tsc_frequency in units of 25 MHz'),
    ],
  },
  {
    key: 'R-TDX-01/phys-bits',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'warning',
    when: [
      is('tdx'),
      (c) => {
        const m = c.input.domain.maxPhysAddr;
        return m !== null && (m.mode === 'emulate' || (m.mode === 'passthrough' && m.limit !== 'absent'));
      },
    ],
    title: (c) => {
      const m = c.input.domain.maxPhysAddr!;
      return m.mode === 'emulate'
        ? `<maxphysaddr mode='emulate' bits='${String(m.bits)}'>: a TD starts only if that is the host's physical address width`
        : `<maxphysaddr mode='passthrough' limit='${String(m.limit)}'>: a TD starts only if the limit is not below the host's physical address width`;
    },
    explanation:
      "libvirt hands <maxphysaddr> to QEMU as phys-bits (emulate) or host-phys-bits with host-phys-bits-limit (passthrough). A TD's CPU must report exactly the host's physical address width, so QEMU refuses any other (target/i386/kvm/tdx.c tdx_check_features; the message is in QEMU 11.1's strings). The host's width is not known here (/proc/cpuinfo 'address sizes' on the host); without <maxphysaddr>, host-passthrough already reports the host's.",
    messages: ['TDX requires guest CPU physical bits (46) to match host CPU physical bits (52)'],
    fix: { text: "Remove <maxphysaddr> (host-passthrough then passes the host's width), or make it the host's exactly." },
    sources: [src('QEMU-TDX', 'tdx_check_features: "TDX requires guest CPU physical bits (%u) to match host CPU physical bits (%u)"')],
  },
  hostSupportRecord(
    'R-TDX-01',
    ['tdx'],
    'whether the host supports TDX (virsh domcapabilities, /sys/module/kvm_intel/parameters/tdx)',
    [vmTypeRefused('tdx')],
    'TDX needs a TDX-enabled BIOS with the TDX module loaded and a host kernel with KVM TDX support (6.16); /sys/module/kvm_intel/parameters/tdx reads Y.',
    [
      src('QEMU-TDXDOC', 'host requirements'),
      src('LV-NEWS', 'v11.10.0: TDX launch security type was incorrectly reported on all platforms'),
      src('QEMU-KVM-X86', 'kvm_get_vm_type: "vm-type %s not supported by KVM" (TDX from 10.1)'),
    ],
    (c) =>
      tdxReportUntrusted(c.input.host)
        ? `${c.libvirt.kind === 'exact' ? `libvirt ${formatVersion(c.libvirt.version)}` : 'A libvirt not known to be 11.10.0 or later'} may report TDX in its domain capabilities whenever QEMU has it built in, also on hosts that cannot run it (11.6 to 11.9 do; fixed in 11.10.0); without /sys/module/kvm_intel/parameters/tdx reading Y that report is not evidence.`
        : '',
  ),
  ...noSmmRecords(
    'tdx',
    'R-TDX-01',
    ["TDX VM doesn't support SMM", 'Intel TDX launch security is not supported with SMM enabled'],
    src('QEMU-TDX', 'tdx_kvm_init: SMM auto becomes off, on is refused'),
  ),
  ...pflashRecords('tdx', 'R-TDX-01'),
  {
    key: 'R-TDX-01/policy-bits',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'error',
    // Only the domain's own TDX policy: a plan from another technology writes a new element with the default one.
    when: [is('tdx'), hasElementFor, (c) => ((tdxPolicy(c.input.domain.launchSecurity.policy) ?? 0n) & ~TDX_SEPT_VE_DISABLE) !== 0n],
    title: (c) => {
      const bits = setBits((tdxPolicy(c.input.domain.launchSecurity.policy) ?? 0n) & ~TDX_SEPT_VE_DISABLE);
      const named = bits.map((b) => (b === 0 ? '0 (DEBUG)' : String(b)));
      return `The TDX <policy> ${String(c.input.domain.launchSecurity.policy)} sets bit${bits.length > 1 ? 's' : ''} ${named.join(', ')}, which the TD cannot have`;
    },
    explanation:
      "The TDX <policy> is the TD's attributes: libvirt hands it to QEMU's tdx-guest object as attributes (its test data: <policy>0x10000000</policy> becomes \"attributes\":268435456). libvirt 12.8's message says it passes only DEBUG (bit 0) and SEPT_VE_DISABLE (bit 28); KVM supports SEPT_VE_DISABLE alone, so QEMU refuses DEBUG as well when it creates the TD: an off-TD debuggable TD needs KVM support that upstream Linux does not have. libvirt's documentation showed 0x10000001 (DEBUG on) as its example until a patch changed it to 0x10000000. (Read in libvirt 12.8's strings, KVM's and QEMU's source; not tried on TDX hardware.)",
    messages: [
      'Only bit0(debug) and bit28(sept-ve-disable) are supported intel TDX launch security policy',
      'Invalid attributes 0x<policy> for TDX VM (KVM supported: 0x<supported>)',
    ],
    fix: SET_WORKING_POLICY,
    sources: [
      LIBVIRT_12_8_STRINGS,
      src('LV-TESTS', 'qemuxmlconfdata launch-security-tdx: policy passed as tdx-guest attributes'),
      src('LNX-KVMTDX', 'KVM_SUPPORTED_TD_ATTRS (TDX_TD_ATTR_SEPT_VE_DISABLE)'),
      src('QEMU-TDX', 'tdx_validate_attributes: Invalid attributes ... for TDX VM (KVM supported: ...)'),
      src('LV-TDXPOLICY', 'formatdomain: the TDX policy example changed from 0x10000001 to 0x10000000 (patch)'),
    ],
  },
  {
    key: 'R-TDX-01/sept-ve',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'warning',
    when: [
      is('tdx'),
      hasElementFor,
      (c) => {
        const policy = tdxPolicy(c.input.domain.launchSecurity.policy);
        return policy !== null && (policy & (TDX_SEPT_VE_DISABLE | TDX_DEBUG)) === 0n;
      },
    ],
    title: (c) =>
      `The TDX <policy> ${String(c.input.domain.launchSecurity.policy)} leaves SEPT_VE_DISABLE (bit 28) clear: a Linux guest stops at boot`,
    explanation:
      "Linux cannot take a #VE exception on its own private memory, so a TDX guest checks at boot that SEPT_VE_DISABLE is set and, in a TD that is not a debug TD, stops with the message below (arch/x86/coco/tdx/tdx.c). Linux since a 2024 change (also sent to stable kernels) first tries to turn the #VE off itself, which works only where the TDX module lets the guest do it. Without a <policy>, QEMU's default attributes set the bit.",
    messages: ['TD misconfiguration: SEPT_VE_DISABLE attribute must be set.', 'TD misconfiguration: SEPT #VE has to be disabled'],
    fix: SET_WORKING_POLICY,
    sources: [
      src('LNX-TDXGUEST', 'tdx_setup / disable_sept_ve: TD misconfiguration'),
      src('QEMU-TDX', 'tdx_guest_init: attributes default to SEPT_VE_DISABLE'),
    ],
  },
  {
    key: 'R-TDX-01/irqchip',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'error',
    when: [is('tdx'), (c) => c.input.domain.ioapicDriver === 'kvm'],
    title: "Intel TDX needs the split irqchip, but <ioapic driver='kvm'/> asks for the in-kernel one",
    explanation:
      "A TD's I/O APIC must be emulated in QEMU (kernel_irqchip=split). QEMU picks split by itself when nothing is asked, and refuses the TD when the in-kernel irqchip is asked for, which libvirt does for <ioapic driver='kvm'/> (target/i386/kvm/tdx.c tdx_kvm_init); libvirt 12.8 has a refusal of its own for it (its message, read in its strings; not seen, so its exact condition is not known).",
    messages: ['TDX VM requires kernel_irqchip to be split', 'Intel TDX launch security needs split kernel irqchip'],
    fix: {
      text: "Set <ioapic driver='qemu'/> in <features> (or remove the <ioapic> element).",
      edits: () => [SPLIT_IRQCHIP],
    },
    sources: [src('QEMU-TDX', 'tdx_kvm_init: TDX VM requires kernel_irqchip to be split'), LIBVIRT_12_8_STRINGS],
  },
  {
    key: 'R-TDX-01/cpu-model',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'error',
    when: [is('tdx'), (c) => !CPUS_WITHOUT_MODEL.has(String(c.input.domain.cpuMode))],
    title: (c) => {
      const mode = c.input.domain.cpuMode;
      if (mode === 'absent')
        return "Intel TDX needs <cpu mode='host-passthrough'/>: without <cpu> libvirt gives QEMU a named CPU model (qemu64)";
      if (mode === 'host-model') return "Intel TDX needs <cpu mode='host-passthrough'/>: libvirt turns host-model into a named CPU model";
      return `Intel TDX needs <cpu mode='host-passthrough'/>: <cpu mode='${String(mode)}'> gives QEMU a named CPU model`;
    },
    explanation:
      "QEMU builds a TD's CPU only from the host's (-cpu host, or max): a named CPU model (qemu64, Skylake-Server …) makes it exit (target/i386/kvm/tdx.c tdx_cpu_instance_init, in every QEMU with TDX, 10.1 on; the message is in QEMU 11.1's binary). libvirt passes a named model for mode='custom', for host-model (which it expands to the nearest named model and its features), and without <cpu> (QEMU's default, qemu64, which libvirt writes into the domain: seen on all three lab generations for TCG domains); only host-passthrough and maximum pass none. Source only: TDX cannot launch here.",
    messages: ['Named cpu model is not supported for TDX yet!'],
    fix: {
      text: (c) =>
        c.input.domain.cpuMode === 'absent'
          ? "Add <cpu mode='host-passthrough'/>."
          : "Use <cpu mode='host-passthrough'/> (its <model> goes; topology and features may stay).",
      general: "Use <cpu mode='host-passthrough'/>.",
      // Only where there is no <cpu> to lose: a model the user chose is theirs to give up.
      edits: (c) =>
        c.input.domain.cpuMode === 'absent' ? [{ op: 'add-element', parent: '/domain', xml: "<cpu mode='host-passthrough'/>" }] : [],
    },
    sources: [
      src('QEMU-TDX', 'tdx_cpu_instance_init: Named cpu model is not supported for TDX yet'),
      src('LV-TESTS', 'launch-security-tdx.x86_64-latest+inteltdx.args: -cpu qemu64 for a TD without <cpu>'),
    ],
  },
  {
    key: 'R-TDX-01/hyperv',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'warning',
    when: [is('tdx'), (c) => c.input.domain.hyperv],
    title: 'Hyper-V enlightenments cannot work in a TD, but this domain asks for them',
    explanation:
      "libvirt and QEMU accept <hyperv> features (and the hypervclock timer) for a TD and advertise them to the guest, but KVM emulates none of the Hyper-V MSRs for a TD and hands the TD's hypercalls to its own handler, not the Hyper-V one (Linux 7.2.8 arch/x86/kvm/vmx/tdx.c: tdx_has_emulated_msr, tdx_emulate_vmcall). A guest that uses them gets errors where it expects Hyper-V's services. Read in the sources; not tried: no TDX hardware here.",
    fix: {
      text: 'Remove <hyperv> from <features> (and a hypervclock <timer>).',
      edits: () => [{ op: 'remove-element', target: '/domain/features/hyperv' }],
    },
    sources: [src('LNX-KVMTDX', 'tdx_has_emulated_msr: no Hyper-V MSRs; tdx_emulate_vmcall: __kvm_emulate_hypercall')],
  },
  {
    key: 'R-TDX-01/pmu',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'error',
    when: [is('tdx'), (c) => c.input.domain.pmu === 'on'],
    title: "Intel TDX cannot give the guest a PMU, but <pmu state='on'/> asks for one",
    explanation:
      "QEMU exposes a PMU to a TD with the PERFMON attribute (bit 63), which it adds when the CPU's pmu property is on, and KVM supports no TD attribute but SEPT_VE_DISABLE, so QEMU refuses the TD (target/i386/kvm/tdx.c setup_td_guest_attributes, tdx_validate_attributes; arch/x86/kvm/vmx/tdx.c); libvirt 12.8 has a refusal of its own for it (its message, read in its strings; not seen, so its exact condition is not known). What QEMU does when <pmu> is absent depends on the CPU model and is not judged here.",
    messages: [
      'Intel TDX launch security is not supported with PMU enabled',
      'Invalid attributes 0x<attributes> for TDX VM (KVM supported: 0x<supported>)',
    ],
    fix: {
      text: "Set <pmu state='off'/> in <features>.",
      edits: () => [{ op: 'set-attribute', target: '/domain/features/pmu', name: 'state', value: 'off' }],
    },
    sources: [
      src('QEMU-TDX', 'setup_td_guest_attributes: PERFMON from enable_pmu; tdx_validate_attributes'),
      src('LNX-KVMTDX', 'KVM_SUPPORTED_TD_ATTRS (TDX_TD_ATTR_SEPT_VE_DISABLE)'),
      LIBVIRT_12_8_STRINGS,
    ],
  },
  {
    key: 'R-TDX-01/firmware',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'error',
    when: [
      is('tdx'),
      (c) => !firmwareChosenBlind(c),
      (c) => (c.input.domain.firmware.kind === 'unknown' ? unknown('the firmware') : c.input.domain.firmware.kind === 'bios'),
    ],
    title: 'Intel TDX needs its UEFI firmware (TDVF, an OVMF build); this domain boots with BIOS',
    explanation:
      "A TD boots only with TDVF, the TDX build of OVMF, loaded with -bios; SeaBIOS cannot start it. libvirt 11.6 and later pick a firmware whose descriptor says intel-tdx for <os firmware='efi'> (Debian's ovmf ships OVMF.inteltdx.fd mapped to memory). An OS installed under BIOS has no EFI System Partition or UEFI boot loader: under UEFI it does not start until one is added (a converted disk, or a reinstall); a kernel given with <os><kernel> is not affected.",
    fix: {
      text: "Use <os firmware='efi'> and let libvirt pick the TDX firmware, with <acpi/> in <features>, without which libvirt refuses UEFI on x86.",
      edits: (c) => (c.input.domain.firmware.loaderType === 'unknown' ? uefiEdits(c.input.domain) : []),
    },
    sources: [src('QEMU-TDXDOC', 'TDVF via -bios'), UEFI_NEEDS_ACPI],
  },
  {
    key: 'R-TDX-01/boot-device',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'error',
    when: [
      is('tdx'),
      (c) => !c.input.domain.directKernelBoot,
      (c) => c.input.domain.bootDevices.length > 0 && c.input.domain.bootDevices.every((d) => TD_UNBOOTABLE_BUSES.has(d.bus)),
    ],
    title: (c) => {
      const devices = c.input.domain.bootDevices;
      const named = devices.map((d) => `${d.label} (${d.bus})`).join(', ');
      return `Intel TDX firmware cannot boot from ${named}: it has no ${devices.some((d) => d.bus === 'usb') ? 'SCSI or USB' : 'SCSI'} drivers in a TD`;
    },
    explanation:
      "TDVF, the TDX build of OVMF, puts its drivers in two firmware volumes and loads only one of them in a TD: virtio-blk, SATA and NVMe disks and a kernel given with <os><kernel> are in it; virtio-scsi and every other SCSI controller, USB storage and virtio-fs are not (edk2 OvmfPkg/IntelTdx: the NCCFV volume is left out in a TD). Seen in Debian's TDVF (ovmf-inteltdx, edk2 2026.08): VirtioScsiDxe, ScsiBus, ScsiDisk and UsbMassStorageDxe sit only in the volume a TD does not load. The firmware boots only what libvirt lists for it: the devices with <boot order>, or for <os><boot dev='hd'/> (the default) the first disk in libvirt's disk order (grouped by bus, so not always the first one written). When none of them is reachable, the TD stops in the firmware. Not tried on TDX hardware: this machine cannot start a TD.",
    messages: ['BdsDxe: No bootable option or device was found.'],
    fix: {
      text: "Boot from a virtio disk (<target dev='vda' bus='virtio'/>) or a SATA one (bus='sata'), or give the kernel with <os><kernel> (and a <shim>, R-TDX-01/kernel-secure-boot). Moving the disk renames it in the guest (sda becomes vda): mount by UUID or label first.",
      edits: () => [],
    },
    sources: [
      src('EDK2-TDVF', 'DXEFV (loaded in a TD) and NCCFV (not): VirtioScsiDxe, ScsiBusDxe, ScsiDiskDxe, UsbMassStorageDxe in NCCFV'),
      src('EDK2-TDVF-README', 'when launching a TD guest, only drivers in DXEFV are loaded'),
      src('LV-PROCESS', 'qemuProcessPrepareDeviceBootorder: <os><boot dev> to the first disk, cdrom or interface'),
      src(
        'LAB',
        "Debian sid's OVMF.inteltdx.ms.fd opened with UEFIExtract; libvirt's bootindex read with virsh domxml-to-native on 9.0, 11.3 and 12.8",
      ),
    ],
  },
  kernelSecureBootRecord('tdx', 'R-TDX-01'),
  firmwareRequestsRecord('tdx', 'R-TDX-01'),
  firmwareDescriptorRecord('tdx', 'R-TDX-01'),
];
