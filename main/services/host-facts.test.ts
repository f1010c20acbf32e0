/**
 * One host-facts assembly for the app and the CLI, against the real libvirt: this machine's evidence joins only
 * the facts of this machine's libvirtd, and domcapabilities is asked for the domain's own arch, machine and
 * virttype, through the app's IPC table (libvirt.read, host.caps) and the CLI's fleet audit alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostFacts } from '../../src/contracts/facts';
import { domainTargetOf } from '../../src/host';
import { defineXml, fixtureNamed, inactiveXml, removeDomains, SYSTEM } from '../../test/libvirt-domains';
import { missingParts, repoRoot } from '../../test/real-parts';
import { createIpcHandlers, dispatch } from '../ipc/ipc-table';
import { readDomainsFromConnection } from './fleet-audit';
import { hostFactsReader, isLocalUri } from './host-facts';
import { VirshError } from './virsh';

/** Evidence read from this machine's files and tools rather than from libvirt. */
const LOCAL_SOURCE = /^(\/proc|\/sys|\/dev)|virt-host-validate/;
const localSources = (host: HostFacts) => host.evidence.map((e) => e.source).filter((s) => LOCAL_SOURCE.test(s));
const capsSources = (host: HostFacts) => [
  ...new Set(host.evidence.map((e) => e.source.replace(/: <.*$/, '')).filter((s) => s.includes('domcapabilities'))),
];

const handlers = createIpcHandlers({ mode: 'serve', version: 'test', appRoot: repoRoot });

describe('isLocalUri', () => {
  it.each([
    ['qemu:///system', true],
    ['qemu:///session', true],
    ['qemu+unix:///system?socket=/run/libvirt/libvirt-sock', true],
    ['qemu:///systemd', false],
    ['test:///default', false],
    ['qemu+ssh://root@localhost/system', false],
    ['qemu+tcp://127.0.0.1/system', false],
  ])('%s → %s', (uri, local) => expect(isLocalUri(uri)).toBe(local));
});

const noVirsh = missingParts('virsh');
describe.skipIf(noVirsh)(`host facts of libvirt's test driver ${noVirsh ? `(skipped: ${noVirsh})` : ''}`, () => {
  it("carry libvirt's versions and none of this machine's evidence, in the app and the fleet audit", async () => {
    const read = await dispatch(handlers, 'libvirt.read', { uri: 'test:///default', name: 'test' });
    if (!read.ok) throw new Error(read.error.message);
    const { host } = read.value as { host: HostFacts };
    expect(host.libvirtVersion.kind).toBe('exact');
    expect(localSources(host)).toEqual([]);
    const [fleet] = (await readDomainsFromConnection('test:///default', ['test'])).domains;
    expect(fleet?.host).toEqual(host);
  });

  it('leave the capabilities unknown where the driver has none, unless they were asked for (host.caps)', async () => {
    const host = await hostFactsReader('test:///default')({});
    expect([host.sev.supported, host.machines]).toEqual(['unknown', 'unknown']);
    const e = await hostFactsReader('test:///default', { whenCapsRefused: 'throw' })({}).catch((x: unknown) => x);
    expect([e instanceof VirshError, (e as VirshError).code]).toEqual([true, 'failed']);
    const caps = await dispatch(handlers, 'host.caps', { uri: 'test:///default' });
    expect(caps.ok).toBe(false);
  });
});

const noDaemon = missingParts('libvirtd');
describe.skipIf(noDaemon)(`host facts of this machine's libvirtd ${noDaemon ? `(skipped: ${noDaemon})` : ''}`, () => {
  const name = `vaw-arch-hostfacts-${process.pid}`;
  beforeAll(() => defineXml(fixtureNamed('tcg-q35.xml', name)), 60_000);
  afterAll(() => removeDomains(name));

  it("libvirt.read asks domcapabilities for the domain's virttype, arch and machine and adds this machine's evidence", async () => {
    const xml = inactiveXml(name);
    const target = domainTargetOf(xml);
    // libvirt stores the machine it resolved the alias q35 to, e.g. pc-q35-7.2.
    expect(target).toEqual({ virttype: 'qemu', arch: 'x86_64', machine: expect.stringMatching(/^pc-q35-\d/) });
    const read = await dispatch(handlers, 'libvirt.read', { uri: SYSTEM, name });
    if (!read.ok) throw new Error(read.error.message);
    const { host } = read.value as { host: HostFacts };
    expect(capsSources(host)).toEqual([
      `virsh -c ${SYSTEM} domcapabilities --virttype qemu --arch x86_64 --machine ${target.machine ?? ''}`,
    ]);
    expect(host.machines).toContain(target.machine);
    expect(localSources(host).length).toBeGreaterThan(0);
  });

  it('the fleet audit assembles the same host facts for the same domain', async () => {
    const read = await dispatch(handlers, 'libvirt.read', { uri: SYSTEM, name });
    if (!read.ok) throw new Error(read.error.message);
    const [fleet] = (await readDomainsFromConnection(SYSTEM, [name])).domains;
    expect(fleet?.host).toEqual((read.value as { host: HostFacts }).host);
  });

  it('host.caps asks for the arch, machine and virttype it is given', async () => {
    const caps = await dispatch(handlers, 'host.caps', { uri: SYSTEM, arch: 'x86_64', machine: 'pc-i440fx-7.2', virttype: 'qemu' });
    if (!caps.ok) throw new Error(caps.error.message);
    const host = caps.value as HostFacts;
    expect(capsSources(host)).toEqual([`virsh -c ${SYSTEM} domcapabilities --virttype qemu --arch x86_64 --machine pc-i440fx-7.2`]);
    expect(host.machines).toContain('pc-i440fx-7.2');
  });
});
