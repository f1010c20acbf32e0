import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingParts } from '../../test/real-parts';
import { loadOsinfo } from './osinfo';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vaw-osinfo-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function osXml(id: string, body: string): string {
  return `<?xml version="1.0"?>\n<libosinfo version="0.0.1">\n  <os id="${id}">\n${body}\n  </os>\n</libosinfo>\n`;
}

describe('loadOsinfo on a small tree', () => {
  const dir = path.join(tmp, 'db');
  mkdirSync(path.join(dir, 'os/example.org'), { recursive: true });
  writeFileSync(
    path.join(dir, 'os/example.org/ex-1.xml'),
    osXml(
      'http://example.org/ex/1',
      '<short-id>ex1</short-id><name>Example 1</name><family>linux</family><release-date>2019-01-01</release-date><devices><device id="http://pcisig.com/pci/1af4/1000"/></devices>',
    ),
  );
  writeFileSync(
    path.join(dir, 'os/example.org/ex-2.xml'),
    osXml(
      'http://example.org/ex/2',
      '<short-id>ex2</short-id><name>Example 2</name><family>linux</family><release-date>2021-01-01</release-date><derives-from id="http://example.org/ex/1"/><devices><device id="http://pcisig.com/pci/1af4/1041"/></devices>',
    ),
  );
  writeFileSync(
    path.join(dir, 'os/example.org/ex-3.xml'),
    osXml(
      'http://example.org/ex/3',
      '<short-id>ex3</short-id><name>Example 3</name><family>winnt</family><upgrades id="http://example.org/ex/2"/>',
    ),
  );

  it('inherits virtio 1.0 support along derives-from/upgrades, and leaves unlisted support unknown', async () => {
    const db = await loadOsinfo(dir, { cacheDir: null });
    expect(db.lookup('http://example.org/ex/1').virtio1).toBe('unknown');
    expect(db.lookup('http://example.org/ex/2').virtio1).toBe('yes');
    expect(db.lookup('http://example.org/ex/3')).toEqual({
      osinfoId: 'http://example.org/ex/3',
      name: 'Example 3',
      family: 'windows',
      virtio1: 'yes',
      kernelVersion: 'unknown',
    });
  });

  it('finds by short id, searches names, lists newest first', async () => {
    const db = await loadOsinfo(dir, { cacheDir: null });
    expect(db.lookup('ex2').osinfoId).toBe('http://example.org/ex/2');
    expect(db.search('example 2').map((e) => e.id)).toEqual(['http://example.org/ex/2']);
    expect(db.list().map((e) => e.shortId)).toEqual(['ex2', 'ex1', 'ex3']);
  });

  it('answers unknown for an id it does not know', async () => {
    const db = await loadOsinfo(dir, { cacheDir: null });
    expect(db.lookup('http://example.org/none')).toMatchObject({
      osinfoId: 'http://example.org/none',
      virtio1: 'unknown',
      family: 'unknown',
    });
  });

  it('names the folder and the package when osinfo-db is missing', async () => {
    await expect(loadOsinfo(path.join(tmp, 'nothing'), { cacheDir: null })).rejects.toThrow(
      /osinfo-db is not at .*apt-get install osinfo-db/,
    );
  });
});

