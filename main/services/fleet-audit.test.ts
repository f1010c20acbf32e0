import { describe, expect, it } from 'vitest';
import { missingParts } from '../../test/real-parts';
import { readDomainsFromConnection } from './fleet-audit';
import { VirshError } from './virsh';

const missing = missingParts('virsh');
describe.skipIf(missing)(`readDomainsFromConnection on the test driver ${missing ? '(skipped: ' + missing + ')' : ''}`, () => {
  it('reads every domain with its inactive XML, versions and progress', async () => {
    const progress: [number, number][] = [];
    const domains = await readDomainsFromConnection('test:///default', 'all', (d, t) => progress.push([d, t]));
    expect(domains.map((d) => d.name)).toEqual(['test']);
    expect(domains[0]?.xml).toMatch(/<name>test<\/name>/);
    expect(domains[0]?.host.libvirtVersion.kind).toBe('exact');
    expect(progress).toEqual([[1, 1]]);
  });

  it('rejects a name the host does not have with domain-not-found', async () => {
    const e = await readDomainsFromConnection('test:///default', ['vaw-none']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VirshError);
    expect((e as VirshError).code).toBe('domain-not-found');
  });

  it('rejects a connection that does not answer with daemon-down', async () => {
    const e = await readDomainsFromConnection('qemu:///system?socket=/nonexistent', 'all').catch((x: unknown) => x);
    expect((e as VirshError).code).toBe('daemon-down');
  });
});
