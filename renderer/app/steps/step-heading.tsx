/**
 * A step's heading with one line of purpose. Apart from step-parts.tsx, whose Alert the Start step does not show:
 * Alert's stylesheet then stays off the first screen (bench: ui.navigation-to-first-step).
 */
import { Content, Title } from '@patternfly/react-core';
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
