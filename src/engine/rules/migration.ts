/**
 * Migration and guest ABI (R-MIG-*, domain-facts.md §2.9); R-MIG-01 compares two definitions in ../migration.ts.
 */
import type { RuleRecord } from '../rule-types';
import { SEV_FAMILY } from '../context';
import { setIommu } from '../edits';
import { src } from '../sources';

import { WHAT_IOMMU_DOES, iommuFixText } from '../words';

import { needsBit } from './cc';

export const MIGRATION_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-MIG-02',
    id: 'R-MIG-02',
    scope: 'device',
    severity: 'warning',
    whenUnknown: 'skip',
    inPlan: true,
    when: [needsBit, (c) => c.device.driver.iommu === 'absent', (c) => c.input.goals.migration === true, (c) => !SEV_FAMILY.has(c.cvm)],
    title: (c) => `${c.device.label}: an absent iommu attribute means different things on either side of QEMU 6.0`,
    detail: (c) =>
      `${c.device.label} has no iommu attribute and the domain is to migrate; the value then depends on the destination's QEMU, not on the XML.`,
    explanation: `${WHAT_IOMMU_DOES} QEMU has no machine-type compat property for iommu_platform: its confidential-VM default depends only on the QEMU version, so an absent attribute is off before 6.0 and on from 6.0. The feature is guest ABI (R-MIG-01).`,
    fix: {
      ...iommuFixText("Write iommu='on' explicitly.", 'migrate only between hosts with QEMU 6.0 or later, or remove the device.'),
      edits: (c) => setIommu(c.device, 'on', c.libvirt),
    },
    sources: [
      src('QEMU-MACHINE', 'hw_compat arrays have no iommu_platform entry'),
      src('THREAD-2020', 'Gibson on host-dependent defaults'),
    ],
  },
];
