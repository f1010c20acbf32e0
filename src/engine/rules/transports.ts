/**
 * Transports (R-TRN-*, domain-facts.md §2.6).
 */
import type { RuleRecord } from '../rule-types';
import { qemuDeviceType } from '../messages';
import { removeDriverAttribute } from '../edits';
import { src } from '../sources';

import { nonPci } from './shared';

export const TRANSPORT_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-TRN-04',
    id: 'R-TRN-04',
    scope: 'device',
    severity: 'error',
    when: [(c) => c.device.virtio && c.device.driver.pagePerVq === 'on', nonPci],
    title: (c) => `${c.device.label}: page_per_vq is a virtio-pci option; QEMU refuses it on ${String(c.device.transport)}`,
    explanation:
      'page_per_vq places each virtqueue notification area on its own page of a PCI BAR; ccw and mmio devices have no such property.',
    messages: ["Property 'virtio-net-ccw.page-per-vq' not found", "Property 'virtio-net-device.page-per-vq' not found"],
    messagesFor: (c) => [`Property '${qemuDeviceType({ ...c.device, virtioModel: 'virtio' })}.page-per-vq' not found`],
    fix: { text: 'Remove page_per_vq from this device.', edits: (c) => removeDriverAttribute(c.device, 'page_per_vq') },
    sources: [src('QEMU-VPCI', 'page-per-vq is a virtio-pci property'), src('LV-FMT', 'page_per_vq (7.9.0)')],
  },
];
