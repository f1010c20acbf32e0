/**
 * Troubleshooting: pick what you saw; the wizard shows the evidence it has (the loaded domain's findings for
 * the rules behind that symptom), asks only what it cannot know, names the cause and leads to the fix.
 */
import { useEffect, useId, useState } from 'react';
import type { DomainFacts } from '../../src/contracts/facts';
import type { Finding } from '../../src/contracts/findings';
import { parseDomainXml, readDomainFacts, XmlInputError } from '../../src/domain-xml';
import { compareForMigration } from '../../src/engine';
import * as api from '../api';
import { serviceCall } from '../app/service-call';
import { useDerived } from '../store/derived';
import { useWizard } from '../store/store';
import { FindingsList } from '../app/steps/findings-list';
import { SYMPTOMS } from '../../src/engine/troubleshooting';

/** What this machine's /sys, /proc/cpuinfo and virt-host-validate say about the cause, each with its source. */
function HostEvidence({ match }: { match: RegExp }) {
  const evidence = useWizard((s) => s.evidence);
  useEffect(() => {
    if (evidence.length === 0)
      void serviceCall('Reading host evidence', async () => useWizard.getState().setEvidence(await api.hostEvidence()));
  }, [evidence.length]);
  const relevant = evidence.filter((e) => match.test(e.fact));
  return (
    <>
      <h3>Evidence on this machine</h3>
      {relevant.length > 0 ? (
        <ul data-testid="host-evidence">
          {relevant.map((e) => (
            <li key={`${e.fact}-${e.source}`}>
              {e.fact} = {e.value} <span className="muted">({e.source})</span>
            </li>
          ))}
        </ul>
      ) : (
        <p>This machine reports nothing about it; a missing file means unknown, not unsupported.</p>
      )}
      <p className="muted">This is the machine the wizard runs on; for a remote connection, run virt-host-validate on the hypervisor.</p>
    </>
  );
}

/** Migration/restore refused: the loaded domain is the source; the user gives the destination's definition. */
function DestinationCompare({ source, labels }: { source: DomainFacts; labels: ReadonlyMap<string, string> }) {
  const [result, setResult] = useState<{ name: string; findings: readonly Finding[] } | { name: string; problem: string } | null>(null);
  const id = useId();
  const compare = async (file: File) => {
    try {
      setResult({ name: file.name, findings: compareForMigration(source, readDomainFacts(parseDomainXml(await file.text(), file.name))) });
    } catch (e) {
      if (!(e instanceof XmlInputError)) throw e;
      setResult({ name: file.name, problem: e.message });
    }
  };
  return (
    <>
      <h3>Compare with the destination</h3>
      <label htmlFor={`${id}-dest`}>
        The destination's definition (the XML on the other host, or the one given to virsh restore --xml)
      </label>{' '}
      <input
        id={`${id}-dest`}
        type="file"
        accept=".xml,text/xml"
        data-testid="destination-file"
        onChange={(e) => e.target.files?.[0] && void compare(e.target.files[0])}
      />
      {result &&
        ('problem' in result ? (
          <p role="alert" className="problem">
            {result.problem}
          </p>
        ) : result.findings.length === 0 ? (
          <p data-testid="destination-result">The virtio options of {result.name} match this domain&rsquo;s: this is not the cause.</p>
        ) : (
          <div data-testid="destination-result">
            <FindingsList findings={result.findings} labels={labels} />
          </div>
        ))}
    </>
  );
}

export function TroubleshootView() {
  const [chosen, setChosen] = useState<string | null>(null);
  const [answer, setAnswer] = useState<'yes' | 'no' | null>(null);
  const d = useDerived();
  const go = useWizard((s) => s.go);
  const setSecure = useWizard((s) => s.setSecure);
  const id = useId();
  const symptom = SYMPTOMS.find((s) => s.id === chosen);
  const evidence = d.ok && symptom ? d.findings.filter((f) => symptom.rules.includes(f.rule)) : [];
  const labels = new Map(d.ok ? d.facts.devices.map((x) => [x.target, x.label]) : []);
  return (
    <section aria-labelledby="ts-title">
      <h2 id="ts-title">Troubleshoot</h2>
      <fieldset>
        <legend>What do you see?</legend>
        {SYMPTOMS.map((s) => (
          <div key={s.id} className="option">
            <input
              type="radio"
              id={`${id}-${s.id}`}
              name={`${id}-symptom`}
              checked={chosen === s.id}
              onChange={() => {
                setChosen(s.id);
                setAnswer(null);
              }}
            />
            <label htmlFor={`${id}-${s.id}`}>{s.title}</label>
          </div>
        ))}
      </fieldset>
      {symptom && (
        <div className="diagnosis" data-testid="diagnosis">
          <p>
            Message: <code>{symptom.seen}</code>
          </p>
          {symptom.question && (
            <fieldset>
              <legend>{symptom.question}</legend>
              {(['yes', 'no'] as const).map((a) => (
                <label key={a} className="inline">
                  <input type="radio" name={`${id}-answer`} checked={answer === a} onChange={() => setAnswer(a)} />{' '}
                  {a === 'yes' ? 'Yes' : 'No'}
                </label>
              ))}
            </fieldset>
          )}
          <p>
            <strong>Cause:</strong> {symptom.cause}
          </p>
          {symptom.fix && (
            <p>
              <strong>Fix outside the domain XML:</strong> {symptom.fix}
            </p>
          )}
          {symptom.hostEvidence && <HostEvidence match={symptom.hostEvidence} />}
          {symptom.compareWithDestination && d.ok && <DestinationCompare source={d.facts} labels={labels} />}
          {!d.ok ? (
            <p>
              Load the domain to see the evidence in its XML.{' '}
              <button type="button" onClick={() => go('start')}>
                Load a domain
              </button>
            </p>
          ) : evidence.length > 0 ? (
            <>
              <h3>Evidence in this domain</h3>
              <FindingsList findings={evidence} labels={labels} />
              <button
                type="button"
                className="primary"
                onClick={() => {
                  if (symptom.goal) setSecure(symptom.goal);
                  go('review');
                }}
              >
                Review the fix
              </button>
            </>
          ) : (
            <p>
              This domain’s XML shows none of the causes; check the host and guest as described
              {symptom.question && answer === 'no' ? ' — and since you did not see that message, this symptom may not be the one' : ''}.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
