import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runningChildren } from '../../test/child-processes';
import { missingParts } from '../../test/real-parts';
import { startSilentLibvirt } from '../../test/silent-libvirt';
import { classifyVirshFailure, MAX_CONCURRENT_VIRSH, runVirsh, runVirshSession, VirshError, virshSessions } from './virsh';

const virshChildren = (): number => runningChildren('virsh');

const missing = missingParts('virsh');
const missingSsh = missing || missingParts('ssh');

async function failure(promise: Promise<unknown>): Promise<VirshError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof VirshError) return e;
    throw e;
  }
  throw new Error('expected virsh to fail');
}

describe.skipIf(missing)(`runVirsh against real virsh ${missing ? '(skipped: ' + missing + ')' : ''}`, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-virsh-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('feeds input to virsh on stdin (its command shell)', async () => {
    const out = await runVirsh('test:///default', [], { input: 'list --all --name\n' });
    expect(out).toMatch(/^test$/m);
  });

  it(`runs at most ${MAX_CONCURRENT_VIRSH} virsh at once; the others wait their turn and all answer`, async () => {
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, virshChildren())), 2);
    try {
      const outs = await Promise.all(
        Array.from({ length: 3 * MAX_CONCURRENT_VIRSH }, () => runVirsh('test:///default', ['list', '--all', '--name'])),
      );
      expect(outs.every((o) => o.split('\n').includes('test'))).toBe(true);
    } finally {
      clearInterval(watch);
    }
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(MAX_CONCURRENT_VIRSH);
  }, 120_000);

  it('returns stdout of a successful run on the embedded test driver', async () => {
    const out = await runVirsh('test:///default', ['list', '--all', '--name']);
    expect(out.split('\n')).toContain('test');
  });

  it('reports a daemon that is not there (socket does not exist) as daemon-down with advice', async () => {
    const e = await failure(runVirsh('qemu:///system?socket=/nonexistent/libvirt-sock', ['version']));
    expect(e.code).toBe('daemon-down');
    expect(e.message).toMatch(/Start it/);
    expect(e.stderr).toMatch(/nonexistent/);
    expect(e.args).toEqual(['-c', 'qemu:///system?socket=/nonexistent/libvirt-sock', 'version']);
  });

  it('refuses a URI outside the allow-list before running virsh, listing the accepted forms', async () => {
    const e = await failure(runVirsh('bogus:///nothing', ['version']));
    expect(e.code).toBe('refused-uri');
    expect(e.stderr).toBe('');
    expect(e.message).toMatch(/qemu:\/\/\/system/);
  });

  it('reports a missing domain as domain-not-found', async () => {
    const e = await failure(runVirsh('test:///default', ['dumpxml', 'vaw-no-such-domain']));
    expect(e.code).toBe('domain-not-found');
    expect(e.message).toMatch(/list --all/);
  });

  it('reports schema rejection by define --validate as validation-failed', async () => {
    const xml = file('invalid.xml', "<domain type='test'><name>vaw-invalid</name><memory>1024</memory><bogus/></domain>");
    const e = await failure(runVirsh('test:///default', ['define', '--validate', xml]));
    expect(e.code).toBe('validation-failed');
    expect(e.message).toMatch(/bogus/);
  });

  it("reports a definition libvirt refuses as define-refused with libvirt's reason", async () => {
    const xml = file('no-os.xml', "<domain type='test'><name>vaw-no-os</name></domain>");
    const e = await failure(runVirsh('test:///default', ['define', xml]));
    expect(e.code).toBe('define-refused');
    expect(e.message).toMatch(/os <type>|memory/);
  });

  it('kills a run that exceeds its timeout and says so', async () => {
    // `virsh event --loop` waits forever for events; only the timeout ends it.
    const e = await failure(runVirsh('test:///default', ['event', '--all', '--loop'], { timeoutMs: 500 }));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(/did not answer within 0\.5 s/);
  });

  it('a cancelled run kills virsh while it waits on a daemon that never answers, and rejects as cancelled', async () => {
    const daemon = await startSilentLibvirt();
    try {
      const cancel = new AbortController();
      const run = failure(runVirsh(daemon.uri, ['list', '--all'], { signal: cancel.signal, timeoutMs: 60_000 }));
      await daemon.connected();
      expect(daemon.open()).toBe(1);
      const at = Date.now();
      cancel.abort();
      const e = await run;
      expect(e.code).toBe('cancelled');
      expect(e.message).toMatch(/list --all on qemu\+unix:.* was cancelled/);
      // The daemon sees the connection close: the virsh process is gone, not merely forgotten.
      await daemon.allClosed();
      expect(Date.now() - at).toBeLessThan(5_000);
    } finally {
      await daemon.stop();
    }
  });

  it('a command with a signal asked of virshSessions runs in its own virsh, which Cancel kills alone', async () => {
    const daemon = await startSilentLibvirt();
    try {
      const virsh = virshSessions();
      const cancel = new AbortController();
      const run = failure(virsh(daemon.uri, ['list', '--all'], { signal: cancel.signal, timeoutMs: 60_000 }));
      await daemon.connected();
      cancel.abort();
      expect((await run).code).toBe('cancelled');
      await daemon.allClosed();
    } finally {
      await daemon.stop();
    }
  });

  it('a run cancelled before it starts never starts virsh', async () => {
    const daemon = await startSilentLibvirt();
    try {
      const cancel = new AbortController();
      cancel.abort();
      const e = await failure(runVirsh(daemon.uri, ['version'], { signal: cancel.signal }));
      expect([e.code, daemon.open()]).toEqual(['cancelled', 0]);
    } finally {
      await daemon.stop();
    }
  });
});

