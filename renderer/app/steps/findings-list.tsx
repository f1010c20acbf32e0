/**
 * Findings as a list a reader can scan: most severe first, the same note on several devices told once (naming
 * the devices), each expandable into its explanation, the exact messages, the fix and the sources. Rule ids are
 * there, small, for whoever wants to look them up. Findings the plan fixes are shown as fixed, not as errors.
 */
import { ExpandableSection, Label, List, ListItem } from '@patternfly/react-core';
import CheckCircleIcon from '@patternfly/react-icons/dist/esm/icons/check-circle-icon';
import ExclamationCircleIcon from '@patternfly/react-icons/dist/esm/icons/exclamation-circle-icon';
import ExclamationTriangleIcon from '@patternfly/react-icons/dist/esm/icons/exclamation-triangle-icon';
import InfoCircleIcon from '@patternfly/react-icons/dist/esm/icons/info-circle-icon';
import { useState } from 'react';
import type { Finding } from '../../../src/contracts/findings';
import { groupRepeated, type NoteGroup } from './plan-in-words';

const SEVERITY_WORDS = { error: 'Error', warning: 'Warning', info: 'Note' } as const;

function SeverityIcon({ finding, fixed }: { finding: Finding; fixed: boolean }) {
  if (fixed) return <CheckCircleIcon className="vaw-icon-fixed" aria-label="Fixed by the plan" role="img" />;
  const label = SEVERITY_WORDS[finding.severity];
  if (finding.severity === 'error') return <ExclamationCircleIcon className="vaw-icon-error" aria-label={label} role="img" />;
  if (finding.severity === 'warning') return <ExclamationTriangleIcon className="vaw-icon-warning" aria-label={label} role="img" />;
  return <InfoCircleIcon className="vaw-icon-info" aria-label={label} role="img" />;
}

function where(group: NoteGroup, labels: ReadonlyMap<string, string>): string {
  const names = [...new Set(group.all.map((f) => labels.get(f.target) ?? (f.target === '/domain' ? 'the domain' : f.target)))];
  return names.join(', ');
}

function Details({ f, fixed }: { f: Finding; fixed: boolean }) {
  return (
    <div className="vaw-finding-details">
      {f.explanation.split('\n').map((p, k) => (
        <p key={k}>{p}</p>
      ))}
      {f.messages && f.messages.length > 0 && (
        <>
          <p>What you would see:</p>
          <List>
            {f.messages.map((m) => (
              <ListItem key={m}>
                <code>{m}</code>
              </ListItem>
            ))}
          </List>
        </>
      )}
      <p>
        <strong>{fixed ? 'The plan fixes it:' : 'Fix:'}</strong> {f.fix.text}
      </p>
      {f.sources.length > 0 && (
        <p className="vaw-sources">
          Sources:{' '}
          {f.sources.map((s, k) => (
            <span key={k}>
              {k > 0 && '; '}
              {s.url ? (
                <a href={s.url} target="_blank" rel="noreferrer noopener">
                  {s.key}
                </a>
              ) : (
                s.key
              )}{' '}
              ({s.detail})
            </span>
          ))}
        </p>
      )}
    </div>
  );
}

function FindingItem({ group, labels, fixed }: { group: NoteGroup; labels: ReadonlyMap<string, string>; fixed: boolean }) {
  const [open, setOpen] = useState(false);
  const f = group.first;
  return (
    <li className={`vaw-finding vaw-${fixed ? 'fixed' : f.severity}`} data-rule={f.rule} data-testid="finding">
      <ExpandableSection
        isExpanded={open}
        onToggle={(_e, v) => setOpen(v)}
        toggleContent={
          <span className="vaw-finding-title">
            <SeverityIcon finding={f} fixed={fixed} /> <span>{group.title}</span>{' '}
            <span className="vaw-finding-where">
              ({group.all.length > 1 ? `${group.all.length} devices: ` : ''}
              {where(group, labels)})
            </span>{' '}
            <Label isCompact className="vaw-rule">
              {f.rule}
            </Label>
          </span>
        }
      >
        <Details f={f} fixed={fixed} />
      </ExpandableSection>
    </li>
  );
}

export function FindingsList({
  findings,
  labels,
  fixed = false,
  empty = 'No findings: nothing to fix.',
}: {
  findings: readonly Finding[];
  labels: ReadonlyMap<string, string>;
  fixed?: boolean;
  empty?: string;
}) {
  if (findings.length === 0) return <p>{empty}</p>;
  return (
    <ul className="vaw-findings">
      {groupRepeated(findings, labels).map((g) => (
        <FindingItem key={`${g.first.rule}-${g.first.target}-${g.first.title}`} group={g} labels={labels} fixed={fixed} />
      ))}
    </ul>
  );
}
