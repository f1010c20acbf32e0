/**
 * Arm CCA (R-CCA-*).
 */
import type { RuleRecord } from '../rule-types';
import { src } from '../sources';

import { is } from './technology-records';

export const CCA_RULES: readonly RuleRecord<'domain'>[] = [
  {
    key: 'R-CCA-01',
    id: 'R-CCA-01',
    scope: 'domain',
    severity: 'error',
    when: [is('cca')],
    title: 'Arm CCA Realms are not supported by libvirt or upstream QEMU',
    explanation:
      "No libvirt <launchSecurity> type exists for Arm CCA: libvirt 12.8 knows sev, sev-snp, s390-pv and tdx (the strings of the version lab's newest libvirt). Whether upstream QEMU has a Realm object is unconfirmed (a KVM-only object cannot show in an x86 host's qemu-system-aarch64). When they arrive the same rule will hold: every virtio device needs ACCESS_PLATFORM.",
    fix: { text: 'Choose no confidential VM technology for this guest for now.' },
    sources: [src('LV-FMT', 'Launch Security (no CCA type)'), src('LAB', "libvirt 12.8's launch security types (its strings)")],
  },
];
