/**
 * libvirt itself accepts what applyEdits writes: every corpus domain that `virsh define --validate` accepts
 * on the test driver is still accepted after `<driver iommu='on'/>` is set on each of its virtio devices
 * (creating <driver> where it is missing, at libvirt's position). One virsh session per batch keeps it fast.
 */
import { hasDriverOptions } from '../engine/edits';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { DeviceFacts } from '../contracts/facts';
import type { Edit } from '../contracts/findings';
import { corpusXmlFiles } from '../../test/corpus-files';
import { rejectedByLibxml2 } from '../../test/libxml2';
import { missingParts } from '../../test/real-parts';
import { defineAll } from '../../test/virsh-batch';
import { applyEdits, parseDomainXml, readDomainFacts, XmlInputError } from './index';

function writeModel(d: DeviceFacts): Edit[] {
  if (d.kind === 'interface' || d.kind === 'video')
    return [{ op: 'set-attribute', target: `${d.target}/model`, name: 'type', value: 'virtio' }];
  if (d.kind === 'controller' && d.function === 'scsi')
    return [{ op: 'set-attribute', target: d.target, name: 'model', value: 'virtio-scsi' }];
  return [];
}

const missing = missingParts('corpus', 'virsh', 'xmllint');
describe.skipIf(missing)(`virsh accepts applyEdits output ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('every accepted corpus domain stays accepted with iommu set on all its virtio devices', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-virsh-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const originals: { path: string; name: string; rel: string; edited: string }[] = [];
    const unparsed: string[] = [];
    for (const f of corpusXmlFiles()) {
      if (!['libvirt-test-input', 'libvirt-expected-xml', 'virt-manager-virt-install-output'].includes(f.kind)) continue;
      const text = readFileSync(f.abs, 'utf8');
      let doc;
      try {
        doc = parseDomainXml(text, f.rel);
      } catch (e) {
        if (!(e instanceof XmlInputError)) throw e;
        unparsed.push(f.abs);
        continue;
      }
      const facts = readDomainFacts(doc);
      const edits: Edit[] = facts.devices
        // libvirt's schema has no iommu option on <iommu model='virtio'>'s own <driver> or on a vhost-scsi hostdev.
        .filter((d) => d.virtio && !d.implicit && d.driver.iommu === 'absent' && hasDriverOptions(d))
        .flatMap((d): Edit[] => [
          // A device that is virtio only by libvirt's QEMU default gets its model written out: other drivers
          // (and libvirt's generic validation) do not apply that default.
          ...(d.modelAttr === 'unknown' ? writeModel(d) : []),
          { op: 'set-attribute', target: `${d.target}/driver`, name: 'iommu', value: 'on' },
        ]);
      if (edits.length === 0 || facts.name === 'unknown') continue;
      const p = path.join(dir, `o${originals.length}.xml`);
      writeFileSync(p, text);
      originals.push({ path: p, name: facts.name, rel: f.rel, edited: applyEdits(doc, edits) });
    }
    // A corpus document the parser refuses is skipped only when libxml2 (so libvirt) refuses it too.
    const rejected = rejectedByLibxml2(unparsed);
    expect(unparsed.filter((f) => !rejected.has(f))).toEqual([]);
    const before = defineAll(originals);
    const accepted = originals.filter((_, i) => before[i] === '');
    expect(accepted.length).toBeGreaterThan(20);
    const edited = accepted.map((o, i) => {
      const p = path.join(dir, `e${i}.xml`);
      writeFileSync(p, o.edited);
      return { path: p, name: o.name };
    });
    const after = defineAll(edited);
    const refused = accepted.filter((_, i) => after[i] !== '').map((o) => o.rel);
    expect(refused).toEqual([]);
  }, 300_000);
});
