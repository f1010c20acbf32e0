/**
 * `virtio-access plan FILE|- --secure TYPE [facts flags] [-o OUT] [--diff] [--json]`: applies the engine's plan
 * as minimal edits, validates the result against libvirt's schema, then prints it or writes OUT atomically
 * (with a backup when OUT exists). OUT is never created or touched when the command fails.
 */
import path from 'node:path';
import { readDomainFileSync } from '../main/services/read-domain-file';
import { FileConflictError, FileWriteError, writeFileSafely } from '../main/services/write-domain-file';
import { localLibvirtVersion } from '../main/services/local-libvirt';
import { schemaStatus, startDomainValidation, type PendingValidation } from '../main/services/schema';
import { swiotlbJson, toCheckJsonFinding, type PlanJson } from '../src/contracts/cli-json';
import { DEFAULT_GOALS, SECURE_TYPES, type SecureType } from '../src/contracts/facts';
import { EditError, XmlInputError } from '../src/domain-xml';
import { isLibvirtManagedPath, LIBVIRT_MANAGED_ADVICE } from '../src/host';
import { planDocument, readDocument, type ReadDocument } from '../src/pipeline/plan-document';
import { newerElementWords, newerThanSchema } from '../src/schema';
import { parseCommandArgs, UsageError, type ParsedArgs } from './args';
import type { CliDeps, CliIo } from './cli-deps';
import type { CliCommand } from './command';
import { GUEST_OPTIONS, guestFacts, guestKernelFromFlag, HOST_OPTIONS, hostFactsFromFlags } from './host-options';
import { formatInputError } from './input-error';
import { readInput } from './read-input';

const PLAN_SECURE: readonly SecureType[] = SECURE_TYPES.filter((t) => t !== 'cca');

const USAGE = `virtio-access plan FILE|- --secure ${PLAN_SECURE.join('|')} [--qemu-version V] [--libvirt-version V] [--host-caps FILE] [--guest OSINFO_ID] [--guest-kernel V] [-o OUT] [--diff] [--json] [--no-schema]`;

const HELP = `${USAGE}

Writes the whole domain XML with the changes needed for the chosen security goal (and to fix every error the
plan can fix). Every byte outside the edited elements is kept.

  --secure TYPE   none, or the confidential VM technology to prepare for
  -o, --output OUT  write the result to OUT atomically (a backup of OUT is kept); default: standard output.
                  Through a symbolic link, the file it names is written and the link stays; a link to
                  nothing is refused.
  --diff          print a unified diff instead of the whole document
  --json          print {"file","domain","edits","findings","xml","swiotlb"} ("swiotlb" for the planned domain when its virtio I/O bounces)
  --no-schema     do not validate the result against libvirt's schemas

The document, --diff and --json are written as they are; messages escape control characters.

Exit status: 0 written, 1 the goal is impossible or needs a fact the command lacks, or OUT could not be
written (each: nothing written), 2 unusable input or usage.
`;

const OPTIONS = {
  diff: { type: 'boolean' },
  json: { type: 'boolean' },
  'no-schema': { type: 'boolean' },
  secure: { type: 'string' },
  output: { type: 'string', short: 'o' },
  ...HOST_OPTIONS,
  ...GUEST_OPTIONS,
} as const;

type PlanArgs = ParsedArgs<typeof OPTIONS>;

/** Runs `plan`; returns the exit code. */
async function runPlan(argv: readonly string[], deps: CliDeps, io: CliIo): Promise<number> {
  const args = parseCommandArgs('plan', argv, OPTIONS);
  if (args.positionals.length !== 1) throw new UsageError('give exactly one FILE (or - for standard input)', 'plan');
  const secure = args.values.secure;
  if (secure === undefined) throw new UsageError('--secure is required', 'plan');
  if (!(PLAN_SECURE as readonly string[]).includes(secure))
    throw new UsageError(`--secure must be one of ${PLAN_SECURE.join(', ')}, not "${secure}"`, 'plan');
  if (args.values.diff && args.values.json) throw new UsageError('--diff and --json cannot be combined', 'plan');
  const out = args.values.output;
  let validation: PendingValidation | null = null;
  if (!args.values['no-schema']) {
    const status = schemaStatus();
    if (!status.available) {
      io.stderr(`virtio-access plan: ${status.message}.\nRerun with --no-schema to write without schema validation.\n`);
      return 2;
    }
    // xmllint compiles the schema while the plan is made.
    validation = startDomainValidation();
  }
  try {
    return await planAndWrite(args, secure as SecureType, out, validation, deps, io);
  } finally {
    validation?.cancel();
  }
}

