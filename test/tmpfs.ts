/** A tiny tmpfs to fill, for tests of a full disk (root only: ask missingParts('tmpfs-mount') first). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Mounts a tmpfs of `kib` KiB at a new folder; returns it and the function that unmounts and removes it. */
export function mountTinyTmpfs(kib: number): { dir: string; unmount: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0755`, 'tmpfs', dir]);
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
