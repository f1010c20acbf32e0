/**
 * The one interpreter: evaluates every rule record against an input and turns the ones that apply into
 * findings. A condition that cannot be decided turns an error into a warning that names the deciding facts.
 */
import type { EngineInput } from '../contracts/engine';
import type { Finding } from '../contracts/findings';
import { deviceContext, devicesAsChosen, domainContext } from './context';
import type { AnyRule, ContextOf, RuleRecord, Scope } from './rule-types';
import { DEVICE_RULES, DOMAIN_RULES } from './rules';
import { isUnknown } from './verdict';

function text<S extends Scope>(t: string | ((c: ContextOf<S>) => string), c: ContextOf<S>): string {
  return typeof t === 'string' ? t : t(c);
}

/**
 * Whether a rule applies, and the facts it could not decide. Conditions run in order and stop at the first
 * that fails, so later ones may rely on earlier ones. null: it does not apply (or is skipped when unknown).
 */
function decide<S extends Scope>(
  rule: RuleRecord<S>,
  c: ContextOf<S>,
): { readonly unknowns: readonly string[]; readonly severity: Finding['severity'] } | null {
  // The conditions' `and`, inline: this runs for every rule and device, as an indexed loop since a one-shot CLI
  // run stays on V8's baseline tier, where for-of costs an iterator per call.
  let facts: string[] | null = null;
  const when = rule.when;
  for (let i = 0; i < when.length; i++) {
    const v = when[i]!(c);
    if (v === false) return null;
    if (isUnknown(v)) (facts ??= []).push(...v.unknown);
  }
  const unknowns = facts ? [...new Set(facts)] : [];
  if (unknowns.length > 0 && rule.whenUnknown === 'skip') return null;
  return { unknowns, severity: unknowns.length > 0 && rule.severity === 'error' ? 'warning' : rule.severity };
}

/**
 * `a` and `b` on lines of their own, an empty or absent one left out. Joined with `+`, not an array's join: V8
 * then keeps a reference to the rule's explanation (hundreds of characters) instead of copying it into each of
 * the thousands of findings a big domain has, which made the collector a third of an evaluation.
 */
function joinLines(a: string | undefined, b: string | undefined): string {
  if (!a) return b || '';
  return b ? a + '\n' + b : a;
}

function apply<S extends Scope>(rule: RuleRecord<S>, c: ContextOf<S>, target: string): Finding | null {
  const decision = decide(rule, c);
  if (!decision) return null;
  const { unknowns, severity } = decision;
  const detail = rule.detail?.(c);
  const decided =
    unknowns.length > 0
      ? `Whether this applies depends on ${unknowns.join(' and ')}, which ${unknowns.length > 1 ? 'are' : 'is'} not known here.`
      : '';
  const messages = rule.messagesFor ? rule.messagesFor(c) : (rule.messages ?? []);
  const finding: { -readonly [K in keyof Finding]: Finding[K] } = {
    rule: rule.id,
    severity,
    target,
    title: text(rule.title, c),
    explanation: joinLines(joinLines(decided, detail), rule.explanation),
    fix: { text: text(rule.fix.text, c), edits: rule.fix.edits?.(c) ?? [] },
    sources: rule.sources,
  };
  // Set only when there are some, as before; assigned rather than spread from a literal, which made two
  // objects per finding for nothing (a big domain's evaluation makes thousands of findings).
  if (messages.length > 0) finding.messages = messages;
  if (unknowns.length > 0) finding.unknowns = unknowns;
  return finding;
}

/**
 * Each record's first condition, by the record's position (records put their most selective plain yes-or-no test
 * first: most rules apply to few devices, and a first condition that holds costs an apply and a decide): the loops below test it for every rule and device.
 * Read from the records themselves, `rule.when` is a lookup in V8's megamorphic cache each time (the records are
 * object literals of a dozen shapes, as their optional fields are written or not); from these arrays, one indexed read.
 */
const FIRST_DOMAIN_CONDITION = DOMAIN_RULES.map((rule) => rule.when[0]);
const FIRST_DEVICE_CONDITION = DEVICE_RULES.map((rule) => rule.when[0]);

export interface RuleHit {
  readonly rule: AnyRule;
  readonly finding: Finding;
}

/** Every applicable rule with its finding; planFor needs the records (inPlan), evaluate only the findings. */
export function evaluateRules(input: EngineInput): RuleHit[] {
  const c = domainContext(input);
  const hits: RuleHit[] = [];
  // Indexed loops: these run for every device and rule, and for-of's iterator results were a megabyte of garbage
  // per evaluation of a 4,440-device domain (and, for the domain's rules, 0.9 MB over a check of the corpus).
  for (let r = 0; r < DOMAIN_RULES.length; r++) {
    // The rule's first condition, tested before the calls into apply and decide (which test it again; conditions
    // are pure): for most domains and rules it fails, and a one-shot CLI run on V8's baseline tier pays for every call.
    const first = FIRST_DOMAIN_CONDITION[r];
    if (first !== undefined && first(c) === false) continue;
    const rule = DOMAIN_RULES[r]!;
    const finding = apply(rule, c, '/domain');
    if (finding) hits.push({ rule, finding });
  }
  const devices = devicesAsChosen(input);
  for (let d = 0; d < devices.length; d++) {
    const device = devices[d]!;
    const dc = deviceContext(c, device);
    for (let r = 0; r < DEVICE_RULES.length; r++) {
      // As for the domain's rules.
      const first = FIRST_DEVICE_CONDITION[r];
      if (first !== undefined && first(dc) === false) continue;
      const rule = DEVICE_RULES[r]!;
      const finding = apply(rule, dc, device.target);
      if (finding) hits.push({ rule, finding });
    }
  }
  return hits;
}

/**
 * Whether evaluate(input) would have an error finding, without writing any finding's words: the same decisions,
 * stopping at the first error (for sweeps and audits that only count).
 */
export function hasError(input: EngineInput): boolean {
  const c = domainContext(input);
  if (DOMAIN_RULES.some((rule) => rule.severity === 'error' && decide(rule, c)?.severity === 'error')) return true;
  return devicesAsChosen(input).some((device) => {
    const dc = deviceContext(c, device);
    return DEVICE_RULES.some((rule) => rule.severity === 'error' && decide(rule, dc)?.severity === 'error');
  });
}

/** Findings for one input: deterministic, in rule order per target (domain first, then devices in document order). */
export function evaluate(input: EngineInput): Finding[] {
  return evaluateRules(input).map((h) => h.finding);
}
