/**
 * While a service call runs: what it does, a spinner, the seconds it has taken so far, and Cancel when the call
 * can be stopped (its virsh is killed). A write that cannot be stopped halfway says so instead.
 */
import { Alert, Button, Spinner } from '@patternfly/react-core';
import { useEffect, useState } from 'react';
import { useWizard } from '../store/context';

function useSecondsSince(start: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (start === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [start]);
  return start === null ? 0 : Math.max(0, Math.floor((now - start) / 1000));
}

export function BusyBanner() {
  const busy = useWizard((s) => s.busy);
  const seconds = useSecondsSince(busy?.startedAt ?? null);
  if (!busy) return null;
  return (
    <Alert
      component="h2"
      variant="info"
      isInline
      isPlain
      customIcon={<Spinner size="md" aria-hidden />}
      title={`${busy.label}…`}
      data-testid="busy"
      actionLinks={
        busy.cancel ? (
          <Button variant="secondary" size="sm" onClick={busy.cancel} data-testid="cancel-call">
            Cancel
          </Button>
        ) : undefined
      }
    >
      <span role="status" data-testid="busy-elapsed">
        {seconds} s so far.{' '}
        {busy.cancel ? 'Cancel stops it; nothing is changed.' : 'A write is not stopped halfway; it ends by itself within two minutes.'}
      </span>
    </Alert>
  );
}
