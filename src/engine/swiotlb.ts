/**
 * The SWIOTLB report (R-LNX-03/04): for a guest whose virtio I/O bounces, the pool its kernel allocates, the worst
 * case its devices can ask of it, and the `swiotlb=` parameter that covers that worst case, with where it goes and
 * what it costs. Kernel facts: swiotlb-pool.ts; device facts: swiotlb-demand.ts.
 */
import type { EngineInput } from '../contracts/engine';
import type { DeviceFacts, DomainFacts, Version } from '../contracts/facts';
import type { Edit, Source } from '../contracts/findings';
import type { SwiotlbReport } from '../contracts/swiotlb';
import { deviceContext, devicesAsChosen, domainContext, iommuEffective, takesAccessPlatform } from './context';
import type { DomainContext } from './rule-types';
import { blockMaxRequest, deviceDemand, qemuDefaults, type CpuCounts, type DeviceDemand } from './swiotlb-demand';
import {
  autoSizes,
  parameterSlabsFor,
  parseSwiotlbParameter,
  POOL_RELEASES,
  poolSlabs,
  release,
  SLAB_BYTES,
  slabsToMiB,
  type PoolFacts,
  type SwiotlbParameter,
} from './swiotlb-pool';
import { src } from './sources';
import { v } from './verdict';

const MiB = 1024 * 1024;
/** struct io_tlb_slot (kernel/dma/swiotlb.c): 24 bytes of bookkeeping per slab. */
const SLOT_BYTES = 24;

/** The arguments of the kernel command line without its `swiotlb=` ones. */
function withoutSwiotlb(cmdline: string): string[] {
  return cmdline.split(/\s+/).filter((t) => t !== '' && !t.startsWith('swiotlb='));
}

/** Virtio devices whose buffers go through the pool: all of a confidential guest's, only iommu ones otherwise. */
function bouncingDevices(c: DomainContext): DeviceFacts[] {
  return devicesAsChosen(c.input).filter(
    (d) => d.virtio && takesAccessPlatform(d) && (c.cvm !== 'none' || iommuEffective(deviceContext(c, d)) === true),
  );
}

/**
 * The most the kernel should set aside: half the guest memory, and on x86 half the RAM below 4 GiB where the pool
 * must lie (memblock_alloc_low, ARCH_LOW_ADDRESS_LIMIT; QEMU q35 keeps 2 GiB below 4 GiB from 2816 MiB of RAM,
 * i440fx 3 GiB from 3584 MiB), on s390 below 2 GiB. Null when the memory is unknown.
 */
function ceilingBytes(domain: DomainFacts): number | null {
  if (domain.memoryKiB === 'unknown') return null;
  const mem = domain.memoryKiB * 1024;
  const fam = domain.machine.family;
  let low = mem;
  if (domain.arch === 'x86_64' || domain.arch === 'i686') {
    if (fam === 'q35' && mem >= 2816 * MiB) low = 2048 * MiB;
    if (fam === 'pc' && mem >= 3584 * MiB) low = 3072 * MiB;
  }
  if (domain.arch === 's390x') low = Math.min(mem, 2048 * MiB);
  return Math.min(mem, low) / 2;
}

/** The machine type's QEMU version decides the device defaults; an unversioned alias is the QEMU binary's own. */
function machineVersion(c: DomainContext): Version | null {
  const m = c.input.domain.machine.version;
  if (m !== 'unknown') return m;
  return c.qemu.kind === 'exact' ? c.qemu.version : null;
}

