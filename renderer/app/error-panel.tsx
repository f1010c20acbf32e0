/** What went wrong and what to do, for every service error. */
import { useWizard } from '../store/store';

export function ErrorPanel() {
  const error = useWizard((s) => s.error);
  const fail = useWizard((s) => s.fail);
  if (!error) return null;
  return (
    <section className="error-panel" role="alert" aria-labelledby="error-title">
      <h2 id="error-title">Something went wrong</h2>
      <p>{error.message}</p>
      <p>
        <strong>What to do:</strong> {error.hint}
      </p>
      <button type="button" onClick={() => fail(null)}>
        Dismiss
      </button>
    </section>
  );
}
