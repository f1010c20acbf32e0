import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdtempSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { XmlInputError } from '../../src/domain-xml';
import {
  backupsDir,
  FileConflictError,
  fingerprintOf,
  listBackups,
  MAX_DOMAIN_FILE_BYTES,
  readDomainFile,
  readDomainFileSync,
  readDomainTextSync,
  restoreBackup,
  writeFileSafely,
} from './file-store';

let dir: string;
const savedEnv = process.env.VAW_BACKUP_DIR;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-file-store-'));
  process.env.VAW_BACKUP_DIR = path.join(dir, 'backups');
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env.VAW_BACKUP_DIR;
  else process.env.VAW_BACKUP_DIR = savedEnv;
});

async function inputErrorOf(p: Promise<unknown>): Promise<XmlInputError> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof XmlInputError)) throw new Error(`expected XmlInputError, got ${String(e)}`);
  return e;
}

describe('backupsDir', () => {
  it('follows VAW_BACKUP_DIR, then XDG_STATE_HOME, then ~/.local/state', () => {
    expect(backupsDir({ VAW_BACKUP_DIR: '/x/b' })).toBe('/x/b');
    expect(backupsDir({ XDG_STATE_HOME: '/s' })).toBe('/s/virtio-access-wizard/backups');
    expect(backupsDir({})).toBe(path.join(os.homedir(), '.local/state/virtio-access-wizard/backups'));
  });
});

// The app reads asynchronously, the CLI synchronously: both must refuse and report exactly alike.
describe.each([
  ['readDomainFile', readDomainFile],
  ['readDomainFileSync', async (f: string) => readDomainFileSync(f)],
  // The CLI's inputs: the same checks and text, no fingerprint.
  ['readDomainTextSync', async (f: string) => ({ path: f, text: readDomainTextSync(f), fingerprint: fingerprintOf(readFileSync(f)) })],
])('%s', (_name, read) => {
  it('reads text and its sha256 fingerprint', async () => {
    const f = path.join(dir, 'a.xml');
    writeFileSync(f, '<domain/>\n');
    expect(await read(f)).toEqual({ path: f, text: '<domain/>\n', fingerprint: fingerprintOf('<domain/>\n') });
  });

  it('refuses directories, missing files, oversized files and invalid UTF-8 with clear messages', async () => {
    expect((await inputErrorOf(read(dir))).problem).toContain('is a directory');
    expect((await inputErrorOf(read(path.join(dir, 'none.xml')))).problem).toBe('no such file');
    const big = path.join(dir, 'big.xml');
    writeFileSync(big, Buffer.alloc(MAX_DOMAIN_FILE_BYTES + 1, 0x20));
    expect((await inputErrorOf(read(big))).problem).toContain('over the 10 MB limit');
    const latin1 = path.join(dir, 'latin1.xml');
    writeFileSync(latin1, Buffer.concat([Buffer.from('<domain>\n  <name>caf'), Buffer.from([0xe9]), Buffer.from('</name>\n</domain>\n')]));
    const e = await inputErrorOf(read(latin1));
    expect([e.problem, e.line, e.column]).toEqual(['is not valid UTF-8', 2, 12]);
  });

  it.skipIf(process.getuid?.() === 0)('says permission denied for an unreadable file', async () => {
    const f = path.join(dir, 'secret.xml');
    writeFileSync(f, '<domain/>');
    chmodSync(f, 0o000);
    expect((await inputErrorOf(read(f))).problem).toBe('permission denied');
  });
});

describe('writeFileSafely', () => {
  it('replaces atomically, keeps the mode, and backs up the previous content', async () => {
    const f = path.join(dir, 'vm.xml');
    writeFileSync(f, 'old\n');
    chmodSync(f, 0o640);
    const read = await readDomainFile(f);
    const { backupPath } = await writeFileSafely(f, 'new\n', { expectedFingerprint: read.fingerprint });
    expect(readFileSync(f, 'utf8')).toBe('new\n');
    expect(statSync(f).mode & 0o777).toBe(0o640);
    expect(backupPath && readFileSync(backupPath, 'utf8')).toBe('old\n');
    expect(path.basename(backupPath ?? '')).toMatch(/^%2F.*vm\.xml@\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\.xml$/);
    expect(readdirSync(dir).filter((n) => n.includes('vaw-tmp'))).toEqual([]);
  });

  it.skipIf(process.getuid?.() !== 0)('keeps the owner (needs root to hand the file to another user)', async () => {
    const f = path.join(dir, 'owned.xml');
    writeFileSync(f, 'old');
    chownSync(f, 4321, 4322);
    await writeFileSafely(f, 'new');
    expect([statSync(f).uid, statSync(f).gid, readFileSync(f, 'utf8')]).toEqual([4321, 4322, 'new']);
  });

  it('writes through a symlink, keeping the link', async () => {
    const real = path.join(dir, 'real.xml');
    const link = path.join(dir, 'link.xml');
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    await writeFileSafely(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('new');
    expect((await listBackups(link)).map((b) => b.originalPath)).toEqual([real]);
  });

  it('refuses when the file changed since it was read, writing nothing', async () => {
    const f = path.join(dir, 'vm.xml');
    writeFileSync(f, 'v1');
    const read = await readDomainFile(f);
    writeFileSync(f, 'v2 by someone else');
    await expect(writeFileSafely(f, 'mine', { expectedFingerprint: read.fingerprint })).rejects.toBeInstanceOf(FileConflictError);
    expect(readFileSync(f, 'utf8')).toBe('v2 by someone else');
    expect(await listBackups(f)).toEqual([]);
  });

  it('creates a new file without a backup, and refuses to create one that was expected to exist', async () => {
    const f = path.join(dir, 'new.xml');
    expect(await writeFileSafely(f, 'x')).toEqual({ backupPath: null });
    await expect(writeFileSafely(path.join(dir, 'gone.xml'), 'x', { expectedFingerprint: fingerprintOf('x') })).rejects.toBeInstanceOf(
      FileConflictError,
    );
  });

  it('lists backups newest first and restores one (backing up the current content first)', async () => {
    const f = path.join(dir, 'vm.xml');
    writeFileSync(f, 'one');
    await writeFileSafely(f, 'two');
    await writeFileSafely(f, 'three');
    const backups = await listBackups(f);
    expect(backups.map((b) => readFileSync(b.backupPath, 'utf8'))).toEqual(['two', 'one']);
    expect(backups[0]?.originalPath).toBe(f);
    expect(backups[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const oldest = backups[1]?.backupPath ?? '';
    const restored = await restoreBackup(oldest);
    expect(restored.targetPath).toBe(f);
    expect(readFileSync(f, 'utf8')).toBe('one');
    expect(restored.backupPath && readFileSync(restored.backupPath, 'utf8')).toBe('three');
    const other = path.join(dir, 'sub', 'copy.xml');
    mkdirSync(path.dirname(other));
    await restoreBackup(oldest, other);
    expect(readFileSync(other, 'utf8')).toBe('one');
  });
});
