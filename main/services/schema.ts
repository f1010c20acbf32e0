/**
 * Validation of domain XML against libvirt's RelaxNG schemas (/usr/share/libvirt/schemas/domain.rng) with
 * xmllint: the native binary when installed (one process for all files), else xmllint-wasm with every .rng
 * of the schemas directory preloaded. The schemas themselves must be installed; without them validation
 * is unavailable and callers say so (the CLI continues only with --no-schema).
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
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseXml, type XmlElement } from '../../src/domain-xml';

/** libvirt's schema directory as packaged by Debian, Fedora and upstream. */
export const DEFAULT_SCHEMA_DIR = '/usr/share/libvirt/schemas';

/** One validity error, located. */
export interface SchemaError {
  /** 1-based line libxml2 reports; 0 when it gives none. */
  readonly line: number;
  /** The element libxml2 names, when it names one. */
  readonly element: string | null;
  readonly message: string;
  /** Absolute XPath of that element (found by name and line); `/domain` when it cannot be located. */
  readonly target: string;
}

/** The verdict for one document. */
export interface SchemaResult {
  readonly name: string;
  readonly valid: boolean;
  readonly errors: readonly SchemaError[];
}

export type SchemaEngine = 'native' | 'wasm';

/** Whether validation can run, and how. */
export type SchemaStatus =
  | { readonly available: true; readonly dir: string; readonly engine: SchemaEngine }
  | { readonly available: false; readonly dir: string; readonly message: string };

/** Validation cannot run: the schemas are not installed (or no xmllint engine works). */
export class SchemaUnavailableError extends Error {
  override readonly name = 'SchemaUnavailableError';
}

/**
 * Whether a native xmllint is on PATH. Looked up in the PATH folders rather than by running `xmllint --version`:
 * a one-file `plan` would otherwise pay for an extra process. A broken binary still fails the validation itself.
 */
