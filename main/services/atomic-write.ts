/**
 * The one way this app replaces a file: a temporary file beside it (same folder, so the rename cannot cross
 * file systems), written and fsynced, renamed over the target, then the folder fsynced. A reader sees the old
 * file or the new one, never a part. Temporary names carry the writer's process id: a file left by a killed
 * writer is removed by the next write into the same folder (a write never waits on another's temporary file).
 */
import { closeSync, constants, fsyncSync, openSync, promises as fs, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';

const SUFFIX = '.vaw-tmp';
/** `.<name>.<pid>-<12 hex>.vaw-tmp`; older releases wrote `.<name>.<12 hex>.vaw-tmp` without the pid. */
const TEMP_NAME = /^\..*\.(?:(\d+)-)?[0-9a-f]{12}\.vaw-tmp$/;
/** A temporary file without a pid is stale once this old: no write takes minutes. */
const LEGACY_STALE_MS = 10 * 60 * 1000;

/** node:crypto, loaded on first use (most CLI runs write nothing). */
const crypto = () => process.getBuiltinModule('node:crypto');

/** The basename cut to at most `max` UTF-8 bytes, whole characters only. */
function cutToBytes(name: string, max: number): string {
  let out = name;
  while (Buffer.byteLength(out) > max) out = out.slice(0, -1);
  return out.replace(/[\uD800-\uDBFF]$/, '');
}

/** A fresh temporary path beside `target` for this process (names stay below 255 bytes for any basename). */
export function tempPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `.${cutToBytes(path.basename(target), 200)}.${process.pid}-${crypto().randomBytes(6).toString('hex')}${SUFFIX}`,
  );
}

function writerIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    // EPERM: the process exists (another user's); only ESRCH says it is gone.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function isStale(name: string, mtimeMs: () => number): boolean {
  const m = TEMP_NAME.exec(name);
  if (!m) return false;
  if (m[1] !== undefined) return Number(m[1]) !== process.pid && writerIsGone(Number(m[1]));
  return Date.now() - mtimeMs() > LEGACY_STALE_MS;
}

/** Removes temporary files that killed writers left in `dir`. Best effort: a folder it cannot list or clean is left as is. */
export async function removeStaleTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith(SUFFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const st = await fs.lstat(file);
      if (st.isFile() && isStale(name, () => st.mtimeMs)) await fs.rm(file, { force: true });
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
}

export interface AtomicWriteOptions {
  /** Permission bits of the new file (before the umask unless `exactMode`); default 0o644. */
  readonly mode?: number;
  /** Set `mode` exactly, whatever the umask (to keep the mode of the file being replaced). */
  readonly exactMode?: boolean;
  /** Owner to give the new file (to keep the owner of the file being replaced; needs the right to chown). */
  readonly owner?: { readonly uid: number; readonly gid: number } | null;
  /** Runs when the temporary file is complete, just before the rename; throwing cancels the write. */
  readonly beforeRename?: () => Promise<void>;
}

/**
 * Replaces (or creates) `target` with `data` atomically. Throws the file system's own error (the caller says what
 * it means to the user); the temporary file never outlives a failure.
 */
export async function writeFileAtomically(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(target);
  await removeStaleTemps(dir);
  const tmp = tempPathFor(target);
  const mode = options.mode ?? 0o644;
  try {
    const h = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    try {
      await h.writeFile(data);
      if (options.exactMode) await h.chmod(mode);
      if (options.owner) await h.chown(options.owner.uid, options.owner.gid);
      await h.sync();
    } finally {
      await h.close();
    }
    await options.beforeRename?.();
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncFolder(dir);
}

/** Makes a rename in `dir` durable. Some file systems cannot fsync a folder; the rename itself has happened. */
async function syncFolder(dir: string): Promise<void> {
  try {
    const d = await fs.open(dir, constants.O_RDONLY);
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // EINVAL on file systems without directory fsync: nothing more can be done, and nothing is lost.
  }
}

/**
 * `writeFileAtomically` for code that must not wait: the CLI launcher saves its code cache while the process
 * exits, when no promise would ever settle.
 */
export function writeFileAtomicallySync(target: string, data: Uint8Array, mode = 0o644): void {
  const dir = path.dirname(target);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(SUFFIX));
  } catch {
    // As in removeStaleTemps: best effort.
  }
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      if (isStale(name, () => statSync(file).mtimeMs)) rmSync(file, { force: true });
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
  const tmp = tempPathFor(target);
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    try {
      for (let done = 0; done < data.length;) done += writeSync(fd, data, done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
