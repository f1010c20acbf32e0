/** Every rule record, in the order findings are reported within one target. */
import type { AnyRule, RuleRecord } from '../rule-types';
import { ACCESS_PLATFORM_RULES } from './access-platform';
import { CONFIDENTIAL_DEVICE_RULES, CONFIDENTIAL_RULES } from './confidential';
import { BACKEND_RULES, GUEST_RULES, SWIOTLB_RULES, VIOMMU_RULES } from './guest-and-backends';
import { TRANSPORT_RULES } from './transports';

export const DOMAIN_RULES: readonly RuleRecord<'domain'>[] = [...CONFIDENTIAL_RULES, ...SWIOTLB_RULES, ...VIOMMU_RULES];

export const DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  ...ACCESS_PLATFORM_RULES,
  ...TRANSPORT_RULES,
  ...CONFIDENTIAL_DEVICE_RULES,
  ...GUEST_RULES,
  ...BACKEND_RULES,
];

export const RULES: readonly AnyRule[] = [...DOMAIN_RULES, ...DEVICE_RULES];
