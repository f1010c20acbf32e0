/** Phrases several explanations share, so every finding explains the setting the same plain way. */
import type { DeviceFacts, SecureType } from '../contracts/facts';
import { versionClause } from './context';
import { hasDriverOptions } from './edits';
import type { DeviceContext } from './rule-types';

export const WHAT_IOMMU_DOES =
  "<driver iommu='on'/> (QEMU's iommu_platform property, the virtio feature VIRTIO_F_ACCESS_PLATFORM, bit 33) makes the device reach guest memory " +
  "the way real hardware does, through the platform's DMA path, instead of reading guest-physical addresses directly. Despite its name it adds no IOMMU to the guest.";

export const WHY_CONFIDENTIAL =
  'In a confidential VM the host cannot read private guest memory. Virtio only works when the guest copies I/O through buffers it has shared with the host ' +
  '(SWIOTLB bounce buffers), and a guest does that only for devices that negotiated ACCESS_PLATFORM.';

/** Where a device the XML does not name comes from: the balloon libvirt adds (a finding's detail says so). */
export function implicitBalloonWords(d: DeviceFacts): string {
  return d.implicit ? 'libvirt adds a virtio memballoon by default when the XML has no <memballoon>.' : '';
}

export const MSG_NO_ACCESS_PLATFORM = 'virtio_blk virtio<N>: device must provide VIRTIO_F_ACCESS_PLATFORM';
export const MSG_NO_VERSION_1 = 'virtio_net virtio<N>: device must provide VIRTIO_F_VERSION_1';
export const MSG_LEGACY_IOMMU = 'VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device';
export const MSG_BACKEND_NO_IOMMU = 'iommu_platform=true is not supported by the device';
/** drivers/virtio/virtio.c virtio_features_ok: the number is the device *status* byte, not the features (§7.3 item 20). */
export const MSG_REFUSES = 'virtio_net virtio<N>: virtio: device refuses features: <status>';

const NAMES: Record<SecureType, string> = {
  none: 'an ordinary (non-confidential) VM',
  sev: 'AMD SEV',
  'sev-es': 'AMD SEV-ES',
  'sev-snp': 'AMD SEV-SNP',
  tdx: 'Intel TDX',
  's390-pv': 'IBM s390 Protected Virtualization',
  pef: 'IBM POWER PEF (Secure VM)',
  cca: 'Arm CCA (Realms)',
};

export function secureName(t: SecureType): string {
  return NAMES[t];
}

/**
 * The fix text of a rule whose edit writes <driver iommu>: `general` for devices that have the option (and for
 * explain), and for a vhost-scsi hostdev, which libvirt gives no virtio driver options, what to do instead.
 */
export function iommuFixText(general: string, instead: string): { readonly text: (c: DeviceContext) => string; readonly general: string } {
  return {
    general,
    text: (c) => {
      if (hasDriverOptions(c.device, c.libvirt)) return general;
      const why =
        c.device.kind === 'memory'
          ? `libvirt gives ${c.device.label} the virtio driver options only from 11.9.0, and ${versionClause("this host's libvirt", c.libvirt)}`
          : 'its schema gives vhost-scsi hostdevs no virtio driver options';
      return `libvirt has no <driver iommu> option for ${c.device.label} (${why}): ${instead}`;
    },
  };
}
