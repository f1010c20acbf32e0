/**
 * The backups taken before a file is replaced: `$VAW_BACKUP_DIR`, else `$XDG_STATE_HOME/virtio-access-wizard/backups`
 * (see xdg-dirs.ts). Each backup is the file's exact previous bytes, `<name>-<path hash>.<ISO time>.xml`, beside a
 * record `….json` saying which file it was taken from, when, and its size and sha256. The record, not the file
 * name, decides where a restore goes, and a backup that no longer matches its record (truncated, replaced) is
 * refused. Names stay short (well under 255 bytes) for any path. Backups of earlier releases, named after the
 * URI-encoded path, are still listed and restorable; their target is read from that name.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { parseXml, XmlInputError } from '../../src/domain-xml';
import { decodeXmlBytes, errnoOf, fingerprintOf, readRegularFile } from './read-domain-file';
import { appDir } from './xdg-dirs';

/** Where backups go (see the module comment). */
export function backupsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VAW_BACKUP_DIR) return path.resolve(env.VAW_BACKUP_DIR);
  return path.join(appDir('state', env), 'backups');
}

/** One backup of a file. */
export interface BackupEntry {
  readonly backupPath: string;
  /** Absolute path of the file it was taken from. */
  readonly originalPath: string;
  /** ISO time it was taken. */
  readonly createdAt: string;
  /** False for a backup of an earlier release, known only by its file name. */
  readonly recorded: boolean;
}

/** A backup read back and checked: its record matches, and its text is well-formed XML. */
export interface CheckedBackup extends BackupEntry {
  readonly text: string;
}

const FORMAT = 'virtio-access-wizard backup 1';

interface BackupRecord {
  readonly format: typeof FORMAT;
  readonly originalPath: string;
  readonly createdAt: string;
  readonly bytes: number;
  readonly sha256: string;
}

function isRecord(v: unknown): v is BackupRecord {
  const r = v as Partial<BackupRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.format === FORMAT &&
    typeof r.originalPath === 'string' &&
    path.isAbsolute(r.originalPath) &&
    typeof r.createdAt === 'string' &&
    typeof r.bytes === 'number' &&
    typeof r.sha256 === 'string'
  );
}

const recordPathOf = (backupPath: string): string => backupPath.replace(/\.xml$/, '.json');

/** `<name (safe characters, at most 64)>-<12 hex of sha256(path)>`: the same for every backup of one file. */
function stemOf(originalPath: string): string {
  const name = path
    .basename(originalPath)
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 64);
  return `${name}-${fingerprintOf(originalPath).slice(0, 12)}`;
}

const LEGACY_NAME = /^(.+)@(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z)(?:-(\d+))?\.xml$/;

/** A backup of an earlier release: the URI-encoded absolute path, `@`, the time. */
function parseLegacyName(name: string): { originalPath: string; createdAt: string } | null {
  const m = LEGACY_NAME.exec(name);
  if (!m?.[1] || !m[2]) return null;
  let originalPath: string;
  try {
    originalPath = decodeURIComponent(m[1]);
  } catch {
    return null;
  }
  if (!path.isAbsolute(originalPath)) return null;
  const t = m[2];
  return { originalPath, createdAt: `${t.slice(0, 13)}:${t.slice(14, 16)}:${t.slice(17)}` };
}

/** Writes `content` to a new file exclusively and durably; removes it again if that fails half-way. */
async function writeNew(file: string, content: string | Uint8Array): Promise<void> {
  const h = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await h.writeFile(content);
    await h.sync();
  } catch (e) {
    await fs.rm(file, { force: true });
    throw e;
  } finally {
    await h.close();
  }
}

/**
 * Saves `content`, the current bytes of `originalPath` (absolute), as a new backup with its record; returns the
 * backup's path. Throws the file system's error with nothing left behind.
 */
