/** What went wrong (the title), what happened and what to do, for every failure; for a conflict, the way out. */
import { Alert, AlertActionCloseButton, AlertActionLink, CodeBlock, CodeBlockCode, ExpandableSection } from '@patternfly/react-core';
import { useState } from 'react';
import { useWizard, useWizardStore } from '../store/context';
import type { Source } from '../store/store';
import { rereadSource, type Rereadable } from './reread-source';
import { NOT_RUN, serviceCall } from './service-call';

/** After a conflict, what to read again (keeping the user's choices), and the button's words. */
function conflictReload(code: string, source: Source | null): { readonly label: string; readonly where: Rereadable } | null {
  if (code === 'domain-changed' && source?.kind === 'libvirt') return { label: `Reload ${source.name} from libvirt`, where: source };
  if (code === 'file-conflict' && source?.kind === 'file') return { label: `Open ${source.path} again`, where: source };
  return null;
}

export function FailureAlert() {
  const failure = useWizard((s) => s.failure);
  const source = useWizard((s) => s.source);
  const store = useWizardStore();
  const [detailOpen, setDetailOpen] = useState(true);
  if (!failure) return null;
  const { error, title } = failure;
  const reload = conflictReload(error.code, source);
  return (
    <Alert
      component="h2"
      variant="danger"
      isInline
      title={title}
      role="alert"
      data-testid="failure"
      actionClose={<AlertActionCloseButton title="Dismiss" aria-label="Dismiss" onClose={() => store.getState().fail(null)} />}
      actionLinks={
        reload ? (
          <AlertActionLink
            onClick={() =>
              void serviceCall(
                store,
                reload.label,
                async (callId) => {
                  const now = await rereadSource(reload.where, callId);
                  return now;
                },
                { channel: reload.where.kind === 'libvirt' ? 'libvirt.read' : 'file.read' },
              ).then((now) => {
                if (now !== NOT_RUN) store.getState().reloaded(now.source, now.text);
              })
            }
          >
            {reload.label}
          </AlertActionLink>
        ) : undefined
      }
    >
      <p>{error.message}</p>
      <p>
        <strong>What to do:</strong> {error.hint}
      </p>
      {error.detail && (
        <ExpandableSection toggleText="What changed" isExpanded={detailOpen} onToggle={(_e, open) => setDetailOpen(open)}>
          <CodeBlock>
            <CodeBlockCode tabIndex={0} aria-label="Details" data-testid="error-detail">
              {error.detail}
            </CodeBlockCode>
          </CodeBlock>
        </ExpandableSection>
      )}
    </Alert>
  );
}
