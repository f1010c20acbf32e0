/**
 * Reading the claims a page of docs/ makes about the code, so a test can hold the page to the code. Claims name
 * code, never line numbers, so unrelated edits (and the formatter) do not break them:
 * - a citation is `file` followed by `snippet`: that file must still contain that code;
 * - a path in backticks names a file or folder that exists;
 * - a symbol listed after a module's file name is exported by that module.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './real-parts';

export interface Citation {
  readonly file: string;
  readonly snippet: string;
}

const CODE_FILE = /^[\w./-]+\.(?:ts|tsx|mjs|js|cjs|html|json|sh)$/;

/** Every `file` `snippet` pair of the page: a code file in backticks, a blank, then code in backticks. */
export function citationsIn(markdown: string): Citation[] {
  return [...markdown.matchAll(/`([^`\s]+)` `([^`]+)`/g)]
    .filter((m) => CODE_FILE.test(m[1]!))
    .map((m) => ({ file: m[1]!, snippet: m[2]! }));
}

/** Whether the cited file still holds the cited code (false when the file is gone). */
export function holdsCitedCode(c: Citation): boolean {
  const file = path.join(repoRoot, c.file);
  return existsSync(file) && readFileSync(file, 'utf8').includes(c.snippet);
}

/** The text of a page, split into sections at `##` headings; `folder` is the first backticked folder of the heading. */
export interface Section {
  readonly heading: string;
  readonly folder: string | null;
  readonly lines: readonly string[];
}

export function sectionsOf(markdown: string): Section[] {
  const sections: { heading: string; folder: string | null; lines: string[] }[] = [{ heading: '', folder: null, lines: [] }];
  for (const line of markdown.split('\n')) {
    const h = /^#{2,3} (.*)$/.exec(line);
    if (h) {
      const folder = /`([\w./-]+\/)`/.exec(h[1]!)?.[1] ?? null;
      sections.push({ heading: h[1]!, folder, lines: [] });
    } else sections.at(-1)!.lines.push(line);
  }
  return sections;
}

