import { describe, expect, it } from 'vitest';
import { applyEdits, EditError, parseDomainXml, readDomainFacts, unifiedDiff } from './index';

const DOMAIN = `<domain type="kvm">
  <name>vm</name>
  <memory unit='GiB'>2</memory>
  <os>
    <type arch='x86_64' machine='pc-q35-8.2'>hvm</type>
  </os>
  <devices>
    <disk type='file'   device='disk'>
      <driver name="qemu" type='qcow2'/>
      <source file='/var/lib/libvirt/images/vm.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:aa:bb:cc'/>
      <source network='default'/>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </interface>
    <memballoon model='virtio'/>
  </devices>
</domain>
`;

function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const diff = unifiedDiff(before, after, { fromLabel: 'a', toLabel: 'b' }).split('\n').slice(2);
  return {
    removed: diff.filter((l) => l.startsWith('-')).map((l) => l.slice(1)),
    added: diff.filter((l) => l.startsWith('+')).map((l) => l.slice(1)),
  };
}

describe('applyEdits', () => {
  it('sets an existing attribute in place, keeping quote and spacing: a one-line diff', () => {
    const out = applyEdits(DOMAIN, [{ op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'name', value: 'a"b' }]);
    expect(changedLines(DOMAIN, out)).toEqual({
      removed: [`      <driver name="qemu" type='qcow2'/>`],
      added: [`      <driver name="a&quot;b" type='qcow2'/>`],
    });
  });

  it("appends a new attribute with the element's dominant quote", () => {
    const out = applyEdits(DOMAIN, [
      { op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu', value: 'on' },
      { op: 'set-attribute', target: '/domain/devices/disk[1]', name: 'x', value: "it's" },
    ]);
    expect(changedLines(DOMAIN, out)).toEqual({
      removed: [`    <disk type='file'   device='disk'>`, `      <driver name="qemu" type='qcow2'/>`],
      added: [`    <disk type='file'   device='disk' x='it&apos;s'>`, `      <driver name="qemu" type='qcow2' iommu='on'/>`],
    });
  });

  it('creates a missing <driver> where libvirt writes it (interface: after model, before address)', () => {
    const out = applyEdits(DOMAIN, [{ op: 'set-attribute', target: '/domain/devices/interface[1]/driver', name: 'iommu', value: 'on' }]);
    expect(out).toContain(`      <model type='virtio'/>\n      <driver iommu='on'/>\n      <address type='pci'`);
    expect(changedLines(DOMAIN, out)).toEqual({ removed: [], added: [`      <driver iommu='on'/>`] });
    const facts = readDomainFacts(parseDomainXml(out));
    expect(facts.devices.find((d) => d.kind === 'interface')?.driver.iommu).toBe('on');
  });

  it('turns a self-closing parent into start and end tags when adding a child', () => {
    const out = applyEdits(DOMAIN, [{ op: 'set-attribute', target: '/domain/devices/memballoon[1]/driver', name: 'iommu', value: 'on' }]);
    expect(out).toContain(`    <memballoon model='virtio'>\n      <driver iommu='on'/>\n    </memballoon>\n`);
  });

  it('adds top-level elements in libvirt order and replaces when asked', () => {
    const ls = `<launchSecurity type='sev'>\n  <policy>0x0033</policy>\n</launchSecurity>`;
    const out = applyEdits(DOMAIN, [
      { op: 'add-element', parent: '/domain', xml: ls },
      { op: 'add-element', parent: '/domain', xml: `<memoryBacking>\n  <locked/>\n</memoryBacking>` },
      { op: 'add-element', parent: '/domain/devices', xml: `<memballoon model='none'/>`, replace: true },
    ]);
    expect(out).toContain(`  <memory unit='GiB'>2</memory>\n  <memoryBacking>\n    <locked/>\n  </memoryBacking>\n  <os>`);
    expect(out).toContain(`  </devices>\n  <launchSecurity type='sev'>\n    <policy>0x0033</policy>\n  </launchSecurity>\n</domain>\n`);
    expect(out).toContain(`    <memballoon model='none'/>\n  </devices>`);
    expect(out).not.toContain(`<memballoon model='virtio'/>`);
  });

  it('removes attributes and elements with their line, and sets text', () => {
    const out = applyEdits(DOMAIN, [
      { op: 'remove-attribute', target: '/domain/devices/disk[1]/driver', name: 'type' },
      { op: 'remove-element', target: '/domain/devices/interface[1]/address' },
      { op: 'set-text', target: '/domain/name', text: 'a<b' },
    ]);
    expect(changedLines(DOMAIN, out)).toEqual({
      removed: [
        '  <name>vm</name>',
        `      <driver name="qemu" type='qcow2'/>`,
        `      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>`,
      ],
      added: ['  <name>a&lt;b</name>', `      <driver name="qemu"/>`],
    });
  });

  it('keeps CRLF line breaks and tab indentation in added lines', () => {
    const crlf = DOMAIN.replace(/\n/g, '\r\n').replace(/ {2}/g, '\t');
    const out = applyEdits(crlf, [
      { op: 'set-attribute', target: '/domain/devices/interface[1]/driver', name: 'iommu', value: 'on' },
      { op: 'add-element', parent: '/domain', xml: `<launchSecurity type='sev'>\n  <policy>0x0033</policy>\n</launchSecurity>` },
    ]);
    expect(out).toContain(`\t\t\t<model type='virtio'/>\r\n\t\t\t<driver iommu='on'/>\r\n`);
    expect(out).toContain(
      `\t</devices>\r\n\t<launchSecurity type='sev'>\r\n\t\t<policy>0x0033</policy>\r\n\t</launchSecurity>\r\n</domain>`,
    );
    expect(out.replace(/\r\n/g, '').includes('\n')).toBe(false);
  });

  it('keeps old Mac (CR-only) line breaks in added lines', () => {
    const cr = DOMAIN.replace(/\n/g, '\r');
    const out = applyEdits(cr, [
      { op: 'set-attribute', target: '/domain/devices/interface[1]/driver', name: 'iommu', value: 'on' },
      { op: 'add-element', parent: '/domain', xml: `<launchSecurity type='sev'>\n  <policy>0x0033</policy>\n</launchSecurity>` },
      { op: 'remove-element', target: '/domain/devices/interface[1]/address' },
    ]);
    expect(out).toContain(`      <model type='virtio'/>\r      <driver iommu='on'/>\r    </interface>`);
    expect(out).toContain(`  </devices>\r  <launchSecurity type='sev'>\r    <policy>0x0033</policy>\r  </launchSecurity>\r</domain>\r`);
    expect(out.includes('\n')).toBe(false);
  });

  it('keeps a leading byte order mark', () => {
    const out = applyEdits(`\ufeff${DOMAIN}`, [
      { op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu', value: 'on' },
    ]);
    expect(out.startsWith('\ufeff<domain type="kvm">\n')).toBe(true);
  });

  it('removing the last attribute of an element with no content removes the element, as virt-install does', () => {
    const withIommu = applyEdits(DOMAIN, [
      { op: 'set-attribute', target: '/domain/devices/interface[1]/driver', name: 'iommu', value: 'on' },
    ]);
    const out = applyEdits(withIommu, [{ op: 'remove-attribute', target: '/domain/devices/interface[1]/driver', name: 'iommu' }]);
    // libvirt would drop the empty <driver/> anyway; the document is back to what it was.
    expect(out).toBe(DOMAIN);
    // An element with other attributes, or with content, stays.
    const kept = applyEdits(DOMAIN, [{ op: 'remove-attribute', target: '/domain/devices/disk[1]/driver', name: 'type' }]);
    expect(kept).toContain(`      <driver name="qemu"/>\n`);
    const content = `<domain><devices><rng model='virtio'><driver iommu='on'> </driver></rng></devices></domain>`;
    expect(applyEdits(content, [{ op: 'remove-attribute', target: '/domain/devices/rng[1]/driver', name: 'iommu' }])).toBe(
      `<domain><devices><rng model='virtio'><driver> </driver></rng></devices></domain>`,
    );
  });

  it('also removes ancestors left empty, up to (not including) the root', () => {
    const text = `<domain>\n  <a>\n    <b>\n      <c x='1'/>\n    </b>\n  </a>\n  <d/>\n</domain>\n`;
    expect(applyEdits(text, [{ op: 'remove-attribute', target: '/domain/a/b/c', name: 'x' }])).toBe(`<domain>\n  <d/>\n</domain>\n`);
    expect(applyEdits(`<domain><c x='1'/></domain>`, [{ op: 'remove-attribute', target: '/domain/c', name: 'x' }])).toBe(
      '<domain></domain>',
    );
  });

  it('refuses edits whose target cannot exist', () => {
    expect(() =>
      applyEdits(DOMAIN, [{ op: 'set-attribute', target: '/domain/devices/disk[3]/driver', name: 'iommu', value: 'on' }]),
    ).toThrow(EditError);
    expect(() => applyEdits(DOMAIN, [{ op: 'set-attribute', target: '/network', name: 'a', value: 'b' }])).toThrow(/root element/);
  });

  it('is idempotent: setting a value that is already there changes nothing', () => {
    const once = applyEdits(DOMAIN, [{ op: 'set-attribute', target: '/domain/devices/interface[1]/driver', name: 'iommu', value: 'on' }]);
    expect(applyEdits(once, [{ op: 'set-attribute', target: '/domain/devices/interface[1]/driver', name: 'iommu', value: 'on' }])).toBe(
      once,
    );
  });
});

describe('unifiedDiff', () => {
  it('writes diff -u hunks with context and counts', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const after = before.replace('line 3\n', 'line 3\nnew\n').replace('line 18\n', '');
    expect(unifiedDiff(before, after, { fromLabel: 'a.xml', toLabel: 'b.xml' })).toBe(
      [
        '--- a.xml',
        '+++ b.xml',
        '@@ -1,6 +1,7 @@',
        ' line 1',
        ' line 2',
        ' line 3',
        '+new',
        ' line 4',
        ' line 5',
        ' line 6',
        '@@ -15,6 +16,5 @@',
        ' line 15',
        ' line 16',
        ' line 17',
        '-line 18',
        ' line 19',
        ' line 20',
        '',
      ].join('\n'),
    );
    expect(unifiedDiff(before, before, { fromLabel: 'a', toLabel: 'b' })).toBe('');
  });

  it('marks a missing final newline', () => {
    expect(unifiedDiff('a\nb', 'a\nb\n', { fromLabel: 'x', toLabel: 'y' })).toBe(
      '--- x\n+++ y\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n',
    );
  });
});
