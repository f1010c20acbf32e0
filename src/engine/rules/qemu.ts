/**
 * QEMU's own behaviour (R-QEMU-*, domain-facts.md §2.3): the confidential default, backends that cannot honour the bit,
 * legacy virtio-mmio.
 */
import type { DomainContext, RuleRecord } from '../rule-types';
import type { CommandlineConfidentialObject } from '../../contracts/facts';
import { formatVersion } from '../../contracts/version';
import { commandlineObject, describeVersion, isConfidential, iommuEffective } from '../context';
import { technology } from '../technologies';
import { removeDriverAttribute, setIommu } from '../edits';
import { src } from '../sources';

import { WHY_CONFIDENTIAL, secureName, WHAT_IOMMU_DOES, MSG_NO_VERSION_1, MSG_BACKEND_NO_IOMMU, iommuFixText } from '../words';

import { needsBit } from './cc';
import { guestRefusal } from '../messages';
import { firmwareChosenBlind, refusesBackendWithoutBit } from './shared';
import { qemuUint } from '../../contracts/qemu-uint';

export const QEMU_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-QEMU-01',
    id: 'R-QEMU-01',
    scope: 'device',
    severity: 'info',
    // With the QEMU version unknown, R-SEV-02/R-PV-02 already warn; this note is only for a known default.
    whenUnknown: 'skip',
    inPlan: true,
    // Not on a virtiofs share: there QEMU's default is what makes the plug fail, and R-SNP-03 says to remove it.
    when: [needsBit, (c) => c.device.driver.iommu === 'absent', (c) => c.device.fsDriver !== 'virtiofs', (c) => c.confidentialDefault],
    title: (c) => `${c.device.label}: QEMU's confidential-VM default turns ACCESS_PLATFORM on`,
    detail: (c) =>
      `${c.device.label} has no iommu attribute; with ${c.input.domain.launchSecurity.present ? '<launchSecurity>' : 'the confidential object of <qemu:commandline>'} and QEMU ${describeVersion(c.qemu)} QEMU defaults iommu_platform=on (and disable-legacy=on on PCI). ` +
      "The plan still writes iommu='on' so the domain does not depend on the QEMU version it runs on (an absent attribute means off before QEMU 6.0, which also matters after a migration or downgrade).",
    explanation: `${WHAT_IOMMU_DOES} ${WHY_CONFIDENTIAL} Since QEMU 6.0 a confidential-guest-support object (libvirt adds one for <launchSecurity>) makes this the default for every virtio device; libvirt itself never sets it (R-XML-06).`,
    fix: {
      ...iommuFixText("Optional: write <driver iommu='on'/> explicitly.", "nothing to write; QEMU's default is what turns the bit on."),
      edits: (c) => setIommu(c.device, 'on', c.libvirt),
    },
    sources: [
      src('QEMU-MACHINE', 'confidential guest support: alter virtio default properties (QEMU 6.0)'),
      src('LV-KB-SEV', 'Starting with QEMU 6.0.0 QEMU will set this by default'),
    ],
  },
  {
    key: 'R-QEMU-03',
    id: 'R-QEMU-03',
    scope: 'device',
    severity: 'error',
    when: [(c) => c.device.virtio && c.device.transport === 'mmio', isConfidential],
    title: (c) => `${c.device.label} uses virtio-mmio, which QEMU runs in legacy mode: unusable in this ${secureName(c.cvm)} guest`,
    detail: (c) =>
      `${c.device.label} is on virtio-mmio. QEMU's virtio-mmio defaults to force-legacy=true, so the device never offers VERSION_1 and cannot carry ACCESS_PLATFORM.`,
    explanation: `${WHAT_IOMMU_DOES} It needs a modern device. QEMU's virtio-mmio is legacy (register layout version 1) unless force-legacy=false is passed on the QEMU command line, for which libvirt has no XML.`,
    messages: [MSG_NO_VERSION_1],
    messagesFor: (c) => guestRefusal(c, 'device must provide VIRTIO_F_VERSION_1'),
    fix: {
      text: 'Use virtio-pci for this device (remove its virtio-mmio <address> so libvirt places it on PCI).',
      edits: (c) =>
        c.input.domain.machine.family === 'q35' || c.input.domain.machine.family === 'pc'
          ? [{ op: 'remove-element', target: `${c.device.target}/address` }]
          : [],
    },
    sources: [
      src('QEMU-MMIO', 'DEFINE_PROP_BOOL("force-legacy", ..., true)'),
      src('QEMU-VIRTIO', 'virtio_set_status validates only with VERSION_1'),
    ],
  },
  {
    key: 'R-QEMU-03/pointless',
    id: 'R-QEMU-03',
    scope: 'device',
    severity: 'info',
    when: [(c) => c.device.virtio && c.device.transport === 'mmio', (c) => !isConfidential(c), (c) => c.device.driver.iommu === 'on'],
    title: (c) => `${c.device.label}: iommu='on' has no effect on legacy virtio-mmio`,
    explanation: `${WHAT_IOMMU_DOES} QEMU's virtio-mmio is legacy by default, so the bit is never negotiated and the device keeps using guest-physical addresses.`,
    fix: { text: 'Leave iommu absent on virtio-mmio devices of ordinary VMs.', edits: (c) => removeDriverAttribute(c.device, 'iommu') },
    sources: [src('QEMU-MMIO', 'force-legacy default')],
  },
  {
    key: 'R-QEMU-02',
    id: 'R-QEMU-02',
    scope: 'device',
    severity: 'warning',
    when: [
      // virtiofsd and passt are known not to offer the bit: R-QEMU-02/virtiofs, /passt.
      (c) => c.device.virtio && c.device.backend === 'vhost-user' && c.device.function !== 'fs' && c.device.vhostUserProgram === undefined,
      iommuEffective,
      refusesBackendWithoutBit,
    ],
    title: (c) => `${c.device.label}: the vhost-user backend must offer ACCESS_PLATFORM or QEMU refuses the device`,
    detail: (c) =>
      c.device.function === 'gpu'
        ? "QEMU's own vhost-user-gpu does not offer it: its library, libvhost-user, offers a fixed set of ring features without ACCESS_PLATFORM (subprojects/libvhost-user/libvhost-user.c vu_get_features_exec, QEMU 10.0), so with it QEMU refuses the device."
        : '',
    explanation: `${WHAT_IOMMU_DOES} For a vhost-user device the external backend (SPDK, DPDK ...) negotiates features; if it does not offer the bit, QEMU refuses to plug the device: on virtio-pci from QEMU 6.1, on every transport in QEMU 6.1 and 6.2 (from 7.0, inferred, only where the transport has a DMA address space of its own). Whether your backend version offers it is not known here.`,
    messages: [MSG_BACKEND_NO_IOMMU],
    fix: { text: "Use a backend that offers VIRTIO_F_ACCESS_PLATFORM; in an ordinary VM you can drop iommu='on' for this device." },
    sources: [src('QEMU-VBUS', 'virtio_bus_device_plugged: message verbatim'), src('AMDSEV', 'issue #269')],
  },
  {
    key: 'R-QEMU-02/passt',
    id: 'R-QEMU-02',
    scope: 'device',
    severity: 'error',
    when: [(c) => c.device.virtio && c.device.vhostUserProgram === 'passt', iommuEffective, refusesBackendWithoutBit],
    title: (c) =>
      `${c.device.label}: passt's vhost-user does not offer ACCESS_PLATFORM, so QEMU refuses the interface${isConfidential(c) && c.device.driver.iommu !== 'on' ? ' (QEMU turns it on in a confidential VM)' : ''}`,
    explanation: `${WHAT_IOMMU_DOES} With <backend type='passt'/> on a vhostuser interface (libvirt 11.1.0 and later) libvirt starts passt as the vhost-user backend, and passt offers a fixed set of features without ACCESS_PLATFORM (passt's vhost_user.c vu_get_features_exec). QEMU clears every bit the backend lacks (hw/virtio/vhost.c vhost_get_features; vhost_net.c lists IOMMU_PLATFORM), and the plug check then refuses the device wherever the bit is on, by iommu='on' or by QEMU's confidential-VM default (R-QEMU-01). Read in passt's and QEMU 10.0's source; not seen: the lab has no passt.`,
    messages: [MSG_BACKEND_NO_IOMMU],
    fix: {
      text: "Use <interface type='user'> with <backend type='passt'/>: passt then serves QEMU's own virtio-net over a socket, which handles the bit; in an ordinary VM you can instead remove iommu='on'.",
      edits: (c) => (!isConfidential(c) && c.device.driver.iommu === 'on' ? removeDriverAttribute(c.device, 'iommu') : []),
    },
    sources: [
      src('QEMU-VBUS', 'virtio_bus_device_plugged: iommu_platform=true is not supported by the device'),
      src('LV-FMT', "interface type='vhostuser' with <backend type='passt'/>, since 11.1.0"),
    ],
  },
  {
    key: 'R-QEMU-02/virtiofs',
    id: 'R-QEMU-02',
    scope: 'device',
    severity: 'error',
    // In a confidential VM R-SNP-03 says it (the bit is needed there, so dropping it is no fix).
    when: [(c) => c.device.fsDriver === 'virtiofs', (c) => !isConfidential(c), iommuEffective, refusesBackendWithoutBit],
    title: (c) => `${c.device.label}: virtiofsd does not offer ACCESS_PLATFORM, so QEMU refuses iommu='on' on virtiofs`,
    explanation: `${WHAT_IOMMU_DOES} For virtiofs the external virtiofsd decides the features, and neither QEMU 7.2's C virtiofsd nor the Rust virtiofsd offers the bit: QEMU refuses to plug vhost-user-fs-pci with iommu_platform on, even without a vIOMMU (seen at start through libvirt with QEMU 7.2 and 10.0 + virtiofsd 1.13.2; fact sheet §7.2 item 11). The check came with QEMU 6.1; in 6.1 and 6.2 it refused the device on every transport (Halil Pasic's fix, 7.0 inferred, left only virtio-pci).`,
    messages: [MSG_BACKEND_NO_IOMMU],
    fix: { text: "Remove iommu='on' from the filesystem's <driver>.", edits: (c) => removeDriverAttribute(c.device, 'iommu') },
    sources: [
      src('QEMU-VBUS', 'virtio_bus_device_plugged: iommu_platform=true is not supported by the device'),
      src('LAB', 'start --paused with virtiofsd on QEMU 7.2 and 10.0'),
    ],
  },
];

