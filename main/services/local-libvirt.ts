/**
 * This machine's libvirt version, whose schemas (/usr/share/libvirt/schemas) validate here: what says that a
 * <launchSecurity type='sev-snp'> refused by them is newer than they are (src/schema/newer-element.ts). virsh's
 * embedded test driver answers without a daemon, but starting virsh costs a check of the corpus ~25 ms of a core
 * it needs; so the answer is remembered in the app's cache folder for the schema file it was given for. A libvirt
 * upgrade replaces that file (a package manager writes a new one: new inode, new times), and the next call asks
 * virsh again.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Version } from '../../src/contracts/facts';
import { formatVersion, parseVersion } from '../../src/contracts/version';
import { readKeyedCacheSync, writeKeyedCache } from './keyed-cache';
import { getVersions } from './libvirt';
import { DEFAULT_SCHEMA_DIR } from './schema';
import { appCacheDir } from './xdg-dirs';

const CACHE_FILE = 'libvirt-version.json';

export interface LocalLibvirtOptions {
  /** The schema file whose libvirt is asked for. */
  readonly schemaFile?: string;
  /** Where the answer is remembered; null: nowhere. */
  readonly cacheDir?: string | null;
  /** Asks libvirt itself (default: virsh -c test:///default version). */
  readonly ask?: () => Promise<Version | null>;
}

/** virsh's answer; null when virsh cannot say (not installed, failing). */
async function askVirsh(): Promise<Version | null> {
  try {
    const v = await getVersions('test:///default');
    return v.libvirt === null ? null : parseVersion(v.libvirt);
  } catch {
    return null;
  }
}

/** The identity of the schema file: any replacement of it changes one of these. Null when it cannot be read. */
function identityOf(file: string): string | null {
  try {
    const st = statSync(file, { bigint: true });
    return [file, st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(':');
  } catch {
    return null;
  }
}

/** The libvirt of `schemaFile`: remembered, or asked and then remembered (an unknown answer is not). */
export async function readLocalLibvirtVersion(options: LocalLibvirtOptions = {}): Promise<Version | null> {
  const cacheDir = options.cacheDir === undefined ? appCacheDir() : options.cacheDir;
  const key = cacheDir ? identityOf(options.schemaFile ?? path.join(DEFAULT_SCHEMA_DIR, 'domain.rng')) : null;
  const cached = cacheDir && key ? readKeyedCacheSync(cacheDir, CACHE_FILE, key) : null;
  const known = typeof cached?.version === 'string' ? parseVersion(cached.version) : null;
  if (known) return known;
  const version = await (options.ask ?? askVirsh)();
  if (version && cacheDir && key) {
    // A cache that cannot be written (read-only home) only costs speed next time.
    await writeKeyedCache(cacheDir, CACHE_FILE, key, { version: formatVersion(version) }).catch(() => undefined);
  }
  return version;
}

let local: Promise<Version | null> | undefined;

/** This machine's libvirt (`readLocalLibvirtVersion` with the defaults), read once per process. */
export function localLibvirtVersion(): Promise<Version | null> {
  return (local ??= readLocalLibvirtVersion());
}