/** Code spans outside fenced blocks, in order. */
function codeSpans(text: string): string[] {
  return [...text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
}

/** A span that names a file or folder of the repository: a code file name, or a path with a slash and no blanks. */
function looksLikePath(span: string): boolean {
  if (/[\s'"=:<>(){}$]/.test(span) || span.startsWith('-') || span.startsWith('/')) return false;
  return CODE_FILE.test(span) || /^[\w.*-]+\/[\w./*-]*$/.test(span);
}

function matchesGlob(pattern: string): boolean {
  const dir = path.join(repoRoot, path.dirname(pattern));
  if (!existsSync(dir)) return false;
  const re = new RegExp(`^${path.basename(pattern).replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
  return readdirSync(dir).some((f) => re.test(f));
}

/** Every file below `dir` (repository-relative), without node_modules and build output. */
function filesBelow(dir: string): string[] {
  const abs = path.join(repoRoot, dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return [];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' }).map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
}

/**
 * Where a path named in a section is: from the repository root, from the section's folder, or (a bare file name)
 * anywhere below the section's folder. Null when it is nowhere.
 */
export function resolveDocPath(span: string, folder: string | null): string | null {
  const candidates = [span, ...(folder ? [path.posix.join(folder, span)] : [])];
  for (const c of candidates) {
    if (c.includes('*') ? matchesGlob(c) : existsSync(path.join(repoRoot, c))) return c.replace(/\/$/, '');
  }
  if (folder && !span.includes('/')) return filesBelow(folder).find((f) => path.posix.basename(f) === span) ?? null;
  return null;
}

/** Paths that need not exist in a checkout: build output, and the shared folder beside the repository. */
const NOT_IN_CHECKOUT = /^(?:dist|\.\.|release|node_modules)\//;

/** Every path the page names, with the section it appears in. */
export function pathsIn(markdown: string): { readonly path: string; readonly folder: string | null }[] {
  return sectionsOf(markdown).flatMap((s) =>
    codeSpans(s.lines.join('\n'))
      .filter((span) => looksLikePath(span) && !NOT_IN_CHECKOUT.test(span))
      .map((span) => ({ path: span, folder: s.folder })),
  );
}

/** The names a module exports, following `export * from` and `export { … } from` into the modules they name. */
export function exportsOf(file: string, seen = new Set<string>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(file)) return names;
  seen.add(file);
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  for (const m of text.matchAll(
    /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum)\s+([\w$]+)/gm,
  ))
    names.add(m[1]!);
  for (const m of text.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm))
    for (const part of m[1]!.split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .at(-1)!
        .trim();
      if (name) names.add(name);
    }
  for (const m of text.matchAll(/^export\s+\*\s+from\s+'(\.[^']+)'/gm)) {
    const target = moduleFile(path.posix.join(path.posix.dirname(file), m[1]!));
    if (target) for (const n of exportsOf(target, seen)) names.add(n);
  }
  return names;
}

/** The file a module path means: itself, with .ts/.tsx, or its folder's index. */
export function moduleFile(p: string): string | null {
  const bare = p.replace(/\/$/, '');
  for (const c of [bare, `${bare}.ts`, `${bare}.tsx`, `${bare}/index.ts`, `${bare}/index.tsx`]) {
    const abs = path.join(repoRoot, c);
    if (existsSync(abs) && statSync(abs).isFile()) return c;
  }
  return null;
}

export interface ListedExport {
  readonly module: string;
  readonly name: string;
}

/**
 * A span that claims an export: a call (`name(args)`, `name(args): Type`) or a type or constant name (`DomainFacts`,
 * `RULES`). A plain lower-case word is a field, an option or a value, not a claim.
 */
function symbolOf(span: string): string | null {
  const call = /^([A-Za-z_$][\w$]*)\(.*$/.exec(span);
  if (call) return call[1]!;
  return /^[A-Z][\w$]*$/.test(span) ? span : null;
}

/**
 * The symbols listed in a module map: in each section whose heading names a folder, each list item is read in
 * order; a code file (or folder) in backticks becomes the current module, and every plain name or call after it
 * is claimed to be exported by that module. Items naming no module first claim exports of the folder's index.
 * Dotted names (`XmlElement.xpath`), values and options are not claims.
 */
export function listedExports(markdown: string): ListedExport[] {
  const claims: ListedExport[] = [];
  for (const s of sectionsOf(markdown)) {
    if (!s.folder) continue;
    const items = s.lines
      .join('\n')
      .split(/\n(?=- )/)
      .filter((i) => i.startsWith('- '));
    for (const item of items) {
      let module = moduleFile(s.folder);
      for (const span of codeSpans(item)) {
        if (looksLikePath(span)) {
          const resolved = resolveDocPath(span, s.folder);
          module = resolved ? moduleFile(resolved) : null;
          continue;
        }
        const name = symbolOf(span);
        if (name && module && /\.tsx?$/.test(module)) claims.push({ module, name });
      }
    }
  }
  return claims;
}

/** The import specifiers of a module (static imports and re-exports). */
export function importsOf(file: string): string[] {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'|^import\s+'([^']+)'/gm)].map((m) => (m[1] ?? m[2])!);
}

/**
 * The page split in two: the sections whose heading carries `marker` (claims about code that is not merged yet)
 * and the rest, each still a page with its headings.
 */
export function splitAtMarker(markdown: string, marker: string): { readonly checked: string; readonly pending: string } {
  const parts = markdown.split(/\n(?=##+ )/);
  const isPending = (part: string) => /^##+ /.test(part) && part.split('\n', 1)[0]!.includes(marker);
  return {
    checked: parts.filter((p) => !isPending(p)).join('\n'),
    pending: parts.filter(isPending).join('\n'),
  };
}

export interface BoundaryRow {
  /** Folders (ending in /) and files the row is about. */
  readonly modules: readonly string[];
  /** Folders and files these modules may import, besides their own row. */
  readonly mayImport: readonly string[];
  readonly node: boolean;
  readonly electron: boolean;
}

/** The rows of the table under the heading `heading`: `module(s)` | what they may import | where they run. */
export function boundaryTable(markdown: string, heading: string): BoundaryRow[] {
  const section = sectionsOf(markdown).find((s) => s.heading === heading);
  if (!section) return [];
  return section.lines
    .filter((l) => l.startsWith('| `'))
    .map((l) => {
      const [, modules, may] = l.split('|');
      return {
        modules: codeSpans(modules!),
        mayImport: codeSpans(may!.split(';')[0]!),
        node: /(?<!no )\bNode\b/.test(may!),
        electron: /(?<!no )\bElectron\b/.test(may!),
      };
    });
}

/** Every module of `dirs` (not tests), repository-relative. */
export function modulesBelow(dirs: readonly string[]): string[] {
  return dirs.flatMap((d) => filesBelow(d).filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f)));
}