/** The sources of a report whose worst case counts devices of the functions `fns` (blk, scsi, net). */
function sourcesFor(c: DomainContext, fns: ReadonlySet<DeviceFacts['function']>): Source[] {
  const out: Source[] = [
    src('LNX-SWIOTLB-H', 'IO_TLB_SHIFT 11 (2 KiB slabs), IO_TLB_SEGSIZE 128, IO_TLB_DEFAULT_SIZE 64 MiB'),
    src(
      'LNX-SWIOTLB',
      'setup_io_tlb_npages (swiotlb=<slabs>[,<areas>][,force]), swiotlb_adjust_size, round_up_default_nslabs, swiotlb_max_mapping_size, struct io_tlb_slot; read in Debian linux 6.1.176, 6.12.107, 7.2.8',
    ),
    src('LNX-KPARAMS', 'swiotlb= { <int> [,<int>] | force | noforce }, <int> = number of I/O TLB slabs'),
  ];
  if (autoSizes(c.cvm, null))
    out.push(src('LNX-X86CC', 'mem_encrypt_setup_arch: 6% of memory clamped to [64 MiB, 1 GiB] (e998879d4fb7, 5.11)'));
  if (c.cvm === 's390-pv') out.push(src('LNX-S390MM', 'pv_init: swiotlb_init(true, SWIOTLB_FORCE | SWIOTLB_VERBOSE), no resize'));
  if (c.cvm === 'pef') out.push(src('LNX-PPCSVM', 'init_svm: SWIOTLB_ANY | SWIOTLB_FORCE, no resize'));
  if (c.cvm === 'cca') out.push(src('LNX-ARM64MM', 'mem_init: is_realm_world() forces bouncing, no resize'));
  if (c.cvm === 'none') out.push(src('LNX-PCIDMA', 'pci_swiotlb_detect, pci_iommu_init'));
  out.push(src('LNX-RING', 'virtqueue_add_split/_packed: each scatterlist entry and the indirect table mapped through the DMA API'));
  if (fns.has('blk') || fns.has('scsi')) out.push(src('LNX-BLKSET', 'BLK_DEF_MAX_SECTORS(_CAP) 2560 sectors'));
  if (fns.has('blk')) {
    out.push(
      src('LNX-VBLK', 'virtblk_probe: queue_depth = ring size, min(num_queues, nr_cpu_ids), max_segment_size = virtio_max_dma_size'),
    );
    out.push(src('QEMU-VBLK', 'queue-size 256, seg_max = queue-size - 2, num-queues auto'));
  }
  if (fns.has('scsi')) {
    out.push(src('LNX-VSCSI', 'virtscsi_probe: can_queue = ring size, cmd_per_lun, max_sectors, sg_tablesize = seg_max'));
    out.push(src('LNX-SD', 'sd_revalidate_disk: max_sectors = BLK_DEF_MAX_SECTORS without an optimal transfer length'));
    out.push(src('QEMU-VSCSI', 'virtqueue_size 256, max_sectors 0xFFFF, cmd_per_lun 128, num_queues auto'));
  }
  if (fns.has('blk') || fns.has('scsi')) {
    out.push(src('QEMU-MACHINE', 'hw_compat_4_2 (queue-size 128, seg-max-adjust off), hw_compat_5_1 (num-queues 1)'));
    out.push(src('QEMU-VPCI', 'virtio_pci_optimal_num_queues: one queue per vCPU'));
  }
  if (fns.has('net')) {
    out.push(src('LNX-VNET', 'add_recvbuf_mergeable (buffers up to a page), curr_queue_pairs, MAX_SKB_FRAGS + 2 entries per packet'));
    out.push(src('QEMU-VNET', 'rx/tx_queue_size 256; tx_queue_size above 256 only with vhost-user or vhost-vdpa'));
  }
  return out;
}

/** The `swiotlb=` argument for a slab count, keeping the areas and `force` the command line already gives. */
function argument(slabs: number, p: SwiotlbParameter | null, force: boolean): string {
  return `swiotlb=${slabs}${p?.areas != null ? `,${p.areas}` : ''}${force ? ',force' : ''}`;
}

