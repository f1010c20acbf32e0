import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineXml, fixtureNamed, removeDomains } from '../../test/libvirt-domains';
import { startSshdFleet, type SshdFleet } from '../../test/private-sshd';
import { missingParts } from '../../test/real-parts';
import { readDomainsFromConnection, readFleet } from './fleet-audit';
import { VirshError } from './virsh';

/**
 * Runs `fn` with a `virsh` first on PATH that logs its start and end around the real virsh, and returns the
 * most virsh processes that ran at the same time.
 */
async function maxConcurrentVirsh(fn: () => Promise<unknown>): Promise<number> {
  const real = execFileSync('sh', ['-c', 'command -v virsh'], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-virsh-count-'));
  const log = path.join(dir, 'log');
  writeFileSync(path.join(dir, 'virsh'), `#!/bin/sh\necho start >> '${log}'\n'${real}' "$@"\nrc=$?\necho end >> '${log}'\nexit $rc\n`, {
    mode: 0o755,
  });
  writeFileSync(log, '');
  const saved = process.env.PATH;
  process.env.PATH = `${dir}:${saved}`;
  try {
    await fn();
  } finally {
    process.env.PATH = saved;
  }
  let running = 0;
  let most = 0;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (line === 'start') most = Math.max(most, ++running);
    if (line === 'end') running--;
  }
  rmSync(dir, { recursive: true, force: true });
  return most;
}

const missing = missingParts('virsh');
describe.skipIf(missing)(`readDomainsFromConnection on the test driver ${missing ? '(skipped: ' + missing + ')' : ''}`, () => {
  it('reads every domain with its inactive XML, versions and progress', async () => {
    const progress: [number, number][] = [];
    const read = await readDomainsFromConnection('test:///default', 'all', (d, t) => progress.push([d, t]));
    expect(read.domains.map((d) => d.name)).toEqual(['test']);
    expect(read.failures).toEqual([]);
    expect(read.domains[0]?.xml).toMatch(/<name>test<\/name>/);
    expect(read.domains[0]?.host.libvirtVersion.kind).toBe('exact');
    expect(progress).toEqual([[1, 1]]);
  });

  it('a domain that cannot be read fails alone (domain-not-found); the domains around it are read', async () => {
    const read = await readDomainsFromConnection('test:///default', ['test', 'vaw-none', 'test']);
    expect(read.domains.map((d) => d.name)).toEqual(['test', 'test']);
    expect(read.failures.map((f) => [f.name, f.error.code])).toEqual([['vaw-none', 'domain-not-found']]);
  });

  it('rejects a connection that does not answer with daemon-down', async () => {
    const e = await readDomainsFromConnection('qemu:///system?socket=/nonexistent', 'all').catch((x: unknown) => x);
    expect((e as VirshError).code).toBe('daemon-down');
  });
});

describe.skipIf(missing)(`readFleet on the test driver ${missing ? '(skipped: ' + missing + ')' : ''}`, () => {
  it('reads at most --jobs hosts at a time (counted on real virsh processes), in parallel, keeping the order', async () => {
    const uris = [...Array.from({ length: 6 }, () => 'test:///default'), 'qemu+foo:///x'];
    let reads: Awaited<ReturnType<typeof readFleet>> = [];
    const done: number[] = [];
    const most = await maxConcurrentVirsh(async () => {
      reads = await readFleet(uris, 'all', { jobs: 2, onHost: (_, n) => done.push(n) });
    });
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBeGreaterThan(1);
    expect(reads.map((r) => r.ok && r.domains.map((d) => d.name))).toEqual([...Array.from({ length: 6 }, () => ['test']), false]);
    const refused = reads.at(-1);
    expect(refused?.ok === false && refused.error.code).toBe('refused-uri');
    expect(done).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('with --jobs 1 reads one host after another', async () => {
    expect(
      await maxConcurrentVirsh(() => readFleet(['test:///default', 'test:///default', 'test:///default'], ['test'], { jobs: 1 })),
    ).toBe(1);
  });
});

const missingRemote = missingParts('libvirtd', 'ssh', 'sshd');
describe.skipIf(missingRemote)(`readFleet over qemu+ssh ${missingRemote ? `(skipped: ${missingRemote})` : ''}`, () => {
  const prefix = `vaw-perf-t${process.pid}-`;
  const names = Array.from({ length: 5 }, (_, i) => `${prefix}${i}`);
  let fleet: SshdFleet | undefined;

  beforeAll(async () => {
    fleet = await startSshdFleet(2);
    for (const name of names) defineXml(fixtureNamed('tcg-q35.xml', name));
  }, 120_000);

  afterAll(async () => {
    await removeDomains(prefix);
    await fleet?.stop();
  });

  it('reads five domains with two ssh logins (their XML in one session, versions and capabilities in another)', async () => {
    const host = fleet!.hosts[0]!;
    const before = host.logins();
    const read = await readDomainsFromConnection(host.uri, names);
    expect(read.domains.map((d) => d.name)).toEqual(names);
    expect(read.domains.every((d) => d.host.qemuVersion.kind === 'exact')).toBe(true);
    expect(host.logins() - before).toBe(2);
  });

  it('lists the host first when asked for all its domains: three logins', async () => {
    const host = fleet!.hosts[1]!;
    const before = host.logins();
    const read = await readDomainsFromConnection(host.uri, 'all');
    expect(read.domains.map((d) => d.name)).toEqual(expect.arrayContaining(names));
    expect(host.logins() - before).toBe(3);
  });

  it('a host that is down is reported as such and loses none of the other hosts’ domains', async () => {
    const [a, b] = fleet!.hosts;
    const reads = await readFleet([a!.uri, await fleet!.downUri(), b!.uri], names, { jobs: 3 });
    expect(reads.map((r) => r.ok)).toEqual([true, false, true]);
    expect(reads[1]?.ok === false && reads[1].error.code).toBe('cannot-connect');
    for (const r of [reads[0], reads[2]]) expect(r?.ok && r.domains.map((d) => d.name)).toEqual(names);
  });
});
