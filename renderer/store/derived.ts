/**
 * Everything the views show that follows from the state: the domain's facts (with the user's model choices
 * applied), the engine's findings and plan, the planned XML and its diff against the loaded text. Computed by
 * the engine from the current choices and memoised on them.
 */
import { useMemo } from 'react';
import type { EngineInput } from '../../src/contracts/engine';
import type { DomainFacts } from '../../src/contracts/facts';
import type { Finding, Plan } from '../../src/contracts/findings';
import { applyEdits, EditError, parseDomainXml, readDomainFacts, unifiedDiff, XmlInputError } from '../../src/domain-xml';
import { evaluate, planFor, setVirtioModel } from '../../src/engine';
import { useWizard } from './context';
import type { WizardState } from './store';

export type Derived =
  | { readonly ok: false; readonly problem: string }
  | {
      readonly ok: true;
      readonly facts: DomainFacts;
      readonly input: EngineInput;
      readonly findings: readonly Finding[];
      readonly plan: Plan;
      readonly planned: string;
      readonly diff: string;
      /** Findings the domain would still have after the plan (what Apply would leave). */
      readonly remaining: readonly Finding[];
      /** The facts of the planned XML (of the domain as chosen when a hand edit is not well-formed). */
      readonly plannedFacts: DomainFacts;
      /** The user edited the planned XML by hand: `planned` is their text, `remaining` is judged on it. */
      readonly manual: boolean;
      /** Why the hand-edited XML cannot be used (not well-formed), if so; Apply is then refused. */
      readonly manualProblem: string | null;
    };

export function derive(
  s: Pick<WizardState, 'text' | 'host' | 'guest' | 'secure' | 'migration' | 'backends' | 'models' | 'manualXml'>,
): Derived {
  try {
    return deriveOrThrow(s);
  } catch (e) {
    // An edit the engine planned that cannot be applied is a bug; the page says so instead of going blank.
    if (e instanceof EditError)
      return {
        ok: false,
        problem: `The plan could not be applied to this XML (${e.message}). This is a bug in Virtio Access Wizard; please report it with the domain XML.`,
      };
    throw e;
  }
}

function deriveOrThrow(s: Parameters<typeof derive>[0]): Derived {
  if (!s.text) return { ok: false, problem: 'No domain is loaded yet.' };
  let loaded: DomainFacts;
  try {
    loaded = readDomainFacts(parseDomainXml(s.text, 'domain.xml'));
  } catch (e) {
    if (e instanceof XmlInputError) return { ok: false, problem: e.message };
    throw e;
  }
  // The user's own choices (Platform step) come first; the engine judges and plans the domain as chosen.
  const chosen = Object.entries(s.models).flatMap(([target, model]) => {
    const d = loaded.devices.find((x) => x.target === target);
    return d && d.virtioModel !== model ? setVirtioModel(d, model) : [];
  });
  const base = chosen.length > 0 ? applyEdits(s.text, chosen) : s.text;
  const facts = chosen.length > 0 ? readDomainFacts(parseDomainXml(base)) : loaded;
  const input: EngineInput = {
    domain: facts,
    host: s.host,
    guest: s.guest,
    goals: { secure: s.secure, migration: s.migration, backends: s.backends },
  };
  const findings = evaluate(input);
  const plan = planFor(input);
  const planned = plan.impossible.length === 0 ? applyEdits(base, plan.edits) : base;
  // What a text leaves once written: its facts, and its findings with the goal reached (PEF has no element).
  const judge = (text: string) => {
    const domain = readDomainFacts(parseDomainXml(text, 'your XML'));
    return {
      plannedFacts: domain,
      remaining: evaluate({ ...input, domain, goals: { ...input.goals, secure: s.secure === 'pef' ? 'pef' : 'keep' } }),
    };
  };
  const diff = (to: string) => unifiedDiff(s.text, to, { fromLabel: 'current', toLabel: 'planned' });
  const common = { ok: true as const, facts, input, findings, plan };
  if (s.manualXml !== null) {
    try {
      return { ...common, ...judge(s.manualXml), planned: s.manualXml, diff: diff(s.manualXml), manual: true, manualProblem: null };
    } catch (e) {
      if (!(e instanceof XmlInputError)) throw e;
      return {
        ...common,
        plannedFacts: facts,
        remaining: [],
        planned: s.manualXml,
        diff: diff(s.manualXml),
        manual: true,
        manualProblem: e.message,
      };
    }
  }
  const after = planned === s.text ? { plannedFacts: facts, remaining: findings } : judge(planned);
  return { ...common, ...after, planned, diff: diff(planned), manual: false, manualProblem: null };
}

export function useDerived(): Derived {
  const text = useWizard((s) => s.text);
  const host = useWizard((s) => s.host);
  const guest = useWizard((s) => s.guest);
  const secure = useWizard((s) => s.secure);
  const migration = useWizard((s) => s.migration);
  const backends = useWizard((s) => s.backends);
  const models = useWizard((s) => s.models);
  const manualXml = useWizard((s) => s.manualXml);
  return useMemo(
    () => derive({ text, host, guest, secure, migration, backends, models, manualXml }),
    [text, host, guest, secure, migration, backends, models, manualXml],
  );
}
