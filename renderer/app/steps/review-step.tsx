/**
 * Step 6: the plan in words first (what changes on which device and why), then what the plan fixes (shown as
 * fixed) and what is left, the data path of a device and the bounce-buffer figures, the schema check; the diff, a hand edit and QEMU's
 * command line are there, folded.
 */
import {
  Alert,
  Button,
  CodeBlock,
  CodeBlockCode,
  Content,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  ExpandableSection,
  FormGroup,
  FormSelect,
  FormSelectOption,
  Label,
  List,
  ListItem,
  Spinner,
  TextArea,
  Title,
} from '@patternfly/react-core';
import { useId, useMemo, useState } from 'react';
import type { Backend, SecureType } from '../../../src/contracts/facts';
import type { EngineInput } from '../../../src/contracts/engine';
import type { SwiotlbReport } from '../../../src/contracts/swiotlb';
import { deviceStates } from '../../../src/engine';
import * as api from '../../api';
import { useWizard, useWizardStore } from '../../store/context';
import { useDerived } from '../../store/derived';
import { isBusy } from '../../store/selectors';
import { useAppInfo } from '../app-info';
import { newerThanThisLibvirt, useSchemaCheck } from '../schema-check';
import { NOT_RUN, serviceCall } from '../service-call';
import { DataPath, pathModel } from './data-path';
import { FindingsList } from './findings-list';
import { fixedByPlan, planInWords, type DeviceChanges } from './plan-in-words';
import { StepHeading } from './step-heading';
import { NotLoaded } from './step-parts';
import { SwiotlbFigures } from './swiotlb-figures';

/** The planned XML, editable by hand for what no step offers (survey: "advanced mode like virt-manager"). */
function ManualEdit({ planned, manual }: { planned: string; manual: boolean }) {
  const store = useWizardStore();
  const [draft, setDraft] = useState(planned);
  const [open, setOpen] = useState(manual);
  const id = useId();
  return (
    <ExpandableSection toggleText="Edit the planned XML by hand" isExpanded={open} onToggle={(_e, v) => setOpen(v)}>
      <FormGroup label="Planned XML (the diff, the schema check, the findings left and Apply then use your text)" fieldId={`${id}-xml`}>
        <TextArea
          id={`${id}-xml`}
          className="vaw-xml-edit"
          rows={16}
          spellCheck={false}
          value={draft}
          onChange={(_e, v) => setDraft(v)}
          data-testid="manual-xml"
          resizeOrientation="vertical"
        />
      </FormGroup>
      <div className="vaw-actions">
        <Button variant="secondary" onClick={() => store.getState().setManualXml(draft)}>
          Use my XML
        </Button>
        {manual && (
          <Button
            variant="link"
            onClick={() => {
              store.getState().setManualXml(null);
              setDraft(planned);
            }}
          >
            Discard my edit
          </Button>
        )}
      </div>
    </ExpandableSection>
  );
}

/**
 * Whether the planned XML validates against this machine's libvirt schemas, checked again whenever the plan
 * changes (Apply refuses XML that does not unless the only cause is an element newer than this libvirt).
 */
function SchemaStatus({ planned, type }: { planned: string; type: SecureType }) {
  const state = useSchemaCheck(planned);
  const info = useAppInfo();
  if (state.kind === 'checking')
    return (
      <Content component="p" className="vaw-muted" data-testid="schema-status">
        <Spinner size="sm" aria-hidden /> Checking the planned XML against libvirt&rsquo;s schema…
      </Content>
    );
  if (state.kind === 'failed')
    return (
      <Alert component="h3" variant="warning" isInline title="The schema check could not run" data-testid="schema-status">
        {state.message} Apply validates again before it writes.
      </Alert>
    );
  const { verdict } = state;
  if (!verdict.available)
    return (
      <Content component="p" className="vaw-muted" data-testid="schema-status">
        libvirt&rsquo;s schemas are not installed here, so the planned XML was not validated.
      </Content>
    );
  if (verdict.valid)
    return (
      <Content component="p" data-testid="schema-status">
        The planned XML validates against libvirt&rsquo;s schema.
      </Content>
    );
  const newer = newerThanThisLibvirt(verdict, type, info?.libvirtVersion ?? null);
  if (newer)
    return (
      <Alert
        component="h3"
        variant="warning"
        isInline
        title={`This machine's libvirt ${newer.here} is older than ${newer.element}`}
        data-testid="schema-status"
      >
        The planned XML uses {newer.element} for {newer.technology}, which libvirt knows since {newer.since}; the schema here cannot check
        it. Validate it on the host that will run the guest (virsh define --validate with the saved file there). Apply can save it after you
        confirm.
      </Alert>
    );
  return (
    <Alert
      component="h3"
      variant="danger"
      isInline
      title="The planned XML does not validate against libvirt's schema"
      data-testid="schema-status"
    >
      <p>Apply will refuse it:</p>
      <List>
        {verdict.errors.slice(0, 5).map((e, i) => (
          <ListItem key={i}>
            line {e.line}: {e.message} <span className="vaw-muted">({e.target})</span>
          </ListItem>
        ))}
      </List>
    </Alert>
  );
}

