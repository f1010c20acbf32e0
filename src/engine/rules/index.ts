/**
 * Every rule record, in the order findings are reported within one target. Each file holds the records of one
 * fact-sheet id prefix (R-SEV-* in sev.ts, R-XML-* in xml.ts …); RULE_FILES says which, and a test holds it.
 */
import type { AnyRule, RuleRecord } from '../rule-types';
import { BACKEND_DEVICE_RULES } from './backends';
import { CC_DOMAIN_RULES, CC_RULES } from './cc';
import { CCA_RULES } from './cca';
import { LINUX_DEVICE_RULES, LINUX_RULES } from './linux';
import { PEF_RULES } from './pef';
import { QEMU_DEVICE_RULES, QEMU_RULES } from './qemu';
import { PV_DEVICE_RULES, PV_RULES } from './s390-pv';
import { SEV_DEVICE_RULES, SEV_RULES } from './sev';
import { SEV_ES_RULES } from './sev-es';
import { SNP_DEVICE_RULES, SNP_RULES } from './snp';
import { SPEC_DEVICE_RULES } from './spec';
import { TDX_RULES } from './tdx';
import { TRANSPORT_DEVICE_RULES } from './transports';
import { VIOMMU_DEVICE_RULES, VIOMMU_RULES } from './viommu';
import { WINDOWS_DEVICE_RULES, WINDOWS_RULES } from './windows';
import { XML_DEVICE_RULES, XML_RULES } from './xml';

/** Each rule file and the fact-sheet id prefix all its records carry. */
export const RULE_FILES: readonly { readonly file: string; readonly prefix: string; readonly records: readonly AnyRule[] }[] = [
  { file: 'sev.ts', prefix: 'R-SEV-', records: [...SEV_RULES, ...SEV_DEVICE_RULES] },
  { file: 'sev-es.ts', prefix: 'R-SEVES-', records: SEV_ES_RULES },
  { file: 'snp.ts', prefix: 'R-SNP-', records: [...SNP_RULES, ...SNP_DEVICE_RULES] },
  { file: 'tdx.ts', prefix: 'R-TDX-', records: TDX_RULES },
  { file: 's390-pv.ts', prefix: 'R-PV-', records: [...PV_RULES, ...PV_DEVICE_RULES] },
  { file: 'pef.ts', prefix: 'R-PEF-', records: PEF_RULES },
  { file: 'cca.ts', prefix: 'R-CCA-', records: CCA_RULES },
  { file: 'cc.ts', prefix: 'R-CC-', records: [...CC_DOMAIN_RULES, ...CC_RULES] },
  { file: 'windows.ts', prefix: 'R-WIN-', records: [...WINDOWS_RULES, ...WINDOWS_DEVICE_RULES] },
  { file: 'viommu.ts', prefix: 'R-VIOMMU-', records: [...VIOMMU_RULES, ...VIOMMU_DEVICE_RULES] },
  { file: 'linux.ts', prefix: 'R-LNX-', records: [...LINUX_RULES, ...LINUX_DEVICE_RULES] },
  { file: 'spec.ts', prefix: 'R-SPEC-', records: SPEC_DEVICE_RULES },
  { file: 'qemu.ts', prefix: 'R-QEMU-', records: [...QEMU_RULES, ...QEMU_DEVICE_RULES] },
  { file: 'xml.ts', prefix: 'R-XML-', records: [...XML_RULES, ...XML_DEVICE_RULES] },
  { file: 'backends.ts', prefix: 'R-BE-', records: BACKEND_DEVICE_RULES },
  { file: 'transports.ts', prefix: 'R-TRN-', records: TRANSPORT_DEVICE_RULES },
];

export const DOMAIN_RULES: readonly RuleRecord<'domain'>[] = [
  ...XML_RULES,
  ...QEMU_RULES,
  ...CC_DOMAIN_RULES,
  ...SEV_RULES,
  ...SEV_ES_RULES,
  ...SNP_RULES,
  ...TDX_RULES,
  ...PV_RULES,
  ...PEF_RULES,
  ...CCA_RULES,
  ...WINDOWS_RULES,
  ...VIOMMU_RULES,
  ...LINUX_RULES,
];

export const DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  ...SEV_DEVICE_RULES.slice(0, 1),
  ...PV_DEVICE_RULES.slice(0, 1),
  ...CC_RULES,
  ...QEMU_DEVICE_RULES,
  ...XML_DEVICE_RULES,
  ...TRANSPORT_DEVICE_RULES,
  ...PV_DEVICE_RULES.slice(1),
  ...LINUX_DEVICE_RULES,
  ...SEV_DEVICE_RULES.slice(1),
  ...SPEC_DEVICE_RULES,
  ...WINDOWS_DEVICE_RULES,
  ...SNP_DEVICE_RULES,
  ...BACKEND_DEVICE_RULES,
  ...VIOMMU_DEVICE_RULES,
];

export const RULES: readonly AnyRule[] = [...DOMAIN_RULES, ...DEVICE_RULES];
