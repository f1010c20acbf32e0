/**
 * Everything the views show that follows from the state: the domain's facts (with the user's model choices
 * applied), the engine's findings and plan, the planned XML and its diff against the loaded text, and what the
 * plan leaves. Computed by the one pipeline (src/pipeline/plan-document.ts) the CLI uses too, memoised once per
 * store on its inputs: a step change, or any state the pipeline does not read, recomputes nothing.
 */
import { EditError, XmlInputError } from '../../src/domain-xml';
import { lastOf } from '../../src/last-result';
import { planDocument, readDocument, type DocumentPlan, type ReadDocument } from '../../src/pipeline/plan-document';
import { useWizard, useWizardStore } from './context';
import type { WizardState, WizardStore } from './store';

export type Derived = { readonly ok: false; readonly problem: string } | ({ readonly ok: true } & DocumentPlan);

/** The state the pipeline reads. */
export type DeriveInputs = Pick<WizardState, 'text' | 'host' | 'guest' | 'secure' | 'migration' | 'backends' | 'models' | 'manualXml'>;

type Read = { readonly ok: false; readonly problem: string } | { readonly ok: true; readonly doc: ReadDocument };

/** Whether two sets of model choices choose the same models for the same devices. */
function sameChoices(a: DeriveInputs['models'], b: DeriveInputs['models']): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/**
 * The choices last seen when `models` has the same entries, so equal choices in a new object (a reset to `{}`,
 * a choice set back to what it was) do not parse and read the domain again.
 */
function canonicalChoices(): (models: DeriveInputs['models']) => DeriveInputs['models'] {
  let last: DeriveInputs['models'] | null = null;
  return (models) => (last !== null && sameChoices(last, models) ? last : (last = models));
}

/** A derivation memoised in two stages: parsing and model choices on (text, models by content), the rest on the others. */
export function createDerive(): (s: DeriveInputs) => Derived {
  const choices = canonicalChoices();
  const read = lastOf((text: string, models: DeriveInputs['models']): Read => {
    if (!text) return { ok: false, problem: 'No domain is loaded yet.' };
    try {
      return { ok: true, doc: readDocument(text, { fileName: 'domain.xml', models }) };
    } catch (e) {
      if (e instanceof XmlInputError) return { ok: false, problem: e.message };
      if (e instanceof EditError) return { ok: false, problem: bug(e) };
      throw e;
    }
  });
  const plan = lastOf(
    (
      r: Read,
      host: DeriveInputs['host'],
      guest: DeriveInputs['guest'],
      secure: DeriveInputs['secure'],
      migration: DeriveInputs['migration'],
      backends: DeriveInputs['backends'],
      manualXml: DeriveInputs['manualXml'],
    ): Derived => {
      if (!r.ok) return r;
      try {
        return { ok: true, ...planDocument(r.doc, { host, guest, goals: { secure, migration, backends } }, { manualXml }) };
      } catch (e) {
        if (e instanceof EditError) return { ok: false, problem: bug(e) };
        throw e;
      }
    },
  );
  return (s) => plan(read(s.text, choices(s.models)), s.host, s.guest, s.secure, s.migration, s.backends, s.manualXml);
}

/** An edit the engine planned that cannot be applied is a bug; the page says so instead of going blank. */
function bug(e: EditError): string {
  return `The plan could not be applied to this XML (${e.message}). This is a bug in Virtio Access Wizard; please report it with the domain XML.`;
}

/** The derivation of any state, without memoisation across calls (tests, one-off reads). */
export function derive(s: DeriveInputs): Derived {
  return createDerive()(s);
}

/** Each store's one memoised derivation (a store per app, one per test): every view that calls useDerived shares it. */
const perStore = new WeakMap<WizardStore, (s: DeriveInputs) => Derived>();

export function useDerived(): Derived {
  const store = useWizardStore();
  let select = perStore.get(store);
  if (!select) {
    select = createDerive();
    perStore.set(store, select);
  }
  return useWizard(select);
}
