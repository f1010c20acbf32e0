/**
 * The guest kernel's SWIOTLB pool: the size Linux picks by itself, what `swiotlb=` on the kernel command line makes
 * of it, and the parameter that gives a wanted size. Everything is counted in slabs (slots) of 2 KiB.
 *
 * Read in the Debian source packages linux 6.1.176 (bookworm), 6.12.107 (trixie) and 7.2.8 (sid), which carry no
 * patch to these files:
 * - include/linux/swiotlb.h: IO_TLB_SHIFT 11 (2 KiB slabs), IO_TLB_SEGSIZE 128 (at most 128 contiguous slabs, so one
 *   mapping is at most 256 KiB), IO_TLB_DEFAULT_SIZE 64 MiB.
 * - kernel/dma/swiotlb.c setup_io_tlb_npages(): `swiotlb=<slabs>[,<areas>][,force|noforce]`; the slab count is
 *   rounded up to a multiple of IO_TLB_SEGSIZE.
 * - swiotlb_adjust_size(): the architecture's resize applies only while the count is still the default 32768.
 * - swiotlb_init_remap() → swiotlb_adjust_nareas(num_possible_cpus()) → round_up_default_nslabs(): the pool is split
 *   into one area per possible CPU (rounded up to a power of two), holds at least 128 slabs per area, and its slab
 *   count is rounded up to a power of two. Areas came with 20347fca71a3 "swiotlb: split up the global swiotlb lock"
 *   (Linux 6.0, inferred from its merge window; the rounding is in all three packages read).
 * - arch/x86/mm/mem_encrypt.c mem_encrypt_setup_arch(): guests with CC_ATTR_GUEST_MEM_ENCRYPT (SEV, SEV-ES, SEV-SNP
 *   and TDX) get 6% of memblock_phys_mem_size(), clamped to [64 MiB, 1 GiB] (e998879d4fb7, Linux 5.11). Until
 *   6e74b125155d (tip x86/mm, October 2023: Linux 6.7) the code was sev_setup_arch() in mem_encrypt_amd.c, built only
 *   with CONFIG_AMD_MEM_ENCRYPT; it already applied to TDX guests (their support came in 5.19) through the same
 *   cc_platform_has() test (4d96f9109109b), which the commit message of 6e74b125155d states.
 * - arch/s390/mm/init.c pv_init(), arch/powerpc/platforms/pseries/svm.c init_svm() and, after 6.12,
 *   arch/arm64/mm/init.c (is_realm_world()) force bouncing without resizing: the default 64 MiB.
 */
import type { SecureType, Version } from '../contracts/facts';
import { compareVersions } from '../contracts/version';
import { v } from './verdict';

export const SLAB_BYTES = 2048;
const SEGSIZE = 128;
export const DEFAULT_SLABS = (64 * 1024 * 1024) / SLAB_BYTES;
const AUTO_MIN_BYTES = 64 * 1024 * 1024;
const AUTO_MAX_BYTES = 1024 * 1024 * 1024;

/** Releases that changed how the pool is sized. */
export const POOL_RELEASES = {
  sevAutoSize: v(5, 11),
  tdxGuest: v(5, 19),
  areas: v(6, 0),
  tdxGeneric: v(6, 7),
} as const;

/** What `swiotlb=` on the command line says (the last number wins; force or noforce from any occurrence). */
export interface SwiotlbParameter {
  readonly slabs: number | null;
  readonly areas: number | null;
  readonly force: boolean;
  readonly noforce: boolean;
}

/** The facts the kernel sizes its pool from. A null kernel version means "a current kernel" (the caller says so). */
export interface PoolFacts {
  readonly cvm: SecureType;
  readonly memoryBytes: number | null;
  readonly kernel: Version | null;
  /** num_possible_cpus(): the domain's maximum vCPUs. */
  readonly possibleCpus: number;
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;
const pow2Ceil = (n: number) => (n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n)));
const atLeast = (k: Version | null, r: Version) => k === null || compareVersions(k, r) >= 0;