export async function writeBackup(originalPath: string, content: Uint8Array): Promise<string> {
  const dir = backupsDir();
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const createdAt = new Date().toISOString();
  const base = path.join(dir, `${stemOf(originalPath)}.${createdAt.replace(/:/g, '-')}`);
  for (let n = 0; ; n++) {
    const backupPath = `${base}${n === 0 ? '' : `-${n}`}.xml`;
    try {
      await writeNew(backupPath, content);
    } catch (e) {
      if (errnoOf(e) === 'EEXIST') continue;
      throw e;
    }
    const record: BackupRecord = { format: FORMAT, originalPath, createdAt, bytes: content.length, sha256: fingerprintOf(content) };
    try {
      await writeNew(recordPathOf(backupPath), `${JSON.stringify(record, null, 2)}\n`);
    } catch (e) {
      await fs.rm(backupPath, { force: true });
      throw e;
    }
    return backupPath;
  }
}

/** Removes a backup and its record (a backup of a file that was then not replaced after all). */
export async function removeBackup(backupPath: string): Promise<void> {
  await fs.rm(recordPathOf(backupPath), { force: true });
  await fs.rm(backupPath, { force: true });
}

async function readRecord(backupPath: string): Promise<BackupRecord | null> {
  let raw: Uint8Array;
  try {
    raw = await readRegularFile(recordPathOf(backupPath), 64 * 1024);
  } catch (e) {
    if (e instanceof XmlInputError && e.problem === 'no such file') return null;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    parsed = null;
  }
  if (!isRecord(parsed))
    throw new XmlInputError(
      recordPathOf(backupPath),
      0,
      0,
      'is not a backup record this tool wrote',
      'Pick a backup that `virtio-access backups FILE` lists; nothing was written.',
    );
  return parsed;
}

/** Backups taken of `file`, newest first. */
export async function listBackups(file: string): Promise<BackupEntry[]> {
  const abs = await fs.realpath(file).catch(() => path.resolve(file));
  const dir = backupsDir();
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return [];
    throw e;
  }
  const stem = `${stemOf(abs)}.`;
  const out: BackupEntry[] = [];
  for (const name of names) {
    if (!name.endsWith('.xml')) continue;
    const backupPath = path.join(dir, name);
    if (name.startsWith(stem)) {
      const record = await readRecord(backupPath).catch(() => null);
      if (record?.originalPath === abs) out.push({ backupPath, originalPath: abs, createdAt: record.createdAt, recorded: true });
      continue;
    }
    const legacy = parseLegacyName(name);
    if (legacy?.originalPath === abs) out.push({ backupPath, ...legacy, recorded: false });
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.backupPath.localeCompare(a.backupPath));
}

const PICK_ANOTHER = 'Pick another backup (`virtio-access backups FILE` lists them); nothing was written.';

/**
 * Reads a backup back and checks it before anything is replaced with it: its record must be there and match
 * (size and sha256), or, for a backup of an earlier release, its name must say where it came from; and its text
 * must be well-formed XML. Every refusal is an `XmlInputError` naming the backup.
 */
export async function readBackup(backupPath: string): Promise<CheckedBackup> {
  const abs = path.resolve(backupPath);
  const record = await readRecord(abs);
  const legacy = record ? null : parseLegacyName(path.basename(abs));
  if (!record && !legacy)
    throw new XmlInputError(
      backupPath,
      0,
      0,
      'is not a backup written by virtio-access (there is no record of it beside it)',
      'Give a backup that `virtio-access backups FILE` lists. To copy another file over FILE, use cp; nothing was written.',
    );
  const bytes = await readRegularFile(abs);
  if (record && bytes.length !== record.bytes)
    throw new XmlInputError(backupPath, 0, 0, `is damaged: it has ${bytes.length} bytes where ${record.bytes} were saved`, PICK_ANOTHER);
  if (record && fingerprintOf(bytes) !== record.sha256)
    throw new XmlInputError(backupPath, 0, 0, 'is damaged: its content is not what was saved (sha256 differs)', PICK_ANOTHER);
  const text = decodeXmlBytes(bytes, backupPath);
  try {
    parseXml(text, backupPath);
  } catch (e) {
    if (!(e instanceof XmlInputError)) throw e;
    throw new XmlInputError(e.file, e.line, e.column, `${e.problem} (this backup is not a well-formed document)`, PICK_ANOTHER);
  }
  const entry = record
    ? { originalPath: record.originalPath, createdAt: record.createdAt, recorded: true }
    : { ...legacy!, recorded: false };
  return { backupPath: abs, ...entry, text };
}
