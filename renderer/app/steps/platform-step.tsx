/** Step 3: the platform as libvirt will build it — arch, machine, and each virtio device's transport and model. */
import {
  Card,
  CardBody,
  CardHeader,
  CardTitle,
  Content,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  FormSelect,
  FormSelectOption,
  Gallery,
  Title,
} from '@patternfly/react-core';
import type { DeviceFacts, VirtioModel } from '../../../src/contracts/facts';
import { deviceStates, type DeviceState, type Tri } from '../../../src/engine';
import { useMemo } from 'react';
import { useWizardStore } from '../../store/context';
import { useDerived } from '../../store/derived';
import { StepHeading } from './step-heading';
import { NotLoaded } from './step-parts';

const MODELS: readonly VirtioModel[] = ['virtio', 'virtio-transitional', 'virtio-non-transitional'];

function ModelChoice({ device, state }: { device: DeviceFacts; state: DeviceState | undefined }) {
  const store = useWizardStore();
  if (!state?.modelChoice) return <>{String(device.virtioModel)}</>;
  return (
    <FormSelect
      aria-label={`Virtio model of ${device.label}`}
      value={String(device.virtioModel)}
      onChange={(_e, v) => store.getState().setModel(device.target, v as VirtioModel)}
    >
      {MODELS.map((m) => (
        <FormSelectOption key={m} value={m} label={m} />
      ))}
    </FormSelect>
  );
}

function transportText(x: DeviceFacts): string {
  const slot = x.transport === 'pci' && x.slot !== 'unknown' ? ` (${x.slot === 'pcie' ? 'PCIe' : 'conventional PCI'})` : '';
  return `${String(x.transport)}${slot}`;
}

const TRI_WORDS: Readonly<Record<Tri, string>> = { yes: 'yes', no: 'no', unknown: 'not known' };

export function PlatformStep() {
  const d = useDerived();
  const states = useMemo(() => (d.ok ? new Map(deviceStates(d.input).map((x) => [x.target, x])) : new Map<string, DeviceState>()), [d]);
  if (!d.ok) return <NotLoaded problem={d.problem} />;
  const f = d.facts;
  const virtio = f.devices.filter((x) => x.virtio);
  return (
    <section aria-labelledby="platform-title">
      <StepHeading id="platform-title" title="Platform">
        How libvirt will build this domain, and what each virtio device&rsquo;s transport and model mean for ACCESS_PLATFORM.
      </StepHeading>
      <DescriptionList isHorizontal isCompact columnModifier={{ default: '1Col', lg: '2Col' }} aria-label="Domain">
        <DescriptionListGroup>
          <DescriptionListTerm>Domain</DescriptionListTerm>
          <DescriptionListDescription>{String(f.name)}</DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>Architecture</DescriptionListTerm>
          <DescriptionListDescription>{String(f.arch)}</DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>Machine</DescriptionListTerm>
          <DescriptionListDescription>
            {String(f.machine.raw)}
            {f.machine.version !== 'unknown' && (
              <span className="vaw-muted">
                {' '}
                (implies QEMU ≥ {f.machine.version.major}.{f.machine.version.minor})
              </span>
            )}
          </DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>Confidential VM</DescriptionListTerm>
          <DescriptionListDescription>
            {f.launchSecurity.type}
            {!f.launchSecurity.present && f.launchSecurity.commandline?.linked ? ' (from <qemu:commandline>)' : ''}
          </DescriptionListDescription>
        </DescriptionListGroup>
      </DescriptionList>
      <Title headingLevel="h3" className="vaw-section-title">
        Virtio devices ({virtio.length}), including the ones libvirt adds itself
      </Title>
      <Gallery hasGutter minWidths={{ default: '100%', md: '300px' }}>
        {virtio.map((x) => {
          const state = states.get(x.target);
          return (
            <Card key={x.target} isCompact aria-label={x.label} data-testid="device-card">
              <CardHeader>
                <CardTitle component="h4">{x.label}</CardTitle>
              </CardHeader>
              <CardBody>
                <DescriptionList isCompact isHorizontal>
                  <DescriptionListGroup>
                    <DescriptionListTerm>Transport</DescriptionListTerm>
                    <DescriptionListDescription>{transportText(x)}</DescriptionListDescription>
                  </DescriptionListGroup>
                  <DescriptionListGroup>
                    <DescriptionListTerm>Model</DescriptionListTerm>
                    <DescriptionListDescription>
                      <ModelChoice device={x} state={state} />
                    </DescriptionListDescription>
                  </DescriptionListGroup>
                  <DescriptionListGroup>
                    <DescriptionListTerm>iommu written</DescriptionListTerm>
                    <DescriptionListDescription>{x.driver.iommu}</DescriptionListDescription>
                  </DescriptionListGroup>
                  {state && (
                    <>
                      <DescriptionListGroup>
                        <DescriptionListTerm>Legacy interface</DescriptionListTerm>
                        <DescriptionListDescription>
                          {TRI_WORDS[state.legacy]} <span className="vaw-muted">({state.legacyBecause})</span>
                        </DescriptionListDescription>
                      </DescriptionListGroup>
                      <DescriptionListGroup>
                        <DescriptionListTerm>Offers ACCESS_PLATFORM</DescriptionListTerm>
                        <DescriptionListDescription>
                          {TRI_WORDS[state.accessPlatform]} <span className="vaw-muted">({state.accessPlatformBecause})</span>
                        </DescriptionListDescription>
                      </DescriptionListGroup>
                    </>
                  )}
                </DescriptionList>
              </CardBody>
            </Card>
          );
        })}
      </Gallery>
      <Content component="p" className="vaw-muted">
        A model you change here is your own edit, shown in the diff on Review. If it cannot work with the rest (a transitional device in a
        confidential VM), Review says so and the plan changes it back.
      </Content>
    </section>
  );
}