function build(c: DomainContext): SwiotlbReport | null {
  const { domain, guest } = c.input;
  if (guest.family === 'windows' || guest.family === 'other') return null;
  const cmdline = domain.kernelCmdline === 'absent' ? '' : domain.kernelCmdline;
  const param = parseSwiotlbParameter(cmdline);
  const devices = bouncingDevices(c);
  if (c.cvm === 'none' && (!param?.force || devices.length === 0)) return null;

  const assumptions: string[] = [];
  const kernel = guest.kernelVersion === 'unknown' ? null : guest.kernelVersion;
  if (kernel === null)
    assumptions.push('The guest kernel version is not known: the figures are those of a current kernel (6.17 or later).');
  const possible = domain.vcpus.max === 'unknown' ? 1 : domain.vcpus.max;
  const online = domain.vcpus.current === 'unknown' ? possible : domain.vcpus.current;
  if (domain.vcpus.max === 'unknown') assumptions.push('The vCPU count is not known: 1 is assumed.');
  const f: PoolFacts = {
    cvm: c.cvm,
    memoryBytes: domain.memoryKiB === 'unknown' ? null : domain.memoryKiB * 1024,
    kernel,
    possibleCpus: possible,
  };

  // The pool without a size on the command line, and with the command line as it is.
  const defaultSlabs = poolSlabs(f, param ? { ...param, slabs: null, noforce: false } : null);
  const currentSlabs = poolSlabs(f, param);
  if (autoSizes(c.cvm, kernel)) {
    assumptions.push(
      f.memoryBytes === null
        ? 'The guest memory is not known, so the 6% the kernel sets aside for a memory-encrypted guest cannot be computed: 64 MiB is shown.'
        : `The kernel sets aside 6% of the memory it sees (a little less than <memory>, after firmware reservations), at least 64 MiB and at most 1 GiB (Linux 5.11 and later for SEV).`,
    );
    if (c.cvm === 'tdx')
      assumptions.push(
        `TDX guests share that rule through cc_platform_has(); before Linux ${release(POOL_RELEASES.tdxGeneric)} only in kernels built with CONFIG_AMD_MEM_ENCRYPT (distribution kernels such as Debian's are).`,
      );
  } else if (c.cvm === 'sev' || c.cvm === 'sev-es' || c.cvm === 'sev-snp') {
    assumptions.push(`Linux before ${release(POOL_RELEASES.sevAutoSize)} does not resize the pool for SEV guests: 64 MiB.`);
  } else if (c.cvm === 'none') {
    assumptions.push('swiotlb=force makes every device with iommu on bounce; the pool keeps its default size of 64 MiB.');
  } else {
    assumptions.push('This confidential technology bounces all virtio I/O through the default 64 MiB pool; the kernel does not resize it.');
  }
  if (kernel === null || kernel.major > 5)
    assumptions.push(
      `Since Linux 6.0 the pool is split into one area per possible CPU (${possible} here) and its slab count is rounded up to a power of two.`,
    );
  if (param?.noforce) assumptions.push('swiotlb=noforce on the kernel command line disables the pool: bounced I/O fails.');

  // The worst case of the devices.
  const mv = machineVersion(c);
  if (mv === null)
    assumptions.push(
      "The machine type's QEMU version is not known: QEMU 5.2 or later defaults are assumed (256-entry rings, a queue per vCPU).",
    );
  const q = qemuDefaults(mv ?? v(5, 2));
  const cpus: CpuCounts = { possible, online };
  // One pass, no set of targets: a big domain has thousands of bouncing devices, and keying each by its path
  // in a set was the costliest line of the report.
  const maxRequest = blockMaxRequest(kernel);
  const demands: DeviceDemand[] = [];
  const uncounted: DeviceFacts[] = [];
  const countedFunctions = new Set<DeviceFacts['function']>();
  for (let i = 0; i < devices.length; i++) {
    const d = devices[i]!;
    const demand = deviceDemand(d, q, cpus, maxRequest);
    if (demand === null) uncounted.push(d);
    else {
      demands.push(demand);
      countedFunctions.add(d.function);
    }
  }
  if (uncounted.length > 0)
    assumptions.push(
      `Not counted (small buffers, a page or less per ring entry): ${uncounted.map((d) => d.label).join(', ')}. virtio-gpu framebuffers and virtiofs data would add more.`,
    );
  assumptions.push(
    `The worst case fills every ring with the largest request the guest builds (${maxRequest / 1024} KiB for disks, the block layer's default max_sectors_kb${kernel === null || maxRequest > 1280 * 1024 ? ', 1280 KiB before Linux 6.17' : ''}; 64 KiB packets); raising max_sectors_kb in the guest raises it, lowering it lowers it.`,
  );
  const peakSlabs = demands.reduce((n, d) => n + d.slabs, 0);

  // The recommendation: the pool that holds the worst case, within what the guest can set aside.
  const force = c.cvm === 'none' || param?.force === true;
  const ceiling = ceilingBytes(domain);
  let wantSlabs = parameterSlabsFor(peakSlabs, f);
  if (ceiling !== null && wantSlabs * SLAB_BYTES > ceiling) {
    const capped = 2 ** Math.floor(Math.log2(ceiling / SLAB_BYTES));
    assumptions.push(
      `The worst case (${Math.ceil((peakSlabs * SLAB_BYTES) / MiB)} MiB) is more than this guest can set aside (the recommendation keeps half the memory it can place the pool in for everything else): ` +
        `${slabsToMiB(capped)} MiB is recommended; fewer queues, a smaller queue_size or a lower max_sectors_kb in the guest lower the worst case.`,
    );
    wantSlabs = capped;
  } else if (ceiling === null) {
    assumptions.push('The guest memory is not known: whether the recommended pool fits in it is not checked.');
  }
  // What the pool must hold: the worst case, or as much of it as fits.
  const needSlabs = Math.min(peakSlabs, wantSlabs);
  let recommendedSlabs: number;
  let parameter: string | null;
  if (param?.slabs != null && currentSlabs >= needSlabs) {
    recommendedSlabs = currentSlabs;
    parameter =
      cmdline
        .split(/\s+/)
        .filter((t) => t.startsWith('swiotlb='))
        .pop() ?? null;
  } else if (defaultSlabs >= needSlabs) {
    recommendedSlabs = defaultSlabs;
    parameter = null;
  } else {
    recommendedSlabs = poolSlabs(f, { slabs: wantSlabs, areas: param?.areas ?? null, force, noforce: false });
    parameter = argument(wantSlabs, param, force);
  }

  // Where it goes: <os><cmdline> for direct kernel boot, written by the edits; otherwise the boot loader.
  const where = domain.directKernelBoot ? 'os-cmdline' : 'boot-loader';
  const keep = parameter ?? (force ? 'swiotlb=force' : null);
  const text = [...withoutSwiotlb(cmdline), ...(keep ? [keep] : [])].join(' ');
  const unchanged = text === cmdline.split(/\s+/).filter(Boolean).join(' ');
  const edits: Edit[] = where === 'os-cmdline' && !unchanged ? [{ op: 'set-text', target: '/domain/os/cmdline', text }] : [];

  return {
    defaultMiB: slabsToMiB(defaultSlabs),
    currentMiB: slabsToMiB(currentSlabs),
    peakMiB: Math.ceil((peakSlabs * SLAB_BYTES) / MiB),
    recommendedMiB: slabsToMiB(recommendedSlabs),
    parameter,
    costMiB: Math.ceil((recommendedSlabs * (SLAB_BYTES + SLOT_BYTES)) / MiB),
    where,
    edits,
    devices: demands.map((d) => ({ target: d.target, label: d.label, peakMiB: Math.ceil((d.slabs * SLAB_BYTES) / MiB), basis: d.basis })),
    assumptions,
    sources: sourcesFor(c, countedFunctions),
  };
}

