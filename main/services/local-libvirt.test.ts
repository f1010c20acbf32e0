import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Version } from '../../src/contracts/facts';
import { parseVersion } from '../../src/contracts/version';
import { missingParts } from '../../test/real-parts';
import { readLocalLibvirtVersion } from './local-libvirt';
import { getVersions } from './libvirt';

const missing = missingParts('virsh', 'schemas');

describe.skipIf(missing)(`this machine's libvirt version, remembered per schema file ${missing ? `(skipped: ${missing})` : ''}`, () => {
  const virshSays = parseVersion(
    /Using library: libvirt (\S+)/.exec(spawnSync('virsh', ['-c', 'test:///default', 'version'], { encoding: 'utf8' }).stdout)![1]!,
  );

  /** virsh itself, counted. */
  const counted = () => {
    const asked = { times: 0 };
    const ask = async (): Promise<Version | null> => {
      asked.times++;
      const v = await getVersions('test:///default');
      return v.libvirt === null ? null : parseVersion(v.libvirt);
    };
    return { asked, ask };
  };

  /** A schema file of its own (a copy of the installed one) and an empty cache folder. */
  const setup = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-local-libvirt-'));
    const schemaFile = path.join(dir, 'domain.rng');
    copyFileSync('/usr/share/libvirt/schemas/domain.rng', schemaFile);
    return { schemaFile, cacheDir: path.join(dir, 'cache') };
  };

  it('asks virsh once, then answers from the cache for the same schema file', async () => {
    const { schemaFile, cacheDir } = setup();
    const { asked, ask } = counted();
    expect(await readLocalLibvirtVersion({ schemaFile, cacheDir, ask })).toEqual(virshSays);
    expect(await readLocalLibvirtVersion({ schemaFile, cacheDir, ask })).toEqual(virshSays);
    expect(asked.times).toBe(1);
    expect(JSON.parse(readFileSync(path.join(cacheDir, 'libvirt-version.json'), 'utf8'))).toMatchObject({
      version: `${virshSays!.major}.${virshSays!.minor}.${virshSays!.micro}`,
    });
  });

  it('asks again once the schema file is replaced, as a libvirt upgrade replaces it, even with the same bytes', async () => {
    const { schemaFile, cacheDir } = setup();
    const { asked, ask } = counted();
    await readLocalLibvirtVersion({ schemaFile, cacheDir, ask });
    // What a package manager does: a new file renamed over the old one.
    copyFileSync(schemaFile, `${schemaFile}.new`);
    renameSync(`${schemaFile}.new`, schemaFile);
    expect(await readLocalLibvirtVersion({ schemaFile, cacheDir, ask })).toEqual(virshSays);
    expect(asked.times).toBe(2);
  });

  it('asks again when the cache is damaged, and does not remember an unknown answer', async () => {
    const { schemaFile, cacheDir } = setup();
    const { asked, ask } = counted();
    await readLocalLibvirtVersion({ schemaFile, cacheDir, ask });
    writeFileSync(path.join(cacheDir, 'libvirt-version.json'), '{"key":');
    expect(await readLocalLibvirtVersion({ schemaFile, cacheDir, ask })).toEqual(virshSays);
    expect(asked.times).toBe(2);

    const fresh = setup();
    expect(await readLocalLibvirtVersion({ ...fresh, ask: async () => null })).toBeNull();
    expect(existsSync(path.join(fresh.cacheDir, 'libvirt-version.json'))).toBe(false);
  });

  it('asks every time without a cache folder, or when the schema file cannot be read', async () => {
    const { schemaFile, cacheDir } = setup();
    const { asked, ask } = counted();
    await readLocalLibvirtVersion({ schemaFile, cacheDir: null, ask });
    await readLocalLibvirtVersion({ schemaFile, cacheDir: null, ask });
    await readLocalLibvirtVersion({ schemaFile: `${schemaFile}.missing`, cacheDir, ask });
    await readLocalLibvirtVersion({ schemaFile: `${schemaFile}.missing`, cacheDir, ask });
    expect(asked.times).toBe(4);
  });
});
