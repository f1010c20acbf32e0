/**
 * Validation of domain XML against libvirt's RelaxNG schemas (/usr/share/libvirt/schemas/domain.rng) with
 * xmllint: the native binary when installed, else xmllint-wasm with every .rng of the schemas directory
 * preloaded. The schemas themselves must be installed; without them validation is unavailable and callers say
 * so (the CLI continues only with --no-schema). Reading xmllint's output is pure and lives in src/schema.
 *
 * Only documents this program's parser accepts ever reach xmllint, from every entry point here: libxml2 would
 * load the external entities of a DOCTYPE (a file, or a FIFO that hangs it), and the parser refuses any DOCTYPE
 * and reads the bytes in the encoding libxml2 would. A refused document gets a result saying so, without xmllint;
 * xmllint reads a copy of the text the parser accepted (a temporary file or its standard input), never the
 * user's file, which could change in between.
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
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { elementIndexOf, parseXml, XmlInputError, type ElementIndex, type XmlDocument } from '../../src/domain-xml';
import { schemaResultsOf, type SchemaResult } from '../../src/schema';

export type { SchemaError, SchemaResult } from '../../src/schema';

/** libvirt's schema directory as packaged by Debian, Fedora and upstream. */
export const DEFAULT_SCHEMA_DIR = '/usr/share/libvirt/schemas';

export type SchemaEngine = 'native' | 'wasm';

/** Whether validation can run, and how. */
export type SchemaStatus =
  | { readonly available: true; readonly dir: string; readonly engine: SchemaEngine }
  | { readonly available: false; readonly dir: string; readonly message: string };