describe.skipIf(missing)(`virsh sessions (many commands, one virsh process) ${missing ? '(skipped: ' + missing + ')' : ''}`, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-session-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // The test driver's state lives in the virsh process: a domain defined by one command is seen by a later
  // command only when both ran in the same process.
  const defined = path.join(dir, 'defined.xml');
  writeFileSync(defined, "<domain type='test'><name>vaw-session</name><memory>1024</memory><os><type>hvm</type></os></domain>");

  it('runs every command in one process; a failing command in the middle fails alone', async () => {
    const outcomes = await runVirshSession('test:///default', [
      ['define', defined],
      ['dumpxml', '--', 'vaw-no-such-domain'],
      ['dumpxml', '--inactive', '--', 'vaw-session'],
      ['list', '--all', '--name'],
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
    const [, missingDomain, xml, list] = outcomes;
    expect(missingDomain?.ok === false && missingDomain.error.code).toBe('domain-not-found');
    expect(missingDomain?.ok === false && missingDomain.error.args).toEqual([
      '-c',
      'test:///default',
      'dumpxml',
      '--',
      'vaw-no-such-domain',
    ]);
    expect(xml?.ok && xml.stdout).toMatch(/^<domain type='test'>\n {2}<name>vaw-session<\/name>[^]*<\/domain>\n\n$/);
    expect(list?.ok && list.stdout).toBe(
      await runVirsh('test:///default', ['list', '--all', '--name']).then((one) => one.replace('test\n', 'test\nvaw-session\n')),
    );
  });

  it("gives a command's stdout exactly as runVirsh does for it alone", async () => {
    const [version, xml] = await runVirshSession('test:///default', [['version'], ['dumpxml', '--inactive', '--', 'test']]);
    expect(version?.ok && version.stdout).toBe(await runVirsh('test:///default', ['version']));
    expect(xml?.ok && xml.stdout).toBe(await runVirsh('test:///default', ['dumpxml', '--inactive', '--', 'test']));
  });

  it('passes arguments with quotes, blanks, ;, #, backslashes and newlines to virsh unchanged', async () => {
    const odd = ["it's", 'a b;c', '#not a comment', 'back\\slash \\', 'two\nlines', '"double"'];
    const outcomes = await runVirshSession(
      'test:///default',
      odd.map((text) => ['echo', '--', text]),
    );
    expect(outcomes.map((o) => o.ok && o.stdout)).toEqual(odd.map((text) => `${text}\n`));
  });

  it('rejects as a whole when the connection fails before any command runs', async () => {
    const e = await failure(runVirshSession('qemu:///system?socket=/nonexistent/libvirt-sock', [['version'], ['list', '--name']]));
    expect(e.code).toBe('daemon-down');
  });

  it('gives the commands a killed session did not finish its timeout, keeping what finished', async () => {
    const outcomes = await runVirshSession('test:///default', [['list', '--all', '--name'], ['event', '--all', '--loop'], ['version']], {
      timeoutMs: 1500,
    });
    expect(outcomes[0]).toEqual({ ok: true, stdout: 'test\n\n' });
    expect(outcomes.slice(1).map((o) => !o.ok && o.error.code)).toEqual(['timeout', 'timeout']);
  });

  it('virshSessions runs the commands asked in one task as one session, each settling on its own', async () => {
    const virsh = virshSessions();
    const [define, xml, missingDomain] = await Promise.allSettled([
      virsh('test:///default', ['define', defined]),
      virsh('test:///default', ['dumpxml', '--inactive', '--', 'vaw-session']),
      virsh('test:///default', ['dumpxml', '--', 'vaw-no-such-domain']),
    ]);
    expect(define.status).toBe('fulfilled');
    expect(xml.status === 'fulfilled' && xml.value).toMatch(/<name>vaw-session<\/name>/);
    expect(missingDomain.status === 'rejected' && (missingDomain.reason as VirshError).code).toBe('domain-not-found');
    // Asked in a later task: a new session, a new process, where the domain was never defined.
    const later = await failure(virsh('test:///default', ['dumpxml', '--', 'vaw-session']));
    expect(later.code).toBe('domain-not-found');
  });
});

describe.skipIf(missingSsh)(`remote URIs over real ssh ${missingSsh ? `(skipped: ${missingSsh})` : ''}`, () => {
  it("reports a refused ssh connection as ssh's failure, not as a stopped libvirtd", async () => {
    const e = await failure(runVirsh('qemu+ssh://nobody@127.0.0.1:1/system', ['version'], { timeoutMs: 20_000 }));
    expect(e.code).toBe('cannot-connect');
    expect(e.message).toMatch(
      /^ssh could not log in to the host of qemu\+ssh:\/\/nobody@127\.0\.0\.1:1\/system: .*Connection refused.*"ssh -p 1 nobody@127\.0\.0\.1"/,
    );
  });
});

describe('classifyVirshFailure', () => {
  it('maps a permission error on connect to permission-denied with the libvirt group advice', () => {
    const stderr =
      "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied\n";
    const e = classifyVirshFailure('qemu:///system', ['version'], stderr);
    expect(e.code).toBe('permission-denied');
    expect(e.message).toMatch(/libvirt' group/);
  });

  it("says an ssh login failure is ssh's, with the ssh command to try", () => {
    const stderr =
      'error: failed to connect to the hypervisor\nerror: Cannot recv data: Host key verification failed.: Connection reset by peer\n';
    const e = classifyVirshFailure('qemu+ssh://admin@kvm1.example:2222/system', ['version'], stderr);
    expect(e.code).toBe('permission-denied');
    expect(e.message).toMatch(/ssh could not log in .*"ssh -p 2222 admin@kvm1.example" works on its own/);
  });

  it("falls back to failed with virsh's own words", () => {
    const e = classifyVirshFailure('test:///default', ['start', 'x'], 'error: something unusual\n');
    expect(e.code).toBe('failed');
    expect(e.message).toMatch(/something unusual/);
  });
});

describe('runVirsh without virsh on PATH', () => {
  it('reports not-installed with the package to install', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const e = await failure(runVirsh('test:///default', ['version']));
      expect(e.code).toBe('not-installed');
      expect(e.message).toMatch(/libvirt-clients/);
    } finally {
      process.env.PATH = saved;
    }
  });
});
