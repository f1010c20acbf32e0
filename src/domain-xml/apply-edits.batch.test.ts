/**
 * applyEdits applies runs of device-local edits with one parse; the result must be byte for byte what applying
 * the same edits one at a time gives (a one-edit list takes the plain path), for engine plans over generated
 * domains and every goal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECURE_TYPES } from '../contracts/facts';
import type { Edit } from '../contracts/findings';
import { planFor } from '../engine';
import { CAPABLE_HOST, LINUX_GUEST, input } from '../../test/engine-facts';
import { domainSpec, domainXml } from '../../test/domain-generator';
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
