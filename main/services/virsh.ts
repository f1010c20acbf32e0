/**
 * The one place that runs `virsh`: an argument array (never a shell), a timeout, and a typed error whose
 * message tells the user what to do. Every libvirt operation of the app goes through `runVirsh`, or through
 * `runVirshSession` when many commands for one connection should share one virsh process (one ssh login).
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

/** What one virsh process left behind. */
interface VirshExit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** The caller's signal was aborted before or while virsh ran (it was killed, or never started). */
  readonly aborted: boolean;
}

/**
 * Spawns `virsh ...fullArgs` (after the URI gate) and collects its output; rejects only when virsh cannot be
 * started (`not-installed`, `failed`).
 */
/** One virsh process once a slot is free, with its timeout (counted from its start, not from its wait for a slot). */
async function spawnVirsh(fullArgs: readonly string[], timeoutMs: number, input = '', signal?: AbortSignal): Promise<VirshExit> {
  await acquireSlot();
  try {
    return await spawnVirshNow(fullArgs, timeoutMs, input, signal);
  } finally {
    releaseSlot();
  }
}

function spawnVirshNow(fullArgs: readonly string[], timeoutMs: number, input: string, signal?: AbortSignal): Promise<VirshExit> {
  if (signal?.aborted) return Promise.resolve({ code: null, stdout: '', stderr: '', timedOut: false, aborted: true });
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
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        aborted: signal?.aborted ?? false,
      });
    });
    // virsh may exit before reading stdin (e.g. a connection failure); that EPIPE is not the error to report.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

function timeoutError(uri: string, what: string, timeoutMs: number, stderr: string, fullArgs: readonly string[]): VirshError {
  return new VirshError(
    'timeout',
    `virsh ${what} on ${uri} did not answer within ${timeoutMs / 1000} s. Check that the host is reachable and libvirtd is responsive.`,
    stderr,
    fullArgs,
  );
}

function cancelledError(uri: string, what: string, fullArgs: readonly string[]): VirshError {
  return new VirshError('cancelled', `virsh ${what} on ${uri} was cancelled before it answered.`, '', fullArgs);
}

/** Rejects a URI outside the allow-list of src/contracts/libvirt-uri.ts with `refused-uri`; null when it may run. */
function refusal(uri: string, fullArgs: readonly string[]): VirshError | null {
  // Every virsh run passes this gate, whoever asked (renderer, serve bridge, CLI): no URI that runs a program.
  const allowed = checkLibvirtUri(uri);
  return allowed.ok ? null : new VirshError('refused-uri', allowed.reason, '', fullArgs);
}

/**
 * Runs `virsh -c uri ...args` and resolves with its stdout; rejects with a `VirshError` (`refused-uri`, without
 * starting virsh, for a URI outside the allow-list of src/contracts/libvirt-uri.ts).
 */
export async function runVirsh(uri: string, args: readonly string[], options: RunVirshOptions = {}): Promise<string> {
  const fullArgs = ['-c', uri, ...args];
  const refused = refusal(uri, fullArgs);
  if (refused) throw refused;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const r = await spawnVirsh(fullArgs, timeoutMs, options.input, options.signal);
  // A run that finished before the abort took effect keeps its answer.
  if (r.aborted && r.code !== 0) throw cancelledError(uri, args.join(' '), fullArgs);
  if (r.timedOut) throw timeoutError(uri, args.join(' '), timeoutMs, r.stderr, fullArgs);
  if (r.code !== 0) throw classifyVirshFailure(uri, fullArgs, r.stderr);
  return r.stdout;
}

/** A function that runs one virsh command as runVirsh does: runVirsh itself, or a `virshSessions()` batcher. */
export type VirshRunner = (uri: string, args: readonly string[], options?: RunVirshOptions) => Promise<string>;

/** One command of a session: its stdout, or the error it alone failed with. */
export type VirshOutcome = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly error: VirshError };

/**
 * An argument as virsh's own command-string parser reads it (tools/vsh.c, vshCommandStringGetArg): everything
 * between single quotes is literal (blanks, `;`, `#`, newlines, backslashes), and a single quote is written
 * `'\''` as in the shell.
 */
