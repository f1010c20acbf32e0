/**
 * The libvirt operations the app needs, each one `virsh` run (see virsh.ts): versions, domains, inactive XML,
 * domcapabilities, the QEMU command-line preview, and a define that backs up first, refuses when the domain
 * changed since it was loaded, and can be undone from the backup.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { VersionFact } from '../../src/contracts/facts';
import { parseVersion } from '../../src/contracts/version';
import { parseDomainXml, parseXml, unifiedDiff, XmlInputError } from '../../src/domain-xml';
import { summariseDomainCapabilities, type HostFactsPatch } from '../../src/host';
import { backupsDir } from './backup-store';
import { decodeXmlBytes, fingerprintOf, readRegularFile } from './read-domain-file';
import { runVirsh, VirshError, type VirshRunner } from './virsh';

/** libvirt and QEMU versions as `virsh version` prints them; null when it did not say. */
export interface LibvirtVersions {
  readonly libvirt: string | null;
  readonly qemu: string | null;
}

/** One domain of a connection. */
export interface DomainListEntry {
  readonly name: string;
  /** As virsh prints it: `running`, `shut off`, `paused` ... */
  readonly state: string;
  readonly persistent: boolean;
}

/** What `getDomainCapabilities` read. */
export interface DomainCapabilitiesResult {
  readonly host: HostFactsPatch;
  readonly domcapsXml: string;
}

/** The outcome of a successful define. */
export interface DefineResult {
  /** The previous inactive definition, restorable with `restoreDomainBackup`. */
  readonly backupPath: string;
  /** True when the domain is running: libvirt keeps the running configuration until the next boot. */
  readonly appliesAtNextBoot: boolean;
  /**
   * The definition as libvirt holds it after the define (read back): libvirt normalises what it is given (drops an
   * empty `<driver/>`, adds defaults), so this, not the text sent, is what a later define's (or undo's) conflict
   * check compares.
   */
  readonly xml: string;
}

/** How a read runs: aborting `signal` kills its virsh (Cancel); `virsh` may be a session batcher (virshSessions). */
export interface ReadOptions {
  readonly signal?: AbortSignal;
  readonly virsh?: VirshRunner;
}

/** The domain's definition changed between loading and defining; nothing was written. */
export class DomainChangedError extends Error {
  override readonly name = 'DomainChangedError';
  constructor(
    readonly domain: string,
    /** Unified diff from the XML the user loaded to the XML libvirt holds now. */
    readonly diff: string,
  ) {
    super(`Domain ${domain} changed in libvirt since it was loaded; nothing was changed.`);
  }
}

/** The new XML names another domain than the one being replaced; nothing was written. */
export class DomainNameMismatchError extends Error {
  override readonly name = 'DomainNameMismatchError';
  constructor(
    readonly expected: string,
    readonly found: string,
  ) {
    super(`The new XML defines domain "${found}", not "${expected}"; nothing was changed. Keep the <name> of the domain being edited.`);
  }
}

const VERSION_TIMEOUT_MS = 15_000;
/** define and domxml-to-native can wait for libvirt to re-probe QEMU's capabilities, which takes a while. */
const DEFINE_TIMEOUT_MS = 120_000;

/**
 * Reads `virsh version --daemon` output (English, as runVirsh forces LC_ALL=C). The libvirt version is the
 * daemon's ("Running against daemon"): over a remote or lab connection virsh's own library is another release.
 * Without that line (plain `virsh version`) it falls back to the library's.
 */
export function parseVirshVersion(out: string): LibvirtVersions {
  const libvirt = /^Running against daemon: ([\d.]+)/m.exec(out)?.[1] ?? /^Using library: libvirt ([\d.]+)/m.exec(out)?.[1] ?? null;
  const qemu = /^Running hypervisor: QEMU ([\d.]+)/m.exec(out)?.[1] ?? null;
  return { libvirt, qemu };
}

/** Versions as host facts, citing where they came from. */
export function versionFacts(uri: string, v: LibvirtVersions): { libvirtVersion: VersionFact; qemuVersion: VersionFact } {
  const fact = (text: string | null, what: string): VersionFact => {
    const version = text === null ? null : parseVersion(text);
    return version ? { kind: 'exact', version, source: `virsh -c ${uri} version (${what})` } : { kind: 'unknown' };
  };
  return { libvirtVersion: fact(v.libvirt, 'Running against daemon'), qemuVersion: fact(v.qemu, 'Running hypervisor') };
}

