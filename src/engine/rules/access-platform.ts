/**
 * Whether each virtio device negotiates ACCESS_PLATFORM: confidential VMs need it on every device
 * (R-CC-01, R-SEV-02, R-PV-02), QEMU >= 6.0 defaults it (R-QEMU-01), an explicit off wins (R-XML-07), and the
 * attribute only exists on virtio devices (R-XML-01).
 */
import type { SecureType } from '../../contracts/facts';
import { SEV_FAMILY, describeVersion, isConfidential, takesAccessPlatform } from '../context';
import { removeDriverAttribute, setIommu } from '../edits';
import type { DeviceContext, RuleRecord } from '../rule-types';
import { src } from '../sources';
import { not, v, versionAtLeast } from '../verdict';
import { MSG_NO_ACCESS_PLATFORM, WHAT_IOMMU_DOES, WHY_CONFIDENTIAL, iommuFixText, secureName } from '../words';

const needsBit = (c: DeviceContext): boolean =>
  isConfidential(c) && takesAccessPlatform(c.device) && !(SEV_FAMILY.has(c.cvm) && c.device.function === 'gpu');

function absentWithoutDefault(id: string, types: readonly SecureType[], sources: RuleRecord<'device'>['sources']): RuleRecord<'device'> {
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
        : `${c.device.label} has no iommu attribute. QEMU sets iommu_platform=on by default for confidential VMs only from QEMU 6.0; this domain's QEMU version is ${describeVersion(c.qemu)}.`,
    explanation: `${WHAT_IOMMU_DOES} ${WHY_CONFIDENTIAL} A current Linux guest refuses such a device; an older one hangs or reads garbage because the host touches encrypted memory.`,
    messages: [MSG_NO_ACCESS_PLATFORM],
    fix: {
      ...iommuFixText(
        "Set <driver iommu='on'/> on the device.",
        'run QEMU 6.0 or later, whose confidential-VM default turns the bit on for every virtio device, or remove the device.',
      ),
      edits: (c) => setIommu(c.device, 'on'),
    },
    sources,
  };
}

