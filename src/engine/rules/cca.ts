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
      'No libvirt <launchSecurity> type and no upstream QEMU confidential-guest object exist for Arm CCA (unconfirmed negative search). When they arrive the same rule will hold: every virtio device needs ACCESS_PLATFORM.',
    fix: { text: 'Choose no confidential VM technology for this guest for now.' },
    sources: [src('LV-FMT', 'Launch Security (no CCA type)')],
  },
];
