/**
 * Step 2: which confidential VM technology. What stands in the way of each comes from the engine
 * (technology-options.ts): an option that cannot work here is disabled with the reason, and never stays
 * selected; for the chosen one, what the plan still needs is said right there, with the control that gives it.
 */
import {
  Alert,
  Content,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  ExpandableSection,
  FormGroup,
  List,
  ListItem,
  Radio,
} from '@patternfly/react-core';
import { useEffect, useId, useMemo } from 'react';
import type { HostFacts, SecureType } from '../../../src/contracts/facts';
import type { Finding } from '../../../src/contracts/findings';
import { formatVersion } from '../../../src/contracts/version';
import { availability, describePolicy, plannedPolicy, TECHNOLOGIES, type Availability, type Technology } from '../../../src/engine';
import * as api from '../../api';
import { useWizard, useWizardStore } from '../../store/context';
import { useDerived } from '../../store/derived';
import { NOT_RUN, serviceCall } from '../service-call';
import { HostCaps } from './host-caps';
import { StepHeading } from './step-heading';
import { NotLoaded } from './step-parts';

/** The policy the domain has (or the plan will write) for the chosen type, bit by bit. */
function PolicyNote({ type, current }: { type: SecureType; current: string }) {
  const planned = plannedPolicy(type);
  const existing = current !== 'unknown' ? describePolicy(type, current) : null;
  if (existing) {
    return (
      <Content component="p" data-testid="policy">
        Policy in this domain: <code>{current}</code> — {existing.length > 0 ? existing.join(', ') : 'no bits set'}.
      </Content>
    );
  }
  if (!planned) return null;
  return (
    <Content component="p" data-testid="policy">
      The plan writes policy <code>{planned.value}</code> — {planned.bits.join(', ')}. Edit it in the XML afterwards if you need other bits
      (e.g. NOSEND).
    </Content>
  );
}

/** What this host runs, as far as it is known: the versions the engine's version findings compare against. */
function HostVersions({ host }: { host: HostFacts }) {
  const v = (f: HostFacts['libvirtVersion']) => (f.kind === 'unknown' ? 'not known' : formatVersion(f.version));
  return (
    <DescriptionList isHorizontal isCompact aria-label="This host" className="vaw-host-versions">
      <DescriptionListGroup>
        <DescriptionListTerm>libvirt here</DescriptionListTerm>
        <DescriptionListDescription>{v(host.libvirtVersion)}</DescriptionListDescription>
      </DescriptionListGroup>
      <DescriptionListGroup>
        <DescriptionListTerm>QEMU here</DescriptionListTerm>
        <DescriptionListDescription>{v(host.qemuVersion)}</DescriptionListDescription>
      </DescriptionListGroup>
    </DescriptionList>
  );
}

/**
 * For the chosen technology: what the plan still needs (the engine's reasons it cannot be written yet, and the
 * facts availability is missing), where the user is, with the control that gives the host's values; and what
 * no domain XML can do, which stays the host's job.
 */
function StillNeeded({ tech, open, blockers }: { tech: Technology; open: Availability; blockers: readonly Finding[] }) {
  // A blocker without edits is what the plan cannot do by itself: its fix says what it still needs.
  const needs = blockers.map((f) => (f.fix.edits.length === 0 ? f.fix.text : f.title));
  return (
    <>
      {needs.length > 0 && (
        <Alert component="h3" variant="warning" isInline title={`What the plan for ${tech.name} still needs`} data-testid="still-needed">
          <List>
            {needs.map((n) => (
              <ListItem key={n}>{n}</ListItem>
            ))}
          </List>
          <Content component="p">The host that will run the guest answers this with its domain capabilities:</Content>
          <HostCaps primary />
        </Alert>
      )}
      {open.status === 'unknown' && (
        <Content component="p" className="vaw-muted" data-testid="not-known">
          Not known yet (the host that runs the guest decides): {open.reasons.join('; ')}.
        </Content>
      )}
      {tech.hostJobs.length > 0 && (
        <ExpandableSection toggleText={`What stays the host's job for ${tech.name} (${tech.hostJobs.length})`}>
          <List>
            {tech.hostJobs.map((j) => (
              <ListItem key={j}>{j}</ListItem>
            ))}
          </List>
        </ExpandableSection>
      )}
    </>
  );
}