/** The rest of `plan`, once the arguments are known and xmllint (unless --no-schema) is already starting. */
async function planAndWrite(
  args: PlanArgs,
  secure: SecureType,
  out: string | undefined,
  validation: PendingValidation | null,
  deps: CliDeps,
  io: CliIo,
): Promise<number> {
  let input;
  let doc: ReadDocument;
  try {
    input = await readInput(args.positionals[0] ?? '-', io);
    doc = readDocument(input.text, { fileName: input.name });
  } catch (e) {
    if (!(e instanceof XmlInputError)) throw e;
    io.stderr(formatInputError(e));
    return 2;
  }
  // Read OUT's fingerprint before planning so a concurrent change to it is caught at write time.
  let outFingerprint: string | null = null;
  if (out !== undefined) {
    try {
      outFingerprint = readDomainFileSync(out).fingerprint;
    } catch (e) {
      if (!(e instanceof XmlInputError) || e.problem !== 'no such file') {
        if (e instanceof XmlInputError) io.stderr(formatInputError(e));
        else throw e;
        return 2;
      }
    }
  }

  const host = await hostFactsFromFlags('plan', args.values);
  const guest = await guestFacts(
    'plan',
    args.values.guest,
    doc.facts.osinfoId,
    deps,
    guestKernelFromFlag('plan', args.values['guest-kernel']),
  );
  const diffLabels = { fromLabel: input.name, toLabel: out ?? `${input.name} (planned)` };
  let result;
  try {
    result = planDocument(doc, { host, guest, goals: { ...DEFAULT_GOALS, secure } }, { diffLabels });
  } catch (e) {
    if (!(e instanceof EditError)) throw e;
    io.stderr(`virtio-access plan: ${input.name}: the plan could not be applied (${e.message}); nothing was written.\n`);
    return 1;
  }
  const { plan, planned: xml } = result;
  if (plan.impossible.length > 0) {
    io.stderr(`virtio-access plan: ${input.name}: --secure ${secure} cannot be planned:\n`);
    for (const f of plan.impossible)
      io.stderr(`  ${f.rule}: ${f.title}\n    ${f.explanation.replace(/\n/g, '\n    ')}\n${f.fix.text ? `    Fix: ${f.fix.text}\n` : ''}`);
    // The engine names the missing fact in words; on the command line the way to give it is a flag.
    if (plan.impossible.some((f) => /host's capabilities/.test(f.explanation)))
      io.stderr(`Give the host's capabilities with --host-caps FILE (the output of 'virsh domcapabilities') or --connect URI.\n`);
    return 1;
  }
  if (validation) {
    const result = await validation.validate({ name: input.name, text: xml });
    if (!result.valid) {
      const newer = newerThanSchema(result.errors, secure, await localLibvirtVersion());
      if (newer) {
        io.stderr(
          `virtio-access plan: ${input.name}: ${newerElementWords(newer)}\nNothing was written; rerun with --no-schema to write it.\n`,
        );
        return 1;
      }
      io.stderr(`virtio-access plan: ${input.name}: the planned XML does not validate against libvirt's schema; nothing was written:\n`);
      for (const e of result.errors) io.stderr(`  ${e.target} (line ${e.line}): ${e.message}\n`);
      return 1;
    }
  }

  if (out !== undefined) {
    if (isLibvirtManagedPath(path.resolve(out))) io.stderr(`virtio-access plan: warning: ${out} ${LIBVIRT_MANAGED_ADVICE}\n`);
    try {
      const { backupPath } = await writeFileSafely(out, xml, { expectedFingerprint: outFingerprint });
      io.stderr(`virtio-access plan: wrote ${out}${backupPath ? ` (previous content backed up to ${backupPath})` : ''}\n`);
    } catch (e) {
      if (e instanceof FileConflictError || e instanceof FileWriteError) {
        io.stderr(`virtio-access plan: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  }
  if (args.values.json) {
    const name = result.facts.name === 'unknown' ? null : result.facts.name;
    const json: PlanJson = {
      file: input.name,
      domain: name,
      edits: plan.edits,
      findings: result.findings.map(toCheckJsonFinding),
      xml,
      ...swiotlbJson(result.plannedSwiotlb),
    };
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
  } else if (args.values.diff) {
    io.stdout(result.diff);
  } else if (out === undefined) {
    io.stdout(xml);
  }
  return 0;
}

export const PLAN_COMMAND: CliCommand = { usage: USAGE, help: HELP, run: runPlan };
