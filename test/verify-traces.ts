/** What `verify` may leave behind, looked up on a lab generation: every test of verify checks it is empty afterwards. */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VERIFY_PREFIX } from '../main/services/verify';
import { runVirsh } from '../main/services/virsh';
import type { Generation } from './lab';

/**
 * What runs of `verify` by process `pid` left on a generation: domains, storage pools, folders here and, for a lab
 * chroot, pool folders inside it. Empty after every run; other processes' runs (parallel test files) are not counted.
 */
export async function verifyTraces(g: Generation, pid = process.pid): Promise<string[]> {
  const ours = (name: string): boolean => name.startsWith(VERIFY_PREFIX) && name.includes(`-${pid}-`);
  const names = (out: string): string[] =>
    out
      .split('\n')
      .map((s) => s.trim())
      .filter(ours);
  return [
    ...names(await runVirsh(g.uri, ['list', '--all', '--name'])),
    ...names(await runVirsh(g.uri, ['pool-list', '--all', '--name'])),
    ...readdirSync(os.tmpdir()).filter(ours),
    ...(g.root ? readdirSync(path.join(g.root, 'var/tmp')).filter(ours) : []),
  ];
}
