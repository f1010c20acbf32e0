/**
 * Exact output of applyEdits for the project's fixture domains with the edits a confidential-VM plan makes
 * (domain-facts.md: iommu='on' on every virtio <driver>, memballoon model='none', <launchSecurity>, and a
 * non-transitional model on conventional PCI). Goldens live in test/fixtures/golden/; a missing golden fails.
 * Regenerate only with VAW_UPDATE_GOLDEN=1 and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Edit } from '../contracts/findings';
import { repoRoot } from '../../test/real-parts';
import { applyEdits, parseDomainXml, readDomainFacts, unifiedDiff } from './index';

const domains = path.join(repoRoot, 'test/fixtures/domains');
const goldens = path.join(repoRoot, 'test/fixtures/golden');
const update = process.env.VAW_UPDATE_GOLDEN === '1';

/** iommu on every explicit virtio device that can take it (not the virtio-iommu itself). */
function iommuEverywhere(text: string): Edit[] {
  return readDomainFacts(parseDomainXml(text))
    .devices.filter((d) => d.virtio && !d.implicit && d.function !== 'iommu' && d.driver.iommu !== 'on')
    .map((d) => ({ op: 'set-attribute', target: `${d.target}/driver`, name: 'iommu', value: 'on' }));
}

const BALLOON_OFF: Edit = { op: 'add-element', parent: '/domain/devices', xml: `<memballoon model='none'/>`, replace: true };

const CASES: readonly { fixture: string; goal: string; edits: (text: string) => Edit[] }[] = [
  {
    fixture: 'sev-q35.xml',
    goal: 'sev',
    edits: (t) => [
      ...iommuEverywhere(t),
      // The virtio-serial controller libvirt would add for the channel is written out explicitly.
      {
        op: 'add-element',
        parent: '/domain/devices',
        xml: `<controller type='virtio-serial' index='0'>\n  <driver iommu='on'/>\n</controller>`,
      },
      BALLOON_OFF,
      {
        op: 'add-element',
        parent: '/domain',
        xml: `<launchSecurity type='sev'>\n  <cbitpos>51</cbitpos>\n  <reducedPhysBits>1</reducedPhysBits>\n  <policy>0x0033</policy>\n</launchSecurity>`,
      },
    ],
  },
  {
    fixture: 's390-pv.xml',
    goal: 's390-pv',
    edits: (t) => [...iommuEverywhere(t), BALLOON_OFF, { op: 'add-element', parent: '/domain', xml: `<launchSecurity type='s390-pv'/>` }],
  },
  {
    fixture: 'transitional-i440fx.xml',
    goal: 'non-transitional-iommu',
    edits: (t) => [
      { op: 'set-attribute', target: '/domain/devices/interface[1]/model', name: 'type', value: 'virtio-non-transitional' },
      ...iommuEverywhere(t),
    ],
  },
  { fixture: 'vhost-user.xml', goal: 'iommu', edits: iommuEverywhere },
  { fixture: 'mmio-aarch64.xml', goal: 'iommu', edits: iommuEverywhere },
];

describe('applyEdits goldens', () => {
  for (const c of CASES) {
    it(`${c.fixture} → ${c.goal}`, () => {
      const input = readFileSync(path.join(domains, c.fixture), 'utf8');
      const output = applyEdits(input, c.edits(input));
      const golden = path.join(goldens, c.fixture.replace(/\.xml$/, `.${c.goal}.xml`));
      if (update) writeFileSync(golden, output);
      expect(existsSync(golden), `${golden} is missing; run with VAW_UPDATE_GOLDEN=1 and review it`).toBe(true);
      const after = readDomainFacts(parseDomainXml(output)).devices.filter((d) => d.virtio && d.function !== 'iommu');
      expect(after.filter((d) => d.implicit || d.driver.iommu !== 'on').map((d) => d.target)).toEqual([]);
      expect(output, unifiedDiff(readFileSync(golden, 'utf8'), output, { fromLabel: 'golden', toLabel: 'output' })).toBe(
        readFileSync(golden, 'utf8'),
      );
    });
  }
});
