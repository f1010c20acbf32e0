import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../test/real-parts';
import { codeCacheFile, type CodeCacheState } from './code-cache';

let dir = '';
let bundle = '';
let cacheDir = '';

// A bundle with enough code for V8 to cache, that says how it was run.
const SOURCE = `const path = require('node:path');
function sum(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }
module.exports.where = path.basename(__dirname);
module.exports.file = path.basename(__filename);
module.exports.sum = sum(100);
`;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-code-cache-'));
  bundle = path.join(dir, 'bundle.cjs');
  writeFileSync(bundle, SOURCE);
  cacheDir = path.join(dir, 'cache');
});

/** One launcher run in a fresh Node (test/code-cache-driver.ts), saving the cache unless told not to. */
function launch(cacheFile: string, save = true): { state: CodeCacheState; exports: unknown } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'test/code-cache-driver.ts'), bundle, cacheFile, save ? 'save' : ''],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { state: CodeCacheState; exports: unknown };
}

describe('runWithCodeCache', () => {
  it('runs the bundle as node would, writes the cache once, then uses it', () => {
    const file = codeCacheFile(bundle, 'check', cacheDir);
    const first = launch(file);
    expect(first).toEqual({ state: 'missing', exports: { where: path.basename(dir), file: 'bundle.cjs', sum: 4950 } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(launch(file)).toEqual({ ...first, state: 'used' });
  });

  it('refuses a damaged cache (V8 rejects it), runs anyway, and replaces it', () => {
    const file = codeCacheFile(bundle, 'plan', cacheDir);
    launch(file);
    writeFileSync(file, Buffer.alloc(statSync(file).size, 7), { mode: 0o600 });
    expect(launch(file)).toMatchObject({ state: 'rejected', exports: { sum: 4950 } });
    expect(launch(file).state).toBe('used');
  });

  it('never loads a cache others could have written', () => {
    const file = codeCacheFile(bundle, 'plan', cacheDir);
    launch(file);
    chmodSync(file, 0o620);
    expect(launch(file, false).state).toBe('untrusted');
    chmodSync(file, 0o600);
    expect(launch(file).state).toBe('used');
    // Only root can give a file away; everyone else is covered by the mode check above.
    if (process.getuid?.() === 0) {
      chownSync(file, 65534, 65534);
      expect(launch(file, false).state).toBe('untrusted');
    }
  });

  it('keys the file by the bundle build, so a rebuilt bundle never meets an old cache, which is removed', () => {
    const old = codeCacheFile(bundle, 'check', cacheDir);
    const otherCommand = codeCacheFile(bundle, 'plan', cacheDir);
    launch(old);
    launch(otherCommand);
    writeFileSync(bundle, `${SOURCE}module.exports.rebuilt = true;\n`);
    const fresh = codeCacheFile(bundle, 'check', cacheDir);
    expect(fresh).not.toBe(old);
    expect(launch(fresh)).toMatchObject({ state: 'missing', exports: { rebuilt: true } });
    expect(existsSync(old)).toBe(false);
    expect(readdirSync(cacheDir).sort()).toEqual([path.basename(fresh), path.basename(otherCommand)].sort());
  });

  it('a cache folder that cannot be written costs nothing but speed', () => {
    writeFileSync(cacheDir, 'not a folder');
    expect(launch(codeCacheFile(bundle, 'check', cacheDir))).toMatchObject({ state: 'missing', exports: { sum: 4950 } });
  });
});
