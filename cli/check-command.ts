/**
 * `virtio-access check [FILE...|-] [--json] [--no-schema] [facts flags] [--connect URI [--all | DOMAIN...]]`.
 * Exit 0: no error finding; 1: at least one error finding; 2: an input or the usage was unusable.
 */
import { localLibvirtVersion } from '../main/services/local-libvirt';
import { schemaStatus, startBatchValidation, type SchemaResult } from '../main/services/schema';
import { DEFAULT_FLEET_JOBS } from '../main/services/fleet-audit';
import { swiotlbJson, toCheckJsonFinding, type CheckJson, type CheckJsonFile, type CheckJsonFinding } from '../src/contracts/cli-json';
import { DEFAULT_GOALS, type DomainFacts, type HostFacts, type SecureType, type Version } from '../src/contracts/facts';
import { compareVersions, formatVersion } from '../src/contracts/version';
import { LIBOSINFO_NS, parseDomainXml, XmlInputError, type DomainDocument } from '../src/domain-xml';
import { checkFacts, readDocument } from '../src/pipeline/plan-document';
import { errorsOnlyInLaunchSecurity, mayBeNewerThanSchema, newerElementWords, newerThanSchema, type NewerElement } from '../src/schema';
import { parseCommandArgs, UsageError, type ParsedArgs } from './args';
import type { CliDeps, CliIo } from './cli-deps';
import type { CliCommand } from './command';
import { formatFileFindings } from './format-findings';
import { GUEST_OPTIONS, guestFacts, guestKernelFromFlag, HOST_OPTIONS, hostFactsFromFlags } from './host-options';
import { readInput } from './read-input';
import { formatInputError } from './input-error';

const USAGE =
  'virtio-access check [FILE...|-] [--json] [--no-schema] [--qemu-version V] [--libvirt-version V] [--host-caps FILE] [--guest OSINFO_ID] [--guest-kernel V] [--connect URI... [--all | DOMAIN...] [--jobs N]]';

const HELP = `${USAGE}

Checks libvirt domain XML for virtio ACCESS_PLATFORM (<driver iommu='on'/>) problems and explains each one.
FILE may be - for standard input. Several files are checked in one run.

  --json               print {"files":[{"file","domain","findings":[...],"swiotlb":{...}}]} ("swiotlb" when virtio I/O bounces)
  --no-schema          skip validation against libvirt's RelaxNG schemas (needed when they are not installed)
  --qemu-version V     the QEMU version the domain runs on (e.g. 7.2.0)
  --libvirt-version V  the libvirt version (e.g. 9.0.0)
  --host-caps FILE     output of \`virsh domcapabilities\` for the host
  --guest OSINFO_ID    the guest OS (osinfo id, e.g. http://debian.org/debian/12); default: the domain's metadata
  --guest-kernel V     the guest's Linux kernel, as \`uname -r\` prints it in the guest (e.g. 6.1.0-18-amd64); default: not known
  --connect URI        read the domains from libvirt (repeatable); with --all or DOMAIN names
  --jobs N             read at most N connections at once (default ${DEFAULT_FLEET_JOBS}); progress and failures on stderr

Exit status: 0 no error found, 1 at least one error found, 2 unusable input or usage.
`;

const OPTIONS = {
  json: { type: 'boolean' },
  'no-schema': { type: 'boolean' },
  all: { type: 'boolean' },
  connect: { type: 'string', multiple: true },
  jobs: { type: 'string' },
  ...HOST_OPTIONS,
  ...GUEST_OPTIONS,
} as const;

/** One document to check, already read. */
interface Doc {
  readonly name: string;
  readonly text: string;
  readonly host: HostFacts | null;
}

/** What the report keeps of a checked document until xmllint's verdicts are in. */
interface Checked {
  readonly file: string;
  readonly domain: string | null;
  readonly launchSecurity: SecureType;
  /** The libvirt release the document is checked for, when stated exactly (--libvirt-version, or its connection's). */
  readonly libvirt: Version | null;
  readonly findings: CheckJsonFinding[];
  readonly swiotlb: ReturnType<typeof swiotlbJson>;
}

/** This machine's libvirt (whose schema validates) and a newer one the document is checked for. */
interface OlderSchema {
  readonly here: Version;
  readonly checkedFor: Version;
}