const objectWords = (o: CommandlineConfidentialObject): string => `-object ${o.qomType}${o.id ? `,id=${o.id}` : ''}`;

/**
 * What QEMU refuses in a SEV or SNP object's C-bit position and physical address reduction, in words and in QEMU's
 * message: reduced-phys-bits is a mandatory property of the object (qapi/qom.json SevCommonProperties; refused
 * as the object is made, linked or not: seen on every lab generation), and sev_common_kvm_init (target/i386/sev.c)
 * checks both values of the object the machine uses against the host CPU, where an absent cbitpos is 0.
 */
function sevValueFaults(c: DomainContext): { readonly words: string; readonly message: string }[] {
  const o = c.input.domain.launchSecurity.commandline;
  if (!o || (o.qomType !== 'sev-guest' && o.qomType !== 'sev-snp-guest')) return [];
  const faults: { words: string; message: string }[] = [];
  const reducedText = o.properties['reduced-phys-bits'];
  if (reducedText === undefined)
    faults.push({ words: 'no reduced-phys-bits, which QEMU requires', message: "Parameter 'reduced-phys-bits' is missing" });
  if (!o.linked) return faults;
  const host = c.input.host.sev.cbitpos;
  const hostWords = host === 'unknown' ? '<host cbitpos>' : String(host);
  const cbitposText = o.properties['cbitpos'];
  const cbitpos = cbitposText === undefined ? 0 : qemuUint(cbitposText);
  if (cbitposText === undefined || (host !== 'unknown' && cbitpos !== host))
    faults.push({
      words: cbitposText === undefined ? 'no cbitpos (QEMU takes 0)' : `cbitpos=${cbitposText}, the host's is ${hostWords}`,
      message: `cbitpos check failed, host '${hostWords}' requested '${String(cbitpos ?? cbitposText)}'`,
    });
  const reduced = reducedText === undefined ? null : qemuUint(reducedText);
  if (reducedText !== undefined && (reduced === null || reduced < 1 || reduced > 63))
    faults.push({
      words: `reduced-phys-bits=${reducedText}, not 1 to 63`,
      message: `reduced_phys_bits check failed, it should be in the range of 1 to 63, requested '${String(reduced ?? reducedText)}'`,
    });
  return faults;
}

