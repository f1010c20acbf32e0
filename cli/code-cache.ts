/**
 * Runs a CommonJS bundle with V8's code cache: the bytecode V8 compiled on an earlier run is loaded instead of
 * parsing and compiling the same source again, which is a sixth of a one-file `plan` (Node 20 has no
 * `module.enableCompileCache`). A cache file is executable code, so one that another user could have written
 * is never loaded. Each file is for one build of the bundle, one Node and one subcommand (each subcommand
 * compiles other functions); V8 itself refuses a cache made by another V8 or with other flags.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { writeFileAtomicallySync } from '../main/services/atomic-write';

/** What became of the cache on this run. */
export type CodeCacheState = 'used' | 'rejected' | 'missing' | 'untrusted';

export interface CodeCacheRun {
  readonly state: CodeCacheState;
  /** What the bundle exported. */
  readonly exports: unknown;
  /**
   * Writes the cache when this run could not use it. Call when the run is over, so the cache holds every
   * function it compiled. A cache that cannot be written only costs speed next time.
   */
  save(): void;
}

const PREFIX = 'cli-';

/** The cache file for `bundle` as it is now, run for `command`, in `cacheDir`. */
export function codeCacheFile(bundle: string, command: string, cacheDir: string): string {
  const st = statSync(bundle);
  return path.join(cacheDir, `${PREFIX}${command}-${process.version}-${process.arch}-${st.size}-${Math.trunc(st.mtimeMs)}.v8`);
}

/** The cache's bytes, unless it is missing or not this user's alone (owned by another, or writable by others). */
function readOwnCache(file: string): Buffer | 'missing' | 'untrusted' {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return 'missing';
  }
  try {
    const st = fstatSync(fd);
    if (st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0) return 'untrusted';
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Runs `bundle` as a CommonJS module (as `node bundle` would) with the cache in `cacheFile`. */
export function runWithCodeCache(bundle: string, cacheFile: string): CodeCacheRun {
  const cached = readOwnCache(cacheFile);
  const script = new vm.Script(Module.wrap(readFileSync(bundle, 'utf8')), {
    filename: bundle,
    cachedData: Buffer.isBuffer(cached) ? cached : undefined,
  });
  const state: CodeCacheState = Buffer.isBuffer(cached) ? (script.cachedDataRejected ? 'rejected' : 'used') : cached;
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void).call(
    module.exports,
    module.exports,
    createRequire(bundle),
    module,
    bundle,
    path.dirname(bundle),
  );
  return {
    state,
    exports: module.exports,
    save() {
      if (state === 'used') return;
      try {
        const dir = path.dirname(cacheFile);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        writeFileAtomicallySync(cacheFile, script.createCachedData(), 0o600);
        // Caches of earlier builds of the same command are never read again.
        const command = path.basename(cacheFile).split('-', 2).join('-');
        for (const old of readdirSync(dir)) {
          if (old.startsWith(`${command}-`) && old.endsWith('.v8') && old !== path.basename(cacheFile)) unlinkSync(path.join(dir, old));
        }
      } catch {
        // Read-only or full cache folder: the next run compiles again.
      }
    },
  };
}