/**
 * One SCHEMA finding per element libxml2 names, with all its messages; or, when every error lies in a
 * <launchSecurity> newer than this machine's libvirt (whose schema it is), one warning saying so. Where the document
 * is checked for a newer libvirt than this machine's (`older`), each is a warning: that libvirt's schema may accept
 * what this one refuses.
 */
function schemaFindings(result: SchemaResult, newer: NewerElement | null, older: OlderSchema | null): CheckJsonFinding[] {
  if (newer)
    return [
      {
        rule: 'SCHEMA',
        severity: 'warning',
        target: '/domain/launchSecurity',
        title: `${newer.element} is newer than this machine's libvirt ${newer.here}; its schema cannot validate it`,
        explanation: newerElementWords(newer),
        fix: {
          text: `Validate it on the host that will run it (libvirt ${newer.since} or later): virsh define --validate FILE.`,
          edits: [],
        },
        sources: [{ key: 'LV-RNG', detail: 'domain.rng (libvirt RelaxNG schema) as installed on this host' }],
      },
    ];
  const byTarget = new Map<string, SchemaResult['errors'][number][]>();
  for (const e of result.errors) byTarget.set(e.target, [...(byTarget.get(e.target) ?? []), e]);
  return [...byTarget].map(([target, errors]) => {
    const element = errors.find((e) => e.element)?.element;
    const lines = errors.map((e) => `${e.line > 0 ? `line ${e.line}: ` : ''}${e.message}`);
    const reported = `libxml2 reports: ${[...new Set(lines)].join('; ')}.`;
    if (older) {
      const here = formatVersion(older.here);
      const there = formatVersion(older.checkedFor);
      return {
        rule: 'SCHEMA',
        severity: 'warning',
        target,
        title: `Not valid for this machine's libvirt ${here} schema${element ? ` (element ${element})` : ''}; libvirt ${there}'s may accept it`,
        explanation: `${reported} This machine's schema is libvirt ${here}'s, older than the libvirt ${there} the domain is checked for, which may know what this one does not; libvirt refuses to define a domain its own schema does not validate (virsh define --validate).`,
        fix: { text: `Validate it where it will run: \`virsh define --validate FILE\` on the libvirt ${there} host.`, edits: [] },
        sources: [{ key: 'LV-RNG', detail: `domain.rng (libvirt RelaxNG schema) as installed on this host (libvirt ${here})` }],
      };
    }
    return {
      rule: 'SCHEMA',
      severity: 'error',
      target,
      title: `Not valid for libvirt's schema${element ? ` (element ${element})` : ''}`,
      explanation: `${reported} libvirt refuses to define a domain that does not validate (virsh define --validate).`,
      fix: {
        text: "Correct the element so it matches libvirt's domain schema; `virsh define --validate FILE` reports the same problem.",
        edits: [],
      },
      sources: [{ key: 'LV-RNG', detail: 'domain.rng (libvirt RelaxNG schema) as installed on this host' }],
    };
  });
}

/** --jobs N: a whole number of at least 1. */
function jobsOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(raw)) throw new UsageError(`--jobs needs a whole number of connections, at least 1 (got "${raw}")`, 'check');
  return Number(raw);
}

/**
 * The domains of every --connect URI, read at most --jobs hosts at a time. A connection that fails (host
 * down, refused) or a domain that cannot be read (no such domain) is reported with virsh's advice and the
 * audit keeps everything else; `failed` then makes the exit status 2. Documents come in the order of the
 * --connect options, each host's domains in the order asked (or listed).
 */
