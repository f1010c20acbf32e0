/**
 * IBM POWER PEF (R-PEF-*).
 */
import type { RuleRecord } from '../rule-types';
import { commandlineObject } from '../context';
import { src } from '../sources';
import { technology } from '../technologies';
import { is, technologyRecords } from './technology-records';

export const PEF_RULES: readonly RuleRecord<'domain'>[] = [
  ...technologyRecords(technology('pef')),
  {
    key: 'R-PEF-01/object',
    id: 'R-PEF-01',
    scope: 'domain',
    severity: 'info',
    when: [is('pef')],
    title: (c) => {
      const o = commandlineObject(c);
      return o
        ? `POWER PEF comes from <qemu:commandline> (-object pef-guest,id=${o.id}): libvirt has no <launchSecurity> type for it`
        : 'POWER PEF has no libvirt <launchSecurity> type';
    },
    explanation:
      "QEMU 6.0 added the pef-guest object (-object pef-guest,id=pef0 -machine confidential-guest-support=pef0), but no libvirt element creates it; <qemu:commandline> is the way to give it to QEMU, whose confidential-VM default then turns ACCESS_PLATFORM on. The guest decides at boot whether to become secure, so every virtio device must offer ACCESS_PLATFORM whatever the host does: the plan writes iommu='on' on each.",
    fix: { text: "Write iommu='on' on every virtio device (the plan does)." },
    sources: [src('QEMU-PEF', 'pef-guest object')],
  },
];
