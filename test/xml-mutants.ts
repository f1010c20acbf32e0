/**
 * Mutated XML documents for fuzzing, reproducible from a seed: corpus documents with characters deleted, text
 * duplicated, and tokens inserted from the classes where a parser can drift from libxml2 (C0/C1 controls and NUL,
 * byte order marks, CDATA and comments in odd places, "--->", character references to non-characters, XML
 * declarations and encoding labels, names with invalid characters, namespace prefixes and declarations, deep
 * nesting), some of them then encoded as UTF-16 or given a second BOM: what `check` and `plan` may be handed.
 */
import fc from 'fast-check';

/** Tokens inserted at random places. */
export const HOSTILE_TOKENS: readonly string[] = [
  '\x00',
  '\x01',
  '\x08',
  '\x0b',
  '\x1b[8m',
  '\x7f',
  '\u0085',
  '\u009b',
  '\ufeff',
  '\ufffe',
  '\uffff',
  '\ud800',
  '<![CDATA[x]]>',
  ']]>',
  '--',
  '-->',
  '<!--',
  '--->',
  '<!-- a -- b -->',
  '&#0;',
  '&#x1b;',
  '&#xD800;',
  '&#x10FFFF;',
  '&#xFFFE;',
  '&#65;',
  '&amp',
  '&nbsp;',
  '&lt;',
  '<?xml version="1.0"?>',
  '<?xml?>',
  '<?XML x?>',
  '<?xml-stylesheet href="a"?>',
  '<?p:q x?>',
  '<?pi?>',
  '<?pi x?>',
  '?>',
  ' xmlns:p=""',
  ' xmlns:p="urn:x"',
  ' xmlns:p="a b"',
  ' xmlns="http://www.w3.org/2000/xmlns/"',
  ' xmlns:xml="urn:y"',
  ' p:x="1"',
  ' xml:lang="en"',
  '<p:e/>',
  '<q:e xmlns:q="urn:q"/>',
  'p:',
  ':',
  '\u00d7',
  '\u00f7',
  ';',
  '\u0300',
  '\u00b7',
  '\u037e',
  '\u2070',
  '<',
  '>',
  '&',
  '"',
  "'",
  '=',
  '/',
  '!',
  '?',
  ' ',
  '\r',
  '\t',
  '\n',
  '\u00e9',
  '\u{1d11e}',
  '<!DOCTYPE d>',
  '<!ENTITY e "x">',
  ' encoding="UTF-16"',
  ' standalone="maybe"',
  ' version="2.0"',
];

/** Declarations put at the very start, replacing one already there. */
export const DECLARATIONS: readonly string[] = [
  '<?xml version="1.0" encoding="UTF-8"?>\n',
  "<?xml version='1.0' encoding='utf-8' standalone='yes'?>\n",
  '<?xml version="1.0" encoding="ISO-8859-1"?>\n',
  '<?xml version="1.0" encoding="latin1"?>\n',
  '<?xml version="1.0" encoding="windows-1252"?>\n',
  '<?xml version="1.1"?>\n',
  '<?xml version="1.0" encoding="UTF-16"?>\n',
  '<?xml version="1.0" encoding="x-unknown"?>\n',
  '<?xml version="1.0"encoding="UTF-8"?>\n',
  '<?xml  version = "1.0"  ?>\n',
  '<?xml version="1.0" standalone="yes" encoding="UTF-8"?>\n',
  '<?xml version="1.0" encoding="UTF-8"standalone="no"?>\n',
  '<?xml version="10.0"?>\n',
  '<?xml encoding="UTF-8"?>\n',
  '\ufeff<?xml version="1.0"?>\n',
  '\ufeff',
  '\ufeff\ufeff',
  ' <?xml version="1.0"?>\n',
];

export type Mutation =
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly token: number; readonly inContent: boolean }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly kind: 'nest'; readonly at: number; readonly depth: number }
  | { readonly kind: 'declare'; readonly declaration: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }) },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.nat(), inContent: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nest' as const), at: fc.nat(), depth: fc.integer({ min: 250, max: 262 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('declare' as const), declaration: fc.nat() }) },
);

export function mutate(text: string, m: Mutation): string {
  if (m.kind === 'declare') {
    const decl = DECLARATIONS[m.declaration % DECLARATIONS.length]!;
    return decl + text.replace(/^\ufeff?<\?xml[^>]*\?>\s*/, '');
  }
  const at = m.at % (text.length + 1);
  if (m.kind === 'delete') return text.slice(0, at) + text.slice(at + m.length);
  if (m.kind === 'insert') {
    // Half the insertions land right after a tag, where text is allowed: those are the ones a lax parser lets through.
    const gt = m.inContent ? text.indexOf('>', at) : -1;
    const p = gt === -1 ? at : gt + 1;
    return text.slice(0, p) + HOSTILE_TOKENS[m.token % HOSTILE_TOKENS.length]! + text.slice(p);
  }
  if (m.kind === 'duplicate') return text.slice(0, at) + text.slice(at, at + m.length) + text.slice(at);
  // Nesting around the point, placed after a tag so it often lands in content.
  const gt = text.indexOf('>', at);
  const p = gt === -1 ? at : gt + 1;
  return `${text.slice(0, p)}${'<n>'.repeat(m.depth)}${'</n>'.repeat(m.depth)}${text.slice(p)}`;
}

/** How the mutated text becomes bytes: mostly UTF-8, sometimes UTF-16 (with or without a BOM). */
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16le-bom';

export function encode(text: string, encoding: Encoding): Uint8Array {
  if (encoding === 'utf-8') return Buffer.from(text, 'utf8');
  return Buffer.from(encoding === 'utf-16le-bom' ? `\ufeff${text}` : text, 'utf16le');
}

export interface Mutant {
  readonly source: number;
  readonly mutations: readonly Mutation[];
  readonly encoding: Encoding;
}

export const mutant = (sources: number): fc.Arbitrary<Mutant> =>
  fc.record({
    source: fc.nat({ max: sources - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 2 }),
    encoding: fc.constantFrom<Encoding>(...Array<Encoding>(18).fill('utf-8'), 'utf-16le', 'utf-16le-bom'),
  });

/** `count` mutants of `texts`, the same for the same seed. */
export function mutants(texts: readonly string[], count: number, seed: number): { mutant: Mutant; bytes: Uint8Array }[] {
  return fc.sample(mutant(texts.length), { numRuns: count, seed }).map((m) => {
    let text = texts[m.source] ?? '';
    for (const x of m.mutations) text = mutate(text, x);
    return { mutant: m, bytes: encode(text, m.encoding) };
  });
}

/** The seed and count of this run: fixed in CI (reproducible), chosen by `npm run fuzz`. */
export function fuzzSettings(defaultRuns: number, defaultSeed: number): { runs: number; seed: number } {
  const runs = Number(process.env.VAW_FUZZ_RUNS ?? defaultRuns);
  const seed = Number(process.env.VAW_FUZZ_SEED ?? defaultSeed);
  return { runs, seed };
}
