/**
 * "Test start" on the Apply step: before anything is written, a throwaway copy of the planned domain is started
 * paused on a real libvirt and removed again (the `libvirt.verify` channel, main/services/verify.ts). The report
 * is shown as the service words it: what the start proved, what this host could not show, how the copy differs
 * from the plan, and whether the wizard's own findings predicted the outcome.
 */
import { Alert, Button, CodeBlock, CodeBlockCode, Content, ExpandableSection, List, ListItem, Title } from '@patternfly/react-core';
import { useState } from 'react';
import type { VerifyReport } from '../../../src/contracts/verify';
import * as api from '../../api';
import { useWizard, useWizardStore } from '../../store/context';
import { isBusy } from '../../store/selectors';
import { useAppInfo } from '../app-info';
import { NOT_RUN, serviceCall } from '../service-call';

const TITLES: Readonly<Record<VerifyReport['outcome'], string>> = {
  started: 'The copy started (paused), then was removed',
  refused: 'libvirt or QEMU refused the copy',
  untestable: 'It could not be tested here',
};

const VARIANTS: Readonly<Record<VerifyReport['outcome'], 'success' | 'danger' | 'warning'>> = {
  started: 'success',
  refused: 'danger',
  untestable: 'warning',
};

/** The engine's prediction next to what happened, in words. */
function predictionWords(r: VerifyReport): string | null {
  if (r.agrees === null) return null;
  const rules = r.prediction.findings.filter((f) => f.severity === 'error').map((f) => f.rule);
  const predicted = r.prediction.refuses ? `The wizard predicted a refusal (${rules.join(', ')})` : 'The wizard predicted a start';
  return r.agrees ? `${predicted}, and that is what happened.` : `${predicted}, but libvirt and QEMU did otherwise:`;
}

function Report({ r }: { r: VerifyReport }) {
  const prediction = predictionWords(r);
  const refused = r.attempts.filter((a) => !a.started);
  return (
    <Alert component="h3" variant={VARIANTS[r.outcome]} isInline title={TITLES[r.outcome]} data-testid="test-start-result">
      <Content component="p">{r.summary}</Content>
      {refused.map((a) => (
        <Content component="p" key={a.as}>
          {a.as}: refused at {a.stage ?? 'start'}: <code>{a.qemuMessage ?? a.message}</code>
        </Content>
      ))}
      {r.proven.length > 0 && (
        <>
          <Title headingLevel="h4">Proven</Title>
          <List data-testid="test-start-proven">
            {r.proven.map((p) => (
              <ListItem key={p}>{p}</ListItem>
            ))}
          </List>
        </>
      )}
      {r.notProven.length > 0 && (
        <>
          <Title headingLevel="h4">Not proven</Title>
          <List data-testid="test-start-not-proven">
            {r.notProven.map((n) => (
              <ListItem key={n}>{n}</ListItem>
            ))}
          </List>
        </>
      )}
      {prediction && (
        <Content component="p" data-testid="test-start-prediction">
          {prediction}
        </Content>
      )}
      {r.disagreement && (
        <CodeBlock>
          <CodeBlockCode>{r.disagreement}</CodeBlockCode>
        </CodeBlock>
      )}
      {r.changes.length > 0 && (
        <ExpandableSection toggleText={`How the copy differs from the plan (${r.changes.length})`}>
          <List>
            {r.changes.map((c) => (
              <ListItem key={`${c.target} ${c.what}`}>
                <code>{c.target}</code>: {c.what}
              </ListItem>
            ))}
          </List>
        </ExpandableSection>
      )}
    </Alert>
  );
}

/** The button and, once run, the report for exactly the plan it tested (a changed plan hides it). */
export function TestStart({ planned }: { planned: string }) {
  const store = useWizardStore();
  const source = useWizard((s) => s.source);
  const busy = useWizard(isBusy);
  const info = useAppInfo();
  const [report, setReport] = useState<{ xml: string; r: VerifyReport } | null>(null);
  // The domain's own connection, or for a file the connection the app would define into.
  const uri = source?.kind === 'libvirt' ? source.uri : (info?.defaultUri ?? null);
  const current = report?.xml === planned ? report.r : null;
  return (
    <div className="vaw-test-start">
      <Button
        variant="secondary"
        isDisabled={busy || !uri}
        data-testid="test-start"
        onClick={() =>
          uri &&
          void serviceCall(store, `Test start: a throwaway copy on ${uri}`, () => api.verifyDomain({ uri, xml: planned })).then((r) => {
            if (r !== NOT_RUN) setReport({ xml: planned, r });
          })
        }
      >
        Test start{uri ? ` on ${uri}` : ''}
      </Button>{' '}
      <span className="vaw-muted">
        A copy with another name and empty disks is started paused and removed again; nothing of yours is touched.
      </span>
      {current && <Report r={current} />}
    </div>
  );
}
