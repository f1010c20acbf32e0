/**
 * `virtio-access verify` as users run it (the built bundle, as a subprocess): each exit code, the JSON report, and
 * nothing left behind when the command is interrupted, on the version lab's generations.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNodeBundles } from '../scripts/node-bundles.mjs';
import type { VerifyReport } from '../src/contracts/verify';
import { labDomainName, readLabState } from '../test/lab';
import { missingParts } from '../test/real-parts';
import { verifyTraces } from '../test/verify-traces';

const missing = missingParts('lab', 'qemu-img');
const generations = missing ? [] : readLabState();
let work = '';
let bin = '';

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vaw-lab-verify-cli-'));
  await buildNodeBundles(work, ['cli']);
  bin = path.join(work, 'cli/virtio-access.cjs');
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An i440fx guest whose NIC is `model`, with iommu='on' and a qcow2 disk. */
function domainFile(name: string, model: string): string {
  const file = path.join(work, `${name}.xml`);
  writeFileSync(
    file,
    `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>256</memory>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/nonexistent/${name}.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='user'>
      <model type='${model}'/>
      <driver iommu='on'/>
    </interface>
    <memballoon model='none'/>
  </devices>
</domain>
`,
  );
  return file;
}

function run(args: readonly string[]) {
  const r = spawnSync(process.execPath, [bin, 'verify', ...args], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') },
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(missing)(`virtio-access verify ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('exits 1 with QEMU’s message for a refused plan, and 0 for its fix, on the newest generation (--json)', () => {
    const g = generations[generations.length - 1]!;
    const refused = run([domainFile(labDomainName(g, 'cli-refused'), 'virtio-transitional'), '--connect', g.uri, '--json']);
    expect(refused.code, refused.stderr).toBe(1);
    const r = JSON.parse(refused.stdout) as VerifyReport & { file: string };
    expect(r.outcome).toBe('refused');
    expect(r.summary).toBe('Refused: VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device');
    expect(r.libvirtVersion).toBe(g.libvirt);
    expect(r.file).toMatch(/cli-refused\.xml$/);

    const started = run([domainFile(labDomainName(g, 'cli-fixed'), 'virtio-non-transitional'), '--connect', g.uri]);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain(`on ${g.uri} (libvirt ${g.libvirt}, QEMU ${g.qemu}): STARTED`);
    expect(started.stdout).toContain('Engine: predicted a start; agrees with libvirt/QEMU.');
  }, 600_000);

  it("exits 2 where nothing can be tested (libvirt's test driver) and for a document that is not XML", () => {
    const file = domainFile('vaw-verify-cli-testdriver', 'virtio-non-transitional');
    const testDriver = run([file, '--connect', 'test:///default']);
    expect(testDriver.code).toBe(2);
    expect(testDriver.stdout).toContain("Cannot test: libvirt's test driver starts nothing real.");
    const broken = path.join(work, 'broken.xml');
    writeFileSync(broken, '<domain>\n  <name>x</name>\n  <devices>\n');
    const bad = run([broken, '--connect', generations[0]!.uri]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`virtio-access: ${broken}:3:3: <devices> is never closed (missing </devices>)`);
  });

  it('leaves nothing behind when interrupted with SIGINT or SIGTERM at any point of a run', async () => {
    const g = generations[generations.length - 1]!;
    const file = domainFile(labDomainName(g, 'cli-signal'), 'virtio-non-transitional');
    const outcomes: string[] = [];
    for (const [signal, delayMs] of [
      ['SIGINT', 1500],
      ['SIGTERM', 3000],
      ['SIGINT', 5000],
    ] as const) {
      const child = spawn(process.execPath, [bin, 'verify', file, '--connect', g.uri], { stdio: 'ignore' });
      const exited = new Promise<string>((resolve) => child.on('exit', (code, sig) => resolve(sig ?? `exit ${code}`)));
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill(signal);
      outcomes.push(await exited);
      expect(await verifyTraces(g, child.pid), `after ${signal} at ${delayMs} ms`).toEqual([]);
    }
    // The signal ends the command as it would have without verify's cleanup (unless the run had finished by then).
    for (const o of outcomes) expect(['SIGINT', 'SIGTERM', 'exit 0']).toContain(o);
    expect(outcomes.filter((o) => o !== 'exit 0').length, 'at least one run was interrupted midway').toBeGreaterThan(0);
  }, 300_000);
});
