/**
 * What each virtio device does with ACCESS_PLATFORM as the domain will run, with the reason in words: whether it
 * offers the bit, whether its legacy interface is on, whether its I/O bounces through SWIOTLB, whether vhost
 * translates through a device IOTLB, and which backends libvirt can give it. The wizard draws and lists these;
 * it does not work them out itself.
 */
import type { EngineInput } from '../contracts/engine';
import type { Backend, DeviceFacts, Maybe, VirtioFunction } from '../contracts/facts';
import {
  commandlineObject,
  deviceContext,
  devicesAsChosen,
  domainContext,
  iommuEffective,
  legacyAnswer,
  takesAccessPlatform,
  translatingViommu,
} from './context';
import { hasModelChoice } from './edits';
import type { DeviceContext, Verdict } from './rule-types';
import { isUnknown, v, versionAtLeast } from './verdict';

export type Tri = 'yes' | 'no' | 'unknown';

export interface DeviceState {
  readonly target: string;
  readonly label: string;
  readonly function: VirtioFunction;
  readonly implicit: boolean;
  /** Whether the device offers VIRTIO_F_ACCESS_PLATFORM (QEMU's iommu_platform). */
  readonly accessPlatform: Tri;
  readonly accessPlatformBecause: string;
  /** Whether its legacy (virtio 0.9.5) interface is enabled, which cannot carry the bit. */
  readonly legacy: Tri;
  readonly legacyBecause: string;
  /** Whether the guest bounces this device's I/O through SWIOTLB buffers in shared memory. */
  readonly bounces: Tri;
  /** Whether vhost resolves every address through a device IOTLB (slow). */
  readonly deviceIotlb: Tri;
  readonly backend: Maybe<Backend>;
  /** The backends libvirt can give this kind of device. */
  readonly backends: readonly Backend[];
  /** Whether its virtio model (transitional or not) is a choice the user can make. */
  readonly modelChoice: boolean;
}

/** What each backend costs under ACCESS_PLATFORM (R-BE-01 … R-BE-05). */
export const BACKEND_NOTES: Readonly<Record<Backend, string>> = {
  qemu: 'QEMU emulates the device: it supports ACCESS_PLATFORM, at negligible cost without a vIOMMU (R-BE-01).',
  'vhost-kernel':
    'vhost in the host kernel: fast; with a translating vIOMMU, or QEMU older than 6.2, every address goes through a slow device IOTLB (R-BE-02).',
  'vhost-user':
    'An external process (DPDK, SPDK, virtiofsd): it must offer ACCESS_PLATFORM itself and needs shared guest memory; virtiofsd does not offer it (R-BE-03, R-QEMU-02).',
  vdpa: "A hardware datapath: it handles ACCESS_PLATFORM through the host IOMMU; libvirt recommends page_per_vq='on' (R-BE-05).",
};

/** What happens when no backend is written: libvirt decides. */
export const BACKEND_UNSTATED =
  "libvirt uses vhost-net for a virtio NIC on KVM when /dev/vhost-net is usable, QEMU's own device otherwise.";

/** The backends libvirt can give each kind of virtio device (vhost-net for NICs, vhost-vsock, vhost-user and vDPA disks and NICs, virtiofs, vhost-user video). */
const BACKENDS_FOR: Partial<Record<VirtioFunction, readonly Backend[]>> = {
  blk: ['qemu', 'vhost-user', 'vdpa'],
  net: ['qemu', 'vhost-kernel', 'vhost-user', 'vdpa'],
  scsi: ['qemu', 'vhost-kernel', 'vhost-user'],
  fs: ['vhost-user', 'qemu'],
  vsock: ['vhost-kernel'],
  gpu: ['qemu', 'vhost-user'],
};

export function backendsFor(d: DeviceFacts): readonly Backend[] {
  return BACKENDS_FOR[d.function] ?? ['qemu'];
}

function tri(v: Verdict): Tri {
  return isUnknown(v) ? 'unknown' : v ? 'yes' : 'no';
}

function accessPlatformBecause(c: DeviceContext, on: Verdict): string {
  const a = c.device.driver.iommu;
  if (a === 'on') return "iommu='on' is written on the device";
  if (a === 'off') return "iommu='off' is written on the device";
  if (isUnknown(on)) return `no iommu attribute; QEMU's confidential-VM default depends on ${on.unknown.join(' and ')}`;
  return on
    ? `no iommu attribute, but QEMU 6.0 and later turn it on by default for a domain with ${commandlineObject(c) ? 'a confidential object, here from <qemu:commandline>' : '<launchSecurity>'}`
    : 'no iommu attribute, and no QEMU default turns it on here';
}

/** Does vhost use a device IOTLB for this device (R-BE-02)? */
function deviceIotlb(c: DeviceContext, on: Verdict): Tri {
  const b = c.device.backend;
  if (b !== 'vhost-kernel' && b !== 'vhost-user') return b === 'unknown' && c.device.kind === 'interface' ? 'unknown' : 'no';
  if (on === false) return 'no';
  if (translatingViommu(c)) return tri(on);
  const oldQemu = versionAtLeast(c.qemu, v(6, 2), 'the QEMU version');
  if (oldQemu === true) return 'no';
  return isUnknown(oldQemu) || isUnknown(on) ? 'unknown' : 'yes';
}

/** Every virtio device of the domain (as it will be with the goal), with the backend the user chose. */
export function deviceStates(input: EngineInput): DeviceState[] {
  const c = domainContext(input);
  return devicesAsChosen(input)
    .filter((d) => d.virtio)
    .map((device) => {
      const dc = deviceContext(c, device);
      const takes = takesAccessPlatform(device);
      const on: Verdict = takes ? iommuEffective(dc) : false;
      const legacy = legacyAnswer(dc);
      const bounces: Tri = c.cvm === 'none' || c.cvm === 'cca' ? 'no' : tri(on);
      return {
        target: device.target,
        label: device.label,
        function: device.function,
        implicit: device.implicit,
        accessPlatform: tri(on),
        accessPlatformBecause: takes
          ? accessPlatformBecause(dc, on)
          : device.function === 'balloon'
            ? 'the balloon driver never accepts it (R-LNX-05)'
            : 'this device has no virtio driver options',
        legacy: tri(legacy.verdict),
        legacyBecause: legacy.because,
        bounces,
        deviceIotlb: deviceIotlb(dc, on),
        backend: device.backend,
        backends: backendsFor(device),
        modelChoice: hasModelChoice(device),
      };
    });
}
