import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { XmlInputError } from '../../src/domain-xml';
import { missingParts, repoRoot } from '../../test/real-parts';
import { mountTinyTmpfs } from '../../test/tmpfs';
import { fileOpUnprivileged, handOver } from '../../test/unprivileged';
import { listBackups } from './backup-store';
import { fingerprintOf, readDomainFile } from './read-domain-file';
import { FileConflictError, FileWriteError, restoreBackup, writeFileSafely } from './write-domain-file';

let dir: string;
let backups: string;
const savedEnv = process.env.VAW_BACKUP_DIR;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-write-'));
  backups = path.join(dir, 'backups');
  process.env.VAW_BACKUP_DIR = backups;
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env.VAW_BACKUP_DIR;
  else process.env.VAW_BACKUP_DIR = savedEnv;
});

async function errorOf(p: Promise<unknown>): Promise<Error> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof Error)) throw new Error('expected a failure');
  return e;
}

const leftovers = (d: string) => readdirSync(d).filter((n) => n.includes('vaw-tmp'));
const backupFiles = () => (existsSync(backups) ? readdirSync(backups) : []);

describe('writeFileSafely', () => {
  it('replaces atomically, keeps the mode, and backs up the previous content with its record', async () => {
    const f = path.join(dir, 'vm.xml');
    writeFileSync(f, '<a>old</a>\n');
    chmodSync(f, 0o640);
    const read = await readDomainFile(f);
    const { backupPath } = await writeFileSafely(f, '<a>new</a>\n', { expectedFingerprint: read.fingerprint });
    expect(readFileSync(f, 'utf8')).toBe('<a>new</a>\n');
    expect(statSync(f).mode & 0o777).toBe(0o640);
    expect(backupPath && readFileSync(backupPath, 'utf8')).toBe('<a>old</a>\n');
    expect(path.basename(backupPath ?? '')).toMatch(/^vm\.xml-[0-9a-f]{12}\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\.xml$/);
    const record = JSON.parse(readFileSync((backupPath ?? '').replace(/\.xml$/, '.json'), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ originalPath: f, bytes: 11, sha256: fingerprintOf('<a>old</a>\n') });
    expect(leftovers(dir)).toEqual([]);
  });

  it('names backups within 255 bytes for a long, non-ASCII path', async () => {
    const deep = path.join(dir, 'é'.repeat(100), 'ü'.repeat(100));
    mkdirSync(deep, { recursive: true });
    const f = path.join(deep, `${'ж'.repeat(120)}.xml`);
    writeFileSync(f, '<a/>');
    const { backupPath } = await writeFileSafely(f, '<b/>');
    for (const name of backupFiles()) expect(Buffer.byteLength(name)).toBeLessThan(255);
    expect((await listBackups(f)).map((b) => b.backupPath)).toEqual([backupPath]);
    expect((await restoreBackup(backupPath ?? '')).targetPath).toBe(f);
    expect(readFileSync(f, 'utf8')).toBe('<a/>');
  });

  it.skipIf(process.getuid?.() !== 0)('keeps the owner (needs root to hand the file to another user)', async () => {
    const f = path.join(dir, 'owned.xml');
    writeFileSync(f, 'old');
    chownSync(f, 4321, 4322);
    await writeFileSafely(f, 'new');
    expect([statSync(f).uid, statSync(f).gid, readFileSync(f, 'utf8')]).toEqual([4321, 4322, 'new']);
  });

  it('writes through a symlink to an existing file, keeping the link', async () => {
    const real = path.join(dir, 'real.xml');
    const link = path.join(dir, 'link.xml');
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    await writeFileSafely(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('new');
    expect((await listBackups(link)).map((b) => b.originalPath)).toEqual([real]);
  });

  it('refuses a dangling symlink: the link stays, nothing is created', async () => {
    const link = path.join(dir, 'dangling.xml');
    const missing = path.join(dir, 'gone', 'target.xml');
    symlinkSync(missing, link);
    const e = await errorOf(writeFileSafely(link, 'new'));
    expect(e).toBeInstanceOf(FileWriteError);
    expect(e.message).toBe(
      `${link}: is a symbolic link to ${missing}, which does not exist (a dangling link is neither replaced by a file nor followed); create ${missing} first or give another path; nothing was written.`,
    );
    expect(readlinkSync(link)).toBe(missing);
    expect(existsSync(missing)).toBe(false);
    expect(backupFiles()).toEqual([]);
  });

  it('refuses to replace a FIFO or a folder', async () => {
    const sub = path.join(dir, 'sub.xml');
    mkdirSync(sub);
    expect((await errorOf(writeFileSafely(sub, 'x'))).message).toContain('is not a regular file (a folder)');
    const fifo = path.join(dir, 'fifo.xml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect((await errorOf(writeFileSafely(fifo, 'x'))).message).toContain('is not a regular file (a pipe or device)');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
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

  it('says when the folder does not exist', async () => {
    const e = await errorOf(writeFileSafely(path.join(dir, 'no', 'such', 'vm.xml'), 'x'));
    expect(e).toBeInstanceOf(FileWriteError);
    expect(e.message).toMatch(/cannot be written there \(a folder on the way does not exist, ENOENT\); nothing was written\.$/);
  });

  it('a backup folder that is a file: one clear error, the file untouched, nothing left behind', async () => {
    writeFileSync(backups, 'not a folder');
    const f = path.join(dir, 'vm.xml');
    writeFileSync(f, 'old');
    const e = await errorOf(writeFileSafely(f, 'new'));
    expect(e).toBeInstanceOf(FileWriteError);
    expect(e.message).toMatch(
      /^.*vm\.xml: its current content could not be backed up \(.*\); check the backup folder \(VAW_BACKUP_DIR\); nothing was written\.$/,
    );
    expect(readFileSync(f, 'utf8')).toBe('old');
    expect(leftovers(dir)).toEqual([]);
  });

  it('removes temporary files that killed writers left in the folder, and no others', async () => {
    const f = path.join(dir, 'vm.xml');
    // A writer killed half-way: the child makes its temporary file as writeFileSafely does, starts writing, and is killed.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import { tempPathFor } from ${JSON.stringify(path.join(repoRoot, 'main/services/atomic-write.ts'))};
         import { openSync, writeSync } from 'node:fs';
         const fd = openSync(tempPathFor(${JSON.stringify(f)}), 'wx');
         writeSync(fd, 'half a document');
         process.stdout.write('ready');
         setInterval(() => undefined, 1000);`,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const killedOnes = leftovers(dir);
    expect(killedOnes).toHaveLength(1);
    // While the writer lives, its file is its own.
    await writeFileSafely(path.join(dir, 'other.xml'), 'x');
    expect(leftovers(dir)).toEqual(killedOnes);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    await writeFileSafely(f, 'whole');
    expect(leftovers(dir)).toEqual([]);
    expect(readFileSync(f, 'utf8')).toBe('whole');
  });
});

describe('backups and restore', () => {
  it('lists backups newest first and restores one to the file its record names, wherever restore runs', async () => {
    const f = path.join(dir, 'vm.xml');
    writeFileSync(f, '<v>one</v>');
    await writeFileSafely(f, '<v>two</v>');
    await writeFileSafely(f, '<v>three</v>');
    const list = await listBackups(f);
    expect(list.map((b) => readFileSync(b.backupPath, 'utf8'))).toEqual(['<v>two</v>', '<v>one</v>']);
    expect(list[0]).toMatchObject({ originalPath: f, recorded: true });
    expect(list[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const oldest = list[1]?.backupPath ?? '';
    const cwd = process.cwd();
    process.chdir(os.tmpdir());
    onTestFinished(() => process.chdir(cwd));
    // Given relative to where restore runs, the backup still goes back to its own file.
    const restored = await restoreBackup(path.relative(process.cwd(), oldest));
    expect(restored).toMatchObject({ targetPath: f, recorded: true });
    expect(readFileSync(f, 'utf8')).toBe('<v>one</v>');
    expect(restored.backupPath && readFileSync(restored.backupPath, 'utf8')).toBe('<v>three</v>');
    const other = path.join(dir, 'sub', 'copy.xml');
    mkdirSync(path.dirname(other));
    await restoreBackup(oldest, other);
    expect(readFileSync(other, 'utf8')).toBe('<v>one</v>');
  });

  it('refuses a truncated backup, a foreign file and a non-XML backup before replacing anything', async () => {
    const f = path.join(dir, 'vm.xml');
    writeFileSync(f, '<domain><name>a</name></domain>\n');
    const { backupPath } = await writeFileSafely(f, '<domain><name>b</name></domain>\n');
    const backup = backupPath ?? '';
    truncateSync(backup, 10);
    const truncated = await errorOf(restoreBackup(backup));
    expect(truncated).toBeInstanceOf(XmlInputError);
    expect((truncated as XmlInputError).problem).toBe('is damaged: it has 10 bytes where 32 were saved');
    writeFileSync(backup, '<domain><name>x</name></domain>\n');
    expect((await errorOf(restoreBackup(backup))).message).toContain('is damaged: its content is not what was saved (sha256 differs)');
    const foreign = path.join(dir, 'foreign.xml');
    writeFileSync(foreign, '<domain/>');
    expect((await errorOf(restoreBackup(foreign, f))).message).toBe(
      `${foreign}: is not a backup written by virtio-access (there is no record of it beside it)`,
    );
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'just notes\n');
    const { backupPath: notXml } = await writeFileSafely(text, 'other notes\n');
    const e = await errorOf(restoreBackup(notXml ?? ''));
    expect((e as XmlInputError).problem).toBe('text before the root element (this backup is not a well-formed document)');
    expect(readFileSync(f, 'utf8')).toBe('<domain><name>b</name></domain>\n');
    expect(readFileSync(text, 'utf8')).toBe('other notes\n');
  });

  it('still lists and restores a backup of an earlier release (named after the path, no record)', async () => {
    const f = path.join(dir, 'legacy.xml');
    writeFileSync(f, '<v>now</v>');
    mkdirSync(backups, { recursive: true });
    const old = path.join(backups, `${encodeURIComponent(f)}@2025-01-02T03-04-05.678Z.xml`);
    writeFileSync(old, '<v>then</v>');
    expect(await listBackups(f)).toEqual([{ backupPath: old, originalPath: f, createdAt: '2025-01-02T03:04:05.678Z', recorded: false }]);
    expect(await restoreBackup(old)).toMatchObject({ targetPath: f, recorded: false });
    expect(readFileSync(f, 'utf8')).toBe('<v>then</v>');
  });
});

const noTmpfs = missingParts('tmpfs-mount');
describe.skipIf(noTmpfs)(`a full disk ${noTmpfs ? `(skipped: ${noTmpfs})` : ''}`, () => {
  function fill(folder: string): void {
    // A tmpfs refuses the first write that does not fit: write until it does.
    for (let i = 0; ; i++) {
      try {
        writeFileSync(path.join(folder, `filler-${i}`), Buffer.alloc(4096, 1));
      } catch {
        return;
      }
    }
  }

  it('no room for the backup: one clear error, the file untouched, no partial backup', async () => {
    const tmpfs = mountTinyTmpfs(64);
    onTestFinished(tmpfs.unmount);
    process.env.VAW_BACKUP_DIR = tmpfs.dir;
    const f = path.join(dir, 'vm.xml');
    writeFileSync(f, `<a>${'x'.repeat(8000)}</a>`);
    fill(tmpfs.dir);
    const e = await errorOf(writeFileSafely(f, '<a/>'));
    expect(e).toBeInstanceOf(FileWriteError);
    expect(e.message).toContain('its current content could not be backed up (no space left on the device, ENOSPC)');
    expect(readFileSync(f, 'utf8')).toMatch(/^<a>x/);
    expect(readdirSync(tmpfs.dir).filter((n) => !n.startsWith('filler-'))).toEqual([]);
  });

  it('no room for the new file: one clear error, the file untouched, its backup and temporary file removed', async () => {
    const tmpfs = mountTinyTmpfs(64);
    onTestFinished(tmpfs.unmount);
    const f = path.join(tmpfs.dir, 'vm.xml');
    writeFileSync(f, '<a/>');
    fill(tmpfs.dir);
    const e = await errorOf(writeFileSafely(f, `<a>${'y'.repeat(16_000)}</a>`));
    expect(e.message).toBe(`${f}: cannot be written (no space left on the device, ENOSPC); nothing was written.`);
    expect(readFileSync(f, 'utf8')).toBe('<a/>');
    expect(leftovers(tmpfs.dir)).toEqual([]);
    expect(backupFiles()).toEqual([]);
  });
});

const noUser = missingParts('unprivileged');
describe.skipIf(noUser)(`permissions, as an unprivileged user ${noUser ? `(skipped: ${noUser})` : ''}`, () => {
  function userFolder(): string {
    const d = mkdtempSync(path.join(os.tmpdir(), 'vaw-perm-'));
    chmodSync(d, 0o755);
    handOver(d);
    return d;
  }

  it('a folder the user cannot write: one clear error, nothing written', () => {
    const d = userFolder();
    const f = path.join(d, 'vm.xml');
    writeFileSync(f, '<a/>');
    handOver(f);
    chmodSync(d, 0o555);
    const r = fileOpUnprivileged('write', { file: f, text: '<b/>' }, { VAW_BACKUP_DIR: path.join(userFolder(), 'b') });
    expect(r).toMatchObject({
      ok: false,
      name: 'FileWriteError',
      message: `${f}: cannot be written (permission denied, EACCES); nothing was written.`,
    });
    expect(readFileSync(f, 'utf8')).toBe('<a/>');
    expect(leftovers(d)).toEqual([]);
  });

  it('a backup folder the user cannot write: one clear error, the file untouched', () => {
    const d = userFolder();
    const f = path.join(d, 'vm.xml');
    writeFileSync(f, '<a/>');
    handOver(f);
    const locked = mkdtempSync(path.join(os.tmpdir(), 'vaw-locked-'));
    chmodSync(locked, 0o755);
    const r = fileOpUnprivileged('write', { file: f, text: '<b/>' }, { VAW_BACKUP_DIR: path.join(locked, 'backups') });
    expect(r).toMatchObject({ ok: false, name: 'FileWriteError' });
    expect(r.message).toContain('its current content could not be backed up (permission denied, EACCES)');
    expect(readFileSync(f, 'utf8')).toBe('<a/>');
    expect(leftovers(d)).toEqual([]);
  });
});
