/** Where the app keeps what it can rebuild (the osinfo-db index, the CLI's compiled code). */
import os from 'node:os';
import path from 'node:path';

/** `$XDG_CACHE_HOME/virtio-access-wizard`, else `~/.cache/virtio-access-wizard` (a relative XDG path is ignored, as the spec says). */
export function appCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'virtio-access-wizard');
}
