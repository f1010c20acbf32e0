/**
 * Validation of domain XML against libvirt's RelaxNG schemas (/usr/share/libvirt/schemas/domain.rng) with
 * xmllint: the native binary when installed (one process for all files), else xmllint-wasm with every .rng
 * of the schemas directory preloaded. The schemas themselves must be installed; without them validation
 * is unavailable and callers say so (the CLI continues only with --no-schema).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, promises as fs } from 'node:fs';
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
export async function schemaStatus(dir = DEFAULT_SCHEMA_DIR): Promise<SchemaStatus> {
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
export function parseXmllintOutput(output: string, files: readonly string[]): { valid: boolean[]; errors: { line: number; element: string | null; message: string }[][] } {
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
      errors[fileOfLine(line)]?.push({ line: Number(parser[2]), element: null, message: `libxml2 cannot parse the document: ${parser[3] ?? ''}` });
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

function locate(text: string, line: number, element: string | null): string {
  if (!element || line === 0) return '/domain';
  let doc;
  try {
    doc = parseXml(text);
  } catch {
    return '/domain';
  }
  let best: XmlElement | undefined;
  const stack: XmlElement[] = [doc.root];
  const lineStarts: number[] = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const from = lineStarts[line - 1] ?? 0;
  const to = lineStarts[line] ?? text.length;
  for (let el = stack.pop(); el; el = stack.pop()) {
    // libxml2 reports the line of the start tag's end; the element's tag spans it.
    if (el.name === element && el.start < to && el.startTagEnd > from) best = el;
    stack.push(...el.children());
  }
  return best?.xpath ?? doc.root.xpath;
}

async function runNative(dir: string, files: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'xmllint',
      ['--noout', '--nonet', '--relaxng', path.join(dir, 'domain.rng'), ...files],
      { maxBuffer: 256 * 1024 * 1024, timeout: 300_000 },
      (err, stdout, stderr) => {
        // A non-zero exit status only means some documents did not validate or parse; per-file results are in
        // the output. Failing to start or being killed is a real failure.
        const out = `${stdout}${stderr}`;
        if (err && (typeof err.code !== 'number' || err.killed)) reject(new SchemaUnavailableError(`xmllint failed: ${out.trim() || err.message}`));
        else resolve(out);
      },
    );
  });
}

async function runWasm(dir: string, xml: readonly { fileName: string; contents: string }[]): Promise<string> {
  const { validateXML } = await import('xmllint-wasm');
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.rng'));
  const rng = await Promise.all(names.map(async (fileName) => ({ fileName, contents: await fs.readFile(path.join(dir, fileName), 'utf8') })));
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
 * Validates every text against domain.rng in one xmllint run. Texts are written to a private temporary
 * directory for the native binary (removed afterwards). Throws `SchemaUnavailableError` when the schemas are
 * not installed.
 */
export async function validateDomainXml(
  texts: readonly { readonly name: string; readonly text: string; /** A file whose content is exactly `text`. */ readonly path?: string }[],
  options: { readonly dir?: string; readonly engine?: SchemaEngine } = {},
): Promise<SchemaResult[]> {
  const status = await schemaStatus(options.dir);
  if (!status.available) throw new SchemaUnavailableError(status.message);
  if (texts.length === 0) return [];
  const engine = options.engine ?? status.engine;
  let output: string;
  let files: readonly string[];
  if (engine === 'native') {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vaw-schema-'));
    try {
      // A text that is a file's exact content is validated in place: creating hundreds of temporary files
      // costs more than xmllint's own run.
      files = await Promise.all(
        texts.map(async (t, i) => {
          if (t.path !== undefined) return t.path;
          const f = path.join(tmp, `f${i}.xml`);
          await fs.writeFile(f, t.text, { mode: 0o600 });
          return f;
        }),
      );
      // One xmllint process per 500 files keeps the argument list far below ARG_MAX for any fleet size.
      const outputs: string[] = [];
      for (let i = 0; i < files.length; i += 500) outputs.push(await runNative(status.dir, files.slice(i, i + 500)));
      output = outputs.join('\n');
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  } else {
    files = texts.map((_, i) => `f${i}.xml`);
    output = await runWasm(status.dir, texts.map((t, i) => ({ fileName: files[i]!, contents: t.text })));
  }
  const parsed = parseXmllintOutput(output, files);
  return texts.map((t, i) => ({
    name: t.name,
    valid: parsed.valid[i] ?? false,
    errors: (parsed.errors[i] ?? []).map((e) => ({ ...e, target: locate(t.text, e.line, e.element) })),
  }));
}
