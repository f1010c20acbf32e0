/**
 * Reading domain XML (and other inputs, such as `virsh domcapabilities` output) from files without ever waiting
 * on one: the file is opened non-blocking (a FIFO with no writer opens at once instead of hanging; a terminal
 * never becomes the controlling one), only a regular file is read, and at most 10 MB of it, whatever its size
 * claims (a /proc file says 0). The bytes must be what libvirt reads: UTF-8 by libxml2's detection, strictly
 * valid; a leading byte order mark is kept, so a write gives it back.
 */
import { closeSync, constants, fstatSync, openSync, promises as fs, readSync, type Stats } from 'node:fs';
import { MAX_DOMAIN_XML_BYTES } from '../../src/contracts/limits';
import { nonUtf8Encoding, XmlInputError } from '../../src/domain-xml';

/** Files larger than this are refused: no domain XML is anywhere near it (the limit of every way in). */
export const MAX_DOMAIN_FILE_BYTES = MAX_DOMAIN_XML_BYTES;

/** A file as read, with the fingerprint a later write must still match. */
export interface ReadFile {
  readonly path: string;
  readonly text: string;
  /** sha256 of the bytes, hex. */
  readonly fingerprint: string;
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** node:crypto, loaded on first use: a CLI run that writes nothing (most of them) never pays for it. */
const crypto = () => process.getBuiltinModule('node:crypto');

/** sha256 hex of the bytes or text. */
export function fingerprintOf(content: string | Uint8Array): string {
  return crypto().createHash('sha256').update(content).digest('hex');
}

function inputError(file: string, problem: string, hint: string): XmlInputError {
  return new XmlInputError(file, 0, 0, problem, hint);
}

export function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
}

/** An errno in words, then its code (`no space left on the device, ENOSPC`). */
export function errnoInWords(e: unknown): string {
  const code = errnoOf(e);
  const words: Readonly<Record<string, string>> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOTDIR: 'a part of the path is not a folder',
    EISDIR: 'it is a folder',
    EEXIST: 'a file of that name is in the way',
    ELOOP: 'a loop of symbolic links',
    ENOENT: 'a folder on the way does not exist',
    EIO: 'input/output error',
  };
  return words[code] ? `${words[code]}, ${code}` : code || (e instanceof Error ? e.message : String(e));
}

function openError(file: string, e: unknown): XmlInputError {
  const code = errnoOf(e);
  if (code === 'ENOENT') return inputError(file, 'no such file', 'Check the path.');
  if (code === 'EACCES' || code === 'EPERM')
    return inputError(file, 'permission denied', 'Run as a user who can read it, or copy the file somewhere readable.');
  if (code === 'ENXIO') return inputError(file, 'is not a regular file (a socket?)', 'Give the path of a file.');
  if (code === 'ELOOP') return inputError(file, 'is a loop of symbolic links', 'Give the path of the file itself.');
  return inputError(file, `cannot be opened (${code || String(e)})`, 'Check the path and its permissions.');
}

function tooLarge(file: string, limit: number): XmlInputError {
  const mb = limit / (1024 * 1024);
  return inputError(
    file,
    Number.isInteger(mb) ? `is over the ${mb} MB limit for a domain XML file` : `is over the ${limit}-byte limit`,
    'Check that this is really a libvirt domain definition (or `virsh domcapabilities` output).',
  );
}

/** Refuses what is not a regular file, or claims more than `limit` bytes, before anything is read. */
function checkReadable(file: string, st: Stats, limit: number): void {
  if (st.isDirectory()) throw inputError(file, 'is a directory, not a file', 'Give the path of a file.');
  if (st.isFIFO()) throw inputError(file, 'is a pipe (FIFO), not a file', 'Give the path of a file, or - to read standard input.');
  if (!st.isFile()) throw inputError(file, 'is a device or other special file, not a regular file', 'Give the path of a file.');
  if (st.size > limit) throw tooLarge(file, limit);
}

function readError(file: string, e: unknown): XmlInputError {
  if (e instanceof XmlInputError) return e;
  if (errnoOf(e) === 'EISDIR') return inputError(file, 'is a directory, not a file', 'Give the path of a file.');
  return inputError(file, `cannot be read (${errnoOf(e) || String(e)})`, 'Check the file and its permissions.');
}

