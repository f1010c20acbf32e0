/** Back/next buttons at the foot of each step. */
import { STEPS, useWizard, type StepId } from '../../store/store';

export function StepNav({ step }: { step: StepId }) {
  const go = useWizard((s) => s.go);
  const i = STEPS.indexOf(step);
  const prev = STEPS[i - 1];
  const next = STEPS[i + 1];
  return (
    <div className="step-nav">
      {prev && (
        <button type="button" onClick={() => go(prev)}>
          Back
        </button>
      )}
      {next && (
        <button type="button" className="primary" onClick={() => go(next)}>
          Next: {next[0]!.toUpperCase() + next.slice(1)}
        </button>
      )}
    </div>
  );
}

export function NotLoaded({ problem }: { problem: string }) {
  return (
    <p role="alert" className="problem">
      {problem}
    </p>
  );
}