const reports = new WeakMap<EngineInput, SwiotlbReport | null>();

/** The report for a rule's context, computed once per engine input. */
export function swiotlbReportFor(c: DomainContext): SwiotlbReport | null {
  if (!reports.has(c.input)) reports.set(c.input, build(c));
  return reports.get(c.input)!;
}

/** The SWIOTLB report of a domain (as the goal makes it); null when none of its virtio I/O bounces. */
export function swiotlbReport(input: EngineInput): SwiotlbReport | null {
  return swiotlbReportFor(domainContext(input));
}

/** What to do, in words: the parameter and where it goes, or that the default suffices. */
export function swiotlbAdvice(r: SwiotlbReport): string {
  // No parameter although the default is short of the worst case: a larger pool does not fit in this guest.
  if (r.parameter === null && r.recommendedMiB < r.peakMiB)
    return `The worst case (${r.peakMiB} MiB) is more than this guest's memory leaves for a pool: ${r.edits.length > 0 ? 'remove the swiotlb= size from <os><cmdline>, ' : ''}keep the default pool (${r.defaultMiB} MiB) and lower the worst case (fewer queues, a smaller queue_size or a lower max_sectors_kb in the guest), or give the guest more memory.`;
  if (r.parameter === null)
    return r.edits.length > 0
      ? `Remove the swiotlb= size from <os><cmdline>: the default pool (${r.defaultMiB} MiB) covers the worst case (${r.peakMiB} MiB).`
      : `No swiotlb= is needed: the default pool (${r.defaultMiB} MiB) covers the worst case of this domain's virtio I/O (${r.peakMiB} MiB).`;
  // Already on <os><cmdline> (nothing to edit): what it gives, not advice to add it again (a check after a plan).
  if (r.where === 'os-cmdline' && r.edits.length === 0) {
    const covers =
      r.recommendedMiB >= r.peakMiB
        ? `covers the worst case (${r.peakMiB} MiB)`
        : `is as much as this guest can set aside; the worst case is ${r.peakMiB} MiB (fewer queues, a smaller queue_size or a lower max_sectors_kb in the guest lower it)`;
    return `Keep ${r.parameter} in <os><cmdline>: its ${r.recommendedMiB} MiB pool (taking ${r.costMiB} MiB of guest memory) ${covers}.`;
  }
  const cost = `a ${r.recommendedMiB} MiB pool, which takes ${r.costMiB} MiB of guest memory`;
  return r.where === 'os-cmdline'
    ? `Put ${r.parameter} on the kernel command line in <os><cmdline> (${cost}).`
    : `Add ${r.parameter} to the guest kernel command line in its boot loader, e.g. GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub or grub2-mkconfig (${cost}).`;
}
