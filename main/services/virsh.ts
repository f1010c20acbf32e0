/**
 * The one place that runs `virsh`: an argument array (never a shell), a timeout, and a typed error whose
 * message tells the user what to do. Every libvirt operation of the app goes through `runVirsh`.
 */
import { spawn } from 'node:child_process';
import { checkLibvirtUri } from '../../src/contracts/libvirt-uri';

/** The failures a user meets, each with its own advice. */
export type VirshErrorCode =
  | 'not-installed'
  | 'cannot-connect'
  | 'refused-uri'
  | 'permission-denied'
  | 'daemon-down'
  | 'domain-not-found'
  | 'validation-failed'
  | 'define-refused'
  | 'timeout'
  | 'cancelled'
  | 'failed';

/** A virsh run that did not succeed; `message` says what happened and what to do, `stderr` is virsh's own. */
export class VirshError extends Error {
  override readonly name = 'VirshError';
  constructor(
    readonly code: VirshErrorCode,
    message: string,
    readonly stderr: string,
    readonly args: readonly string[],
  ) {
    super(message);
  }
}

/** Options of one run. */
export interface RunVirshOptions {
  /** Kill virsh after this long (default 30 s; remote URIs over ssh can be slow). */
  readonly timeoutMs?: number;
  /** Text written to virsh's stdin. */
  readonly input?: string;
  /** Aborting it kills virsh (the user pressed Cancel); the run then rejects with code `cancelled`. */
  readonly signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * At most this many virsh processes run at once, whoever asks; the rest wait their turn. A page that lists the
 * domains of a connection 300 times at once (serve mode answers every token holder) once started 900 of them.
 */
export const MAX_CONCURRENT_VIRSH = 8;
let running = 0;
const waiting: (() => void)[] = [];

function acquireSlot(): Promise<void> {
  if (running < MAX_CONCURRENT_VIRSH) {
    running++;
    return Promise.resolve();
  }
  return new Promise((resolve) => waiting.push(resolve));
}

/** Hands the slot to the next waiting run, or frees it. */
function releaseSlot(): void {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

/** virsh's own error lines without the `error: ` prefix, joined for messages. */
function virshMessage(stderr: string): string {
  return stderr
    .split('\n')
    .map((l) => l.replace(/^error:\s*/, '').trim())
    .filter((l) => l !== '')
    .join('; ');
}

/** user@host[:port] of a remote URI, as ssh would be given it. */
function sshTarget(uri: string): string {
  const m = /^[a-z0-9+]+:\/\/([^/?]*)/i.exec(uri);
  const authority = m?.[1] ?? '';
  const port = /:(\d+)$/.exec(authority)?.[1];
  return port ? `-p ${port} ${authority.replace(/:\d+$/, '')}` : authority;
}

/** Maps virsh's stderr to a typed error with advice; exported so the mapping is testable on real output. */
export function classifyVirshFailure(uri: string, args: readonly string[], stderr: string): VirshError {
  const said = virshMessage(stderr) || 'virsh failed without a message';
  const connectFailed =
    /failed to connect to the hypervisor|Failed to connect socket|no connection driver available|Cannot recv data|unable to connect to server/i.test(
      stderr,
    );
  // Over ssh the failure is usually ssh's own (refused, unknown host key, no key): say so, not "start libvirtd".
  if (connectFailed && /\+ssh:/.test(uri) && /\bssh:|Host key verification failed|Permission denied \(/i.test(stderr)) {
    const denied = /Host key verification failed|Permission denied \(/i.test(stderr);
    return new VirshError(
      denied ? 'permission-denied' : 'cannot-connect',
      `ssh could not log in to the host of ${uri}: ${said}. Check that "ssh ${sshTarget(uri)}" works on its own without a password or host-key prompt (use an ssh key and accept the host key first), then try again.`,
      stderr,
      args,
    );
  }
  if (connectFailed && /permission denied|authentication (?:failed|unavailable)|access denied|not authorized/i.test(stderr)) {
    return new VirshError(
      'permission-denied',
      `libvirt refused the connection to ${uri}: ${said}. Add your user to the 'libvirt' group (then log in again), or use qemu:///session for your own VMs.`,
      stderr,
      args,
    );
  }
  if (connectFailed && /No such file or directory|Connection refused|Failed to connect socket/i.test(stderr)) {
    return new VirshError(
      'daemon-down',
      `No libvirt daemon answers on ${uri}: ${said}. Start it (systemctl start libvirtd, or virtqemud.socket) or choose another connection.`,
      stderr,
      args,
    );
  }
  if (connectFailed) {
    return new VirshError(
      'cannot-connect',
      `Cannot connect to ${uri}: ${said}. Check the URI (e.g. qemu:///system, qemu:///session, qemu+ssh://user@host/system, test:///default).`,
      stderr,
      args,
    );
  }
  if (/failed to get domain|Domain not found|no domain with matching/i.test(stderr)) {
    return new VirshError(
      'domain-not-found',
      `${uri} has no domain named as asked: ${said}. List the domains with "virsh -c ${uri} list --all" and pick one of them.`,
      stderr,
      args,
    );
  }
  if (/failed to validate against schema|Unable to validate doc/i.test(stderr)) {
    return new VirshError(
      'validation-failed',
      `libvirt's schema rejected the domain XML, nothing was changed: ${said}. Fix the element it names and try again.`,
      stderr,
      args,
    );
  }
  if (/Failed to define domain/i.test(stderr)) {
    return new VirshError(
      'define-refused',
      `libvirt refused the new definition and kept the old one: ${said}. Fix what it names and try again.`,
      stderr,
      args,
    );
  }
  return new VirshError('failed', `virsh ${args.join(' ')} failed on ${uri}: ${said}`, stderr, args);
}

/**
 * Runs `virsh -c uri ...args` and resolves with its stdout; rejects with a `VirshError` (`refused-uri`, without
 * starting virsh, for a URI outside the allow-list of src/contracts/libvirt-uri.ts).
 */
export async function runVirsh(uri: string, args: readonly string[], options: RunVirshOptions = {}): Promise<string> {
  const fullArgs = ['-c', uri, ...args];
  // Every virsh run passes this gate, whoever asked (renderer, serve bridge, CLI): no URI that runs a program.
  const allowed = checkLibvirtUri(uri);
  if (!allowed.ok) throw new VirshError('refused-uri', allowed.reason, '', fullArgs);
  await acquireSlot();
  try {
    return await spawnVirsh(uri, args, fullArgs, options);
  } finally {
    releaseSlot();
  }
}

/** One virsh process, with its timeout (counted from its start, not from its wait for a slot). */
function spawnVirsh(uri: string, args: readonly string[], fullArgs: readonly string[], options: RunVirshOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { signal } = options;
  const cancelled = () => new VirshError('cancelled', `virsh ${args.join(' ')} on ${uri} was cancelled before it answered.`, '', fullArgs);
  if (signal?.aborted) return Promise.reject(cancelled());
  return new Promise((resolve, reject) => {
    // LC_ALL=C keeps virsh's messages in English so the classification above holds.
    const child = spawn('virsh', fullArgs, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    // virsh waiting on a daemon that never answers ignores nothing short of SIGKILL; 'close' below then reports it.
    const abort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', abort, { once: true });
    child.once('close', () => signal?.removeEventListener('abort', abort));
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ENOENT') {
        reject(
          new VirshError(
            'not-installed',
            'virsh is not installed. Install libvirt-clients (Debian/Ubuntu) or libvirt-client (Fedora).',
            '',
            fullArgs,
          ),
        );
      } else {
        reject(new VirshError('failed', `Could not run virsh: ${e.message}`, '', fullArgs));
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      if (signal?.aborted && code !== 0) {
        reject(cancelled());
      } else if (timedOut) {
        reject(
          new VirshError(
            'timeout',
            `virsh ${args.join(' ')} on ${uri} did not answer within ${timeoutMs / 1000} s. Check that the host is reachable and libvirtd is responsive.`,
            stderr,
            fullArgs,
          ),
        );
      } else if (code === 0) {
        resolve(Buffer.concat(out).toString('utf8'));
      } else {
        reject(classifyVirshFailure(uri, fullArgs, stderr));
      }
    });
    // virsh may exit before reading stdin (e.g. a connection failure); that EPIPE is not the error to report.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
