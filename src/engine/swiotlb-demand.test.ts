import { describe, expect, it } from 'vitest';
import { device, type DevicePatch } from '../../test/engine-facts';
import { blockMaxRequest, deviceDemand, qemuDefaults, type CpuCounts } from './swiotlb-demand';
import { v } from './verdict';

const NOW = qemuDefaults(v(7, 2));
const CPUS: CpuCounts = { possible: 2, online: 2 };
/** The block layer's largest request up to Linux 6.16 (1280 KiB), which the figures below are counted with. */
const UP_TO_6_16 = blockMaxRequest(v(6, 16));
const slabs = (d: Parameters<typeof deviceDemand>[0], q = NOW, cpus = CPUS) => deviceDemand(d, q, cpus, UP_TO_6_16)?.slabs;

describe('QEMU defaults by machine type', () => {
  it('256-entry rings and seg_max = ring - 2 from 5.0, one queue per vCPU from 5.2 (hw_compat_4_2, hw_compat_5_1)', () => {
    expect(qemuDefaults(v(4, 2))).toEqual({ ringSize: 128, segMaxAdjust: false, autoQueues: false });
    expect(qemuDefaults(v(5, 1))).toEqual({ ringSize: 256, segMaxAdjust: true, autoQueues: false });
    expect(qemuDefaults(v(5, 2))).toEqual({ ringSize: 256, segMaxAdjust: true, autoQueues: true });
  });
});

describe('worst case of a virtio-blk disk', () => {
  it('a queue per vCPU × 256 requests × (1280 KiB of data + header + status + a 4 KiB descriptor table)', () => {
    const d = deviceDemand(device(), NOW, CPUS, UP_TO_6_16)!;
    expect(d.slabs).toBe(2 * 256 * (640 + 2 + 2));
    expect(d.basis).toBe('2 queues × 256 requests × 644 slabs (1280 KiB of data, header, status, descriptor table)');
  });

  it('4 MiB requests from Linux 6.17 (BLK_DEF_MAX_SECTORS_CAP), and for a kernel of unknown version', () => {
    expect(blockMaxRequest(v(6, 16))).toBe(1280 * 1024);
    expect(blockMaxRequest(v(6, 17))).toBe(4096 * 1024);
    expect(blockMaxRequest(null)).toBe(4096 * 1024);
    const d = deviceDemand(device(), NOW, CPUS, blockMaxRequest(v(7, 2)))!;
    expect(d.slabs).toBe(2 * 256 * (2048 + 2 + 2));
    expect(d.basis).toBe('2 queues × 256 requests × 2052 slabs (4096 KiB of data, header, status, descriptor table)');
  });

  it('follows queues and queue_size from the XML; more queues than possible CPUs are not used', () => {
    expect(slabs(device({ queues: 2, io: { queueSize: 64 } }))).toBe(2 * 64 * 643);
    expect(slabs(device({ queues: 8 }))).toBe(slabs(device({ queues: 2 })));
  });

  it('a machine type before 5.0 has 128-entry rings, seg_max 126 and one queue; virtio-ccw has one queue', () => {
    expect(slabs(device(), qemuDefaults(v(4, 2)))).toBe(128 * 643);
    expect(slabs(device({ transport: 'ccw', slot: 'unknown' }))).toBe(256 * 644);
  });

  it('vhost-user-blk has 128-entry rings by default', () => {
    expect(slabs(device({ backend: 'vhost-user' }))).toBe(2 * 128 * (640 + 2 + 1));
  });

  it('a ring of 4 limits requests to seg_max 2 × 256 KiB', () => {
    expect(slabs(device({ queues: 1, io: { queueSize: 4 } }))).toBe(4 * (256 + 2 + 1));
  });
});

describe('worst case of a virtio-scsi controller', () => {
  const ctl = (io: DevicePatch['io'], queues: number | 'unknown' = 'unknown') =>
    device({ kind: 'controller', function: 'scsi', label: 'controller scsi 0', target: '/domain/devices/controller[1]', queues, io });

  it('commands in flight: the disks × cmd_per_lun (128), at most queues × 256', () => {
    expect(slabs(ctl({ scsiDisks: 1 }))).toBe(128 * 644);
    expect(slabs(ctl({ scsiDisks: 3 }))).toBe(384 * 644);
    expect(slabs(ctl({ scsiDisks: 5 }))).toBe(512 * 644);
    expect(slabs(ctl({ scsiDisks: 3, cmdPerLun: 16 }))).toBe(48 * 644);
  });

  it('4 MiB requests from Linux 6.17, as for virtio-blk (sd.c leaves the default to the block layer)', () => {
    expect(deviceDemand(ctl({ scsiDisks: 1 }), NOW, CPUS, blockMaxRequest(null))?.slabs).toBe(128 * 2052);
  });

  it('max_sectors bounds the request size; no disk, no demand', () => {
    expect(slabs(ctl({ scsiDisks: 1, maxSectors: 512 }))).toBe(128 * (128 + 2 + 2));
    expect(slabs(ctl({ scsiDisks: 0 }))).toBe(0);
  });
});

describe('worst case of a virtio-net interface', () => {
  const nic = (p: DevicePatch = {}) =>
    device({ kind: 'interface', function: 'net', label: 'interface 52:54:00:00:00:01', target: '/domain/devices/interface[1]', ...p });

  it('per queue pair: 256 receive buffers of a page and 256 packets of 64 KiB in 18 mappings', () => {
    expect(slabs(nic())).toBe(256 * 2 + 256 * 52);
    expect(slabs(nic({ queues: 4 }))).toBe(2 * (256 * 2 + 256 * 52));
  });

  it('without mergeable receive buffers, each receive buffer is a big packet: header, its page, 17 pages, the table', () => {
    expect(slabs(nic({ io: { mergeableRxBuffers: 'off' } }))).toBe(256 * (1 + 2 + 17 * 2 + 1) + 256 * 52);
    expect(slabs(nic({ io: { mergeableRxBuffers: 'on' } }))).toBe(slabs(nic()));
  });

  it('tx_queue_size above 256 only counts for vhost-user and vDPA backends', () => {
    expect(slabs(nic({ io: { rxQueueSize: 1024, txQueueSize: 1024 } }))).toBe(1024 * 2 + 256 * 52);
    expect(slabs(nic({ backend: 'vhost-user', io: { txQueueSize: 1024 } }))).toBe(256 * 2 + 1024 * 52);
  });

  it('other virtio devices are not counted', () => {
    expect(deviceDemand(device({ kind: 'rng', function: 'rng' }), NOW, CPUS)).toBeNull();
  });
});
