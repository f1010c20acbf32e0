/**
 * The SWIOTLB report through the built CLI: `check --json` and `plan --json` carry it per file when the virtio I/O
 * bounces, and `explain SWIOTLB` explains it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCheckJson, isPlanJson, type CheckJson, type PlanJson } from '../src/contracts/cli-json';
import { buildNodeBundles } from '../scripts/node-bundles.mjs';
import { repoRoot } from '../test/real-parts';

let bin = '';
let work = '';

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vaw-swiotlb-cli-'));
  await buildNodeBundles(work, ['cli']);
  bin = path.join(work, 'cli/virtio-access.cjs');
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(args: readonly string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: work,
    env: { ...process.env, VAW_BACKUP_DIR: path.join(work, 'backups'), XDG_CACHE_HOME: path.join(work, 'cache') },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The SEV-to-be fixture booted directly from a kernel: the plan can write the kernel command line. */
function directBootFixture(): string {
  const xml = readFileSync(path.join(repoRoot, 'test/fixtures/domains/sev-q35.xml'), 'utf8').replace(
    "<boot dev='hd'/>",
    '<kernel>/var/lib/libvirt/boot/vmlinuz</kernel>\n    <cmdline>console=ttyS0 root=/dev/vda</cmdline>',
  );
  const file = path.join(work, 'sev-direct.xml');
  writeFileSync(file, xml);
  return file;
}

describe('"swiotlb" in the CLI JSON', () => {
  it('check --json: present for a confidential guest, with its figures and sources; absent for an ordinary one', () => {
    const sev = readFileSync(path.join(repoRoot, 'test/fixtures/domains/sev-q35.xml'), 'utf8').replace(
      '</devices>',
      "</devices>\n  <launchSecurity type='sev'><policy>0x0003</policy></launchSecurity>",
    );
    const sevFile = path.join(work, 'sev-now.xml');
    writeFileSync(sevFile, sev);
    const r = run(['check', '--json', '--no-schema', sevFile, path.join(repoRoot, 'test/fixtures/domains/sev-q35.xml')]);
    const out = JSON.parse(r.stdout) as CheckJson;
    expect(isCheckJson(out)).toBe(true);
    const [confidential, ordinary] = out.files;
    // 4 GiB: 6% → 256 MiB; a guest kernel of unknown version is taken as current (4 MiB requests, Linux 6.17): one
    // virtio-blk disk (2 queues × 256 × 2052 slabs, 2052 MiB) and one NIC (27 MiB); the pool is capped at 1 GiB.
    expect(confidential!.swiotlb).toMatchObject({
      defaultMiB: 256,
      currentMiB: 256,
      peakMiB: 2079,
      recommendedMiB: 1024,
      parameter: 'swiotlb=524288',
    });
    expect(confidential!.swiotlb!.where).toBe('boot-loader');
    expect(confidential!.swiotlb!.sources.map((s) => s.key)).toContain('LNX-X86CC');
    expect(confidential!.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['R-LNX-03', 'R-LNX-04']));
    expect(ordinary!.swiotlb).toBeUndefined();
  });

  it("check --guest-kernel: the guest's Linux kernel as uname -r prints it sizes the worst case by its release and judges its minimum; a malformed one, or one for a Windows guest, exits 2", () => {
    const sevFile = path.join(work, 'sev-now.xml');
    const current = JSON.parse(run(['check', '--json', '--no-schema', sevFile]).stdout) as CheckJson;
    const older = JSON.parse(run(['check', '--json', '--no-schema', '--guest-kernel', '6.1.0-18-amd64', sevFile]).stdout) as CheckJson;
    // Before Linux 6.17 a disk request is at most 1280 KiB (BLK_DEF_MAX_SECTORS_CAP), so the worst case is smaller.
    expect(older.files[0]!.swiotlb!.peakMiB).toBeLessThan(current.files[0]!.swiotlb!.peakMiB);
    const ancient = JSON.parse(run(['check', '--json', '--no-schema', '--guest-kernel', '4.4.0', sevFile]).stdout) as CheckJson;
    expect(
      ancient.files[0]!.findings.some((f) => f.rule === 'R-SEV-01' && /Linux 4\.4\.0 cannot run as an AMD SEV guest/.test(f.title)),
    ).toBe(true);
    const bad = run(['check', '--no-schema', '--guest-kernel', 'latest', sevFile]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--guest-kernel wants');
    const windows = run(['check', '--no-schema', '--guest', 'http://microsoft.com/win/10', '--guest-kernel', '6.1', sevFile]);
    expect(windows.code).toBe(2);
    expect(windows.stderr).toContain('--guest-kernel is a Linux kernel version');
  });

  it('plan --json --secure sev: the planned domain gets the report, and with direct kernel boot the plan writes swiotlb= into <cmdline>', () => {
    const r = run([
      'plan',
      '--json',
      '--no-schema',
      '--secure',
      'sev',
      '--qemu-version',
      '7.2.0',
      '--libvirt-version',
      '9.0.0',
      directBootFixture(),
    ]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as PlanJson;
    expect(isPlanJson(out)).toBe(true);
    expect(out.edits).toContainEqual({ op: 'set-text', target: '/domain/os/cmdline', text: 'console=ttyS0 root=/dev/vda swiotlb=524288' });
    expect(out.xml).toContain('<cmdline>console=ttyS0 root=/dev/vda swiotlb=524288</cmdline>');
    expect(out.swiotlb).toMatchObject({
      currentMiB: 1024,
      recommendedMiB: 1024,
      parameter: 'swiotlb=524288',
      where: 'os-cmdline',
      edits: [],
    });
  });
});

describe('virtio-access explain SWIOTLB', () => {
  it('explains the pool, the parameter, the worst case and the cost, with sources, in any letter case', () => {
    const r = run(['explain', 'swiotlb']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Id: SWIOTLB/);
    for (const heading of [
      'The pool the guest kernel allocates',
      'The swiotlb= parameter',
      'The worst case of the domain',
      'What it costs',
    ])
      expect(r.stdout).toContain(heading);
    expect(r.stdout).toContain('swiotlb buffer is full (sz: <n> bytes), total <t> (slots), used <u> (slots)');
    expect(r.stdout).toContain('LNX-SWIOTLB: setup_io_tlb_npages');
  });

  it('an unknown name exits 2 and lists the topics and rules', () => {
    const r = run(['explain', 'SWIOTLBX']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no rule or topic SWIOTLBX. Topics: SWIOTLB. Known rules: ');
  });
});
