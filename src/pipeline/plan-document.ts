/**
 * The one pipeline from a domain XML text to what the wizard and every command show: parse, facts (with the
 * user's virtio model choices applied), the engine's findings and plan from one run of the rules, the planned
 * text and its diff, and what the planned text leaves. The wizard's store (renderer/store/derived.ts) and the
 * CLI's check, plan and compare commands all go through it, so the same inputs give the same findings everywhere.
 *
 * Three stages, because the CLI needs the facts before it knows the guest (osinfo lookup by the domain's id)
 * and `check` needs no plan applied: `readDocument` → `checkDocument` (`checkFacts` for facts alone) → `planDocument`.
 */
import type { EngineInput } from '../contracts/engine';
import type { DomainFacts, Goals, GuestFacts, HostFacts, VirtioModel } from '../contracts/facts';
import type { Finding, Plan } from '../contracts/findings';
import type { SwiotlbReport } from '../contracts/swiotlb';
import {
  applyEdits,
  applyEditsForReading,
  parseDomainXml,
  readDomainFacts,
  unifiedDiff,
  XmlInputError,
  type DomainDocument,
  type TextChange,
} from '../domain-xml';
import { evaluate, evaluateAndPlan, setVirtioModel, swiotlbReport } from '../engine';

/** Virtio models the user chose (Platform step), by device target; applied before the engine judges the domain. */
export type ModelChoices = Readonly<Record<string, VirtioModel>>;

/** A domain text, parsed once, with the user's model choices applied. */
export interface ReadDocument {
  /** The text as given (the diff is taken against it). */
  readonly text: string;
  /** The text with the model choices applied (`text` itself when there are none). */
  readonly chosenText: string;
  /** The facts of `chosenText`: the domain as the user chose it. */
  readonly facts: DomainFacts;
  /** The parse of `chosenText`, which the plan is applied to (parsing it again would cost as much as reading it). */
  readonly parsed: DomainDocument;
}

/** What the engine is told besides the domain. */
export interface DocumentContext {
  readonly host: HostFacts;
  readonly guest: GuestFacts;
  readonly goals: Goals;
}

/** A read document judged by the engine: its findings and the plan for the goals, from one run of the rules. */
export interface CheckedDocument extends ReadDocument {
  readonly input: EngineInput;
  readonly findings: readonly Finding[];
  readonly plan: Plan;
  /** The guest's bounce-buffer pool and the swiotlb= that covers it (R-LNX-03/04); null when no virtio I/O bounces. */
  readonly swiotlb: SwiotlbReport | null;
}

/** A checked document with its plan applied (or the user's hand edit in its place), and what that leaves. */
export interface DocumentPlan extends CheckedDocument {
  /** The text after the plan; `chosenText` when the goal is impossible; the hand-edited text when `manual`. */
  readonly planned: string;
  /** Unified diff from `text` to `planned` ('' when they are equal). */
  readonly diff: string;
  /** The facts of `planned` (of the domain as chosen when a hand edit is not well-formed). */
  readonly plannedFacts: DomainFacts;
  /**
   * Findings `planned` still has, judged with the goal reached (what Apply would leave); when the goal is
   * impossible, the findings besides `plan.impossible`, which are not repeated here.
   */
  readonly remaining: readonly Finding[];
  /** Findings of `findings` that `planned` no longer has (same rule on the same target). */
  readonly fixed: readonly Finding[];
  /** The SWIOTLB report of `planned` with the goal reached (null when none of its virtio I/O bounces). */
  readonly plannedSwiotlb: SwiotlbReport | null;
  /** The user edited the planned XML by hand: `planned` is their text, `remaining` is judged on it. */
  readonly manual: boolean;
  /** Why the hand-edited XML cannot be used (not well-formed), if so; it must then not be written. */
  readonly manualProblem: string | null;
}

export interface DiffLabels {
  readonly fromLabel: string;
  readonly toLabel: string;
}

/**
 * Parses `text` (throws `XmlInputError` naming `fileName`) and applies the model choices; the text is parsed
 * again only when a choice changed it.
 */
export function readDocument(
  text: string,
  options: { readonly fileName?: string; readonly models?: ModelChoices; readonly parsed?: DomainDocument } = {},
): ReadDocument {
  // A caller that already parsed `text` (check hands the same parse to xmllint's screening) passes it on.
  const parsed = options.parsed?.text === text ? options.parsed : parseDomainXml(text, options.fileName);
  const loaded = readDomainFacts(parsed);
  const chosen = Object.entries(options.models ?? {}).flatMap(([target, model]) => {
    const d = loaded.devices.find((x) => x.target === target);
    return d && d.virtioModel !== model ? setVirtioModel(d, model) : [];
  });
  if (chosen.length === 0) return { text, chosenText: text, facts: loaded, parsed };
  const chosenText = applyEdits(parsed, chosen);
  const chosenParsed = parseDomainXml(chosenText, options.fileName);
  return { text, chosenText, facts: readDomainFacts(chosenParsed), parsed: chosenParsed };
}

