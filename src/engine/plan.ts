/**
 * The plan for a goal: the fixes of every error (and of the records marked inPlan, which write out what
 * would otherwise rest on QEMU's defaults), deduplicated. An error whose fix has no edits makes the goal
 * impossible; the plan then carries those findings instead of edits.
 */
import type { EngineInput, EngineResult } from '../contracts/engine';
import type { Edit, Finding, Plan } from '../contracts/findings';
import { evaluateRules, type RuleHit } from './interpreter';

function goalEdits(input: EngineInput): Edit[] {
  // Making a confidential domain ordinary removes its launchSecurity; the rules add it for the other goals.
  if (input.goals.secure === 'none' && input.domain.launchSecurity.present)
    return [{ op: 'remove-element', target: '/domain/launchSecurity' }];
  return [];
}

export function planFor(input: EngineInput): Plan {
  return planFromHits(input, evaluateRules(input));
}

/** Findings and plan from one run of the rules (what `evaluate` and `planFor` give, at half the cost). */
export function evaluateAndPlan(input: EngineInput): EngineResult {
  const hits = evaluateRules(input);
  return { findings: hits.map((h) => h.finding), plan: planFromHits(input, hits) };
}

function planFromHits(input: EngineInput, hits: readonly RuleHit[]): Plan {
  const edits: Edit[] = goalEdits(input);
  const impossible: Finding[] = [];
  for (const { rule, finding } of hits) {
    const wanted = rule.severity === 'error' || rule.inPlan === true;
    if (!wanted) continue;
    if (finding.severity === 'error' && finding.fix.edits.length === 0) impossible.push(finding);
    edits.push(...finding.fix.edits);
  }
  if (impossible.length > 0) return { edits: [], impossible };
  const unique = withoutRepeats(edits);
  return { edits: [...unique.filter((e) => e.op !== 'remove-element'), ...removalsLast(unique)], impossible: [] };
}

/**
 * The edits without those whose JSON an earlier one has. Only edits on the same path can have the same JSON, and
 * most paths have one edit (a big domain's plan: one per device), so an edit's key (editKey) is written only when
 * its path comes again: keying all of them was a twentieth of a 20,000-line domain's recompute.
 */
export function withoutRepeats(edits: readonly Edit[]): Edit[] {
  // Per path: its first edit, until a second comes; then the keys of its edits so far.
  const byPath = new Map<string, Edit | Set<string>>();
  const unique: Edit[] = [];
  for (const e of edits) {
    const path = String(e.op === 'add-element' ? e.parent : e.target);
    const seen = byPath.get(path);
    if (seen === undefined) byPath.set(path, e);
    else {
      const keys = seen instanceof Set ? seen : new Set([editKey(seen)]);
      if (keys !== seen) byPath.set(path, keys);
      const key = editKey(e);
      if (keys.has(key)) continue;
      keys.add(key);
    }
    unique.push(e);
  }
  return unique;
}

/**
 * A key equal for two edits exactly when their JSON is: the JSON itself, except for the common set-attribute
 * written in the usual key order, whose key is its three strings, each but the last prefixed with its length
 * (a big domain's plan has one per device, and writing each as JSON was a fifth of planning it).
 */
export function editKey(e: Edit): string {
  if (e.op === 'set-attribute' && typeof e.target === 'string' && typeof e.name === 'string' && typeof e.value === 'string') {
    const keys = Object.keys(e);
    if (keys.length === 4 && keys[0] === 'op' && keys[1] === 'target' && keys[2] === 'name' && keys[3] === 'value')
      return `${e.target.length}:${e.target}${e.name.length}:${e.name}${e.value}`;
  }
  return JSON.stringify(e);
}

/**
 * Edits are applied one after another, so removals go last and from the highest index down: every other edit
 * and every later removal still finds its element at the index the facts gave it.
 */
function removalsLast(edits: readonly Edit[]): Edit[] {
  const index = (target: string): number => Number(/\[(\d+)\]$/.exec(target)?.[1] ?? 0);
  return edits
    .filter((e): e is Extract<Edit, { op: 'remove-element' }> => e.op === 'remove-element')
    .sort((a, b) => {
      const pa = a.target.replace(/\[\d+\]$/, '');
      const pb = b.target.replace(/\[\d+\]$/, '');
      return pa === pb ? index(b.target) - index(a.target) : pa.localeCompare(pb);
    });
}
