/** What went wrong and what to do, for every service error; for a conflict, the way out as a button. */
import * as api from '../api';
import { useWizard, type Source } from '../store/store';
import { serviceCall } from './service-call';

/** Reads the domain or file again after someone else changed it, keeping the user's choices. */
function reloadAction(code: string, source: Source | null): { label: string; run: () => Promise<void> } | null {
  if (code === 'domain-changed' && source?.kind === 'libvirt') {
    return {
      label: `Reload ${source.name} from libvirt`,
      run: async () => {
        const d = await api.readDomain({ uri: source.uri, name: source.name });
        useWizard.getState().reloaded({ ...source, loadedXml: d.xml }, d.xml);
      },
    };
  }
  if (code === 'file-conflict' && source?.kind === 'file') {
    return {
      label: `Open ${source.path} again`,
      run: async () => {
        const f = await api.readFile({ path: source.path });
        useWizard.getState().reloaded({ kind: 'file', path: f.path, fingerprint: f.fingerprint }, f.text);
      },
    };
  }
  return null;
}

export function ErrorPanel() {
  const error = useWizard((s) => s.error);
  const fail = useWizard((s) => s.fail);
  const source = useWizard((s) => s.source);
  if (!error) return null;
  const action = reloadAction(error.code, source);
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
      {action && (
        <button type="button" className="primary" onClick={() => void serviceCall(action.label, action.run)}>
          {action.label}
        </button>
      )}{' '}
      <button type="button" onClick={() => fail(null)}>
        Dismiss
      </button>
    </section>
  );
}
