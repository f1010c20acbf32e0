/** What went wrong and what to do, for every service error; for a conflict, the way out as a button. */
import { useWizard, type Source } from '../store/store';
import { rereadSource, type Rereadable } from './reread-source';
import { serviceCall } from './service-call';

/** After a conflict, what to read again (keeping the user's choices), and the button's words. */
function conflictReload(code: string, source: Source | null): { readonly label: string; readonly where: Rereadable } | null {
  if (code === 'domain-changed' && source?.kind === 'libvirt') return { label: `Reload ${source.name} from libvirt`, where: source };
  if (code === 'file-conflict' && source?.kind === 'file') return { label: `Open ${source.path} again`, where: source };
  return null;
}

export function ErrorPanel() {
  const error = useWizard((s) => s.error);
  const fail = useWizard((s) => s.fail);
  const source = useWizard((s) => s.source);
  if (!error) return null;
  const reload = conflictReload(error.code, source);
  return (
    <section className="error-panel" role="alert" aria-labelledby="error-title">
      <h2 id="error-title">Something went wrong</h2>
      <p>{error.message}</p>
      {error.detail && (
        <pre tabIndex={0} aria-label="Details" data-testid="error-detail">
          {error.detail}
        </pre>
      )}
      <p>
        <strong>What to do:</strong> {error.hint}
      </p>
      {reload && (
        <button
          type="button"
          className="primary"
          onClick={() =>
            void serviceCall(reload.label, async () => {
              const now = await rereadSource(reload.where);
              useWizard.getState().reloaded(now.source, now.text);
            })
          }
        >
          {reload.label}
        </button>
      )}{' '}
      <button type="button" onClick={() => fail(null)}>
        Dismiss
      </button>
    </section>
  );
}
