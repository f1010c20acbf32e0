/**
 * Conditions and fix helpers several rule files use.
 */
import type { DeviceContext, DomainContext, Verdict } from '../rule-types';
import { isConfidential } from '../context';
import { removeDriverAttribute } from '../edits';
import { unknown } from '../verdict';

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
