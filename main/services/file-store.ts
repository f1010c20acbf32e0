/**
 * Reading and safely writing domain XML files. Writes are atomic (temp file in the same directory, fsync,
 * rename, fsync of the directory), keep the file's mode and owner, refuse when the file changed since it was
 * read, and first copy the previous content to a timestamped backup:
 * `$VAW_BACKUP_DIR`, else `$XDG_STATE_HOME/virtio-access-wizard/backups`, else
 * `~/.local/state/virtio-access-wizard/backups`. A backup's name is the original absolute path, URI-encoded,
 * then `@` and the ISO time (colons as `-`), then `.xml`.
 */
import { closeSync, constants, fstatSync, openSync, promises as fs, readFileSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_DOMAIN_XML_BYTES } from '../../src/contracts/limits';
import { XmlInputError } from '../../src/domain-xml';

/** Files larger than this are refused before reading (the limit every way in shares; the renderer's upload too). */
export const MAX_DOMAIN_FILE_BYTES = MAX_DOMAIN_XML_BYTES;

/** A file as read, with the fingerprint a later write must still match. */
export interface ReadFile {
  readonly path: string;
  readonly text: string;
  /** sha256 of the bytes, hex. */
  readonly fingerprint: string;
}

/** The file changed (or vanished) between reading it and writing it; nothing was written. */
export class FileConflictError extends Error {
  override readonly name = 'FileConflictError';
  constructor(readonly file: string) {
    super(`${file} changed since it was read; nothing was written. Read it again, review, and retry.`);
  }
}

