/** The `virtio-access` dispatcher: picks the command from the table, prints help and usage errors, returns the exit code. */
import { SchemaUnavailableError } from '../main/services/schema';
import { UsageError } from './args';
import type { CliDeps, CliIo } from './cli-deps';
import { COMMANDS, isCommandName } from './commands';

const MAIN_HELP = `virtio-access: configure virtio ACCESS_PLATFORM (<driver iommu='on'/>) correctly for libvirt/QEMU guests

Usage:
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}`)
  .join('\n')}

Run \`virtio-access COMMAND --help\` for details.
`;

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps, io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(MAIN_HELP);
    return name === undefined ? 2 : 0;
  }
  if (!isCommandName(name)) {
    io.stderr(`virtio-access: unknown command "${name}"\n\n${MAIN_HELP}`);
    return 2;
  }
  const command = COMMANDS[name];
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help);
    return 0;
  }
  try {
    return await command.run(rest, deps, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`virtio-access ${name}: ${e.message}\nUsage: ${command.usage}\n`);
      return 2;
    }
    if (e instanceof SchemaUnavailableError) {
      io.stderr(
        `virtio-access ${name}: ${e.message}\nNothing was written. Install libxml2-utils (xmllint), or rerun with --no-schema to go on without schema validation.\n`,
      );
      return 2;
    }
    throw e;
  }
}
