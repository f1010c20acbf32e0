/**
 * Step 7: a recap of what will be written and where, then write it — into libvirt (define) or to a file (the
 * file it came from, or Save As: the native dialog in the app window, a checked path field in a browser) —
 * always with a backup, a conflict check and undo; afterwards, the next step. Before that, "Test start" tries
 * the plan on a real libvirt (test-start.tsx).
 */
import {
  Alert,
  Button,
  Checkbox,
  ClipboardCopy,
  Content,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  ExpandableSection,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  List,
  ListItem,
  TextInput,
} from '@patternfly/react-core';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Backup, PathInspection } from '../../../src/contracts/ipc';
import { isLibvirtManagedPath, LIBVIRT_MANAGED_ADVICE } from '../../../src/host';
import * as api from '../../api';
import { useWizard, useWizardStore } from '../../store/context';
import { useDerived } from '../../store/derived';
import { isBusy } from '../../store/selectors';
import type { Source, WizardStore } from '../../store/store';
import { useAppInfo } from '../app-info';
import { rereadSource } from '../reread-source';
import { newerThanThisLibvirt, useSchemaCheck, type SchemaState } from '../schema-check';
import { NOT_RUN, serviceCall } from '../service-call';
import { StepHeading } from './step-heading';
import { NotLoaded } from './step-parts';
import { TestStart } from './test-start';

interface Done {
  readonly where: string;
  readonly backupPath: string | null;
  readonly note: string;
  /** What to do next, as commands to copy. */
  readonly next: readonly { readonly what: string; readonly command: string }[];
  readonly undo: (() => Promise<unknown>) | null;
}

/** Every backup this tool made of the file, newest first, each restorable (the current content is backed up first). */
function EarlierBackups({ file, refresh }: { file: string; refresh: unknown }) {
  const store = useWizardStore();
  const busy = useWizard(isBusy);
  const [list, setList] = useState<readonly Backup[]>([]);
  // A listing that answers after the step is gone (the user moved on, or a test ended) changes nothing.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const reload = useCallback(
    () =>
      void serviceCall(store, 'Listing backups', () => api.listFileBackups({ path: file }), { background: true }).then((l) => {
        if (l !== NOT_RUN && mounted.current) setList(l);
      }),
    [file, store],
  );
  useEffect(reload, [reload, refresh]);
  if (list.length === 0) return null;
  return (
    <ExpandableSection toggleText={`Earlier backups of this file (${list.length})`} data-testid="earlier-backups">
      <List isPlain>
        {list.map((b) => (
          <ListItem key={b.backupPath}>
            <code>{b.backupPath}</code> <span className="vaw-muted">({b.createdAt})</span>{' '}
            <Button
              variant="link"
              isInline
              isDisabled={busy}
              onClick={() =>
                void serviceCall(store, 'Restoring the backup', async () => {
                  await api.restoreFileBackup({ backupPath: b.backupPath, path: file });
                  return rereadSource({ kind: 'file', path: file });
                }).then((now) => {
                  if (now === NOT_RUN) return;
                  store.getState().saved(now.text, now.source);
                  reload();
                })
              }
            >
              Restore this one
            </Button>
          </ListItem>
        ))}
      </List>
    </ExpandableSection>
  );
}

/** The domain's name, for a file name to suggest. */
function domainName(xml: string): string {
  return /<name>\s*([^<]+?)\s*<\/name>/.exec(xml)?.[1]?.replace(/[^A-Za-z0-9._-]+/g, '_') ?? 'domain';
}

