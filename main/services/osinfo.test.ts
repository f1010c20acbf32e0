import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingParts } from '../../test/real-parts';
import { DEFAULT_OSINFO_DIR, loadOsinfo } from './osinfo';

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
      name: 'http://example.org/none (not in this osinfo-db)',
      virtio1: 'unknown',
      family: 'unknown',
    });
  });

  it("takes an id it does not know under Microsoft's Windows id space as Windows, and says it was not found", async () => {
    const db = await loadOsinfo(dir, { cacheDir: null });
    expect(db.lookup('http://microsoft.com/win/2k99')).toMatchObject({
      name: 'http://microsoft.com/win/2k99 (not in this osinfo-db)',
      family: 'windows',
      virtio1: 'unknown',
    });
  });

  it('names the folder and the package when osinfo-db is missing', async () => {
    await expect(loadOsinfo(path.join(tmp, 'nothing'), { cacheDir: null })).rejects.toThrow(
      /osinfo-db is not at .*apt-get install osinfo-db/,
    );
  });
});

/**
 * A tree laid out like osinfo-db's Windows 7: win-7.xml with the family, name, release date and derives-from, and a
 * partial `<os>` element with the same id in another file, as osinfo-db's win-7.d/*-installable-drivers.xml
 * (a short id and drivers, nothing else). Vista lists a modern virtio id here (it does not in osinfo-db), so that
 * Windows 7 says virtio1 'yes' only if the main file's derives-from survives the merge.
 */
const WIN7 = 'http://microsoft.com/win/7';
const WIN7_MAIN = osXml(
  WIN7,
  '<short-id>win7</short-id><name>Microsoft Windows 7</name><family>winnt</family><derives-from id="http://microsoft.com/win/vista"/><release-date>2009-10-22</release-date>',
);
const WIN7_PARTIAL = osXml(
  WIN7,
  '<short-id>win7</short-id><driver arch="x86_64" location="https://example.org/drivers" signed="false"><file>netkvm.inf</file><device id="http://pcisig.com/pci/1af4/1041"/></driver>',
);

function win7Tree(name: string, files: readonly (readonly [string, string])[]): string {
  const dir = path.join(tmp, name);
  const vendor = path.join(dir, 'os/microsoft.com');
  mkdirSync(path.join(vendor, 'win-7.d'), { recursive: true });
  writeFileSync(
    path.join(vendor, 'win-vista.xml'),
    osXml(
      'http://microsoft.com/win/vista',
      '<short-id>winvista</short-id><name>Microsoft Windows Vista</name><family>winnt</family><devices><device id="http://pcisig.com/pci/1af4/1041"/></devices>',
    ),
  );
  for (const [file, text] of files) writeFileSync(path.join(vendor, file), text);
  return dir;
}