/** A write that failed for another reason (permissions, full disk); nothing was replaced. */
export class FileWriteError extends Error {
  override readonly name = 'FileWriteError';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}; nothing was replaced.`);
  }
}

/** node:crypto, loaded on first use: a CLI run that writes nothing (most of them) never pays for it. */
const crypto = () => process.getBuiltinModule('node:crypto');

/** sha256 hex of the bytes or text. */
export function fingerprintOf(content: string | Uint8Array): string {
  return crypto().createHash('sha256').update(content).digest('hex');
}

function inputError(file: string, problem: string, hint: string): XmlInputError {
  return new XmlInputError(file, 0, 0, problem, hint);
}

function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
}

function openError(file: string, e: unknown): XmlInputError {
  const code = errnoOf(e);
  if (code === 'ENOENT') return inputError(file, 'no such file', 'Check the path.');
  if (code === 'EACCES' || code === 'EPERM')
    return inputError(file, 'permission denied', 'Run as a user who can read it, or copy the file somewhere readable.');
  return inputError(file, `cannot be opened (${code || String(e)})`, 'Check the path and its permissions.');
}

/** Refuses what is not a regular file of at most 10 MB, before anything is read. */
function checkReadable(file: string, st: Stats): void {
  if (st.isDirectory()) throw inputError(file, 'is a directory, not a file', 'Give the path of a domain XML file.');
  if (!st.isFile()) throw inputError(file, 'is not a regular file', 'Give the path of a domain XML file.');
  if (st.size > MAX_DOMAIN_FILE_BYTES) {
    throw inputError(
      file,
      `is ${st.size} bytes, over the 10 MB limit for a domain XML file`,
      'Check that this is really a libvirt domain definition.',
    );
  }
}

function readError(file: string, e: unknown): XmlInputError {
  if (e instanceof XmlInputError) return e;
  if (errnoOf(e) === 'EISDIR') return inputError(file, 'is a directory, not a file', 'Give the path of a domain XML file.');
  return inputError(file, `cannot be read (${errnoOf(e) || String(e)})`, 'Check the file and its permissions.');
}

function readFileOf(file: string, bytes: Uint8Array): ReadFile {
  return { path: file, text: decodeUtf8(bytes, file), fingerprint: fingerprintOf(bytes) };
}

/**
 * Reads a domain XML file as strict UTF-8. Directories, unreadable paths, files over 10 MB (checked before
 * reading) and invalid UTF-8 become `XmlInputError`s naming the file and what to do.
 */
export async function readDomainFile(file: string): Promise<ReadFile> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY);
  } catch (e) {
    throw openError(file, e);
  }
  try {
    checkReadable(file, await handle.stat());
    return readFileOf(file, await handle.readFile());
  } catch (e) {
    throw readError(file, e);
  } finally {
    await handle.close();
  }
}

function readBytesSync(file: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY);
  } catch (e) {
    throw openError(file, e);
  }
  try {
    checkReadable(file, fstatSync(fd));
    return readFileSync(fd);
  } catch (e) {
    throw readError(file, e);
  } finally {
    closeSync(fd);
  }
}

/**
 * `readDomainFile`, synchronously: for the CLI, where nothing else waits and a check of hundreds of files reads
 * several times faster without a thread-pool round trip for every system call. The app's main process keeps
 * the asynchronous one, so a slow mount never freezes the window.
 */
export function readDomainFileSync(file: string): ReadFile {
  return readFileOf(file, readBytesSync(file));
}

/** `readDomainFileSync` without the fingerprint, for what is never written back (the CLI's inputs). */
export function readDomainTextSync(file: string): string {
  return decodeUtf8(readBytesSync(file), file);
}

/** Strict UTF-8 decoding; the error names the line and column of the first bad byte. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const before = lenient.slice(0, Math.max(0, lenient.indexOf('\ufffd')));
    throw new XmlInputError(
      file,
      before.split('\n').length,
      before.length - before.lastIndexOf('\n'),
      'is not valid UTF-8',
      'Convert the file to UTF-8 (for example `iconv -f latin1 -t utf-8`); libvirt writes UTF-8.',
    );
  }
}

/** Where backups go (see the module comment). */
export function backupsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VAW_BACKUP_DIR) return path.resolve(env.VAW_BACKUP_DIR);
  const state = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'virtio-access-wizard', 'backups');
}

/** One backup of a file. */
export interface BackupEntry {
  readonly backupPath: string;
  /** Absolute path of the file it was taken from. */
  readonly originalPath: string;
  /** ISO time it was taken. */
  readonly createdAt: string;
}

const BACKUP_NAME = /^(.+)@(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z)(?:-(\d+))?\.xml$/;

function parseBackupName(name: string): { originalPath: string; createdAt: string } | null {
  const m = BACKUP_NAME.exec(name);
  if (!m?.[1] || !m[2]) return null;
  try {
    const t = m[2];
    return { originalPath: decodeURIComponent(m[1]), createdAt: `${t.slice(0, 13)}:${t.slice(14, 16)}:${t.slice(17)}` };
  } catch {
    return null;
  }
}

async function writeBackup(originalPath: string, content: Uint8Array): Promise<string> {
  const dir = backupsDir();
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/:/g, '-');
  const base = `${encodeURIComponent(originalPath)}@${stamp}`;
  for (let n = 0; ; n++) {
    const backupPath = path.join(dir, `${base}${n === 0 ? '' : `-${n}`}.xml`);
    try {
      const h = await fs.open(backupPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await h.writeFile(content);
        await h.sync();
      } finally {
        await h.close();
      }
      return backupPath;
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw e;
    }
  }
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
 * Atomically replaces (or creates) `file` with `text`. With `expectedFingerprint` the file must still have
 * that content (checked before the backup and again just before the rename); otherwise `FileConflictError`
 * and nothing changes. Returns the backup of the previous content (null when the file did not exist).
 */
export async function writeFileSafely(
  file: string,
  text: string,
  options: { readonly expectedFingerprint?: string | null } = {},
): Promise<{ backupPath: string | null }> {
  // Write through a symlink to the file it names, so the link itself survives.
  const abs = await fs.realpath(file).catch(() => path.resolve(file));
  const dir = path.dirname(abs);
  const current = await readIfExists(abs);
  const expected = options.expectedFingerprint;
  if (expected !== undefined && (current === null ? expected !== null : fingerprintOf(current) !== expected)) {
    throw new FileConflictError(file);
  }
  const st = current === null ? null : await fs.stat(abs);
  const backupPath = current === null ? null : await writeBackup(abs, current);
  const tmp = path.join(dir, `.${path.basename(abs)}.${crypto().randomBytes(6).toString('hex')}.vaw-tmp`);
  try {
    const h = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, st ? st.mode & 0o7777 : 0o644);
    try {
      await h.writeFile(text, 'utf8');
      if (st) {
        await h.chmod(st.mode & 0o7777);
        if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || st.gid !== process.getgid?.()))
          await h.chown(st.uid, st.gid);
      }
      await h.sync();
    } finally {
      await h.close();
    }
    // The rename race: someone may have written the file while we prepared ours.
    const again = await readIfExists(abs);
    const unchanged = current === null ? again === null : again !== null && again.equals(current);
    if (!unchanged) throw new FileConflictError(file);
    await fs.rename(tmp, abs);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    if (e instanceof FileConflictError) throw e;
    throw new FileWriteError(file, `cannot be written (${errnoOf(e) || String(e)})`);
  }
  const d = await fs.open(dir, constants.O_RDONLY);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
  return { backupPath };
}

/** Backups taken of `file`, newest first. */
export async function listBackups(file: string): Promise<BackupEntry[]> {
  const abs = await fs.realpath(file).catch(() => path.resolve(file));
  let names: string[];
  try {
    names = await fs.readdir(backupsDir());
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return [];
    throw e;
  }
  const out: BackupEntry[] = [];
  for (const name of names) {
    const parsed = parseBackupName(name);
    if (parsed && parsed.originalPath === abs) out.push({ backupPath: path.join(backupsDir(), name), ...parsed });
  }
  return out.sort((a, b) => b.backupPath.localeCompare(a.backupPath));
}

/**
 * Writes a backup's content back to `targetPath` (default: the file it was taken from), safely: the
 * current content is itself backed up first. Returns that new backup.
 */
export async function restoreBackup(backupPath: string, targetPath?: string): Promise<{ targetPath: string; backupPath: string | null }> {
  const parsed = parseBackupName(path.basename(backupPath));
  const target = targetPath ?? parsed?.originalPath;
  if (!target)
    throw inputError(backupPath, 'is not a virtio-access backup name and no target was given', 'Pass -o FILE to say where to restore it.');
  const backup = await readDomainFile(backupPath);
  const { backupPath: previous } = await writeFileSafely(target, backup.text);
  return { targetPath: target, backupPath: previous };
}
