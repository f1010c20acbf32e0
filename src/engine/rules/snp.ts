/**
 * AMD SEV-SNP (R-SNP-*): host support, firmware, and virtiofs, which no virtiofsd can serve in a confidential VM.
 */
import type { DomainContext, RuleRecord } from '../rule-types';
import { refusesBackendWithoutBit, wrongBlobLength } from './shared';
import { isConfidential } from '../context';
import { guestRefusal, vmTypeRefused } from '../messages';
import { src } from '../sources';
import { MSG_BACKEND_NO_IOMMU, secureName } from '../words';
import { snpReportUnconfirmed, technology } from '../technologies';
import {
  amdSevFirmwareRecord,
  asksSecureBoot,
  firmwareDescriptorRecord,
  firmwareRequestsRecord,
  hasElementFor,
  is,
  technologyRecords,
  hostSupportRecord,
  noSmmRecords,
  pflashRecords,
} from './technology-records';
import { unknown } from '../verdict';
import { parseLaunchSecurityPolicy, setBits } from '../../contracts/launch-security-policy';

/**
 * SEV-SNP guest policy bits KVM decides on (arch/x86/kvm/svm/sev.c): bit 17 must be set; bit 18 (MIGRATE_MA) and
 * bits 26 and up are never in KVM_SNP_POLICY_MASK_VALID. Bits 21–25 (CXL_ALLOW … PAGE_SWAP_DISABLE) are valid on
 * newer kernels when the firmware supports them, so they are not judged here.
 */
const SNP_RESERVED_MBO = 1n << 17n;

/** A domain that leaves its firmware to libvirt and asks it for Secure Boot (asksSecureBoot). */
function snpAsksSecureBoot(c: DomainContext): boolean {
  const fw = c.input.domain.firmware;
  return fw.kind === 'efi' && fw.loaderPath === 'absent' && asksSecureBoot(c);
}
const SNP_REFUSED = (1n << 18n) | (~0n << 26n);

/** What is wrong with an SNP policy as written, in words; empty when nothing is, or when it is not a number. */
function snpPolicyFaults(policy: string): string[] {
  const value = policy === 'unknown' ? null : parseLaunchSecurityPolicy(policy);
  if (value === null) return [];
  const faults: string[] = [];
  if ((value & SNP_RESERVED_MBO) === 0n) faults.push('bit 17 (reserved, must be set) is clear');
  const refused = value & SNP_REFUSED & ((1n << 64n) - 1n);
  if (refused !== 0n) {
    const bits = setBits(refused);
    faults.push(`KVM refuses bit${bits.length > 1 ? 's' : ''} ${bits.join(', ')}`);
  }
  return faults;
}

/** The policy with bit 17 set and the refused bits cleared, written like libvirt's examples (0x00030000). */
function fixedSnpPolicy(policy: string): string {
  const value = parseLaunchSecurityPolicy(policy) ?? 0n;
  const fixed = (value | SNP_RESERVED_MBO) & ~SNP_REFUSED & ((1n << 64n) - 1n);
  return `0x${fixed.toString(16).padStart(8, '0')}`;
}

/**
 * The SNP values libvirt checks by their decoded length (domain_validate.c virDomainDefLaunchSecurityValidate,
 * libvirt 11.3; the message is in 12.8's strings too): base64 of exactly these many bytes.
 */
const SNP_BLOB_BYTES: readonly (readonly [string, number])[] = [
  ['guestVisibleWorkarounds', 16],
  ['idBlock', 96],
  ['idAuth', 4096],
  ['hostData', 32],
];

const wrongSnpBlob = (c: DomainContext) => wrongBlobLength(c, SNP_BLOB_BYTES);

