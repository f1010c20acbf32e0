import { describe, expect, it } from 'vitest';
import { validateDomainXml } from '../../../main/services/schema';
import { parseDomainXml, readDomainFacts } from '../../../src/domain-xml';
import { missingParts } from '../../../test/real-parts';
import { TEMPLATE_MACHINES, templateXml, type TemplateChoice } from './templates';

const all: TemplateChoice[] = (Object.keys(TEMPLATE_MACHINES) as TemplateChoice['arch'][]).flatMap((arch) =>
  TEMPLATE_MACHINES[arch].flatMap((machine) => [true, false].flatMap((disk) => [true, false].map((nic) => ({ arch, machine, disk, nic })))),
);

describe('new-domain templates', () => {
  it('give the arch, machine and the virtio devices asked for, on the transport the machine implies', () => {
    for (const t of all) {
      const f = readDomainFacts(parseDomainXml(templateXml(t)));
      expect([f.arch, f.machine.raw], JSON.stringify(t)).toEqual([t.arch, t.machine]);
      const explicit = f.devices.filter((d) => !d.implicit && d.virtio).map((d) => d.kind);
      expect(explicit.sort(), JSON.stringify(t)).toEqual([...(t.disk ? ['disk'] : []), ...(t.nic ? ['interface'] : [])].sort());
      if (t.arch === 's390x') expect(new Set(f.devices.filter((d) => d.virtio).map((d) => d.transport))).toEqual(new Set(['ccw']));
    }
  });

  const noSchema = missingParts('xmllint', 'schemas');
  it.skipIf(noSchema)(`every combination validates against libvirt's schema ${noSchema ? `(skipped: ${noSchema})` : ''}`, async () => {
    const results = await validateDomainXml(all.map((t) => ({ name: JSON.stringify(t), text: templateXml(t) })));
    expect(results.filter((r) => !r.valid).map((r) => `${r.name}: ${r.errors.map((e) => e.message).join('; ')}`)).toEqual([]);
  });
});
