/**
 * What `plan` produces for real libvirt test domains is valid: for every corpus domain libvirt's test driver
 * accepts, each reachable goal (none; SEV on x86_64; s390 PV on s390x) plans without error, the result
 * validates against the host's libvirt schema, libvirt accepts it, and re-planning it finds nothing to do.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { SecureType } from '../src/contracts/facts';
import { applyEdits, parseDomainXml, readDomainFacts, XmlInputError } from '../src/domain-xml';
import { evaluate, planFor } from '../src/engine';
import { validateDomainXml } from '../main/services/schema';
import { corpusXmlFiles } from '../test/corpus-files';
import { CAPABLE_HOST, LINUX_GUEST, input } from '../test/engine-facts';
import { rejectedByLibxml2 } from '../test/libxml2';
import { missingParts } from '../test/real-parts';
import { defineAll } from '../test/virsh-batch';

const KINDS = ['libvirt-test-input', 'libvirt-expected-xml', 'virt-manager-virt-install-output'];

function goalsFor(arch: string): SecureType[] {
  if (arch === 'x86_64') return ['none', 'sev'];
  if (arch === 's390x') return ['none', 's390-pv'];
  return ['none'];
}

const missing = missingParts('corpus', 'virsh', 'schemas', 'xmllint');
describe.skipIf(missing)(`plans for the corpus ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('validate, are accepted by libvirt, and need no further plan', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-plans-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const inputs: { path: string; name: string; rel: string; text: string }[] = [];
    const unparsed: string[] = [];
    for (const f of corpusXmlFiles()) {
      if (!KINDS.includes(f.kind)) continue;
      const text = readFileSync(f.abs, 'utf8');
      let facts;
      try {
        facts = readDomainFacts(parseDomainXml(text, f.rel));
      } catch (e) {
        if (!(e instanceof XmlInputError)) throw e;
        unparsed.push(f.abs);
        continue;
      }
      if (facts.name === 'unknown') continue;
      const p = path.join(dir, `in${inputs.length}.xml`);
      writeFileSync(p, text);
      inputs.push({ path: p, name: facts.name, rel: f.rel, text });
    }
    // A corpus document the parser refuses is skipped only when libxml2 (so libvirt) refuses it too.
    const rejected = rejectedByLibxml2(unparsed);
    expect(unparsed.filter((f) => !rejected.has(f))).toEqual([]);
    const verdicts = defineAll(inputs);
    const accepted = inputs.filter((_, i) => verdicts[i] === '');
    expect(accepted.length).toBeGreaterThan(50);

    const planned: { name: string; label: string; text: string; goal: SecureType }[] = [];
    let impossible = 0;
    for (const a of accepted) {
      const { arch, virtType } = readDomainFacts(parseDomainXml(a.text));
      for (const goal of goalsFor(String(arch))) {
        // libvirt's tests mostly use type='qemu' (TCG), which no confidential technology supports; as KVM
        // domains they exercise the confidential plans too.
        const text =
          goal === 'none' || virtType !== 'qemu'
            ? a.text
            : applyEdits(a.text, [{ op: 'set-attribute', target: '/domain', name: 'type', value: 'kvm' }]);
        const plan = planFor(
          input({ domain: readDomainFacts(parseDomainXml(text)), host: CAPABLE_HOST, guest: LINUX_GUEST, goals: { secure: goal } }),
        );
        if (plan.impossible.length > 0) {
          impossible++;
          continue;
        }
        planned.push({ name: a.name, label: `${a.rel} --secure ${goal}`, text: applyEdits(text, plan.edits), goal });
      }
    }
    expect(planned.length).toBeGreaterThan(accepted.length);

    const schema = await validateDomainXml(planned.map((p) => ({ name: p.label, text: p.text })));
    const invalid = planned.flatMap((p, i) =>
      schema[i]?.valid ? [] : [`${p.label}: ${schema[i]?.errors.map((e) => e.message).join('; ')}`],
    );
    expect(invalid).toEqual([]);

    const files = planned.map((p, i) => {
      const file = path.join(dir, `plan${i}.xml`);
      writeFileSync(file, p.text);
      return { path: file, name: p.name };
    });
    const refused = defineAll(files).flatMap((e, i) => (e ? [planned[i]!.label] : []));
    expect(refused).toEqual([]);

    for (const p of planned) {
      const again = input({ domain: readDomainFacts(parseDomainXml(p.text)), host: CAPABLE_HOST, guest: LINUX_GUEST });
      expect(
        evaluate(again)
          .filter((f) => f.severity === 'error')
          .map((f) => `${p.label}: ${f.rule} ${f.target}`),
      ).toEqual([]);
      expect(planFor(again).edits, p.label).toEqual([]);
    }
    console.log(`[plans] ${accepted.length} corpus domains, ${planned.length} plans checked, ${impossible} goals refused`);
  }, 600_000);
});
