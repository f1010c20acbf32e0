/**
 * Guest knowledge from osinfo-db (the host's /usr/share/osinfo): name, family, release date, and whether the
 * guest's drivers handle virtio 1.0 (modern) devices. Indexed on first use and cached on disk until osinfo-db
 * changes; lookups are map reads.
 * osinfo-db only lists devices an OS supports, never ones it lacks, so "not listed" is unknown, not no.
 */
import { promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { GuestFacts, GuestFamily, Support } from '../../src/contracts/facts';
import { NO_GUEST_FACTS, UNKNOWN } from '../../src/contracts/facts';
import { parseXml } from '../../src/domain-xml';
import { readKeyedCacheSync, writeKeyedCache } from './keyed-cache';
import { appCacheDir } from './xdg-dirs';

/** One OS of the guest picker. */
export interface OsinfoEntry {
  readonly id: string;
  readonly shortId: string | null;
  readonly name: string;
  readonly family: GuestFamily;
  readonly releaseDate: string | null;
  readonly virtio1: Support;
}

/** The loaded index. */
export interface OsinfoIndex {
  readonly dir: string;
  lookup(id: string): GuestFacts;
  search(text: string, limit?: number): OsinfoEntry[];
  list(): readonly OsinfoEntry[];
}

/** What one `<os>` element says; null where it says nothing (a partial element in a `.d` file omits most fields). */
interface RawOs {
  readonly id: string;
  readonly shortId: string | null;
  readonly name: string | null;
  readonly family: string | null;
  readonly releaseDate: string | null;
  readonly modernVirtio: boolean;
  readonly parents: readonly string[];
}

export const DEFAULT_OSINFO_DIR = '/usr/share/osinfo';

/** Every Windows release in osinfo-db has an id under http://microsoft.com/win/. */
const WINDOWS_ID_SPACE = /^http:\/\/microsoft\.com\/win\//;

/** Virtio 1.0 (modern) PCI device ids are 1af4:1040 + device type, 1041 (net) to 107f. */
function isModernVirtioId(deviceId: string): boolean {
  const m = /^http:\/\/pcisig\.com\/pci\/1af4\/([0-9a-f]{4})$/i.exec(deviceId);
  if (!m?.[1]) return false;
  const n = parseInt(m[1], 16);
  return n >= 0x1041 && n <= 0x107f;
}

/**
 * Guests with no VIRTIO 1.0 drivers in any of their kernels: RHEL 4, 5 and 6 (2.6.9, 2.6.18 and 2.6.32 throughout
 * each release; Linux gained the modern virtio-pci driver in 4.0, and osinfo-db lists modern ids from RHEL 7.4, whose
 * 3.10 has it backported) and the rebuilds that ship their kernels, CentOS and Scientific Linux (not Oracle Linux,
 * whose UEK kernels are newer). osinfo-db lists only legacy virtio ids for them; Red Hat's QEMU test suite runs no
 * modern-only device on RHEL 6 (autotest/tp-qemu qemu/tests/cfg/virtio_mode.cfg: with_modern "no RHEL.6"); David
 * Gibson named RHEL 6 as the guest that breaks when ACCESS_PLATFORM is on by default (THREAD-2020). For any other
 * guest, a missing modern id in osinfo-db is no proof (it lists none for Ubuntu 16.04, whose Linux 4.4 has the
 * drivers), and the id the domain's metadata records is the release it was installed as, not the kernel it runs
 * now: it stays unknown.
 */
const LEGACY_VIRTIO_ONLY = /^http:\/\/(?:redhat\.com\/rhel|centos\.org\/centos|scientificlinux\.org\/scientificlinux)\/[456]\.\d+$/;

async function xmlFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.xml')).map((e) => path.join(e.parentPath, e.name));
}

function readOs(file: string, text: string): RawOs[] {
  const root = parseXml(text, file).root;
  return root.children('os').flatMap((os) => {
    const id = os.attr('id');
    if (!id) return [];
    const child = (n: string): string | null => os.child(n)?.text().trim() || null;
    const devices = os.child('devices')?.children('device') ?? [];
    return [
      {
        id,
        shortId: child('short-id'),
        name: child('name'),
        family: child('family'),
        releaseDate: child('release-date'),
        modernVirtio: devices.some((d) => isModernVirtioId(d.attr('id') ?? '')),
        parents: [...os.children('derives-from'), ...os.children('upgrades'), ...os.children('clones')]
          .map((e) => e.attr('id'))
          .filter((v): v is string => !!v),
      },
    ];
  });
}

