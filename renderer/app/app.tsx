/** The wizard's frame: step navigation, the current step or troubleshooting, and the error panel. */
import { useEffect, useRef } from 'react';
import { isLoaded, sourceTitle } from '../store/selectors';
import { STEPS, useWizard, type StepId } from '../store/store';
import { ErrorPanel } from './error-panel';
import { ApplyStep } from './steps/apply-step';
import { BackendsStep } from './steps/backends-step';
import { GuestStep } from './steps/guest-step';
import { PlatformStep } from './steps/platform-step';
import { ReviewStep } from './steps/review-step';
import { SecureStep } from './steps/secure-step';
import { StartStep } from './steps/start-step';
import { TroubleshootView } from '../troubleshoot/troubleshoot-view';

const TITLES: Record<StepId, string> = {
  start: 'Start',
  platform: 'Platform',
  secure: 'Secure VM',
  backends: 'Backends',
  guest: 'Guest',
  review: 'Review',
  apply: 'Apply',
};

const VIEWS: Record<StepId, () => React.JSX.Element> = {
  start: StartStep,
  platform: PlatformStep,
  secure: SecureStep,
  backends: BackendsStep,
  guest: GuestStep,
  review: ReviewStep,
  apply: ApplyStep,
};

/**
 * After a step change the old button is gone and focus would fall back to the page start; keyboard and
 * screen-reader users land on the new step's heading instead. The first render keeps the browser's focus.
 */
function useFocusStepHeading(main: React.RefObject<HTMLElement | null>, step: StepId, mode: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = main.current?.querySelector<HTMLElement>('h2');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }, [main, step, mode]);
}

export function App() {
  const step = useWizard((s) => s.step);
  const mode = useWizard((s) => s.mode);
  const main = useRef<HTMLElement>(null);
  useFocusStepHeading(main, step, mode);
  const loaded = useWizard(isLoaded);
  const title = useWizard(sourceTitle);
  const busy = useWizard((s) => s.busy);
  const go = useWizard((s) => s.go);
  const setMode = useWizard((s) => s.setMode);
  const View = VIEWS[step];
  return (
    <div className="app">
      <header className="app-header">
        <h1>Virtio Access Wizard</h1>
        <p className="tagline">virtio ACCESS_PLATFORM (&lt;driver iommu='on'/&gt;) for secure and ordinary VMs, explained</p>
        {title && (
          <p className="working-on" data-testid="working-on">
            Working on: <strong>{title}</strong>
          </p>
        )}
      </header>
      <nav aria-label="Wizard steps" className="steps">
        <ol>
          {STEPS.map((id, i) => (
            <li key={id}>
              <button
                type="button"
                aria-current={mode === 'wizard' && step === id ? 'step' : undefined}
                disabled={id !== 'start' && !loaded}
                onClick={() => go(id)}
              >
                <span className="step-number">{i + 1}</span> {TITLES[id]}
              </button>
            </li>
          ))}
          <li>
            <button type="button" aria-current={mode === 'troubleshoot' ? 'page' : undefined} onClick={() => setMode('troubleshoot')}>
              Troubleshoot
            </button>
          </li>
        </ol>
      </nav>
      <main className="panel" ref={main}>
        <ErrorPanel />
        {busy && (
          <p className="busy" role="status">
            {busy}…
          </p>
        )}
        {mode === 'troubleshoot' ? <TroubleshootView /> : <View />}
      </main>
    </div>
  );
}
