import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusXmlFiles } from '../../test/corpus-files';
import { childEnvironments, runningChildren } from '../../test/child-processes';
import { missingParts } from '../../test/real-parts';
import {
  readSchemaStatus,
  scratchBase,
  schemaStatus,
  SchemaUnavailableError,
  startBatchValidation,
  startDomainValidation,
  validateDomainDocument,
  validateDomainXml,
  xmllintEnv,
} from './schema';

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

describe('the folder the batch validator writes its copies in', () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'vaw-scratch-test-'));
  const fallback = existsSync('/dev/shm') ? '/dev/shm' : '/tmp';
  it('is the one the user chose in TMPDIR (or TMP, TEMP), even when a memory file system exists', () => {
    expect(scratchBase({ TMPDIR: '/var/tmp', XDG_RUNTIME_DIR: folder })).toBe('/var/tmp');
    expect(scratchBase({ TEMP: '/var/tmp' })).toBe('/var/tmp');
  });
  it('is otherwise XDG_RUNTIME_DIR when that is an absolute, existing folder, then /dev/shm, then /tmp', () => {
    expect(scratchBase({ XDG_RUNTIME_DIR: folder })).toBe(folder);
    expect(scratchBase({ XDG_RUNTIME_DIR: path.join(folder, 'missing') })).toBe(fallback);
    expect(scratchBase({ XDG_RUNTIME_DIR: 'relative/run' })).toBe(fallback);
    expect(scratchBase({})).toBe(fallback);
  });
});

/** glibc's dynamic loader, which prints the tunables a given environment sets (glibc 2.33 and later). */
const LOADER = { x64: '/lib64/ld-linux-x86-64.so.2', arm64: '/lib/ld-linux-aarch64.so.1' }[process.arch as string] ?? '';
const noLoader = LOADER && existsSync(LOADER) ? '' : `no glibc loader known for ${process.arch}`;

describe.skipIf(noLoader)(`xmllint's malloc tuning, as glibc reads it ${noLoader ? `(skipped: ${noLoader})` : ''}`, () => {
  const listTunables = (env: NodeJS.ProcessEnv): string => spawnSync(LOADER, ['--list-tunables'], { env, encoding: 'utf8' }).stdout;
  const tcacheCount = (listed: string): string => /^glibc\.malloc\.tcache_count: (\S+)/m.exec(listed)?.[1] ?? 'not listed';
  it('keeps 65,535 freed chunks per size in the thread cache, and the rest of the environment', () => {
    expect(tcacheCount(listTunables({}))).toBe('0x0');
    const env = xmllintEnv({ PATH: '/usr/bin', LANG: 'C.UTF-8' });
    expect(tcacheCount(listTunables(env))).toBe('0xffff');
    expect(env).toMatchObject({ PATH: '/usr/bin', LANG: 'C.UTF-8' });
  });
  it("lets the user's own GLIBC_TUNABLES win, and keeps their other tunables", () => {
    const env = xmllintEnv({ GLIBC_TUNABLES: 'glibc.malloc.tcache_count=3:glibc.malloc.perturb=3' });
    const listed = listTunables(env);
    expect(tcacheCount(listed)).toBe('0x3');
    expect(listed).toMatch(/^glibc\.malloc\.perturb: 3 /m);
  });
});

describe('schemaStatus', () => {
  it('says the schemas are missing when the directory has no domain.rng', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-noschema-'));
    const status = schemaStatus(dir);
    expect(status.available).toBe(false);
    expect(await readSchemaStatus(dir)).toEqual(status);
    await expect(validateDomainXml([{ name: 'a', text: GOOD }], { dir })).rejects.toBeInstanceOf(SchemaUnavailableError);
    await expect(validateDomainDocument({ name: 'a', text: GOOD }, { dir })).rejects.toBeInstanceOf(SchemaUnavailableError);
  });
});