export function SecureStep() {
  const d = useDerived();
  const store = useWizardStore();
  const secure = useWizard((s) => s.secure);
  const host = useWizard((s) => s.host);
  const hostProblem = useWizard((s) => s.hostProblem);
  const evidence = useWizard((s) => s.evidence);
  const migration = useWizard((s) => s.migration);
  const dropped = useWizard((s) => s.dropped);
  const id = useId();
  useEffect(() => {
    if (evidence.length === 0)
      void serviceCall(store, 'Reading host evidence', () => api.hostEvidence(), { background: true }).then((e) => {
        if (e !== NOT_RUN) store.getState().setEvidence(e);
      });
  }, [evidence.length, store]);
  const facts = d.ok ? d.facts : null;
  const options = useMemo(
    () => (facts ? TECHNOLOGIES.map((tech) => ({ tech, open: availability(tech.type, facts, host) })) : []),
    [facts, host],
  );
  // The type the domain has now, from <launchSecurity> or from an object in <qemu:commandline>.
  const current = facts?.launchSecurity.type ?? 'none';
  const chosenOption = options.find((o) => o.tech.type === secure);
  // A choice that became impossible (the host's capabilities arrived and say no) does not stay selected.
  useEffect(() => {
    if (secure !== 'keep' && chosenOption?.open.status === 'unavailable')
      store.getState().dropSecure(chosenOption.tech.name, chosenOption.open.reasons.join('; '));
  }, [secure, chosenOption, store]);
  if (!d.ok) return <NotLoaded problem={d.problem} />;
  const chosen = secure === 'keep' ? current : secure;
  const option = options.find((o) => o.tech.type === chosen);
  // The host-values control sits in "what the plan still needs" when the plan needs them, folded below otherwise.
  const showsHostControl = option !== undefined && option.tech.type !== 'none' && d.plan.impossible.length > 0;
  return (
    <section aria-labelledby="secure-title">
      <StepHeading id="secure-title" title="Secure VM">
        What should this VM become? A technology that cannot work for this domain or host is disabled, with the reason.
      </StepHeading>
      {dropped && (
        <Alert component="h3" variant="info" isInline title={`${dropped.name} is no longer possible here`} data-testid="dropped-choice">
          {dropped.reason}. The goal went back to keeping the domain as it is.
        </Alert>
      )}
      <FormGroup role="radiogroup" isStack label="Confidential VM technology" fieldId={`${id}-group`} className="vaw-tech-options">
        {options.map(({ tech, open }) => (
          <Radio
            key={tech.type}
            id={`${id}-${tech.type}`}
            name={`${id}-secure`}
            label={tech.name}
            isChecked={chosen === tech.type}
            isDisabled={open.status === 'unavailable'}
            onChange={() => store.getState().setSecure(tech.type === current ? 'keep' : tech.type)}
            data-primary-action={chosen === tech.type ? '' : undefined}
            description={
              <>
                {tech.summary}
                {open.status === 'unavailable' && <span className="vaw-reason"> Not available: {open.reasons.join('; ')}.</span>}
              </>
            }
          />
        ))}
      </FormGroup>
      {option && option.tech.type !== 'none' && <StillNeeded tech={option.tech} open={option.open} blockers={d.plan.impossible} />}
      {hostProblem && (
        <Alert component="h3" variant="warning" isInline title="The host's capabilities could not be read" data-testid="host-problem">
          {hostProblem} Without them, the host values and host support stay unknown; read them again below.
        </Alert>
      )}
      <PolicyNote
        type={chosen}
        current={d.facts.launchSecurity.present && chosen === current ? d.facts.launchSecurity.policy : 'unknown'}
      />
      <HostVersions host={host} />
      <FormGroup role="radiogroup" isInline label="Must this VM live-migrate?" fieldId={`${id}-migration`}>
        {(['unknown', true, false] as const).map((m) => (
          <Radio
            key={String(m)}
            id={`${id}-migration-${String(m)}`}
            name={`${id}-migration`}
            label={m === 'unknown' ? 'Not decided' : m ? 'Yes' : 'No'}
            isChecked={migration === m}
            onChange={() => store.getState().setMigration(m)}
          />
        ))}
      </FormGroup>
      {!showsHostControl && (
        <ExpandableSection
          toggleText={
            host.sev.supported !== 'unknown' || host.qemuVersion.kind !== 'unknown'
              ? 'Host capabilities (loaded)'
              : 'Host capabilities (not loaded)'
          }
        >
          <HostCaps primary={false} />
        </ExpandableSection>
      )}
      {evidence.length > 0 && (
        <ExpandableSection toggleText={`What this machine shows (${evidence.length})`}>
          <List isPlain>
            {evidence.map((e) => (
              <ListItem key={`${e.fact}-${e.source}`}>
                {e.fact} = {e.value} <span className="vaw-muted">({e.source})</span>
              </ListItem>
            ))}
          </List>
        </ExpandableSection>
      )}
    </section>
  );
}
