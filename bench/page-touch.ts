/**
 * The price of a fresh page of memory: a Node process writes once to each 4 KiB page of 64 MiB it has never
 * touched. Where a VM hands freed memory back to its host (free page reporting), each such write is a trip
 * through the hypervisor (11–15 µs on this project's VM); Node's own start takes about two thousand pages, so
 * the CLI figures, which are mostly process starts, move with it.
 */
import { spawnSync } from 'node:child_process';

export interface PageTouch {
  /** Microseconds per page written for the first time. */
  readonly microseconds: number;
  /** The pages the process had been given before it began (its minor page faults by then). */
  readonly nodePages: number;
}

const PROBE = `
const size = 64 << 20, page = 4096, b = Buffer.allocUnsafeSlow(size);
const before = process.resourceUsage().minorPageFault;
const t = process.hrtime.bigint();
for (let i = 0; i < size; i += page) b[i] = 1;
console.log(Number(process.hrtime.bigint() - t) / 1e3 / (size / page), before);
`;

/** One probe in a fresh Node process; throws, saying why, when it cannot run or prints something else. */
export function pageTouch(env: NodeJS.ProcessEnv = process.env): PageTouch {
  const r = spawnSync(process.execPath, ['-e', PROBE], { encoding: 'utf8', env });
  const [microseconds, nodePages] = r.stdout.trim().split(' ').map(Number);
  if (r.status !== 0 || !(microseconds! > 0) || !(nodePages! > 0))
    throw new Error(`the page-touch probe failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').at(-1) ?? ''}`);
  return { microseconds: microseconds!, nodePages: nodePages! };
}
