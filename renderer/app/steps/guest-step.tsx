/** Step 5: the guest OS (osinfo-db), whose drivers decide whether ACCESS_PLATFORM can be negotiated at all. */
import {
  Button,
  Content,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  List,
  ListItem,
  TextInput,
} from '@patternfly/react-core';
import { useEffect, useId, useState } from 'react';
import { guestWithKernel, UNKNOWN, type GuestFacts } from '../../../src/contracts/facts';
import type { OsChoice } from '../../../src/contracts/ipc';
import { formatVersion, parseVersion } from '../../../src/contracts/version';
import * as api from '../../api';
import { useWizard, useWizardStore } from '../../store/context';
import { useDerived } from '../../store/derived';
import { isBusy } from '../../store/selectors';
import type { WizardStore } from '../../store/store';
import { NOT_RUN, serviceCall } from '../service-call';
import { StepHeading } from './step-heading';
import { NotLoaded } from './step-parts';

/** Looks an osinfo id up and makes it the guest; osinfo-db knows no kernel versions, so a typed one stays. */
function chooseGuest(store: WizardStore, id: string, background: boolean): void {
  void serviceCall(store, 'Reading the guest OS from osinfo-db', () => api.guestFacts({ id }), { background }).then((g) => {
    if (g === NOT_RUN) return;
    const kernel = store.getState().guest.kernelVersion;
    store.getState().setGuest(guestWithKernel(g, kernel === UNKNOWN ? null : kernel));
  });
}

/** The guest kernel (from `uname -r` in the guest); checks that depend on it say so when it is unknown. */
function KernelVersion() {
  const guest = useWizard((s) => s.guest);
  const store = useWizardStore();
  const [text, setText] = useState(guest.kernelVersion === 'unknown' ? '' : formatVersion(guest.kernelVersion));
  const id = useId();
  const parsed = text.trim() ? parseVersion(text) : null;
  return (
    <FormGroup label="Guest kernel version, if known (uname -r in the guest)" fieldId={`${id}-kernel`}>
      <TextInput
        id={`${id}-kernel`}
        value={text}
        placeholder="6.1.0-18-amd64"
        validated={text.trim() !== '' && !parsed ? 'warning' : 'default'}
        onChange={(_e, value) => {
          setText(value);
          const v = value.trim() ? parseVersion(value) : null;
          store.getState().setGuest(guestWithKernel(store.getState().guest, v));
        }}
      />
      <FormHelperText>
        <HelperText>
          <HelperTextItem variant={text.trim() !== '' && !parsed ? 'warning' : 'default'}>
            {text.trim() === ''
              ? 'Unknown: checks that need it say so.'
              : parsed
                ? `Read as ${formatVersion(parsed)}.`
                : 'Not a version number; treated as unknown.'}
          </HelperTextItem>
        </HelperText>
      </FormHelperText>
    </FormGroup>
  );
}

function virtio1Words(v: GuestFacts['virtio1']): string {
  return v === 'yes' ? 'yes' : v === 'no' ? 'no (legacy only)' : 'not recorded in osinfo-db';
}

export function GuestStep() {
  const d = useDerived();
  const guest = useWizard((s) => s.guest);
  const busy = useWizard(isBusy);
  const store = useWizardStore();
  const [text, setText] = useState('');
  const [hits, setHits] = useState<readonly OsChoice[] | null>(null);
  const id = useId();
  const osinfoId = d.ok ? d.facts.osinfoId : 'unknown';
  useEffect(() => {
    // The domain's own <libosinfo:os id=...> is the default guest.
    if (osinfoId !== 'unknown' && store.getState().guest.osinfoId === 'unknown') chooseGuest(store, osinfoId, true);
  }, [osinfoId, store]);
  if (!d.ok) return <NotLoaded problem={d.problem} />;
  const search = () =>
    void serviceCall(store, 'Searching osinfo-db', () => api.searchOs({ text, limit: 20 })).then((r) => {
      if (r !== NOT_RUN) setHits(r);
    });
  const name =
    guest.name !== 'unknown'
      ? guest.name
      : guest.osinfoId !== 'unknown'
        ? `${guest.osinfoId} (not in this machine's osinfo-db)`
        : 'not known';
  return (
    <section aria-labelledby="guest-title">
      <StepHeading id="guest-title" title="Guest">
        A guest without VIRTIO 1.0 drivers cannot accept ACCESS_PLATFORM (bit 33 is beyond the 32 bits legacy drivers know), so it can never
        be a confidential VM.
      </StepHeading>
      <DescriptionList isHorizontal isCompact aria-label="Guest">
        <DescriptionListGroup>
          <DescriptionListTerm>Guest OS</DescriptionListTerm>
          <DescriptionListDescription data-testid="guest-name">{name}</DescriptionListDescription>
        </DescriptionListGroup>
        {guest.osinfoId !== 'unknown' && (
          <DescriptionListGroup>
            <DescriptionListTerm>VIRTIO 1.0 drivers</DescriptionListTerm>
            <DescriptionListDescription>{virtio1Words(guest.virtio1)}</DescriptionListDescription>
          </DescriptionListGroup>
        )}
      </DescriptionList>
      <Form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          search();
        }}
      >
        <FormGroup label="Find the guest OS" fieldId={`${id}-q`}>
          <div className="vaw-inline-form">
            <TextInput id={`${id}-q`} value={text} onChange={(_e, v) => setText(v)} placeholder="debian 12, windows 11, rhel 9" />
            <Button type="submit" variant="secondary" isDisabled={busy}>
              Search
            </Button>
          </div>
        </FormGroup>
      </Form>
      {hits && hits.length === 0 && <Content component="p">osinfo-db knows no OS matching “{text}”.</Content>}
      {hits && hits.length > 0 && (
        <List isPlain aria-label="Matching operating systems" className="vaw-choices">
          {hits.map((h) => (
            <ListItem key={h.id}>
              <Button variant="link" isInline onClick={() => chooseGuest(store, h.id, false)}>
                {h.name}
              </Button>{' '}
              <span className="vaw-muted">
                {h.family}, {h.releaseDate ?? 'no release date'}, VIRTIO 1.0: {h.virtio1}
              </span>
            </ListItem>
          ))}
        </List>
      )}
      <Form onSubmit={(e) => e.preventDefault()}>
        <KernelVersion />
      </Form>
    </section>
  );
}
