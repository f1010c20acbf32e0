/**
 * What Linux guests do with the bit (R-LNX-*, domain-facts.md §2.4): SWIOTLB, the balloon, legacy-only guests.
 */
import type { DomainContext, RuleRecord } from '../rule-types';
import { guestVirtio1, guestWords, hasLegacyForm, isConfidential, iommuEffective, legacyAnswer, takesAccessPlatform } from '../context';
import { BALLOON_NONE, BALLOON_TRANSITIONAL, hasModelChoice, setVirtioModel } from '../edits';
import { guestRefusal } from '../messages';
import { src } from '../sources';
import { swiotlbAdvice, swiotlbReportFor } from '../swiotlb';
import { parseSwiotlbParameter } from '../swiotlb-pool';
import type { SwiotlbDeviceDemand } from '../../contracts/swiotlb';
import type { DeviceFacts } from '../../contracts/facts';
import type { Edit } from '../../contracts/findings';

import { WHY_CONFIDENTIAL, secureName, WHAT_IOMMU_DOES, implicitBalloonWords } from '../words';

import { dropIommuIfOrdinary } from './shared';
import { needsBit } from './cc';
import { not, or } from '../verdict';

/** The pool, its worst case and the swiotlb= that covers it come from the SWIOTLB report (swiotlb.ts). */
const report = (c: DomainContext) => swiotlbReportFor(c);
/** Whether the guest kernel command line the domain gives (<os><cmdline>) turns the SWIOTLB pool off. */
const poolDisabled = (c: DomainContext): boolean =>
  c.input.domain.kernelCmdline !== 'absent' && parseSwiotlbParameter(c.input.domain.kernelCmdline)?.noforce === true;
const MSG_SWIOTLB_FULL = 'swiotlb buffer is full (sz: <n> bytes), total <t> (slots), used <u> (slots)';

/** The devices' demands of the last report worded, and those words (see demandsInWords). */
let lastDemands: { readonly devices: readonly SwiotlbDeviceDemand[]; readonly words: string } | null = null;

/**
 * Each device's worst case in a sentence. A domain with thousands of devices has a report like the last one's
 * each time it is judged (its plan's result, the next goal), and the words were a few percent of judging it.
 */
function demandsInWords(devices: readonly SwiotlbDeviceDemand[]): string {
  const last = lastDemands;
  if (last && sameDemands(last.devices, devices)) return last.words;
  const words = devices.map((d) => `${d.label}: up to ${d.peakMiB} MiB (${d.basis}).`).join(' ');
  lastDemands = { devices, words };
  return words;
}

/** Whether two lists of demands say the same in words (label, peak and basis of each, in order). */
function sameDemands(a: readonly SwiotlbDeviceDemand[], b: readonly SwiotlbDeviceDemand[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.label !== y.label || x.peakMiB !== y.peakMiB || x.basis !== y.basis) return false;
  }
  return true;
}

/**
 * What makes a device transitional, when QEMU has a legacy form of it: its model, or for the balloon libvirt adds by
 * itself, an explicit one with that model (libvirt adds none when the document has one).
 */
function transitionalEdits(d: DeviceFacts): readonly Edit[] {
  if (!hasLegacyForm(d)) return [];
  if (d.implicit) return d.kind === 'memballoon' ? [BALLOON_TRANSITIONAL] : [];
  return hasModelChoice(d) ? setVirtioModel(d, 'virtio-transitional') : [];
}