/**
 * What QEMU would be started with, as libvirt itself generates it (virsh domxml-to-native) for the planned XML:
 * on the domain's own connection, else on this machine's default one. Asked on demand: it needs a QEMU driver.
 */
function QemuPreview({ planned, loadedArgv }: { planned: string; loadedArgv: string | null }) {
  const source = useWizard((s) => s.source);
  const busy = useWizard(isBusy);
  const store = useWizardStore();
  const info = useAppInfo();
  const [argv, setArgv] = useState<{ xml: string; uri: string; text: string } | null>(null);
  const uri = source?.kind === 'libvirt' ? source.uri : (info?.defaultUri ?? null);
  const ask = () =>
    uri &&
    void serviceCall(store, `Asking libvirt on ${uri} for the QEMU command line`, (callId) => api.qemuArgv({ uri, xml: planned }, callId), {
      channel: 'libvirt.qemuArgv',
    }).then((r) => {
      if (r !== NOT_RUN) setArgv({ xml: planned, uri, text: r.argv });
    });
  const current = argv && argv.xml === planned ? argv : null;
  return (
    <ExpandableSection toggleText="QEMU command line">
      {current ? (
        <>
          <Content component="p">For the planned XML, from libvirt on {current.uri}:</Content>
          <CodeBlock>
            <CodeBlockCode tabIndex={0} data-testid="qemu-argv">
              {current.text}
            </CodeBlockCode>
          </CodeBlock>
        </>
      ) : (
        <Content component="p">
          <Button variant="secondary" onClick={ask} isDisabled={busy || !uri}>
            Ask libvirt for the planned command line
          </Button>{' '}
          <span className="vaw-muted">libvirt&rsquo;s QEMU driver builds it (virsh domxml-to-native); nothing is started.</span>
        </Content>
      )}
      {loadedArgv && (
        <>
          <Content component="p">QEMU command line of the current definition:</Content>
          <CodeBlock>
            <CodeBlockCode tabIndex={0}>{loadedArgv}</CodeBlockCode>
          </CodeBlock>
        </>
      )}
    </ExpandableSection>
  );
}

/** The data path of one virtio device after the plan, the user picking which (the first one to start with). */
function DevicePath({
  input,
  type,
  backends,
  swiotlb,
}: {
  input: EngineInput;
  type: SecureType;
  backends: Readonly<Record<string, Backend>>;
  swiotlb: SwiotlbReport | null;
}) {
  const states = useMemo(
    () => deviceStates({ ...input, goals: { ...input.goals, backends } }).filter((x) => x.function !== 'balloon'),
    [input, backends],
  );
  const [target, setTarget] = useState<string | null>(null);
  const id = useId();
  const state = states.find((x) => x.target === target) ?? states[0];
  if (!state) return null;
  return (
    <>
      {states.length > 1 && (
        <FormGroup label="Data path of" fieldId={`${id}-device`} className="vaw-path-device">
          <FormSelect id={`${id}-device`} value={state.target} onChange={(_e, v) => setTarget(v)} data-testid="path-device">
            {states.map((x) => (
              <FormSelectOption key={x.target} value={x.target} label={x.label} />
            ))}
          </FormSelect>
        </FormGroup>
      )}
      <DataPath model={pathModel(state, type, swiotlb)} />
    </>
  );
}

/** The plan, device by device: each change in words, and the findings it fixes (rule ids small). */
function PlanChanges({ changes }: { changes: readonly DeviceChanges[] }) {
  return (
    <DescriptionList isHorizontal isCompact data-testid="plan-in-words" aria-label="What the plan changes">
      {changes.map((c) => (
        <DescriptionListGroup key={c.target}>
          <DescriptionListTerm>{c.label}</DescriptionListTerm>
          <DescriptionListDescription>
            <List isPlain>
              {c.changes.map((x, i) => (
                <ListItem key={i}>
                  <code>{x}</code>
                </ListItem>
              ))}
            </List>
            {c.because.length > 0 && (
              <Content component="small" className="vaw-because">
                because:{' '}
                {c.because.map((f, i) => (
                  <span key={`${f.rule}-${i}`}>
                    {i > 0 && '; '}
                    {f.title}{' '}
                    <Label isCompact className="vaw-rule">
                      {f.rule}
                    </Label>
                  </span>
                ))}
              </Content>
            )}
          </DescriptionListDescription>
        </DescriptionListGroup>
      ))}
    </DescriptionList>
  );
}