function familyOf(raw: string | null): GuestFamily {
  if (raw === 'linux') return 'linux';
  if (raw === 'winnt' || raw === 'win9x' || raw === 'msdos' || raw === 'windows') return 'windows';
  return 'other';
}

/**
 * The order libosinfo's loader reads files in: by entity (`vendor/name.xml` and the files of `vendor/name.d/` are one
 * entity), its main file first and then the `.d` files that extend it, in name order. Compared by code unit: localeCompare
 * would load ICU's collation data (see loadOsinfo).
 */
function loadOrder(files: readonly string[]): string[] {
  const sortKey = (f: string): string => {
    const folder = path.dirname(f);
    return folder.endsWith('.d') ? `${folder.slice(0, -2)}\u0001${path.basename(f)}` : `${f.slice(0, -4)}\u0000`;
  };
  const keyed = files.map((f) => [sortKey(f), f] as const);
  return keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f);
}

/**
 * Several `<os>` elements with one id are one OS, as libosinfo loads them: osinfo-db's `win-7.d/*-installable-drivers.xml`
 * repeat Windows 7's id with a short id, a name and drivers but no family, release date or derives-from. Each field
 * the later element has replaces the earlier value, a field it lacks keeps it; derives-from/upgrades/clones and
 * devices add up.
 */
function mergeOs(earlier: RawOs, later: RawOs): RawOs {
  return {
    id: earlier.id,
    shortId: later.shortId ?? earlier.shortId,
    name: later.name ?? earlier.name,
    family: later.family ?? earlier.family,
    releaseDate: later.releaseDate ?? earlier.releaseDate,
    modernVirtio: earlier.modernVirtio || later.modernVirtio,
    parents: [...new Set([...earlier.parents, ...later.parents])],
  };
}

/** Every OS under `dir/os`, with virtio 1.0 support inherited along derives-from/upgrades/clones. */
async function buildEntries(dir: string): Promise<OsinfoEntry[]> {
  const files = loadOrder(await xmlFiles(path.join(dir, 'os')));
  // Read in parallel, merged in load order: which read finishes first must not decide what an entry says.
  const perFile = await Promise.all(files.map(async (f) => readOs(f, await fs.readFile(f, 'utf8'))));
  const raw = new Map<string, RawOs>();
  for (const os of perFile.flat()) {
    const earlier = raw.get(os.id);
    raw.set(os.id, earlier ? mergeOs(earlier, os) : os);
  }
  // Memoised, and cycles stop.
  const modern = new Map<string, boolean>();
  const inherits = (id: string, seen: Set<string>): boolean => {
    const known = modern.get(id);
    if (known !== undefined) return known;
    const os = raw.get(id);
    if (!os || seen.has(id)) return false;
    seen.add(id);
    const value = os.modernVirtio || os.parents.some((p) => inherits(p, seen));
    modern.set(id, value);
    return value;
  };
  return [...raw.values()].map((os) => ({
    id: os.id,
    shortId: os.shortId,
    name: os.name ?? os.id,
    family: familyOf(os.family),
    releaseDate: os.releaseDate,
    virtio1: inherits(os.id, new Set()) ? 'yes' : LEGACY_VIRTIO_ONLY.test(os.id) ? 'no' : UNKNOWN,
  }));
}

const CACHE_FILE = 'osinfo-index.json';

/**
 * Changes whenever what an entry says changes, so an older index is rebuilt (2: legacy-only guests say virtio1 'no';
 * 3: an OS's `<os>` elements in several files are merged, where 2 kept one of them and gave Windows 7, 8, 8.1, XP
 * and 10 the family 'other'; 4: RHEL 4 and 5 and their rebuilds legacy-only too).
 */
const INDEX_FORMAT = 'index 4';

/**
 * What the cached index depends on, as one string kept whole in the cache: the index's format, the folder, osinfo-db's VERSION, and
 * the modification times of the os folder and its vendor folders (adding, removing or replacing a file, as
 * package upgrades do, changes them).
 */
