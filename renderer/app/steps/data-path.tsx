/**
 * The data path of the chosen configuration, drawn live: guest driver → DMA API (and SWIOTLB bounce buffers in
 * shared memory for a confidential VM) → the device in QEMU or vhost (with or without a device IOTLB).
 */
import type { Backend, DomainFacts, SecureType } from '../../../src/contracts/facts';

export interface PathModel {
  readonly dmaApi: boolean;
  readonly bounce: boolean;
  readonly iotlb: boolean;
  readonly backend: Backend | 'unknown';
  readonly broken: string | null;
}

/** What the picture shows for the first virtio device (the typical disk or NIC). */
export function pathModel(f: DomainFacts, secure: SecureType, backend: Backend | 'unknown', iommuAfterPlan: boolean): PathModel {
  const confidential = secure !== 'none';
  const dmaApi = iommuAfterPlan || confidential;
  return {
    dmaApi,
    bounce: confidential && iommuAfterPlan,
    iotlb: iommuAfterPlan && f.viommu.model !== 'none' && (backend === 'vhost-kernel' || backend === 'vhost-user'),
    backend,
    broken:
      confidential && !iommuAfterPlan ? 'The device reads guest-physical memory the host cannot decrypt: the guest refuses it.' : null,
  };
}

function Box({ x, label, sub, tone }: { x: number; label: string; sub?: string; tone: 'guest' | 'shared' | 'host' | 'bad' }) {
  return (
    <g>
      <rect x={x} y={30} width={150} height={64} rx={8} className={`box ${tone}`} />
      <text x={x + 75} y={58} textAnchor="middle" className="box-label">
        {label}
      </text>
      {sub && (
        <text x={x + 75} y={78} textAnchor="middle" className="box-sub">
          {sub}
        </text>
      )}
    </g>
  );
}

export function DataPath({ model }: { model: PathModel }) {
  const device =
    model.backend === 'vhost-kernel'
      ? 'vhost (host kernel)'
      : model.backend === 'vhost-user'
        ? 'vhost-user process'
        : model.backend === 'vdpa'
          ? 'vDPA hardware'
          : 'QEMU device';
  const summary = [
    'Guest driver',
    model.dmaApi ? 'DMA API' : 'guest-physical addresses',
    model.bounce ? 'SWIOTLB bounce buffer in shared memory' : null,
    `${device}${model.iotlb ? ' with device IOTLB' : ''}`,
  ]
    .filter(Boolean)
    .join(' → ');
  return (
    <figure className="data-path">
      <svg viewBox="0 0 700 130" role="img" aria-labelledby="dp-title">
        <title id="dp-title">Data path: {summary}</title>
        <Box x={10} label="Guest driver" sub="virtio-blk / -net" tone="guest" />
        <Box
          x={185}
          label={model.dmaApi ? 'DMA API' : 'No DMA API'}
          sub={model.dmaApi ? 'addresses for the device' : 'guest-physical addresses'}
          tone="guest"
        />
        <Box
          x={360}
          label={model.bounce ? 'SWIOTLB' : 'Guest memory'}
          sub={model.bounce ? 'shared (decrypted) bounce buffer' : 'read directly'}
          tone={model.broken ? 'bad' : model.bounce ? 'shared' : 'guest'}
        />
        <Box x={535} label={device} sub={model.iotlb ? 'device IOTLB: slow' : 'direct'} tone="host" />
        {[160, 335, 510].map((x) => (
          <line key={x} x1={x} y1={62} x2={x + 25} y2={62} className="arrow" markerEnd="url(#dp-arrow)" />
        ))}
        <defs>
          <marker id="dp-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" className="arrow-head" />
          </marker>
        </defs>
      </svg>
      <figcaption>
        {summary}
        {model.broken && <strong className="bad-text"> {model.broken}</strong>}
      </figcaption>
    </figure>
  );
}
