/**
 * The CLI as users run it: the esbuild bundle of cli/main.ts, as a subprocess, for every exit code.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { isCheckJson, isPlanJson, type PlanJson } from '../src/contracts/cli-json';
import { applyEdits } from '../src/domain-xml';
import type { SecureType } from '../src/contracts/facts';
import { compareVersions, formatVersion, parseVersion } from '../src/contracts/version';
import { technology } from '../src/engine';
import { corpusDir, missingParts, repoRoot } from '../test/real-parts';
import { buildNodeBundles } from '../scripts/node-bundles.mjs';
import { bigDomainXml } from '../bench/big-domain';
import { mountTinyTmpfs } from '../test/tmpfs';

const fixtures = path.join(repoRoot, 'test/fixtures/domains');
let bin = '';
let work = '';

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vaw-cli-'));
  // The same bundles as `npm run build`, into a private directory so parallel runs never race on dist/.
  await buildNodeBundles(work, ['cli']);
  bin = path.join(work, 'cli/virtio-access.cjs');
}, 60_000);

function run(args: readonly string[], input?: string | Buffer, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    cwd: work,
    env: { ...process.env, VAW_BACKUP_DIR: path.join(work, 'backups'), XDG_CACHE_HOME: path.join(work, 'cache'), ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmpFile(name: string, content: string | Buffer): string {
  const f = path.join(work, name);
  writeFileSync(f, content);
  return f;
}

describe('virtio-access usage', () => {
  it('prints help for the program and each command (exit 0), and exits 2 on bad usage', () => {
    const help = run(['--help']).stdout;
    // Every command the program's help lists (the command table) answers --help with its own usage.
    const commands = [...help.matchAll(/^ {2}virtio-access (\S+)/gm)].map((m) => m[1]!);
    expect(commands).toEqual(['check', 'plan', 'explain', 'compare', 'verify', 'serve', 'backups', 'restore']);
    for (const cmd of commands) {
      const r = run([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain(`virtio-access ${cmd}`);
    }
    const unknown = run(['frobnicate']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('unknown command "frobnicate"')]);
    const bad = run(['check', '--nope', 'x.xml']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('unknown option --nope')]);
    expect(run(['check']).code).toBe(2);
    expect(run(['plan', path.join(fixtures, 'sev-q35.xml')]).stderr).toContain('--secure is required');
    expect(run(['plan', path.join(fixtures, 'sev-q35.xml'), '--secure', 'maybe']).code).toBe(2);
    expect(run(['check', '--qemu-version', 'seven', path.join(fixtures, 'sev-q35.xml')]).stderr).toContain(
      '--qemu-version wants a version',
    );
  });
});

describe('virtio-access check: unusable input exits 2 naming the file, line and column', () => {
  it.each([
    [
      'not well-formed',
      'broken.xml',
      `<domain type='kvm'>\n  <name>x</name>\n  <devices>\n</domain>\n`,
      'broken.xml:4:1: closing tag </domain> does not match <devices> opened on line 3',
    ],
    ['not a domain', 'net.xml', `<network><name>default</name></network>\n`, 'net.xml:1:1: the root element is <network>, not <domain>'],
    [
      'a DOCTYPE',
      'lol.xml',
      `<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n<domain>&b;</domain>\n`,
      'lol.xml:2:1: a DOCTYPE or entity declaration is not accepted',
    ],
    ['invalid UTF-8', 'latin1.xml', Buffer.from('<domain><name>caf\xe9</name></domain>', 'latin1'), 'latin1.xml:1:18: is not valid UTF-8'],
  ])('%s', (_what, name, content, message) => {
    const f = tmpFile(name, content);
    const r = run(['check', '--no-schema', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message.replace(name, f));
  });

  it('a file over 10 MB is refused before reading, a directory and a missing file too', () => {
    const big = tmpFile('big.xml', Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));
    expect(run(['check', '--no-schema', big]).stderr).toContain('over the 10 MB limit');
    const dir = run(['check', '--no-schema', work]);
    expect([dir.code, dir.stderr]).toEqual([2, expect.stringContaining('is a directory')]);
    expect(run(['check', '--no-schema', path.join(work, 'missing.xml')]).stderr).toContain('missing.xml: no such file');
  });

  it('still reports the usable files of the run', () => {
    const broken = tmpFile('half.xml', '<domain>');
    const r = run(['check', '--no-schema', '--json', path.join(fixtures, 'sev-q35.xml'), broken]);
    expect(r.code).toBe(2);
    const json: unknown = JSON.parse(r.stdout);
    expect(isCheckJson(json)).toBe(true);
    expect((json as { files: { file: string }[] }).files.map((f) => path.basename(f.file))).toEqual(['sev-q35.xml']);
  });
});

const noSchema = missingParts('schemas', 'xmllint');
describe.skipIf(noSchema)(`virtio-access check with libvirt's schemas ${noSchema ? `(skipped: ${noSchema})` : ''}`, () => {
  it('reads standard input with -', () => {
    const r = run(['check', '--json', '-'], readFileSync(path.join(fixtures, 'vhost-user.xml')));
    const json: unknown = JSON.parse(r.stdout);
    expect(isCheckJson(json)).toBe(true);
    expect(json).toMatchObject({ files: [{ file: '<stdin>', domain: 'vhost-user' }] });
  });

  it('reports schema errors as SCHEMA findings at the element libxml2 names, exit 1', () => {
    const bad = tmpFile(
      'bad-schema.xml',
      readFileSync(path.join(fixtures, 'sev-q35.xml'), 'utf8').replace(
        "<model type='virtio'/>",
        "<model type='virtio'/>\n      <frobnicator/>",
      ),
    );
    const r = run(['check', '--json', bad]);
    expect(r.code).toBe(1);
    const json: unknown = JSON.parse(r.stdout);
    expect(isCheckJson(json)).toBe(true);
    const findings = (json as { files: { findings: { rule: string; severity: string; target: string }[] }[] }).files[0]?.findings ?? [];
    expect(findings.some((f) => f.rule === 'SCHEMA' && f.severity === 'error' && f.target.startsWith('/domain'))).toBe(true);
    const human = run(['check', bad]);
    expect(human.stdout).toContain('bad-schema.xml (domain sev-q35)');
    expect(human.stdout).toContain('ERROR   SCHEMA');
    // Checked for a libvirt newer than this machine's, whose schema it is: the same findings, as warnings saying so.
    const newer = JSON.parse(run(['check', '--json', '--libvirt-version', '99.0.0', bad]).stdout) as {
      files: { findings: { rule: string; severity: string; title: string }[] }[];
    };
    const schema = newer.files[0]!.findings.filter((f) => f.rule === 'SCHEMA');
    expect(schema.length).toBeGreaterThan(0);
    for (const f of schema) {
      expect(f.severity).toBe('warning');
      expect(f.title).toMatch(/^Not valid for this machine's libvirt \d+\.\d+\.\d+ schema .*; libvirt 99\.0\.0's may accept it$/);
    }
  });

  it('refuses at once a UTF-16 document without a BOM whose DOCTYPE names a FIFO, and still checks the other files', () => {
    const fifo = path.join(work, 'entity-fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const hostile = tmpFile(
      'utf16-entity.xml',
      Buffer.from(`<?xml version="1.0"?>\n<!DOCTYPE domain [<!ENTITY e SYSTEM "${fifo}">]>\n<domain type='kvm'>&e;</domain>\n`, 'utf16le'),
    );
    const fixture = path.join(fixtures, 'vhost-user.xml');
    const started = Date.now();
    const r = run(['check', '--json', hostile, fixture]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect([r.code, r.stderr]).toEqual([
      2,
      expect.stringContaining(`${hostile}: is encoded in UTF-16LE (libxml2 reads its first bytes so), not UTF-8`),
    ]);
    expect((JSON.parse(r.stdout) as { files: { file: string }[] }).files.map((f) => f.file)).toEqual([fixture]);
  });

  it('plan --json prints the file, domain, edits, findings and the planned document, which validates', () => {
    const caps = path.join(repoRoot, 'test/fixtures/domcaps/q35-sev.xml');
    const input = path.join(fixtures, 'sev-q35.xml');
    const r = run(['plan', input, '--secure', 'sev', '--host-caps', caps, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const json: unknown = JSON.parse(r.stdout);
    expect(isPlanJson(json)).toBe(true);
    const plan = json as PlanJson;
    expect([plan.file, plan.domain]).toEqual([input, 'sev-q35']);
    expect(plan.edits.length).toBeGreaterThan(0);
    expect(plan.edits.every((e) => (e.op === 'add-element' ? e.parent : e.target).startsWith('/domain'))).toBe(true);
    // The same document plain `plan` prints, and what applying the listed edits gives.
    expect(plan.xml).toBe(run(['plan', input, '--secure', 'sev', '--host-caps', caps]).stdout);
    expect(plan.xml).toBe(applyEdits(readFileSync(input, 'utf8'), plan.edits));
    expect(plan.findings.some((f) => f.rule.startsWith('R-SEV'))).toBe(true);
  });

  it('checks every fixture in one run; schema-valid files give exit 0 without an engine error', () => {
    const files = ['sev-q35.xml', 's390-pv.xml', 'transitional-i440fx.xml', 'vhost-user.xml', 'mmio-aarch64.xml'].map((f) =>
      path.join(fixtures, f),
    );
    const r = run(['check', '--json', ...files]);
    const json: unknown = JSON.parse(r.stdout);
    expect(isCheckJson(json)).toBe(true);
    const result = json as { files: { file: string; findings: { rule: string }[] }[] };
    expect(result.files.map((f) => f.file)).toEqual(files);
    for (const f of result.files)
      expect(
        f.findings.filter((x) => x.rule === 'SCHEMA'),
        f.file,
      ).toEqual([]);
    expect(run(['check', ...files]).stdout).toMatch(/\n5 domains checked: \d+ with errors, \d+ without\.\n$/);
  });
});

describe.skipIf(noSchema)(
  `virtio-access check where its copies for xmllint cannot be written ${noSchema ? `(skipped: ${noSchema})` : ''}`,
  () => {
    it('a TMPDIR that does not exist: one message naming it and what to do, exit 2, no internal error', () => {
      const missing = path.join(work, 'no-such-tmp');
      const r = run(['check', path.join(fixtures, 'sev-q35.xml')], undefined, { TMPDIR: missing });
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toBe(
        `virtio-access check: cannot write the copies xmllint validates in ${missing} (a folder on the way does not exist, ENOENT)\n` +
          'Nothing was written. Make room there or set TMPDIR to a folder with room, or rerun with --no-schema to go on without schema validation.\n',
      );
    });

    const noTmpfs = missingParts('tmpfs-mount');
    it.skipIf(noTmpfs)(
      `a full TMPDIR: the same message with ENOSPC, and nothing left there ${noTmpfs ? `(skipped: ${noTmpfs})` : ''}`,
      () => {
        const tmpfs = mountTinyTmpfs(16);
        onTestFinished(tmpfs.unmount);
        // 400 KB of domain: the copy's first write fills the 16 KiB and stops short (a short write, then ENOSPC).
        const big = tmpFile('big-2000.xml', bigDomainXml(2000));
        const r = run(['check', big], undefined, { TMPDIR: tmpfs.dir });
        expect([r.code, r.stdout]).toEqual([2, '']);
        expect(r.stderr).toMatch(
          new RegExp(
            `^virtio-access check: cannot write the copies xmllint validates in ${tmpfs.dir}/vaw-schema-\\w+ \\(no space left on the device, ENOSPC\\)\n`,
          ),
        );
        expect(r.stderr).not.toContain('internal error');
        expect(readdirSync(tmpfs.dir)).toEqual([]);
      },
    );
  },
);

const noSchemas = missingParts('schemas');
describe.skipIf(noSchemas)(`virtio-access without a native xmllint ${noSchemas ? `(skipped: ${noSchemas})` : ''}`, () => {
  it('validates with the WebAssembly libxml2 shipped beside the bundle, in check and plan', () => {
    // No xmllint on PATH: the bundle must find xmllint-wasm's worker and .wasm beside itself.
    const env = { PATH: mkdtempSync(path.join(os.tmpdir(), 'vaw-no-xmllint-')) };
    const bad = tmpFile(
      'bad-wasm.xml',
      readFileSync(path.join(fixtures, 'sev-q35.xml'), 'utf8').replace(
        "<model type='virtio'/>",
        "<model type='virtio'/>\n      <frobnicator/>",
      ),
    );
    const r = run(['check', '--json', bad], undefined, env);
    expect([r.code, r.stderr]).toEqual([1, '']);
    const findings = (JSON.parse(r.stdout) as { files: { findings: { rule: string; explanation: string }[] }[] }).files[0]?.findings ?? [];
    expect(findings.find((f) => f.rule === 'SCHEMA')?.explanation).toMatch(/^libxml2 reports: line \d+: /);
    const caps = path.join(repoRoot, 'test/fixtures/domcaps/q35-sev.xml');
    const plan = run(['plan', path.join(fixtures, 'sev-q35.xml'), '--secure', 'sev', '--host-caps', caps], undefined, env);
    expect([plan.code, plan.stderr]).toEqual([0, '']);
    expect(plan.stdout).toContain("<launchSecurity type='sev'");
  });
});

describe.skipIf(noSchemas)(`virtio-access with an xmllint that cannot run ${noSchemas ? `(skipped: ${noSchemas})` : ''}`, () => {
  it('says so and what to do, exit 2, writing nothing', () => {
    // An executable whose interpreter does not exist: found on PATH, refused by the kernel.
    const bin = mkdtempSync(path.join(os.tmpdir(), 'vaw-broken-xmllint-'));
    writeFileSync(path.join(bin, 'xmllint'), '#!/nonexistent/interpreter\n', { mode: 0o755 });
    const env = { PATH: bin };
    const file = path.join(fixtures, 'sev-q35.xml');
    const check = run(['check', file], undefined, env);
    expect([check.code, check.stdout]).toEqual([2, '']);
    expect(check.stderr).toMatch(
      /^virtio-access check: xmllint failed: .*ENOENT.*\nNothing was written\. Install libxml2-utils \(xmllint\), or rerun with --no-schema/,
    );
    const out = path.join(work, 'never-written.xml');
    const caps = path.join(repoRoot, 'test/fixtures/domcaps/q35-sev.xml');
    const plan = run(['plan', file, '--secure', 'sev', '--host-caps', caps, '-o', out], undefined, env);
    expect([plan.code, plan.stderr.split('\n')[0]]).toEqual([2, expect.stringMatching(/^virtio-access plan: xmllint failed/)]);
    expect(existsSync(out)).toBe(false);
  });
});

describe('the installed command (dist/cli/virtio-access.cjs run through its first line)', () => {
  it('drops NODE_EXTRA_CA_CERTS before Node starts, as Node would otherwise read that file first', () => {
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: path.join(work, 'no-such-ca.pem') };
    // The same bundle run by node directly reads the variable: Node warns that the file is missing.
    expect(spawnSync(process.execPath, [bin, 'explain', 'R-XML-05'], { encoding: 'utf8', env }).stderr).toContain('Ignoring extra certs');
    const direct = spawnSync(bin, ['explain', 'R-XML-05'], { encoding: 'utf8', env });
    expect([direct.status, direct.stderr]).toEqual([0, '']);
    expect(direct.stdout).toContain('Id: R-XML-05');
  });

  it("loads the Node modules a command uses before it changes V8's flags, so that Node's own code cache is used for them", () => {
    // A preload that notes which of Node's modules load after the launcher's first setFlagsFromString.
    const preload = tmpFile(
      'late-modules.cjs',
      `const v8 = require('node:v8');
const set = v8.setFlagsFromString;
let loaded = null;
v8.setFlagsFromString = (flags) => { loaded ??= new Set(process.moduleLoadList); return set(flags); };
process.on('exit', () => require('node:fs').writeSync(2, '\\nLATE ' + JSON.stringify(loaded && process.moduleLoadList.filter((m) => !loaded.has(m) && m.startsWith('NativeModule')))));`,
    );
    const domain = path.join(fixtures, 'sev-q35.xml');
    for (const args of [
      ['check', domain],
      ['plan', '--secure', 'sev', domain],
      ['explain', 'R-XML-05'],
    ]) {
      // The second run: the first writes the command's code cache and osinfo-db's index, with modules of their own.
      run(args);
      const r = spawnSync(process.execPath, ['-r', preload, bin, ...args], {
        encoding: 'utf8',
        env: { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') },
      });
      expect(r.status, r.stderr).toBeLessThan(2);
      expect([args[0], JSON.parse(/\nLATE (.*)$/.exec(r.stderr)?.[1] ?? '"no report"')]).toEqual([args[0], []]);
    }
  });

  it('collects garbage without incremental marking in a one-shot command (the bundle run by node alone marks)', () => {
    // Six 45,000-line domains: enough kept text for V8 to start marking the old generation (four are just enough).
    const big = tmpFile('big-10000.xml', bigDomainXml(10_000));
    const args = ['check', '--no-schema', ...Array.from({ length: 6 }, () => big)];
    const marks = (out: string) => out.split('\n').filter((l) => l.includes('[IncrementalMarking] Start (')).length;
    const traced = (script: string) =>
      spawnSync(process.execPath, ['--trace-incremental-marking', script, ...args], {
        encoding: 'utf8',
        env: { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') },
      });
    const direct = traced(path.join(work, 'cli/virtio-access-main.cjs'));
    expect(direct.status).toBe(0);
    expect(marks(direct.stdout)).toBeGreaterThan(0);
    const launched = traced(bin);
    expect(launched.status).toBe(0);
    expect(marks(launched.stdout)).toBe(0);
    expect(launched.stdout).toContain('big-10000.xml (domain big-10000): no problems found');
  }, 60_000);

  const noStrace = missingParts('strace');
  it.skipIf(noStrace)(
    `ends once its report is written, without disposing of the heap first${noStrace ? ` (skipped: ${noStrace})` : ''}`,
    () => {
      // An SEV guest whose virtio devices lack iommu='on': errors enough for a report of 60 copies several times a
      // pipe's buffer, read by a reader that starts late.
      const sev = tmpFile(
        'sev-without-iommu.xml',
        `<domain type='kvm'><name>sev-without-iommu</name><memory unit='KiB'>4194304</memory>
  <os firmware='efi'><type arch='x86_64' machine='pc-q35-9.2'>hvm</type></os>
  <launchSecurity type='sev'><policy>0x0003</policy></launchSecurity>
  <devices>
    <disk type='file' device='disk'><source file='/var/lib/libvirt/images/a.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <interface type='network'><source network='default'/><model type='virtio'/></interface>
  </devices>
</domain>
`,
      );
      const files = Array.from({ length: 60 }, () => sev);
      const expected = run(['check', '--no-schema', ...files]);
      expect(expected.code).toBe(1);
      expect(expected.stdout.length).toBeGreaterThan(4 * 65_536);
      const trace = path.join(work, 'exit.strace');
      const r = spawnSync(
        'bash',
        [
          '-c',
          'strace -f -e trace=write,munmap -o "$0" "$@" | (sleep 0.5; cat); exit "${PIPESTATUS[0]}"',
          trace,
          bin,
          'check',
          '--no-schema',
          ...files,
        ],
        { encoding: 'utf8', cwd: work, env: { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') }, maxBuffer: 64 << 20 },
      );
      expect([r.status, r.stdout]).toEqual([1, expected.stdout]);
      // After the report's last write Node would dispose of its heap on the main thread (dozens of munmap calls); the
      // launcher ends first. V8's worker threads, stopping as the process ends, may give back their malloc arenas
      // (a few munmap calls of their own, more with check's single-threaded collector): not counted.
      const calls = readFileSync(trace, 'utf8').split('\n');
      const main = calls[0]!.split(' ')[0]!;
      const lastWrite = calls.findLastIndex((l) => /\bwrite\(1,/.test(l));
      expect(lastWrite).toBeGreaterThan(0);
      expect(calls.slice(lastWrite).filter((l) => l.startsWith(`${main} `) && /\bmunmap\(/.test(l)).length).toBeLessThan(10);
    },
    60_000,
  );

  it('keeps the compiled code of each command in the cache folder and answers the same from it', () => {
    const cache = path.join(work, 'code-cache');
    const file = path.join(fixtures, 'transitional-i440fx.xml');
    const first = run(['check', '--no-schema', file], undefined, { XDG_CACHE_HOME: cache });
    const files = readdirSync(path.join(cache, 'virtio-access-wizard')).filter((f) => f.endsWith('.v8'));
    expect(files).toEqual([expect.stringMatching(/^cli-check-v\d+.*\.v8$/)]);
    const second = run(['check', '--no-schema', file], undefined, { XDG_CACHE_HOME: cache });
    expect(second).toEqual(first);
    expect(first.stdout).toContain('transitional-i440fx.xml (domain ');
  });
});

const noCorpus = missingParts('corpus');
describe.skipIf(noCorpus)(`--host-caps ${noCorpus ? `(skipped: ${noCorpus})` : ''}`, () => {
  it('accepts virsh domcapabilities XML and refuses anything else with exit 2', () => {
    const fixture = path.join(fixtures, 'sev-q35.xml');
    const caps = path.join(corpusDir, 'libvirt/domaincaps/qemu_10.0.0-q35.x86_64+amdsev.xml');
    expect(run(['check', '--no-schema', '--host-caps', caps, fixture]).code).toBe(0);
    const broken = tmpFile('caps-broken.xml', '<domainCapabilities><path>');
    const r = run(['check', '--no-schema', '--host-caps', broken, fixture]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('--host-caps: ')]);
    expect(run(['check', '--no-schema', '--host-caps', path.join(work, 'nope.xml'), fixture]).stderr).toContain('nope.xml: no such file');
  });
});

describe('virtio-access option values', () => {
  it('refuses an option where a value belongs (plan -o --diff) with exit 2, and writes no file named --diff', () => {
    const file = path.join(fixtures, 'transitional-i440fx.xml');
    const r = run(['plan', file, '--secure', 'none', '--no-schema', '-o', '--diff']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^virtio-access plan: Option '-o' argument is ambiguous\..*\nUsage: virtio-access plan /);
    expect(existsSync(path.join(work, '--diff'))).toBe(false);
  });

  it('refuses an option given twice, a value on a flag and a missing value, each with the usage line and exit 2', () => {
    const file = path.join(fixtures, 'transitional-i440fx.xml');
    const twice = run(['plan', file, '--secure', 'none', '--secure', 'sev']);
    expect([twice.code, twice.stderr]).toEqual([2, expect.stringContaining('virtio-access plan: --secure given twice\nUsage: ')]);
    const valued = run(['check', '--json=yes', file]);
    expect([valued.code, valued.stderr]).toEqual([2, expect.stringContaining("Option '--json' does not take an argument")]);
    const missing = run(['check', file, '--guest']);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining("Option '--guest <value>' argument missing")]);
  });
});

describe('virtio-access plan never touches OUT when it fails', () => {
  it('exit 2 for unusable input, OUT not created', () => {
    const out = path.join(work, 'never.xml');
    const broken = tmpFile('broken-plan.xml', '<domain><name>x</name>');
    const r = run(['plan', broken, '--secure', 'sev', '--no-schema', '-o', out]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('broken-plan.xml:1:1: <domain> is never closed (missing </domain>)')]);
    expect(existsSync(out)).toBe(false);
  });
});

describe.skipIf(!existsSync('/run/libvirt') || process.getuid?.() !== 0)("virtio-access plan -o into libvirt's own files", () => {
  it('writes, but warns that libvirt will not read it and says to define the domain instead', () => {
    const out = `/run/libvirt/vaw-cli-test-${process.pid}.xml`;
    try {
      const r = run(['plan', path.join(fixtures, 'transitional-i440fx.xml'), '--secure', 'none', '--no-schema', '-o', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`warning: ${out} is libvirt's own copy of a domain definition`);
      expect(existsSync(out)).toBe(true);
    } finally {
      rmSync(out, { force: true });
    }
  });
});

describe('virtio-access backups and restore', () => {
  const caps = path.join(repoRoot, 'test/fixtures/domcaps/q35-sev.xml');
  const planTo = (out: string, env: Record<string, string> = {}) =>
    run(
      ['plan', path.join(fixtures, 'transitional-i440fx.xml'), '--secure', 'none', '--host-caps', caps, '--no-schema', '-o', out],
      undefined,
      env,
    );

  it('lists the backups of a file and restores one to the file its record names, from any folder', () => {
    const f = tmpFile('restore-me.xml', '<domain><name>original</name></domain>\n');
    const list0 = run(['backups', f]);
    expect([list0.code, list0.stderr]).toEqual([0, expect.stringContaining('no backups of')]);
    expect(planTo(f).code).toBe(0);
    const list = run(['backups', f]).stdout.trim().split('\n');
    expect(list).toHaveLength(1);
    const backup = list[0]?.split(/\s+/)[1] ?? '';
    expect(readFileSync(backup, 'utf8')).toBe('<domain><name>original</name></domain>\n');
    // Given relative to another folder, the backup still goes back to its own file (its record says which).
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'vaw-cwd-'));
    const r2 = spawnSync(process.execPath, [bin, 'restore', path.relative(elsewhere, backup)], {
      cwd: elsewhere,
      encoding: 'utf8',
      env: { ...process.env, VAW_BACKUP_DIR: path.join(work, 'backups') },
    });
    expect([r2.status, readFileSync(f, 'utf8')]).toEqual([0, '<domain><name>original</name></domain>\n']);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(r2.stderr).toMatch(/^virtio-access restore: restored .*restore-me\.xml; its previous content is backed up to /);
    expect(run(['backups', f]).stdout.trim().split('\n')).toHaveLength(2);
    expect(run(['restore', path.join(work, 'backups', 'nope.xml')]).code).toBe(2);
  });

  it('refuses a truncated backup and a file that is no backup, exit 2, writing nothing', () => {
    const f = tmpFile('restore-guard.xml', '<domain><name>first</name></domain>\n');
    expect(planTo(f).code).toBe(0);
    const planned = readFileSync(f, 'utf8');
    const backup = run(['backups', f]).stdout.trim().split(/\s+/)[1] ?? '';
    truncateSync(backup, 12);
    const truncated = run(['restore', backup]);
    expect([truncated.code, truncated.stderr]).toEqual([2, expect.stringContaining('is damaged: it has 12 bytes where 36 were saved')]);
    const foreign = tmpFile('foreign.xml', '<domain/>');
    const notBackup = run(['restore', foreign, '-o', f]);
    expect([notBackup.code, notBackup.stderr]).toEqual([2, expect.stringContaining('is not a backup written by virtio-access')]);
    expect(readFileSync(f, 'utf8')).toBe(planned);
  });

  it('a backup folder that cannot be made: one message, exit 1, OUT untouched, no internal error', () => {
    const f = tmpFile('backup-blocked.xml', '<domain><name>keep</name></domain>\n');
    const blocker = tmpFile('not-a-folder', 'x');
    const r = planTo(f, { VAW_BACKUP_DIR: blocker });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^virtio-access plan: .*backup-blocked\.xml: its current content could not be backed up \(.*\); check the backup folder \(VAW_BACKUP_DIR\); nothing was written\.\n$/,
    );
    expect(readFileSync(f, 'utf8')).toBe('<domain><name>keep</name></domain>\n');
  });
});

describe('virtio-access plan -o through symbolic links', () => {
  const plan = (out: string) => run(['plan', path.join(fixtures, 'transitional-i440fx.xml'), '--secure', 'none', '--no-schema', '-o', out]);

  it('writes the file a live link names and keeps the link', () => {
    const real = tmpFile('link-target.xml', readFileSync(path.join(fixtures, 'transitional-i440fx.xml')));
    const link = path.join(work, 'live-link.xml');
    symlinkSync(real, link);
    const r = plan(link);
    expect([r.code, lstatSync(link).isSymbolicLink()]).toEqual([0, true]);
    expect(readFileSync(real, 'utf8')).toBe(
      run(['plan', path.join(fixtures, 'transitional-i440fx.xml'), '--secure', 'none', '--no-schema']).stdout,
    );
  });

  it('refuses a dangling link, exit 1, leaving the link and creating nothing', () => {
    const link = path.join(work, 'dangling-link.xml');
    const missing = path.join(work, 'nowhere', 'vm.xml');
    symlinkSync(missing, link);
    const r = plan(link);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${link}: is a symbolic link to ${missing}, which does not exist`);
    expect([readlinkSync(link), existsSync(missing)]).toEqual([missing, false]);
  });
});

describe('virtio-access never waits on a FIFO or device, and never reads one without bound', () => {
  it('check, plan and --host-caps refuse a FIFO and /dev/zero at once (exit 2)', () => {
    const fifo = path.join(work, 'input-fifo.xml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const fixture = path.join(fixtures, 'sev-q35.xml');
    const check = run(['check', '--no-schema', fifo, fixture]);
    expect([check.code, check.stderr]).toEqual([2, expect.stringContaining(`${fifo}: is a pipe (FIFO), not a file`)]);
    expect(check.stdout).toContain('sev-q35.xml (domain sev-q35)');
    expect(run(['plan', fifo, '--secure', 'none', '--no-schema']).stderr).toContain('is a pipe (FIFO), not a file');
    const zero = run(['check', '--no-schema', '--host-caps', '/dev/zero', fixture]);
    expect([zero.code, zero.stderr]).toEqual([2, expect.stringContaining('/dev/zero: is a device or other special file')]);
    expect(run(['check', '--no-schema', '--host-caps', fifo, fixture]).code).toBe(2);
  });

  it('a swapped --host-caps (a domain file) is a usage error naming it, exit 2', () => {
    const fixture = path.join(fixtures, 'sev-q35.xml');
    const r = run(['plan', path.join(fixtures, 'sev-q35.xml'), '--secure', 'sev', '--no-schema', '--host-caps', fixture]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('the root element is <domain>, not <domainCapabilities>')]);
    expect(r.stderr).not.toContain('internal error');
  });
});

describe('virtio-access keeps what it does not edit', () => {
  it('plan keeps a leading byte order mark, in its output and in OUT', () => {
    const input = tmpFile('bom.xml', `\ufeff${readFileSync(path.join(fixtures, 'transitional-i440fx.xml'), 'utf8')}`);
    const r = run(['plan', input, '--secure', 'none', '--no-schema']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('\ufeff<')).toBe(true);
    const out = path.join(work, 'bom-out.xml');
    expect(run(['plan', input, '--secure', 'none', '--no-schema', '-o', out]).code).toBe(0);
    expect([...readFileSync(out).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('plan writes added lines with the CR line ends of an old Mac file', () => {
    const input = tmpFile('cr.xml', readFileSync(path.join(fixtures, 'sev-q35.xml'), 'utf8').replace(/\n/g, '\r'));
    const caps = path.join(repoRoot, 'test/fixtures/domcaps/q35-sev.xml');
    const r = run(['plan', input, '--secure', 'sev', '--host-caps', caps, '--no-schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("\r  <launchSecurity type='sev'");
    expect(r.stdout.includes('\n')).toBe(false);
  });
});

describe('virtio-access escapes control characters in what it prints for people', () => {
  it('a control character in a document is refused, and the message shows it escaped', () => {
    const f = tmpFile('escape.xml', `<domain type='kvm'><name>x\x1b[8m</name></domain>\n`);
    const r = run(['check', '--no-schema', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('character U+001B is not allowed in XML');
    expect(r.stderr).not.toContain('\x1b');
    expect(run(['plan', f, '--secure', 'none', '--no-schema']).code).toBe(2);
  });

  it('a C1 control in a domain name (legal XML) and control characters in a file name are shown escaped', () => {
    const name = path.join(work, 'c1\x1b]0;x\x07.xml');
    writeFileSync(
      name,
      readFileSync(path.join(fixtures, 'sev-q35.xml'), 'utf8').replace('<name>sev-q35</name>', '<name>vm\u009b8m</name>'),
    );
    const r = run(['check', '--no-schema', name]);
    expect(r.stdout).toContain('c1\\x1b]0;x\\x07.xml (domain vm\\x9b8m): ');
    expect([...r.stdout].filter((c) => ['\x1b', '\x07', '\u009b'].includes(c))).toEqual([]);
    const json = JSON.parse(run(['check', '--no-schema', '--json', name]).stdout) as { files: { domain: string }[] };
    // Data outputs stay exact.
    expect(json.files[0]?.domain).toBe('vm\u009b8m');
  });
});

describe('virtio-access compare (migration / restore ABI)', () => {
  const q35 = () => readFileSync(path.join(fixtures, 'sev-q35.xml'), 'utf8');

  it('exit 0 when the two definitions match', () => {
    const a = tmpFile('cmp-a.xml', q35());
    const r = run(['compare', a, a]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/-> .*cmp-a\.xml \(domain sev-q35\): no problems found/);
  });

  it('exit 1 naming both values and libvirt’s message when an iommu differs, also as JSON', () => {
    const a = tmpFile(
      'cmp-src.xml',
      q35().replace('<driver name="qemu" type=\'qcow2\'/>', "<driver name=\"qemu\" type='qcow2' iommu='on'/>"),
    );
    const b = tmpFile(
      'cmp-dst.xml',
      q35().replace('<driver name="qemu" type=\'qcow2\'/>', "<driver name=\"qemu\" type='qcow2' iommu='off'/>"),
    );
    const r = run(['compare', a, b]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("disk vda: iommu is 'on' on the source and 'off' on the destination");
    expect(r.stdout).toContain("Target device iommu option 'off' does not match source 'on'");
    const j = run(['compare', a, b, '--json']);
    const parsed: unknown = JSON.parse(j.stdout);
    expect(isCheckJson(parsed)).toBe(true);
    expect((parsed as { files: { findings: { rule: string }[] }[] }).files[0]?.findings.map((f) => f.rule)).toEqual(['R-MIG-01']);
  });

  it("quotes libvirt's message for a virtio NIC's differing queues with --libvirt-version 11.4 or later, QEMU's before", () => {
    const nic = (queues: string) =>
      q35().replace(
        '</devices>',
        `  <interface type='bridge'><source bridge='br0'/><model type='virtio'/><driver queues='${queues}'/></interface>\n  </devices>`,
      );
    const [a, b] = [tmpFile('cmp-nic2.xml', nic('2')), tmpFile('cmp-nic4.xml', nic('4'))];
    const newer = run(['compare', a, b, '--libvirt-version', '11.4.0']);
    expect(newer.code).toBe(1);
    expect(newer.stdout).toContain("Target virtio network queue count '4' does not match source '2'");
    const older = run(['compare', a, b, '--libvirt-version', '11.3.0']);
    expect(older.code).toBe(1);
    expect(older.stdout).not.toContain('Target virtio network queue count');
    expect(older.stdout).toContain('get_pci_config_device: Bad config data');
  });

  it('reports that an SEV guest cannot live-migrate at all', () => {
    const sev = q35().replace(
      '</devices>',
      "</devices>\n  <launchSecurity type='sev'><cbitpos>51</cbitpos><reducedPhysBits>1</reducedPhysBits><policy>0x0003</policy></launchSecurity>",
    );
    const a = tmpFile('cmp-sev.xml', sev);
    const r = run(['compare', a, a, '--json']);
    const rules = (JSON.parse(r.stdout) as { files: { findings: { rule: string; severity: string }[] }[] }).files[0]?.findings.map(
      (f) => f.rule,
    );
    expect(rules).toContain('R-SEV-06');
  });

  it('exit 2 for unusable input or usage, naming the file', () => {
    const bad = tmpFile('cmp-bad.xml', '<domain>');
    expect(run(['compare', bad, bad]).stderr).toMatch(/cmp-bad\.xml:1:/);
    expect(run(['compare', bad]).code).toBe(2);
    expect(run(['compare', '--help']).stdout).toMatch(/^virtio-access compare SOURCE DEST/);
  });
});

describe.skipIf(missingParts('virsh'))('virtio-access check --connect when a connection fails', () => {
  it('reports that connection with what to do, still audits the others, and exits 2', () => {
    const r = run(['check', '--connect', 'test:///default', '--connect', 'qemu+foo:///x', '--all', '--json', '--no-schema']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^virtio-access check: The connection URI "qemu\+foo:\/\/\/x" is refused: "foo" is not a libvirt transport\. Accepted forms: /m,
    );
    expect(r.stderr).not.toMatch(/internal error/);
    const out = JSON.parse(r.stdout) as { files: { file: string }[] };
    expect(out.files.map((f) => f.file)).toEqual(['test:///default/test']);
  });

  it('refuses a URI that would run a program, and the program never runs', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-cli-uri-'));
    const marker = path.join(dir, 'ran');
    const prog = path.join(dir, 'prog.sh');
    writeFileSync(prog, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    const r = run(['check', '--connect', `qemu+ext:///system?command=${prog}`, '--all', '--no-schema']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is refused: the ext transport runs a program/);
    expect(existsSync(marker)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('names a domain the connection does not have, and still checks the domains it has', () => {
    const r = run(['check', '--connect', 'test:///default', 'test', 'nosuchdomain', '--no-schema', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^virtio-access check: test:\/\/\/default\/nosuchdomain: test:\/\/\/default has no domain named as asked: .*nosuchdomain/m,
    );
    expect((JSON.parse(r.stdout) as { files: { file: string }[] }).files.map((f) => f.file)).toEqual(['test:///default/test']);
  });
});

describe.skipIf(missingParts('virsh'))('virtio-access check over several connections (--jobs)', () => {
  it('gives the same JSON document as before: one file per host and domain, in the order of --connect', () => {
    const one = run(['check', '--connect', 'test:///default', 'test', '--json']);
    const three = run(['check', ...['a', 'b', 'c'].flatMap(() => ['--connect', 'test:///default']), 'test', '--jobs', '2', '--json']);
    expect(three.code).toBe(one.code);
    const doc: unknown = JSON.parse(three.stdout);
    expect(isCheckJson(doc)).toBe(true);
    const files = (doc as { files: unknown[] }).files;
    expect(files).toEqual([0, 1, 2].map(() => (JSON.parse(one.stdout) as { files: unknown[] }).files[0]));
    expect(one.stderr).toBe('');
    expect(three.stderr.split('\n').filter(Boolean)).toEqual(
      [1, 2, 3].map((n) => `virtio-access check: ${n}/3 hosts read: test:///default (1 domain)`),
    );
  });

  it('refuses --jobs that is not a whole number of at least 1, or without --connect (exit 2)', () => {
    for (const jobs of ['0', '-1', 'many', '1.5']) {
      const r = run(['check', '--connect', 'test:///default', '--all', `--jobs=${jobs}`]);
      expect([r.code, r.stderr], jobs).toEqual([2, expect.stringContaining('--jobs needs a whole number of connections, at least 1')]);
    }
    expect(run(['check', path.join(fixtures, 'sev-q35.xml'), '--jobs', '2']).stderr).toContain('--jobs needs --connect');
  });
});

const noLocalLibvirt = missingParts('schemas', 'xmllint', 'virsh');
describe.skipIf(noLocalLibvirt)(
  `virtio-access on SEV-SNP and TDX planned on an older libvirt ${noLocalLibvirt ? `(skipped: ${noLocalLibvirt})` : ''}`,
  () => {
    // This machine's libvirt, whose schema validates here: Debian 12 has 9.0, older than both elements.
    const here = /^Using library: libvirt ([\d.]+)/m.exec(
      spawnSync('virsh', ['-c', 'test:///default', 'version'], { encoding: 'utf8' }).stdout,
    )?.[1];
    const older = (since: string) => here !== undefined && compareVersions(parseVersion(here)!, parseVersion(since)!) < 0;
    const since = (type: SecureType) => formatVersion(technology(type).libvirt!);
    const input = path.join(fixtures, 'sev-q35.xml');

    it("plan says which element is newer than this machine's libvirt, in the app's words, before --no-schema; nothing written", () => {
      const out = path.join(work, 'tdx-planned.xml');
      const r = run(['plan', input, '--secure', 'tdx', '--libvirt-version', '12.0.0', '--qemu-version', '10.1.0', '-o', out]);
      if (older(since('tdx'))) {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`<launchSecurity type='tdx'> (Intel TDX) is newer than this machine's libvirt ${here}`);
        expect(r.stderr).toContain('rerun with --no-schema');
        expect(existsSync(out)).toBe(false);
        const forced = run([
          'plan',
          input,
          '--secure',
          'tdx',
          '--libvirt-version',
          '12.0.0',
          '--qemu-version',
          '10.1.0',
          '--no-schema',
          '-o',
          out,
        ]);
        expect(forced.code).toBe(0);
        expect(readFileSync(out, 'utf8')).toContain("<launchSecurity type='tdx'");
      } else expect(r.code).toBe(0);
    });

    it('check reports such an element as one SCHEMA warning naming the element and both versions, not as errors', () => {
      const snp = tmpFile('snp.xml', readFileSync(input, 'utf8').replace('</domain>', "  <launchSecurity type='sev-snp'/>\n</domain>"));
      expect(readFileSync(snp, 'utf8')).toContain("<launchSecurity type='sev-snp'/>");
      const json = JSON.parse(run(['check', '--json', snp]).stdout) as {
        files: { findings: { rule: string; severity: string; title: string }[] }[];
      };
      const schema = json.files[0]!.findings.filter((f) => f.rule === 'SCHEMA');
      if (older(since('sev-snp')))
        expect(schema).toEqual([
          expect.objectContaining({ severity: 'warning', title: expect.stringContaining(`newer than this machine's libvirt ${here}`) }),
        ]);
      else expect(schema).toEqual([]);
    });
  },
);
