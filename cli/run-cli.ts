/** The `virtio-access` dispatcher: picks the subcommand, prints help and usage errors, returns the exit code. */
import { SchemaUnavailableError } from '../main/services/schema';
import { UsageError } from './args';
import { BACKUPS_HELP, BACKUPS_USAGE, RESTORE_HELP, RESTORE_USAGE, runBackups, runRestore } from './backups-command';
import { CHECK_HELP, CHECK_USAGE, runCheck } from './check-command';
import { COMPARE_HELP, COMPARE_USAGE, runCompare } from './compare-command';
import type { CliDeps, CliIo } from './cli-deps';
import { EXPLAIN_HELP, EXPLAIN_USAGE, runExplain } from './explain-command';
import { PLAN_HELP, PLAN_USAGE, runPlan } from './plan-command';
import { SERVE_HELP, SERVE_USAGE } from './serve-help';
import { runVerify, VERIFY_HELP, VERIFY_USAGE } from './verify-command';

const USAGES: Readonly<Record<string, string>> = {
  check: CHECK_USAGE,
  plan: PLAN_USAGE,
  explain: EXPLAIN_USAGE,
  compare: COMPARE_USAGE,
  verify: VERIFY_USAGE,
  serve: SERVE_USAGE,
  backups: BACKUPS_USAGE,
  restore: RESTORE_USAGE,
};
const HELPS: Readonly<Record<string, string>> = {
  check: CHECK_HELP,
  plan: PLAN_HELP,
  explain: EXPLAIN_HELP,
  compare: COMPARE_HELP,
  verify: VERIFY_HELP,
  serve: SERVE_HELP,
  backups: BACKUPS_HELP,
  restore: RESTORE_HELP,
};

const MAIN_HELP = `virtio-access: configure virtio ACCESS_PLATFORM (<driver iommu='on'/>) correctly for libvirt/QEMU guests

Usage:
${Object.values(USAGES)
  .map((u) => `  ${u}`)
  .join('\n')}

Run \`virtio-access COMMAND --help\` for details.
`;

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.stderr : io.stdout)(MAIN_HELP);
    return command === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(USAGES, command)) {
    io.stderr(`virtio-access: unknown command "${command}"\n\n${MAIN_HELP}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(HELPS[command] ?? '');
    return 0;
  }
  try {
    switch (command) {
      case 'check':
        return await runCheck(rest, deps, io);
      case 'plan':
        return await runPlan(rest, deps, io);
      case 'explain':
        return runExplain(rest, deps, io);
      case 'compare':
        return await runCompare(rest, deps, io);
      case 'verify':
        return await runVerify(rest, deps, io);
      case 'backups':
        return await runBackups(rest, io);
      case 'restore':
        return await runRestore(rest, io);
      default:
        if (!deps.runServe) {
          io.stderr('virtio-access serve: this build has no serve mode.\n');
          return 2;
        }
        return await deps.runServe(rest);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`virtio-access ${e.command}: ${e.message}\nUsage: ${USAGES[e.command] ?? ''}\n`);
      return 2;
    }
    if (e instanceof SchemaUnavailableError) {
      io.stderr(
        `virtio-access ${command}: ${e.message}\nNothing was written. Install libxml2-utils (xmllint), or rerun with --no-schema to go on without schema validation.\n`,
      );
      return 2;
    }
    throw e;
  }
}