describe('loadOsinfo on an OS whose <os> element is split over several files', () => {
  // Both orders of the two files: written (so listed) before or after each other, in the main file's .d folder as
  // osinfo-db has them, or beside it with a name sorting before or after it.
  const layouts: { order: string; tree: string; files: [string, string][] }[] = [
    {
      order: 'win-7.d partial written last',
      tree: 'split-d-main-first',
      files: [
        ['win-7.xml', WIN7_MAIN],
        ['win-7.d/post-installable-drivers.xml', WIN7_PARTIAL],
      ],
    },
    {
      order: 'win-7.d partial written first',
      tree: 'split-d-partial-first',
      files: [
        ['win-7.d/pre-installable-drivers.xml', WIN7_PARTIAL],
        ['win-7.xml', WIN7_MAIN],
      ],
    },
    {
      order: 'partial beside, named before',
      tree: 'split-beside-before',
      files: [
        ['win-7.xml', WIN7_MAIN],
        ['a-installable-drivers.xml', WIN7_PARTIAL],
      ],
    },
    {
      order: 'partial beside, named after',
      tree: 'split-beside-after',
      files: [
        ['z-installable-drivers.xml', WIN7_PARTIAL],
        ['win-7.xml', WIN7_MAIN],
      ],
    },
  ];

  it.each(layouts)(
    'merges them as libosinfo does, keeping the family and name the partial file lacks ($order)',
    async ({ tree, files }) => {
      const dir = win7Tree(tree, files);
      const db = await loadOsinfo(dir, { cacheDir: null });
      expect(db.lookup(WIN7)).toEqual({
        osinfoId: WIN7,
        name: 'Microsoft Windows 7',
        family: 'windows',
        virtio1: 'yes',
        kernelVersion: 'unknown',
      });
      expect(db.lookup('win7').osinfoId).toBe(WIN7);
      expect(db.list().find((e) => e.id === WIN7)?.releaseDate).toBe('2009-10-22');
      expect(db.list().filter((e) => e.id === WIN7)).toHaveLength(1);
    },
  );

  it('lets a field a .d file has replace the main file’s, however the files are listed', async () => {
    const renamed = osXml(WIN7, '<name>Microsoft Windows 7 (with drivers)</name>');
    for (const [i, files] of [
      [
        ['win-7.xml', WIN7_MAIN],
        ['win-7.d/x.xml', renamed],
      ],
      [
        ['win-7.d/x.xml', renamed],
        ['win-7.xml', WIN7_MAIN],
      ],
    ].entries()) {
      const db = await loadOsinfo(win7Tree(`override-${i}`, files as [string, string][]), { cacheDir: null });
      expect(db.lookup(WIN7)).toMatchObject({ name: 'Microsoft Windows 7 (with drivers)', family: 'windows' });
    }
  });

  it('does not reuse an index cached by the version that kept only one of the elements', async () => {
    const dir = win7Tree('stale-cache-db', [
      ['win-7.xml', WIN7_MAIN],
      ['win-7.d/post-installable-drivers.xml', WIN7_PARTIAL],
    ]);
    const cacheDir = path.join(tmp, 'stale-cache');
    mkdirSync(cacheDir, { recursive: true });
    // The key that version ('index 2') gave this tree, with an entry as it built it (the partial element's, family
    // 'other'), marked so that a reused cache shows.
    const osDir = path.join(dir, 'os');
    const folders = [
      osDir,
      ...readdirSync(osDir, { withFileTypes: true })
        .filter((v) => v.isDirectory())
        .map((v) => path.join(osDir, v.name)),
    ];
    const oldKey = ['index 2', path.resolve(dir), 'no VERSION', ...folders.map((d) => `${d}:${statSync(d).mtimeMs}`)].join('\n');
    const stale = { id: WIN7, shortId: 'win7', name: 'cached by index 2', family: 'other', releaseDate: null, virtio1: 'unknown' };
    writeFileSync(path.join(cacheDir, 'osinfo-index.json'), JSON.stringify({ key: oldKey, entries: [stale] }));
    const rebuilt = { name: 'Microsoft Windows 7', family: 'windows', virtio1: 'yes' };
    expect((await loadOsinfo(dir, { cacheDir })).lookup(WIN7)).toMatchObject(rebuilt);
    // The rebuilt index replaced it, and is what the next run reads.
    expect(readFileSync(path.join(cacheDir, 'osinfo-index.json'), 'utf8')).not.toContain('cached by index 2');
    expect((await loadOsinfo(dir, { cacheDir })).lookup(WIN7)).toMatchObject(rebuilt);
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

  it('says RHEL 4, 5 and 6 and the rebuilds on their kernels have no VIRTIO 1.0 drivers, and leaves releases it cannot know unknown', async () => {
    const db = await loadOsinfo(undefined, { cacheDir: null });
    const says = (id: string) => db.lookup(id).virtio1;
    expect(['rhel6.0', 'rhel6.10', 'centos6.10', 'http://scientificlinux.org/scientificlinux/6.10'].map(says)).toEqual([
      'no',
      'no',
      'no',
      'no',
    ]);
    expect(['http://redhat.com/rhel/5.11', 'http://redhat.com/rhel/4.9', 'http://centos.org/centos/5.11'].map(says)).toEqual([
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

  it('gives Windows 7, 8, 8.1, XP and 10 the Windows family and their names, though files in their .d folders repeat their ids', async () => {
    const db = await loadOsinfo(undefined, { cacheDir: null });
    const windows = ['7', '8', '8.1', 'xp', '10'].map((v) => db.lookup(`http://microsoft.com/win/${v}`));
    expect(windows.map((g) => [g.name, g.family])).toEqual([
      ['Microsoft Windows 7', 'windows'],
      ['Microsoft Windows 8', 'windows'],
      ['Microsoft Windows 8.1', 'windows'],
      ['Microsoft Windows XP', 'windows'],
      ['Microsoft Windows 10', 'windows'],
    ]);
    expect(['win7', 'win8', 'win8.1', 'winxp', 'win10'].map((s) => db.lookup(s).family)).toEqual(Array(5).fill('windows'));
    expect(db.list().find((e) => e.id === 'http://microsoft.com/win/7')?.releaseDate).toBe('2009-10-22');
  });

  it("keeps, for every OS, the name and family of its main file (not of a .d folder's partial file)", async () => {
    const db = await loadOsinfo(undefined, { cacheDir: null });
    const osDir = path.join(DEFAULT_OSINFO_DIR, 'os');
    const mains = readdirSync(osDir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith('.xml') && !e.parentPath.endsWith('.d'))
      .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'))
      .filter((text) => text.split('<os id=').length === 2);
    expect(mains.length).toBeGreaterThan(300);
    const family = (raw: string | undefined) =>
      raw === 'linux' ? 'linux' : ['winnt', 'win9x', 'msdos', 'windows'].includes(raw ?? '') ? 'windows' : 'other';
    for (const text of mains) {
      const id = /<os id="([^"]+)"/.exec(text)?.[1] ?? '';
      const name = /<name>([^<]+)<\/name>/.exec(text)?.[1];
      const fam = /<family>([^<]+)<\/family>/.exec(text)?.[1];
      expect([id, db.lookup(id).name, db.lookup(id).family]).toEqual([id, name ?? id, family(fam)]);
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
