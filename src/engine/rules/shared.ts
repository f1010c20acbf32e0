/**
 * Conditions and fix helpers several rule files use.
 */
import type { DeviceContext, Verdict } from '../rule-types';
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
