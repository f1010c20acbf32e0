/**
 * Where the host's capabilities come from when the domain was not read from libvirt: a connection (virsh
 * domcapabilities through the services) or a saved `virsh domcapabilities` file, parsed here like `--host-caps`.
 */
import { useId, useState } from 'react';
import { domainTargetOf, mergeHostFacts, parseDomainCapabilities } from '../../../src/host';
import { XmlInputError } from '../../../src/domain-xml';
import * as api from '../../api';
import { ApiError } from '../../api';
import { useWizard } from '../../store/store';
import { serviceCall } from '../service-call';

export function HostCaps() {
  const host = useWizard((s) => s.host);
  const setHost = useWizard((s) => s.setHost);
  const fail = useWizard((s) => s.fail);
  const [uri, setUri] = useState('');
  const id = useId();
  const fromFile = async (file: File) => {
    try {
      setHost(mergeHostFacts(host, parseDomainCapabilities(await file.text(), file.name)));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      fail(
        new ApiError({
          code: 'xml-invalid',
          message: `${file.name}: ${e instanceof XmlInputError ? e.message : message}`,
          hint: "Give the XML printed by 'virsh domcapabilities' on the host that will run the guest.",
        }),
      );
    }
  };
  return (
    <details className="host-caps">
      <summary>
        Host capabilities {host.sev.supported !== 'unknown' || host.qemuVersion.kind !== 'unknown' ? '(loaded)' : '(not loaded)'}
      </summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (uri.trim())
            void serviceCall(`Reading capabilities from ${uri}`, async () =>
              // The capabilities of the loaded domain's own arch, machine and virttype (the services' host-facts assembly).
              setHost(await api.hostCaps({ uri: uri.trim(), ...domainTargetOf(useWizard.getState().text, 'domain.xml') })),
            );
        }}
      >
        <label htmlFor={`${id}-uri`}>From a libvirt connection</label>
        <input id={`${id}-uri`} value={uri} onChange={(e) => setUri(e.target.value)} placeholder="qemu:///system" />
        <button type="submit">Read</button>
      </form>
      <label htmlFor={`${id}-file`}>Or from a saved "virsh domcapabilities" file</label>
      <input
        id={`${id}-file`}
        type="file"
        accept=".xml,text/xml"
        data-testid="host-caps-file"
        onChange={(e) => e.target.files?.[0] && void fromFile(e.target.files[0])}
      />
    </details>
  );
}