function fingerprintOf(dir: string): string {
  const osDir = path.join(dir, 'os');
  const vendors = readdirSync(osDir, { withFileTypes: true });
  const times = [osDir, ...vendors.filter((v) => v.isDirectory()).map((v) => path.join(osDir, v.name))].map(
    (d) => `${d}:${statSync(d).mtimeMs}`,
  );
  let version: string;
  try {
    version = readFileSync(path.join(dir, 'VERSION'), 'utf8');
  } catch {
    version = 'no VERSION';
  }
  return [INDEX_FORMAT, path.resolve(dir), version.trim(), ...times].join('\n');
}

/** The cached index for `key`; null when there is none (or a damaged one): it is built again. */
function readCache(cacheDir: string, key: string): OsinfoEntry[] | null {
  const cached = readKeyedCacheSync(cacheDir, CACHE_FILE, key);
  return Array.isArray(cached?.entries) ? (cached.entries as OsinfoEntry[]) : null;
}

export interface OsinfoLoadOptions {
  /** Where to keep the built index between runs; null builds it every time. Default: appCacheDir(). */
  readonly cacheDir?: string | null;
}

/**
 * The index of every OS under `dir/os`, built once and cached on disk until osinfo-db changes; missing
 * osinfo-db throws an error naming the package. The fingerprint and the cached index are read synchronously (about
 * 3 ms: 50 folders' times and a 125 kB file), so a cached index is ready when this returns, even to a caller that
 * keeps its thread busy until it looks up a guest (the CLI's check; see keyed-cache.ts).
 */
export async function loadOsinfo(dir: string = DEFAULT_OSINFO_DIR, options: OsinfoLoadOptions = {}): Promise<OsinfoIndex> {
  const cacheDir = options.cacheDir === undefined ? appCacheDir() : options.cacheDir;
  let key: string;
  try {
    key = fingerprintOf(dir);
  } catch (e) {
    throw new Error(`osinfo-db is not at ${dir}: ${(e as Error).message}. Install it (apt-get install osinfo-db) or pass its folder.`, {
      cause: e,
    });
  }
  let all = cacheDir ? readCache(cacheDir, key) : null;
  if (!all) {
    all = await buildEntries(dir);
    // A cache that cannot be written (read-only home) only costs speed next time.
    if (cacheDir) await writeKeyedCache(cacheDir, CACHE_FILE, key, { entries: all }).catch(() => undefined);
  }
  const entries = new Map<string, OsinfoEntry>();
  const byShortId = new Map<string, OsinfoEntry>();
  for (const entry of all) {
    entries.set(entry.id, entry);
    if (entry.shortId) byShortId.set(entry.shortId, entry);
  }
  // Sorted on first search or list only: a CLI run only looks ids up, and the first localeCompare loads ICU's
  // collation data, which costs a one-file `plan` more than the rest of its work.
  let sorted: OsinfoEntry[] | undefined;
  const list = (): OsinfoEntry[] =>
    (sorted ??= [...entries.values()].sort(
      (a, b) => (b.releaseDate ?? '').localeCompare(a.releaseDate ?? '') || a.name.localeCompare(b.name),
    ));
  return {
    dir,
    lookup(id) {
      const e = entries.get(id) ?? byShortId.get(id);
      // An id this osinfo-db does not have (a newer release): only Microsoft's id space says the family, and the
      // name says the id was not found, so the guess is never silent.
      if (!e)
        return {
          ...NO_GUEST_FACTS,
          osinfoId: id,
          name: `${id} (not in this osinfo-db)`,
          family: WINDOWS_ID_SPACE.test(id) ? 'windows' : NO_GUEST_FACTS.family,
        };
      // osinfo-db does not record kernel versions, so that stays unknown.
      return { osinfoId: e.id, name: e.name, family: e.family, virtio1: e.virtio1, kernelVersion: UNKNOWN };
    },
    search(text, limit = 50) {
      const words = text.toLowerCase().split(/\s+/).filter(Boolean);
      const hits = list().filter((e) => {
        const hay = `${e.name} ${e.shortId ?? ''} ${e.id}`.toLowerCase();
        return words.every((w) => hay.includes(w));
      });
      return hits.slice(0, limit);
    },
    list,
  };
}