/**
 * libvirt picks firmware for a <qemu:commandline> technology as for an ordinary guest (R-QEMU-01/commandline-
 * firmware): an error for SEV-SNP and TDX, which cannot map the pflash firmware it picks; a warning for SEV-ES,
 * whose start with it (Secure Boot, SMM on) is not known here.
 */
function commandlineFirmwareRecord(severity: 'error' | 'warning'): RuleRecord<'domain'> {
  const snpOrTdx = severity === 'error';
  return {
    key: snpOrTdx ? 'R-QEMU-01/commandline-firmware' : 'R-QEMU-01/commandline-firmware-es',
    id: 'R-QEMU-01',
    scope: 'domain',
    severity,
    when: [firmwareChosenBlind, (c) => (c.cvm === 'sev-es') !== snpOrTdx],
    title: (c) => `libvirt picks no firmware made for ${secureName(c.cvm)}: <qemu:commandline> keeps the technology from it`,
    detail: (c) =>
      c.input.domain.firmware.kind === 'efi'
        ? "With <os firmware='efi'> and no <loader> path, libvirt picks a firmware as for an ordinary guest."
        : "This domain boots with BIOS, which cannot start an encrypted guest, and <os firmware='efi'> alone would get a firmware picked as for an ordinary guest.",
    explanation: `libvirt matches firmware descriptors to the domain's <launchSecurity> (the amd-sev-es, amd-sev-snp or intel-tdx feature); for a domain without one it takes the first usable descriptor. Seen in the lab with libvirt 11.3 and 12.8 on Debian: OVMF_CODE_4M.ms.fd, loaded as pflash with NVRAM and SMM turned on for Secure Boot. ${
      snpOrTdx
        ? 'SEV-SNP and TDX guests cannot map pflash (QEMU: "pflash with kvm requires KVM readonly memory support").'
        : "QEMU's documentation says SEV-ES guests have no SMM; whether one starts with this firmware is not known here (no SEV hardware)."
    } The firmware built for the technology has to be named.`,
    messages: snpOrTdx ? ['pflash with kvm requires KVM readonly memory support'] : [],
    fix: {
      text: (c) =>
        `Name the firmware built for ${secureName(c.cvm)} in <os>: <loader type='rom'>PATH</loader> (on Debian /usr/share/ovmf/${String(technology(c.cvm).ownFirmware?.file)}), or use <launchSecurity>, for which libvirt picks it.`,
      general: "Name the firmware built for the technology with <loader type='rom'>PATH</loader>, or use <launchSecurity>.",
    },
    sources: [
      src('LV-FIRMWARE', 'qemuFirmwareMatchDomain: firmware features matched against <launchSecurity>'),
      snpOrTdx
        ? src('QEMU-SYSFW', 'pc_system_firmware_init: pflash with kvm requires KVM readonly memory support')
        : src('QEMU-SEVDOC', 'SEV-ES limitations: no SMM'),
      src('LAB', 'test/lab/commandline-confidential.test.ts: the firmware libvirt 11.3 and 12.8 pick'),
    ],
  };
}

