/**
 * Validation of domain XML against libvirt's RelaxNG schemas (/usr/share/libvirt/schemas/domain.rng) with
 * xmllint: the native binary when installed, else xmllint-wasm with every .rng of the schemas directory
 * preloaded. The schemas themselves must be installed; without them validation is unavailable and callers say
 * so (the CLI continues only with --no-schema). Reading xmllint's output is pure and lives in src/schema.
 *
 * No document with a DOCTYPE ever reaches xmllint, from any entry point here: libxml2 would load the external
 * entities of a DOCTYPE (a file, or a FIFO that hangs it). xmllint reads a document only once this program's parser
 * has accepted it (the parser refuses any DOCTYPE and reads the bytes in the encoding libxml2 would), or, in a batch,
 * before that when libxml2 plainly reads it as UTF-8 without one (src/schema/read-before-parse.ts); a document the
 * parser refuses gets a result saying so, whatever xmllint said. xmllint reads a copy of the text (a temporary file
 * or its standard input), never the user's file, which could change in between.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  promises as fs,
  readFileSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { elementIndexOf, parseXml, XmlInputError, type ElementIndex, type XmlDocument } from '../../src/domain-xml';
import { schemaResultsOf, xmllintMayReadUnparsed, type SchemaResult } from '../../src/schema';
import { errnoInWords } from './read-domain-file';

export type { SchemaError, SchemaResult } from '../../src/schema';

/** libvirt's schema directory as packaged by Debian, Fedora and upstream. */
export const DEFAULT_SCHEMA_DIR = '/usr/share/libvirt/schemas';

export type SchemaEngine = 'native' | 'wasm';

/** Whether validation can run, and how. */
export type SchemaStatus =
  | { readonly available: true; readonly dir: string; readonly engine: SchemaEngine }
  | { readonly available: false; readonly dir: string; readonly message: string };

/**
 * Validation cannot run: the schemas are not installed, no xmllint engine works, or the copies xmllint reads cannot
 * be written. `hint` says what to do when it is not installing xmllint.
 */
