/**
 * The steps in PatternFly's Wizard, driven by the store: the store's step is the truth (a load moves to Secure VM,
 * Troubleshoot's "Review the fix" to Review), the Wizard's navigation writes it back. The footer carries Back and
 * Next with their keyboard shortcuts (Alt+B, Alt+N); after every step change focus lands on the step's primary
 * action (the control marked data-primary-action), else its heading.
 */
import { Button, Spinner, Wizard, WizardFooterWrapper, WizardStep, useWizardContext } from '@patternfly/react-core';
import { Suspense, useEffect, useRef } from 'react';
import { useWizard, useWizardStore } from '../store/context';
import { isBusy, isLoaded } from '../store/selectors';
import { STEP_TITLES, STEPS, type StepId, type WizardStore } from '../store/store';
import { ApplyStep, BackendsStep, GuestStep, PlatformStep, ReviewStep, SecureStep } from './deferred-views';
import { StartStep } from './steps/start-step';

const VIEWS: Record<StepId, React.ComponentType> = {
  start: StartStep,
  secure: SecureStep.View,
  platform: PlatformStep.View,
  backends: BackendsStep.View,
  guest: GuestStep.View,
  review: ReviewStep.View,
  apply: ApplyStep.View,
};

/** Steps that mainly inform: going on is their primary action. */
const NEXT_IS_PRIMARY: ReadonlySet<StepId> = new Set(['platform', 'backends', 'guest', 'review']);

/** The step before and after `step` that can be reached now (none before a domain is loaded). */
function neighbours(step: StepId, loaded: boolean): { prev: StepId | null; next: StepId | null } {
  const i = STEPS.indexOf(step);
  return { prev: STEPS[i - 1] ?? null, next: loaded ? (STEPS[i + 1] ?? null) : null };
}

function move(store: WizardStore, direction: 'prev' | 'next'): void {
  const s = store.getState();
  if (s.busy || s.mode !== 'wizard') return;
  const target = neighbours(s.step, s.text !== '')[direction];
  if (target) s.go(target);
}

/** Alt+N and Alt+B anywhere in the wizard, as the footer buttons announce (aria-keyshortcuts). */
function useStepShortcuts(store: WizardStore): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const key = e.key.toLowerCase();
      if (key !== 'n' && key !== 'b' && e.code !== 'KeyN' && e.code !== 'KeyB') return;
      e.preventDefault();
      move(store, key === 'n' || e.code === 'KeyN' ? 'next' : 'prev');
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [store]);
}

/**
 * Focuses the primary action of `step` once it is on screen (the Wizard shows the new step a render after the
 * store moved, and a step may draw its action after a service answers), unless the user has moved focus
 * meanwhile; the step's heading until then.
 */
function focusPrimary(root: HTMLElement, step: StepId): () => void {
  const body = `[data-step-body="${step}"]`;
  const find = () =>
    root.querySelector<HTMLElement>(`${body} [data-primary-action]:not([disabled]), footer [data-primary-action]:not([disabled])`);
  const start = document.activeElement;
  let heading: HTMLElement | null = null;
  const mayMove = () => {
    const at = document.activeElement;
    return at === start || at === heading || at === document.body || at === null || !root.contains(at);
  };
  const attempt = (): boolean => {
    const el = find();
    if (el && root.querySelector(body)) {
      if (mayMove()) el.focus();
      return true;
    }
    const h = root.querySelector<HTMLElement>(`${body} h2`);
    if (h && h !== heading && mayMove()) {
      heading = h;
      h.tabIndex = -1;
      h.focus();
    }
    return false;
  };
  if (attempt()) return () => undefined;
  const observer = new MutationObserver(() => {
    if (attempt()) observer.disconnect();
  });
  observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
  const stop = setTimeout(() => observer.disconnect(), 5000);
  return () => {
    observer.disconnect();
    clearTimeout(stop);
  };
}

function StepFooter() {
  const { activeStep, goToStepById } = useWizardContext();
  const step = useWizard((s) => s.step);
  const loaded = useWizard(isLoaded);
  const busy = useWizard(isBusy);
  const store = useWizardStore();
  // The store moved (a load, a link from another view): the Wizard follows.
  useEffect(() => {
    if (activeStep?.id !== step) goToStepById(step);
  }, [activeStep?.id, step, goToStepById]);
  const { prev, next } = neighbours(step, loaded);
  return (
    <WizardFooterWrapper className="vaw-footer">
      {next && (
        <Button
          variant="primary"
          onClick={() => move(store, 'next')}
          isDisabled={busy}
          aria-keyshortcuts="Alt+N"
          data-primary-action={NEXT_IS_PRIMARY.has(step) ? '' : undefined}
          data-testid="next"
        >
          Next: {STEP_TITLES[next]}
        </Button>
      )}
      {prev && (
        <Button variant="secondary" onClick={() => move(store, 'prev')} isDisabled={busy} aria-keyshortcuts="Alt+B" data-testid="back">
          Back
        </Button>
      )}
      <span className="vaw-shortcuts">{[next && 'Alt+N next', prev && 'Alt+B back'].filter(Boolean).join(', ')}</span>
    </WizardFooterWrapper>
  );
}

export function WizardFrame() {
  const loaded = useWizard(isLoaded);
  const step = useWizard((s) => s.step);
  const mode = useWizard((s) => s.mode);
  const store = useWizardStore();
  const root = useRef<HTMLDivElement>(null);
  useStepShortcuts(store);
  useEffect(() => {
    return root.current ? focusPrimary(root.current, step) : undefined;
  }, [step, mode]);
  return (
    <div ref={root} className="vaw-wizard">
      <Wizard
        navAriaLabel="Wizard steps"
        onStepChange={(_e, current) => {
          store.getState().go(current.id as StepId);
          // On a narrow window the step list is a drop-down over the step; a chosen step closes it (PatternFly
          // keeps it open, and only its toggle closes it).
          root.current?.querySelector<HTMLButtonElement>('.pf-v6-c-wizard__toggle[aria-expanded="true"]')?.click();
        }}
        footer={<StepFooter />}
        shouldFocusContent={false}
        isVisitRequired={false}
      >
        {STEPS.map((id) => {
          const View = VIEWS[id];
          return (
            <WizardStep key={id} id={id} name={STEP_TITLES[id]} isDisabled={id !== 'start' && !loaded}>
              <div data-step-body={id}>
                <Suspense fallback={<Spinner size="lg" aria-label={`Loading ${STEP_TITLES[id]}`} />}>
                  <View />
                </Suspense>
              </div>
            </WizardStep>
          );
        })}
      </Wizard>
    </div>
  );
}
