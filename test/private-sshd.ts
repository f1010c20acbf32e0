/**
 * Private sshd instances on 127.0.0.1 for remote-libvirt tests and the fleet benchmark: each on its own port
 * with a throwaway host key, accepting one throwaway client key, nothing of the machine's ssh setup touched.
 * In front of the real libvirtd they make `qemu+ssh://root@127.0.0.1:PORT/system` a remote host; several of
 * them make a fleet. Needs root (sshd) — ask `missingParts('sshd', 'ssh')` first.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** One running sshd. */
export interface PrivateSshd {
  readonly port: number;
  /** libvirt's URI for this host: the client key, no host-key prompt for the throwaway key, no tty. */
  readonly uri: string;
  /** How many logins sshd has accepted so far (from its log). */
  logins(): number;
  stop(): Promise<void>;
}

/** A set of private sshds sharing one key pair and one folder, removed by `stop`. */
export interface SshdFleet {
  readonly hosts: readonly PrivateSshd[];
  /** A URI for a port where nothing listens: a host that is down. */
  downUri(): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not listen on ${port}`);
}

function uriFor(port: number, dir: string): string {
  return `qemu+ssh://root@127.0.0.1:${port}/system?keyfile=${dir}/client_key&no_verify=1&no_tty=1`;
}

async function startOne(dir: string, index: number): Promise<PrivateSshd> {
  const port = await freePort();
  const log = path.join(dir, `sshd-${index}.log`);
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${dir}/host_key`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    `PidFile ${dir}/sshd-${index}.pid`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
    // A fleet logs in many times at once; sshd's default (10:30:100) would start dropping connections.
    'MaxStartups 200',
    // bash sources ~/.bashrc for a command run over ssh only in a top-level shell (bash shell.c,
    // run_startup_files: shell_level < 2); this machine's root .bashrc (pyenv init) takes seconds per login,
    // which no real host's libvirt login pays. SHLVL=1 makes the remote command's bash skip it.
    'SetEnv SHLVL=1',
  ];
  const configFile = path.join(dir, `sshd-${index}.conf`);
  writeFileSync(configFile, `${config.join('\n')}\n`);
  // -D keeps sshd in the foreground as our child, so it ends when stopped (or with the process).
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-f', configFile, '-E', log], { stdio: 'ignore' });
  await waitForPort(port);
  return {
    port,
    uri: uriFor(port, dir),
    logins: () => (existsSync(log) ? (readFileSync(log, 'utf8').match(/^.*Accepted publickey for /gm)?.length ?? 0) : 0),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** Starts `count` sshds. */
export async function startSshdFleet(count: number): Promise<SshdFleet> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-sshd-'));
  for (const key of ['host_key', 'client_key']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, key)]);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client_key.pub')), { mode: 0o600 });
  mkdirSync('/run/sshd', { recursive: true });
  const hosts: PrivateSshd[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(hosts.map((h) => h.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) hosts.push(await startOne(dir, i));
  } catch (e) {
    await stop();
    throw e;
  }
  return { hosts, downUri: async () => uriFor(await freePort(), dir), stop };
}