const missing = missingParts('schemas', 'xmllint');
describe.skipIf(missing)(`validateDomainXml against libvirt's schemas ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('reports a document libxml2 refuses to parse (nesting deeper than 257) as invalid with its reason', async () => {
    const deep = `<domain type='kvm'><name>${'<a>'.repeat(300)}x${'</a>'.repeat(300)}</name></domain>`;
    const [result] = await validateDomainXml([{ name: 'deep.xml', text: deep }], { engine: 'native' });
    expect(result?.valid).toBe(false);
    expect(result?.errors[0]?.message).toBe('not well-formed XML, so it was not validated: elements nested deeper than 257 levels');
  });

  it("writes its copies in the user's TMPDIR and leaves nothing there", async () => {
    const chosen = mkdtempSync(path.join(os.tmpdir(), 'vaw-chosen-tmp-'));
    const created: string[] = [];
    const watcher = watch(chosen, (_, name) => name && created.push(name));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = chosen;
    try {
      const results = await validateDomainXml([{ name: 'good.xml', text: GOOD }], { engine: 'native' });
      expect(results.map((r) => r.valid)).toEqual([true]);
      // inotify's events arrive on the event loop after the change.
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      watcher.close();
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
    expect(created.some((name) => name.startsWith('vaw-schema-'))).toBe(true);
    expect(readdirSync(chosen)).toEqual([]);
  });

  describe('a DOCTYPE whose entity is a FIFO (libxml2 would open it and wait)', () => {
    const fifoDir = mkdtempSync(path.join(os.tmpdir(), 'vaw-fifo-'));
    const fifo = path.join(fifoDir, 'fifo');
    spawnSync('mkfifo', [fifo]);
    const hostile = `<?xml version="1.0"?>\n<!DOCTYPE domain [<!ENTITY e SYSTEM "${fifo}">]>\n<domain type='kvm'>&e;</domain>\n`;

    it('is what xmllint, run as this program runs it, hangs on', () => {
      const doc = path.join(fifoDir, 'hostile.xml');
      writeFileSync(doc, Buffer.from(hostile, 'utf16le'));
      const r = spawnSync('xmllint', ['--noout', '--nonet', '--relaxng', '/usr/share/libvirt/schemas/domain.rng', doc], { timeout: 3000 });
      expect(r.signal).toBe('SIGTERM');
    });

    it.each([
      ['validateDomainXml', (text: string) => validateDomainXml([{ name: 'hostile.xml', text }]).then((r) => r[0])],
      ['startDomainValidation', (text: string) => startDomainValidation().validate({ name: 'hostile.xml', text })],
      ['validateDomainDocument', (text: string) => validateDomainDocument({ name: 'hostile.xml', text })],
    ])(
      '%s refuses it without handing it to xmllint',
      async (_name, validate) => {
        const result = await validate(hostile);
        expect(result).toEqual({
          name: 'hostile.xml',
          valid: false,
          errors: [
            {
              line: 2,
              element: null,
              message: 'not well-formed XML, so it was not validated: a DOCTYPE or entity declaration is not accepted',
              target: '/domain',
            },
          ],
        });
      },
      20_000,
    );
  });

  it('a lower-case <!doctype is no DOCTYPE to libxml2: xmllint refuses the document and opens nothing', () => {
    // Such a text goes to xmllint before the parse (xmllintMayReadUnparsed); its FIFO entity would hang xmllint.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-fifo-lc-'));
    const fifo = path.join(dir, 'fifo');
    spawnSync('mkfifo', [fifo]);
    const doc = path.join(dir, 'lower.xml');
    writeFileSync(doc, `<!doctype domain [<!ENTITY e SYSTEM "${fifo}">]>\n<domain type='kvm'>&e;</domain>\n`);
    const r = spawnSync('xmllint', ['--noout', '--nonet', '--relaxng', '/usr/share/libvirt/schemas/domain.rng', doc], {
      timeout: 3000,
      encoding: 'utf8',
    });
    expect(r.signal).toBeNull();
    expect(r.stderr).toMatch(/parser error : StartTag: invalid element name/);
  });

  describe("a DOCTYPE spelled in UTF-7: no '<!DOCTYPE' in the text, yet libxml2 decodes one and opens its FIFO entity", () => {
    const fifoDir = mkdtempSync(path.join(os.tmpdir(), 'vaw-fifo7-'));
    const fifo = path.join(fifoDir, 'fifo');
    spawnSync('mkfifo', [fifo]);
    const hostile = `<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE domain +AFs-+ADw-!ENTITY e SYSTEM "${fifo}"+AD4-+AF0-+AD4-\n<domain type='kvm'>&e;</domain>\n`;

    it('is what xmllint, run as this program runs it, hangs on, as the copy a batch would write', () => {
      expect(hostile).not.toContain('<!DOCTYPE');
      const doc = path.join(fifoDir, 'hostile.xml');
      writeFileSync(doc, hostile);
      const r = spawnSync('xmllint', ['--noout', '--nonet', '--relaxng', '/usr/share/libvirt/schemas/domain.rng', doc], { timeout: 3000 });
      expect(r.signal).toBe('SIGTERM');
    });

    it('a batch refuses it without handing it to xmllint, announced or not', async () => {
      const refusal = {
        name: 'hostile.xml',
        valid: false,
        errors: [
          {
            line: 1,
            element: null,
            message: expect.stringMatching(/^not well-formed XML, so it was not validated: the XML declaration says encoding="UTF-7"/),
            target: '/domain',
          },
        ],
      };
      expect((await validateDomainXml([{ name: 'hostile.xml', text: hostile }]))[0]).toEqual(refusal);
      const batch = startBatchValidation(1, { engine: 'native' });
      batch.announce([{ name: 'hostile.xml', text: hostile }]);
      batch.add({ name: 'hostile.xml', text: hostile });
      expect(await batch.finish()).toEqual([refusal]);
    }, 20_000);
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
    it(`${engine}: validateDomainDocument (the app's) gives the same verdicts as validateDomainXml`, async () => {
      expect(await validateDomainDocument({ name: 'good.xml', text: GOOD }, { engine })).toEqual({
        name: 'good.xml',
        valid: true,
        errors: [],
      });
      const [expected] = await validateDomainXml([{ name: 'bad.xml', text: BAD }], { engine });
      expect(await validateDomainDocument({ name: 'bad.xml', text: BAD }, { engine })).toEqual(expected);
    }, 120_000);

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
  it("runs xmllint with glibc's malloc tuning (xmllintEnv), read from the running process", () => {
    const pending = startDomainValidation({ engine: 'native' });
    try {
      expect(childEnvironments('xmllint').map((env) => env.GLIBC_TUNABLES)).toContain(xmllintEnv().GLIBC_TUNABLES);
    } finally {
      pending.cancel();
    }
  });
});