/** What the engine says of a domain's facts: its findings and plan for the goals, and its SWIOTLB report. */
export type FactsVerdict = Pick<CheckedDocument, 'input' | 'findings' | 'plan' | 'swiotlb'>;

/**
 * The engine's findings, plan and SWIOTLB report for facts already read: `checkDocument` without the document, for
 * a caller that keeps many documents' facts but not their parses (check reads every document before judging any).
 */
export function checkFacts(facts: DomainFacts, context: DocumentContext): FactsVerdict {
  const input: EngineInput = { domain: facts, host: context.host, guest: context.guest, goals: context.goals };
  return { input, ...evaluateAndPlan(input), swiotlb: swiotlbReport(input) };
}

/** The engine's findings and plan for the document as chosen. */
export function checkDocument(doc: ReadDocument, context: DocumentContext): CheckedDocument {
  return { ...doc, ...checkFacts(doc.facts, context) };
}

/**
 * Applies the plan (throws `EditError` when an edit cannot be applied, which is a bug) or takes the user's
 * hand-edited text instead, diffs it against the loaded text and judges what it leaves.
 */
export function planDocument(
  doc: ReadDocument,
  context: DocumentContext,
  options: { readonly manualXml?: string | null; readonly diffLabels?: DiffLabels } = {},
): DocumentPlan {
  const checked = checkDocument(doc, context);
  const labels = options.diffLabels ?? { fromLabel: 'current', toLabel: 'planned' };
  const diff = (to: string, changes?: readonly TextChange[] | null) => unifiedDiff(doc.text, to, labels, changes);
  // What a text leaves once written is judged with the goal reached (PEF has no element, so it stays a goal).
  const reached: Goals = { ...context.goals, secure: context.goals.secure === 'pef' ? 'pef' : 'keep' };
  const leaves = (plannedFacts: DomainFacts) => {
    const unchanged = plannedFacts === checked.facts && reached.secure === context.goals.secure;
    const plannedInput = unchanged ? checked.input : { ...checked.input, domain: plannedFacts, goals: reached };
    const remaining = unchanged ? checked.findings : evaluate(plannedInput);
    return { plannedFacts, remaining, fixed: fixedBy(checked.findings, remaining), plannedSwiotlb: swiotlbReport(plannedInput) };
  };
  const manualXml = options.manualXml ?? null;
  if (manualXml !== null) {
    let facts: DomainFacts;
    try {
      facts = readDomainFacts(parseDomainXml(manualXml, 'your XML'));
    } catch (e) {
      if (!(e instanceof XmlInputError)) throw e;
      const nothing = { plannedFacts: checked.facts, remaining: [], fixed: [], plannedSwiotlb: null };
      return { ...checked, ...nothing, planned: manualXml, diff: diff(manualXml), manual: true, manualProblem: e.message };
    }
    return { ...checked, ...leaves(facts), planned: manualXml, diff: diff(manualXml), manual: true, manualProblem: null };
  }
  // The plan's usual shape comes with a tree of its result to read, which saves parsing it (reading-tree.ts).
  const applied = checked.plan.impossible.length === 0 ? applyEditsForReading(doc.parsed, checked.plan.edits) : null;
  const planned = applied?.text ?? doc.chosenText;
  const plannedFacts =
    planned === doc.chosenText ? checked.facts : readDomainFacts(applied?.tree ?? parseDomainXml(planned, 'planned XML'));
  // Where the plan changed the text is known when it was applied to the loaded text itself (no model choices).
  const changes = doc.chosenText === doc.text ? applied?.changes : null;
  const left = leaves(plannedFacts);
  const remaining = applied ? left.remaining : withoutFindings(left.remaining, checked.plan.impossible);
  return { ...checked, ...left, remaining, planned, diff: diff(planned, changes), manual: false, manualProblem: null };
}

/** The findings `before` has that `after` has not, by rule and target. */
/** `findings` without those `drop` has (same rule, target and title). */
function withoutFindings(findings: readonly Finding[], drop: readonly Finding[]): readonly Finding[] {
  const key = (f: Finding) => `${f.rule} ${f.target} ${f.title}`;
  const dropped = new Set(drop.map(key));
  return dropped.size === 0 ? findings : findings.filter((f) => !dropped.has(key(f)));
}

function fixedBy(before: readonly Finding[], after: readonly Finding[]): Finding[] {
  const left = new Set(after.map((f) => `${f.rule} ${f.target}`));
  return before.filter((f) => !left.has(`${f.rule} ${f.target}`));
}