async function docsFromConnections(args: ParsedArgs<typeof OPTIONS>, deps: CliDeps, io: CliIo): Promise<{ docs: Doc[]; failed: boolean }> {
  const uris = args.values.connect ?? [];
  const all = args.values.all === true;
  if (all && args.positionals.length > 0) throw new UsageError('give either --all or DOMAIN names, not both', 'check');
  if (!all && args.positionals.length === 0) throw new UsageError('with --connect, give --all or DOMAIN names', 'check');
  const hosts = await deps.readFleet(uris, all ? 'all' : args.positionals, {
    jobs: jobsOf(args.values.jobs),
    // A fleet says how far it is, host by host (stdout keeps only the report).
    onHost: (read, done, total) => {
      if (total === 1) return;
      const n = read.ok ? read.domains.length : 0;
      const unreadable = read.ok && read.failures.length > 0 ? `, ${read.failures.length} unreadable` : '';
      const what = read.ok ? `${n} domain${n === 1 ? '' : 's'}${unreadable}` : 'failed';
      io.stderr(`virtio-access check: ${done}/${total} hosts read: ${read.uri} (${what})\n`);
    },
  });
  const docs: Doc[] = [];
  let failed = false;
  for (const host of hosts) {
    if (!host.ok) {
      io.stderr(`virtio-access check: ${host.error.message}\n`);
      failed = true;
      continue;
    }
    for (const f of host.failures) io.stderr(`virtio-access check: ${f.uri}/${f.name}: ${f.error.message}\n`);
    failed ||= host.failures.length > 0;
    for (const d of host.domains) docs.push({ name: `${d.uri}/${d.name}`, text: d.xml, host: d.host });
  }
  return { docs, failed };
}

