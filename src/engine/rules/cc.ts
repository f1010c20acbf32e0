/**
 * R-CC-01: every confidential VM needs ACCESS_PLATFORM on every virtio device (domain-facts.md §2.5).
 */
import type { DeviceContext, DomainContext, RuleRecord } from '../rule-types';
import type { SecureType } from '../../contracts/facts';
import { isConfidential, takesAccessPlatform, versionClause } from '../context';
import { setIommu } from '../edits';
import { src } from '../sources';
import { not } from '../verdict';
import { WHY_CONFIDENTIAL, secureName, WHAT_IOMMU_DOES, MSG_NO_ACCESS_PLATFORM, iommuFixText } from '../words';
import { guestRefusal } from '../messages';
import { technology, TECHNOLOGIES } from '../technologies';
import { formatVersion } from '../../contracts/version';

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
    messagesFor: (c) => guestRefusal(c, 'device must provide VIRTIO_F_ACCESS_PLATFORM'),
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

/** The `<launchSecurity type>` values libvirt knows, with the release that added each (R-SEV-01 … R-PV-01). */
const KNOWN_TYPES = TECHNOLOGIES.flatMap((t) =>
  t.element !== null && t.type !== 'sev-es' && t.libvirt ? [`${t.element} (libvirt ${formatVersion(t.libvirt)})`] : [],
).join(', ');

/**
 * A `<launchSecurity>` whose type libvirt does not know, judged where nothing replaces it: the domain as it is,
 * or a goal with no libvirt element (none, POWER PEF, Arm CCA). A goal with an element writes its own over it.
 */
function unknownTypeStays(c: DomainContext): boolean {
  const ls = c.input.domain.launchSecurity;
  if (!ls.present || ls.type !== 'none') return false;
  const goal = c.input.goals.secure;
  return goal === 'keep' || technology(goal).element === null;
}

function libvirtRefusal(c: DomainContext): string {
  const written = c.input.domain.launchSecurity.typeAttribute;
  return written === null
    ? "XML error: Missing required attribute 'type' in element 'launchSecurity'"
    : `XML error: Invalid value for attribute 'type' in element 'launchSecurity': '${written}'.`;
}

function unknownTypeFix(c: DomainContext): string {
  const written = c.input.domain.launchSecurity.typeAttribute;
  if (c.input.goals.secure !== 'keep') return 'Remove the <launchSecurity> element (the plan does).';
  if (written === 'sev-es')
    return "Write type='sev' with a <policy> that has bit 2 set (e.g. 0x0007): libvirt's SEV-ES is SEV with the ES policy bit.";
  if (written === 'pef')
    return "Remove the <launchSecurity> element: POWER PEF has none in libvirt (R-PEF-01); choose POWER PEF as the goal instead, whose plan writes iommu='on' on every virtio device.";
  return `Write one of the types libvirt knows: ${KNOWN_TYPES}; or remove the element for an ordinary VM.`;
}

export const CC_DOMAIN_RULES: readonly RuleRecord<'domain'>[] = [
  {
    key: 'R-CC-01/launch-security-type',
    id: 'R-CC-01',
    scope: 'domain',
    severity: 'error',
    when: [unknownTypeStays],
    title: (c) => {
      const written = c.input.domain.launchSecurity.typeAttribute;
      return written === null
        ? '<launchSecurity> has no type, so libvirt refuses the domain'
        : `<launchSecurity type='${written}'> is not a type libvirt knows, so it refuses the domain`;
    },
    detail: () =>
      'Until the element names a type libvirt knows, nothing here can tell which confidential VM technology the domain is meant for, so its devices are checked as those of an ordinary VM.',
    explanation: `libvirt reads <launchSecurity type> as one of a fixed list and refuses any other value, or none, when the domain is defined (seen with libvirt 9.0, 11.3 and 12.8). The types it knows: ${KNOWN_TYPES}; SEV-ES is type='sev' with policy bit 2 set, and POWER PEF and Arm CCA have no element.`,
    messages: [
      "XML error: Invalid value for attribute 'type' in element 'launchSecurity': '<type>'.",
      "XML error: Missing required attribute 'type' in element 'launchSecurity'",
    ],
    messagesFor: (c) => [libvirtRefusal(c)],
    fix: {
      text: unknownTypeFix,
      general: 'Name a type libvirt knows, or remove the element.',
      edits: (c) => (c.input.goals.secure === 'keep' ? [] : [{ op: 'remove-element', target: '/domain/launchSecurity' }]),
    },
    sources: [
      src('LV-CONF', 'virDomainSecDefParseXML: type is a required attribute with a known value (virXMLPropEnum)'),
      src('LAB', 'virsh define with type=pef, type=sev-es and no type on libvirt 9.0, 11.3 and 12.8'),
    ],
  },
];
