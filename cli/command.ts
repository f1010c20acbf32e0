/** One `virtio-access` command as the dispatcher's table holds it (cli/commands.ts). */
import type { CliDeps, CliIo } from './cli-deps';

export interface CliCommand {
  /** One line: the command with its arguments and options; shown in the program's help and after a usage error. */
  readonly usage: string;
  /** `virtio-access COMMAND --help`: the usage line, what the command does, each option, the exit statuses. */
  readonly help: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  readonly run: (argv: readonly string[], deps: CliDeps, io: CliIo) => Promise<number>;
}
