/**
 * Intel TDX (R-TDX-*).
 */
import type { RuleRecord } from '../rule-types';
import { src } from '../sources';

import { technology } from '../technologies';
import { is, technologyRecords, hostSupportRecord } from './technology-records';

export const TDX_RULES: readonly RuleRecord<'domain'>[] = [
  ...technologyRecords(technology('tdx')),
  hostSupportRecord(
    'R-TDX-01',
    ['tdx'],
    (c) => c.input.host.tdx,
    'whether the host supports TDX (virsh domcapabilities)',
    [],
    'TDX needs a TDX-enabled BIOS and a host kernel with KVM TDX support (6.16); /sys/module/kvm_intel/parameters/tdx reads Y.',
    [src('QEMU-TDXDOC', 'host requirements')],
  ),
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
];
