/**
 * AMD SEV (R-SEV-*, domain-facts.md §2.5): the element and its host values, memory locking, machine, firmware,
 * boot ROM, virtio-gpu, migration.
 */
import type { RuleRecord, Verdict } from '../rule-types';
import type { Edit } from '../../contracts/findings';
import { LOCKED_MEMORY, romOff, uefiEdits } from '../edits';
import { src, UEFI_NEEDS_ACPI } from '../sources';
import { unknown } from '../verdict';
import { secureName } from '../words';
import { allQuotes, migrationBlocker, quotesFor } from '../messages';
import { technology } from '../technologies';
import {
  amdSevFirmwareRecord,
  is,
  inSev,
  hasElementFor,
  kernelSecureBootRecord,
  technologyRecords,
  hostSupportRecord,
} from './technology-records';
import { absentWithoutDefault } from './cc';
import { firmwareChosenBlind } from './shared';

export const SEV_RULES: readonly RuleRecord<'domain'>[] = [
  ...technologyRecords(technology('sev')),
  kernelSecureBootRecord('sev', 'R-SEV-04'),
  amdSevFirmwareRecord('sev', 'R-SEV-04'),
  hostSupportRecord(
    'R-SEV-05',
    ['sev', 'sev-es'],
    "whether the host supports SEV (<sev supported='yes'> in virsh domcapabilities)",
    ['WARN (AMD Secure Encrypted Virtualization appears to be disabled in kernel. Add kvm_amd.sev=1 to the kernel cmdline arguments)'],
    "libvirt refuses SEV guests unless 'virsh domcapabilities' shows <sev supported='yes'>. The host needs an AMD EPYC CPU with SEV enabled in firmware, the kernel parameters mem_encrypt=on kvm_amd.sev=1 (/sys/module/kvm_amd/parameters/sev reads 1 or Y), and /dev/sev accessible to QEMU.",
    [src('LV-KB-SEV', 'host checks'), src('LV-FMT', 'domain capabilities: sev'), src('LV-VAL', 'qemuValidateDomainDef: launch security')],
  ),
  {
    key: 'R-SEV-01/cbitpos',
    id: 'R-SEV-01',
    scope: 'domain',
    severity: 'error',
    whenUnknown: 'skip',
    when: [
      inSev,
      hasElementFor,
      (c) =>
        mismatch(c.input.domain.launchSecurity.cbitpos, c.input.host.sev.cbitpos) ||
        mismatch(c.input.domain.launchSecurity.reducedPhysBits, c.input.host.sev.reducedPhysBits),
    ],
    title: (c) =>
      `<launchSecurity> has cbitpos ${String(c.input.domain.launchSecurity.cbitpos)} / reducedPhysBits ${String(c.input.domain.launchSecurity.reducedPhysBits)}, the host reports ${String(c.input.host.sev.cbitpos)} / ${String(c.input.host.sev.reducedPhysBits)}`,
    explanation:
      "cbitpos is the physical address bit that marks a page as encrypted and reducedPhysBits how much address space encryption takes away; both are properties of the host CPU and must be copied from 'virsh domcapabilities'. Wrong values fail the launch.",
    fix: {
      text: "Use the host's values from 'virsh domcapabilities'.",
      edits: (c) => {
        const edits: Edit[] = [];
        const { cbitpos, reducedPhysBits } = c.input.host.sev;
        if (cbitpos !== 'unknown')
          edits.push({ op: 'add-element', parent: '/domain/launchSecurity', xml: `<cbitpos>${cbitpos}</cbitpos>`, replace: true });
        if (reducedPhysBits !== 'unknown')
          edits.push({
            op: 'add-element',
            parent: '/domain/launchSecurity',
            xml: `<reducedPhysBits>${reducedPhysBits}</reducedPhysBits>`,
            replace: true,
          });
        return edits;
      },
    },
    sources: [src('LV-FMT', 'Launch Security: cbitpos, reducedPhysBits'), src('LV-KB-SEV', 'values from domcapabilities')],
  },
  {
    key: 'R-SEV-03',
    id: 'R-SEV-03',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => c.cvm === 'sev' || c.cvm === 'sev-es',
      (c) => !c.input.domain.memoryBacking.locked && c.input.domain.memtuneHardLimitKiB === 'absent',
    ],
    title: 'SEV guest memory is neither locked nor limited',
    explanation:
      'SEV pins all guest memory, so QEMU needs a locked-memory allowance for all of it. libvirt grants it for <memoryBacking><locked/></memoryBacking> (preferred) or a <memtune><hard_limit> of guest RAM plus headroom; without either the launch fails when QEMU registers the memory, and the host kernel logs the lock limit it hit.',
    messages: [
      "sev_ram_block_added: failed to register region (<address>+<size>) error '<reason>'",
      'SEV: <n> locked pages exceed the lock limit of <limit>.',
    ],
    fix: { text: 'Add <memoryBacking><locked/></memoryBacking>.', edits: () => [LOCKED_MEMORY] },
    sources: [src('LV-KB-SEV', 'memory locking'), src('QEMU-SEV', 'sev_ram_block_added: failed to register region')],
  },
  {
    key: 'R-SEV-03/snp',
    id: 'R-SEV-03',
    scope: 'domain',
    severity: 'info',
    when: [is('sev-snp'), (c) => !c.input.domain.memoryBacking.locked && c.input.domain.memtuneHardLimitKiB === 'absent'],
    title: 'SEV-SNP guest memory need not be locked',
    explanation:
      "QEMU pins and registers guest memory with KVM_MEMORY_ENCRYPT_REG_REGION only for SEV and SEV-ES; SEV-SNP guests use guest_memfd private memory instead (target/i386/sev.c), so libvirt's memory locking advice for SEV does not apply. (Read in QEMU 10.0's source; not tried on SNP hardware.)",
    fix: { text: 'Nothing to change.' },
    sources: [src('QEMU-SEV', 'sev_ram_block_added registers memory for SEV/SEV-ES; SNP uses guest_memfd')],
  },

  {
    key: 'R-SEV-04/machine',
    id: 'R-SEV-04',
    scope: 'domain',
    severity: 'warning',
    when: [
      inSev,
      (c) => (c.input.domain.machine.family === 'unknown' ? unknown('the machine type') : c.input.domain.machine.family !== 'q35'),
    ],
    title: (c) => `${secureName(c.cvm)} on machine ${String(c.input.domain.machine.raw)}: q35 is the recommended machine`,
    explanation:
      "libvirt's SEV guide recommends q35. On i440fx ('pc') a conventional PCI slot makes model='virtio' transitional, and the legacy interface cannot carry ACCESS_PLATFORM: QEMU 6.0 and later drop it for a confidential guest by themselves (disable-legacy=on, R-QEMU-01), older QEMU and an explicit virtio-transitional model do not, so there every virtio device must be virtio-non-transitional (R-XML-05).",
    fix: { text: 'Prefer a q35 machine type (a new domain, since changing the machine type re-addresses every device).' },
    sources: [src('LV-KB-SEV', 'q35 recommended')],
  },
  {
    key: 'R-SEV-04/firmware',
    id: 'R-SEV-04',
    scope: 'domain',
    severity: 'error',
    when: [
      inSev,
      (c) => !firmwareChosenBlind(c),
      (c) => (c.input.domain.firmware.kind === 'unknown' ? unknown('the firmware') : c.input.domain.firmware.kind === 'bios'),
    ],
    title: (c) => `${secureName(c.cvm)} needs UEFI firmware (OVMF); this domain boots with BIOS`,
    explanation:
      'SeaBIOS cannot start an encrypted guest: SEV needs an SEV-aware OVMF. For attestation use a stateless loader (measured firmware without NVRAM). An OS installed under BIOS boots from its MBR and has no EFI System Partition or UEFI boot loader: under UEFI it does not start until one is added (a converted disk, or a reinstall); a kernel given with <os><kernel> is not affected.',
    fix: {
      text: "Use <os firmware='efi'> (libvirt then picks an SEV-capable OVMF), with <acpi/> in <features> on x86, without which libvirt refuses UEFI.",
      edits: (c) => (c.input.domain.firmware.loaderType === 'unknown' ? uefiEdits(c.input.domain) : []),
    },
    sources: [src('LV-KB-SEV', 'UEFI required'), src('QEMU-SEVDOC', 'OVMF, stateless firmware for attestation'), UEFI_NEEDS_ACPI],
  },
  {
    key: 'R-SEV-06',
    id: 'R-SEV-06',
    scope: 'domain',
    severity: 'error',
    whenUnknown: 'skip',
    when: [inSev, (c) => c.input.goals.migration === true],
    title: (c) => `${secureName(c.cvm)} guests cannot be live-migrated`,
    explanation: 'QEMU installs a migration blocker for SEV, SEV-ES and SEV-SNP guests; virsh migrate fails.',
    messages: [...new Set(['sev', 'sev-snp'].flatMap((t) => allQuotes(migrationBlocker(t as 'sev' | 'sev-snp'))))],
    messagesFor: (c) => quotesFor(migrationBlocker(c.cvm), c.qemu),
    fix: { text: 'Shut the guest down and move it cold, or do not make it a SEV guest.' },
    sources: [src('QEMU-SEV', 'sev_launch_finish / sev_snp_launch_finish: migrate_add_blocker')],
  },
  {
    key: 'R-SEV-06/note',
    id: 'R-SEV-06',
    scope: 'domain',
    severity: 'info',
    when: [inSev, (c) => c.input.goals.migration === 'unknown'],
    title: (c) => `${secureName(c.cvm)} guests cannot be live-migrated`,
    explanation: 'QEMU blocks live migration of SEV-family guests with a migration blocker; plan for cold moves.',
    messagesFor: (c) => quotesFor(migrationBlocker(c.cvm), c.qemu),
    fix: { text: 'Nothing to change; plan maintenance with shutdowns instead of live migration.' },
    sources: [src('QEMU-SEVDOC', 'migration blocker')],
  },
];