export const SNP_RULES: readonly RuleRecord<'domain'>[] = [
  ...technologyRecords(technology('sev-snp')),
  {
    key: 'R-SNP-01/blob-length',
    id: 'R-SNP-01',
    scope: 'domain',
    severity: 'error',
    when: [is('sev-snp'), (c) => wrongSnpBlob(c) !== null],
    title: (c) => {
      const w = wrongSnpBlob(c)!;
      return `<${w.name}> holds ${w.got} bytes; SEV-SNP takes exactly ${w.expected}`;
    },
    explanation:
      'libvirt decodes the base64 of <guestVisibleWorkarounds> (16 bytes), <idBlock> (96), <idAuth> (4096) and <hostData> (32) and refuses the domain at define when one has another length (domain_validate.c); QEMU checks the same lengths behind it. A value written as hex is read as base64 too: 64 hex characters are 48 bytes.',
    messages: ["Unexpected length of 'idBlock', expected 96 got 64"],
    messagesFor: (c) => {
      const w = wrongSnpBlob(c)!;
      return [`Unexpected length of '${w.name}', expected ${w.expected} got ${w.got}`];
    },
    fix: { text: 'Write the value as base64 of exactly that many bytes (e.g. base64 -w0 of the binary file), or leave the element out.' },
    sources: [
      src('LV-VALIDATE', 'virDomainDefLaunchSecurityValidate: CHECK_BASE64_LEN (16, 96, 4096, 32)'),
      src('QEMU-SEV', 'sev_snp_guest_set_id_block and the other setters: "parameter length of %lu not equal to %u"'),
    ],
  },
  hostSupportRecord(
    'R-SNP-02',
    ['sev-snp'],
    "whether the host's KVM runs SEV-SNP guests (/sys/module/kvm_amd/parameters/sev_snp)",
    ['SNP: IOMMU is disabled or configured in passthrough mode, SNP cannot be supported', vmTypeRefused('sev-snp')],
    "SEV-SNP needs SNP-capable firmware, a host kernel with KVM SNP support (6.11) and the host IOMMU enabled and not in passthrough mode (no iommu=pt or amd_iommu=off on the host kernel command line). That host IOMMU has nothing to do with the guest's <driver iommu='on'/>. KVM runs SNP guests exactly when /sys/module/kvm_amd/parameters/sev_snp reads Y, which libvirt does not read: its domain capabilities list sev-snp whenever QEMU (9.1 or later) has it and SEV works, and on a host whose KVM lacks SNP QEMU stops as it creates the VM.",
    [
      src('AMDSEV', 'issues #88, #113: host IOMMU required'),
      src('LNX-KVMSEV', 'sev_set_cpu_caps: the SNP VM type only with sev_snp enabled'),
      src('LV-QEMUCAPS', 'virQEMUCapsFillDomainLaunchSecurity: sev-snp listed when QEMU has sev-snp-guest'),
      src('QEMU-KVM-X86', 'kvm_get_vm_type: "vm-type %s not supported by KVM"'),
    ],
    (c) =>
      snpReportUnconfirmed(c.input.host)
        ? 'Domain capabilities list sev-snp, which libvirt does without asking KVM; /sys/module/kvm_amd/parameters/sev_snp was not read, so that report alone is not evidence.'
        : '',
  ),
  ...noSmmRecords(
    'sev-snp',
    'R-SNP-01',
    ['SEV-SNP does not support SMM.'],
    src('QEMU-SEV', 'sev_snp_kvm_init: SMM auto becomes off, on is refused'),
  ),
  ...pflashRecords('sev-snp', 'R-SNP-01'),
  amdSevFirmwareRecord('sev-snp', 'R-SNP-01'),
  {
    key: 'R-SNP-01/secure-boot',
    id: 'R-SNP-01',
    scope: 'domain',
    severity: 'error',
    when: [is('sev-snp'), snpAsksSecureBoot],
    title: `libvirt finds no firmware for this ${secureName('sev-snp')} domain: it asks for Secure Boot, which needs SMM, which SEV-SNP cannot have`,
    explanation:
      "On x86 libvirt takes a Secure Boot firmware only as one that requires SMM (a descriptor listing secure-boot must list requires-smm, qemu_firmware.c qemuFirmwareSanityCheck), and none that requires SMM for a domain with <smm state='off'/> (qemuFirmwareMatchDomain), which SEV-SNP needs (QEMU refuses SMM for it). So <firmware><feature enabled='yes' name='secure-boot'/> (or enrolled-keys) and <loader secure='yes'> leave libvirt no firmware for a SEV-SNP domain, on any distribution: libvirt 11.3 and 12.8 refuse at define (seen by QA helper-33 with the Windows 11 domain virt-manager writes). The guest then runs without UEFI Secure Boot, which Windows 11 setup checks for; SEV-SNP's own measurement (the launch digest) is what attests its firmware.",
    messages: ["Unable to find 'efi' firmware that is compatible with the current configuration"],
    fix: {
      text: "Remove the secure-boot and enrolled-keys requests from <os><firmware> and secure='yes' from <loader>.",
      edits: (c) => {
        const fw = c.input.domain.firmware;
        return [
          ...(fw.keysRequested ? [{ op: 'remove-element', target: '/domain/os/firmware' } as const] : []),
          ...(fw.loaderSecure === 'on' ? [{ op: 'remove-attribute', target: '/domain/os/loader', name: 'secure' } as const] : []),
        ];
      },
    },
    sources: [
      src('LV-FIRMWARE', 'qemuFirmwareSanityCheck: secure-boot goes with requires-smm; qemuFirmwareMatchDomain: SMM off rules those out'),
      src('QEMU-SEV', 'sev_snp_kvm_init: SMM auto becomes off, on is refused'),
    ],
  },
  firmwareRequestsRecord('sev-snp', 'R-SNP-01'),
  firmwareDescriptorRecord('sev-snp', 'R-SNP-01'),
  {
    key: 'R-SNP-01/vfio',
    id: 'R-SNP-01',
    scope: 'domain',
    severity: 'warning',
    whenUnknown: 'skip',
    when: [
      is('sev-snp'),
      (c) => c.input.domain.vfioDeviceCount > 0,
      (c) =>
        c.qemu.kind === 'unknown'
          ? unknown('the QEMU version')
          : c.qemu.kind === 'exact' && c.qemu.version.major === 9 && c.qemu.version.minor === 1,
    ],
    title: 'QEMU 9.1 breaks device passthrough in SEV-SNP guests (fixed in 9.2)',
    explanation:
      'QEMU 9.1, the first release with SEV-SNP, has a regression with passed-through (VFIO) devices in SNP guests; 9.2 fixed it ("Fixed regression when passing through devices in SEV-SNP guests", as quoted in kubevirt #16407; QEMU release notes not read).',
    fix: { text: 'Use QEMU 9.2 or later for SEV-SNP guests with <hostdev> devices.' },
    sources: [src('KUBEVIRT', 'kubevirt/kubevirt#16407 quoting QEMU 9.2 release notes (secondary)')],
  },
  {
    key: 'R-SNP-01/policy-bits',
    id: 'R-SNP-01',
    scope: 'domain',
    severity: 'error',
    // Only the domain's own SNP policy: a plan from another technology writes a new element with the default one.
    when: [is('sev-snp'), hasElementFor, (c) => snpPolicyFaults(c.input.domain.launchSecurity.policy).length > 0],
    title: (c) =>
      `The SEV-SNP <policy> ${String(c.input.domain.launchSecurity.policy)} cannot launch: ${snpPolicyFaults(c.input.domain.launchSecurity.policy).join('; ')}`,
    explanation:
      "libvirt hands the policy to QEMU unchecked, and KVM checks it when QEMU starts the launch (arch/x86/kvm/svm/sev.c, snp_launch_start): bit 17 is reserved and must be set (the SEV-SNP firmware ABI's guest policy), and KVM refuses bits it does not know, among them bit 18 (MIGRATE_MA: KVM has no migration agent) and every bit above 25. QEMU then reports KVM's EINVAL and exits. QEMU's own default, and the plan's, is 0x30000 (SMT allowed, bit 17 set); the fix keeps the other bits as written, so a policy without bit 16 (SMT allowed) still needs a host with SMT off, which the firmware checks (not judged here). (Read in KVM's and QEMU's source; not tried on SNP hardware.)",
    messages: ["sev_snp_launch_start: SNP_LAUNCH_START ret=-22 fw_error=0 ''"],
    fix: {
      text: (c) => `Write <policy>${fixedSnpPolicy(c.input.domain.launchSecurity.policy)}</policy>.`,
      general: 'Set bit 17 and clear the bits KVM refuses.',
      edits: (c) => [
        { op: 'set-text', target: '/domain/launchSecurity/policy', text: fixedSnpPolicy(c.input.domain.launchSecurity.policy) },
      ],
    },
    sources: [
      src(
        'LNX-KVMSEV',
        'snp_launch_start: policy bits outside KVM_SNP_POLICY_MASK_VALID, or without SNP_POLICY_MASK_RSVD_MBO, are -EINVAL',
      ),
      src('QEMU-SEV', "sev_snp_launch_start: SNP_LAUNCH_START ret=%d fw_error=%d '%s'; DEFAULT_SEV_SNP_POLICY 0x30000"),
    ],
  },
];