export class SchemaUnavailableError extends Error {
  override readonly name = 'SchemaUnavailableError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The batch's copies cannot be written in `folder` (full, read-only, missing). */
function scratchError(folder: string, e: unknown): SchemaUnavailableError {
  return new SchemaUnavailableError(
    `cannot write the copies xmllint validates in ${folder} (${errnoInWords(e)})`,
    'Nothing was written. Make room there or set TMPDIR to a folder with room, or rerun with --no-schema to go on without schema validation.',
  );
}

/** A document to validate. `parsed`: this program's parse of exactly `text`, when the caller has one (saves a parse). */
export interface DocumentToValidate {
  readonly name: string;
  readonly text: string;
  readonly parsed?: XmlDocument;
}

export interface SchemaOptions {
  readonly dir?: string;
  readonly engine?: SchemaEngine;
}

/**
 * Where a native xmllint would be on PATH. Looked up in the PATH folders rather than by running `xmllint
 * --version`: a one-file `plan` would otherwise pay for an extra process. A broken binary still fails the
 * validation itself.
 */
function xmllintCandidates(): string[] {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((d) => path.join(d, 'xmllint'));
}

function statusOf(dir: string, installed: boolean, native: boolean): SchemaStatus {
  if (!installed) {
    return {
      available: false,
      dir,
      message: `libvirt's RelaxNG schemas are not installed (${path.join(dir, 'domain.rng')} is missing); install libvirt-clients (Debian/Ubuntu) or libvirt-libs (Fedora)`,
    };
  }
  return { available: true, dir, engine: native ? 'native' : 'wasm' };
}

/** Says whether libvirt's schemas are installed and which xmllint will validate against them (the CLI: synchronous). */
export function schemaStatus(dir = DEFAULT_SCHEMA_DIR): SchemaStatus {
  const executable = (f: string): boolean => {
    try {
      accessSync(f, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  return statusOf(dir, existsSync(path.join(dir, 'domain.rng')), xmllintCandidates().some(executable));
}

/** `schemaStatus` for the app's main process, which never waits on the file system synchronously. */
export async function readSchemaStatus(dir = DEFAULT_SCHEMA_DIR): Promise<SchemaStatus> {
  const access = (f: string, mode: number): Promise<boolean> =>
    fs.access(f, mode).then(
      () => true,
      () => false,
    );
  const [installed, ...native] = await Promise.all([
    access(path.join(dir, 'domain.rng'), constants.R_OK),
    ...xmllintCandidates().map((f) => access(f, constants.X_OK)),
  ]);
  return statusOf(dir, installed === true, native.includes(true));
}

/** The result for a document this program's parser refuses (xmllint is not run on it); null when it accepts it. */
function refusal(doc: DocumentToValidate): SchemaResult | null {
  if (doc.parsed?.text === doc.text) return null;
  try {
    parseXml(doc.text, doc.name);
    return null;
  } catch (e) {
    if (!(e instanceof XmlInputError)) throw e;
    return {
      name: doc.name,
      valid: false,
      errors: [{ line: e.line, element: null, message: `not well-formed XML, so it was not validated: ${e.problem}`, target: '/domain' }],
    };
  }
}

/** xmllint's arguments for validating `files` against domain.rng in `dir`; never fetching from the network. */
function xmllintArgs(dir: string, files: readonly string[]): string[] {
  return ['--noout', '--nonet', '--relaxng', path.join(dir, 'domain.rng'), ...files];
}

/**
 * glibc's malloc tuning for xmllint: keep up to 65,535 freed chunks of each size in the thread's cache (7 by
 * default). libxml2 compiles domain.rng and validates each document with many small allocations and frees, which
 * then skip malloc's shared bins (malloc and free were over a quarter of xmllint's time on the corpus, sampled
 * with perf). Measured here, xmllint's CPU over the 366 corpus domains: 0.88 of the default (median of 30
 * interleaved pairs), and over one domain 14.1 instead of 16.4 ms; its peak memory 12.5 instead of 9.9 MB.
 * Another C library ignores the variable.
 */
const XMLLINT_MALLOC_TUNING = 'glibc.malloc.tcache_count=65535';

/**
 * The environment xmllint runs with: this process's, with XMLLINT_MALLOC_TUNING put before any GLIBC_TUNABLES of
 * the user's own (glibc reads them in order, so a setting of theirs still wins).
 */
export function xmllintEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const own = env.GLIBC_TUNABLES;
  return { ...env, GLIBC_TUNABLES: own ? `${XMLLINT_MALLOC_TUNING}:${own}` : XMLLINT_MALLOC_TUNING };
}

/**
 * Kills a hung xmllint after five minutes. Not spawn's own `timeout` option: when the spawn fails, Node never
 * clears that timer, and the process then lives on for the whole timeout.
 */
function stopAfter(child: ChildProcess): NodeJS.Timeout {
  return setTimeout(() => child.kill(), 300_000).unref();
}

/** A native xmllint run: its output once it ends, and what lets a held run go (see `runNative`). */
interface NativeRun {
  readonly output: Promise<string>;
  readonly release: () => void;
}

/**
 * Starts one native xmllint run over `files` (the caller may then keep its thread busy: the run goes on beside it).
 * Its messages go to `outFile`, not to a pipe: libxml2 writes each message in many small pieces, which fill
 * a pipe's buffer whenever this process is busy, and xmllint then waits; measured here, that nearly doubled its run
 * over the corpus. A `held` run is started before its files exist: its first document is its standard input, so
 * xmllint compiles domain.rng and then waits there until `release` closes that input (an empty document, whose
 * error is nobody's), and only then opens the files, by which time the caller has written them all.
 */
function runNative(dir: string, files: readonly string[], outFile: string, children: ChildProcess[], held = false): NativeRun {
  const out = openSync(outFile, 'w', 0o600);
  const child = spawn('xmllint', xmllintArgs(dir, held ? ['-', ...files] : files), {
    stdio: [held ? 'pipe' : 'ignore', out, out],
    env: xmllintEnv(),
  });
  children.push(child);
  closeSync(out);
  // A run that ends before its release (it failed to start) makes writing nothing to it harmless.
  child.stdin?.on('error', () => undefined);
  const timer = stopAfter(child);
  const output = new Promise<string>((resolve, reject) => {
    let failure: Error | undefined;
    child.on('error', (e) => (failure = e));
    child.on('close', (code) => {
      clearTimeout(timer);
      let output: string;
      try {
        output = readFileSync(outFile, 'utf8');
      } catch (e) {
        // Gone with its folder: the batch was abandoned (and the run stopped) or the folder removed under it.
        failure ??= e as Error;
        output = '';
      }
      // A non-zero exit status only means some documents did not validate or parse; per-file results are in the
      // output. Failing to start or being killed is a real failure.
      if (code === null || failure)
        reject(new SchemaUnavailableError(`xmllint failed: ${failure?.message ?? (output.trim() || 'it was stopped')}`));
      else resolve(output);
    });
  });
  // Closed at once, not ended: end() waits for the event loop, which the caller's synchronous work holds up.
  return { output, release: () => child.stdin?.destroy() };
}

async function runWasm(dir: string, xml: readonly { fileName: string; contents: string }[]): Promise<string> {
  const { validateXML } = await import('xmllint-wasm');
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.rng'));
  const rng = await Promise.all(
    names.map(async (fileName) => ({ fileName, contents: await fs.readFile(path.join(dir, fileName), 'utf8') })),
  );
  const schema = rng.find((r) => r.fileName === 'domain.rng');
  if (!schema) throw new SchemaUnavailableError(`no domain.rng in ${dir}`);
  const result = await validateXML({
    xml: [...xml],
    schema,
    preload: rng.filter((r) => r !== schema),
    extension: 'relaxng',
    maxMemoryPages: 16384,
  });
  return result.rawOutput;
}

async function validateWasm(dir: string, docs: readonly DocumentToValidate[]): Promise<SchemaResult[]> {
  const files = docs.map((_, i) => `f${i}.xml`);
  return schemaResultsOf(
    docs,
    await runWasm(
      dir,
      docs.map((d, i) => ({ fileName: files[i]!, contents: d.text })),
    ),
    files,
  );
}

/**
 * Where the batch validator writes its copies: the user's TMPDIR when set, else a memory file system when there is
 * one (XDG_RUNTIME_DIR, then /dev/shm), else /tmp. The copies live for one xmllint run, which cannot start before
 * they exist; on a disk each new file pays the journal: the 366 corpus domains took 110–216 ms to write on this
 * project's CI machine's /tmp (ext4) and 18–80 ms on its /dev/shm. The folder itself is private (mkdtemp, 0700).
 */
export function scratchBase(env: NodeJS.ProcessEnv = process.env): string {
  // The variables os.tmpdir() reads, in its order.
  const chosen = env.TMPDIR || env.TMP || env.TEMP;
  if (chosen) return chosen;
  for (const dir of [env.XDG_RUNTIME_DIR, '/dev/shm']) {
    if (dir && path.isAbsolute(dir) && writableFolder(dir)) return dir;
  }
  return '/tmp';
}

function writableFolder(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * At most this many files per xmllint: its argument list stays far below ARG_MAX for any fleet size. Runs of a
 * bigger batch follow each other (two at once would take both cores from the caller).
 */
const FILES_PER_RUN = 500;

/** A validation of many documents: announced, then handed over one at a time (see `startBatchValidation`). */
export interface BatchValidation {
  /**
   * The documents that will be added, in that order (some may be left out: those the caller's own parse refused).
   * Call once, before the first `add`.
   */
  announce(upcoming: readonly DocumentToValidate[]): void;
  /** Hands over the next document (with this program's parse of it, when the caller has one). */
  add(doc: DocumentToValidate): void;
  /** The verdicts, in the order the documents were added. Call once, after the last `add`. */
  finish(): Promise<SchemaResult[]>;
  /** Stops the runs and removes the copies, for a caller that gives up before `finish` (an internal error). */
  abandon(): void;
}

/**
 * Writes `text` to the new file `at`, readable by its owner only. The string is written as it is, without the
 * Buffer writeFileSync first makes of it (a check copies hundreds of documents: the corpus's in 8.5 instead of
 * 11.4 ms); a short write (a full file system) is done again by writeFileSync, which reports what stops it.
 */
function writeCopy(at: string, text: string): void {
  const fd = openSync(at, 'w', 0o600);
  let written: number;
  try {
    written = writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  if (written !== Buffer.byteLength(text)) writeFileSync(at, text, { mode: 0o600 });
}

/** A copy xmllint reads, with what locates its errors once its document is added (its element index, if parsed). */
interface Copy {
  readonly file: string;
  doc?: { readonly name: string; readonly text: string; readonly parsed: ElementIndex | undefined };
}

/**
 * Starts validating about `count` documents against domain.rng: the CLI's batch validator. The native xmllint
 * starts at once, held (see `runNative`) until the documents are announced: it compiles domain.rng while the
 * caller reads them. Every announced document xmllint may read before this program's parser accepts it
 * (`xmllintMayReadUnparsed`: no DOCTYPE, read as UTF-8) is then copied and validated in that one run, which goes
 * on beside the caller's parsing and judging, on the other core. A single run compiles domain.rng once and never
 * takes both cores from the caller: on the corpus (366 domains) it ended the check sooner than runs started as the
 * parses came (three, at 35/70/100 % of the text), whose overlaps kept the caller waiting for a core (median of 21
 * interleaved: 420 vs 497 ms; held rather than started after the reading, 401 vs 414 ms). A document that was not
 * announced, or cannot be read before the parse, is copied once the parser accepts it and validated at `finish`. A
 * document the parser refuses gets a result saying so, and any verdict xmllint gave on its copy is dropped. The
 * copies are written synchronously to a private temporary directory, removed at `finish`; a parse is not kept, only
 * its elements' names and offsets, which locate schema errors. Throws `SchemaUnavailableError` when the schemas are
 * not installed.
 */
export function startBatchValidation(count: number, options: SchemaOptions = {}): BatchValidation {
  const status = schemaStatus(options.dir);
  if (!status.available) throw new SchemaUnavailableError(status.message);
  const dir = status.dir;
  /** Each added document's refusal, or null when it went to xmllint. */
  const refused: (SchemaResult | null)[] = [];
  if ((options.engine ?? status.engine) === 'wasm') {
    // In this process: nothing can run beside the caller, so the documents wait for `finish`.
    const accepted: DocumentToValidate[] = [];
    return {
      announce: () => undefined,
      add(doc) {
        const r = refusal(doc);
        refused.push(r);
        if (r === null) accepted.push({ name: doc.name, text: doc.text });
      },
      finish: async () => merge(refused, accepted.length > 0 ? await validateWasm(dir, accepted) : []),
      abandon: () => undefined,
    };
  }
  const base = scratchBase();
  let tmp: string;
  try {
    tmp = mkdtempSync(path.join(base, 'vaw-schema-'));
  } catch (e) {
    throw scratchError(base, e);
  }
  // mkdtemp gives an absolute, normalised path and the names below are plain: joined without path.join's
  // normalising, which a check of the corpus did some 700 times.
  const inTmp = (name: string): string => `${tmp}/${name}`;
  /** Every file made in `tmp`: the copies, and each run's messages. */
  const made: string[] = [];
  const copyOf = (text: string, file: string): Copy => {
    const at = inTmp(file);
    made.push(at);
    try {
      writeCopy(at, text);
    } catch (e) {
      throw scratchError(tmp, e);
    }
    return { file: at };
  };
  const outputFile = (): string => {
    const at = inTmp(`xmllint-${made.length}.out`);
    made.push(at);
    return at;
  };
  const runs: { readonly copies: readonly Copy[]; readonly output: Promise<string> }[] = [];
  const children: ChildProcess[] = [];
  let abandoned = false;
  /** The end of the last run started, failed or not: the next one waits for it. */
  let lastRun: Promise<unknown> = Promise.resolve();
  const startRun = (copies: readonly Copy[], start: 'now' | 'after the others') => {
    const files = copies.map((c) => c.file);
    const outFile = outputFile();
    // A run that was to follow an abandoned batch never starts.
    const run = () =>
      abandoned ? Promise.reject(new SchemaUnavailableError('xmllint was stopped')) : runNative(dir, files, outFile, children).output;
    const output = start === 'now' ? run() : lastRun.then(run, run);
    lastRun = output.catch(() => undefined);
    // Awaited in `finish`; until then a failure must not count as an unhandled rejection.
    output.catch(() => undefined);
    runs.push({ copies, output });
  };
  /** The copies of the first FILES_PER_RUN announced documents are named before they exist, for the held run. */
  const heldCount = Math.min(count, FILES_PER_RUN);
  const heldName = (i: number) => `u${i}.xml`;
  const held =
    heldCount > 0
      ? runNative(
          dir,
          Array.from({ length: heldCount }, (_, i) => inTmp(heldName(i))),
          outputFile(),
          children,
          true,
        )
      : null;
  if (held) {
    held.output.catch(() => undefined);
    lastRun = held.output.catch(() => undefined);
  }
  let upcoming: readonly DocumentToValidate[] = [];
  /** The announced documents' copies (undefined for one that waits for its parse). */
  let early: (Copy | undefined)[] = [];
  let next = 0;
  let late: Copy[] = [];
  /** Every copy that is validated, in the order added. */
  const added: Copy[] = [];
  /**
   * Removes the files it made, then the folder: a third of the time rmSync's walk of the folder takes (1.6 vs 5.5 ms
   * for the corpus's copies, at the end of every check). Anything else found there is removed by that walk.
   */
  const removeCopies = () => {
    try {
      for (const file of made) unlinkSync(file);
      rmdirSync(tmp);
    } catch {
      rmSync(tmp, { recursive: true, force: true });
    }
  };
  return {
    announce(docs) {
      upcoming = docs;
      early = docs.map((doc, i) => (xmllintMayReadUnparsed(doc.text) ? copyOf(doc.text, heldName(i)) : undefined));
      // A held file that was never written (a document read only after its parse) is missing to xmllint, which
      // says so and goes on; nobody asks for its verdict.
      if (held) {
        runs.push({ copies: early.slice(0, heldCount).filter((c) => c !== undefined), output: held.output });
        held.release();
      }
      const rest = early.slice(heldCount).filter((c) => c !== undefined);
      for (let i = 0; i < rest.length; i += FILES_PER_RUN) startRun(rest.slice(i, i + FILES_PER_RUN), 'after the others');
    },
    add(doc) {
      const r = refusal(doc);
      refused.push(r);
      // The announced document it is: the next one with its name and text (the caller may have left some out).
      let i = next;
      while (i < upcoming.length && (upcoming[i]!.text !== doc.text || upcoming[i]!.name !== doc.name)) i++;
      const announced = i < upcoming.length;
      if (announced) next = i + 1;
      if (r !== null) return;
      // Its elements' names and offsets locate schema errors; the parse itself is let go (most of the memory a document takes).
      const parsed = doc.parsed?.text === doc.text ? elementIndexOf(doc.parsed) : undefined;
      let copy = announced ? early[i] : undefined;
      if (!copy) {
        copy = copyOf(doc.text, `a${refused.length - 1}.xml`);
        late.push(copy);
        if (late.length === FILES_PER_RUN) {
          startRun(late, 'after the others');
          late = [];
        }
      }
      copy.doc = { name: doc.name, text: doc.text, parsed };
      added.push(copy);
    },
    async finish() {
      try {
        // Nothing else is left to do: the last documents' run need not wait for the others.
        if (late.length > 0) startRun(late, 'now');
        late = [];
        held?.release();
        /** Each copy's verdict, read from its run's output (only the documents added: the others' are dropped). */
        const verdicts = new Map<Copy, SchemaResult>();
        for (const run of runs) {
          const output = await run.output;
          const kept = run.copies.filter((c) => c.doc !== undefined);
          const results = schemaResultsOf(
            kept.map((c) => c.doc!),
            output,
            kept.map((c) => c.file),
          );
          kept.forEach((c, k) => verdicts.set(c, results[k]!));
        }
        return merge(
          refused,
          added.map((c) => verdicts.get(c)!),
        );
      } finally {
        removeCopies();
      }
    },
    abandon() {
      abandoned = true;
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
      removeCopies();
    },
  };
}

/** The verdicts in the order the documents came: each refusal where it was, the runs' verdicts between them. */
function merge(refused: readonly (SchemaResult | null)[], results: readonly SchemaResult[]): SchemaResult[] {
  let k = 0;
  return refused.map((r) => r ?? results[k++]!);
}

/**
 * Validates every document against domain.rng at once (`startBatchValidation` with all of them added).
 * Throws `SchemaUnavailableError` when the schemas are not installed.
 */
export async function validateDomainXml(docs: readonly DocumentToValidate[], options: SchemaOptions = {}): Promise<SchemaResult[]> {
  const batch = startBatchValidation(docs.length, options);
  try {
    batch.announce(docs);
    for (const doc of docs) batch.add(doc);
  } catch (e) {
    batch.abandon();
    throw e;
  }
  return batch.finish();
}

/** A validation started before its document exists (see `startDomainValidation`). */
export interface PendingValidation {
  /** Validates the whole document. Call once. */
  validate(doc: DocumentToValidate): Promise<SchemaResult>;
  /** Stops the waiting xmllint when no document will come. Harmless after `validate`. */
  cancel(): void;
}

/** A native xmllint waiting on standard input for one document. */
function nativeOnStdin(dir: string): PendingValidation {
  const child = spawn('xmllint', xmllintArgs(dir, ['-']), { stdio: 'pipe', env: xmllintEnv() });
  const timer = stopAfter(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  // xmllint exiting before it reads the document (a broken schema) shows in its output, not as a write error.
  child.stdin.on('error', () => undefined);
  const finished = new Promise<string>((resolve, reject) => {
    child.on('error', (e) => reject(new SchemaUnavailableError(`xmllint failed: ${e.message}`)));
    child.on('close', (code) => {
      clearTimeout(timer);
      // A non-zero status only means the document did not validate or parse; being killed is a real failure.
      if (code === null) reject(new SchemaUnavailableError(`xmllint failed: ${output.trim() || 'it was stopped'}`));
      else resolve(output);
    });
  });
  // Cancelled runs are never awaited.
  finished.catch(() => undefined);
  const cancel = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  };
  return {
    async validate(doc) {
      const refused = refusal(doc);
      if (refused) {
        cancel();
        return refused;
      }
      child.stdin.end(doc.text);
      return schemaResultsOf([doc], await finished, ['-'])[0]!;
    },
    cancel,
  };
}

/**
 * Starts the native xmllint on one document that does not exist yet: libxml2 compiles domain.rng (most of a
 * one-document run) while the caller computes the text, which then goes to xmllint's standard input (after this
 * program's parser accepted it). With the WebAssembly engine nothing can start early, and `validate` is
 * `validateDomainXml`. Throws `SchemaUnavailableError` when the schemas are not installed.
 */
export function startDomainValidation(options: SchemaOptions = {}): PendingValidation {
  const status = schemaStatus(options.dir);
  if (!status.available) throw new SchemaUnavailableError(status.message);
  if ((options.engine ?? status.engine) !== 'native') {
    return { validate: async (doc) => (await validateDomainXml([doc], options))[0]!, cancel: () => undefined };
  }
  return nativeOnStdin(status.dir);
}

/**
 * Validates one document for the app's main process (file.save, schema.validate): nothing synchronous, no
 * temporary file (the text goes to xmllint's standard input). Throws `SchemaUnavailableError` when the schemas
 * are not installed.
 */
export async function validateDomainDocument(doc: DocumentToValidate, options: SchemaOptions = {}): Promise<SchemaResult> {
  const status = await readSchemaStatus(options.dir);
  if (!status.available) throw new SchemaUnavailableError(status.message);
  const refused = refusal(doc);
  if (refused) return refused;
  if ((options.engine ?? status.engine) === 'wasm') return (await validateWasm(status.dir, [doc]))[0]!;
  return nativeOnStdin(status.dir).validate(doc);
}
