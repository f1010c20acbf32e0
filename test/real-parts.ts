/**
 * Suites that need real software (libvirt, QEMU, Chromium, xmllint, the shared corpus) ask here.
 * On a user's machine a missing part skips the suite with a visible reason; under
 * VAW_REQUIRE_REAL_PARTS=1 (set by .ci/run) a missing part fails instead, so CI can never pass by skipping.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { labStateFile, readLabState } from './lab';

/**
 * The nearest folder at or above `dir` with a package.json: the project, whether this module runs from test/ or
 * bundled into dist/bench by `npm run bench`.
 */
function projectRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) throw new Error(`no package.json at or above ${dir}`);
  }
}

export const repoRoot = projectRoot(path.dirname(fileURLToPath(import.meta.url)));
/** The shared corpus of libvirt/virt-manager test XMLs; never copied into the repo. */
export const corpusDir = process.env.VAW_CORPUS ?? path.resolve(repoRoot, '../shared/corpus');

/** Where scripts/swiotlb-guest/prepare.sh keeps Debian's kernel and busybox for the real-guest test; outside the repo. */
export const guestCacheDir = process.env.VAW_GUEST_CACHE ?? '/var/cache/vaw-guest';

/** The fact sheet the coverage table is checked against; never copied into the repo. */
export const factSheetPath = process.env.VAW_FACT_SHEET ?? path.resolve(repoRoot, '../shared/docs/domain-facts.md');

export const requireRealParts = process.env.VAW_REQUIRE_REAL_PARTS === '1';

export interface PartCheck {
  /** Empty when the part is present; otherwise why the suite cannot run. */
  readonly missing: string;
}

function commandWorks(cmd: string, args: readonly string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

const checks: Record<string, () => string> = {
  corpus: () => (existsSync(path.join(corpusDir, 'MANIFEST.tsv')) ? '' : `the shared corpus is not at ${corpusDir} (set VAW_CORPUS)`),
  virsh: () =>
    commandWorks('virsh', ['-c', 'test:///default', 'version']) ? '' : 'virsh is not installed (apt-get install libvirt-clients)',
  libvirtd: () =>
    commandWorks('virsh', ['-c', 'qemu:///system', 'version'])
      ? ''
      : 'no libvirtd answers on qemu:///system (run scripts/start-libvirtd.sh as root)',
  xmllint: () => (commandWorks('xmllint', ['--version']) ? '' : 'xmllint is not installed (apt-get install libxml2-utils)'),
  schemas: () =>
    existsSync('/usr/share/libvirt/schemas/domain.rng') ? '' : "libvirt's RelaxNG schemas are missing (apt-get install libvirt-clients)",
  osinfo: () => (existsSync('/usr/share/osinfo/os') ? '' : 'osinfo-db is not installed (apt-get install osinfo-db)'),
  chromium: () => (existsSync('/usr/bin/chromium') ? '' : 'Chromium is not installed (apt-get install chromium)'),
  qemu: () => (commandWorks('qemu-system-x86_64', ['--version']) ? '' : 'QEMU is not installed (apt-get install qemu-system-x86)'),
  'qemu-img': () => (commandWorks('qemu-img', ['--version']) ? '' : 'qemu-img is not installed (apt-get install qemu-utils)'),
  sshd: () =>
    existsSync('/usr/sbin/sshd') && process.getuid?.() === 0
      ? ''
      : 'a local sshd needs openssh-server and root (apt-get install openssh-server)',
  ssh: () => (commandWorks('ssh', ['-V']) ? '' : 'the ssh client is not installed (apt-get install openssh-client)'),
  'qemu-s390x': () =>
    commandWorks('qemu-system-s390x', ['--version']) ? '' : 'QEMU for s390x is not installed (apt-get install qemu-system-misc)',
  'qemu-ppc64': () =>
    commandWorks('qemu-system-ppc64', ['--version']) ? '' : 'QEMU for ppc64 is not installed (apt-get install qemu-system-ppc)',
  'desktop-file-validate': () =>
    commandWorks('desktop-file-validate', ['--help']) ? '' : 'desktop-file-validate is not installed (apt-get install desktop-file-utils)',
  appstreamcli: () => (commandWorks('appstreamcli', ['--version']) ? '' : 'appstreamcli is not installed (apt-get install appstream)'),
  patch: () => (commandWorks('patch', ['--version']) ? '' : 'patch is not installed (apt-get install patch)'),
  strace: () => (commandWorks('strace', ['-V']) ? '' : 'strace is not installed (apt-get install strace)'),
  unprivileged: () =>
    process.getuid?.() !== 0 ||
    commandWorks('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, '-e', '0'])
      ? ''
      : `cannot run ${process.execPath} as the user nobody (setpriv from util-linux; Node must be where nobody can run it)`,
  'tmpfs-mount': () => {
    if (process.getuid?.() !== 0) return 'mounting a small tmpfs (to fill a disk) needs root';
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-tmpfs-check-'));
    const works = commandWorks('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', dir]) && commandWorks('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
    return works ? '' : 'cannot mount a tmpfs here (mount -t tmpfs)';
  },
  'fact-sheet': () => (existsSync(factSheetPath) ? '' : `the fact sheet is not at ${factSheetPath} (set VAW_FACT_SHEET)`),
  lab: () => {
    let generations;
    try {
      generations = readLabState();
    } catch (e) {
      return `the version lab is not running: ${(e as Error).message}`;
    }
    const silent = generations.filter((g) => !commandWorks('virsh', ['-c', g.uri, 'version']));
    return silent.length === 0
      ? ''
      : `the version lab (${labStateFile}) lists ${silent.map((g) => g.name).join(', ')}, whose libvirtd does not answer (sudo scripts/lab.sh up)`;
  },
  uefiextract: () => (existsSync('/usr/bin/UEFIExtract') ? '' : 'UEFIExtract is not installed (apt-get install uefitool-cli)'),
  virtxml: () => (commandWorks('virt-xml', ['--version']) ? '' : 'virt-xml is not installed (apt-get install virtinst)'),
  'guest-kernel': () =>
    ['vmlinuz', 'busybox', 'modules/order'].every((f) => existsSync(path.join(guestCacheDir, 'guest', f)))
      ? ''
      : `Debian's guest kernel and busybox are not unpacked in ${guestCacheDir} (run scripts/swiotlb-guest/prepare.sh; set VAW_GUEST_CACHE)`,
};

export type Part = keyof typeof checks;

const cache = new Map<string, string>();

/**
 * Returns the reason the given parts are missing ('' when all are present). Under VAW_REQUIRE_REAL_PARTS=1
 * it throws instead, failing the suite that asked.
 */
export function missingParts(...parts: Part[]): string {
  const reasons = parts
    .map((p) => {
      if (!cache.has(p)) cache.set(p, checks[p]!());
      return cache.get(p)!;
    })
    .filter(Boolean);
  const reason = reasons.join('; ');
  if (reason && requireRealParts) throw new Error(`VAW_REQUIRE_REAL_PARTS=1 but ${reason}`);
  if (reason) console.warn(`[skipped] ${reason}`);
  return reason;
}