function hasNativeXmllint(): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .some((d) => {
      try {
        accessSync(path.join(d, 'xmllint'), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** Says whether libvirt's schemas are installed and which xmllint will validate against them. */
export function schemaStatus(dir = DEFAULT_SCHEMA_DIR): SchemaStatus {
  if (!existsSync(path.join(dir, 'domain.rng'))) {
    return {
      available: false,
      dir,
      message: `libvirt's RelaxNG schemas are not installed (${path.join(dir, 'domain.rng')} is missing); install libvirt-clients (Debian/Ubuntu) or libvirt-libs (Fedora)`,
    };
  }
  return { available: true, dir, engine: hasNativeXmllint() ? 'native' : 'wasm' };
}

const LOCATED = /^(.*?):(\d+): element ([^:]+): Relax-NG validity error : (.*)$/;
const UNLOCATED = /^(?:.*?: )?Relax-NG validity error : (.*)$/;
/** libxml2 refusing to parse a file at all (e.g. nesting deeper than 256, which libvirt refuses too). */
const PARSER = /^(.*?):(\d+): (?:parser|namespace) error : (.*)$/;

/**
 * Parses xmllint's --relaxng output into per-file errors and verdicts; `files` are the names exactly as xmllint
 * was given them, in the order of the results.
 */
export function parseXmllintOutput(
  output: string,
  files: readonly string[],
): { valid: boolean[]; errors: { line: number; element: string | null; message: string }[][] } {
  const count = files.length;
  const valid = new Array<boolean>(count).fill(false);
  const errors = Array.from({ length: count }, () => [] as { line: number; element: string | null; message: string }[]);
  const positions = new Map(files.map((f, i) => [f, i]));
  const indexOf = (file: string): number => positions.get(file) ?? -1;
  // A path may itself contain ':', so the file is the longest given name the line starts with before a ':'.
  const fileOfLine = (line: string): number => {
    let found = -1;
    for (let k = line.indexOf(':'); k !== -1; k = line.indexOf(':', k + 1)) found = positions.get(line.slice(0, k)) ?? found;
    return found;
  };
  let pending: string[] = [];
  for (const line of output.split('\n')) {
    const located = LOCATED.exec(line);
    if (located) {
      const i = fileOfLine(line);
      for (const message of pending) errors[i]?.push({ line: Number(located[2]), element: located[3] ?? null, message });
      pending = [];
      errors[i]?.push({ line: Number(located[2]), element: located[3] ?? null, message: located[4] ?? '' });
      continue;
    }
    const parser = PARSER.exec(line);
    if (parser) {
      errors[fileOfLine(line)]?.push({
        line: Number(parser[2]),
        element: null,
        message: `libxml2 cannot parse the document: ${parser[3] ?? ''}`,
      });
      continue;
    }
    const verdict = /^(.*) (validates|fails to validate)$/.exec(line);
    if (verdict) {
      const i = indexOf(verdict[1] ?? '');
      if (i >= 0) valid[i] = verdict[2] === 'validates';
      for (const message of pending) errors[i]?.push({ line: 0, element: null, message });
      pending = [];
      continue;
    }
    const unlocated = UNLOCATED.exec(line);
    if (unlocated?.[1]) pending.push(unlocated[1]);
  }
  errors.forEach((list, i) => {
    if (!valid[i] && list.length === 0) list.push({ line: 0, element: null, message: 'xmllint gave no verdict for this document' });
  });
  return { valid, errors };
}

/**
 * Finds the XPath of the element libxml2 names at a line of `text`; the document is parsed once, on the first
 * error that needs it, however many errors it has.
 */
function locator(text: string): (line: number, element: string | null) => string {
  let parsed: { root: XmlElement | null; lineStarts: number[] } | undefined;
  const index = () => {
    if (parsed) return parsed;
    const lineStarts: number[] = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    let root: XmlElement | null = null;
    try {
      root = parseXml(text).root;
    } catch {
      // libxml2 found errors in a text our parser refuses too; such errors point at the whole domain.
    }
    return (parsed = { root, lineStarts });
  };
  return (line, element) => {
    if (!element || line === 0) return '/domain';
    const { root, lineStarts } = index();
    if (!root) return '/domain';
    const from = lineStarts[line - 1] ?? 0;
    const to = lineStarts[line] ?? text.length;
    let best: XmlElement | undefined;
    const stack: XmlElement[] = [root];
    for (let el = stack.pop(); el; el = stack.pop()) {
      // libxml2 reports the line of the start tag's end; the element's tag spans it.
      if (el.name === element && el.start < to && el.startTagEnd > from) best = el;
      stack.push(...el.children());
    }
    return best?.xpath ?? root.xpath;
  };
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
function runNative(dir: string, files: readonly string[], tmp: string, run: number): Promise<string> {
  const outFile = path.join(tmp, `xmllint-${run}.out`);
  const out = openSync(outFile, 'w', 0o600);
  const child = spawn('xmllint', xmllintArgs(dir, files), { stdio: ['ignore', out, out] });
  closeSync(out);
  const timer = stopAfter(child);
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    child.on('error', (e) => (failure = e));
    child.on('close', (code) => {
      clearTimeout(timer);
      const output = readFileSync(outFile, 'utf8');
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

/**
 * Validates every text against domain.rng. The native xmllint starts before this returns (texts without a
 * file are first written to a private temporary directory, removed afterwards), so a caller can do other work
 * while it runs. Throws `SchemaUnavailableError` when the schemas are not installed.
 */
export async function validateDomainXml(
  texts: readonly { readonly name: string; readonly text: string; /** A file whose content is exactly `text`. */ readonly path?: string }[],
  options: { readonly dir?: string; readonly engine?: SchemaEngine } = {},
): Promise<SchemaResult[]> {
  const status = schemaStatus(options.dir);
  if (!status.available) throw new SchemaUnavailableError(status.message);
  if (texts.length === 0) return [];
  if ((options.engine ?? status.engine) === 'wasm') {
    const files = texts.map((_, i) => `f${i}.xml`);
    return resultsOf(
      texts,
      await runWasm(
        status.dir,
        texts.map((t, i) => ({ fileName: files[i]!, contents: t.text })),
      ),
      files,
    );
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vaw-schema-'));
  try {
    // A text that is a file's exact content is validated in place: creating hundreds of temporary files
    // costs more than xmllint's own run.
    const files = texts.map((t, i) => {
      if (t.path !== undefined) return t.path;
      const f = path.join(tmp, `f${i}.xml`);
      writeFileSync(f, t.text, { mode: 0o600 });
      return f;
    });
    // At most 500 files per xmllint keeps the argument list far below ARG_MAX for any fleet size.
    const runs: Promise<string>[] = [];
    for (let i = 0; i < files.length; i += 500) runs.push(runNative(status.dir, files.slice(i, i + 500), tmp, i));
    return resultsOf(texts, (await Promise.all(runs)).join('\n'), files);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The verdicts in xmllint's output for `texts`, which it was given as `files`. */
function resultsOf(
  texts: readonly { readonly name: string; readonly text: string }[],
  output: string,
  files: readonly string[],
): SchemaResult[] {
  const parsed = parseXmllintOutput(output, files);
  return texts.map((t, i) => {
    const locate = locator(t.text);
    return {
      name: t.name,
      valid: parsed.valid[i] ?? false,
      errors: (parsed.errors[i] ?? []).map((e) => ({ ...e, target: locate(e.line, e.element) })),
    };
  });
}

/** A validation started before its document exists (see `startDomainValidation`). */
export interface PendingValidation {
  /** Validates the whole document `text`. Call once. */
  validate(doc: { readonly name: string; readonly text: string }): Promise<SchemaResult>;
  /** Stops the waiting xmllint when no document will come. Harmless after `validate`. */
  cancel(): void;
}

/**
 * Starts the native xmllint on one document that does not exist yet: libxml2 compiles domain.rng (most of a
 * one-document run) while the caller computes the text, which then goes to xmllint's standard input. The text
 * must come from this program's own parser, which has refused any DOCTYPE, as every text given here does.
 * With the WebAssembly engine nothing can start early, and `validate` is `validateDomainXml`.
 * Throws `SchemaUnavailableError` when the schemas are not installed.
 */
export function startDomainValidation(options: { readonly dir?: string; readonly engine?: SchemaEngine } = {}): PendingValidation {
  const status = schemaStatus(options.dir);
  if (!status.available) throw new SchemaUnavailableError(status.message);
  if ((options.engine ?? status.engine) !== 'native') {
    return { validate: async (doc) => (await validateDomainXml([doc], options))[0]!, cancel: () => undefined };
  }
  const child = spawn('xmllint', xmllintArgs(status.dir, ['-']), { stdio: 'pipe' });
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
  return {
    async validate(doc) {
      child.stdin.end(doc.text);
      return resultsOf([doc], await finished, ['-'])[0]!;
    },
    cancel() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}
