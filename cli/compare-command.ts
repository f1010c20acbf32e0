/**
 * `virtio-access compare SOURCE DEST [--json]`: can a domain defined as SOURCE migrate to (or be restored as)
 * DEST? libvirt refuses when a shared virtio device's iommu/ats/packed/page_per_vq differ (R-MIG-01); the
 * source's own migration findings (SEV-family guests cannot live-migrate, R-SEV-06; an absent iommu means
 * different things on either side of QEMU 6.0, R-MIG-02) are reported with it. An extension of the CLI
 * contract: same exit codes and JSON shape as check.
 */
import { toCheckJsonFinding, type CheckJson, type CheckJsonFile } from '../src/contracts/cli-json';
import { DEFAULT_GOALS, NO_GUEST_FACTS } from '../src/contracts/facts';
import { parseDomainXml, readDomainFacts, XmlInputError } from '../src/domain-xml';
import { parseArgs, UsageError } from './args';
import type { CliDeps, CliIo } from './cli-deps';
import { formatFileFindings } from './format-findings';
import { FACT_VALUE_FLAGS, hostFactsFromFlags } from './host-options';
import { formatInputError } from './input-error';
import { readInput } from './read-input';

export const COMPARE_USAGE = 'virtio-access compare SOURCE DEST [--json] [--qemu-version V] [--libvirt-version V] [--host-caps FILE]';

export const COMPARE_HELP = `${COMPARE_USAGE}

Compares two definitions of the same domain, as on the source and the destination of a live migration (or a
saved state and the definition it is restored into): every virtio option that is guest ABI (iommu, ats,
packed, page_per_vq) must match on the devices both have, or libvirt refuses. Also reports what keeps the
source from migrating at all (e.g. SEV-family guests). The facts flags describe the source host.

  --json    print {"files":[{"file":"SOURCE -> DEST","domain","findings":[...]}]}

Exit status: 0 they match, 1 at least one error, 2 unusable input or usage.
`;

/** Findings of the source's own evaluation that are about migration. */
const MIGRATION_RULES = new Set(['R-MIG-01', 'R-MIG-02', 'R-SEV-06']);

export async function runCompare(argv: readonly string[], deps: CliDeps, io: CliIo): Promise<number> {
  const args = parseArgs('compare', argv, { booleans: ['--json'], values: [...FACT_VALUE_FLAGS.filter((f) => f !== '--guest')] });
  if (args.positionals.length !== 2) throw new UsageError('give SOURCE and DEST', 'compare');
  if (args.positionals.every((p) => p === '-')) throw new UsageError('standard input (-) can be read only once', 'compare');
  if (!deps.engine) {
    io.stderr('virtio-access compare: this build has no rule engine.\n');
    return 2;
  }
  const host = await hostFactsFromFlags('compare', args);
  let docs;
  try {
    docs = await Promise.all(
      args.positionals.map(async (arg) => {
        const input = await readInput(arg, io);
        return { name: input.name, facts: readDomainFacts(parseDomainXml(input.text, input.name)) };
      }),
    );
  } catch (e) {
    if (!(e instanceof XmlInputError)) throw e;
    io.stderr(formatInputError(e));
    return 2;
  }
  const [source, dest] = docs as [(typeof docs)[0], (typeof docs)[0]];
  const own = deps.engine
    .evaluate({ domain: source.facts, host, guest: NO_GUEST_FACTS, goals: { ...DEFAULT_GOALS, migration: true } })
    .filter((f) => MIGRATION_RULES.has(f.rule));
  const findings = [...deps.engine.compareForMigration(source.facts, dest.facts), ...own].map(toCheckJsonFinding);
  const file: CheckJsonFile = {
    file: `${source.name} -> ${dest.name}`,
    domain: source.facts.name === 'unknown' ? null : source.facts.name,
    findings,
  };
  if (args.flags.has('--json')) {
    const out: CheckJson = { files: [file] };
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
  } else io.stdout(formatFileFindings(file));
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}
