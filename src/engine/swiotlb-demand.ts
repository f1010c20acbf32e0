/**
 * The worst case of bounce-buffer use: every request slot of every queue of every virtio device filled with the
 * largest request the guest driver can build, each mapping rounded up to whole 2 KiB slabs. Counted in slabs.
 *
 * Guest side (Linux, read in Debian's 6.1.176, 6.12.107 and 7.2.8 source packages; where they differ, said so):
 * - virtio_ring.c virtqueue_add_split()/_packed(): every scatterlist entry is mapped on its own through the DMA API,
 *   and so is the indirect descriptor table (16 bytes per entry); with SWIOTLB each mapping takes whole 2 KiB slabs.
 * - virtio_blk.c virtblk_probe(): queue depth = ring size (with indirect descriptors, which QEMU offers by default);
 *   hardware queues = min(num_queues, nr_cpu_ids); max_segments = seg_max; max_segment_size =
 *   virtio_max_dma_size() = swiotlb_max_mapping_size() = 256 KiB; a request adds a 16-byte header and a status byte,
 *   each its own mapping. block/blk-settings.c: max_sectors defaults to BLK_DEF_MAX_SECTORS(_CAP): 2560 sectors
 *   (1280 KiB) in 6.1 and 6.12, 4 MiB in 7.2.8 (block/blk.h `SZ_4M >> SECTOR_SHIFT`; raised in Linux 6.17 by commit
 *   9b8b84879d4a "block: Increase BLK_DEF_MAX_SECTORS_CAP", as linux-block's thread and regression reports say).
 * - virtio_scsi.c virtscsi_probe(): can_queue = ring size per request queue, cmd_per_lun and max_sectors from the
 *   device, sg_tablesize = seg_max; no max_segment_size, so 64 KiB segments (BLK_MAX_SEGMENT_SIZE); sd.c keeps
 *   max_sectors at BLK_DEF_MAX_SECTORS when the device reports no optimal transfer length (QEMU reports none).
 * - virtio_net.c: queue pairs = min(max_queue_pairs, online CPUs); the receive ring is kept full of buffers of at
 *   most a page (mergeable buffers, QEMU's default); without them (`<host mrg_rxbuf='off'/>`) and with the guest
 *   offloads QEMU offers by default, of "big packets" (add_recvbuf_big, 7.2.8): a header, the rest of its page and
 *   MAX_SKB_FRAGS (17) more pages, each its own mapping; a transmitted packet is at most GSO_LEGACY_MAX_SIZE (64 KiB)
 *   in at most MAX_SKB_FRAGS (17) fragments plus the linear part.
 * Device side (QEMU, read in Debian's 7.2 and 10.0.13 source packages):
 * - hw/block/virtio-blk.c: queue-size 256, seg_max = queue-size - 2 (seg-max-adjust), num-queues "auto", which
 *   virtio-blk-pci resolves to the vCPU count (hw/virtio/virtio-pci.c virtio_pci_optimal_num_queues) and other
 *   transports to 1. hw/scsi/virtio-scsi.c: virtqueue_size 256, seg_max likewise, max_sectors 0xFFFF, cmd_per_lun 128.
 * - hw/core/machine.c: machine types before 5.0 (hw_compat_4_2) have queue-size/virtqueue_size 128 and seg_max 126;
 *   before 5.2 (hw_compat_5_1) num-queues 1.
 * - hw/net/virtio-net.c: rx/tx_queue_size 256; tx_queue_size above 256 only with vhost-user or vhost-vdpa.
 * - hw/block/vhost-user-blk.c: queue-size 128, num-queues "auto"; seg_max comes from the backend.
 */
import type { DeviceFacts, Version } from '../contracts/facts';
import { compareVersions } from '../contracts/version';
import { SLAB_BYTES } from './swiotlb-pool';
import { v } from './verdict';

const KiB = 1024;
/** BLK_DEF_MAX_SECTORS_CAP: 2560 sectors of 512 bytes before Linux 6.17, 4 MiB from it. */
const BLOCK_MAX_REQUEST_BEFORE_6_17 = 2560 * 512;
const BLOCK_MAX_REQUEST = 4096 * KiB;
const LARGER_REQUESTS_FROM = v(6, 17);

/** The largest request the block layer builds by default in this guest kernel (a current one when unknown). */
export function blockMaxRequest(kernel: Version | null): number {
  return kernel !== null && compareVersions(kernel, LARGER_REQUESTS_FROM) < 0 ? BLOCK_MAX_REQUEST_BEFORE_6_17 : BLOCK_MAX_REQUEST;
}
/** swiotlb_max_mapping_size(): IO_TLB_SEGSIZE × IO_TLB_SIZE. */
const SWIOTLB_MAX_MAPPING = 256 * KiB;
const SCSI_SEGMENT = 64 * KiB;
const PAGE = 4 * KiB;
const DESCRIPTOR_BYTES = 16;
const GSO_MAX = 64 * KiB;
const MAX_SKB_FRAGS = 17;

/** QEMU's device defaults as the machine type fixes them. */
export interface QemuDefaults {
  /** virtio-blk queue-size and virtio-scsi virtqueue_size. */
  readonly ringSize: number;
  /** seg-max-adjust: seg_max follows the ring size (else 126). */
  readonly segMaxAdjust: boolean;
  /** num-queues "auto": one queue per vCPU on virtio-pci. */
  readonly autoQueues: boolean;
}

/** The defaults of a machine type of this QEMU version (hw_compat_4_2, hw_compat_5_1). */
export function qemuDefaults(machine: Version): QemuDefaults {
  const since50 = compareVersions(machine, v(5, 0)) >= 0;
  return { ringSize: since50 ? 256 : 128, segMaxAdjust: since50, autoQueues: compareVersions(machine, v(5, 2)) >= 0 };
}