export const ACCESS_PLATFORM_RULES: readonly RuleRecord<'device'>[] = [
  absentWithoutDefault(
    'R-SEV-02',
    ['sev', 'sev-es', 'sev-snp'],
    [
      src('LV-KB-SEV', 'virtio devices need iommu=on before QEMU 6.0'),
      src('QEMU-MACHINE', 'confidential-guest-support defaults (QEMU 6.0)'),
    ],
  ),
  absentWithoutDefault(
    'R-PV-02',
    ['s390-pv'],
    [src('LV-KB-PV', "iommu='on' on every virtio device"), src('QEMU-PV', 'Enable the IOMMU by default for all I/O devices (>= 6.0)')],
  ),
  absentWithoutDefault(
    'R-CC-01',
    ['tdx', 'pef', 'cca'],
    [
      src('QEMU-MACHINE', 'confidential-guest-support defaults'),
      src('LNX-VIRTIO', 'virtio_features_ok'),
      src('LNX-X86CC', 'restricted virtio memory access'),
    ],
  ),
  {
    key: 'R-QEMU-01',
    id: 'R-QEMU-01',
    scope: 'device',
    severity: 'info',
    // With the QEMU version unknown, R-SEV-02/R-PV-02 already warn; this note is only for a known default.
    whenUnknown: 'skip',
    inPlan: true,
    when: [needsBit, (c) => c.device.driver.iommu === 'absent', (c) => c.confidentialDefault],
    title: (c) => `${c.device.label}: QEMU's confidential-VM default turns ACCESS_PLATFORM on`,
    detail: (c) =>
      `${c.device.label} has no iommu attribute; with <launchSecurity> and QEMU ${describeVersion(c.qemu)} QEMU defaults iommu_platform=on (and disable-legacy=on on PCI). ` +
      "The plan still writes iommu='on' so the domain does not depend on the QEMU version it runs on (an absent attribute means off before QEMU 6.0, which also matters after a migration or downgrade).",
    explanation: `${WHAT_IOMMU_DOES} ${WHY_CONFIDENTIAL} Since QEMU 6.0 a confidential-guest-support object (libvirt adds one for <launchSecurity>) makes this the default for every virtio device; libvirt itself never sets it (R-XML-06).`,
    fix: {
      ...iommuFixText("Optional: write <driver iommu='on'/> explicitly.", "nothing to write; QEMU's default is what turns the bit on."),
      edits: (c) => setIommu(c.device, 'on'),
    },
    sources: [
      src('QEMU-MACHINE', 'confidential guest support: alter virtio default properties (QEMU 6.0)'),
      src('LV-KB-SEV', 'Starting with QEMU 6.0.0 QEMU will set this by default'),
    ],
  },
  {
    key: 'R-XML-07',
    id: 'R-XML-07',
    scope: 'device',
    severity: 'error',
    when: [needsBit, (c) => c.device.driver.iommu === 'off'],
    title: (c) => `${c.device.label} has iommu='off' in this ${secureName(c.cvm)} guest`,
    detail: (c) =>
      `An explicit iommu='off' on ${c.device.label} overrides QEMU's confidential-VM default, so the device will not offer ACCESS_PLATFORM.`,
    explanation: `${WHAT_IOMMU_DOES} ${WHY_CONFIDENTIAL} QEMU's confidential default is only a default: a value written on the device wins, silently.`,
    messages: [MSG_NO_ACCESS_PLATFORM],
    fix: { text: "Set iommu='on' (or remove the attribute on QEMU >= 6.0).", edits: (c) => setIommu(c.device, 'on') },
    sources: [src('QEMU-MACHINE', 'sugar properties are defaults'), src('LNX-VIRTIO', 'virtio_features_ok')],
  },
  {
    key: 'R-XML-01',
    id: 'R-XML-01',
    scope: 'device',
    severity: 'error',
    when: [(c) => !c.device.virtio && (c.device.driver.iommu !== 'absent' || c.device.driver.ats !== 'absent')],
    title: (c) => `${c.device.label} is not a virtio device but has virtio <driver> options`,
    detail: (c) => `${c.device.label} (model ${String(c.device.modelAttr)}) is emulated, not virtio; libvirt refuses iommu/ats on it.`,
    explanation: `${WHAT_IOMMU_DOES} The attribute belongs to virtio devices only; libvirt emits it as the QEMU property iommu_platform only when it is written, and rejects it elsewhere.`,
    messages: ['iommu driver option is only supported for virtio devices', 'ats driver option is only supported for virtio devices'],
    fix: {
      text: 'Remove the iommu/ats attributes from this device, or make it a virtio device.',
      edits: (c) => [
        ...(c.device.driver.iommu !== 'absent' ? removeDriverAttribute(c.device, 'iommu') : []),
        ...(c.device.driver.ats !== 'absent' ? removeDriverAttribute(c.device, 'ats') : []),
      ],
    },
    sources: [src('LV-VAL', 'domain_validate.c: only supported for virtio devices'), src('LV-FMT', 'Virtio-related options')],
  },
  {
    key: 'R-XML-01/version',
    id: 'R-XML-01',
    scope: 'device',
    severity: 'error',
    whenUnknown: 'skip',
    when: [
      (c) => c.device.virtio && c.device.driver.iommu !== 'absent',
      (c) => not(versionAtLeast(c.libvirt, v(3, 5), 'the libvirt version')),
    ],
    title: (c) => `libvirt ${describeVersion(c.libvirt)} does not know <driver iommu>`,
    explanation: `${WHAT_IOMMU_DOES} libvirt accepts the attribute from 3.5.0.`,
    fix: { text: 'Upgrade libvirt to 3.5.0 or later.' },
    sources: [src('LV-FMT', 'Virtio-related options: iommu since 3.5.0')],
  },
  {
    key: 'R-MIG-02',
    id: 'R-MIG-02',
    scope: 'device',
    severity: 'warning',
    whenUnknown: 'skip',
    inPlan: true,
    when: [needsBit, (c) => c.device.driver.iommu === 'absent', (c) => c.input.goals.migration === true, (c) => !SEV_FAMILY.has(c.cvm)],
    title: (c) => `${c.device.label}: an absent iommu attribute means different things on either side of QEMU 6.0`,
    detail: (c) =>
      `${c.device.label} has no iommu attribute and the domain is to migrate; the value then depends on the destination's QEMU, not on the XML.`,
    explanation: `${WHAT_IOMMU_DOES} QEMU has no machine-type compat property for iommu_platform: its confidential-VM default depends only on the QEMU version, so an absent attribute is off before 6.0 and on from 6.0. The feature is guest ABI (R-MIG-01).`,
    fix: {
      ...iommuFixText("Write iommu='on' explicitly.", 'migrate only between hosts with QEMU 6.0 or later, or remove the device.'),
      edits: (c) => setIommu(c.device, 'on'),
    },
    sources: [
      src('QEMU-MACHINE', 'hw_compat arrays have no iommu_platform entry'),
      src('THREAD-2020', 'Gibson on host-dependent defaults'),
    ],
  },
];
