import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readKeyedCacheSync, writeKeyedCache } from './keyed-cache';

describe('a keyed cache file', () => {
  it('gives back what was written for the same key, and nothing for another', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'vaw-keyed-')), 'made', 'here');
    await writeKeyedCache(dir, 'c.json', 'k1', { version: '9.0.0' });
    expect(JSON.parse(readFileSync(path.join(dir, 'c.json'), 'utf8'))).toEqual({ key: 'k1', version: '9.0.0' });
    expect(readKeyedCacheSync(dir, 'c.json', 'k1')).toEqual({ key: 'k1', version: '9.0.0' });
    expect(readKeyedCacheSync(dir, 'c.json', 'k2')).toBeNull();
  });

  it('gives nothing for a missing, damaged or non-object file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-keyed-'));
    expect(readKeyedCacheSync(dir, 'missing.json', 'k')).toBeNull();
    for (const text of ['{"key": ', 'null', '"k"', '[1]']) {
      writeFileSync(path.join(dir, 'c.json'), text);
      expect(readKeyedCacheSync(dir, 'c.json', 'k')).toBeNull();
    }
  });
});
