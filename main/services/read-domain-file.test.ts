import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { XmlInputError } from '../../src/domain-xml';
import { missingParts, repoRoot } from '../../test/real-parts';
import { fileOpUnprivileged, handOver } from '../../test/unprivileged';
import {
  decodeXmlBytes,
  fingerprintOf,
  MAX_DOMAIN_FILE_BYTES,
  readDomainFile,
  readDomainFileSync,
  readDomainTextSync,
  readRegularFile,
  readRegularFileSync,
} from './read-domain-file';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-read-'));
});

async function inputErrorOf(p: Promise<unknown>): Promise<XmlInputError> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof XmlInputError)) throw new Error(`expected XmlInputError, got ${String(e)}`);
  return e;
}

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

  it('keeps a leading byte order mark, so the text written back is the same bytes', async () => {
    const f = path.join(dir, 'bom.xml');
    writeFileSync(f, '\ufeff<domain/>\n');
    const r = await read(f);
    expect(r.text).toBe('\ufeff<domain/>\n');
    expect(Buffer.from(r.text)).toEqual(readFileSync(f));
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

  it('refuses a character device at once, without reading it (/dev/zero never ends)', async () => {
    expect((await inputErrorOf(read('/dev/zero'))).problem).toBe('is a device or other special file, not a regular file');
  });

  it.each([
    ['UTF-16LE without a byte order mark', Buffer.from('<?xml version="1.0"?><domain/>', 'utf16le'), 'UTF-16LE'],
    ['UTF-16LE with a byte order mark', Buffer.from('\ufeff<domain/>', 'utf16le'), 'UTF-16LE'],
    ['UTF-16BE with a byte order mark', Buffer.from([0xfe, 0xff, 0x00, 0x3c, 0x00, 0x61, 0x00, 0x2f, 0x00, 0x3e]), 'UTF-16BE'],
    ['UTF-16BE without one', Buffer.from([0x00, 0x3c, 0x00, 0x3f, 0x00, 0x78]), 'UTF-16BE'],
    ['UTF-32LE', Buffer.from([0x3c, 0, 0, 0, 0x61, 0, 0, 0]), 'UTF-32LE'],
    ['UTF-32BE', Buffer.from([0, 0, 0, 0x3c, 0, 0, 0, 0x61]), 'UTF-32BE'],
    ['EBCDIC', Buffer.from([0x4c, 0x6f, 0xa7, 0x94, 0x93, 0x40]), 'EBCDIC'],
  ])('refuses %s, naming the encoding libxml2 would read', async (_what, bytes, name) => {
    const f = path.join(dir, 'encoded.xml');
    writeFileSync(f, bytes);
    const e = await inputErrorOf(read(f));
    expect(e.problem).toBe(`is encoded in ${name} (libxml2 reads its first bytes so), not UTF-8`);
    expect(e.hint).toMatch(/^Convert it to UTF-8 \(for example `iconv -f /);
  });
});

describe('reading never blocks', () => {
  it.each(['read', 'read-sync'] as const)('%s refuses a FIFO with no writer at once', (op) => {
    const fifo = path.join(dir, `fifo-${op}.xml`);
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // In a child with a deadline: a read that blocked would otherwise hang this test process for good.
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'test/file-ops-driver.ts'), op, JSON.stringify({ file: fifo })],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(r.signal).toBeNull();
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, problem: 'is a pipe (FIFO), not a file' });
  });

  it('reads a /proc file whose size says 0 to its end, and stops one byte past the limit', async () => {
    const status = await readRegularFile('/proc/self/status');
    expect(new TextDecoder().decode(status)).toMatch(/^Name:/);
    expect(readRegularFileSync('/proc/self/status').length).toBeGreaterThan(100);
    const f = path.join(dir, 'limit.bin');
    writeFileSync(f, Buffer.alloc(100, 0x41));
    expect((await readRegularFile(f, 100)).length).toBe(100);
    expect((await inputErrorOf(readRegularFile(f, 99))).problem).toBe('is over the 99-byte limit');
    expect(() => readRegularFileSync(f, 99)).toThrow('is over the 99-byte limit');
  });
});

describe('decodeXmlBytes', () => {
  it('locates invalid UTF-8 on CR-only lines as libxml2 counts them', () => {
    const bytes = Buffer.concat([Buffer.from('<a>\r<b>\r  x'), Buffer.from([0xff]), Buffer.from('</b></a>')]);
    let e: unknown;
    try {
      decodeXmlBytes(bytes, 'cr.xml');
    } catch (err) {
      e = err;
    }
    expect(e).toMatchObject({ line: 3, column: 4, problem: 'is not valid UTF-8' });
  });

  it('decodes each document afresh after one that was refused, even one cut inside a character', () => {
    const cut = Buffer.concat([Buffer.from('<a>caf'), Buffer.from([0xc3])]);
    expect(() => decodeXmlBytes(cut, 'cut.xml')).toThrow(/is not valid UTF-8/);
    // Nothing of the refused document's last byte is left to combine with the next one's first (0xc3 0xa9 is é).
    expect(() => decodeXmlBytes(Buffer.from([0xa9, 0x3c, 0x61, 0x2f, 0x3e]), 'next.xml')).toThrow(/is not valid UTF-8/);
    expect(decodeXmlBytes(Buffer.from('\ufeff<a>café</a>'), 'good.xml')).toBe('\ufeff<a>café</a>');
  });
});

const noUser = missingParts('unprivileged');
describe.skipIf(noUser)(`permissions, as an unprivileged user ${noUser ? `(skipped: ${noUser})` : ''}`, () => {
  it.each(['read', 'read-sync'] as const)('%s says permission denied for a file the user cannot read', (op) => {
    const own = mkdtempSync(path.join(os.tmpdir(), 'vaw-perm-'));
    chmodSync(own, 0o755);
    const f = path.join(own, 'secret.xml');
    writeFileSync(f, '<domain/>');
    handOver(f);
    chmodSync(f, 0o000);
    expect(fileOpUnprivileged(op, { file: f })).toMatchObject({ ok: false, name: 'XmlInputError', problem: 'permission denied' });
    // The same file, readable again: the refusal was the permission, nothing else.
    chmodSync(f, 0o400);
    expect(fileOpUnprivileged(op, { file: f })).toMatchObject({ ok: true, value: { text: '<domain/>' } });
  });
});
