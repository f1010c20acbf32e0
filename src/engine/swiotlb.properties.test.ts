/**
 * Properties of the SWIOTLB estimate over generated domains: more queues, deeper queues and larger requests never
 * lower the worst case (and raise it while the guest can use them), and the recommendation never falls below the
 * pool the kernel would allocate anyway.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SecureType } from '../contracts/facts';
import type { SwiotlbReport } from '../contracts/swiotlb';
import { device, domain, input, LINUX_GUEST } from '../../test/engine-facts';
import { swiotlbReport } from './swiotlb';

interface Shape {
  cvm: SecureType;
  vcpus: number;
  memoryMiB: number;
  queues: number;
  queueSize: number;
  scsiMaxSectors: number;
  nicQueues: number;
  kernel: [number, number] | null;
}

const shape = fc.record({
  cvm: fc.constantFrom<SecureType>('sev', 'sev-snp', 'tdx', 's390-pv', 'pef'),
  vcpus: fc.integer({ min: 1, max: 64 }),
  memoryMiB: fc.integer({ min: 512, max: 256 * 1024 }),
  queues: fc.integer({ min: 1, max: 64 }),
  queueSize: fc.integer({ min: 4, max: 1024 }),
  scsiMaxSectors: fc.integer({ min: 8, max: 0xffff }),
  nicQueues: fc.integer({ min: 1, max: 16 }),
  kernel: fc.constantFrom<[number, number] | null>([5, 10], [5, 15], [6, 1], [6, 12], null),
});

function reportOf(s: Shape): SwiotlbReport {
  const d = domain({
    memoryKiB: s.memoryMiB * 1024,
    vcpus: { max: s.vcpus, current: s.vcpus },
    launchSecurity: { ...domain().launchSecurity, type: s.cvm, present: true },
    devices: [
      device({ queues: s.queues, io: { queueSize: s.queueSize } }),
      device({
        kind: 'controller',
        function: 'scsi',
        label: 'controller scsi 0',
        target: '/domain/devices/controller[1]',
        io: { scsiDisks: 2, maxSectors: s.scsiMaxSectors },
      }),
      device({ kind: 'interface', function: 'net', label: 'interface 1', target: '/domain/devices/interface[1]', queues: s.nicQueues }),
    ],
  });
  const kernelVersion = s.kernel ? { major: s.kernel[0], minor: s.kernel[1], micro: 0 } : ('unknown' as const);
  const r = swiotlbReport(input({ domain: d, guest: { ...LINUX_GUEST, kernelVersion } }));
  if (!r) throw new Error('a confidential Linux guest always has a report');
  return r;
}

const disk = (r: SwiotlbReport) => r.devices.find((d) => d.target === '/domain/devices/disk[1]')!.peakMiB;
const capped = (r: SwiotlbReport) => r.assumptions.some((a) => a.includes('can set aside'));

describe('the SWIOTLB estimate', () => {
  it('grows with the number of queues the guest can use', () => {
    fc.assert(
      fc.property(shape, (s) => {
        fc.pre(s.queues < s.vcpus);
        expect(reportOf({ ...s, queues: s.queues + 1 }).peakMiB).toBeGreaterThan(reportOf(s).peakMiB);
        expect(reportOf({ ...s, nicQueues: Math.min(s.nicQueues + 1, s.vcpus) }).peakMiB).toBeGreaterThanOrEqual(reportOf(s).peakMiB);
      }),
    );
  });

  // Four more requests add at least 2 MiB, so the whole-MiB figure must rise.
  it('grows with the queue size', () => {
    fc.assert(
      fc.property(shape, fc.integer({ min: 4, max: 256 }), (s, more) => {
        expect(disk(reportOf({ ...s, queueSize: s.queueSize + more }))).toBeGreaterThan(disk(reportOf(s)));
      }),
    );
  });

  it('grows with the request size (max_sectors) until the block layer limit of 1280 KiB', () => {
    fc.assert(
      fc.property(shape, fc.integer({ min: 4, max: 2048 }), (s, more) => {
        const a = reportOf(s);
        const b = reportOf({ ...s, scsiMaxSectors: s.scsiMaxSectors + more });
        const scsi = (r: SwiotlbReport) => r.devices.find((d) => d.label === 'controller scsi 0')!.peakMiB;
        expect(scsi(b)).toBeGreaterThanOrEqual(scsi(a));
        expect(b.peakMiB).toBeGreaterThanOrEqual(a.peakMiB);
        if ((s.scsiMaxSectors + more) * 512 <= 1280 * 1024 && more >= 512) expect(scsi(b)).toBeGreaterThan(scsi(a));
      }),
    );
  });

  it('never recommends less than the default pool, and covers the worst case unless it does not fit', () => {
    fc.assert(
      fc.property(shape, (s) => {
        const r = reportOf(s);
        expect(r.recommendedMiB).toBeGreaterThanOrEqual(r.defaultMiB);
        if (!capped(r)) expect(r.recommendedMiB).toBeGreaterThanOrEqual(r.peakMiB);
        if (r.parameter !== null) expect(r.costMiB).toBeGreaterThan(r.recommendedMiB);
      }),
    );
  });
});