/** Runs `check`; returns the exit code. */
async function runCheck(argv: readonly string[], deps: CliDeps, io: CliIo): Promise<number> {
  const args = parseCommandArgs('check', argv, OPTIONS);
  const connecting = args.values.connect !== undefined;
  if (!connecting && args.values.all) throw new UsageError('--all needs --connect', 'check');
  if (!connecting && args.values.jobs !== undefined) throw new UsageError('--jobs needs --connect', 'check');
  if (!connecting && args.positionals.length === 0) throw new UsageError('give at least one FILE (or - for standard input)', 'check');
  if (args.positionals.filter((p) => p === '-').length > 1) throw new UsageError('standard input (-) can be read only once', 'check');
  const useSchema = !args.values['no-schema'];
  if (useSchema) {
    const status = schemaStatus();
    if (!status.available) {
      io.stderr(`virtio-access check: ${status.message}.\nRerun with --no-schema to check without schema validation.\n`);
      return 2;
    }
  }
  // The guests' facts come from osinfo-db's index, loaded as soon as a document read names its OS (from its cache,
  // synchronously: ready before the passes, which never let the event loop turn). Not loaded for documents that
  // cannot name one (a tenth of a one-file check).
  const namesItsOs = (text: string): boolean => args.values.guest !== undefined || text.includes(LIBOSINFO_NS);
  const flagHost = await hostFactsFromFlags('check', args.values);
  const guestKernel = guestKernelFromFlag('check', args.values['guest-kernel']);
  // xmllint starts now and compiles the schema while the files are read (startBatchValidation); a fleet's documents
  // are counted only once read.
  let schema = useSchema && !connecting ? startBatchValidation(args.positionals.length) : null;
  let unusable = false;
  const docs: Doc[] = [];
  const read: { readonly doc: Doc; readonly facts: DomainFacts }[] = [];
  const checked: Checked[] = [];
  // This machine's libvirt (remembered per schema file, else asked of virsh: ~0.1 s) is needed only when some
  // document's errors could mean "newer than the schema", which xmllint tells at the end. Asked as soon as a
  // document's <launchSecurity> could be, so that virsh, when it must run, runs beside the work instead of after it.
  let version: Promise<Version | null> | null = null;
  try {
    if (connecting) {
      const fromLibvirt = await docsFromConnections(args, deps, io);
      if (fromLibvirt.docs.some((d) => namesItsOs(d.text))) deps.prepareGuestLookup();
      docs.push(...fromLibvirt.docs);
      unusable ||= fromLibvirt.failed;
      if (useSchema) schema = startBatchValidation(docs.length);
    } else {
      // Files are read concurrently; their errors are still reported in argument order.
      const reads = await Promise.all(
        args.positionals.map((arg) =>
          readInput(arg, io).then(
            (input) => {
              if (namesItsOs(input.text)) deps.prepareGuestLookup();
              return { input };
            },
            (error: unknown) => ({ error }),
          ),
        ),
      );
      for (const r of reads) {
        if ('input' in r) docs.push({ name: r.input.name, text: r.input.text, host: null });
        else if (r.error instanceof XmlInputError) {
          io.stderr(formatInputError(r.error));
          unusable = true;
        } else throw r.error;
      }
    }

    // Two passes. The first parses each document, hands it to the schema validation and reads its facts, then lets
    // its parse go: a check of many domains holds one parsed tree at a time (held all at once, the 366 corpus
    // domains' trees made V8 collect its whole heap, the largest pause of the run). The second judges the facts
    // (judging each document right after its parse measured no faster, before and after osinfo-db's index was read
    // synchronously). xmllint has the documents before the first pass starts, so its run goes on beside both.
    schema?.announce(docs);
    for (const doc of docs) {
      let xml: DomainDocument;
      try {
        // Read for its facts and schema errors alone, without the white space that lays out its elements.
        xml = parseDomainXml(doc.text, doc.name, 'facts');
      } catch (e) {
        if (!(e instanceof XmlInputError)) throw e;
        io.stderr(formatInputError(e));
        unusable = true;
        continue;
      }
      schema?.add({ name: doc.name, text: doc.text, parsed: xml });
      const { facts } = readDocument(doc.text, { fileName: doc.name, parsed: xml });
      if (schema && version === null && (mayBeNewerThanSchema(facts.launchSecurity.type) || statedLibvirt(doc.host ?? flagHost) !== null))
        version = localLibvirtVersion();
      read.push({ doc, facts });
    }
    for (const { doc, facts } of read) {
      const host = doc.host ? { ...doc.host, ...pickExplicit(flagHost) } : flagHost;
      const guest = await guestFacts('check', args.values.guest, facts.osinfoId, deps, guestKernel);
      const result = checkFacts(facts, { host, guest, goals: DEFAULT_GOALS });
      checked.push({
        file: doc.name,
        domain: facts.name === 'unknown' ? null : facts.name,
        launchSecurity: facts.launchSecurity.type,
        libvirt: statedLibvirt(host),
        findings: result.findings.map(toCheckJsonFinding),
        swiotlb: swiotlbJson(result.swiotlb),
      });
    }
  } catch (e) {
    schema?.abandon();
    throw e;
  }
  // In the order added: one verdict per checked document.
  const schemaResults = schema ? await schema.finish() : [];
  const needVersion = checked.some((c, i) => {
    const errors = schemaResults[i]?.errors ?? [];
    return errorsOnlyInLaunchSecurity(errors, c.launchSecurity) || (errors.length > 0 && c.libvirt !== null);
  });
  const schemaLibvirt = needVersion && version ? await version : null;
  const files: CheckJsonFile[] = checked.map((c, i) => {
    const result = schemaResults[i];
    const newer = result ? newerThanSchema(result.errors, c.launchSecurity, schemaLibvirt) : null;
    const older =
      schemaLibvirt && c.libvirt && compareVersions(c.libvirt, schemaLibvirt) > 0 ? { here: schemaLibvirt, checkedFor: c.libvirt } : null;
    return {
      file: c.file,
      domain: c.domain,
      findings: [...(result ? schemaFindings(result, newer, older) : []), ...c.findings],
      ...c.swiotlb,
    };
  });

  if (args.values.json) {
    const out: CheckJson = { files };
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    io.stdout(files.map(formatFileFindings).join('\n'));
    if (files.length > 1) {
      const withErrors = files.filter((f) => f.findings.some((x) => x.severity === 'error')).length;
      io.stdout(`\n${files.length} domains checked: ${withErrors} with errors, ${files.length - withErrors} without.\n`);
    }
  }
  if (unusable) return 2;
  return files.some((f) => f.findings.some((x) => x.severity === 'error')) ? 1 : 0;
}

/** The libvirt release a document is checked for, when known exactly. */
function statedLibvirt(host: HostFacts): Version | null {
  return host.libvirtVersion.kind === 'exact' ? host.libvirtVersion.version : null;
}

/** The version facts the user typed override what a connection reported. */
function pickExplicit(host: HostFacts): Partial<HostFacts> {
  const out: { -readonly [K in keyof HostFacts]?: HostFacts[K] } = {};
  if (host.qemuVersion.kind === 'exact' && host.qemuVersion.source.startsWith('--')) out.qemuVersion = host.qemuVersion;
  if (host.libvirtVersion.kind === 'exact' && host.libvirtVersion.source.startsWith('--')) out.libvirtVersion = host.libvirtVersion;
  return out;
}

export const CHECK_COMMAND: CliCommand = { usage: USAGE, help: HELP, run: runCheck };
