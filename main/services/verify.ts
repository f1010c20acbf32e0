/**
 * `verify` / "Test start": starts a throwaway copy of a planned domain paused on a real libvirt, reports what
 * libvirt and QEMU said next to what the engine predicted, and removes everything it made.
 *
 * Safety: the user's domain is never touched (the copy has its own name, UUID and MACs, see throwaway-copy.ts);
 * the copy's disks are new empty images (qemu-img in a folder of ours on this machine for a local libvirt, a
 * storage pool of ours over any other connection, whose daemon may not share this filesystem); everything is
 * removed when the run ends, also on SIGINT/SIGTERM, and a run that died is cleaned up by the next one (names
 * carry this host and the process id, so a run still in progress elsewhere is left alone).
 * Honesty: where the host cannot run the domain as written (type='kvm' without KVM, a <launchSecurity> type
 * without the hardware) the copy is tried again without that part, and the report quotes libvirt's refusal and
 * says what was therefore not tested.
 */
import { execFile } from 'node:child_process';
import { promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { UNKNOWN, NO_GUEST_FACTS, DEFAULT_GOALS, type DomainFacts, type HostFacts } from '../../src/contracts/facts';
import type { Edit, Finding } from '../../src/contracts/findings';
import type { VerifyAttempt, VerifyChange, VerifyReport } from '../../src/contracts/verify';
import { applyEdits, parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate, hasModelChoice, setVirtioModel } from '../../src/engine';
import { hasDriverOptions, setIommu } from '../../src/engine/edits';
import { mergeHostFacts } from '../../src/host';
import { getDomainCapabilities, getVersions, versionFacts, type LibvirtVersions } from './libvirt';
import { contradiction, predictedRefusals, qemuOwnMessage, virshErrorText } from './prediction-check';
import { throwawayCopy, type ThrowawayCopy } from './throwaway-copy';
import { runVirsh, VirshError } from './virsh';

const execFileAsync = promisify(execFile);

/** Every copy, pool and folder of `verify` starts with this. */
export const VERIFY_PREFIX = 'vaw-verify-';
/** Size of each empty disk image (sparse: it takes no space). */
const IMAGE_SIZE = '64M';
const START_TIMEOUT_MS = 180_000;

/** Thrown for what makes a test start impossible (outcome `untestable`). */
class Untestable extends Error {}

/** The run was told to stop (SIGINT, SIGTERM, SIGHUP): no further step starts; cleanup still runs. */
export class VerifyInterrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`verify was interrupted by ${signal}; everything it made was removed`);
  }
}

/**
 * Keeps the process alive through SIGINT/SIGTERM/SIGHUP while a test start is under way: the signal only stops the
 * run before its next step, so the caller's cleanup removes all it made; `finish` then lets the signal act.
 */
class Interruptible {
  private signal: NodeJS.Signals | null = null;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.signal ??= signal;
  };
  constructor() {
    for (const s of SIGNALS) process.on(s, this.onSignal);
  }
  /** virsh for a step of the run: refused once a signal came. */
  async virsh(uri: string, args: readonly string[], options?: Parameters<typeof runVirsh>[2]): Promise<string> {
    this.check();
    const out = await runVirsh(uri, args, options);
    this.check();
    return out;
  }
  check(): void {
    if (this.signal) throw new VerifyInterrupted(this.signal);
  }
  /** Stops listening; a signal that came is raised again, now with its default effect (the process ends). */
  finish(): void {
    for (const s of SIGNALS) process.off(s, this.onSignal);
    if (this.signal) process.kill(process.pid, this.signal);
  }
}
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** This machine in a name libvirt, cgroups and file systems take. */
function hostTag(): string {
  return (
    os
      .hostname()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '')
      .slice(0, 16) || 'host'
  );
}

/** `n` random bytes in hex, from the global Web Crypto (loaded on first use, not at every CLI start). */
function randomHex(n: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString('hex');
}

