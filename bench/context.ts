/** What every benchmark section needs to know: where the built artefacts and the corpus are. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../test/real-parts';

export interface BenchContext {
  readonly root: string;
  readonly cli: string;
  readonly corpus: string | null;
  /** Every corpus file whose root element is <domain> (absolute paths), empty without the corpus. */
  readonly corpusDomains: readonly string[];
  readonly quick: boolean;
}

const DOMAIN_KINDS = new Set([
  'libvirt-test-input',
  'libvirt-expected-xml',
  'libvirt-generic-input',
  'libvirt-generic-expected-xml',
  'libvirt-negative-input',
  'virt-manager-virt-install-output',
  'virt-manager-xmlparse',
]);

/** Builds the context from the environment: VAW_CORPUS overrides ../shared/corpus; --quick cuts repetitions. */
export function benchContext(argv: readonly string[]): BenchContext {
  const root = repoRoot;
  const corpusDir = process.env.VAW_CORPUS ?? path.resolve(root, '../shared/corpus');
  const manifest = path.join(corpusDir, 'MANIFEST.tsv');
  const corpus = existsSync(manifest) ? corpusDir : null;
  const corpusDomains = corpus
    ? readFileSync(manifest, 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.split('\t'))
        .filter(([file, kind]) => file && kind && DOMAIN_KINDS.has(kind))
        .map(([file]) => path.join(corpusDir, file!))
        .filter((file) => readFileSync(file, 'utf8').includes('<domain'))
    : [];
  return { root, cli: path.join(root, 'dist/cli/virtio-access.cjs'), corpus, corpusDomains, quick: argv.includes('--quick') };
}
