/**
 * Replacing a domain XML file safely: refused when the file changed since it was read, the previous content
 * backed up first (backup-store.ts), then written atomically (atomic-write.ts) with the file's mode and owner.
 * Every failure is one `FileConflictError` or `FileWriteError` saying what happened, and leaves nothing behind:
 * no new file, no replaced file, no backup of a file that was not replaced.
 *
 * Symbolic links: a link to an existing file is written through (the file it names gets the new content, the
 * link stays, as libvirt administrators keep /etc/libvirt/qemu links); a link to nothing is refused, since
 * writing there would either replace the link with a file or create a file somewhere the user did not name.
 */
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from './atomic-write';
import { readBackup, removeBackup, writeBackup } from './backup-store';
import { errnoInWords, errnoOf, fingerprintOf } from './read-domain-file';

/** The file changed (or vanished) between reading it and writing it; nothing was written. */
export class FileConflictError extends Error {
  override readonly name = 'FileConflictError';
  constructor(readonly file: string) {
    super(`${file} changed since it was read; nothing was written. Read it again, review, and retry.`);
  }
}

/** A write that failed for another reason (permissions, full disk, the backup folder); nothing was written. */
export class FileWriteError extends Error {
  override readonly name = 'FileWriteError';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}; nothing was written.`);
  }
}

/**
 * The file a write to `file` replaces: `file` itself, or the existing file a symbolic link names. Refuses a
 * link to nothing and a folder that does not exist.
 */
async function writeTarget(file: string): Promise<string> {
  const abs = path.resolve(file);
  let st: Stats | null;
  try {
    st = await fs.lstat(abs);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw new FileWriteError(file, `cannot be looked at (${errnoInWords(e)})`);
    st = null;
  }
  if (st?.isSymbolicLink()) {
    try {
      return await fs.realpath(abs);
    } catch (e) {
      const to = await fs.readlink(abs).catch(() => '?');
      if (errnoOf(e) === 'ENOENT')
        throw new FileWriteError(
          file,
          `is a symbolic link to ${to}, which does not exist (a dangling link is neither replaced by a file nor followed); create ${to} first or give another path`,
        );
      throw new FileWriteError(file, `is a symbolic link that cannot be followed (${errnoInWords(e)})`);
    }
  }
  try {
    return st ? await fs.realpath(abs) : path.join(await fs.realpath(path.dirname(abs)), path.basename(abs));
  } catch (e) {
    throw new FileWriteError(file, `cannot be written there (${errnoInWords(e)})`);
  }
}

/** The current bytes of the target and its metadata; null when it does not exist. Refuses anything but a regular file. */
async function currentOf(file: string, target: string): Promise<{ bytes: Buffer; st: Stats } | null> {
  let st: Stats;
  try {
    st = await fs.stat(target);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return null;
    throw new FileWriteError(file, `cannot be looked at (${errnoInWords(e)})`);
  }
  if (!st.isFile()) throw new FileWriteError(file, `is not a regular file (${st.isDirectory() ? 'a folder' : 'a pipe or device'})`);
  try {
    return { bytes: await fs.readFile(target), st };
  } catch (e) {
    throw new FileWriteError(file, `cannot be read to back it up (${errnoInWords(e)})`);
  }
}

/** Refuses (FileConflictError) when `current` is not what the writer read: `expected` null means it must not exist. */
function checkExpected(file: string, current: Uint8Array | null, expected: string | null | undefined): void {
  if (expected !== undefined && (current === null ? expected !== null : fingerprintOf(current) !== expected))
    throw new FileConflictError(file);
}

/**
 * `writeFileSafely`'s conflict check on its own, for a caller with slow work to do before writing (the app
 * validates against the schema first): a file that changed meanwhile is refused at once.
 */
export async function checkUnchanged(file: string, expectedFingerprint: string | null | undefined): Promise<void> {
  const target = await writeTarget(file);
  checkExpected(file, (await currentOf(file, target))?.bytes ?? null, expectedFingerprint);
}

async function readIfExists(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Atomically replaces (or creates) `file` with `text`. With `expectedFingerprint` the file must still have that
 * content (checked before the backup and again just before the rename; null: it must not exist); otherwise
 * `FileConflictError` and nothing changes. Returns the backup of the previous content (null when there was none).
 */
export async function writeFileSafely(
  file: string,
  text: string,
  options: { readonly expectedFingerprint?: string | null } = {},
): Promise<{ backupPath: string | null }> {
  const target = await writeTarget(file);
  const current = await currentOf(file, target);
  checkExpected(file, current?.bytes ?? null, options.expectedFingerprint);
  let backupPath: string | null = null;
  if (current) {
    try {
      backupPath = await writeBackup(target, current.bytes);
    } catch (e) {
      throw new FileWriteError(
        file,
        `its current content could not be backed up (${errnoInWords(e)}); check the backup folder (VAW_BACKUP_DIR)`,
      );
    }
  }
  const st = current?.st;
  const differentOwner =
    st !== undefined && typeof process.getuid === 'function' && (st.uid !== process.getuid() || st.gid !== process.getgid?.());
  try {
    await writeFileAtomically(target, text, {
      mode: st ? st.mode & 0o7777 : 0o644,
      exactMode: st !== undefined,
      owner: differentOwner ? { uid: st.uid, gid: st.gid } : null,
      // The rename race: someone may have written the file while this one was prepared.
      beforeRename: async () => {
        const again = await readIfExists(target);
        if (current === null ? again !== null : again === null || !again.equals(current.bytes)) throw new FileConflictError(file);
      },
    });
  } catch (e) {
    if (backupPath) await removeBackup(backupPath).catch(() => undefined);
    if (e instanceof FileConflictError) throw e;
    throw new FileWriteError(file, `cannot be written (${errnoInWords(e)})`);
  }
  return { backupPath };
}

/**
 * Writes a backup back to the file it was taken from (its record says which) or to `targetPath`, after checking
 * it (backup-store.ts `readBackup`); the content it replaces is itself backed up first. Returns that new backup.
 */
export async function restoreBackup(
  backupPath: string,
  targetPath?: string,
): Promise<{ targetPath: string; backupPath: string | null; recorded: boolean }> {
  const backup = await readBackup(backupPath);
  const target = targetPath ?? backup.originalPath;
  const { backupPath: previous } = await writeFileSafely(target, backup.text);
  return { targetPath: target, backupPath: previous, recorded: backup.recorded };
}
