/** Step 2: the platform as libvirt will build it — arch, machine, and each virtio device's transport and model. */
import type { DeviceFacts, VirtioModel } from '../../../src/contracts/facts';
import { hasModelChoice } from '../../../src/engine';
import { useDerived } from '../../store/derived';
import { useWizard } from '../../store/store';
import { NotLoaded, StepNav } from './step-nav';

/** What the transport/model combination means for ACCESS_PLATFORM, in one sentence. */
export function implication(d: DeviceFacts): string {
  if (d.transport === 'mmio') return 'virtio-mmio: QEMU runs it in legacy mode, so it can never offer ACCESS_PLATFORM.';
  if (d.transport === 'ccw') return 'virtio-ccw: ACCESS_PLATFORM only means "use the DMA API" here; required for Protected Virtualization.';
  if (d.virtioModel === 'virtio-transitional')
    return 'Transitional: keeps the legacy interface, which cannot carry ACCESS_PLATFORM (QEMU refuses iommu=on).';
  if (d.virtioModel === 'virtio-non-transitional') return 'Non-transitional: modern only, can offer ACCESS_PLATFORM anywhere on PCI.';
  if (d.slot === 'pci')
    return "model='virtio' on a conventional PCI slot is transitional, unless QEMU's confidential-VM default makes it modern.";
  if (d.slot === 'pcie') return "model='virtio' on a PCIe slot is modern: it can offer ACCESS_PLATFORM.";
  return 'Placement unknown.';
}

const MODEL_LABELS: Record<VirtioModel, string> = {
  virtio: 'virtio',
  'virtio-transitional': 'virtio-transitional',
  'virtio-non-transitional': 'virtio-non-transitional',
};

function ModelChoice({ device }: { device: DeviceFacts }) {
  const setModel = useWizard((s) => s.setModel);
  if (!hasModelChoice(device)) return <>{String(device.virtioModel)}</>;
  return (
    <select
      aria-label={`Virtio model of ${device.label}`}
      value={String(device.virtioModel)}
      onChange={(e) => setModel(device.target, e.target.value as VirtioModel)}
    >
      {(Object.keys(MODEL_LABELS) as VirtioModel[]).map((m) => (
        <option key={m} value={m}>
          {MODEL_LABELS[m]}
        </option>
      ))}
    </select>
  );
}

export function PlatformStep() {
  const d = useDerived();
  if (!d.ok) return <NotLoaded problem={d.problem} />;
  const f = d.facts;
  const virtio = f.devices.filter((x) => x.virtio);
  return (
    <section aria-labelledby="platform-title">
      <h2 id="platform-title">Platform</h2>
      <dl className="facts">
        <dt>Domain</dt>
        <dd>{String(f.name)}</dd>
        <dt>Architecture</dt>
        <dd>{String(f.arch)}</dd>
        <dt>Machine</dt>
        <dd>
          {String(f.machine.raw)}
          {f.machine.version !== 'unknown' && (
            <span className="muted">
              {' '}
              (implies QEMU ≥ {f.machine.version.major}.{f.machine.version.minor})
            </span>
          )}
        </dd>
        <dt>Confidential VM</dt>
        <dd>{f.launchSecurity.present ? f.launchSecurity.type : 'none'}</dd>
      </dl>
      <table>
        <caption>Virtio devices ({virtio.length}), including the ones libvirt adds itself</caption>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Transport</th>
            <th scope="col">Model</th>
            <th scope="col">iommu</th>
            <th scope="col">What it implies</th>
          </tr>
        </thead>
        <tbody>
          {virtio.map((x) => (
            <tr key={x.target}>
              <th scope="row">{x.label}</th>
              <td>
                {String(x.transport)}
                {x.transport === 'pci' && x.slot !== 'unknown' ? ` (${x.slot === 'pcie' ? 'PCIe' : 'conventional'})` : ''}
              </td>
              <td>
                <ModelChoice device={x} />
              </td>
              <td>{x.driver.iommu}</td>
              <td>{implication(x)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        A model you change here is your own edit, shown in the diff on Review. If it cannot work with the rest (a transitional device in a
        confidential VM), Review says so and the plan changes it back.
      </p>
      <StepNav step="platform" />
    </section>
  );
}
