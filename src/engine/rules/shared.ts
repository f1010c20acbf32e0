/**
 * Conditions and fix helpers several rule files use.
 */
import type { DeviceContext, DomainContext, Verdict } from '../rule-types';
import { commandlineObject, isConfidential } from '../context';
import { removeDriverAttribute } from '../edits';
import { technology } from '../technologies';
import { and, not, unknown, v, versionAtLeast } from '../verdict';

/**
 * libvirt 10.10.0 and later add <iommu model='intel'><driver intremap='on' eim='on'/></iommu> and
 * <ioapic driver='qemu'/> to an x86 q35 domain with more than 255 vCPUs and no <iommu> (NEWS 10.10.0 "Automatically
 * add IOMMU when needed"; seen on 11.3 in the version lab), since x2APIC interrupts need EIM.
 */
export const ADDS_IOMMU_FOR_VCPUS = v(10, 10);
export const MAX_VCPUS_WITHOUT_EIM = 255;

/** The vIOMMU libvirt writes in itself for a domain with many vCPUs: whether it applies (a verdict). */
export function libvirtAddsViommu(c: DomainContext): Verdict {
  const d = c.input.domain;
  if (d.viommu.model !== 'none' || d.arch !== 'x86_64' || d.machine.family !== 'q35') return false;
  if (d.vcpus.max === 'unknown' || d.vcpus.max <= MAX_VCPUS_WITHOUT_EIM) return false;
  return versionAtLeast(c.libvirt, ADDS_IOMMU_FOR_VCPUS, 'the libvirt version (10.10.0 and later add the vIOMMU)');
}

export const nonPci = (c: DeviceContext): boolean => c.device.transport === 'ccw' || c.device.transport === 'mmio';

/** Outside a confidential VM the bit can simply be dropped; inside one there is no valid "off". */
export const dropIommuIfOrdinary = (c: DeviceContext) => (isConfidential(c) ? [] : removeDriverAttribute(c.device, 'iommu'));

export const isVhostKernel = (c: DeviceContext): Verdict => {
  if (c.device.backend === 'vhost-kernel') return true;
  if (c.device.backend === 'unknown' && c.device.kind === 'interface')
    return unknown(
      `whether ${c.device.label} uses vhost-net (<driver name='vhost'>, libvirt's default for KVM when /dev/vhost-net is usable)`,
    );
  return false;
};

/**
 * The first `<launchSecurity>` base64 value (in `expected`'s order, the order its checker stops at) whose decoded
 * length differs from the one expected; null when every one written has its length.
 */
export function wrongBlobLength(
  c: DomainContext,
  expected: readonly (readonly [string, number])[],
): { readonly name: string; readonly expected: number; readonly got: number } | null {
  const blobs = c.input.domain.launchSecurity.blobBytes;
  const wrong = expected.find(([name, bytes]) => blobs[name] !== undefined && blobs[name] !== bytes);
  return wrong ? { name: wrong[0], expected: wrong[1], got: blobs[wrong[0]]! } : null;
}

/**
 * A confidential type that needs its own firmware, given to QEMU in `<qemu:commandline>`, with no firmware named:
 * libvirt picks one as for an ordinary guest (R-QEMU-01/commandline-firmware), so the firmware records written for
 * `<launchSecurity>` (what libvirt picks for it) do not apply.
 */
export const firmwareChosenBlind = (c: DomainContext): boolean =>
  commandlineObject(c) !== null && technology(c.cvm).ownFirmware !== undefined && c.input.domain.firmware.loaderPath === 'absent';

/**
 * Whether QEMU refuses to plug a virtio device whose backend does not offer ACCESS_PLATFORM while iommu_platform is
 * on ("iommu_platform=true is not supported by the device", hw/virtio/virtio-bus.c): from QEMU 6.1 (Kevin Wolf's
 * 04ceb61a40, Apr 2021; before it the device is made and simply goes without the bit), for every transport until
 * Halil Pasic's fix (e65902a913, which "breaks virtio-fs support for Secure Execution" named as the regression;
 * QEMU 7.0, inferred: fact sheet R-QEMU-02, §7.4), and from then only where the transport has a DMA address space
 * of its own, virtio-pci.
 */
export function refusesBackendWithoutBit(c: DeviceContext): Verdict {
  const checks = versionAtLeast(c.qemu, v(6, 1), 'the QEMU version');
  if (checks === false) return false;
  if (c.device.transport === 'pci') return checks;
  const fixed = versionAtLeast(c.qemu, v(7, 0), 'the QEMU version');
  return and(checks, not(fixed));
}