function DiffView({ diff }: { diff: string }) {
  return (
    <CodeBlock className="vaw-diff">
      <CodeBlockCode tabIndex={0} aria-label="Unified diff of the planned changes" data-testid="diff">
        {diff.split('\n').map((l, i) => (
          <span
            key={i}
            className={
              l.startsWith('+') && !l.startsWith('+++') ? 'vaw-add' : l.startsWith('-') && !l.startsWith('---') ? 'vaw-del' : 'vaw-ctx'
            }
          >
            {l}
            {'\n'}
          </span>
        ))}
      </CodeBlockCode>
    </CodeBlock>
  );
}

export function ReviewStep() {
  const d = useDerived();
  const secure = useWizard((s) => s.secure);
  const backends = useWizard((s) => s.backends);
  const qemuArgv = useWizard((s) => s.qemuArgv);
  const [diffOpen, setDiffOpen] = useState(false);
  if (!d.ok) return <NotLoaded problem={d.problem} />;
  const labels = new Map(d.facts.devices.map((x) => [x.target, x.label]));
  const type = secure === 'keep' ? d.facts.launchSecurity.type : secure;
  const errors = d.findings.filter((f) => f.severity === 'error').length;
  const left = d.remaining.filter((f) => f.severity === 'error').length;
  const changes = planInWords(d.plan, d.findings, d.facts);
  const fixed = d.manual ? [] : fixedByPlan(d.findings, d.remaining);
  const impossible = d.plan.impossible.length > 0 && !d.manual;
  const devices = new Set(changes.map((c) => c.target)).size;
  return (
    <section aria-labelledby="review-title">
      <StepHeading id="review-title" title="Review">
        <span data-testid="review-summary">
          {errors} error{errors === 1 ? '' : 's'} now;{' '}
          {impossible
            ? 'the goal cannot be reached (see why below)'
            : `${d.plan.edits.length} change${d.plan.edits.length === 1 ? '' : 's'} planned on ${devices} part${devices === 1 ? '' : 's'} of the domain; ${left} error${left === 1 ? '' : 's'} left after them`}
          .
        </span>
      </StepHeading>
      {impossible && (
        <Alert component="h3" variant="danger" isInline title="Why this goal cannot be reached" role="alert">
          <FindingsList findings={d.plan.impossible} labels={labels} />
        </Alert>
      )}
      {d.manual && (
        <Alert component="h3" variant="info" isInline title="You edited the XML by hand" data-testid="manual-note">
          The diff, the schema check, the findings left and Apply use your text. Choosing another goal or model on the other steps discards
          your edit.
        </Alert>
      )}
      {d.manualProblem && (
        <Alert component="h3" variant="danger" isInline title="Your XML cannot be used" role="alert">
          Your XML cannot be used: {d.manualProblem}
        </Alert>
      )}
      {!d.manual && !impossible && (
        <>
          <Title headingLevel="h3" className="vaw-section-title">
            What the plan changes
          </Title>
          {changes.length > 0 ? (
            <PlanChanges changes={changes} />
          ) : (
            <Content component="p">Nothing: the domain already is what you chose.</Content>
          )}
        </>
      )}
      {fixed.length > 0 && (
        <ExpandableSection toggleText={`Fixed by the plan (${fixed.length})`} data-testid="fixed">
          <FindingsList findings={fixed} labels={labels} fixed />
        </ExpandableSection>
      )}
      <Title headingLevel="h3" className="vaw-section-title">
        {d.manual ? 'Left in your XML' : impossible ? 'Also found in the domain as it is' : 'Left after the plan'}
      </Title>
      <FindingsList findings={d.remaining} labels={labels} empty="Nothing: no errors, warnings or notes." />
      <Title headingLevel="h3" className="vaw-section-title">
        Data path
      </Title>
      <DevicePath input={{ ...d.input, domain: d.plannedFacts }} type={type} backends={backends} swiotlb={d.plannedSwiotlb} />
      {d.plannedSwiotlb && <SwiotlbFigures report={d.plannedSwiotlb} />}
      <SchemaStatus planned={d.planned} type={type} />
      {d.diff ? (
        <ExpandableSection toggleText="The changes to the XML (diff)" isExpanded={diffOpen} onToggle={(_e, v) => setDiffOpen(v)}>
          <DiffView diff={d.diff} />
        </ExpandableSection>
      ) : (
        <Content component="p">No changes to the XML.</Content>
      )}
      <ManualEdit key={d.manual ? 'manual' : d.planned} planned={d.planned} manual={d.manual} />
      <QemuPreview planned={d.planned} loadedArgv={qemuArgv} />
    </section>
  );
}