/** libvirt and QEMU versions of a connection. */
export async function getVersions(uri: string, { signal, virsh = runVirsh }: ReadOptions = {}): Promise<LibvirtVersions> {
  return parseVirshVersion(await virsh(uri, ['version', '--daemon'], { timeoutMs: VERSION_TIMEOUT_MS, signal }));
}

/** The names of every domain (running or not). */
export async function listDomainNames(uri: string, { signal, virsh = runVirsh }: ReadOptions = {}): Promise<string[]> {
  return lines(await virsh(uri, ['list', '--all', '--name'], { signal }));
}

/** Every domain (running or not) with its state and whether it is persistent. */
export async function listDomains(uri: string, { signal }: ReadOptions = {}): Promise<DomainListEntry[]> {
  const [table, persistent] = await Promise.all([
    runVirsh(uri, ['list', '--all'], { signal }),
    runVirsh(uri, ['list', '--all', '--persistent', '--name'], { signal }),
  ]);
  return parseDomainTable(table, lines(persistent));
}

/**
 * `virsh list --all` read alone: names and states from the same rows, so a domain defined or removed between two
 * virsh runs cannot pair one domain's name with another's state. Each row is "Id Name State", the state one of
 * virsh's own words (tools/virsh-domain-monitor.c, virshDomainState), the name all that lies between.
 */
export function parseDomainTable(table: string, persistentNames: readonly string[]): DomainListEntry[] {
  const persistent = new Set(persistentNames);
  return table
    .split('\n')
    .slice(2)
    .flatMap((row) => {
      const m = ROW.exec(row);
      return m ? [{ name: m[1]!, state: m[2]!, persistent: persistent.has(m[1]!) }] : [];
    });
}

const ROW = /^\s*\S+\s+(.*?\S)\s+(running|idle|paused|in shutdown|shut off|crashed|pmsuspended|no state)\s*$/;

