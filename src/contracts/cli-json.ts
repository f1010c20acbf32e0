/**
 * The JSON printed by `virtio-access check --json` and `plan --json` (design.md, "The CLI contract").
 * Users' scripts parse it, so the shape only grows; the validators let tests and consumers check it.
 */
import * as v from 'valibot';
import type { Edit, Finding } from './findings';
import type { SwiotlbReport } from './swiotlb';

/**
 * One finding as printed: the contract's keys, `fix` as the Fix object, plus (an extension) the exact messages a
 * user would see and the unknown facts a warning depends on, when there are any.
 */
export type CheckJsonFinding = Pick<
  Finding,
  'rule' | 'severity' | 'target' | 'title' | 'explanation' | 'fix' | 'sources' | 'messages' | 'unknowns'
>;

/**
 * One checked document. `domain` is its `<name>`, null when it has none. `swiotlb` (an extension): the guest's
 * bounce-buffer pool and the swiotlb= that covers its virtio I/O, present only when that I/O bounces.
 */
export interface CheckJsonFile {
  readonly file: string;
  readonly domain: string | null;
  readonly findings: readonly CheckJsonFinding[];
  readonly swiotlb?: SwiotlbReport;
}

/** `check --json` output. */
export interface CheckJson {
  readonly files: readonly CheckJsonFile[];
}

/**
 * `plan --json` output: the edits, the findings of the planned domain's input, and the whole new XML; `swiotlb` as
 * in `check --json`, for the planned domain.
 */
export interface PlanJson {
  readonly file: string;
  readonly domain: string | null;
  readonly edits: readonly Edit[];
  readonly findings: readonly CheckJsonFinding[];
  readonly xml: string;
  readonly swiotlb?: SwiotlbReport;
}

const SourceSchema = v.object({ key: v.string(), detail: v.string(), url: v.optional(v.string()) });
const EditSchema = v.variant('op', [
  v.strictObject({ op: v.literal('set-attribute'), target: v.string(), name: v.string(), value: v.string() }),
  v.strictObject({ op: v.literal('remove-attribute'), target: v.string(), name: v.string() }),
  v.strictObject({ op: v.literal('add-element'), parent: v.string(), xml: v.string(), replace: v.optional(v.boolean()) }),
  v.strictObject({ op: v.literal('remove-element'), target: v.string() }),
  v.strictObject({ op: v.literal('set-text'), target: v.string(), text: v.string() }),
]);
const FindingSchema = v.strictObject({
  rule: v.string(),
  severity: v.picklist(['error', 'warning', 'info']),
  target: v.pipe(v.string(), v.startsWith('/')),
  title: v.string(),
  explanation: v.string(),
  fix: v.strictObject({ text: v.string(), edits: v.array(EditSchema) }),
  sources: v.array(SourceSchema),
  messages: v.optional(v.array(v.string())),
  unknowns: v.optional(v.array(v.string())),
});

const MiB = v.pipe(v.number(), v.minValue(0));
/** Validates a SWIOTLB report (src/contracts/swiotlb.ts). */
export const SwiotlbReportSchema = v.strictObject({
  defaultMiB: MiB,
  currentMiB: MiB,
  peakMiB: MiB,
  recommendedMiB: MiB,
  parameter: v.nullable(v.pipe(v.string(), v.startsWith('swiotlb='))),
  costMiB: MiB,
  where: v.picklist(['os-cmdline', 'boot-loader']),
  edits: v.array(EditSchema),
  devices: v.array(v.strictObject({ target: v.pipe(v.string(), v.startsWith('/')), label: v.string(), peakMiB: MiB, basis: v.string() })),
  assumptions: v.array(v.string()),
  sources: v.array(SourceSchema),
});

/** Validates `check --json` output. */
export const CheckJsonSchema = v.strictObject({
  files: v.array(
    v.strictObject({
      file: v.string(),
      domain: v.nullable(v.string()),
      findings: v.array(FindingSchema),
      swiotlb: v.optional(SwiotlbReportSchema),
    }),
  ),
});

/** Validates `plan --json` output. */
export const PlanJsonSchema = v.strictObject({
  file: v.string(),
  domain: v.nullable(v.string()),
  edits: v.array(EditSchema),
  findings: v.array(FindingSchema),
  xml: v.string(),
  swiotlb: v.optional(SwiotlbReportSchema),
});

/** Narrows a finding to the printed keys. */
export function toCheckJsonFinding(f: Finding): CheckJsonFinding {
  return {
    rule: f.rule,
    severity: f.severity,
    target: f.target,
    title: f.title,
    explanation: f.explanation,
    fix: f.fix,
    sources: f.sources,
    ...(f.messages && f.messages.length > 0 ? { messages: f.messages } : {}),
    ...(f.unknowns && f.unknowns.length > 0 ? { unknowns: f.unknowns } : {}),
  };
}

/** The optional `"swiotlb"` key of a file: present only when the domain's virtio I/O bounces. */
export function swiotlbJson(report: SwiotlbReport | null): { readonly swiotlb?: SwiotlbReport } {
  return report ? { swiotlb: report } : {};
}

/** True when `value` has the `check --json` shape. */
export function isCheckJson(value: unknown): value is CheckJson {
  return v.is(CheckJsonSchema, value);
}

/** True when `value` has the `plan --json` shape. */
export function isPlanJson(value: unknown): value is PlanJson {
  return v.is(PlanJsonSchema, value);
}
