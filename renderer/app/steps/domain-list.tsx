/**
 * The domains a libvirt connection listed on the Start step, each a button that reads it, with its state. Loaded
 * after the first screen (deferred-views.ts): it is the Start step's only Label, whose stylesheet would otherwise
 * be parsed before the step shows (bench: ui.navigation-to-first-step).
 */
import { Button, Label, List, ListItem } from '@patternfly/react-core';

export interface DomainListProps {
  readonly uri: string;
  readonly list: readonly { name: string; state: string }[];
  readonly busy: boolean;
  readonly onOpen: (name: string) => void;
}

export function DomainList({ uri, list, busy, onOpen }: DomainListProps) {
  return (
    <List isPlain aria-label={`Domains on ${uri}`} className="vaw-choices">
      {list.length === 0 && <ListItem>No domains on this connection.</ListItem>}
      {list.map((d) => (
        <ListItem key={d.name}>
          <Button variant="link" isInline isDisabled={busy} onClick={() => onOpen(d.name)} data-testid={`domain-${d.name}`}>
            {d.name}
          </Button>{' '}
          <Label isCompact>{d.state}</Label>
        </ListItem>
      ))}
    </List>
  );
}
