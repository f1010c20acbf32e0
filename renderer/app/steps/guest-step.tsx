/** Step 5: the guest OS (osinfo-db), whose drivers decide whether ACCESS_PLATFORM can be negotiated at all. */
import { useEffect, useId, useState } from 'react';
import { UNKNOWN, type GuestFacts } from '../../../src/contracts/facts';
import type { OsChoice } from '../../../src/contracts/ipc';
import { formatVersion, parseVersion } from '../../../src/contracts/version';
import * as api from '../../api';
import { useDerived } from '../../store/derived';
import { useWizard } from '../../store/store';
import { serviceCall } from '../service-call';
import { NotLoaded, StepNav } from './step-nav';

/** osinfo-db knows no kernel versions: a version the user typed stays when the OS changes. */
function withKernel(g: GuestFacts): GuestFacts {
  return { ...g, kernelVersion: useWizard.getState().guest.kernelVersion };
}

/** The guest kernel (from `uname -r` in the guest): Linux before 4.8 refuses ACCESS_PLATFORM (R-SPEC-03). */
function KernelVersion() {
  const guest = useWizard((s) => s.guest);
  const setGuest = useWizard((s) => s.setGuest);
  const [text, setText] = useState(guest.kernelVersion === 'unknown' ? '' : formatVersion(guest.kernelVersion));
  const id = useId();
  const parsed = text.trim() ? parseVersion(text) : null;
  return (
    <p>
      <label htmlFor={`${id}-kernel`}>Guest kernel version, if known (uname -r in the guest)</label>{' '}
      <input
        id={`${id}-kernel`}
        value={text}
        placeholder="6.1.0-18-amd64"
        aria-describedby={`${id}-kernel-note`}
        onChange={(e) => {
          setText(e.target.value);
          const v = e.target.value.trim() ? parseVersion(e.target.value) : null;
          setGuest({ ...useWizard.getState().guest, kernelVersion: v ?? UNKNOWN });
        }}
      />{' '}
      <span id={`${id}-kernel-note`} className="muted">
        {text.trim() === ''
          ? 'Unknown: checks that need it say so.'
          : parsed
            ? `Read as ${formatVersion(parsed)}.`
            : 'Not a version number; treated as unknown.'}
      </span>
    </p>
  );
}

export function GuestStep() {
  const d = useDerived();
  const guest = useWizard((s) => s.guest);
  const setGuest = useWizard((s) => s.setGuest);
  const [text, setText] = useState('');
  const [hits, setHits] = useState<readonly OsChoice[]>([]);
  const id = useId();
  const osinfoId = d.ok ? d.facts.osinfoId : 'unknown';
  useEffect(() => {
    // The domain's own <libosinfo:os id=...> is the default guest.
    if (osinfoId !== 'unknown' && guest.osinfoId === 'unknown')
      void serviceCall('Looking up the guest OS', async () => setGuest(withKernel(await api.guestFacts({ id: osinfoId }))));
  }, [osinfoId, guest.osinfoId, setGuest]);
  if (!d.ok) return <NotLoaded problem={d.problem} />;
  const search = () => void serviceCall('Searching osinfo-db', async () => setHits(await api.searchOs({ text, limit: 20 })));
  return (
    <section aria-labelledby="guest-title">
      <h2 id="guest-title">Guest</h2>
      <p>
        Current guest:{' '}
        <strong>
          {guest.name !== 'unknown'
            ? guest.name
            : guest.osinfoId !== 'unknown'
              ? `${guest.osinfoId} (not in this host's osinfo-db)`
              : 'not known'}
        </strong>
        {guest.osinfoId !== 'unknown' && (
          <>
            {' '}
            — VIRTIO 1.0 drivers:{' '}
            <strong>{guest.virtio1 === 'yes' ? 'yes' : guest.virtio1 === 'no' ? 'no (legacy only)' : 'not recorded in osinfo-db'}</strong>
          </>
        )}
      </p>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          search();
        }}
      >
        <label htmlFor={`${id}-q`}>Find the guest OS</label>
        <input id={`${id}-q`} value={text} onChange={(e) => setText(e.target.value)} placeholder="debian 12, windows 11, rhel 9" />
        <button type="submit">Search</button>
      </form>
      <KernelVersion />
      {hits.length > 0 && (
        <ul className="plain" aria-label="Matching operating systems">
          {hits.map((h) => (
            <li key={h.id}>
              <button
                type="button"
                onClick={() =>
                  void serviceCall('Reading the guest OS', async () => setGuest(withKernel(await api.guestFacts({ id: h.id }))))
                }
              >
                {h.name}
              </button>{' '}
              <span className="muted">
                {h.family}, {h.releaseDate ?? 'no release date'}, VIRTIO 1.0: {h.virtio1}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">
        A guest without VIRTIO 1.0 drivers cannot accept ACCESS_PLATFORM (bit 33 is beyond the 32 bits legacy drivers know), so it can never
        be a confidential VM.
      </p>
      <StepNav step="guest" />
    </section>
  );
}
