/** Step 4: the backend behind each virtio device, with what each costs under ACCESS_PLATFORM. */
import { Content, Form, FormGroup, FormHelperText, FormSelect, FormSelectOption, HelperText, HelperTextItem } from '@patternfly/react-core';
import { useId } from 'react';
import type { Backend } from '../../../src/contracts/facts';
import { BACKEND_NOTES, BACKEND_UNSTATED, backendsFor } from '../../../src/engine';
import { useWizard, useWizardStore } from '../../store/context';
import { useDerived } from '../../store/derived';
import { StepHeading } from './step-heading';
import { NotLoaded } from './step-parts';

export function BackendsStep() {
  const d = useDerived();
  const backends = useWizard((s) => s.backends);
  const store = useWizardStore();
  const id = useId();
  if (!d.ok) return <NotLoaded problem={d.problem} />;
  const devices = d.facts.devices.filter((x) => x.virtio && !x.implicit);
  return (
    <section aria-labelledby="backends-title">
      <StepHeading id="backends-title" title="Backends">
        What serves each device decides whether ACCESS_PLATFORM is cheap, slow, or impossible. The choice here is what you plan to run; it
        changes the findings, not the XML.
      </StepHeading>
      <Form isHorizontal onSubmit={(e) => e.preventDefault()}>
        {devices.map((x, i) => {
          const value = backends[x.target] ?? x.backend;
          return (
            <FormGroup key={x.target} label={x.label} fieldId={`${id}-${i}`}>
              <FormSelect
                id={`${id}-${i}`}
                value={value}
                onChange={(_e, v) => store.getState().setBackend(x.target, v === 'unknown' ? null : (v as Backend))}
              >
                {value === 'unknown' && <FormSelectOption value="unknown" label="not stated (libvirt decides)" />}
                {[...new Set([...backendsFor(x), ...(value !== 'unknown' ? [value] : [])])].map((b) => (
                  <FormSelectOption key={b} value={b} label={b} />
                ))}
              </FormSelect>
              <FormHelperText>
                <HelperText>
                  <HelperTextItem>{value === 'unknown' ? BACKEND_UNSTATED : BACKEND_NOTES[value]}</HelperTextItem>
                </HelperText>
              </FormHelperText>
            </FormGroup>
          );
        })}
      </Form>
      {devices.length === 0 && <Content component="p">This domain has no virtio device of its own to choose a backend for.</Content>}
    </section>
  );
}
