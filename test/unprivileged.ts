/**
 * Permission checks mean nothing to root, and CI runs as root. Tests about them run their operation in a child
 * process as an unprivileged user: as root, `setpriv` drops to nobody (65534, util-linux, in every Debian); as
 * anyone else, the child runs as that user. The child runs a bundle of its script in a world-readable temporary
 * folder (the checkout itself may be private to root). Files the child must use are handed to it with `handOver`.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { repoRoot } from './real-parts';

const NOBODY = 65534;
export const isRoot = process.getuid?.() === 0;

/** The uid the child runs as. */
export const unprivilegedUid = isRoot ? NOBODY : (process.getuid?.() ?? NOBODY);

/** Makes `file` the child's (when the test runs as root; otherwise it already is). */
export function handOver(file: string): void {
  if (isRoot) chownSync(file, NOBODY, NOBODY);
}

const bundles = new Map<string, string>();

/** `script` (relative to the repository) bundled into one file anyone can read. */
function bundled(script: string): string {
  let out = bundles.get(script);
  if (!out) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-unprivileged-'));
    chmodSync(dir, 0o755);
    out = path.join(dir, `${path.basename(script, '.ts')}.cjs`);
    buildSync({
      entryPoints: [path.join(repoRoot, script)],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'error',
    });
    chmodSync(out, 0o644);
    bundles.set(script, out);
  }
  return out;
}

/** Runs SCRIPT (a TypeScript file of the repository, bundled) with Node as the unprivileged user. */
export function runUnprivileged(
  script: string,
  args: readonly string[],
  options: { readonly env?: Readonly<Record<string, string>>; readonly timeoutMs?: number } = {},
): SpawnSyncReturns<string> {
  const node = [process.execPath, bundled(script), ...args];
  const argv = isRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', ...node] : node;
  return spawnSync(argv[0]!, argv.slice(1), {
    cwd: os.tmpdir(),
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp', ...options.env },
  });
}

/** A file operation of test/file-ops-driver.ts, run unprivileged; its JSON outcome. */
export function fileOpUnprivileged(
  op: 'read' | 'read-sync' | 'write' | 'restore',
  args: object,
  env: Readonly<Record<string, string>> = {},
): { ok: boolean; value?: unknown; name?: string; message?: string; problem?: string } {
  const r = runUnprivileged('test/file-ops-driver.ts', [op, JSON.stringify(args)], { env });
  if (r.status !== 0 || !r.stdout) throw new Error(`file-ops-driver failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { ok: boolean };
}
