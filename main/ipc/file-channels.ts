/**
 * The file.* channels: reading, saving, listing backups and restoring, limited to the files the user opened,
 * picked or confirmed (file-grants.ts). Who confirms: in the Electron window, main's own dialogs, which the
 * renderer cannot answer for; in serve mode, whoever holds the token is the user (docs/security.md). Only domain
 * XML crosses the boundary in either direction: a file that is not well-formed domain XML is refused without its
 * content, and only domain XML is written.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { IpcChannel, IpcRequest, IpcResponse } from '../../src/contracts/ipc';
import { parseDomainXml } from '../../src/domain-xml';
import { listBackups } from '../services/backup-store';
import { errnoOf, fingerprintOf, readDomainFile } from '../services/read-domain-file';
import { SchemaUnavailableError, validateDomainDocument } from '../services/schema';
import { checkUnchanged, restoreBackup, writeFileSafely } from '../services/write-domain-file';
import type { FileGrants } from './file-grants';
import { ServiceRefusal } from './service-error';

type FileChannel = Extract<IpcChannel, `file.${string}`>;
type FileHandlers = { readonly [C in FileChannel]: (req: IpcRequest<C>) => Promise<IpcResponse<C>> };

/** What main can ask the user itself; absent in serve mode, where the browser tab is the user's only window. */
export interface UserConfirmation {
  /** The native open dialog; null when cancelled. */
  pickFile(): Promise<string | null>;
  /** Asks whether to open `file`, a path the user typed in the window; true when confirmed. */
  confirmOpen(file: string): Promise<boolean>;
  /** The native save dialog, starting at `file`; the path the user confirmed, null when cancelled. */
  confirmSaveAs(file: string): Promise<string | null>;
}

const OPEN_FIRST = 'Open the file first (Start → Open a domain XML file): you then see what you would replace, and it can be saved.';

function notPermitted(message: string, hint = OPEN_FIRST): ServiceRefusal {
  return new ServiceRefusal('not-permitted', message, hint);
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (e) {
    return errnoOf(e) !== 'ENOENT';
  }
}

/** Reads a domain file; one that is not well-formed domain XML is refused, its content never returned. */
async function readDomain(file: string): Promise<IpcResponse<'file.read'>> {
  const read = await readDomainFile(file);
  parseDomainXml(read.text, file);
  return read;
}

async function validateBeforeSave(file: string, text: string): Promise<void> {
  let result;
  try {
    result = await validateDomainDocument({ name: file, text });
  } catch (e) {
    if (!(e instanceof SchemaUnavailableError)) throw e;
    throw new ServiceRefusal(
      'schema-unavailable',
      e.message,
      'Save without validation only if you accept that libvirt may refuse the file.',
    );
  }
  if (!result.valid) {
    const first = result.errors
      .slice(0, 3)
      .map((e) => `line ${e.line}: ${e.message}`)
      .join('; ');
    throw new ServiceRefusal(
      'schema-invalid',
      `The XML does not validate against libvirt's schema, so nothing was written: ${first}`,
      'Fix the element named, or undo the change that introduced it.',
    );
  }
}

/**
 * What saving to `file` would do (serve mode's Save As field checks it as the user types): whether the folder is
 * there and writable, whether something is there, and whether this session may replace it (it was opened here).
 */
async function inspectSaveTarget(file: string, grants: FileGrants): Promise<IpcResponse<'file.inspect'>> {
  const absolute = path.isAbsolute(file);
  const folder = path.dirname(path.resolve(file));
  const stat = await fs.lstat(file).catch(() => null);
  const folderStat = await fs.stat(folder).catch(() => null);
  const folderWritable = folderStat?.isDirectory()
    ? await fs.access(folder, fsConstants.W_OK).then(
        () => true,
        () => false,
      )
    : false;
  return {
    absolute,
    exists: stat !== null,
    isFile: stat?.isFile() ?? false,
    granted: stat !== null && (await grants.has(file)),
    folderExists: folderStat?.isDirectory() ?? false,
    folderWritable,
  };
}

export function createFileHandlers(grants: FileGrants, confirm: UserConfirmation | undefined): FileHandlers {
  /** Where a save to `file` may go: a granted file, a path confirmed in main's save dialog, or (serve) a new .xml file. */
  const saveTarget = async (file: string): Promise<string> => {
    if (await grants.has(file)) return file;
    if (confirm) {
      const chosen = await confirm.confirmSaveAs(file);
      if (chosen === null)
        throw new ServiceRefusal(
          'cancelled',
          `Saving to ${file} was cancelled; nothing was written.`,
          'Save again and confirm where to write.',
        );
      return chosen;
    }
    if (await exists(file)) throw notPermitted(`${file} exists and was not opened in this session; nothing was written.`);
    if (!file.endsWith('.xml'))
      throw notPermitted(`${file}: a new file must be named *.xml; nothing was written.`, 'Choose a name ending in .xml.');
    return file;
  };

  return {
    'file.inspect': async ({ path: file }) => {
      // In the window the save dialog of main is where a path is chosen; the renderer learns nothing of paths there.
      if (confirm) throw notPermitted('Paths are checked in the save dialog in this window.', 'Use Save as….');
      return inspectSaveTarget(file, grants);
    },
    'file.read': async ({ path: file }) => {
      if (!(await grants.has(file)) && confirm && !(await confirm.confirmOpen(file)))
        throw new ServiceRefusal('cancelled', `Opening ${file} was not confirmed; nothing was read.`, 'Open it again and confirm.');
      const read = await readDomain(file);
      await grants.grant(file);
      return read;
    },
    'file.pick': async () => {
      const chosen = confirm ? await confirm.pickFile() : null;
      if (chosen === null) return null;
      const read = await readDomain(chosen);
      await grants.grant(chosen);
      return read;
    },
    'file.save': async ({ path: file, text, expectedFingerprint, validate }) => {
      parseDomainXml(text, file);
      const target = await saveTarget(file);
      const expected = target === file ? expectedFingerprint : undefined;
      // A file that changed is refused before the (slower) validation, and again at the write.
      await checkUnchanged(target, expected);
      if (validate) await validateBeforeSave(target, text);
      const { backupPath } = await writeFileSafely(target, text, { expectedFingerprint: expected });
      await grants.grant(target);
      if (backupPath) await grants.grantBackups(target, [backupPath]);
      return { path: target, backupPath, fingerprint: fingerprintOf(text) };
    },
    'file.backups': async ({ path: file }) => {
      if (!(await grants.has(file))) throw notPermitted(`${file} was not opened in this session, so its backups are not listed.`);
      const list = await listBackups(file);
      await grants.grantBackups(
        file,
        list.map((b) => b.backupPath),
      );
      return list.map((b) => ({ backupPath: b.backupPath, createdAt: b.createdAt }));
    },
    'file.restore': async ({ backupPath, path: file }) => {
      if (!grants.hasBackup(backupPath)) throw notPermitted(`${backupPath} is not a backup listed in this session; nothing was written.`);
      if (!(await grants.has(file))) throw notPermitted(`${file} was not opened in this session; nothing was written.`);
      const r = await restoreBackup(backupPath, file);
      if (r.backupPath) await grants.grantBackups(file, [r.backupPath]);
      return { path: r.targetPath, backupPath: r.backupPath };
    },
  };
}
