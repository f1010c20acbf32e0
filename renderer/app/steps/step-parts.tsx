/** Pieces every step uses: its heading with one line of purpose, and what it shows when nothing can be shown. */
import { Alert, Content, Title } from '@patternfly/react-core';
import type { ReactNode } from 'react';

export function StepHeading({ id, title, children }: { id: string; title: string; children?: ReactNode }) {
  return (
    <header className="vaw-step-heading">
      <Title headingLevel="h2" id={id}>
        {title}
      </Title>
      {children && <Content component="p">{children}</Content>}
    </header>
  );
}

export function NotLoaded({ problem }: { problem: string }) {
  return <Alert component="h3" variant="warning" isInline title={problem} role="alert" />;
}
