/**
 * Every `virtio-access` command, in the order the program's help lists them: name → usage, help and run.
 * The dispatcher (run-cli.ts) knows no command but through this table, so a command is added here or nowhere.
 */
import { BACKUPS_COMMAND, RESTORE_COMMAND } from './backups-command';
import { CHECK_COMMAND } from './check-command';
import type { CliCommand } from './command';
import { COMPARE_COMMAND } from './compare-command';
import { EXPLAIN_COMMAND } from './explain-command';
import { PLAN_COMMAND } from './plan-command';
import { SERVE_COMMAND } from './serve';

export const COMMANDS = {
  check: CHECK_COMMAND,
  plan: PLAN_COMMAND,
  explain: EXPLAIN_COMMAND,
  compare: COMPARE_COMMAND,
  serve: SERVE_COMMAND,
  backups: BACKUPS_COMMAND,
  restore: RESTORE_COMMAND,
} as const satisfies Readonly<Record<string, CliCommand>>;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}