/** The bytes of a regular file, at most `limit` of them (a longer file is refused), never blocking on a FIFO. */
export async function readRegularFile(file: string, limit = MAX_DOMAIN_FILE_BYTES): Promise<Uint8Array> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, OPEN_FLAGS);
  } catch (e) {
    throw openError(file, e);
  }
  try {
    const st = await handle.stat();
    checkReadable(file, st, limit);
    const reader = new GrowingBuffer(file, st.size, limit);
    for (let n = -1; n !== 0;) {
      const buffer = reader.room();
      n = (await handle.read(buffer, reader.filled, buffer.length - reader.filled, null)).bytesRead;
      reader.add(n);
    }
    return reader.bytes();
  } catch (e) {
    throw readError(file, e);
  } finally {
    await handle.close();
  }
}

/**
 * A buffer sized for what a file says it holds, grown only when it holds more (a /proc file says 0), never past
 * one byte over the limit: that byte tells a file that fits from one that is too large (or grew while read).
 * A class, not an object of closures: the CLI makes one for every file it reads.
 */
class GrowingBuffer {
  #buffer: Buffer;
  filled = 0;
  constructor(
    private readonly file: string,
    claimed: number,
    private readonly limit: number,
  ) {
    this.#buffer = Buffer.allocUnsafe(Math.min(limit + 1, claimed + 1 || 4096));
  }
  room(): Buffer {
    if (this.filled < this.#buffer.length) return this.#buffer;
    if (this.filled > this.limit) throw tooLarge(this.file, this.limit);
    const bigger = Buffer.allocUnsafe(Math.min(this.limit + 1, this.#buffer.length * 2));
    this.#buffer.copy(bigger, 0, 0, this.filled);
    return (this.#buffer = bigger);
  }
  add(n: number): void {
    this.filled += n;
    if (this.filled > this.limit) throw tooLarge(this.file, this.limit);
  }
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.filled);
  }
}

/** `readRegularFile`, synchronously (the CLI: the same checks, no thread-pool round trip per system call). */
export function readRegularFileSync(file: string, limit = MAX_DOMAIN_FILE_BYTES): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (e) {
    throw openError(file, e);
  }
  try {
    const st = fstatSync(fd);
    checkReadable(file, st, limit);
    const reader = new GrowingBuffer(file, st.size, limit);
    for (let n = -1; n !== 0;) {
      const buffer = reader.room();
      n = readSync(fd, buffer, reader.filled, buffer.length - reader.filled, null);
      reader.add(n);
    }
    return reader.bytes();
  } catch (e) {
    throw readError(file, e);
  } finally {
    closeSync(fd);
  }
}

/**
 * One strict decoder for every document: a decode() that is not streamed starts afresh, even after one that threw,
 * and making a decoder per file was a third of the decoding (366 corpus files: 2.2 vs 1.2 ms).
 */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The text of an XML document's bytes, as libvirt would read them: refused unless libxml2 reads them as UTF-8
 * (no UTF-16/UCS-4 or EBCDIC signature), then strict UTF-8 (the error names the line and column of the first bad
 * byte). A leading byte order mark stays in the text.
 */
export function decodeXmlBytes(bytes: Uint8Array, file: string): string {
  const other = nonUtf8Encoding(bytes);
  if (other) throw inputError(file, other.problem, other.hint);
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    const lenient = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const before = lenient.slice(0, Math.max(0, lenient.indexOf('\ufffd')));
    const lines = before.split(/\r\n|\r|\n/);
    throw new XmlInputError(
      file,
      lines.length,
      (lines.at(-1)?.length ?? 0) + 1,
      'is not valid UTF-8',
      'Convert the file to UTF-8 (for example `iconv -f latin1 -t utf-8`); libvirt writes UTF-8.',
    );
  }
}

/**
 * Reads a domain XML file for the app (asynchronously, so a slow mount never freezes the window): every check
 * above; failures are `XmlInputError`s naming the file and what to do.
 */
export async function readDomainFile(file: string): Promise<ReadFile> {
  const bytes = await readRegularFile(file);
  return { path: file, text: decodeXmlBytes(bytes, file), fingerprint: fingerprintOf(bytes) };
}

/**
 * `readDomainFile`, synchronously: for the CLI, where nothing else waits and a check of hundreds of files reads
 * several times faster without a thread-pool round trip for every system call.
 */
export function readDomainFileSync(file: string): ReadFile {
  const bytes = readRegularFileSync(file);
  return { path: file, text: decodeXmlBytes(bytes, file), fingerprint: fingerprintOf(bytes) };
}

/** `readDomainFileSync` without the fingerprint, for what is never written back (the CLI's inputs). */
export function readDomainTextSync(file: string): string {
  return decodeXmlBytes(readRegularFileSync(file), file);
}
