/**
 * The data path of one virtio device as the domain will run, drawn from the engine's device state
 * (src/engine/device-state.ts): guest driver → DMA API or guest-physical addresses → SWIOTLB bounce buffers in
 * shared memory or guest memory read directly → the device in QEMU, vhost or hardware (with or without a device
 * IOTLB). Boxes are HTML that wraps its words, so every label stays inside its box at any width; below 560 px of
 * room the path runs top to bottom. Where the device bounces, the SWIOTLB box carries the engine's figures
 * (src/engine/swiotlb.ts): the guest's pool and the most this device can have mapped in it.
 */
import type { Backend, SecureType } from '../../../src/contracts/facts';
import type { SwiotlbReport } from '../../../src/contracts/swiotlb';
import type { DeviceState } from '../../../src/engine';

export interface PathBox {
  readonly label: string;
  readonly sub: string;
  readonly tone: 'guest' | 'shared' | 'host' | 'bad' | 'unknown';
}

export interface PathModel {
  readonly boxes: readonly PathBox[];
  /** The path in one line (the picture's text alternative). */
  readonly summary: string;
  /** Why this path cannot work, if it cannot. */
  readonly broken: string | null;
}

const DEVICE_WORDS: Readonly<Record<Backend | 'unknown', string>> = {
  qemu: 'QEMU device',
  'vhost-kernel': 'vhost (host kernel)',
  'vhost-user': 'vhost-user process',
  vdpa: 'vDPA hardware',
  unknown: 'QEMU or vhost (libvirt decides)',
};

/** The engine's pool and this device's worst case, in words; null without a report. */
function poolWords(state: DeviceState, swiotlb: SwiotlbReport | null): string | null {
  if (!swiotlb) return null;
  const demand = swiotlb.devices.find((x) => x.target === state.target);
  return `a ${swiotlb.currentMiB} MiB pool${demand ? `; this device maps up to ${demand.peakMiB} MiB at once` : ''}`;
}

/** What the picture shows for `state` in a domain whose goal is `type` (with the domain's SWIOTLB report, if any). */
export function pathModel(state: DeviceState, type: SecureType, swiotlb: SwiotlbReport | null = null): PathModel {
  const broken =
    type !== 'none' && state.accessPlatform === 'no'
      ? 'The device reads guest-physical memory the host cannot decrypt: the guest refuses it.'
      : null;
  const dma: PathBox =
    state.accessPlatform === 'yes'
      ? { label: 'DMA API', sub: 'addresses for the device', tone: 'guest' }
      : state.accessPlatform === 'no'
        ? { label: 'No DMA API', sub: 'guest-physical addresses', tone: 'guest' }
        : { label: 'DMA API?', sub: state.accessPlatformBecause, tone: 'unknown' };
  const pool = state.bounces === 'yes' ? poolWords(state, swiotlb) : null;
  const memory: PathBox =
    state.bounces === 'yes'
      ? { label: 'SWIOTLB', sub: `shared (decrypted) bounce buffer${pool ? `: ${pool}` : ''}`, tone: 'shared' }
      : state.bounces === 'unknown'
        ? { label: 'SWIOTLB?', sub: 'bounce buffers if the device offers ACCESS_PLATFORM', tone: 'unknown' }
        : { label: 'Guest memory', sub: 'read directly', tone: broken ? 'bad' : 'guest' };
  const iotlb = state.deviceIotlb === 'yes' ? 'device IOTLB: slow' : state.deviceIotlb === 'unknown' ? 'device IOTLB: not known' : 'direct';
  const device: PathBox = { label: DEVICE_WORDS[state.backend], sub: iotlb, tone: 'host' };
  const boxes = [{ label: 'Guest driver', sub: state.label, tone: 'guest' } as const, dma, memory, device];
  const summary = [
    'Guest driver',
    state.accessPlatform === 'yes' ? 'DMA API' : state.accessPlatform === 'no' ? 'guest-physical addresses' : 'DMA API (not known)',
    state.bounces === 'yes' ? `SWIOTLB bounce buffer in shared memory${pool ? ` (${pool})` : ''}` : null,
    `${DEVICE_WORDS[state.backend]}${state.deviceIotlb === 'yes' ? ' with device IOTLB' : ''}`,
  ]
    .filter(Boolean)
    .join(' → ');
  return { boxes, summary, broken };
}

export function DataPath({ model }: { model: PathModel }) {
  return (
    <figure className="vaw-data-path" data-testid="data-path">
      <ol className="vaw-path" aria-label={`Data path: ${model.summary}`}>
        {model.boxes.map((b) => (
          <li key={b.label} className={`vaw-path-box vaw-tone-${b.tone}`} data-testid="path-box">
            <strong className="vaw-path-label">{b.label}</strong>
            <span className="vaw-path-sub">{b.sub}</span>
          </li>
        ))}
      </ol>
      <figcaption>
        Data path: {model.summary}
        {model.broken && <strong className="vaw-bad-text"> {model.broken}</strong>}
      </figcaption>
    </figure>
  );
}
