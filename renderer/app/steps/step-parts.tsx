/** What a step after Start shows when nothing can be shown (its heading is in step-heading.tsx). */
import { Alert } from '@patternfly/react-core';

export function NotLoaded({ problem }: { problem: string }) {
  return <Alert component="h3" variant="warning" isInline title={problem} role="alert" />;
}