function lines(out: string): string[] {
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** The persistent definition (what the next boot uses), including security-sensitive parts. */
export function dumpInactiveXml(uri: string, name: string, { signal, virsh = runVirsh }: ReadOptions = {}): Promise<string> {
  return virsh(uri, ['dumpxml', '--inactive', '--security-info', '--', name], { signal });
}

/** domcapabilities for one arch/machine/virttype (libvirt's defaults for any left out), parsed. */
export async function getDomainCapabilities(
  uri: string,
  want: { readonly arch?: string; readonly machine?: string; readonly virttype?: string } = {},
  { signal, virsh = runVirsh }: ReadOptions = {},
): Promise<DomainCapabilitiesResult> {
  const args = ['domcapabilities'];
  if (want.virttype) args.push('--virttype', want.virttype);
  if (want.arch) args.push('--arch', want.arch);
  if (want.machine) args.push('--machine', want.machine);
  const domcapsXml = await virsh(uri, args, { signal });
  return { host: summariseDomainCapabilities(domcapsXml, `virsh -c ${uri} ${args.join(' ')}`).facts, domcapsXml };
}

/** Runs `fn` with `text` in a private temporary file, removed afterwards. virsh reads it and sends it to libvirt. */
async function withTempXml<T>(text: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vaw-xml-'));
  try {
    const file = path.join(dir, 'domain.xml');
    await fs.writeFile(file, text, { mode: 0o600 });
    return await fn(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The QEMU command line libvirt would run for this XML (`domxml-to-native qemu-argv`). */
export function qemuArgvPreview(uri: string, xml: string, { signal }: ReadOptions = {}): Promise<string> {
  return withTempXml(xml, async (file) =>
    (await runVirsh(uri, ['domxml-to-native', 'qemu-argv', file], { timeoutMs: DEFINE_TIMEOUT_MS, signal })).trim(),
  );
}

/**
 * `text` as a file name: itself when it is short and safe; otherwise its safe characters, cut to 80, and a hash
 * of the whole, so two names never share backups and no file name reaches the 255-byte limit.
 */
export function fileSafeName(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9._-]+/g, '_');
  if (safe === text && text.length <= 100 && !text.startsWith('.')) return text;
  return `${safe.replace(/^\./, '_').slice(0, 80)}-${fingerprintOf(text).slice(0, 12)}`;
}

/** Where the libvirt backups of one connection go: `<backupsDir>/libvirt/<uri made file-safe>/`. */
export function libvirtBackupsDir(uri: string): string {
  return path.join(backupsDir(), 'libvirt', fileSafeName(uri));
}

function domainNameOf(xml: string): string {
  return parseXml(xml, 'new domain XML').root.child('name')?.text().trim() ?? '';
}

/** Saves `xml` as a timestamped backup of domain `name`; returns its path. */
async function writeBackup(uri: string, name: string, xml: string): Promise<string> {
  const dir = libvirtBackupsDir(uri);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${fileSafeName(name)}.${stamp}.xml`);
  // 'wx' never overwrites an earlier backup, even two in the same millisecond.
  await fs.writeFile(file, xml, { flag: 'wx', mode: 0o600 });
  return file;
}

/**
 * Replaces domain `name`'s definition with `newXml`: re-reads the domain and refuses (DomainChangedError, with
 * a diff) when it is not `originalXml` any more, backs the current definition up, then `define --validate`,
 * and reads the definition back (DefineResult.xml). libvirt's define is all-or-nothing, so on failure the
 * old definition stays and the VirshError says why.
 */
export async function defineDomainSafely(
  uri: string,
  req: { readonly name: string; readonly originalXml: string; readonly newXml: string; readonly validate?: boolean },
): Promise<DefineResult> {
  const newName = domainNameOf(req.newXml);
  if (newName !== req.name) throw new DomainNameMismatchError(req.name, newName);
  const current = await dumpInactiveXml(uri, req.name);
  if (current.trimEnd() !== req.originalXml.trimEnd()) {
    throw new DomainChangedError(
      req.name,
      unifiedDiff(req.originalXml, current, { fromLabel: `${req.name} (as loaded)`, toLabel: `${req.name} (in libvirt now)` }),
    );
  }
  const backupPath = await writeBackup(uri, req.name, current);
  const define = req.validate === false ? ['define'] : ['define', '--validate'];
  await withTempXml(req.newXml, (file) => runVirsh(uri, [...define, file], { timeoutMs: DEFINE_TIMEOUT_MS }));
  const [state, xml] = await Promise.all([runVirsh(uri, ['domstate', '--', req.name]), dumpInactiveXml(uri, req.name)]);
  return { backupPath, appliesAtNextBoot: state.trim() !== 'shut off' && state.trim() !== 'crashed', xml };
}

/**
 * Defines domain `name` again from a backup written by `defineDomainSafely` for this connection (the undo of a
 * define): only a file in its backups folder, read as a domain file is (never blocking, 10 MB at most) and parsed
 * before libvirt sees it; then with the define's own safety: refused with a diff when the domain is not
 * `expectedXml` any more (someone changed it since), and the definition it replaces is backed up first.
 */
export async function restoreDomainBackup(
  uri: string,
  req: { readonly name: string; readonly backupPath: string; readonly expectedXml: string },
): Promise<DefineResult> {
  const dir = libvirtBackupsDir(uri);
  if (path.dirname(path.resolve(req.backupPath)) !== dir)
    throw new XmlInputError(
      req.backupPath,
      0,
      0,
      `is not in the backups folder of ${uri} (${dir})`,
      "Pick a backup from the list of this domain's backups.",
    );
  const xml = decodeXmlBytes(await readRegularFile(req.backupPath), req.backupPath);
  parseDomainXml(xml, req.backupPath);
  // A backup is libvirt's own earlier output, which define accepted then; it is not validated again.
  return defineDomainSafely(uri, { name: req.name, originalXml: req.expectedXml, newXml: xml, validate: false });
}

/** Backups of one domain on one connection, newest first. */
export async function listDomainBackups(uri: string, name: string): Promise<{ backupPath: string; createdAt: string }[]> {
  const dir = libvirtBackupsDir(uri);
  const prefix = `${fileSafeName(name)}.`;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const out: { backupPath: string; createdAt: string }[] = [];
  for (const f of names) {
    // The time stamp must follow the name directly: `vm.` must not match the backups of a domain named `vm.x`.
    if (!f.startsWith(prefix) || !/^\d{4}-\d\d-\d\dT[\d-]+Z\.xml$/.test(f.slice(prefix.length))) continue;
    const stat = await fs.stat(path.join(dir, f));
    out.push({ backupPath: path.join(dir, f), createdAt: stat.mtime.toISOString() });
  }
  return out.sort((a, b) => b.backupPath.localeCompare(a.backupPath));
}

/**
 * The connection to open when the user named none: $LIBVIRT_DEFAULT_URI, else the first local libvirt that
 * answers (system, then session), else the embedded test driver so the app still works without libvirt.
 */
export async function pickDefaultUri(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const candidates = [env.LIBVIRT_DEFAULT_URI, 'qemu:///system', 'qemu:///session'].filter((u): u is string => !!u);
  for (const uri of candidates) {
    try {
      await runVirsh(uri, ['version'], { timeoutMs: VERSION_TIMEOUT_MS });
      return uri;
    } catch (e) {
      if (e instanceof VirshError && e.code === 'not-installed') break;
    }
  }
  return 'test:///default';
}
