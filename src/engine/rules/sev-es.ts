/**
 * AMD SEV-ES (R-SEVES-*).
 */
import type { RuleRecord } from '../rule-types';
import { src } from '../sources';

import { technology } from '../technologies';
import { amdSevFirmwareRecord, firmwareDescriptorRecord, firmwareRequestsRecord, is, technologyRecords } from './technology-records';

export const SEV_ES_RULES: readonly RuleRecord<'domain'>[] = [
  ...technologyRecords(technology('sev-es')),
  amdSevFirmwareRecord('sev-es', 'R-SEVES-01'),
  firmwareRequestsRecord('sev-es', 'R-SEVES-01'),
  firmwareDescriptorRecord('sev-es', 'R-SEVES-01'),
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
];
