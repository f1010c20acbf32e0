/**
 * Runs one file operation in a fresh Node and prints its outcome as JSON, so a test can run it as another user
 * (test/unprivileged.ts) or stop it if it hangs. Arguments: OP JSON, with OP one of `read`, `read-sync`, `write`
 * ({file, text, expectedFingerprint?}) and `restore` ({backupPath, targetPath?}). Prints {"ok":true,"value"} or
 * {"ok":false,"name","message"}.
 */
import { readDomainFile, readDomainFileSync } from '../main/services/read-domain-file';
import { restoreBackup, writeFileSafely } from '../main/services/write-domain-file';

const [op = '', json = '{}'] = process.argv.slice(2);
const args = JSON.parse(json) as {
  file: string;
  text: string;
  expectedFingerprint?: string | null;
  backupPath: string;
  targetPath?: string;
};

async function run(): Promise<unknown> {
  if (op === 'read') return readDomainFile(args.file);
  if (op === 'read-sync') return readDomainFileSync(args.file);
  if (op === 'write') return writeFileSafely(args.file, args.text, { expectedFingerprint: args.expectedFingerprint });
  if (op === 'restore') return restoreBackup(args.backupPath, args.targetPath);
  throw new Error(`unknown operation ${op}`);
}

run().then(
  (value) => process.stdout.write(JSON.stringify({ ok: true, value })),
  (e: unknown) =>
    process.stdout.write(
      JSON.stringify({ ok: false, name: (e as Error).name, message: (e as Error).message, problem: (e as { problem?: string }).problem }),
    ),
);