export const QEMU_RULES: readonly RuleRecord<'domain'>[] = [
  {
    key: 'R-QEMU-01/commandline',
    id: 'R-QEMU-01',
    scope: 'domain',
    severity: 'warning',
    when: [
      (c) => commandlineObject(c) !== null,
      (c) => technology(c.cvm).element !== null,
      (c) => c.cvm === c.input.domain.launchSecurity.type,
    ],
    title: (c) =>
      `${secureName(c.cvm)} comes from <qemu:commandline> (${objectWords(commandlineObject(c)!)}), which libvirt passes to QEMU unread`,
    detail: (c) => {
      const t = technology(c.cvm);
      const feature = t.firmwareFeature;
      const since = t.libvirt ? ` (libvirt ${formatVersion(t.libvirt)} and later)` : '';
      return `libvirt has <launchSecurity type='${String(t.element)}'> for it${since}.${feature ? ` With <os firmware='efi'> libvirt picks firmware without asking for the ${feature} feature.` : ''}`;
    },
    explanation:
      "libvirt appends <qemu:commandline> arguments after its own and marks the domain tainted (custom-argv). QEMU makes the guest confidential all the same, and its confidential-VM default still turns ACCESS_PLATFORM on for every virtio device (QEMU 6.0 and later): that follows the object, not libvirt. What libvirt does for <launchSecurity> is lost: it does not check at define time that host and QEMU support the technology, does not fill in the host's cbitpos and reducedPhysBits, matches firmware descriptors to the domain without the technology's feature, and 'virsh domlaunchsecinfo' reports no launch measurement.",
    fix: {
      text: (c) => `Replace the arguments with <launchSecurity type='${String(technology(c.cvm).element)}'>.`,
      general: 'Replace the arguments with the <launchSecurity> element of the technology.',
    },
    sources: [
      src('LV-DRVQEMU', 'pass-through of arbitrary qemu commands'),
      src('LV-CMD', 'qemuBuildCommandLine: the namespace arguments come after launch security'),
      src('LV-FIRMWARE', 'qemuFirmwareMatchDomain: firmware features matched against <launchSecurity>'),
      src('LV-QEMUDRIVER', 'qemuDomainGetLaunchSecurityInfo: nothing without <launchSecurity>'),
      src('QEMU-MACHINE', 'confidential-guest-support link'),
    ],
  },
  {
    key: 'R-QEMU-01/unlinked',
    id: 'R-QEMU-01',
    scope: 'domain',
    severity: 'warning',
    when: [(c) => c.input.domain.launchSecurity.commandline?.linked === false],
    title: (c) => {
      const o = c.input.domain.launchSecurity.commandline!;
      return `<qemu:commandline> creates ${objectWords(o)}, but no -machine confidential-guest-support names it: the guest is not confidential`;
    },
    explanation:
      "QEMU makes a guest confidential only through the machine's confidential-guest-support link (-machine confidential-guest-support=<id>, or the older memory-encryption=<id>); an object nothing links is created and never used. Guest memory is not encrypted, and QEMU's confidential-VM defaults (ACCESS_PLATFORM on every virtio device) do not apply. Seen on every lab generation under TCG: the linked object is refused there, the unlinked one starts.",
    fix: {
      text: (c) => {
        const o = c.input.domain.launchSecurity.commandline!;
        return `Add <qemu:arg value='-machine'/><qemu:arg value='confidential-guest-support=${o.id || '<id>'}'/> (and give the object an id), or use <launchSecurity> where libvirt has one.`;
      },
      general: 'Link the object with -machine confidential-guest-support=<id>, or use <launchSecurity> where libvirt has one.',
    },
    sources: [src('QEMU-MACHINE', 'confidential-guest-support link'), src('LAB', 'test/lab/commandline-confidential.test.ts')],
  },
  commandlineFirmwareRecord('error'),
  commandlineFirmwareRecord('warning'),
  {
    key: 'R-QEMU-01/commandline-sev-values',
    id: 'R-QEMU-01',
    scope: 'domain',
    severity: 'error',
    when: [(c) => sevValueFaults(c).length > 0],
    title: (c) =>
      `${objectWords(c.input.domain.launchSecurity.commandline!)} in <qemu:commandline>: ${sevValueFaults(c)
        .map((f) => f.words)
        .join('; ')}`,
    explanation:
      "QEMU's SEV objects (sev-guest, sev-snp-guest) cannot be made without reduced-phys-bits (a mandatory property: seen refused on QEMU 7.2, 10.0 and 11.1), and refuse to start the guest unless cbitpos, 0 when absent, is the host CPU's C-bit position and reduced-phys-bits is 1 to 63 (target/i386/sev.c sev_common_kvm_init in QEMU 10.0; QEMU 11.1's binary has the same messages). With <launchSecurity> libvirt fills both in from the host's capabilities (6.9.0 and later); given to QEMU directly they must be written.",
    messages: [
      "Parameter 'reduced-phys-bits' is missing",
      "cbitpos check failed, host '<host cbitpos>' requested '<cbitpos>'",
      "reduced_phys_bits check failed, it should be in the range of 1 to 63, requested '<reduced-phys-bits>'",
    ],
    messagesFor: (c) => sevValueFaults(c).map((f) => f.message),
    fix: {
      text: (c) => {
        const { cbitpos, reducedPhysBits } = c.input.host.sev;
        return cbitpos === 'unknown' || reducedPhysBits === 'unknown'
          ? "Write the host's values in the -object argument: cbitpos=<n>,reduced-phys-bits=<n> from 'virsh domcapabilities' (<sev><cbitpos>, <reducedPhysBits>)."
          : `Write the host's values in the -object argument: cbitpos=${String(cbitpos)},reduced-phys-bits=${String(reducedPhysBits)}.`;
      },
      general: "Write the host's cbitpos and reduced-phys-bits in the -object argument ('virsh domcapabilities').",
    },
    sources: [
      src('QEMU-SEV', 'sev_common_kvm_init: cbitpos and reduced_phys_bits checks'),
      src('QEMU-QOM', 'SevCommonProperties: reduced-phys-bits mandatory, cbitpos optional'),
      src('LAB', 'test/lab/commandline-confidential.test.ts: the object without reduced-phys-bits refused'),
      src('LV-NEWS', "v6.9.0: Make 'cbitpos' & 'reducedPhysBits' attrs optional"),
    ],
  },
  {
    key: 'R-QEMU-01/commandline-goal',
    id: 'R-QEMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => commandlineObject(c) !== null,
      (c) => c.input.goals.secure !== 'keep',
      (c) => c.cvm !== c.input.domain.launchSecurity.type,
    ],
    title: (c) =>
      `The plan cannot make this guest ${c.cvm === 'none' ? 'an ordinary VM' : secureName(c.cvm)}: <qemu:commandline> (${objectWords(commandlineObject(c)!)}) makes it ${secureName(c.input.domain.launchSecurity.type)}`,
    explanation:
      'Plans edit libvirt elements, never <qemu:commandline>: the arguments are QEMU syntax libvirt does not read, and they would keep the object whatever the plan writes.',
    fix: { text: 'Remove the -object and -machine confidential-guest-support arguments from <qemu:commandline> by hand, then plan again.' },
    sources: [src('LV-DRVQEMU', 'pass-through of arbitrary qemu commands')],
  },
];
