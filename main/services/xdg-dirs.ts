/**
 * The app's folders under the XDG base directories (the one place that reads XDG_*_HOME): `cache` for what it
 * can rebuild (the osinfo-db index, the CLI's compiled code), `config` for the user's settings (recent files and
 * connections), `state` for what it must keep (backups).
 */
import os from 'node:os';
import path from 'node:path';

export type XdgKind = 'cache' | 'config' | 'state';

const VARIABLE: Readonly<Record<XdgKind, string>> = { cache: 'XDG_CACHE_HOME', config: 'XDG_CONFIG_HOME', state: 'XDG_STATE_HOME' };
const DEFAULT: Readonly<Record<XdgKind, readonly string[]>> = { cache: ['.cache'], config: ['.config'], state: ['.local', 'state'] };

/** `$XDG_<KIND>_HOME/virtio-access-wizard`, else the spec's default under the home folder (a relative XDG path is ignored, as the spec says). */
export function appDir(kind: XdgKind, env: NodeJS.ProcessEnv = process.env): string {
  const set = env[VARIABLE[kind]];
  const base = set && path.isAbsolute(set) ? set : path.join(os.homedir(), ...DEFAULT[kind]);
  return path.join(base, 'virtio-access-wizard');
}

/** `appDir('cache')`: the osinfo index and the CLI's code cache. */
export function appCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return appDir('cache', env);
}