/** simple_strtoul(…, 0) as the kernel reads it: 0x… hexadecimal, 0… octal, otherwise decimal; null for no digits. */
function strtoul(s: string): { readonly value: number; readonly rest: string } | null {
  const m = /^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)/i.exec(s);
  if (!m) return null;
  const t = m[1]!;
  const value = /^0x/i.test(t) ? parseInt(t.slice(2), 16) : t.length > 1 && t.startsWith('0') ? parseInt(t, 8) : Number(t);
  return { value, rest: s.slice(t.length) };
}

/** Every `swiotlb=` of a kernel command line, read like setup_io_tlb_npages(); null when there is none. */
export function parseSwiotlbParameter(cmdline: string): SwiotlbParameter | null {
  let found = false;
  let slabs: number | null = null;
  let areas: number | null = null;
  let force = false;
  let noforce = false;
  for (const token of cmdline.split(/\s+/)) {
    if (!token.startsWith('swiotlb=')) continue;
    found = true;
    let str = token.slice('swiotlb='.length);
    const n = strtoul(str);
    if (n) {
      slabs = align(n.value, SEGSIZE);
      str = n.rest;
    }
    if (str.startsWith(',')) str = str.slice(1);
    const a = strtoul(str);
    if (a) {
      areas = a.value;
      str = a.rest;
    }
    if (str.startsWith(',')) str = str.slice(1);
    if (str === 'force') force = true;
    else if (str === 'noforce') noforce = true;
  }
  return found ? { slabs, areas, force, noforce } : null;
}

/** Whether this guest kernel resizes the pool from its memory (mem_encrypt_setup_arch). */
export function autoSizes(cvm: SecureType, kernel: Version | null): boolean {
  if (cvm === 'sev' || cvm === 'sev-es' || cvm === 'sev-snp') return atLeast(kernel, POOL_RELEASES.sevAutoSize);
  return cvm === 'tdx';
}

/** 6% of memory in [64 MiB, 1 GiB], in slabs, as mem_encrypt_setup_arch() and swiotlb_adjust_size() compute it. */
export function autoSizeSlabs(memoryBytes: number): number {
  const size = Math.min(AUTO_MAX_BYTES, Math.max(AUTO_MIN_BYTES, Math.floor((memoryBytes * 6) / 100)));
  return align(align(size, SLAB_BYTES) / SLAB_BYTES, SEGSIZE);
}

/** The areas the pool is split into: swiotlb=…,N or one per possible CPU, rounded up to a power of two. */
function areasOf(f: PoolFacts, p: SwiotlbParameter | null): number {
  return pow2Ceil(Math.max(1, p?.areas ?? f.possibleCpus));
}

/** round_up_default_nslabs(): at least IO_TLB_SEGSIZE slabs per area, and a power of two (Linux 6.0 and later). */
function roundUp(slabs: number, f: PoolFacts, p: SwiotlbParameter | null): number {
  if (!atLeast(f.kernel, POOL_RELEASES.areas)) return slabs;
  return pow2Ceil(Math.max(slabs, SEGSIZE * areasOf(f, p)));
}

/**
 * The slabs of the pool the guest allocates at boot with this command line (null: no swiotlb= at all). 0 when
 * `swiotlb=noforce` disables it. When 6% of memory is wanted but the memory is unknown, the default stands in.
 */
export function poolSlabs(f: PoolFacts, p: SwiotlbParameter | null): number {
  if (p?.noforce) return 0;
  let slabs = p?.slabs ?? DEFAULT_SLABS;
  if (slabs === DEFAULT_SLABS && autoSizes(f.cvm, f.kernel) && f.memoryBytes !== null) slabs = autoSizeSlabs(f.memoryBytes);
  return roundUp(slabs, f, p);
}

/** The slab count to pass so that the pool holds at least `needed` slabs: a power of two, which no kernel rounds. */
export function parameterSlabsFor(needed: number, f: PoolFacts): number {
  return pow2Ceil(Math.max(needed, SEGSIZE * areasOf(f, null)));
}

export const slabsToMiB = (slabs: number) => (slabs * SLAB_BYTES) / (1024 * 1024);

/** A kernel release as people name it: 5.11, 6.0. */
export const release = (r: Version) => `${r.major}.${r.minor}`;
