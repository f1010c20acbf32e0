/** Step 3: which confidential VM technology, with the ones this platform or host cannot run disabled and why. */
import { useEffect, useId } from 'react';
import type { DomainFacts, HostFacts, SecureType } from '../../../src/contracts/facts';
import { describePolicy, plannedPolicy } from '../../../src/engine';
import * as api from '../../api';
import { useDerived } from '../../store/derived';
import { useWizard } from '../../store/store';
import { serviceCall } from '../service-call';
import { HostCaps } from './host-caps';
import { NotLoaded, StepNav } from './step-nav';

const OPTIONS: readonly { value: SecureType; label: string; arch: readonly string[]; about: string }[] = [
  { value: 'none', label: 'None (ordinary VM)', arch: [], about: 'No memory encryption; iommu only where a vIOMMU must isolate a device.' },
  {
    value: 'sev',
    label: 'AMD SEV',
    arch: ['x86_64'],
    about: 'Guest memory encrypted with a per-VM key. Needs the host cbitpos and reducedPhysBits.',
  },
  {
    value: 'sev-es',
    label: 'AMD SEV-ES',
    arch: ['x86_64'],
    about: 'SEV plus encrypted CPU register state (policy bit 2, ES). QEMU ≥ 6.0.',
  },
  { value: 'sev-snp', label: 'AMD SEV-SNP', arch: ['x86_64'], about: 'SEV-ES plus memory integrity. libvirt ≥ 10.5, QEMU ≥ 9.1.' },
  { value: 'tdx', label: 'Intel TDX', arch: ['x86_64'], about: 'Trust domains on Intel CPUs. libvirt ≥ 11.6, QEMU ≥ 10.1.' },
  {
    value: 's390-pv',
    label: 'IBM s390 Protected Virtualization',
    arch: ['s390x'],
    about: 'Secure execution on IBM z15 / LinuxONE III and newer.',
  },
  {
    value: 'pef',
    label: 'IBM POWER PEF',
    arch: ['ppc64', 'ppc64le'],
    about: 'Secure VMs on POWER; libvirt has no element, so every device gets iommu=on.',
  },
];

function hostSupport(t: SecureType, h: HostFacts): 'yes' | 'no' | 'unknown' {
  if (t === 'sev' || t === 'sev-es') return h.sev.supported;
  if (t === 'sev-snp') return h.sevSnp;
  if (t === 'tdx') return h.tdx;
  if (t === 's390-pv') return h.s390pv;
  return 'unknown';
}

/** Why an option cannot be chosen here, or null. */
export function disabledReason(o: (typeof OPTIONS)[number], f: DomainFacts, h: HostFacts): string | null {
  if (o.arch.length > 0 && !o.arch.includes(String(f.arch))) return `needs a ${o.arch.join('/')} guest; this one is ${String(f.arch)}`;
  if (hostSupport(o.value, h) === 'no') return 'the host reports no support (virsh domcapabilities)';
  return null;
}

/** The policy the domain has (or the plan will write) for the chosen type, bit by bit. */
function PolicyNote({ type, current }: { type: SecureType; current: string }) {
  const planned = plannedPolicy(type);
  const existing = current !== 'unknown' ? describePolicy(type, current) : null;
  if (existing) {
    return (
      <p data-testid="policy">
        Policy in this domain: <code>{current}</code> — {existing.length > 0 ? existing.join(', ') : 'no bits set'}.
      </p>
    );
  }
  if (!planned) return null;
  return (
    <p data-testid="policy">
      The plan writes policy <code>{planned.value}</code> — {planned.bits.join(', ')}. Edit it in the XML afterwards if you need other bits
      (e.g. NOSEND).
    </p>
  );
}

export function SecureStep() {
  const d = useDerived();
  const secure = useWizard((s) => s.secure);
  const setSecure = useWizard((s) => s.setSecure);
  const host = useWizard((s) => s.host);
  const evidence = useWizard((s) => s.evidence);
  const migration = useWizard((s) => s.migration);
  const setMigration = useWizard((s) => s.setMigration);
  const id = useId();
  useEffect(() => {
    if (evidence.length === 0)
      void serviceCall('Reading host evidence', async () => useWizard.getState().setEvidence(await api.hostEvidence()));
  }, [evidence.length]);
  if (!d.ok) return <NotLoaded problem={d.problem} />;
  const current = d.facts.launchSecurity.present ? d.facts.launchSecurity.type : 'none';
  const chosen = secure === 'keep' ? current : secure;
  return (
    <section aria-labelledby="secure-title">
      <h2 id="secure-title">Secure VM</h2>
      <fieldset>
        <legend>Confidential VM technology</legend>
        {OPTIONS.map((o) => {
          const reason = disabledReason(o, d.facts, host);
          return (
            <div key={o.value} className="option">
              <input
                type="radio"
                id={`${id}-${o.value}`}
                name={`${id}-secure`}
                value={o.value}
                checked={chosen === o.value}
                disabled={reason !== null}
                onChange={() => setSecure(o.value === current ? 'keep' : o.value)}
                aria-describedby={`${id}-${o.value}-about`}
              />
              <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
              <p id={`${id}-${o.value}-about`} className="muted">
                {o.about}
                {reason && <span className="reason"> Not available: {reason}.</span>}
                {!reason && o.value !== 'none' && hostSupport(o.value, host) === 'unknown' && o.value !== 'pef' && (
                  <span> Host support unknown: load the domain from libvirt to check.</span>
                )}
              </p>
            </div>
          );
        })}
      </fieldset>
      <HostCaps />
      {(chosen === 'sev' || chosen === 'sev-es' || chosen === 'sev-snp') && (
        <p>
          Host values for &lt;launchSecurity&gt;: cbitpos <strong>{String(host.sev.cbitpos)}</strong>, reducedPhysBits{' '}
          <strong>{String(host.sev.reducedPhysBits)}</strong>.
        </p>
      )}
      <PolicyNote
        type={chosen}
        current={d.facts.launchSecurity.present && chosen === current ? d.facts.launchSecurity.policy : 'unknown'}
      />
      <fieldset>
        <legend>Must this VM live-migrate?</legend>
        {(['unknown', true, false] as const).map((m) => (
          <label key={String(m)} className="inline">
            <input type="radio" name={`${id}-migration`} checked={migration === m} onChange={() => setMigration(m)} />{' '}
            {m === 'unknown' ? 'Not decided' : m ? 'Yes' : 'No'}
          </label>
        ))}
      </fieldset>
      {evidence.length > 0 && (
        <details>
          <summary>Host evidence ({evidence.length})</summary>
          <ul>
            {evidence.map((e) => (
              <li key={`${e.fact}-${e.source}`}>
                {e.fact} = {e.value} <span className="muted">({e.source})</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      <StepNav step="secure" />
    </section>
  );
}