export const SNP_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-SNP-03',
    id: 'R-SNP-03',
    scope: 'device',
    severity: 'error',
    when: [isConfidential, (c) => c.device.function === 'fs' && c.device.fsDriver === 'virtiofs'],
    title: (c) => `${c.device.label}: virtiofs cannot serve an ${secureName(c.cvm)} guest`,
    detail: (c) => {
      const refused = refusesBackendWithoutBit(c);
      if (refused === true)
        return "iommu_platform is on for vhost-user-fs (QEMU's confidential default or written), virtiofsd does not offer the bit, and QEMU refuses to plug the device.";
      if (refused === false)
        return 'virtiofsd does not offer the bit; QEMU plugs the device anyway here, and the guest refuses it or cannot use it.';
      return `virtiofsd does not offer the bit: QEMU refuses to plug the device, or plugs it and the guest refuses it; which depends on ${refused.unknown.join(' and ')}.`;
    },
    explanation:
      "A confidential guest needs every virtio device to offer ACCESS_PLATFORM, and for vhost-user-fs the external virtiofsd decides the features. Neither QEMU 7.2's C virtiofsd nor the Rust virtiofsd offers it: starting a domain with <driver type='virtiofs' iommu='on'/> on virtio-pci fails with QEMU's message below (seen with QEMU 7.2 + its virtiofsd and QEMU 10.0 + virtiofsd 1.13.2 through libvirt, no vIOMMU). The same failure is reported for SEV-SNP (AMDSEV #269, QEMU 10.0) and TDX (2022).",
    messages: [MSG_BACKEND_NO_IOMMU, 'virtiofs virtio<N>: device must provide VIRTIO_F_ACCESS_PLATFORM'],
    messagesFor: (c) => {
      const refused = refusesBackendWithoutBit(c);
      const guest = guestRefusal(c, 'device must provide VIRTIO_F_ACCESS_PLATFORM');
      return refused === true ? [MSG_BACKEND_NO_IOMMU] : refused === false ? guest : [MSG_BACKEND_NO_IOMMU, ...guest];
    },
    fix: {
      text: 'Remove the virtiofs <filesystem> from this confidential guest and share files another way (e.g. a disk image or the network); nothing in the XML makes virtiofsd offer the bit.',
    },
    sources: [
      src('QEMU-VBUS', 'virtio_bus_device_plugged: iommu_platform=true is not supported by the device'),
      src('AMDSEV', 'issue #269 SNP and vhost-user-fs-pci'),
      src('LAB', 'define + start --paused with virtiofsd on QEMU 7.2 and 10.0'),
    ],
  },
];