export const LINUX_RULES: readonly RuleRecord<'domain'>[] = [
  {
    key: 'R-LNX-03',
    id: 'R-LNX-03',
    scope: 'domain',
    severity: 'info',
    when: [(c) => report(c) !== null],
    title: 'All virtio I/O of this guest goes through SWIOTLB bounce buffers',
    detail: (c) => {
      const r = report(c)!;
      const pool =
        r.currentMiB === r.defaultMiB
          ? `${r.defaultMiB} MiB (its kernel's default)`
          : `${r.currentMiB} MiB (set by swiotlb= on <os><cmdline>; the default would be ${r.defaultMiB} MiB)`;
      return `The guest's pool: ${pool}. The worst case of its virtio devices: ${r.peakMiB} MiB. ${swiotlbAdvice(r)}`;
    },
    explanation: `${WHY_CONFIDENTIAL} Linux's pool is 64 MiB by default (IO_TLB_DEFAULT_SIZE, in slabs of 2 KiB); SEV and TDX guests get 6% of their memory, 64 MiB to 1 GiB (Linux 5.11); since Linux 6.0 the slab count is rounded up to a power of two. swiotlb=N on the kernel command line sets N slabs of 2 KiB (262144 = 512 MiB) instead. \`virtio-access explain SWIOTLB\` shows how the worst case is counted.`,
    fix: {
      text: (c) => swiotlbAdvice(report(c)!),
      general: 'For I/O-heavy guests put swiotlb=<slabs of 2 KiB> on the guest kernel command line (the report gives the number).',
    },
    sources: [
      src('LNX-X86CC', 'mem_encrypt_setup_arch: SWIOTLB bounce buffer size adjusted'),
      src('LNX-SWIOTLB', 'IO_TLB_DEFAULT_SIZE, setup_io_tlb_npages, round_up_default_nslabs'),
      src('LNX-KPARAMS', 'swiotlb='),
      src('AMDSEV', 'README FAQ'),
    ],
  },
  {
    key: 'R-LNX-04',
    id: 'R-LNX-04',
    scope: 'domain',
    severity: 'warning',
    when: [
      (c) => {
        const r = report(c);
        return r !== null && r.currentMiB < r.peakMiB;
      },
      // R-LNX-04/noforce says it where the command line turns the pool off.
      (c) => !poolDisabled(c),
    ],
    title: (c) => {
      const r = report(c)!;
      return `The guest's bounce-buffer pool (${r.currentMiB} MiB) is smaller than the worst case of its virtio I/O (${r.peakMiB} MiB)`;
    },
    detail: (c) => demandsInWords(report(c)!.devices),
    explanation: `${WHY_CONFIDENTIAL} When the pool is full, Linux logs the message below and the request waits or fails: disk I/O stalls or errors (a filesystem may remount read-only) and packets drop. Multi-queue virtio-blk with deep queues fills the default pool first. A kernel built with CONFIG_SWIOTLB_DYNAMIC (Linux 6.6; off by default and in Debian's kernels up to 7.2) adds pools as it runs out instead, at a cost in latency.`,
    // Without a pool at all (swiotlb=noforce, or none allocated) Linux 6.0 and later warn, older kernels panic.
    messages: [
      MSG_SWIOTLB_FULL,
      "Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer",
      "Kernel panic - not syncing: Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer",
    ],
    fix: {
      text: (c) => swiotlbAdvice(report(c)!),
      general:
        'Raise the pool with swiotlb=<slabs of 2 KiB> on the guest kernel command line, or lower the worst case with fewer queues or a smaller queue_size.',
      edits: (c) => report(c)!.edits,
    },
    // Direct kernel boot: the plan writes the swiotlb= the report recommends into <os><cmdline>.
    inPlan: true,
    sources: [
      src('LNX-SWIOTLB', 'swiotlb_tbl_map_single: message; swiotlb_find_slots: more pools only with CONFIG_SWIOTLB_DYNAMIC'),
      src('AMDSEV', 'README FAQ: virtio-blk multiqueue'),
    ],
  },
  {
    key: 'R-LNX-04/noforce',
    id: 'R-LNX-04',
    scope: 'domain',
    severity: 'error',
    inPlan: true,
    when: [(c) => report(c) !== null, poolDisabled],
    title: 'swiotlb=noforce on the guest kernel command line leaves this confidential guest no bounce buffers: its virtio I/O cannot work',
    explanation: `${WHY_CONFIDENTIAL} swiotlb=noforce makes Linux allocate no SWIOTLB pool at all (kernel/dma/swiotlb.c: swiotlb_force_disable), so there is nowhere to bounce to: every DMA mapping of a virtio device fails (Linux 6.0 and later print the first message below, older kernels panic with the second).`,
    messages: [
      "Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer",
      "Kernel panic - not syncing: Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer",
    ],
    fix: {
      text: (c) => `Remove noforce from swiotlb=. ${swiotlbAdvice(report(c)!)}`,
      general: 'Remove noforce from swiotlb= on the guest kernel command line.',
      edits: (c) => report(c)!.edits,
    },
    sources: [src('LNX-SWIOTLB', 'swiotlb_init_remap: no pool with swiotlb_force_disable'), src('LNX-KPARAMS', 'swiotlb= noforce')],
  },
];

