/**
 * Intel TDX (R-TDX-*): host support (with libvirt 11.6–11.9's false report), SMM, firmware.
 */
import type { RuleRecord } from '../rule-types';
import { src, UEFI_NEEDS_ACPI } from '../sources';
import { uefiEdits } from '../edits';
import { technology, tdxReportUntrusted } from '../technologies';
import { hostSupportRecord, is, noSmmRecords, pflashRecords, technologyRecords } from './technology-records';
import { unknown } from '../verdict';

export const TDX_RULES: readonly RuleRecord<'domain'>[] = [
  ...technologyRecords(technology('tdx')),
  hostSupportRecord(
    'R-TDX-01',
    ['tdx'],
    'whether the host supports TDX (virsh domcapabilities, /sys/module/kvm_intel/parameters/tdx)',
    [],
    'TDX needs a TDX-enabled BIOS with the TDX module loaded and a host kernel with KVM TDX support (6.16); /sys/module/kvm_intel/parameters/tdx reads Y.',
    [
      src('QEMU-TDXDOC', 'host requirements'),
      src('LV-NEWS', 'v11.10.0: TDX launch security type was incorrectly reported on all platforms'),
    ],
    (c) =>
      tdxReportUntrusted(c.input.host)
        ? `libvirt ${c.input.host.libvirtVersion.kind === 'exact' ? `${c.input.host.libvirtVersion.version.major}.${c.input.host.libvirtVersion.version.minor}` : ''} reports TDX in its domain capabilities whenever QEMU has it built in, also on hosts that cannot run it (fixed in 11.10.0); without /sys/module/kvm_intel/parameters/tdx reading Y that report is not evidence.`
        : '',
  ),
  ...noSmmRecords('tdx', 'R-TDX-01', "TDX VM doesn't support SMM", src('QEMU-TDX', 'tdx_kvm_init: SMM auto becomes off, on is refused')),
  ...pflashRecords('tdx', 'R-TDX-01'),
  {
    key: 'R-TDX-01/firmware',
    id: 'R-TDX-01',
    scope: 'domain',
    severity: 'error',
    when: [
      is('tdx'),
      (c) => (c.input.domain.firmware.kind === 'unknown' ? unknown('the firmware') : c.input.domain.firmware.kind === 'bios'),
    ],
    title: 'Intel TDX needs its UEFI firmware (TDVF, an OVMF build); this domain boots with BIOS',
    explanation:
      "A TD boots only with TDVF, the TDX build of OVMF, loaded with -bios; SeaBIOS cannot start it. libvirt 11.6 and later pick a firmware whose descriptor says intel-tdx for <os firmware='efi'> (Debian's ovmf ships OVMF.inteltdx.fd mapped to memory).",
    fix: {
      text: "Use <os firmware='efi'> and let libvirt pick the TDX firmware, with <acpi/> in <features>, without which libvirt refuses UEFI on x86.",
      edits: (c) => (c.input.domain.firmware.loaderType === 'unknown' ? uefiEdits(c.input.domain) : []),
    },
    sources: [src('QEMU-TDXDOC', 'TDVF via -bios'), UEFI_NEEDS_ACPI],
  },
];
