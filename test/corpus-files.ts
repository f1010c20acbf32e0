/** Lists the shared corpus's XML files (read in place, never copied) with their MANIFEST kind. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { corpusDir } from './real-parts';

export interface CorpusFile {
  /** Path relative to the corpus root, as in MANIFEST.tsv. */
  readonly rel: string;
  readonly abs: string;
  /** MANIFEST kind, e.g. `libvirt-test-input`, `domaincaps`; '' when the manifest does not list it. */
  readonly kind: string;
}

/** Every *.xml under the corpus, sorted by relative path. */
export function corpusXmlFiles(): CorpusFile[] {
  const kinds = new Map<string, string>();
  for (const line of readFileSync(path.join(corpusDir, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1)) {
    const [rel, kind] = line.split('\t');
    if (rel && kind) kinds.set(rel, kind);
  }
  const out: CorpusFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (entry.name.endsWith('.xml')) {
        const rel = path.relative(corpusDir, abs);
        out.push({ rel, abs, kind: kinds.get(rel) ?? '' });
      }
    }
  };
  walk(corpusDir);
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}
