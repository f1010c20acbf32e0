/**
 * What the virtio specification makes devices and drivers do (R-SPEC-*, domain-facts.md §2.1).
 */
import type { RuleRecord } from '../rule-types';
import { iommuEffective, takesAccessPlatform } from '../context';
import { src } from '../sources';
import { or, unknown, v } from '../verdict';
import { WHAT_IOMMU_DOES, MSG_REFUSES } from '../words';
import { compareVersions } from '../../contracts/version';

import { dropIommuIfOrdinary } from './shared';
import { guestLine } from '../messages';
import { needsBit } from './cc';

export const SPEC_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-SPEC-03',
    id: 'R-SPEC-03',
    scope: 'device',
    severity: 'error',
    whenUnknown: 'skip',
    when: [
      (c) => c.input.guest.family === 'linux' && c.input.guest.virtio1 !== 'no',
      (c) => takesAccessPlatform(c.device),
      (c) =>
        c.input.guest.kernelVersion === 'unknown'
          ? unknown('the guest kernel version')
          : compareVersions(c.input.guest.kernelVersion, v(4, 8)) < 0,
      // In a confidential VM the device must end up with the bit, whatever its iommu attribute says now.
      (c) => or(iommuEffective(c), needsBit(c)),
    ],
    title: (c) => `The guest kernel predates ACCESS_PLATFORM (Linux 4.8): ${c.device.label} will refuse it`,
    explanation: `${WHAT_IOMMU_DOES} QEMU makes the driver accept the bit once it is offered: if the driver does not know it, FEATURES_OK fails and the device does not bind. Linux accepts it from 4.8.`,
    messages: [MSG_REFUSES],
    messagesFor: (c) => [guestLine(c.device, 'virtio: device refuses features: <status>')],
    fix: { text: "Update the guest kernel, or (ordinary VMs only) remove iommu='on'.", edits: dropIommuIfOrdinary },
    sources: [
      src('SPEC', 'Device Initialization, FEATURES_OK'),
      src('QEMU-VIRTIO', 'virtio_validate_features (2943b53f68)'),
      src('LNX-VIRTIO', 'virtio_features_ok'),
    ],
  },
];
