/**
 * `virtio-access explain SWIOTLB`: how the guest's bounce-buffer pool is sized, what the `swiotlb=` parameter means,
 * how the engine counts the worst case, and the messages to look for. The facts are those swiotlb-pool.ts and
 * swiotlb-demand.ts compute with; the release numbers come from there too.
 */
import type { Source } from '../contracts/findings';
import { src } from './sources';
import { POOL_RELEASES, release } from './swiotlb-pool';

export interface TopicExplanation {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly sections: readonly { readonly heading: string; readonly text: string }[];
  /** The fact-sheet rules that report it for a domain. */
  readonly rules: readonly string[];
  /**
   * Guest messages, verbatim (kernel/dma/swiotlb.c prefixes its own with "software IO TLB: "); the panic is what
   * kernels before 6.0 print instead of the warning without a pool.
   */
  readonly messages: readonly string[];
  readonly sources: readonly Source[];
}

const R = POOL_RELEASES;

export const SWIOTLB_TOPIC: TopicExplanation = {
  id: 'SWIOTLB',
  title: 'SWIOTLB: the bounce-buffer pool of a guest whose virtio I/O bounces',
  summary:
    'A confidential guest (SEV, SEV-ES, SEV-SNP, TDX, s390 PV, POWER PEF, Arm CCA) cannot let the host read its memory, so every virtio ' +
    'buffer is copied through a pool of memory it shares with the host: SWIOTLB. swiotlb=force on the kernel command line does the same ' +
    "for any device with <driver iommu='on'/>. When the pool is full, I/O waits or fails. `check` and `plan` report the pool, the worst " +
    'case of the domain\'s devices and the swiotlb= that covers it ("swiotlb" in --json).',
  sections: [
    {
      heading: 'The pool the guest kernel allocates',
      text:
        'Linux: 64 MiB (IO_TLB_DEFAULT_SIZE) in slabs of 2 KiB (IO_TLB_SHIFT 11). ' +
        `AMD SEV, SEV-ES, SEV-SNP: 6% of the memory the kernel sees, at least 64 MiB and at most 1 GiB, since Linux ${release(R.sevAutoSize)} ` +
        '(e998879d4fb7, mem_encrypt_setup_arch; the kernel logs "SWIOTLB bounce buffer size adjusted to <N>MB"). ' +
        `Intel TDX: the same rule (the test is cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT), true for TDX since TDX guests came in ${release(R.tdxGuest)}); ` +
        `before ${release(R.tdxGeneric)} (6e74b125155d) only in kernels built with CONFIG_AMD_MEM_ENCRYPT, as distribution kernels are. ` +
        's390 Protected Virtualization (pv_init), POWER PEF (init_svm) and Arm CCA realms (arm64 mem_init, after Linux 6.12) force bouncing ' +
        `without resizing: 64 MiB. Since Linux ${release(R.areas)} the pool is split into one area per possible CPU (rounded up to a power ` +
        'of two, at least 128 slabs each) and its slab count is rounded up to a power of two ("SWIOTLB bounce buffer size roundup to <N>MB").',
    },
    {
      heading: 'The swiotlb= parameter',
      text:
        'swiotlb=<slabs>[,<areas>][,force|noforce] (setup_io_tlb_npages). <slabs> counts 2 KiB slabs and is rounded up to a multiple of 128, ' +
        'then (6.0 and later) to a power of two: swiotlb=262144 is 512 MiB, swiotlb=3000 gives 8 MiB. A slab count other than 32768 turns ' +
        "the 6% resize off; swiotlb=force alone does not. force makes every device that uses the DMA API bounce (virtio: those with iommu='on'); " +
        'noforce disables the pool, so a confidential guest cannot do virtio I/O. It goes on the guest kernel command line: the boot loader ' +
        '(GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub or grub2-mkconfig), or <os><cmdline> for direct kernel boot, which `plan` writes. ' +
        'A pool that does not fit is halved at boot until it does ("SWIOTLB bounce buffer size adjusted <a> -> <b> slabs"; in 6.1 from the ' +
        '6.1.40 stable release, in 6.12 and later); do not count on that and keep it well within the guest memory.',
    },
    {
      heading: 'The worst case of the domain',
      text:
        'Every mapping takes whole 2 KiB slabs, at most 128 of them (256 KiB) in one piece. virtio-blk: queues (the XML, else one per vCPU on ' +
        'virtio-pci with machine types 5.2 and later, else 1; at most the possible vCPUs) × queue_size requests (256, 128 before machine 5.0) × ' +
        'the largest request: 4 MiB of data from Linux 6.17, 1280 KiB before (the block layer default max_sectors_kb; a kernel of unknown version ' +
        'is taken as current) plus a header, a status byte and the indirect descriptor ' +
        'table, each mapped on its own. virtio-scsi: commands in flight (disks × cmd_per_lun 128, at most queues × 256) × the same request, ' +
        'capped by max_sectors. virtio-net: per queue pair, 256 receive buffers of up to a page and 256 (1024 with vhost-user or vDPA) packets ' +
        'of 64 KiB in up to 18 pieces. Other virtio devices use little and are not counted. The recommendation is a power-of-two slab count ' +
        'that holds the worst case, at most half of the memory the pool can lie in (below 4 GiB on x86, 2 GiB on s390).',
    },
    {
      heading: 'What it costs',
      text:
        'The pool is taken from guest memory at boot, plus 24 bytes of bookkeeping per slab (struct io_tlb_slot, about 1.2%). A memory-encrypted ' +
        'guest shares (decrypts) that memory with the host for the lifetime of the guest. On x86 the pool must lie below 4 GiB ' +
        '(memblock_alloc_low); QEMU q35 keeps 2 GiB of RAM there when the guest has 2816 MiB or more.',
    },
    {
      heading: 'Seeing it in the guest',
      text:
        'dmesg shows the pool ("software IO TLB: mapped [mem <start>-<end>] (<N>MB)"; on x86 only when the guest uses SWIOTLB by itself: ' +
        'memory encryption, or memory above 4 GiB) and /sys/kernel/debug/swiotlb/io_tlb_nslabs and io_tlb_used show its slabs and their use.',
    },
  ],
  rules: ['R-LNX-03', 'R-LNX-04'],
  messages: [
    'swiotlb buffer is full (sz: <n> bytes), total <t> (slots), used <u> (slots)',
    'software IO TLB: SWIOTLB bounce buffer size adjusted to <N>MB',
    'software IO TLB: SWIOTLB bounce buffer size roundup to <N>MB',
    'software IO TLB: mapped [mem <start>-<end>] (<N>MB)',
    "Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer",
    "Kernel panic - not syncing: Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer",
  ],
  sources: [
    src('LNX-SWIOTLB-H', 'IO_TLB_SHIFT, IO_TLB_SEGSIZE, IO_TLB_DEFAULT_SIZE'),
    src('LNX-SWIOTLB', 'setup_io_tlb_npages, swiotlb_adjust_size, round_up_default_nslabs, swiotlb_init_remap, swiotlb_tbl_map_single'),
    src('LNX-KPARAMS', 'swiotlb='),
    src('LNX-X86CC', 'mem_encrypt_setup_arch (e998879d4fb7; moved from mem_encrypt_amd.c by 6e74b125155d)'),
    src('LNX-PCIDMA', 'pci_swiotlb_detect, pci_iommu_init'),
    src('LNX-S390MM', 'pv_init'),
    src('LNX-PPCSVM', 'init_svm'),
    src('LNX-ARM64MM', 'mem_init: is_realm_world'),
    src('LNX-RING', 'virtqueue_add_split/_packed'),
    src('LNX-VBLK', 'virtblk_probe'),
    src('LNX-VSCSI', 'virtscsi_probe'),
    src('LNX-VNET', 'add_recvbuf_mergeable, start_xmit'),
    src('LNX-BLKSET', 'BLK_DEF_MAX_SECTORS'),
    src('QEMU-VBLK', 'queue-size, seg_max, num-queues'),
    src('QEMU-VSCSI', 'virtqueue_size, max_sectors, cmd_per_lun'),
    src('QEMU-VNET', 'rx_queue_size, tx_queue_size'),
    src('QEMU-MACHINE', 'hw_compat_4_2, hw_compat_5_1'),
  ],
};

const TOPICS: readonly TopicExplanation[] = [SWIOTLB_TOPIC];

/** A topic of `explain` beside the rule ids (`SWIOTLB`); null when there is none by that name. */
export function explainTopic(id: string): TopicExplanation | null {
  return TOPICS.find((t) => t.id === id.trim().toUpperCase()) ?? null;
}

export function topicIds(): readonly string[] {
  return TOPICS.map((t) => t.id);
}
