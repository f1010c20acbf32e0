/** Step 6: findings with explanations, the data-path picture, the XML diff and QEMU's command line. */
import { useEffect, useId, useState } from 'react';
import type { Backend, DomainFacts, SecureType } from '../../../src/contracts/facts';
import type { IpcResponse } from '../../../src/contracts/ipc';
import * as api from '../../api';
import { useDerived } from '../../store/derived';
import { serviceCall } from '../service-call';
import { useWizard } from '../../store/store';
import { DataPath, pathModel } from './data-path';
import { FindingsList } from './findings-list';
import { NotLoaded, StepNav } from './step-nav';

type SchemaVerdict = IpcResponse<'schema.validate'>;

/** The planned XML, editable by hand for what no step offers (survey: "advanced mode like virt-manager"). */
function ManualEdit({ planned, manual }: { planned: string; manual: boolean }) {
  const setManualXml = useWizard((s) => s.setManualXml);
  const [draft, setDraft] = useState(planned);
  const id = useId();
  return (
    <details open={manual}>
      <summary>Edit the planned XML by hand</summary>
      <label htmlFor={`${id}-xml`}>Planned XML (the diff, the schema check, the findings left and Apply then use your text)</label>
      <textarea
        id={`${id}-xml`}
        className="xml-edit"
        rows={16}
        spellCheck={false}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        data-testid="manual-xml"
      />
      <p>
        <button type="button" onClick={() => setManualXml(draft)}>
          Use my XML
        </button>{' '}
        {manual && (
          <button
            type="button"
            onClick={() => {
              setManualXml(null);
              setDraft(planned);
            }}
          >
            Discard my edit
          </button>
        )}
      </p>
    </details>
  );
}

/**
 * Whether the planned XML validates against the host's libvirt schemas, checked again whenever the plan changes
 * (Apply refuses XML that does not, so this says so before).
 */
