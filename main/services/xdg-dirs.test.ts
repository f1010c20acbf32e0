import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appCacheDir, appDir } from './xdg-dirs';

describe('appDir', () => {
  it.each([
    ['cache', 'XDG_CACHE_HOME', '.cache'],
    ['config', 'XDG_CONFIG_HOME', '.config'],
    ['state', 'XDG_STATE_HOME', '.local/state'],
  ] as const)('%s follows %s when it is absolute, else ~/%s', (kind, variable, fallback) => {
    expect(appDir(kind, { [variable]: '/x' })).toBe('/x/virtio-access-wizard');
    expect(appDir(kind, { [variable]: 'relative/dir' })).toBe(path.join(os.homedir(), fallback, 'virtio-access-wizard'));
    expect(appDir(kind, {})).toBe(path.join(os.homedir(), fallback, 'virtio-access-wizard'));
  });

  it('appCacheDir is the cache folder', () => {
    expect(appCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/virtio-access-wizard');
  });
});
