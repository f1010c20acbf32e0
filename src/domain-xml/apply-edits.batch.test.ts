/**
 * applyEdits applies runs of device-local edits with one parse, and the edits outside <devices> to the document
 * with the devices' content cut out; the result must be byte for byte what applying the same edits one at a time
 * gives (a one-edit list takes the plain path), for engine plans over generated domains and the corpus, and
 * every goal.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECURE_TYPES } from '../contracts/facts';
import type { Edit } from '../contracts/findings';
import { planFor } from '../engine';
import { CAPABLE_HOST, LINUX_GUEST, input } from '../../test/engine-facts';
import { domainSpec, domainXml } from '../../test/domain-generator';
import { corpusXmlFiles } from '../../test/corpus-files';
import { missingParts } from '../../test/real-parts';
import { applyEdits, parseDomainXml, readDomainFacts } from './index';

const oneByOne = (text: string, edits: readonly Edit[]): string => edits.reduce((t, e) => applyEdits(t, [e]), text);

describe('batched device edits', () => {
  it('give exactly the one-by-one result', () => {
    fc.assert(
      fc.property(domainSpec, fc.constantFrom(...SECURE_TYPES), (spec, secure) => {
        const xml = domainXml(spec);
        const plan = planFor(
          input({ domain: readDomainFacts(parseDomainXml(xml)), host: CAPABLE_HOST, guest: LINUX_GUEST, goals: { secure } }),
        );
        expect(applyEdits(xml, plan.edits)).toBe(oneByOne(xml, plan.edits));
      }),
      { numRuns: 300 },
    );
  });

  it('keep tab indentation, CRLF and the document quote style inside each device', () => {
    const xml =
      '<domain type="kvm">\r\n\t<devices>\r\n\t\t<disk type="file"><target dev="vda" bus="virtio"/></disk>\r\n\t\t<interface type="network">\r\n\t\t\t<model type="virtio"/>\r\n\t\t</interface>\r\n\t</devices>\r\n</domain>\r\n';
    const edits: Edit[] = [
      { op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu', value: 'on' },
      { op: 'set-attribute', target: '/domain/devices/interface[1]/driver', name: 'iommu', value: 'on' },
      { op: 'set-attribute', target: '/domain/devices/interface[1]/rom', name: 'enabled', value: 'no' },
    ];
    const out = applyEdits(xml, edits);
    expect(out).toBe(oneByOne(xml, edits));
    expect(out).toContain('\t\t\t<driver iommu="on"/>\r\n\t\t\t<rom enabled="no"/>\r\n');
  });
});

const noCorpus = missingParts('corpus');
describe.skipIf(noCorpus)(`batched edits on the corpus ${noCorpus ? `(skipped: ${noCorpus})` : ''}`, () => {
  it('give exactly the one-by-one result for every domain and goal whose plan can be applied', () => {
    let compared = 0;
    for (const file of corpusXmlFiles().filter((f) => f.kind !== 'domaincaps')) {
      let facts;
      const xml = readFileSync(file.abs, 'utf8');
      try {
        facts = readDomainFacts(parseDomainXml(xml));
      } catch {
        continue; // negative inputs and other roots
      }
      for (const secure of SECURE_TYPES) {
        const plan = planFor(input({ domain: facts, host: CAPABLE_HOST, guest: LINUX_GUEST, goals: { secure } }));
        if (plan.impossible.length > 0 || plan.edits.length < 2) continue;
        let one: string;
        try {
          one = oneByOne(xml, plan.edits);
        } catch {
          continue; // an edit the plain path refuses too (EditError) is the engine's to fix, not the batching's
        }
        expect(applyEdits(xml, plan.edits), `${file.rel} --secure ${secure}`).toBe(one);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  }, 120_000);

  it('keep CRLF line breaks, tabs and the document quote outside <devices> as one by one does', () => {
    const xml =
      '<domain type="kvm">\r\n\t<name>t</name>\r\n\t<os>\r\n\t\t<type arch="x86_64" machine="q35">hvm</type>\r\n\t</os>\r\n\t<devices>\r\n\t\t<disk type="file"><target dev="vda" bus="virtio"/></disk>\r\n\t\t<interface type="network">\r\n\t\t\t<model type="virtio"/>\r\n\t\t</interface>\r\n\t</devices>\r\n</domain>\r\n';
    const edits: Edit[] = [
      {
        op: 'add-element',
        parent: '/domain',
        xml: "<launchSecurity type='sev'>\n  <policy>0x0003</policy>\n</launchSecurity>",
        replace: true,
      },
      { op: 'add-element', parent: '/domain/memoryBacking', xml: '<locked/>', replace: true },
      { op: 'set-attribute', target: '/domain/os', name: 'firmware', value: 'efi' },
      { op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu', value: 'on' },
      { op: 'set-attribute', target: '/domain/devices/interface[1]/driver', name: 'iommu', value: 'on' },
      { op: 'add-element', parent: '/domain/devices', xml: "<memballoon model='none'/>", replace: true },
    ];
    const out = applyEdits(xml, edits);
    expect(out).toBe(oneByOne(xml, edits));
    expect(out).toContain('\r\n\t<memoryBacking>\r\n\t\t<locked/>\r\n\t</memoryBacking>\r\n');
    expect(out).toContain('\t\t<disk type="file"><driver iommu="on"/><target dev="vda" bus="virtio"/></disk>\r\n');
    expect(out).toContain("\t<launchSecurity type='sev'>\r\n\t\t<policy>0x0003</policy>\r\n\t</launchSecurity>\r\n</domain>\r\n");
  });

  it('removes a device its edits empty, as one by one does, instead of failing (found by the in-place property test)', () => {
    const xml = '<domain>\n  <devices>\n    <rng model="virtio"/>\n    <vsock/>\n  </devices>\n</domain>\n';
    const edits: Edit[] = [
      { op: 'set-attribute', target: '/domain/devices/vsock[1]/driver', name: 'type', value: 'on' },
      { op: 'set-attribute', target: '/domain/devices/rng[1]', name: 'iommu', value: 'on' },
      { op: 'remove-attribute', target: '/domain/devices/vsock[1]/driver', name: 'type' },
    ];
    expect(applyEdits(xml, edits)).toBe(oneByOne(xml, edits));
  });

  it('puts a device its edits empty and then set again where one by one creates it, among its siblings (found by the in-place property test)', () => {
    const xml = '<domain>\n  <devices>\n    <vsock type="off"/>\n    <disk type="off"/>\n  </devices>\n</domain>\n';
    const edits: Edit[] = [
      { op: 'remove-attribute', target: '/domain/devices/disk[1]', name: 'type' },
      { op: 'set-attribute', target: '/domain/devices/disk[1]', name: 'iommu', value: 'on' },
      { op: 'set-attribute', target: '/domain/devices/vsock[1]', name: 'iommu', value: 'on' },
    ];
    const out = applyEdits(xml, edits);
    expect(out).toBe(oneByOne(xml, edits));
    // One by one re-creates the pruned disk in libvirt's device order, before the vsock.
    expect(out).toContain('<disk iommu="on"/>\n    <vsock type="off" iommu="on"/>');
  });
});
