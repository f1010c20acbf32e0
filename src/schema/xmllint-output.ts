/**
 * What xmllint says about documents validated against libvirt's RelaxNG schema, read without running anything:
 * its output parsed into per-document verdicts and errors, and each error located at the element it names.
 * main/services/schema.ts runs xmllint; everything here is pure so the app, the CLI and tests share it.
 */
import { parseXml } from '../domain-xml/parse-xml';
import type { XmlDocument, XmlElement } from '../domain-xml/xml-tree';

/** One error as xmllint reports it. */
export interface XmllintError {
  /** 1-based line libxml2 reports; 0 when it gives none. */
  readonly line: number;
  /** The element libxml2 names, when it names one. */
  readonly element: string | null;
  readonly message: string;
}

/** One validity error, located. */
export interface SchemaError extends XmllintError {
  /** Absolute XPath of that element (found by name and line); `/domain` when it cannot be located. */
  readonly target: string;
}

/** The verdict for one document. */
export interface SchemaResult {
  readonly name: string;
  readonly valid: boolean;
  readonly errors: readonly SchemaError[];
}

const LOCATED = /^(.*?):(\d+): element ([^:]+): Relax-NG validity error : (.*)$/;
const UNLOCATED = /^(?:.*?: )?Relax-NG validity error : (.*)$/;
/** libxml2 refusing to parse a file at all. */
const PARSER = /^(.*?):(\d+): (?:parser|namespace) error : (.*)$/;

/**
 * Parses xmllint's --relaxng output into per-file errors and verdicts; `files` are the names exactly as xmllint
 * was given them, in the order of the results.
 */
export function parseXmllintOutput(output: string, files: readonly string[]): { valid: boolean[]; errors: XmllintError[][] } {
  const count = files.length;
  const valid = new Array<boolean>(count).fill(false);
  const errors = Array.from({ length: count }, () => [] as XmllintError[]);
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
 * error that needs it, however many errors it has (not at all when the caller gives its parse of `text`). Lines
 * are counted as libxml2 counts them (LF, CRLF, CR).
 */
export function errorLocator(text: string, parse?: XmlDocument): (line: number, element: string | null) => string {
  let parsed: { root: XmlElement | null; lineStarts: number[] } | undefined;
  const index = () => {
    if (parsed) return parsed;
    const lineStarts = [0];
    const breaks = /\r\n?|\n/g;
    for (let m = breaks.exec(text); m !== null; m = breaks.exec(text)) lineStarts.push(m.index + m[0].length);
    let root: XmlElement | null = parse?.text === text ? parse.root : null;
    if (!root) {
      try {
        root = parseXml(text).root;
      } catch {
        // libxml2 found errors in a text this parser refuses too; such errors point at the whole domain.
      }
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

/** The verdicts in xmllint's output for `texts` (with this program's parse when there is one), given as `files`. */
export function schemaResultsOf(
  texts: readonly { readonly name: string; readonly text: string; readonly parsed?: XmlDocument }[],
  output: string,
  files: readonly string[],
): SchemaResult[] {
  const parsed = parseXmllintOutput(output, files);
  return texts.map((t, i) => {
    const locate = errorLocator(t.text, t.parsed);
    return {
      name: t.name,
      valid: parsed.valid[i] ?? false,
      errors: (parsed.errors[i] ?? []).map((e) => ({ ...e, target: locate(e.line, e.element) })),
    };
  });
}
