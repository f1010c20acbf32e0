/** `virtio-access explain RULE_ID`: a rule's title, its checks, fixes and sources, in plain words. */
import type { Severity, Source } from '../contracts/findings';
import { SHEET_RULES } from './coverage';
import { RULES } from './rules';
import { TECHNOLOGIES } from './technologies';

export interface RuleExplanation {
  readonly id: string;
  readonly title: string;
  /** Why the engine does not evaluate it, for sheet rules that are background knowledge. */
  readonly notDecidable?: string;
  readonly evaluatedBy?: string;
  /** For a confidential VM technology: what no domain XML can do (firmware, host kernel, BIOS settings). */
  readonly hostJobs?: readonly string[];
  readonly checks: readonly {
    readonly key: string;
    readonly severity: Severity;
    readonly title: string;
    readonly explanation: string;
    readonly messages: readonly string[];
    readonly fix: string;
    readonly sources: readonly Source[];
  }[];
}

/** Generic wording of a record's title/fix when they are written for a specific device or domain. */
function generic(t: string | ((c: never) => string), fallback: string): string {
  return typeof t === 'string' ? t : fallback;
}

export function explainRule(id: string): RuleExplanation | null {
  const wanted = id.trim().toUpperCase();
  const sheet = SHEET_RULES.find((r) => r.id === wanted);
  if (!sheet) return null;
  const checks = RULES.filter((r) => r.id === wanted).map((r) => ({
    key: r.key,
    severity: r.severity,
    title: generic(r.title, sheet.title),
    explanation: r.explanation,
    messages: r.messages ?? [],
    fix: r.fix.general ?? generic(r.fix.text, 'See the finding for this device.'),
    sources: r.sources,
  }));
  const hostJobs = TECHNOLOGIES.find((t) => t.ruleId === sheet.id)?.hostJobs;
  return {
    id: sheet.id,
    title: sheet.title,
    ...(sheet.notDecidable ? { notDecidable: sheet.notDecidable } : {}),
    ...(sheet.evaluatedBy ? { evaluatedBy: sheet.evaluatedBy } : {}),
    ...(hostJobs && hostJobs.length > 0 ? { hostJobs } : {}),
    checks,
  };
}

export function ruleIds(): readonly string[] {
  return SHEET_RULES.map((r) => r.id);
}