const xmllintProcesses = (): number => runningChildren('xmllint');

describe.skipIf(missing)(`startBatchValidation (native) ${missing ? `(skipped: ${missing})` : ''}`, () => {
  const docs = ['a', 'b', 'c', 'd', 'e'].map((n, i) => ({
    name: `${n}.xml`,
    text: (i % 2 ? BAD : GOOD).replace(/>(good|bad)</, `>${n}<`),
  }));

  it('starts xmllint at once, held until the documents are announced, which it then validates before any is added', async () => {
    // An earlier test's xmllint may still be ending (slowly on a busy machine); counting from it would race.
    await expect.poll(xmllintProcesses, { timeout: 10_000 }).toBe(0);
    const before = xmllintProcesses();
    const batch = startBatchValidation(docs.length, { engine: 'native' });
    // Compiling domain.rng, then waiting on its standard input for the documents to exist.
    expect(xmllintProcesses()).toBe(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(xmllintProcesses()).toBe(before + 1);
    batch.announce(docs);
    // The run ends on the copies alone: nothing has been added (parsed) yet.
    await expect.poll(xmllintProcesses, { timeout: 10_000 }).toBe(before);
    for (const doc of docs) batch.add(doc);
    const results = await batch.finish();
    // Each verdict as xmllint gives it for the document alone, on its standard input.
    const alone = await Promise.all(docs.map((d) => validateDomainDocument(d, { engine: 'native' })));
    expect(results).toEqual(alone);
    expect(results.map((r) => r.valid)).toEqual([true, false, true, false, true]);
  }, 60_000);

  it("runs xmllint with glibc's malloc tuning (xmllintEnv), read from the running process", async () => {
    const before = childEnvironments('xmllint').length;
    const batch = startBatchValidation(docs.length, { engine: 'native' });
    try {
      const envs = childEnvironments('xmllint');
      expect(envs.length).toBe(before + 1);
      expect(envs.at(-1)?.GLIBC_TUNABLES).toBe(xmllintEnv().GLIBC_TUNABLES);
      expect(envs.at(-1)?.GLIBC_TUNABLES).toMatch(/^glibc\.malloc\.tcache_count=65535/);
    } finally {
      batch.abandon();
    }
  }, 60_000);

  it('copies a DOCTYPE document only after the parse, which refuses it; its place among the verdicts is kept', async () => {
    const chosen = mkdtempSync(path.join(os.tmpdir(), 'vaw-doctype-tmp-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = chosen;
    const doctype = { name: 'doctype.xml', text: `<!DOCTYPE domain>\n${GOOD}` };
    try {
      const batch = startBatchValidation(3, { engine: 'native' });
      batch.announce([docs[0]!, doctype, docs[1]!]);
      const [folder] = readdirSync(chosen);
      const copied = readdirSync(path.join(chosen, folder!)).filter((f) => f.endsWith('.xml'));
      expect(copied.map((f) => readFileSync(path.join(chosen, folder!, f), 'utf8')).sort()).toEqual([docs[0]!.text, docs[1]!.text].sort());
      batch.add(docs[0]!);
      batch.add(doctype);
      batch.add(docs[1]!);
      const [good, refused, bad] = await batch.finish();
      expect(good?.valid).toBe(true);
      expect(refused?.errors.map((e) => e.message)).toEqual([
        'not well-formed XML, so it was not validated: a DOCTYPE or entity declaration is not accepted',
      ]);
      expect(bad).toEqual(await validateDomainDocument(docs[1]!, { engine: 'native' }));
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
  }, 60_000);

  it("gives the parser's refusal, not xmllint's verdict, for an announced document the parser refuses", async () => {
    // No DOCTYPE and plain UTF-8, so xmllint reads it before the parse; the parser refuses the unclosed element.
    const broken = { name: 'broken.xml', text: GOOD.replace('</domain>', '') };
    const batch = startBatchValidation(2, { engine: 'native' });
    batch.announce([broken, docs[0]!]);
    batch.add(broken);
    batch.add(docs[0]!);
    const [refused, good] = await batch.finish();
    expect(refused?.errors.map((e) => e.message)).toEqual([
      'not well-formed XML, so it was not validated: <domain> is never closed (missing </domain>)',
    ]);
    expect(good).toEqual({ name: 'a.xml', valid: true, errors: [] });
  }, 60_000);

  it('validates a document added without being announced at finish, and drops the verdicts of those left out', async () => {
    const batch = startBatchValidation(2, { engine: 'native' });
    batch.announce([docs[0]!, docs[1]!]);
    // The caller's own parse refused docs[0] (it is not added); docs[3] was never announced.
    batch.add(docs[1]!);
    batch.add(docs[3]!);
    const results = await batch.finish();
    expect(results).toEqual([
      await validateDomainDocument(docs[1]!, { engine: 'native' }),
      await validateDomainDocument(docs[3]!, { engine: 'native' }),
    ]);
  }, 60_000);

  it('validates more documents than one xmllint run takes, in runs that follow each other', async () => {
    const many = Array.from({ length: 1_203 }, (_, i) => ({ name: `m${i}.xml`, text: i % 401 === 7 ? BAD : GOOD }));
    const results = await validateDomainXml(many, { engine: 'native' });
    expect(results.map((r) => r.name)).toEqual(many.map((d) => d.name));
    expect(results.filter((r) => !r.valid).map((r) => r.name)).toEqual(['m7.xml', 'm408.xml', 'm809.xml']);
  }, 120_000);

  it('abandon stops its runs and removes its copies', async () => {
    const chosen = mkdtempSync(path.join(os.tmpdir(), 'vaw-abandon-tmp-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = chosen;
    const running = xmllintProcesses();
    try {
      const batch = startBatchValidation(docs.length, { engine: 'native' });
      batch.announce(docs);
      for (const doc of docs.slice(0, 3)) batch.add(doc);
      expect(readdirSync(chosen)).toHaveLength(1);
      batch.abandon();
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
    expect(readdirSync(chosen)).toEqual([]);
    await expect.poll(xmllintProcesses, { timeout: 5_000 }).toBe(running);
  });

  it('abandon stops a run still held, before any document was announced', async () => {
    const running = xmllintProcesses();
    const batch = startBatchValidation(docs.length, { engine: 'native' });
    expect(xmllintProcesses()).toBe(running + 1);
    batch.abandon();
    await expect.poll(xmllintProcesses, { timeout: 5_000 }).toBe(running);
  });
});

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
