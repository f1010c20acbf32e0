/**
 * A remote connection for real: a private sshd on 127.0.0.1 (own port, host key and authorized key, nothing of
 * the machine's ssh setup touched) in front of the real libvirtd, reached with qemu+ssh://. The services and
 * the fleet audit see the same daemon as over qemu:///system.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingParts, repoRoot } from '../../test/real-parts';
import { defineXml, fixtureNamed, removeDomains, SYSTEM } from '../../test/libvirt-domains';
import { startSshdFleet, type SshdFleet } from '../../test/private-sshd';
import type { HostFacts } from '../../src/contracts/facts';
import { createIpcHandlers, dispatch } from '../ipc/ipc-table';
import { readDomainsFromConnection } from './fleet-audit';
import { dumpInactiveXml, getVersions, listDomains } from './libvirt';

const name = `vaw-ssh-${process.pid}`;

const missing = missingParts('libvirtd', 'ssh', 'sshd');
describe.skipIf(missing)(`libvirt over qemu+ssh ${missing ? `(skipped: ${missing})` : ''}`, () => {
  let sshd: SshdFleet | undefined;
  let uri = '';

  beforeAll(async () => {
    sshd = await startSshdFleet(1);
    uri = sshd.hosts[0]!.uri;
    defineXml(fixtureNamed('tcg-q35.xml', name));
  }, 60_000);

  afterAll(async () => {
    await removeDomains(name);
    await sshd?.stop();
  });

  it('lists the same domains and versions as the local connection', async () => {
    // Only this suite's own domain: other suites define and remove theirs on the same daemon meanwhile.
    const own = (list: Awaited<ReturnType<typeof listDomains>>) => list.find((d) => d.name === name);
    expect(own(await listDomains(uri))).toEqual({ name, state: 'shut off', persistent: true });
    expect(own(await listDomains(uri))).toEqual(own(await listDomains(SYSTEM)));
    expect(await getVersions(uri)).toEqual(await getVersions(SYSTEM));
  });

  it('reads the inactive XML over ssh byte for byte', async () => {
    expect(await dumpInactiveXml(uri, name)).toBe(await dumpInactiveXml(SYSTEM, name));
  });

  it("audits the remote host without the local machine's /sys evidence", async () => {
    const [remote] = (await readDomainsFromConnection(uri, [name])).domains;
    expect(remote?.xml).toBe(await dumpInactiveXml(SYSTEM, name));
    // What it knows of the remote host comes from that host's libvirt, never from this machine's files.
    const sources = (remote?.host.evidence ?? []).map((e) => e.source);
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((s) => /^(\/proc|\/sys|\/dev)|virt-host-validate/.test(s))).toEqual([]);
    expect(remote?.host.libvirtVersion.kind).toBe('exact');
  });

  it("the app reads the remote domain with the same host facts as the audit, without this machine's evidence", async () => {
    const read = await dispatch(createIpcHandlers({ mode: 'serve', version: 'test', appRoot: repoRoot }), 'libvirt.read', { uri, name });
    if (!read.ok) throw new Error(read.error.message);
    const host = (read.value as { host: HostFacts }).host;
    expect(host.evidence.map((e) => e.source).filter((s) => /^(\/proc|\/sys|\/dev)|virt-host-validate/.test(s))).toEqual([]);
    const [audited] = (await readDomainsFromConnection(uri, [name])).domains;
    expect(host).toEqual(audited?.host);
  });

  it('virtio-access check --connect reads the remote domain and reports it as JSON', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'dist/cli/virtio-access.cjs'), 'check', '--connect', uri, name, '--json', '--no-schema'],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { files: { file: string; domain: string }[] };
    expect(out.files.map((f) => f.domain)).toEqual([name]);
  });
});