export interface CpuCounts {
  /** nr_cpu_ids: possible CPUs (`<vcpu>`). */
  readonly possible: number;
  /** QEMU's smp.cpus and the CPUs online at boot (`<vcpu current>`). */
  readonly online: number;
}

export interface DeviceDemand {
  readonly target: string;
  readonly label: string;
  readonly slabs: number;
  /** How the figure comes about, in words. */
  readonly basis: string;
}

const slabsOf = (bytes: number) => Math.ceil(bytes / SLAB_BYTES);
const known = (n: number | 'unknown'): number | null => (n === 'unknown' ? null : n);
const kib = (bytes: number) => `${bytes / KiB} KiB`;

/** One request of a block device: its data in page-sized pieces, its own small mappings, the descriptor table. */
function requestSlabs(dataBytes: number, segMax: number, smallMappings: number): number {
  return slabsOf(dataBytes) + smallMappings + slabsOf(DESCRIPTOR_BYTES * (segMax + smallMappings));
}

function blk(d: DeviceFacts, q: QemuDefaults, cpus: CpuCounts, maxRequest: number): DeviceDemand {
  // vhost-user-blk (hw/block/vhost-user-blk.c): queue-size 128, and seg_max is the backend's, taken as large.
  const vhostUser = d.backend === 'vhost-user';
  const ring = known(d.io.queueSize) ?? (vhostUser ? 128 : q.ringSize);
  const segMax = vhostUser || q.segMaxAdjust ? ring - 2 : 126;
  const queues = known(d.queues) ?? (q.autoQueues && d.transport === 'pci' ? cpus.online : 1);
  const hw = Math.min(queues, cpus.possible);
  const data = Math.min(maxRequest, segMax * SWIOTLB_MAX_MAPPING);
  const per = requestSlabs(data, segMax, 2);
  return {
    target: d.target,
    label: d.label,
    slabs: hw * ring * per,
    basis: `${hw} queue${hw === 1 ? '' : 's'} × ${ring} requests × ${per} slabs (${kib(data)} of data, header, status, descriptor table)`,
  };
}

function scsi(d: DeviceFacts, q: QemuDefaults, cpus: CpuCounts, maxRequest: number): DeviceDemand {
  const ring = q.ringSize;
  const segMax = q.segMaxAdjust ? ring - 2 : 126;
  const queues = known(d.queues) ?? (q.autoQueues && d.transport === 'pci' ? cpus.online : 1);
  const hw = Math.min(queues, cpus.possible);
  const perLun = Math.min(known(d.io.cmdPerLun) ?? 128, ring);
  const inFlight = Math.min(hw * ring, d.io.scsiDisks * perLun);
  const data = Math.min(maxRequest, (known(d.io.maxSectors) ?? 0xffff) * 512, segMax * SCSI_SEGMENT);
  const per = requestSlabs(data, segMax, 2);
  return {
    target: d.target,
    label: d.label,
    slabs: inFlight * per,
    basis:
      `${inFlight} commands (${d.io.scsiDisks} disk${d.io.scsiDisks === 1 ? '' : 's'} × ${perLun}, at most ${hw} queue${hw === 1 ? '' : 's'} × ${ring}) ` +
      `× ${per} slabs (${kib(data)} of data, command, response, descriptor table)`,
  };
}

function net(d: DeviceFacts, cpus: CpuCounts): DeviceDemand {
  const pairs = Math.min(known(d.queues) ?? 1, cpus.online);
  const rx = known(d.io.rxQueueSize) ?? 256;
  const txMax = d.backend === 'vhost-user' || d.backend === 'vdpa' ? 1024 : 256;
  const tx = Math.min(known(d.io.txQueueSize) ?? 256, txMax);
  // Mergeable buffers: a page each. Big packets: the header and the rest of the first page, then 17 pages, each
  // mapped on its own, and the descriptor table of 19 entries.
  const rxPer =
    d.io.mergeableRxBuffers === 'off'
      ? 1 + slabsOf(PAGE) + MAX_SKB_FRAGS * slabsOf(PAGE) + slabsOf(DESCRIPTOR_BYTES * (MAX_SKB_FRAGS + 2))
      : slabsOf(PAGE);
  // 64 KiB in up to 18 mappings (linear part + fragments), each rounded up, the virtio-net header, the table.
  const txPer = slabsOf(GSO_MAX) + (MAX_SKB_FRAGS + 1) + 1 + slabsOf(DESCRIPTOR_BYTES * (MAX_SKB_FRAGS + 2));
  return {
    target: d.target,
    label: d.label,
    slabs: pairs * (rx * rxPer + tx * txPer),
    basis: `${pairs} queue pair${pairs === 1 ? '' : 's'} × (${rx} receive buffers${d.io.mergeableRxBuffers === 'off' ? ' (big packets: mrg_rxbuf is off)' : ''} × ${rxPer} slabs + ${tx} packets × ${txPer} slabs)`,
  };
}

/**
 * The worst case of one bouncing virtio device; null for the kinds not counted (small or rare buffers). `maxRequest`:
 * the largest block request of the guest kernel (blockMaxRequest).
 */
export function deviceDemand(d: DeviceFacts, q: QemuDefaults, cpus: CpuCounts, maxRequest = BLOCK_MAX_REQUEST): DeviceDemand | null {
  if (d.function === 'blk') return blk(d, q, cpus, maxRequest);
  if (d.function === 'scsi' && d.kind === 'controller') return scsi(d, q, cpus, maxRequest);
  if (d.function === 'net') return net(d, cpus);
  return null;
}
