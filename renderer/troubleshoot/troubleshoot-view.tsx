/**
 * Troubleshooting: find what you saw (grouped, searchable); the wizard shows the evidence it has (the loaded
 * domain's findings for the rules behind that symptom, this machine's host evidence), asks only what it cannot
 * know, names the cause, and ends in a plan with changes or an exact manual step. The chosen symptom is kept in the
 * store, so it survives loading a domain to check.
 */
import {
  Alert,
  Button,
  CodeBlock,
  CodeBlockCode,
  Content,
  FormGroup,
  List,
  ListItem,
  Radio,
  SearchInput,
  Title,
} from '@patternfly/react-core';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { DomainFacts } from '../../src/contracts/facts';
import type { Edit, Finding } from '../../src/contracts/findings';
import { applyEdits, parseDomainXml, readDomainFacts, XmlInputError } from '../../src/domain-xml';
import { compareForMigration, technology } from '../../src/engine';
import { SYMPTOM_GROUPS, SYMPTOMS, type Symptom } from '../../src/engine/troubleshooting';
import * as api from '../api';
import { NOT_RUN, serviceCall } from '../app/service-call';
import { FindingsList } from '../app/steps/findings-list';
import { useWizard, useWizardStore } from '../store/context';
import { useDerived } from '../store/derived';

/** What this machine's /sys, /proc/cpuinfo and virt-host-validate say about the cause, each with its source. */
function HostEvidence({ match }: { match: RegExp }) {
  const evidence = useWizard((s) => s.evidence);
  const store = useWizardStore();
  useEffect(() => {
    if (evidence.length === 0)
      void serviceCall(store, 'Reading host evidence', () => api.hostEvidence(), { background: true }).then((e) => {
        if (e !== NOT_RUN) store.getState().setEvidence(e);
      });
  }, [evidence.length, store]);
  const relevant = evidence.filter((e) => match.test(e.fact));
  return (
    <>
      <Title headingLevel="h4">Evidence on this machine</Title>
      {relevant.length > 0 ? (
        <List data-testid="host-evidence">
          {relevant.map((e) => (
            <ListItem key={`${e.fact}-${e.source}`}>
              {e.fact} = {e.value} <span className="vaw-muted">({e.source})</span>
            </ListItem>
          ))}
        </List>
      ) : (
        <Content component="p">This machine reports nothing about it; a missing file means unknown, not unsupported.</Content>
      )}
      <Content component="p" className="vaw-muted">
        This is the machine the wizard runs on; for a remote connection, run virt-host-validate on the hypervisor.
      </Content>
    </>
  );
}

/** Migration/restore refused: the loaded domain is the source; the user gives the destination's definition. */
function DestinationCompare({ source, labels }: { source: DomainFacts; labels: ReadonlyMap<string, string> }) {
  // The libvirt that compares is taken to be the host's the wizard reads (whether it or QEMU refuses a NIC's queues).
  const libvirt = useWizard((s) => s.host.libvirtVersion);
  const [result, setResult] = useState<{ name: string; findings: readonly Finding[] } | { name: string; problem: string } | null>(null);
  const id = useId();
  const compare = async (file: File) => {
    try {
      setResult({
        name: file.name,
        findings: compareForMigration(source, readDomainFacts(parseDomainXml(await file.text(), file.name)), libvirt),
      });
    } catch (e) {
      if (!(e instanceof XmlInputError)) throw e;
      setResult({ name: file.name, problem: e.message });
    }
  };
  return (
    <>
      <Title headingLevel="h4">Compare with the destination</Title>
      <FormGroup
        label="The destination's definition (the XML on the other host, or the one given to virsh restore --xml)"
        fieldId={`${id}-dest`}
      >
        <input
          id={`${id}-dest`}
          type="file"
          accept=".xml,text/xml"
          className="vaw-file-input"
          data-testid="destination-file"
          onChange={(e) => e.target.files?.[0] && void compare(e.target.files[0])}
        />
      </FormGroup>
      {result &&
        ('problem' in result ? (
          <Alert variant="danger" isInline title={`${result.name} is not a libvirt domain`} role="alert">
            {result.problem}
          </Alert>
        ) : result.findings.length === 0 ? (
          <Content component="p" data-testid="destination-result">
            The virtio options of {result.name} match this domain&rsquo;s: this is not the cause.
          </Content>
        ) : (
          <div data-testid="destination-result">
            <FindingsList findings={result.findings} labels={labels} />
          </div>
        ))}
    </>
  );
}

/** The edits that take iommu='on' off the domain's virtio NICs (an ordinary VM's slow vhost-net, T-09). */
function dropIommuOnNics(facts: DomainFacts): { edits: Edit[]; labels: string[] } {
  const nics = facts.devices.filter((d) => d.virtio && d.kind === 'interface' && d.driver.iommu === 'on');
  return {
    edits: nics.map((d) => ({ op: 'remove-attribute', target: `${d.target}/driver`, name: 'iommu' })),
    labels: nics.map((d) => d.label),
  };
}

function matches(s: Symptom, query: string): boolean {
  const q = query.trim().toLowerCase();
  return q === '' || [s.title, s.seen, ...(s.seenAlso ?? []), s.cause, s.id].some((t) => t.toLowerCase().includes(q));
}

