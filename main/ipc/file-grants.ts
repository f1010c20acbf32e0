/**
 * The files the renderer may reach through the file.* channels: the ones the user opened, picked or confirmed in
 * this session, and the backups of those. Main records them; every other path is refused before any service runs.
 * A path is known by its canonical form (symbolic links resolved, for a new file its folder's), so a second
 * spelling of a granted file is the same grant and a link does not smuggle in another file.
 * docs/security.md says who may grant what (the Electron window through main's own dialogs; serve mode's token).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** The canonical path of `file`: its real path, or for one that does not exist yet its folder's real path plus its name. */
export async function canonicalPath(file: string): Promise<string> {
  const abs = path.resolve(file);
  try {
    return await fs.realpath(abs);
  } catch {
    return path.join(await fs.realpath(path.dirname(abs)).catch(() => path.dirname(abs)), path.basename(abs));
  }
}

export class FileGrants {
  private readonly files = new Set<string>();
  /** Backup path (resolved) → the canonical path of the file it is a backup of. */
  private readonly backups = new Map<string, string>();

  /** Records that the user opened, picked or confirmed `file`. */
  async grant(file: string): Promise<void> {
    this.files.add(await canonicalPath(file));
  }

  async has(file: string): Promise<boolean> {
    return this.files.has(await canonicalPath(file));
  }

  /** Records backups listed or taken of a granted file. */
  async grantBackups(of: string, backupPaths: readonly string[]): Promise<void> {
    const original = await canonicalPath(of);
    for (const b of backupPaths) this.backups.set(path.resolve(b), original);
  }

  /** Whether `backupPath` is a backup this session listed or took of a granted file. */
  hasBackup(backupPath: string): boolean {
    const original = this.backups.get(path.resolve(backupPath));
    return original !== undefined && this.files.has(original);
  }
}