describe('the on-disk index cache', () => {
  const dir = path.join(tmp, 'cached-db');
  const vendor = path.join(dir, 'os/example.org');
  const file = path.join(vendor, 'ex-1.xml');
  const cacheDir = path.join(tmp, 'cache');
  mkdirSync(vendor, { recursive: true });
  writeFileSync(file, osXml('http://example.org/ex/1', '<short-id>ex1</short-id><name>Example 1</name>'));

  it('is written on first load and reused while osinfo-db is unchanged', async () => {
    expect((await loadOsinfo(dir, { cacheDir })).lookup('ex1').name).toBe('Example 1');
    expect(JSON.parse(readFileSync(path.join(cacheDir, 'osinfo-index.json'), 'utf8')).entries).toHaveLength(1);
    // Rewriting a file in place leaves the folder times alone: the old answer shows the cache was used.
    const before = statSync(vendor).mtimeMs;
    writeFileSync(file, osXml('http://example.org/ex/1', '<short-id>ex1</short-id><name>Renamed</name>'));
    expect(statSync(vendor).mtimeMs).toBe(before);
    expect((await loadOsinfo(dir, { cacheDir })).lookup('ex1').name).toBe('Example 1');
  });

  it('is ready without a turn of the event loop, for a caller that keeps its thread busy until it looks up', async () => {
    await loadOsinfo(dir, { cacheDir });
    let index: Awaited<ReturnType<typeof loadOsinfo>> | undefined;
    void loadOsinfo(dir, { cacheDir }).then((i) => (index = i));
    // Microtasks only: a file read on the event loop would still be pending here.
    for (let i = 0; i < 5 && index === undefined; i++) await Promise.resolve();
    expect(index?.lookup('ex1').name).toBe('Example 1');
  });

  it('is rebuilt when a vendor folder changes (as a package upgrade replacing files does)', async () => {
    utimesSync(vendor, new Date(), new Date(Date.now() + 5000));
    expect((await loadOsinfo(dir, { cacheDir })).lookup('ex1').name).toBe('Renamed');
  });

  it('is rebuilt when damaged', async () => {
    writeFileSync(path.join(cacheDir, 'osinfo-index.json'), '{"key": ');
    expect((await loadOsinfo(dir, { cacheDir })).lookup('ex1').name).toBe('Renamed');
    expect(() => JSON.parse(readFileSync(path.join(cacheDir, 'osinfo-index.json'), 'utf8'))).not.toThrow();
  });
});

const missing = missingParts('osinfo');
describe.skipIf(missing)(`loadOsinfo on the host's osinfo-db ${missing ? '(skipped: ' + missing + ')' : ''}`, () => {
  it('knows a Linux distribution listing modern virtio ids and a Windows release', async () => {
    const db = await loadOsinfo(undefined, { cacheDir: null });
    expect(db.list().length).toBeGreaterThan(300);
    const withModern = db.list().filter((e) => e.virtio1 === 'yes');
    expect(withModern.length).toBeGreaterThan(0);
    const fedora = db.search('fedora').find((e) => e.virtio1 === 'yes');
    expect(fedora?.family).toBe('linux');
    const win = db.search('windows').at(0);
    expect(win?.family).toBe('windows');
  });

  it('says RHEL 6 and the rebuilds on its kernel have no VIRTIO 1.0 drivers, and leaves releases it cannot know unknown', async () => {
    const db = await loadOsinfo(undefined, { cacheDir: null });
    const says = (id: string) => db.lookup(id).virtio1;
    expect(['rhel6.0', 'rhel6.10', 'centos6.10', 'http://scientificlinux.org/scientificlinux/6.10'].map(says)).toEqual([
      'no',
      'no',
      'no',
      'no',
    ]);
    // Oracle Linux 6 may run a UEK kernel with the drivers; RHEL 7.0's kernel may have been updated since install.
    expect(['ol6.10', 'rhel7.0', 'ubuntu16.04'].map(says)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(['rhel7.4', 'rhel8.0'].map(says)).toEqual(['yes', 'yes']);
  });

  it('answers every listed id and short id from the index', async () => {
    const db = await loadOsinfo(undefined, { cacheDir: null });
    for (const e of db.list()) {
      expect(db.lookup(e.id).osinfoId).toBe(e.id);
      if (e.shortId) expect(db.lookup(e.shortId).osinfoId).toBe(e.id);
    }
  });

  it('matches what the osinfo file says for one real OS', async () => {
    const db = await loadOsinfo(undefined, { cacheDir: null });
    const file = '/usr/share/osinfo/os/debian.org/debian-testing.xml';
    const text = readFileSync(file, 'utf8');
    const id = /<os id="([^"]+)"/.exec(text)?.[1] ?? '';
    expect(db.lookup(id).name).toBe(/<name>([^<]+)<\/name>/.exec(text)?.[1]);
  });
});