/** `vaw-verify-<host>-<pid>-<random>`: unique, and tells a later run whether its maker still lives. */
function copyName(): string {
  return `${VERIFY_PREFIX}${hostTag()}-${process.pid}-${randomHex(4)}`;
}

/** Whether a name of ours belongs to a run that can no longer clean up after itself (it died on this host). */
export function isLeftover(name: string, host = hostTag(), alive = processAlive): boolean {
  const m = new RegExp(`^${VERIFY_PREFIX}([a-z0-9]+)-(\\d+)-[0-9a-f]{8}(?:-xml)?$`).exec(name);
  if (!m) return false;
  // A run on another machine (same remote daemon) may still be going: only this host's dead runs are leftovers.
  return m[1] === host && !alive(Number(m[2]));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the daemon behind `uri` sees this machine's files: the local drivers without a socket of their own. A
 * remote host, or a daemon reached by its socket (it may run in a container or chroot), gets a storage pool.
 */
export function sharesOurFilesystem(uri: string): boolean {
  return /^qemu(\+unix)?:\/\/\/(system|session)$/.test(uri);
}

const lines = (out: string): string[] =>
  out
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);

async function removeDomain(uri: string, name: string): Promise<void> {
  await runVirsh(uri, ['destroy', name]).catch(() => undefined);
  // --nvram removes the NVRAM file libvirt made for the copy; libvirt refuses it where there is none to remove.
  await runVirsh(uri, ['undefine', '--nvram', name]).catch(() => runVirsh(uri, ['undefine', name]).catch(() => undefined));
}

/** The volume names of a pool, from `vol-list`'s table (virsh 9.0 has no `vol-list --name`); ours have no spaces. */
export function volumeNames(table: string): string[] {
  return lines(table)
    .slice(2)
    .map((row) => row.split(/\s+/)[0]!)
    .filter(Boolean);
}

async function removePool(uri: string, pool: string): Promise<void> {
  const table = await runVirsh(uri, ['vol-list', '--pool', pool]).catch(() => '');
  for (const v of volumeNames(table)) await runVirsh(uri, ['vol-delete', '--pool', pool, v]).catch(() => undefined);
  await runVirsh(uri, ['pool-destroy', pool]).catch(() => undefined);
  await runVirsh(uri, ['pool-delete', pool]).catch(() => undefined);
  await runVirsh(uri, ['pool-undefine', pool]).catch(() => undefined);
}

/** Removes what runs of `verify` on this host left behind when they died: domains, pools and folders. */
export async function removeVerifyLeftovers(uri: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of lines(await runVirsh(uri, ['list', '--all', '--name']))) {
    if (!isLeftover(name)) continue;
    await removeDomain(uri, name);
    removed.push(`domain ${name}`);
  }
  const pools = await runVirsh(uri, ['pool-list', '--all', '--name']).catch(() => '');
  for (const name of lines(pools)) {
    if (!isLeftover(name)) continue;
    await removePool(uri, name);
    removed.push(`storage pool ${name}`);
  }
  // Our folders here: the copy's XML always, its disks when the daemon shares this filesystem.
  for (const name of await fs.readdir(os.tmpdir()).catch(() => [] as string[])) {
    if (!isLeftover(name)) continue;
    await fs.rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
    removed.push(`folder ${path.join(os.tmpdir(), name)}`);
  }
  return removed;
}

/** Where the copy's disks and shared folder live, made and removed by one of the two ways below. */
interface Workspace {
  readonly dir: string;
  readonly sharedDir: string;
  create(images: ThrowawayCopy['images'], needsSharedDir: boolean): Promise<void>;
  remove(): Promise<void>;
}