/** What saving to the typed path would do, asked of the services as the user types. */
function usePathCheck(path: string, enabled: boolean): PathInspection | null {
  const [result, setResult] = useState<{ path: string; r: PathInspection } | null>(null);
  useEffect(() => {
    if (!enabled || !path.trim()) return;
    let live = true;
    const timer = setTimeout(() => {
      api.inspectPath({ path: path.trim() }).then(
        (r) => live && setResult({ path, r }),
        () => undefined,
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [path, enabled]);
  return result && result.path === path ? result.r : null;
}

/** Helper text for the path field, and whether Save may go ahead. */
function pathVerdict(path: string, check: PathInspection | null): { ok: boolean; text: string; variant: 'default' | 'error' | 'warning' } {
  if (!path.trim()) return { ok: false, text: 'Type where to save the XML.', variant: 'default' };
  if (!path.trim().startsWith('/')) return { ok: false, text: 'Give an absolute path, starting with /.', variant: 'error' };
  if (!check) return { ok: true, text: 'Checking the folder…', variant: 'default' };
  if (!check.folderExists) return { ok: false, text: 'That folder does not exist.', variant: 'error' };
  if (!check.folderWritable) return { ok: false, text: 'That folder is not writable for the wizard.', variant: 'error' };
  if (check.exists && !check.isFile) return { ok: false, text: 'Something that is not a file is there.', variant: 'error' };
  if (check.exists && !check.granted)
    return { ok: false, text: 'A file is there that was not opened here: open it first, or choose a new name.', variant: 'error' };
  if (check.exists) return { ok: true, text: 'A file is there: it is backed up, then replaced.', variant: 'warning' };
  if (!path.trim().endsWith('.xml')) return { ok: false, text: 'A new file must be named *.xml.', variant: 'error' };
  return { ok: true, text: 'A new file will be created.', variant: 'default' };
}

function schemaWords(state: SchemaState): string {
  if (state.kind === 'checking') return 'being checked…';
  if (state.kind === 'failed') return `the check could not run (${state.message}); saving validates again`;
  if (!state.verdict.available) return "libvirt's schemas are not installed here";
  return state.verdict.valid
    ? "validates against libvirt's schema"
    : "does not validate against this machine's libvirt schema (see Review)";
}

function targetWords(source: Source | null): string {
  if (source?.kind === 'libvirt') return `${source.name} on ${source.uri} (define), or a file`;
  if (source?.kind === 'file') return source.path;
  return 'a file you choose';
}

function saveToFile(store: WizardStore, target: string, planned: string, validate: boolean, setDone: (d: Done) => void): void {
  const source = store.getState().source;
  void serviceCall(store, `Saving ${target}`, () => {
    const expectedFingerprint = source?.kind === 'file' && source.path === target ? source.fingerprint : null;
    return api.saveFile({ path: target, text: planned, expectedFingerprint, validate });
  }).then((r) => {
    if (r === NOT_RUN) return;
    store.getState().saved(planned, { kind: 'file', path: r.path, fingerprint: r.fingerprint });
    void serviceCall(store, 'Remembering the file', () => api.addRecent({ file: r.path }), { background: true });
    setDone({
      where: r.path,
      backupPath: r.backupPath,
      note: validate
        ? 'Written atomically after validating against libvirt’s schema.'
        : 'Written atomically, without the schema check you skipped.',
      next: [
        { what: 'Define it in libvirt (on the host that will run it)', command: `virsh define --validate ${r.path}` },
        { what: 'Then start it', command: `virsh start ${domainName(planned)}` },
      ],
      // After undo the restored file is the starting point again (with its new fingerprint).
      undo: r.backupPath
        ? async () => {
            await api.restoreFileBackup({ backupPath: r.backupPath!, path: r.path });
            const now = await rereadSource({ kind: 'file', path: r.path });
            store.getState().saved(now.text, now.source);
          }
        : null,
    });
  });
}

function defineInLibvirt(store: WizardStore, planned: string, setDone: (d: Done) => void): void {
  const source = store.getState().source;
  if (source?.kind !== 'libvirt') return;
  void serviceCall(store, `Defining ${source.name} on ${source.uri}`, () =>
    api.defineDomain({ uri: source.uri, name: source.name, xml: planned, loadedXml: source.loadedXml }),
  ).then((r) => {
    if (r === NOT_RUN) return;
    // What libvirt holds now (read back) is the starting point: a second define or the undo checks against it.
    store.getState().saved(r.xml, { ...source, loadedXml: r.xml });
    setDone({
      where: `${source.name} on ${source.uri}`,
      backupPath: r.backupPath,
      note: r.appliesAtNextBoot ? 'The domain is running: the new definition applies at its next boot.' : 'The new definition is in place.',
      next: r.appliesAtNextBoot
        ? [{ what: 'Shut it down and start it again to run the new definition', command: `virsh -c ${source.uri} shutdown ${source.name}` }]
        : [{ what: 'Start it', command: `virsh -c ${source.uri} start ${source.name}` }],
      undo: async () => {
        // The undo is a define too: refused if the domain changed since, and what it replaces is backed up.
        const u = await api.restoreDomainBackup({
          uri: source.uri,
          name: source.name,
          backupPath: r.backupPath,
          expectedXml: r.xml,
        });
        store.getState().saved(u.xml, { ...source, loadedXml: u.xml });
      },
    });
  });
}

export function ApplyStep() {
  const d = useDerived();
  const source = useWizard((s) => s.source);
  const secure = useWizard((s) => s.secure);
  const text = useWizard((s) => s.text);
  // While a service call runs (a reload, a save) nothing may be written from a state about to change.
  const busy = useWizard(isBusy);
  const store = useWizardStore();
  const info = useAppInfo();
  const planned = d.ok ? d.planned : '';
  const suggested = source?.kind === 'file' ? source.path : info ? `${info.saveDir}/${domainName(planned || text)}.xml` : '';
  const [typed, setTyped] = useState<string | null>(null);
  const target = typed ?? suggested;
  // In the window main's save dialog confirms where to write; in a browser the typed path is checked here.
  const electron = info?.mode === 'electron';
  const check = usePathCheck(target, !electron);
  const schema = useSchemaCheck(planned);
  const [confirmNewer, setConfirmNewer] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const id = useId();
  if (!d.ok) return <NotLoaded problem={d.problem} />;
  if (d.manualProblem)
    return <NotLoaded problem={`Your hand-edited XML is not well-formed (${d.manualProblem}); fix or discard it on Review.`} />;
  if (!d.manual && d.plan.impossible.length > 0)
    return <NotLoaded problem="The goal cannot be reached; Review says why. Nothing can be applied." />;
  const unchanged = planned === text;
  const type = secure === 'keep' ? d.facts.launchSecurity.type : secure;
  const newer = schema.kind === 'done' ? newerThanThisLibvirt(schema.verdict, type, info?.libvirtVersion ?? null) : null;
  const path = electron
    ? {
        ok: target.trim() !== '',
        text:
          source?.kind === 'file' && target === source.path ? 'Saves over the file you opened.' : 'Save asks where to write, in a dialog.',
        variant: 'default' as const,
      }
    : pathVerdict(target, check);
  const fileIsPrimary = source?.kind !== 'libvirt';
  const changes = d.plan.edits.length;
  return (
    <section aria-labelledby="apply-title">
      <StepHeading id="apply-title" title="Apply">
        Nothing is written without a backup of what it replaces, and nothing is written over a change someone else made meanwhile.
      </StepHeading>
      {unchanged && !done && <Alert component="h3" variant="info" isInline title="The plan changes nothing; there is nothing to write." />}
      {!unchanged && !done && (
        <DescriptionList isHorizontal isCompact aria-label="What will be written" data-testid="recap">
          <DescriptionListGroup>
            <DescriptionListTerm>Writes to</DescriptionListTerm>
            <DescriptionListDescription>{targetWords(source)}</DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Changes</DescriptionListTerm>
            <DescriptionListDescription>
              {d.manual ? 'your hand-edited XML' : `${changes} change${changes === 1 ? '' : 's'} (listed on Review)`}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>The XML</DescriptionListTerm>
            <DescriptionListDescription>{schemaWords(schema)}</DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Backup</DescriptionListTerm>
            <DescriptionListDescription>
              {source?.kind === 'libvirt'
                ? 'the current definition, first, in the backups folder'
                : `an existing file, first${info ? `, in ${info.backupsDir}` : ''}`}
            </DescriptionListDescription>
          </DescriptionListGroup>
        </DescriptionList>
      )}
      {!unchanged && !done && <TestStart planned={planned} />}
      {!unchanged && source?.kind === 'libvirt' && !done && (
        <Content component="p">
          <Button
            variant="primary"
            onClick={() => defineInLibvirt(store, planned, setDone)}
            isDisabled={busy}
            data-testid="define"
            data-primary-action=""
          >
            Define {source.name} in libvirt
          </Button>{' '}
          <span className="vaw-muted">Refused, with what changed, if the domain changed in libvirt since you loaded it.</span>
        </Content>
      )}
      {!unchanged && !done && (
        <Form
          onSubmit={(e) => {
            e.preventDefault();
            if (path.ok) saveToFile(store, target.trim(), planned, !(newer && confirmNewer), setDone);
          }}
        >
          {newer && (
            <Checkbox
              id={`${id}-newer`}
              isChecked={confirmNewer}
              onChange={(_e, v) => setConfirmNewer(v)}
              label={`Save without checking against this machine's libvirt ${newer.here} (its schema predates ${newer.element}); I will validate it on the host that runs the guest`}
              data-testid="confirm-newer"
            />
          )}
          <FormGroup label={source?.kind === 'libvirt' ? 'Or save a copy to a file' : 'Save to'} fieldId={`${id}-path`}>
            <div className="vaw-inline-form">
              <TextInput
                id={`${id}-path`}
                value={target}
                onChange={(_e, v) => setTyped(v)}
                validated={path.variant === 'error' ? 'error' : path.variant === 'warning' ? 'warning' : 'default'}
                data-testid="save-path"
              />
              <Button
                type="submit"
                variant={fileIsPrimary ? 'primary' : 'secondary'}
                isDisabled={busy || !path.ok}
                data-testid="save"
                data-primary-action={fileIsPrimary ? '' : undefined}
              >
                Save
              </Button>
            </div>
            <FormHelperText>
              <HelperText>
                <HelperTextItem variant={path.variant} data-testid="save-path-check">
                  {path.text}
                </HelperTextItem>
              </HelperText>
            </FormHelperText>
          </FormGroup>
          {isLibvirtManagedPath(target) && (
            <Alert component="h3" variant="warning" isInline title="libvirt keeps this file for itself" data-testid="libvirt-managed">
              {target} {LIBVIRT_MANAGED_ADVICE}
            </Alert>
          )}
        </Form>
      )}
      {done && (
        <Alert component="h3" variant="success" isInline title={`Written: ${done.where}`} data-testid="applied">
          <p>{done.note}</p>
          {done.backupPath && (
            <p>
              Backup of the previous version: <code data-testid="backup-path">{done.backupPath}</code>
            </p>
          )}
          <p>
            <strong>Next:</strong>
          </p>
          {done.next.map((n) => (
            <div key={n.command} className="vaw-next">
              <span>{n.what}:</span>
              <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied" variant="inline-compact">
                {n.command}
              </ClipboardCopy>
            </div>
          ))}
          {done.undo && (
            <Button
              variant="secondary"
              isDisabled={busy}
              onClick={() =>
                void serviceCall(store, 'Restoring the backup', () => done.undo!()).then((r) => {
                  if (r !== NOT_RUN) setDone({ ...done, note: 'Restored from the backup.', next: [], undo: null });
                })
              }
            >
              Undo (restore the backup)
            </Button>
          )}
        </Alert>
      )}
      {source?.kind === 'file' && <EarlierBackups file={source.path} refresh={done} />}
    </section>
  );
}
