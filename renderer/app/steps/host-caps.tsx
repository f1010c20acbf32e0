/**
 * Where the host's capabilities come from: the domain's own connection (read again), another connection (virsh
 * domcapabilities through the services), or a saved `virsh domcapabilities` file from the host that will run the
 * guest, parsed here as the CLI parses its host capabilities file.
 */
import { Button, Form, FormGroup, FormHelperText, HelperText, HelperTextItem, TextInput } from '@patternfly/react-core';
import { useId, useState } from 'react';
import { XmlInputError } from '../../../src/domain-xml';
import { domainTargetOf, mergeHostFacts, parseDomainCapabilities } from '../../../src/host';
import * as api from '../../api';
import { ApiError } from '../../api';
import { useWizard, useWizardStore } from '../../store/context';
import { isBusy } from '../../store/selectors';
import { NOT_RUN, serviceCall } from '../service-call';

export function HostCaps({ primary }: { primary: boolean }) {
  const store = useWizardStore();
  const source = useWizard((s) => s.source);
  const busy = useWizard(isBusy);
  const [uri, setUri] = useState('');
  const id = useId();
  const read = (from: string) =>
    void serviceCall(
      store,
      `Reading the host capabilities from ${from}`, // The capabilities of the loaded domain's own arch, machine and virttype (the services' host-facts assembly).
      (callId) => api.hostCaps({ uri: from, ...domainTargetOf(store.getState().text, 'domain.xml') }, callId),
      {
        channel: 'host.caps',
      },
    ).then((host) => {
      if (host !== NOT_RUN) store.getState().setHost(host);
    });
  const fromFile = async (file: File) => {
    try {
      // Another host's capabilities replace what was known: this machine's versions and /sys evidence are not that host's.
      store.getState().setHost(mergeHostFacts(parseDomainCapabilities(await file.text(), file.name)));
    } catch (e) {
      if (!(e instanceof XmlInputError) && !(e instanceof Error)) throw e;
      store.getState().fail({
        title: `${file.name} is not the output of virsh domcapabilities`,
        error: new ApiError({
          code: 'xml-invalid',
          message: `${file.name}: ${e.message}`,
          hint: "Give the XML printed by 'virsh domcapabilities' on the host that will run the guest.",
        }),
      });
    }
  };
  return (
    <Form
      className="vaw-host-caps"
      onSubmit={(e) => {
        e.preventDefault();
        if (uri.trim()) read(uri.trim());
      }}
    >
      <FormGroup label="From a saved “virsh domcapabilities” file of the host that will run the guest" fieldId={`${id}-file`}>
        <input
          id={`${id}-file`}
          type="file"
          accept=".xml,text/xml"
          className="vaw-file-input"
          data-testid="host-caps-file"
          data-primary-action={primary ? '' : undefined}
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void fromFile(f);
          }}
        />
        <FormHelperText>
          <HelperText>
            <HelperTextItem>On that host: virsh domcapabilities &gt; host-caps.xml</HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
      {source?.kind === 'libvirt' && (
        <Button variant="secondary" isDisabled={busy} onClick={() => read(source.uri)}>
          Read them again from {source.uri}
        </Button>
      )}
      <FormGroup label="Or from a libvirt connection" fieldId={`${id}-uri`}>
        <div className="vaw-inline-form">
          <TextInput id={`${id}-uri`} value={uri} onChange={(_e, v) => setUri(v)} placeholder="qemu+ssh://root@host/system" />
          <Button type="submit" variant="secondary" isDisabled={busy || uri.trim() === ''}>
            Read
          </Button>
        </div>
      </FormGroup>
    </Form>
  );
}
