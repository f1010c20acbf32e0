/**
 * The SWIOTLB report of a domain whose virtio I/O bounces (confidential guests, or `swiotlb=force`): the guest's
 * bounce-buffer pool, the worst case the domain's devices can ask of it, and the `swiotlb=` kernel parameter that
 * covers it (R-LNX-03/04). The engine builds it (src/engine/swiotlb.ts); `check --json` and `plan --json` print it per
 * file as `"swiotlb"` (validated by cli-json.ts), and the app shows it. Sizes are MiB of guest memory.
 */
import type { Edit, Source } from './findings';

export interface SwiotlbDeviceDemand {
  /** The device's XPath and label, as in findings. */
  readonly target: string;
  readonly label: string;
  readonly peakMiB: number;
  /** Queues × requests × slabs per request, in words. */
  readonly basis: string;
}

export interface SwiotlbReport {
  /** The pool the guest kernel allocates by itself (no `swiotlb=` number on its command line). */
  readonly defaultMiB: number;
  /** The pool with the domain's current kernel command line (equal to defaultMiB when it sets no size). */
  readonly currentMiB: number;
  /** The most the domain's virtio devices can have mapped at once. */
  readonly peakMiB: number;
  /** The pool after following the recommendation (defaultMiB when the default covers the peak). */
  readonly recommendedMiB: number;
  /** The kernel parameter to add, e.g. `swiotlb=131072`; null when the default pool covers the peak. */
  readonly parameter: string | null;
  /** Guest memory the recommended pool takes: the pool plus its slot table. */
  readonly costMiB: number;
  /** Where the parameter goes: `<os><cmdline>` (direct kernel boot, `edits` write it) or the guest's boot loader. */
  readonly where: 'os-cmdline' | 'boot-loader';
  /** The XML edits that put the recommendation on `<os><cmdline>`; empty for the boot loader or when nothing changes. */
  readonly edits: readonly Edit[];
  readonly devices: readonly SwiotlbDeviceDemand[];
  /** Every assumption behind the figures, in words. */
  readonly assumptions: readonly string[];
  readonly sources: readonly Source[];
}
