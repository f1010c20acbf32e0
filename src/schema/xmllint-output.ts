/**
 * What xmllint says about documents validated against libvirt's RelaxNG schema, read without running anything:
 * its output parsed into per-document verdicts and errors, and each error located at the element it names.
 * main/services/schema.ts runs xmllint; everything here is pure so the app, the CLI and tests share it.
 */
import { elementIndexOf, elementOverlapping, indexedXpath, type ElementIndex } from '../domain-xml/element-index';
import { parseXml } from '../domain-xml/parse-xml';
import type { XmlDocument } from '../domain-xml/xml-tree';

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
 * The offset at which each line of `text` starts, lines broken as libxml2 counts them (LF, CRLF, CR). Without a CR
 * (nearly every document), by indexOf: a regular expression's match per line was most of locating a corpus check's
 * schema errors on V8's baseline tier.
 */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  if (text.indexOf('\r') === -1) {
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
    return starts;
  }
  const breaks = /\r\n?|\n/g;
  for (let m = breaks.exec(text); m !== null; m = breaks.exec(text)) starts.push(m.index + m[0].length);
  return starts;
}

/**
 * Finds the XPath of the element libxml2 names at a line of `text`. `known` is the caller's parse of `text`, or its
 * element index; without either (or for another text) the document is parsed once, on the first error that needs
 * it, however many errors it has. Lines are counted as libxml2 counts them (LF, CRLF, CR).
 */
export function errorLocator(text: string, known?: XmlDocument | ElementIndex): (line: number, element: string | null) => string {
  let located: { index: ElementIndex | null; lineStarts: number[] } | undefined;
  const prepare = () => {
    if (located) return located;
    const lineStarts = lineStartsOf(text);
    let index: ElementIndex | null = null;
    if (known?.text === text) index = 'root' in known ? elementIndexOf(known) : known;
    else {
      try {
        index = elementIndexOf(parseXml(text));
      } catch {
        // libxml2 found errors in a text this parser refuses too; such errors point at the whole domain.
      }
    }
    return (located = { index, lineStarts });
  };
  return (line, element) => {
    if (!element || line === 0) return '/domain';
    const { index, lineStarts } = prepare();
    if (!index) return '/domain';
    // libxml2 reports the line of the start tag's end; the element's tag spans it.
    const at = elementOverlapping(index, element, lineStarts[line - 1] ?? 0, lineStarts[line] ?? text.length);
    return indexedXpath(index, at === -1 ? 0 : at);
  };
}

/**
 * The verdicts in xmllint's output for `texts` (with this program's parse of each, or its element index, when there
 * is one), given as `files`.
 */
export function schemaResultsOf(
  texts: readonly { readonly name: string; readonly text: string; readonly parsed?: XmlDocument | ElementIndex }[],
  output: string,
  files: readonly string[],
): SchemaResult[] {
  const parsed = parseXmllintOutput(output, files);
  return texts.map((t, i) => {
    const locate = errorLocator(t.text, t.parsed);
    return {
      name: t.name,
      valid: parsed.valid[i] ?? false,
      // Written out rather than spread: a spread copies by a slower, generic path on the baseline tier.
      errors: (parsed.errors[i] ?? []).map((e) => ({
        line: e.line,
        element: e.element,
        message: e.message,
        target: locate(e.line, e.element),
      })),
    };
  });
}
