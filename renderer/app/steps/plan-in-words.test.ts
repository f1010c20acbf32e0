import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/contracts/findings';
import { editInWords, fixedByPlan, groupRepeated } from './plan-in-words';

const finding = (rule: string, target: string, title: string, severity: Finding['severity'] = 'warning'): Finding => ({
  rule,
  severity,
  target,
  title,
  explanation: `${rule} explained`,
  fix: { text: 'fix', edits: [] },
  sources: [],
});

describe('the plan in words', () => {
  it('says each kind of edit in a sentence naming the element', () => {
    expect(editInWords({ op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu', value: 'on' })).toBe(
      "sets iommu='on' on <driver>",
    );
    expect(editInWords({ op: 'remove-attribute', target: '/domain/devices/rng[1]/driver', name: 'iommu' })).toBe(
      'removes iommu from <driver>',
    );
    expect(
      editInWords({
        op: 'add-element',
        parent: '/domain',
        xml: "<launchSecurity type='sev'>\n  <policy>0x0003</policy>\n</launchSecurity>",
      }),
    ).toBe("adds <launchSecurity type='sev'>");
    expect(editInWords({ op: 'add-element', parent: '/domain/devices', xml: "<memballoon model='none'/>", replace: true })).toBe(
      "writes <memballoon model='none'> in <devices>",
    );
    expect(editInWords({ op: 'remove-element', target: '/domain/devices/memballoon[1]' })).toBe('removes <memballoon>');
  });

  it('shows as fixed what the planned XML no longer has, by rule and device', () => {
    const a = finding('R-XML-05', '/domain/devices/rng[1]', 'rng legacy');
    const b = finding('R-SEV-06', '/domain', 'no migration', 'info');
    expect(fixedByPlan([a, b], [b])).toEqual([a]);
  });

  it('tells one note once for all the devices it concerns, by its words apart from the device, most severe first', () => {
    const labels = new Map([
      ['/domain/devices/disk[1]', 'disk vda'],
      ['/domain/devices/rng[1]', 'rng'],
    ]);
    const groups = groupRepeated(
      [
        finding('R-QEMU-01', '/domain/devices/disk[1]', "disk vda: QEMU's default turns it on", 'info'),
        finding('R-QEMU-01', '/domain/devices/rng[1]', "rng: QEMU's default turns it on", 'info'),
        finding('R-XML-05', '/domain/devices/rng[1]', 'rng: legacy interface', 'error'),
      ],
      labels,
    );
    expect(groups.map((g) => [g.first.rule, g.all.length, g.title])).toEqual([
      ['R-XML-05', 1, 'rng: legacy interface'],
      ['R-QEMU-01', 2, "QEMU's default turns it on"],
    ]);
  });
});