/** Validation cannot run: the schemas are not installed (or no xmllint engine works). */
export class SchemaUnavailableError extends Error {
  override readonly name = 'SchemaUnavailableError';
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
 * Kills a hung xmllint after five minutes. Not spawn's own `timeout` option: when the spawn fails, Node never
 * clears that timer, and the process then lives on for the whole timeout.
 */
function stopAfter(child: ChildProcess): NodeJS.Timeout {
  return setTimeout(() => child.kill(), 300_000).unref();
}

/**
 * Starts one native xmllint run over `files` at once (the caller may then keep its thread busy: the run goes on
 * beside it). Its messages go to a file in `tmp`, not to a pipe: libxml2 writes each message in many small
 * pieces, which fill a pipe's buffer whenever this process is busy, and xmllint then waits; measured here, that
 * nearly doubled its run over the corpus.
 */
function runNative(dir: string, files: readonly string[], tmp: string, run: number, children: ChildProcess[]): Promise<string> {
  const outFile = path.join(tmp, `xmllint-${run}.out`);
  const out = openSync(outFile, 'w', 0o600);
  const child = spawn('xmllint', xmllintArgs(dir, files), { stdio: ['ignore', out, out] });
  children.push(child);
  closeSync(out);
  const timer = stopAfter(child);
  return new Promise((resolve, reject) => {
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
 * Where a batch's xmllint runs start, as shares of the text the caller announced: a run starts as soon as the
 * documents added reach the next share, and goes on beside the caller's work, on the other core. The caller (check)
 * adds every document before judging any, so the last run, with the last 30 % of the text, has the judging to
 * finish in. Each run compiles domain.rng again (~25 ms on this project's CI machine), and runs that overlap take
 * both cores from the caller: measured over the corpus, three runs here ended the check sooner than four at 40/70/
 * 90/100 % (median of 12 interleaved: 530 vs 585 ms), and two (50/100 %) later (the last run outlasted the judging).
 * A single document starts its run as soon as it is added.
 */
const RUN_STARTS = [0.35, 0.7, 1];

/** At most this many files per xmllint keeps its argument list far below ARG_MAX for any fleet size. */
const FILES_PER_RUN = 500;

/** A validation of many documents, handed over one at a time (see `startBatchValidation`). */
export interface BatchValidation {
  /** Hands over the next document. */
  add(doc: DocumentToValidate): void;
  /** The verdicts, in the order the documents were added. Call once, after the last `add`. */
  finish(): Promise<SchemaResult[]>;
  /** Stops the runs and removes the copies, for a caller that gives up before `finish` (an internal error). */
  abandon(): void;
}

/**
 * Starts validating documents against domain.rng as the caller hands them over: the CLI's batch validator.
 * `totalLength` is about how much text will be added (the sum of the texts' lengths; documents left out only
 * make the last run start at `finish`). The native xmllint reads copies written synchronously to a private
 * temporary directory, removed at `finish`; each run starts when its documents are all there (RUN_STARTS), so
 * the caller's own work goes on beside it. A document's parse is not kept after its copy is written, only its
 * elements' names and offsets, which locate its schema errors (a document added without its parse is parsed again
 * for that). Throws `SchemaUnavailableError` when the schemas are not installed.
 */
export function startBatchValidation(totalLength: number, options: SchemaOptions = {}): BatchValidation {
  const status = schemaStatus(options.dir);
  if (!status.available) throw new SchemaUnavailableError(status.message);
  const dir = status.dir;
  /** Each added document's refusal, or null when it went to xmllint. */
  const refused: (SchemaResult | null)[] = [];
  if ((options.engine ?? status.engine) === 'wasm') {
    // In this process: nothing can run beside the caller, so the documents wait for `finish`.
    const accepted: DocumentToValidate[] = [];
    return {
      add(doc) {
        const r = refusal(doc);
        refused.push(r);
        if (r === null) accepted.push({ name: doc.name, text: doc.text });
      },
      finish: async () => merge(refused, accepted.length > 0 ? await validateWasm(dir, accepted) : []),
      abandon: () => undefined,
    };
  }
  let tmp: string | undefined;
  let pending: { doc: { name: string; text: string; parsed: ElementIndex | undefined }; file: string }[] = [];
  let added = 0;
  /** The next share of RUN_STARTS to reach. */
  let share = 0;
  const runs: Promise<SchemaResult[]>[] = [];
  const children: ChildProcess[] = [];
  const startRun = () => {
    const batch = pending;
    pending = [];
    const files = batch.map((b) => b.file);
    const run = runNative(dir, files, tmp!, runs.length, children).then((output) =>
      schemaResultsOf(
        batch.map((b) => b.doc),
        output,
        files,
      ),
    );
    // Awaited in `finish`; until then a failure must not count as an unhandled rejection.
    run.catch(() => undefined);
    runs.push(run);
  };
  const removeCopies = () => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
  return {
    add(doc) {
      const r = refusal(doc);
      refused.push(r);
      if (r === null) {
        tmp ??= mkdtempSync(path.join(scratchBase(), 'vaw-schema-'));
        const file = path.join(tmp, `f${refused.length - 1}.xml`);
        writeFileSync(file, doc.text, { mode: 0o600 });
        // The copy is what xmllint reads; the parse is let go (it is most of the memory a document takes), and its
        // elements' names and offsets are kept to locate schema errors (element-index.ts).
        const parsed = doc.parsed?.text === doc.text ? elementIndexOf(doc.parsed) : undefined;
        pending.push({ doc: { name: doc.name, text: doc.text, parsed }, file });
      }
      added += doc.text.length;
      let due = pending.length >= FILES_PER_RUN;
      for (; share < RUN_STARTS.length && added >= RUN_STARTS[share]! * totalLength; share++) due = true;
      if (due && pending.length > 0) startRun();
    },
    async finish() {
      try {
        // Documents beyond the announced length, or fewer than announced (some were refused).
        if (pending.length > 0) startRun();
        return merge(refused, (await Promise.all(runs)).flat());
      } finally {
        removeCopies();
      }
    },
    abandon() {
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
  const batch = startBatchValidation(
    docs.reduce((n, d) => n + d.text.length, 0),
    options,
  );
  try {
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
  const child = spawn('xmllint', xmllintArgs(dir, ['-']), { stdio: 'pipe' });
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
