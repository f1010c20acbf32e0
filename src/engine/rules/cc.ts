/**
 * R-CC-01: every confidential VM needs ACCESS_PLATFORM on every virtio device (domain-facts.md §2.5).
 */
import type { DeviceContext, RuleRecord } from '../rule-types';
import type { SecureType } from '../../contracts/facts';
import { isConfidential, takesAccessPlatform, versionClause } from '../context';
import { setIommu } from '../edits';
import { src } from '../sources';
import { not } from '../verdict';
import { WHY_CONFIDENTIAL, secureName, WHAT_IOMMU_DOES, MSG_NO_ACCESS_PLATFORM, iommuFixText } from '../words';
import { guestLine } from '../messages';

/** Devices that must negotiate the bit in this confidential VM. */
export const needsBit = (c: DeviceContext): boolean => isConfidential(c) && takesAccessPlatform(c.device);

/** A device without an iommu attribute where no QEMU default turns the bit on (R-SEV-02, R-PV-02, R-CC-01). */
export function absentWithoutDefault(
  id: string,
  types: readonly SecureType[],
  sources: RuleRecord<'device'>['sources'],
): RuleRecord<'device'> {
  return {
    key: id,
    id,
    scope: 'device',
    severity: 'error',
    when: [(c) => types.includes(c.cvm), needsBit, (c) => c.device.driver.iommu === 'absent', (c) => not(c.confidentialDefault)],
    title: (c) => `${c.device.label} will not offer ACCESS_PLATFORM to the ${secureName(c.cvm)} guest`,
    detail: (c) =>
      c.cvm === 'pef' || c.cvm === 'cca'
        ? `libvirt has no <launchSecurity> type for ${secureName(c.cvm)}, so no QEMU default sets iommu_platform: ${c.device.label} has no iommu attribute and will not offer the bit.`
        : `${c.device.label} has no iommu attribute. QEMU sets iommu_platform=on by default for confidential VMs only from QEMU 6.0; ${versionClause("this domain's QEMU", c.qemu)}.`,
    explanation: `${WHAT_IOMMU_DOES} ${WHY_CONFIDENTIAL} A current Linux guest refuses such a device; an older one hangs or reads garbage because the host touches encrypted memory.`,
    messages: [MSG_NO_ACCESS_PLATFORM],
    messagesFor: (c) => [guestLine(c.device, 'device must provide VIRTIO_F_ACCESS_PLATFORM')],
    fix: {
      ...iommuFixText(
        "Set <driver iommu='on'/> on the device.",
        'run QEMU 6.0 or later, whose confidential-VM default turns the bit on for every virtio device, or remove the device.',
      ),
      edits: (c) => setIommu(c.device, 'on', c.libvirt),
    },
    sources,
  };
}

export const CC_RULES: readonly RuleRecord<'device'>[] = [
  absentWithoutDefault(
    'R-CC-01',
    ['tdx', 'pef', 'cca'],
    [
      src('QEMU-MACHINE', 'confidential-guest-support defaults'),
      src('LNX-VIRTIO', 'virtio_features_ok'),
      src('LNX-X86CC', 'restricted virtio memory access'),
    ],
  ),
];
