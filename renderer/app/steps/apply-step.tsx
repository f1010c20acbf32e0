/** Step 7: write the planned XML — to its file or into libvirt — always with a backup, a conflict check and undo. */
import { useCallback, useEffect, useId, useState } from 'react';
import type { Backup } from '../../../src/contracts/ipc';
import { isLibvirtManagedPath, LIBVIRT_MANAGED_ADVICE } from '../../../src/host';
import * as api from '../../api';
import { useDerived } from '../../store/derived';
import { isBusy } from '../../store/selectors';
import { useWizard } from '../../store/store';
import { rereadSource } from '../reread-source';
import { serviceCall } from '../service-call';
import { NotLoaded, StepNav } from './step-nav';

interface Done {
  readonly where: string;
  readonly backupPath: string | null;
  readonly note: string;
  readonly undo: (() => Promise<unknown>) | null;
}

/** Every backup this tool made of the file, newest first, each restorable (the current content is backed up first). */
function EarlierBackups({ file, refresh }: { file: string; refresh: unknown }) {
  const [list, setList] = useState<readonly Backup[]>([]);
  const reload = useCallback(
    () => void serviceCall('Listing backups', async () => setList(await api.listFileBackups({ path: file }))),
    [file],
  );
  useEffect(reload, [reload, refresh]);
  if (list.length === 0) return null;
  return (
    <details data-testid="earlier-backups">
      <summary>Earlier backups of this file ({list.length})</summary>
      <ul className="plain">
        {list.map((b) => (
          <li key={b.backupPath}>
            <code>{b.backupPath}</code> <span className="muted">({b.createdAt})</span>{' '}
            <button
              type="button"
              onClick={() =>
                void serviceCall('Restoring the backup', async () => {
                  await api.restoreFileBackup({ backupPath: b.backupPath, path: file });
                  const now = await rereadSource({ kind: 'file', path: file });
                  useWizard.getState().saved(now.text, now.source);
                  reload();
                })
              }
            >
              Restore this one
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}

export function ApplyStep() {
  const d = useDerived();
  const source = useWizard((s) => s.source);
  const saved = useWizard((s) => s.saved);
  // While a service call runs (a reload, a save) nothing may be written from a state about to change.
  const busy = useWizard(isBusy);
  const [target, setTarget] = useState(source?.kind === 'file' ? source.path : '');
  const [done, setDone] = useState<Done | null>(null);
  const id = useId();
  if (!d.ok) return <NotLoaded problem={d.problem} />;
  if (d.manualProblem)
    return <p className="problem">Your hand-edited XML is not well-formed ({d.manualProblem}); fix or discard it on Review.</p>;
  if (!d.manual && d.plan.impossible.length > 0)
    return <p className="problem">The goal cannot be reached; see Review for why. Nothing can be applied.</p>;
  const planned = d.planned;
  const unchanged = planned === useWizard.getState().text;

  const saveToFile = () =>
    void serviceCall(`Saving ${target}`, async () => {
      const expectedFingerprint = source?.kind === 'file' && source.path === target ? source.fingerprint : null;
      const r = await api.saveFile({ path: target, text: planned, expectedFingerprint, validate: true });
      saved(planned, { kind: 'file', path: r.path, fingerprint: r.fingerprint });
      setDone({
        where: r.path,
        backupPath: r.backupPath,
        note: 'Written atomically after validating against libvirt’s schema.',
        // After undo the restored file is the starting point again (with its new fingerprint).
        undo: r.backupPath
          ? async () => {
              await api.restoreFileBackup({ backupPath: r.backupPath!, path: r.path });
              const now = await rereadSource({ kind: 'file', path: r.path });
              saved(now.text, now.source);
            }
          : null,
      });
    });

  const defineInLibvirt = () =>
    source?.kind === 'libvirt' &&
    void serviceCall(`Defining ${source.name} on ${source.uri}`, async () => {
      const r = await api.defineDomain({ uri: source.uri, name: source.name, xml: planned, loadedXml: source.loadedXml });
      saved(planned, { ...source, loadedXml: planned });
      setDone({
        where: `${source.name} on ${source.uri}`,
        backupPath: r.backupPath,
        note: r.appliesAtNextBoot
          ? 'The domain is running: the new definition applies at its next boot.'
          : 'The new definition is in place.',
        undo: async () => {
          await api.restoreDomainBackup({ uri: source.uri, backupPath: r.backupPath });
          const now = await rereadSource(source);
          saved(now.text, now.source);
        },
      });
    });

  return (
    <section aria-labelledby="apply-title">
      <h2 id="apply-title">Apply</h2>
      {unchanged && !done && <p>The plan changes nothing; there is nothing to write.</p>}
      {!unchanged && source?.kind === 'libvirt' && (
        <p>
          <button type="button" className="primary" onClick={defineInLibvirt} disabled={busy} data-testid="define">
            Define {source.name} in libvirt
          </button>{' '}
          <span className="muted">The current definition is backed up first; nothing is written if it changed since you loaded it.</span>
        </p>
      )}
      {!unchanged && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (target.trim()) saveToFile();
          }}
        >
          <label htmlFor={`${id}-path`}>Save to file</label>
          <input
            id={`${id}-path`}
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            placeholder="/path/to/guest.xml"
            data-testid="save-path"
          />
          <button type="submit" className={source?.kind === 'libvirt' ? undefined : 'primary'} disabled={busy} data-testid="save">
            Save
          </button>
          <p className="muted">
            An existing file is backed up before it is replaced; the write is refused if the file changed since it was opened.
          </p>
          {isLibvirtManagedPath(target) && (
            <p role="note" className="problem" data-testid="libvirt-managed">
              {target} {LIBVIRT_MANAGED_ADVICE}
            </p>
          )}
        </form>
      )}
      {done && (
        <div role="status" className="done" data-testid="applied">
          <p>
            Written: <strong>{done.where}</strong>. {done.note}
          </p>
          {done.backupPath && (
            <p>
              Backup of the previous version: <code data-testid="backup-path">{done.backupPath}</code>
            </p>
          )}
          {done.undo && (
            <button
              type="button"
              onClick={() =>
                void serviceCall('Restoring the backup', async () => {
                  await done.undo!();
                  setDone({ ...done, note: 'Restored from the backup.', undo: null });
                })
              }
            >
              Undo (restore the backup)
            </button>
          )}
        </div>
      )}
      {source?.kind === 'file' && <EarlierBackups file={source.path} refresh={done} />}
      <StepNav step="apply" />
    </section>
  );
}
