/**
 * `virtio-access compare SOURCE DEST [--json]`: can a domain defined as SOURCE migrate to (or be restored as)
 * DEST? libvirt refuses when a shared virtio device's iommu/ats/packed/page_per_vq, or a virtio disk's or network
 * card's queue counts, differ (R-MIG-01); the source's own migration findings (SEV-family guests cannot
 * live-migrate, R-SEV-06) are reported with it. An extension of the CLI contract: same exit codes and JSON shape as check.
 */
import { toCheckJsonFinding, type CheckJson, type CheckJsonFile } from '../src/contracts/cli-json';
import { DEFAULT_GOALS, NO_GUEST_FACTS } from '../src/contracts/facts';
import { XmlInputError } from '../src/domain-xml';
import { compareForMigration } from '../src/engine';
import { checkDocument, readDocument } from '../src/pipeline/plan-document';
import { parseCommandArgs, UsageError } from './args';
import type { CliDeps, CliIo } from './cli-deps';
import type { CliCommand } from './command';
import { formatFileFindings } from './format-findings';
import { HOST_OPTIONS, hostFactsFromFlags } from './host-options';
import { formatInputError } from './input-error';
import { readInput } from './read-input';

const USAGE = 'virtio-access compare SOURCE DEST [--json] [--qemu-version V] [--libvirt-version V] [--host-caps FILE]';

const HELP = `${USAGE}

Compares two definitions of the same domain, as on the source and the destination of a live migration (or a
saved state and the definition it is restored into): every virtio option that is guest ABI (iommu, ats,
packed, page_per_vq), and a virtio disk's queues and queue_size and a virtio network card's queues, must
match on the devices both have, or libvirt (for a network card's queues before libvirt 11.4.0, QEMU)
refuses. Also reports what keeps the source from migrating at all (e.g. SEV-family guests). The facts flags
describe the source host; --libvirt-version names the libvirt that compares.

  --json    print {"files":[{"file":"SOURCE -> DEST","domain","findings":[...]}]}

Exit status: 0 they match, 1 at least one error, 2 unusable input or usage.
`;

/** Findings of the source's own evaluation that are about migration. */
const MIGRATION_RULES = new Set(['R-MIG-01', 'R-SEV-06']);

async function runCompare(argv: readonly string[], _deps: CliDeps, io: CliIo): Promise<number> {
  const args = parseCommandArgs('compare', argv, { json: { type: 'boolean' }, ...HOST_OPTIONS });
  if (args.positionals.length !== 2) throw new UsageError('give SOURCE and DEST', 'compare');
  if (args.positionals.every((p) => p === '-')) throw new UsageError('standard input (-) can be read only once', 'compare');
  const host = await hostFactsFromFlags('compare', args.values);
  let docs;
  try {
    docs = await Promise.all(
      args.positionals.map(async (arg) => {
        const input = await readInput(arg, io);
        return { name: input.name, doc: readDocument(input.text, { fileName: input.name }) };
      }),
    );
  } catch (e) {
    if (!(e instanceof XmlInputError)) throw e;
    io.stderr(formatInputError(e));
    return 2;
  }
  const [source, dest] = docs as [(typeof docs)[0], (typeof docs)[0]];
  const own = checkDocument(source.doc, { host, guest: NO_GUEST_FACTS, goals: { ...DEFAULT_GOALS, migration: true } }).findings.filter(
    (f) => MIGRATION_RULES.has(f.rule),
  );
  const findings = [...compareForMigration(source.doc.facts, dest.doc.facts, host.libvirtVersion), ...own].map(toCheckJsonFinding);
  const file: CheckJsonFile = {
    file: `${source.name} -> ${dest.name}`,
    domain: source.doc.facts.name === 'unknown' ? null : source.doc.facts.name,
    findings,
  };
  if (args.values.json) {
    const out: CheckJson = { files: [file] };
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
  } else io.stdout(formatFileFindings(file));
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

export const COMPARE_COMMAND: CliCommand = { usage: USAGE, help: HELP, run: runCompare };