function SchemaStatus({ planned }: { planned: string }) {
  const [verdict, setVerdict] = useState<{ xml: string; result: SchemaVerdict } | null>(null);
  useEffect(() => {
    let current = true;
    void api.validateXml({ xml: planned }).then(
      (result) => current && setVerdict({ xml: planned, result }),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [planned]);
  if (!verdict || verdict.xml !== planned)
    return (
      <p className="muted" data-testid="schema-status">
        Checking the planned XML against libvirt&rsquo;s schema…
      </p>
    );
  const { result } = verdict;
  if (!result.available)
    return (
      <p className="muted" data-testid="schema-status">
        libvirt&rsquo;s schemas are not installed here, so the planned XML was not validated.
      </p>
    );
  if (result.valid) return <p data-testid="schema-status">The planned XML validates against libvirt&rsquo;s schema.</p>;
  return (
    <div role="alert" className="problem" data-testid="schema-status">
      <p>The planned XML does not validate against libvirt&rsquo;s schema; Apply will refuse it:</p>
      <ul>
        {result.errors.slice(0, 5).map((e, i) => (
          <li key={i}>
            line {e.line}: {e.message} <span className="muted">({e.target})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * What QEMU would be started with, as libvirt itself generates it (virsh domxml-to-native) for the planned XML:
 * on the domain's own connection, else on this machine's default one. Asked on demand: it needs a QEMU driver.
 */
function QemuPreview({ planned, loadedArgv }: { planned: string; loadedArgv: string | null }) {
  const source = useWizard((s) => s.source);
  const [argv, setArgv] = useState<{ xml: string; uri: string; text: string } | null>(null);
  const ask = () =>
    void serviceCall('Asking libvirt for the QEMU command line', async () => {
      const uri = source?.kind === 'libvirt' ? source.uri : (await api.appInfo()).defaultUri;
      setArgv({ xml: planned, uri, text: (await api.qemuArgv({ uri, xml: planned })).argv });
    });
  const current = argv && argv.xml === planned ? argv : null;
  return (
    <>
      <h3>QEMU command line</h3>
      {current ? (
        <details open>
          <summary>For the planned XML, from libvirt on {current.uri}</summary>
          <pre tabIndex={0} data-testid="qemu-argv">
            {current.text}
          </pre>
        </details>
      ) : (
        <p>
          <button type="button" onClick={ask}>
            Ask libvirt for the planned command line
          </button>{' '}
          <span className="muted">libvirt's QEMU driver builds it (virsh domxml-to-native); nothing is started.</span>
        </p>
      )}
      {loadedArgv && (
        <details>
          <summary>QEMU command line of the current definition</summary>
          <pre tabIndex={0}>{loadedArgv}</pre>
        </details>
      )}
    </>
  );
}

/** The data path of one virtio device after the plan, the user picking which (the first one to start with). */
function DevicePath({ after, type, backends }: { after: DomainFacts; type: SecureType; backends: Readonly<Record<string, Backend>> }) {
  const devices = after.devices.filter((x) => x.virtio && x.function !== 'balloon');
  const [target, setTarget] = useState<string | null>(null);
  const id = useId();
  const device = devices.find((x) => x.target === target) ?? devices[0];
  if (!device) return null;
  const iommuOn = device.driver.iommu === 'on' || (type !== 'none' && type !== 'pef' && device.driver.iommu === 'absent');
  return (
    <>
      {devices.length > 1 && (
        <p>
          <label htmlFor={`${id}-device`}>Data path of</label>{' '}
          <select id={`${id}-device`} value={device.target} onChange={(e) => setTarget(e.target.value)} data-testid="path-device">
            {devices.map((x) => (
              <option key={x.target} value={x.target}>
                {x.label}
              </option>
            ))}
          </select>
        </p>
      )}
      <DataPath model={pathModel(after, type, backends[device.target] ?? device.backend, iommuOn)} />
    </>
  );
}

export function ReviewStep() {
  const d = useDerived();
  const secure = useWizard((s) => s.secure);
  const backends = useWizard((s) => s.backends);
  const qemuArgv = useWizard((s) => s.qemuArgv);
  if (!d.ok) return <NotLoaded problem={d.problem} />;
  const labels = new Map(d.facts.devices.map((x) => [x.target, x.label]));
  const type = secure === 'keep' ? d.facts.launchSecurity.type : secure;
  const errors = d.findings.filter((f) => f.severity === 'error').length;
  const left = d.remaining.filter((f) => f.severity === 'error').length;
  return (
    <section aria-labelledby="review-title">
      <h2 id="review-title">Review</h2>
      <p data-testid="review-summary">
        {errors} error{errors === 1 ? '' : 's'} now;{' '}
        {d.plan.impossible.length > 0
          ? 'the goal cannot be reached (see below)'
          : `${d.plan.edits.length} change${d.plan.edits.length === 1 ? '' : 's'} planned; ${left} error${left === 1 ? '' : 's'} left after them`}
        .
      </p>
      <DevicePath after={d.plannedFacts} type={type} backends={backends} />
      {d.plan.impossible.length > 0 && (
        <div role="alert" className="problem">
          <h3>Why this goal cannot be reached</h3>
          <FindingsList findings={d.plan.impossible} labels={labels} />
        </div>
      )}
      <h3>Findings</h3>
      <FindingsList findings={d.findings} labels={labels} />
      <h3>Changes to the XML</h3>
      {d.manual && (
        <p className="note" data-testid="manual-note">
          You edited the XML by hand: the diff, the schema check, the findings left and Apply use your text. Choosing another goal or model
          on the other steps discards your edit.
        </p>
      )}
      {d.manualProblem && (
        <p role="alert" className="problem">
          Your XML cannot be used: {d.manualProblem}
        </p>
      )}
      <SchemaStatus planned={d.planned} />
      {d.diff ? (
        <pre className="diff" data-testid="diff" tabIndex={0} aria-label="Unified diff of the planned changes">
          {d.diff.split('\n').map((l, i) => (
            <span
              key={i}
              className={l.startsWith('+') && !l.startsWith('+++') ? 'add' : l.startsWith('-') && !l.startsWith('---') ? 'del' : 'context'}
            >
              {l}
              {'\n'}
            </span>
          ))}
        </pre>
      ) : (
        <p>No changes.</p>
      )}
      <ManualEdit key={d.manual ? 'manual' : d.planned} planned={d.planned} manual={d.manual} />
      <QemuPreview planned={d.planned} loadedArgv={qemuArgv} />
      <StepNav step="review" />
    </section>
  );
}
