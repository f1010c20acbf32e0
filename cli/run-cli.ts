/** The `virtio-access` dispatcher: picks the command from the table, prints help and usage errors, returns the exit code. */
import { SchemaUnavailableError } from '../main/services/schema';
import { UsageError } from './args';
import type { CliDeps, CliIo } from './cli-deps';
import { COMMANDS, isCommandName } from './commands';
import { terminalSafe } from './terminal-text';

const MAIN_HELP = `virtio-access: configure virtio ACCESS_PLATFORM (<driver iommu='on'/>) correctly for libvirt/QEMU guests

Usage:
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}`)
  .join('\n')}

Run \`virtio-access COMMAND --help\` for details.
`;

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps, rawIo: CliIo): Promise<number> {
  // Messages name files, domains and parts of documents: never let them drive the terminal.
  const io: CliIo = { ...rawIo, stderr: (text) => rawIo.stderr(terminalSafe(text)) };
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
      const hint =
        e.hint ?? 'Nothing was written. Install libxml2-utils (xmllint), or rerun with --no-schema to go on without schema validation.';
      io.stderr(`virtio-access ${name}: ${e.message}\n${hint}\n`);
      return 2;
    }
    throw e;
  }
}