function quoteForVirsh(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/** Splits `text` at each marker in turn: the text before each marker it holds, and what follows the last one. */
function splitAtMarkers(text: string, markers: readonly string[]): { parts: string[]; rest: string } {
  const parts: string[] = [];
  let at = 0;
  for (const marker of markers) {
    const end = text.indexOf(marker, at);
    if (end === -1) break;
    parts.push(text.slice(at, end));
    at = end + marker.length;
  }
  return { parts, rest: text.slice(at) };
}

/**
 * Runs several commands in one virsh process, so one connection (over ssh, one login) serves them all:
 * `virsh -q -c URI "CMD1; echo --err M1; echo M1; CMD2; ..."`. virsh runs every command of such a string even
 * when one fails, and prints each error to stderr as it happens; the markers, unique to this session (random),
 * after each command on both streams tell which output and which error belong to which command (`-q` keeps
 * virsh's blank line after each command from surrounding the markers). Each command's stdout is what runVirsh
 * gives for it alone.
 *
 * Resolves with one outcome per command, in order. Rejects with the session's error when no command ran: virsh
 * missing, a refused URI, or a connection that failed (virsh exits before running anything). A session that
 * ends early (killed at `timeoutMs`) gives the commands it did not finish that error.
 */
export async function runVirshSession(
  uri: string,
  commands: readonly (readonly string[])[],
  options: { readonly timeoutMs?: number } = {},
): Promise<VirshOutcome[]> {
  // The global Web Crypto, loaded on first use: node:crypto at the top would cost every CLI start ~10 ms.
  const token = crypto.randomUUID();
  const markers = commands.map((_, i) => `vaw-${token}-${i}-end`);
  const script = commands.map((args, i) => `${args.map(quoteForVirsh).join(' ')}\necho --err ${markers[i]}\necho ${markers[i]}`).join('\n');
  const fullArgs = ['-q', '-c', uri, script];
  const refused = refusal(uri, fullArgs);
  if (refused) throw refused;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const r = await spawnVirsh(fullArgs, timeoutMs);
  const stdout = splitAtMarkers(r.stdout, markers);
  const stderr = splitAtMarkers(
    r.stderr,
    markers.map((m) => `error: ${m}\n`),
  );
  const finished = Math.min(stdout.parts.length, stderr.parts.length);
  const what = `${commands.length} commands (${commands[0]?.[0] ?? ''} ...)`;
  // Named by its first command: a failure before any command ran is the connection's, not a command's.
  const sessionArgs = ['-c', uri, ...(commands[0] ?? [])];
  const early = r.timedOut
    ? timeoutError(uri, what, timeoutMs, stderr.rest, sessionArgs)
    : classifyVirshFailure(uri, sessionArgs, stderr.rest);
  if (finished === 0 && commands.length > 0) throw early;
  return commands.map((args, i): VirshOutcome => {
    if (i >= finished) return { ok: false, error: early };
    // A command failed when virsh reported an error for it (its exit status is not visible inside a session).
    const errors = stderr.parts[i]!;
    if (/^error: /m.test(errors)) return { ok: false, error: classifyVirshFailure(uri, ['-c', uri, ...args], errors) };
    // What runVirsh gives for the same command: without -q, virsh prints a blank line after each command
    // (tools/vsh.c vshCommandRun, vshPrintExtra(ctl, "\n")), which -q left out of the session.
    return { ok: true, stdout: `${stdout.parts[i]!}\n` };
  });
}

/** A command line of virsh holds at most this much script (Linux refuses one argument over 128 KiB). */
const MAX_SESSION_SCRIPT = 96 * 1024;

interface Queued {
  readonly args: readonly string[];
  readonly timeoutMs: number;
  readonly resolve: (stdout: string) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * A `VirshRunner` that gathers the commands asked of one URI while the current task runs and runs them as one
 * session (runVirshSession) right after it: code written for runVirsh, asking for many domains at once
 * (Promise.all), then costs one virsh process and one ssh login instead of one per command. Each command
 * resolves or rejects on its own, as with runVirsh. Commands with standard input or a signal run on their own.
 */
export function virshSessions(): VirshRunner {
  const queues = new Map<string, Queued[]>();
  const flush = async (uri: string): Promise<void> => {
    const queue = queues.get(uri) ?? [];
    queues.delete(uri);
    for (const batch of sessionsOf(queue)) {
      // A session may take as long as its slowest command, plus a second for each command it runs.
      const timeoutMs = Math.max(...batch.map((q) => q.timeoutMs)) + 1000 * batch.length;
      try {
        const outcomes = await runVirshSession(
          uri,
          batch.map((q) => q.args),
          { timeoutMs },
        );
        outcomes.forEach((o, i) => (o.ok ? batch[i]!.resolve(o.stdout) : batch[i]!.reject(o.error)));
      } catch (e) {
        for (const q of batch) q.reject(e);
      }
    }
  };
  return (uri, args, options = {}) => {
    // A command the user may cancel keeps its own process, so that Cancel kills only it.
    if (options.input !== undefined || options.signal) return runVirsh(uri, args, options);
    return new Promise((resolve, reject) => {
      let queue = queues.get(uri);
      if (!queue) {
        queue = [];
        queues.set(uri, queue);
        setImmediate(() => void flush(uri));
      }
      queue.push({ args, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, resolve, reject });
    });
  };
}

/** The queue cut into sessions whose scripts stay under MAX_SESSION_SCRIPT (a command with its two marker lines). */
function sessionsOf(queue: readonly Queued[]): Queued[][] {
  const sessions: Queued[][] = [];
  let size = Infinity;
  for (const q of queue) {
    const bytes = q.args.reduce((n, a) => n + quoteForVirsh(a).length + 1, 0) + 128;
    if (size + bytes > MAX_SESSION_SCRIPT) {
      sessions.push([]);
      size = 0;
    }
    sessions.at(-1)!.push(q);
    size += bytes;
  }
  return sessions;
}
