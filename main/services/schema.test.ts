import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusXmlFiles } from '../../test/corpus-files';
import { missingParts } from '../../test/real-parts';
import { parseXmllintOutput, schemaStatus, SchemaUnavailableError, startDomainValidation, validateDomainXml } from './schema';

const GOOD = `<domain type='kvm'>
  <name>good</name>
  <memory>1048576</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' iommu='on'/>
      <source file='/tmp/x.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
`;
const BAD = GOOD.replace("iommu='on'", "iommu='maybe'").replace('good', 'bad');

describe('parseXmllintOutput', () => {
  it('assigns located and unlocated errors to their file and reads verdicts', () => {
    const out = [
      '/t/f0.xml validates',
      'Relax-NG validity error : Extra element devices in interleave',
      '/t/f1.xml:5: element devices: Relax-NG validity error : Element domain failed to validate content',
      '/t/f1.xml fails to validate',
    ].join('\n');
    expect(parseXmllintOutput(out, ['/t/f0.xml', '/t/f1.xml'])).toEqual({
      valid: [true, false],
      errors: [
        [],
        [
          { line: 5, element: 'devices', message: 'Extra element devices in interleave' },
          { line: 5, element: 'devices', message: 'Element domain failed to validate content' },
        ],
      ],
    });
  });

  it('finds files whose paths contain colons and spaces', () => {
    const files = ['/v/a:1: b.xml', '/v/c.xml'];
    const out = [
      '/v/a:1: b.xml:7: element disk: Relax-NG validity error : Invalid attribute x',
      '/v/a:1: b.xml fails to validate',
      '/v/c.xml:3: parser error : Opening and ending tag mismatch',
      '/v/c.xml fails to validate',
    ].join('\n');
    expect(parseXmllintOutput(out, files)).toEqual({
      valid: [false, false],
      errors: [
        [{ line: 7, element: 'disk', message: 'Invalid attribute x' }],
        [{ line: 3, element: null, message: 'libxml2 cannot parse the document: Opening and ending tag mismatch' }],
      ],
    });
  });
});

describe('schemaStatus', () => {
  it('says the schemas are missing when the directory has no domain.rng', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-noschema-'));
    const status = schemaStatus(dir);
    expect(status.available).toBe(false);
    await expect(validateDomainXml([{ name: 'a', text: GOOD }], { dir })).rejects.toBeInstanceOf(SchemaUnavailableError);
  });
});

const missing = missingParts('schemas', 'xmllint');
describe.skipIf(missing)(`validateDomainXml against libvirt's schemas ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('reports a document libxml2 refuses to parse (nesting deeper than 256) as invalid with its reason', async () => {
    const deep = `<domain type='kvm'><name>${'<a>'.repeat(300)}x${'</a>'.repeat(300)}</name></domain>`;
    const [result] = await validateDomainXml([{ name: 'deep.xml', text: deep }], { engine: 'native' });
    expect(result?.valid).toBe(false);
    expect(result?.errors[0]?.message).toContain('Excessive depth');
  });

  it('native: an xmllint that cannot be started is an unavailable validator, not invalid documents', async () => {
    const pathBefore = process.env.PATH;
    process.env.PATH = mkdtempSync(path.join(os.tmpdir(), 'vaw-no-xmllint-'));
    try {
      await expect(validateDomainXml([{ name: 'good.xml', text: GOOD }], { engine: 'native' })).rejects.toThrow(
        /^xmllint failed: spawn xmllint ENOENT/,
      );
      await expect(startDomainValidation({ engine: 'native' }).validate({ name: 'good.xml', text: GOOD })).rejects.toBeInstanceOf(
        SchemaUnavailableError,
      );
    } finally {
      process.env.PATH = pathBefore;
    }
  });

  for (const engine of ['native', 'wasm'] as const) {
    it(`${engine}: accepts a valid domain and locates the error in an invalid one`, async () => {
      const [good, bad] = await validateDomainXml(
        [
          { name: 'good.xml', text: GOOD },
          { name: 'bad.xml', text: BAD },
        ],
        { engine },
      );
      expect(good).toEqual({ name: 'good.xml', valid: true, errors: [] });
      expect(bad?.valid).toBe(false);
      expect(bad?.errors.length).toBeGreaterThan(0);
      expect(bad?.errors.map((e) => e.target)).toContain('/domain/devices');
    }, 120_000);
  }
});

describe.skipIf(missing)(`startDomainValidation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const engine of ['native', 'wasm'] as const) {
    it(`${engine}: validates a document given after the start, as validateDomainXml does`, async () => {
      const good = startDomainValidation({ engine });
      const bad = startDomainValidation({ engine });
      // The plan is computed meanwhile; the documents come later.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await good.validate({ name: 'good.xml', text: GOOD })).toEqual({ name: 'good.xml', valid: true, errors: [] });
      const [expected] = await validateDomainXml([{ name: 'bad.xml', text: BAD }], { engine });
      expect(await bad.validate({ name: 'bad.xml', text: BAD })).toEqual(expected);
    }, 120_000);
  }

  it('stops the waiting xmllint when no document comes', async () => {
    const before = xmllintProcesses();
    const pending = startDomainValidation({ engine: 'native' });
    expect(xmllintProcesses()).toBe(before + 1);
    pending.cancel();
    await expect.poll(xmllintProcesses, { timeout: 5_000 }).toBe(before);
  });
});

/** Running xmllint processes that this test process started (from /proc: comm and parent pid). */
function xmllintProcesses(): number {
  return readdirSync('/proc').filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return stat.includes('(xmllint)') && fields[0] !== 'Z' && fields[1] === String(process.pid);
    } catch {
      return false;
    }
  }).length;
}

const noCorpus = missingParts('schemas', 'xmllint', 'corpus');
describe.skipIf(noCorpus)(`native and WebAssembly xmllint agree on the corpus ${noCorpus ? `(skipped: ${noCorpus})` : ''}`, () => {
  it('gives the same verdict for every corpus domain document', async () => {
    const texts = corpusXmlFiles()
      .filter((f) => f.kind !== 'domaincaps')
      .map((f) => ({ name: f.rel, text: readFileSync(f.abs, 'utf8') }));
    const native = await validateDomainXml(texts, { engine: 'native' });
    const wasm = await validateDomainXml(texts, { engine: 'wasm' });
    expect(native.filter((r) => r.valid).length).toBeGreaterThan(200);
    expect(native.filter((r) => !r.valid).length).toBeGreaterThan(10);
    expect(wasm.map((r) => [r.name, r.valid])).toEqual(native.map((r) => [r.name, r.valid]));
    for (const r of native.filter((x) => !x.valid)) expect(r.errors.length, r.name).toBeGreaterThan(0);
  }, 240_000);
});