function localWorkspace(name: string, run: Interruptible): Workspace {
  const dir = path.join(os.tmpdir(), name);
  return {
    dir,
    sharedDir: path.join(dir, 'shared'),
    async create(images, needsSharedDir) {
      if (images.length === 0 && !needsSharedDir) return;
      // QEMU runs as another user (libvirt-qemu) under the system daemon: the folder must be traversable.
      await fs.mkdir(dir, { mode: 0o755 });
      await fs.chmod(dir, 0o755);
      if (needsSharedDir) await fs.mkdir(path.join(dir, 'shared'), { mode: 0o755 });
      for (const image of images) {
        run.check();
        try {
          await execFileAsync('qemu-img', ['create', '-q', '-f', image.format, path.join(dir, image.file), IMAGE_SIZE], {
            timeout: 60_000,
          });
        } catch (e) {
          const err = e as NodeJS.ErrnoException & { stderr?: string };
          throw new Untestable(
            err.code === 'ENOENT'
              ? 'qemu-img is not installed, so the empty disk images of the copy cannot be made (apt-get install qemu-utils)'
              : `qemu-img could not make an empty ${image.format} image: ${(err.stderr ?? err.message).trim()}`,
          );
        }
      }
    },
    async remove() {
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

function poolWorkspace(uri: string, name: string, run: Interruptible): Workspace {
  // A folder on the daemon's host; the pool's volumes are the copy's disks and the folder is its shared folder.
  const dir = `/var/tmp/${name}`;
  let made = false;
  return {
    dir,
    sharedDir: dir,
    async create(images, needsSharedDir) {
      if (images.length === 0 && !needsSharedDir) return;
      try {
        made = true;
        await run.virsh(uri, ['pool-define-as', name, 'dir', '--target', dir]);
        await run.virsh(uri, ['pool-build', name]);
        await run.virsh(uri, ['pool-start', name]);
        for (const image of images) {
          await run.virsh(uri, ['vol-create-as', name, image.file, IMAGE_SIZE, '--format', image.format], { timeoutMs: 60_000 });
        }
      } catch (e) {
        if (!(e instanceof VirshError)) throw e;
        throw new Untestable(
          `the copy's disks cannot be made on ${uri}: libvirt there has no usable directory storage pool (${virshErrorText(e.stderr) || e.message})`,
        );
      }
    },
    async remove() {
      if (made) await removePool(uri, name);
    },
  };
}

/** Host facts of the connection for the platform of `facts`: versions and domcapabilities where libvirt has them. */
async function hostFactsFor(uri: string, versions: LibvirtVersions, facts: DomainFacts): Promise<HostFacts> {
  const want = {
    arch: facts.arch === UNKNOWN || facts.arch === 'other' ? undefined : facts.arch,
    machine: facts.machine.raw === UNKNOWN ? undefined : facts.machine.raw,
    virttype: facts.virtType === UNKNOWN ? undefined : facts.virtType,
  };
  const caps = await getDomainCapabilities(uri, want).catch(() => null);
  return mergeHostFacts(versionFacts(uri, versions), caps?.host ?? {});
}

/** libvirt or QEMU saying the host has no KVM. */
const NO_KVM = /domaintype=kvm|virt type 'kvm'|KVM kernel module|failed to initialize kvm|\/dev\/kvm|KVM is not (?:available|supported)/i;
/** libvirt or QEMU saying the confidential technology cannot run here. */
const NO_CONFIDENTIAL =
  /launch security is not supported|SEV(?:-SNP)? is not (?:available|supported|enabled)|TDX is not (?:available|supported)|sev-guest|sev-snp-guest|tdx-guest|Protected Virtualization is not|prot_virt/i;

/** The domain with QEMU's confidential-VM defaults (QEMU >= 6.0) written as XML, for a try without <launchSecurity>. */
function confidentialDefaultsWrittenOut(xml: string): { xml: string; changes: VerifyChange[] } {
  const facts = readDomainFacts(parseDomainXml(xml));
  const edits: Edit[] = [{ op: 'remove-element', target: '/domain/launchSecurity' }];
  const changes: VerifyChange[] = [];
  for (const d of facts.devices) {
    if (!d.virtio || d.implicit) continue;
    const own: Edit[] = [];
    if (hasDriverOptions(d) && d.driver.iommu === 'absent') own.push(...setIommu(d, 'on'));
    if (hasModelChoice(d) && d.virtioModel === 'virtio') own.push(...setVirtioModel(d, 'virtio-non-transitional'));
    if (own.length > 0) {
      edits.unshift(...own);
      changes.push({ target: d.target, what: "QEMU's confidential-VM defaults written out (iommu='on', no legacy interface)" });
    }
  }
  return { xml: applyEdits(xml, edits), changes };
}

/** Defines the copy, starts it paused, and takes it down again; never leaves it defined. */
async function attempt(run: Interruptible, uri: string, name: string, xml: string, as: string, dir: string): Promise<VerifyAttempt> {
  const file = path.join(dir, 'copy.xml');
  await fs.writeFile(file, xml, { mode: 0o600 });
  const failed = (stage: 'define' | 'start', e: unknown): VerifyAttempt => {
    if (!(e instanceof VirshError) || !['define-refused', 'validation-failed', 'failed'].includes(e.code)) throw e;
    const message = virshErrorText(e.stderr) || e.message;
    return { as, started: false, stage, message, qemuMessage: qemuOwnMessage(message) };
  };
  try {
    await run.virsh(uri, ['define', file], { timeoutMs: START_TIMEOUT_MS });
  } catch (e) {
    return failed('define', e);
  }
  try {
    await run.virsh(uri, ['start', '--paused', name], { timeoutMs: START_TIMEOUT_MS });
    return { as, started: true, stage: null, message: '', qemuMessage: null };
  } catch (e) {
    return failed('start', e);
  } finally {
    await removeDomain(uri, name);
  }
}

function predictionOf(findings: readonly Finding[]): VerifyReport['prediction'] {
  const errors = predictedRefusals(findings);
  return {
    refuses: errors.length > 0,
    findings: findings
      .filter((f) => f.severity !== 'info')
      .map((f) => ({ rule: f.rule, severity: f.severity, target: f.target, title: f.title, messages: f.messages ?? [] })),
  };
}

export interface VerifyRequest {
  readonly uri: string;
  /** The planned domain XML (what Save/Define would write). */
  readonly xml: string;
  /** What error messages call the document (a file name); default "planned domain". */
  readonly fileName?: string;
}

/** Test-starts a throwaway copy of `xml` on `uri`; never throws for what libvirt says, only for a broken connection. */
export async function verifyDomain(req: VerifyRequest): Promise<VerifyReport> {
  const { uri } = req;
  const facts = readDomainFacts(parseDomainXml(req.xml, req.fileName ?? 'planned domain'));
  const versions = await getVersions(uri);
  const base = {
    uri,
    libvirtVersion: versions.libvirt,
    qemuVersion: versions.qemu,
  };
  if (uri.startsWith('test:')) {
    return untestable(base, facts, await hostFactsFor(uri, versions, facts), "libvirt's test driver starts nothing real");
  }
  await removeVerifyLeftovers(uri);

  const name = copyName();
  const uuid = crypto.randomUUID();
  const run = new Interruptible();
  const workspace = sharesOurFilesystem(uri) ? localWorkspace(name, run) : poolWorkspace(uri, name, run);
  const scratch = path.join(os.tmpdir(), `${name}-xml`);
  await fs.mkdir(scratch, { mode: 0o700 });
  try {
    let macs = 0;
    const copy = throwawayCopy(req.xml, {
      name,
      uuid,
      imageDir: workspace.dir,
      sharedDir: workspace.sharedDir,
      newMac: () => `52:54:00:${randomHex(2).replace(/(..)(..)/, '$1:$2')}:${(++macs % 256).toString(16).padStart(2, '0')}`,
    });
    try {
      await workspace.create(copy.images, copy.usesSharedDir);
    } catch (e) {
      if (e instanceof Untestable) return untestable(base, facts, await hostFactsFor(uri, versions, facts), e.message);
      throw e;
    }
    const changes = [...copy.changes];
    const notProven = [...copy.notTested];
    const attempts: VerifyAttempt[] = [];
    /** Short words for what the summary must not claim. */
    const limits: string[] = [];
    let xml = copy.xml;
    let tried = await attempt(run, uri, name, xml, 'as planned', scratch);
    attempts.push(tried);
    if (!tried.started && facts.virtType === 'kvm' && NO_KVM.test(tried.message)) {
      notProven.push(`KVM itself was not tested: this host cannot run type='kvm' guests (libvirt said: "${tried.message}")`);
      limits.push('KVM itself not tested');
      xml = applyEdits(xml, [{ op: 'set-attribute', target: '/domain', name: 'type', value: 'qemu' }]);
      changes.push({ target: '/domain', what: "tried again as type='qemu' (TCG)" });
      tried = await attempt(run, uri, name, xml, "under TCG (type='qemu')", scratch);
      attempts.push(tried);
    }
    if (!tried.started && facts.launchSecurity.present && NO_CONFIDENTIAL.test(tried.message)) {
      notProven.push(
        `The ${facts.launchSecurity.type} launch itself was not tested: this host cannot run it (libvirt said: "${tried.message}"). On a host with the hardware, run verify there.`,
      );
      limits.push(`${facts.launchSecurity.type} itself not tested`);
      const without = confidentialDefaultsWrittenOut(xml);
      xml = without.xml;
      changes.push({ target: '/domain/launchSecurity', what: 'tried again without <launchSecurity>' }, ...without.changes);
      tried = await attempt(run, uri, name, xml, "without <launchSecurity>, QEMU's confidential-VM defaults written out", scratch);
      attempts.push(tried);
    }
    // The engine's prediction for exactly what was tried last, on this connection's versions and capabilities.
    const testedFacts = readDomainFacts(parseDomainXml(xml));
    const findings = evaluate({
      domain: testedFacts,
      host: await hostFactsFor(uri, versions, testedFacts),
      guest: NO_GUEST_FACTS,
      goals: DEFAULT_GOALS,
    });
    const diff = contradiction(
      findings,
      tried.started ? { started: true } : { started: false, stage: tried.stage ?? 'start', text: tried.message },
    );
    const underTcg = testedFacts.virtType === 'qemu';
    const proven = tried.started
      ? [
          `libvirt ${versions.libvirt ?? '(version unknown)'} accepted the definition (define)`,
          `QEMU ${versions.qemu ?? '(version unknown)'} created every device of the copy and held it paused (start --paused)${underTcg ? ', under TCG' : ''}`,
        ]
      : [];
    notProven.push('The guest was not run (the copy stayed paused): what the guest driver negotiates is not tested.');
    const summary = tried.started
      ? limits.length > 0
        ? `Started: devices proven${underTcg ? ' under TCG' : ''}; ${limits.join('; ')}.`
        : 'Started: libvirt and QEMU accept this domain as planned.'
      : `Refused${limits.length > 0 ? ` (${limits.join('; ')})` : ''}: ${tried.qemuMessage ?? tried.message}`;
    return {
      ...base,
      outcome: tried.started ? 'started' : 'refused',
      summary,
      copy: { name, uuid },
      changes,
      attempts,
      proven,
      notProven,
      prediction: predictionOf(findings),
      agrees: diff === null,
      disagreement: diff ? `engine: ${diff.engine}\nlibvirt/QEMU: ${diff.real}` : null,
      reason: null,
    };
  } finally {
    await removeDomain(uri, name);
    await workspace.remove().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
    run.finish();
  }
}

function untestable(
  base: Pick<VerifyReport, 'uri' | 'libvirtVersion' | 'qemuVersion'>,
  facts: DomainFacts,
  host: HostFacts,
  reason: string,
): VerifyReport {
  return {
    ...base,
    outcome: 'untestable',
    summary: `Cannot test: ${reason}.`,
    copy: null,
    changes: [],
    attempts: [],
    proven: [],
    notProven: [],
    prediction: predictionOf(evaluate({ domain: facts, host, guest: NO_GUEST_FACTS, goals: DEFAULT_GOALS })),
    agrees: null,
    disagreement: null,
    reason,
  };
}
