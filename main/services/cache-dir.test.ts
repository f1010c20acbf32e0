import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appCacheDir } from './cache-dir';

describe('appCacheDir', () => {
  it('follows XDG_CACHE_HOME when it is absolute, else ~/.cache', () => {
    expect(appCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/virtio-access-wizard');
    expect(appCacheDir({ XDG_CACHE_HOME: 'relative/cache' })).toBe(path.join(os.homedir(), '.cache/virtio-access-wizard'));
    expect(appCacheDir({})).toBe(path.join(os.homedir(), '.cache/virtio-access-wizard'));
  });
});
