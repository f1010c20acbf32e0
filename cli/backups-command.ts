/** `virtio-access backups FILE` and `virtio-access restore BACKUP [-o FILE]`: the safe-write backups. */
import { backupsDir, FileConflictError, FileWriteError, listBackups, restoreBackup } from '../main/services/file-store';
import { XmlInputError } from '../src/domain-xml';
import { parseCommandArgs, UsageError } from './args';
import type { CliIo } from './cli-deps';
import type { CliCommand } from './command';
import { formatInputError } from './input-error';

const BACKUPS_USAGE = 'virtio-access backups FILE';
const BACKUPS_HELP = `${BACKUPS_USAGE}

Lists the backups virtio-access took of FILE before writing it, newest first.
Backups live in $VAW_BACKUP_DIR, else $XDG_STATE_HOME/virtio-access-wizard/backups,
else ~/.local/state/virtio-access-wizard/backups.
`;
const RESTORE_USAGE = 'virtio-access restore BACKUP [-o FILE]';
const RESTORE_HELP = `${RESTORE_USAGE}

Writes a backup back to the file it was taken from (or to FILE), atomically; the content it replaces is
itself backed up first.
`;

/** Runs `backups`; returns the exit code. */
async function runBackups(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs('backups', argv, {});
  const [file, ...rest] = args.positionals;
  if (file === undefined || rest.length > 0) throw new UsageError('give exactly one FILE', 'backups');
  const backups = await listBackups(file);
  if (backups.length === 0) {
    io.stderr(`virtio-access backups: no backups of ${file} in ${backupsDir()}\n`);
    return 0;
  }
  for (const b of backups) io.stdout(`${b.createdAt}  ${b.backupPath}\n`);
  return 0;
}

/** Runs `restore`; returns the exit code. */
async function runRestore(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs('restore', argv, { output: { type: 'string', short: 'o' } });
  const [backup, ...rest] = args.positionals;
  if (backup === undefined || rest.length > 0) throw new UsageError('give exactly one BACKUP', 'restore');
  try {
    const r = await restoreBackup(backup, args.values.output);
    io.stderr(
      `virtio-access restore: restored ${r.targetPath}${r.backupPath ? ` (its previous content backed up to ${r.backupPath})` : ''}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof XmlInputError) {
      io.stderr(formatInputError(e));
      return 2;
    }
    if (e instanceof FileConflictError || e instanceof FileWriteError) {
      io.stderr(`virtio-access restore: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

export const BACKUPS_COMMAND: CliCommand = { usage: BACKUPS_USAGE, help: BACKUPS_HELP, run: (argv, _deps, io) => runBackups(argv, io) };
export const RESTORE_COMMAND: CliCommand = { usage: RESTORE_USAGE, help: RESTORE_HELP, run: (argv, _deps, io) => runRestore(argv, io) };
