/** Step 4: the backend behind each virtio device, with what each costs under ACCESS_PLATFORM. */
import { useId } from 'react';
import type { Backend, DeviceFacts, VirtioFunction } from '../../../src/contracts/facts';
import { useDerived } from '../../store/derived';
import { useWizard } from '../../store/store';
import { NotLoaded, StepNav } from './step-nav';

export const BACKEND_NOTES: Record<Backend, string> = {
  qemu: 'QEMU emulates the device: supports ACCESS_PLATFORM at negligible cost without a vIOMMU.',
  'vhost-kernel': 'vhost in the host kernel: fast; with a vIOMMU (or QEMU < 6.2) every address goes through a slow device IOTLB.',
  'vhost-user':
    'An external process (DPDK, SPDK, virtiofsd): must offer ACCESS_PLATFORM itself and needs shared memory; unverified in SEV/TDX.',
  vdpa: 'Hardware datapath: handles ACCESS_PLATFORM through the host IOMMU; libvirt recommends page_per_vq.',
};

/** The backends libvirt can give each kind of virtio device (vhost-net for NICs, vhost-vsock, vhost-user and vDPA disks and NICs, virtiofs). */
const BACKENDS_FOR: Partial<Record<VirtioFunction, readonly Backend[]>> = {
  blk: ['qemu', 'vhost-user', 'vdpa'],
  net: ['qemu', 'vhost-kernel', 'vhost-user', 'vdpa'],
  scsi: ['qemu', 'vhost-kernel', 'vhost-user'],
  fs: ['vhost-user', 'qemu'],
  vsock: ['vhost-kernel'],
};

export function backendsFor(d: DeviceFacts): readonly Backend[] {
  return BACKENDS_FOR[d.function] ?? ['qemu'];
}

export function BackendsStep() {
  const d = useDerived();
  const backends = useWizard((s) => s.backends);
  const setBackend = useWizard((s) => s.setBackend);
  const id = useId();
  if (!d.ok) return <NotLoaded problem={d.problem} />;
  const devices = d.facts.devices.filter((x) => x.virtio && !x.implicit);
  return (
    <section aria-labelledby="backends-title">
      <h2 id="backends-title">Backends</h2>
      <p>
        What serves each device decides whether ACCESS_PLATFORM is cheap, slow, or impossible. The choice here is what you plan to run; it
        changes the findings, not the XML.
      </p>
      <ul className="plain">
        {devices.map((x, i) => {
          const value = backends[x.target] ?? x.backend;
          return (
            <li key={x.target} className="option">
              <label htmlFor={`${id}-${i}`}>{x.label}</label>{' '}
              <select
                id={`${id}-${i}`}
                value={value}
                onChange={(e) => setBackend(x.target, e.target.value === 'unknown' ? null : (e.target.value as Backend))}
              >
                {value === 'unknown' && <option value="unknown">not stated (libvirt decides)</option>}
                {[...new Set([...backendsFor(x), ...(value !== 'unknown' ? [value] : [])])].map((b) => (
                  <option key={b} value={b}>
                    {b}
                  </option>
                ))}
              </select>
              <p className="muted">
                {value === 'unknown' ? 'libvirt uses vhost-net for a virtio NIC on KVM when it can.' : BACKEND_NOTES[value]}
              </p>
            </li>
          );
        })}
      </ul>
      <StepNav step="backends" />
    </section>
  );
}