function Diagnosis({ symptom }: { symptom: Symptom }) {
  const d = useDerived();
  const store = useWizardStore();
  const answer = useWizard((s) => s.answer);
  const text = useWizard((s) => s.text);
  const id = useId();
  const labels = new Map(d.ok ? d.facts.devices.map((x) => [x.target, x.label]) : []);
  const evidence = d.ok ? d.findings.filter((f) => symptom.rules.includes(f.rule)) : [];
  const fixable = evidence.some((f) => f.fix.edits.length > 0);
  // Confidential through <launchSecurity> or an object in <qemu:commandline>: no iommu is dropped there.
  const confidential = d.ok && d.facts.launchSecurity.type !== 'none';
  const drop = d.ok && symptom.offerDropIommuOnNics && !confidential ? dropIommuOnNics(d.facts) : null;
  const jobs = symptom.hostJobsOf ? technology(symptom.hostJobsOf).hostJobs : [];
  return (
    <>
      {symptom.question && (
        <FormGroup role="radiogroup" isInline label={symptom.question} fieldId={`${id}-answer`}>
          {(['yes', 'no'] as const).map((a) => (
            <Radio
              key={a}
              id={`${id}-answer-${a}`}
              name={`${id}-answer`}
              label={a === 'yes' ? 'Yes' : 'No'}
              isChecked={answer === a}
              onChange={() => store.getState().setAnswer(a)}
            />
          ))}
        </FormGroup>
      )}
      {symptom.question && answer === 'no' && (
        <Alert variant="info" isInline isPlain title="Then this is probably not your symptom; look at the others in its group." />
      )}
      <Content component="p">
        <strong>Cause:</strong> {symptom.cause}
      </Content>
      {!d.ok ? (
        <Content component="p">
          Load the domain to look for the cause in its XML.{' '}
          <Button variant="secondary" onClick={() => store.getState().loadForTroubleshooting()}>
            Load a domain
          </Button>
        </Content>
      ) : evidence.length > 0 ? (
        <>
          <Title headingLevel="h4">Evidence in this domain</Title>
          <FindingsList findings={evidence} labels={labels} />
        </>
      ) : (
        <Content component="p" data-testid="no-evidence">
          This domain&rsquo;s XML shows none of these causes.
        </Content>
      )}
      {symptom.hostEvidence && <HostEvidence match={symptom.hostEvidence} />}
      {symptom.compareWithDestination && d.ok && <DestinationCompare source={d.facts} labels={labels} />}
      <Title headingLevel="h4">What to do</Title>
      {fixable && (
        <Content component="p">
          The plan fixes what this domain shows:{' '}
          <Button
            variant="primary"
            onClick={() => {
              if (symptom.goal) store.getState().setSecure(symptom.goal);
              store.getState().go('review');
            }}
          >
            Review the fix
          </Button>
        </Content>
      )}
      {drop && drop.edits.length > 0 && (
        <Content component="p">
          <Button
            variant={fixable ? 'secondary' : 'primary'}
            onClick={() => {
              store.getState().setManualXml(applyEdits(text, drop.edits));
              store.getState().go('review');
            }}
          >
            Drop iommu=&apos;on&apos; from {drop.labels.join(', ')} and review
          </Button>
        </Content>
      )}
      <Content component="p" data-testid="manual-step">
        {fixable || (drop && drop.edits.length > 0) ? 'Otherwise: ' : ''}
        {symptom.fix}
      </Content>
      {jobs.length > 0 && (
        <List data-testid="host-jobs">
          {jobs.map((j) => (
            <ListItem key={j}>{j}</ListItem>
          ))}
        </List>
      )}
    </>
  );
}

export function TroubleshootView() {
  const chosen = useWizard((s) => s.symptom);
  const store = useWizardStore();
  const [query, setQuery] = useState('');
  const id = useId();
  const diagnosis = useRef<HTMLDivElement>(null);
  const symptom = SYMPTOMS.find((s) => s.id === chosen);
  const visible = useMemo(() => SYMPTOMS.filter((s) => matches(s, query) || s.id === chosen), [query, chosen]);
  useEffect(() => {
    if (chosen) diagnosis.current?.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
  }, [chosen]);
  return (
    <section aria-labelledby="ts-title" className="vaw-troubleshoot">
      <Title headingLevel="h2" id="ts-title">
        Troubleshoot
      </Title>
      <Content component="p">
        Find what you saw; the wizard looks for the cause in the domain and this machine, and says what to do.
      </Content>
      <SearchInput
        aria-label="Search symptoms and messages"
        placeholder="Search symptoms and messages (e.g. swiotlb, IOMMU_PLATFORM)"
        value={query}
        onChange={(_e, v) => setQuery(v)}
        onClear={() => setQuery('')}
        className="vaw-ts-search"
      />
      <div role="radiogroup" aria-label="What do you see?" className="vaw-symptoms">
        {SYMPTOM_GROUPS.map((g) => {
          const list = visible.filter((s) => s.group === g.group);
          if (list.length === 0) return null;
          return (
            <div key={g.group} className="vaw-symptom-group">
              <Title headingLevel="h3" className="vaw-section-title">
                {g.title}
              </Title>
              {list.map((s) => (
                <Radio
                  key={s.id}
                  id={`${id}-${s.id}`}
                  name={`${id}-symptom`}
                  label={s.title}
                  isChecked={chosen === s.id}
                  onChange={() => store.getState().chooseSymptom(s.id)}
                />
              ))}
            </div>
          );
        })}
        {visible.length === 0 && <Content component="p">No symptom mentions “{query}”.</Content>}
      </div>
      {symptom && (
        <div className="vaw-diagnosis" data-testid="diagnosis" ref={diagnosis} role="region" aria-label={`Diagnosis: ${symptom.title}`}>
          <Title headingLevel="h3">{symptom.title}</Title>
          <CodeBlock className="vaw-seen">
            <CodeBlockCode>{[symptom.seen, ...(symptom.seenAlso ?? [])].join('\n')}</CodeBlockCode>
          </CodeBlock>
          <Diagnosis symptom={symptom} />
        </div>
      )}
    </section>
  );
}