export const LINUX_DEVICE_RULES: readonly RuleRecord<'device'>[] = [
  ...(['warning', 'error'] as const).map((severity): RuleRecord<'device'> => ({
    // s390 PV: libvirt's PV guide requires the balloon gone (QEMU fences ballooning there); elsewhere it is only
    // dead (fact sheet R-LNX-05: a warning), and the plan still removes it.
    key: severity === 'error' ? 'R-LNX-05/pv' : 'R-LNX-05',
    id: 'R-LNX-05',
    scope: 'device',
    severity,
    inPlan: true,
    // What Linux's driver does; a Windows guest's balloon driver is another matter (R-WIN-02/balloon).
    when: [
      isConfidential,
      (c) => (c.cvm === 's390-pv') === (severity === 'error'),
      (c) => c.device.virtio && c.device.function === 'balloon',
      (c) => c.input.guest.family !== 'windows',
    ],
    title: (c) => `${c.device.label} cannot work in this ${secureName(c.cvm)} guest`,
    detail: (c) => implicitBalloonWords(c.device),
    explanation: `The Linux balloon driver always refuses ACCESS_PLATFORM because it talks in guest page numbers, not DMA addresses. ${WHY_CONFIDENTIAL} So the balloon is dead either way: the guest logs an error for it and boots without ballooning${severity === 'error' ? "; for s390 PV libvirt's guide requires it gone, and QEMU fences ballooning there" : ''}.`,
    messages: ['virtio_balloon virtio<N>: device must provide VIRTIO_F_ACCESS_PLATFORM'],
    messagesFor: (c) => guestRefusal(c, 'device must provide VIRTIO_F_ACCESS_PLATFORM'),
    fix: { text: "Use <memballoon model='none'/>.", edits: () => [BALLOON_NONE] },
    sources: [src('LNX-BALLOON', 'virtballoon_validate clears ACCESS_PLATFORM'), src('LV-KB-PV', "memballoon model='none'")],
  })),
  {
    key: 'R-LNX-05/iommu',
    id: 'R-LNX-05',
    scope: 'device',
    severity: 'warning',
    // virtio-win's balloon accepts the bit (R-WIN-01); this is Linux's driver.
    when: [
      (c) => c.device.virtio && c.device.function === 'balloon' && c.device.driver.iommu === 'on',
      (c) => !isConfidential(c) && c.input.guest.family !== 'windows',
    ],
    title: (c) => `${c.device.label} with iommu='on' will be refused by the guest driver`,
    explanation: 'The Linux balloon driver never accepts ACCESS_PLATFORM, and QEMU then refuses FEATURES_OK: ballooning does not work.',
    messages: ['virtio_balloon virtio<N>: virtio: device refuses features: <status>'],
    fix: {
      text: 'Remove iommu from the memballoon driver.',
      edits: (c) => [{ op: 'remove-attribute', target: `${c.device.target}/driver`, name: 'iommu' }],
    },
    sources: [src('LNX-BALLOON', 'virtballoon_validate'), src('QEMU-VIRTIO', 'virtio_validate_features')],
  },
  {
    key: 'R-LNX-06',
    id: 'R-LNX-06',
    scope: 'device',
    severity: 'error',
    whenUnknown: 'skip',
    // In a confidential VM the device must end up with the bit, whatever its iommu attribute says now.
    when: [(c) => c.input.guest.virtio1 === 'no', (c) => takesAccessPlatform(c.device), (c) => or(iommuEffective(c), needsBit(c))],
    title: (c) => `${guestWords(c)} has only legacy virtio drivers and cannot use ${c.device.label} with ACCESS_PLATFORM`,
    explanation: `${WHAT_IOMMU_DOES} Bit 33 lies beyond the 32 feature bits a legacy (virtio 0.9.5) driver understands, so a guest without VIRTIO 1.0 drivers can never accept it: the device is missing in the guest. Such a guest cannot be a confidential VM at all.`,
    fix: {
      text: "Do not set iommu='on' for this guest (ordinary VMs), or install a guest with VIRTIO 1.0 drivers.",
      edits: dropIommuIfOrdinary,
    },
    sources: [src('SPEC-PCI', 'legacy interface: feature bits 0-31 only'), src('THREAD-2020', 'old guests break (RHEL 6 example)')],
  },
  {
    key: 'R-LNX-06/modern-only',
    id: 'R-LNX-06',
    scope: 'device',
    severity: 'error',
    whenUnknown: 'skip',
    // Whatever the bit: a legacy (virtio 0.9.5) driver cannot bind a device without the legacy interface.
    when: [(c) => guestVirtio1(c) === 'no', (c) => c.device.virtio && c.device.transport === 'pci', (c) => not(legacyAnswer(c).verdict)],
    title: (c) => `${guestWords(c)} has only legacy virtio drivers and cannot use ${c.device.label}, which is modern-only`,
    explanation:
      "A guest without VIRTIO 1.0 drivers binds a virtio-pci device only through its legacy interface (PCI device ids 1af4:1000 to 103f). QEMU gives a device that interface only where the device is transitional; this one is not, so the device is missing in the guest, with or without iommu='on'.",
    detail: (c) => `Here: ${legacyAnswer(c).because}.`,
    fix: {
      text: (c) =>
        isConfidential(c)
          ? 'None: a confidential VM needs modern devices, which this guest cannot drive (see R-LNX-06).'
          : transitionalEdits(c.device).length > 0
            ? `Use model='virtio-transitional' (libvirt 5.2.0 and later)${c.device.implicit ? ` on an explicit <${c.device.kind}>` : ''}, which gives the device its legacy interface wherever it sits.`
            : `QEMU has no legacy form of ${c.device.label}: remove it, or install a guest with VIRTIO 1.0 drivers.`,
      general: "Use model='virtio-transitional' for devices QEMU has a legacy form of, or a guest with VIRTIO 1.0 drivers.",
      edits: (c) => (isConfidential(c) ? [] : transitionalEdits(c.device)),
    },
    sources: [
      src('QEMU-VPCI', 'virtio_pci_realize: disable-legacy=auto is on on a PCI Express port; the -transitional types keep legacy'),
      src('LV-FMT', 'Virtio device models: virtio-transitional works with virtio 0.9 and 1.0 guest drivers'),
      src('TP-QEMU', 'qemu/tests/cfg/virtio_mode.cfg: with_modern, "no RHEL.6"'),
    ],
  },
];
