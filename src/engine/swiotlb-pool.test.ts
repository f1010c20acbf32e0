import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SecureType, Version } from '../contracts/facts';
import {
  autoSizeSlabs,
  DEFAULT_SLABS,
  parameterSlabsFor,
  parseSwiotlbParameter,
  poolSlabs,
  slabsToMiB,
  type PoolFacts,
} from './swiotlb-pool';

const GiB = 1024 ** 3;
const k = (major: number, minor: number): Version => ({ major, minor, micro: 0 });
const facts = (p: Partial<PoolFacts> = {}): PoolFacts => ({ cvm: 'none', memoryBytes: 4 * GiB, kernel: k(6, 1), possibleCpus: 2, ...p });

describe('swiotlb= as setup_io_tlb_npages reads it', () => {
  it('reads the slab count, rounded up to a multiple of IO_TLB_SEGSIZE (128)', () => {
    expect(parseSwiotlbParameter('console=ttyS0 swiotlb=262144')).toEqual({ slabs: 262144, areas: null, force: false, noforce: false });
    expect(parseSwiotlbParameter('swiotlb=1000')?.slabs).toBe(1024);
  });

  it('reads areas and force after commas, numbers in the bases simple_strtoul accepts', () => {
    expect(parseSwiotlbParameter('swiotlb=0x8000,4,force')).toEqual({ slabs: 32768, areas: 4, force: true, noforce: false });
    expect(parseSwiotlbParameter('swiotlb=0400')?.slabs).toBe(256);
    expect(parseSwiotlbParameter('swiotlb=force')).toEqual({ slabs: null, areas: null, force: true, noforce: false });
    expect(parseSwiotlbParameter('swiotlb=noforce')?.noforce).toBe(true);
  });

  it('takes the last number and a force from any occurrence; no swiotlb= at all is null', () => {
    expect(parseSwiotlbParameter('swiotlb=force quiet swiotlb=4096')).toEqual({ slabs: 4096, areas: null, force: true, noforce: false });
    expect(parseSwiotlbParameter('console=ttyS0 noswiotlb=1')).toBeNull();
  });
});

describe('the pool the guest kernel allocates', () => {
  it('is IO_TLB_DEFAULT_SIZE (64 MiB) for an ordinary guest and for s390 PV, POWER PEF and Arm CCA', () => {
    for (const cvm of ['none', 's390-pv', 'pef', 'cca'] as SecureType[]) expect(slabsToMiB(poolSlabs(facts({ cvm }), null))).toBe(64);
  });

  it('is 6% of memory for SEV and TDX guests, rounded up to a power of two since 6.0, exact before', () => {
    // floor(4 GiB × 6 / 100) bytes → 125830 slabs → multiple of 128: 125952 (246 MiB) → power of two: 131072 (256 MiB).
    expect(autoSizeSlabs(4 * GiB)).toBe(125952);
    for (const cvm of ['sev', 'sev-es', 'sev-snp', 'tdx'] as SecureType[]) expect(slabsToMiB(poolSlabs(facts({ cvm }), null))).toBe(256);
    expect(slabsToMiB(poolSlabs(facts({ cvm: 'sev', kernel: k(5, 15) }), null))).toBe(246);
  });

  it('keeps the 6% within 64 MiB and 1 GiB', () => {
    expect(slabsToMiB(poolSlabs(facts({ cvm: 'sev', memoryBytes: GiB / 2 }), null))).toBe(64);
    expect(slabsToMiB(poolSlabs(facts({ cvm: 'sev', memoryBytes: 64 * GiB }), null))).toBe(1024);
  });

  it('does not resize for SEV before Linux 5.11 (e998879d4fb7)', () => {
    expect(poolSlabs(facts({ cvm: 'sev', kernel: k(5, 10) }), null)).toBe(DEFAULT_SLABS);
  });

  it('takes a swiotlb= size instead of the 6%, unless the size is the default 32768 itself', () => {
    expect(slabsToMiB(poolSlabs(facts({ cvm: 'sev' }), parseSwiotlbParameter('swiotlb=262144')))).toBe(512);
    expect(slabsToMiB(poolSlabs(facts({ cvm: 'sev' }), parseSwiotlbParameter('swiotlb=32768')))).toBe(256);
  });

  it('rounds a swiotlb= size up to a power of two with at least 128 slabs per area (6.0 and later)', () => {
    expect(poolSlabs(facts(), parseSwiotlbParameter('swiotlb=3000,force'))).toBe(4096);
    expect(poolSlabs(facts({ kernel: k(5, 15) }), parseSwiotlbParameter('swiotlb=3000'))).toBe(3072);
    expect(poolSlabs(facts({ possibleCpus: 300 }), parseSwiotlbParameter('swiotlb=1024'))).toBe(128 * 512);
    expect(poolSlabs(facts({ possibleCpus: 300 }), parseSwiotlbParameter('swiotlb=1024,1'))).toBe(1024);
  });

  it('is empty with swiotlb=noforce', () => {
    expect(poolSlabs(facts({ cvm: 'sev' }), parseSwiotlbParameter('swiotlb=noforce'))).toBe(0);
  });

  it('parameterSlabsFor gives a count whose pool holds what was asked, on any kernel and CPU count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000_000 }),
        fc.integer({ min: 1, max: 512 }),
        fc.constantFrom(k(5, 10), k(5, 15), k(6, 1), k(6, 12), null),
        fc.constantFrom<SecureType>('none', 'sev', 'tdx', 's390-pv'),
        (needed, cpus, kernel, cvm) => {
          const f = facts({ cvm, kernel, possibleCpus: cpus });
          const slabs = parameterSlabsFor(needed, f);
          expect(poolSlabs(f, { slabs, areas: null, force: false, noforce: false })).toBeGreaterThanOrEqual(needed);
        },
      ),
    );
  });
});