export const SEV_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  absentWithoutDefault(
    'R-SEV-02',
    ['sev', 'sev-es', 'sev-snp'],
    [
      src('LV-KB-SEV', 'virtio devices need iommu=on before QEMU 6.0'),
      src('QEMU-MACHINE', 'confidential-guest-support defaults (QEMU 6.0)'),
    ],
  ),
  {
    key: 'R-SEV-04/rom',
    id: 'R-SEV-04',
    scope: 'device',
    severity: 'warning',
    inPlan: true,
    when: [inSev, (c) => c.device.virtio && c.device.kind === 'interface' && c.device.rom !== 'off'],
    title: (c) => `${c.device.label}: the iPXE boot ROM is not SEV-aware`,
    explanation:
      "Network boot through the virtio-net option ROM hangs in a SEV guest. libvirt's SEV guide disables it with <rom enabled='no'/>.",
    fix: { text: "Add <rom enabled='no'/> to the interface.", edits: (c) => romOff(c.device) },
    sources: [src('LV-KB-SEV', "<rom enabled='no'/>")],
  },
  {
    key: 'R-SEV-04/gpu',
    id: 'R-SEV-04',
    scope: 'device',
    severity: 'warning',
    when: [inSev, (c) => c.device.function === 'gpu' && !c.device.implicit],
    title: (c) => `${c.device.label}: virtio-gpu in this ${secureName(c.cvm)} guest is unverified`,
    explanation:
      "libvirt's SEV guide says virtio-gpu cannot be used, in its paragraph about i440fx, reasoning that video devices have no non-transitional model. QEMU's virtio-gpu is modern-only on every bus (virtio-gpu-pci.c: virtio_pci_force_virtio_1) and reaches guest memory through the device's DMA address space like any virtio device with ACCESS_PLATFORM (hw/display/virtio-gpu.c), so the guide's reason does not hold; no source confirms that it works or fails in a SEV guest (fact sheet §7.2 item 9).",
    fix: {
      text: "If the guest shows no display, use another adapter (e.g. <model type='vga'/>) or remove the virtio video device; libvirt adds a default adapter for <graphics>.",
    },
    sources: [src('LV-KB-SEV', 'virtio-gpu (i440fx paragraph)'), src('QEMU-VPCI', 'virtio-gpu-pci: virtio_pci_force_virtio_1')],
  },
  {
    key: 'R-SEV-04/virtio-mem',
    id: 'R-SEV-04',
    scope: 'device',
    severity: 'error',
    // SNP keeps private memory in guest_memfd and leaves discarding possible (sev.c); only SEV and SEV-ES pin it.
    when: [(c) => c.cvm === 'sev' || c.cvm === 'sev-es', (c) => c.device.function === 'mem'],
    title: (c) => `${c.device.label}: virtio-mem cannot work in this ${secureName(c.cvm)} guest`,
    explanation:
      "virtio-mem grows and shrinks the guest by discarding the memory it unplugs. A SEV or SEV-ES guest's memory is pinned, so QEMU turns discarding off as it sets the guest up (target/i386/sev.c sev_kvm_init: ram_block_discard_disable), and the virtio-mem device then refuses to start (hw/virtio/virtio-mem.c, read in QEMU 10.0's source; not seen here: no SEV host). libvirt does not check it. SEV-SNP keeps private memory in guest_memfd, where discarding stays possible.",
    messages: ['Discarding RAM is disabled'],
    fix: {
      text: "Remove the <memory model='virtio-mem'> device, and give the guest the memory it should have at boot in <memory> and <currentMemory>; SEV-SNP guests are not affected.",
      edits: (c) => [{ op: 'remove-element', target: c.device.target }],
    },
    sources: [
      src('QEMU-SEV', 'sev_kvm_init: SEV/SEV-ES rely on pinned memory, ram_block_discard_disable(true)'),
      src('QEMU-VMEM', 'virtio_mem_device_realize: "Discarding RAM is disabled"'),
    ],
  },
];

/** A value written in the domain that differs from the host's; an absent one libvirt fills in (6.9.0 and later). */
function mismatch(domainValue: number | 'unknown', hostValue: number | 'unknown'): Verdict {
  if (domainValue === 'unknown') return false;
  if (hostValue === 'unknown') return unknown("the host's SEV values (virsh domcapabilities)");
  return domainValue !== hostValue;
}
