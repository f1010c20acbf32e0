/**
 * The SWIOTLB report against a real guest: Debian bookworm's kernel (scripts/swiotlb-guest/prepare.sh) with an
 * initramfs of busybox and the virtio modules (build-initramfs.sh, init), booted directly by the system libvirtd
 * under TCG with `swiotlb=force` and a two-queue virtio-blk disk with iommu='on', so its DMA goes through SWIOTLB.
 * The guest runs 32 parallel O_DIRECT readers of 8 MiB each against the disk, which libvirt throttles (<iotune>)
 * so that requests pile up in the guest's queues, and reports on its serial console (a file) the pool it mapped,
 * the most slabs in use, and whether the readers finished; the kernel logs "swiotlb buffer is full" there when the
 * pool runs out.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineInput } from '../../src/contracts/engine';
import { DEFAULT_GOALS, NO_HOST_FACTS, type Version } from '../../src/contracts/facts';
import type { SwiotlbReport } from '../../src/contracts/swiotlb';
import { applyEdits, parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate, swiotlbReport } from '../../src/engine';
import { runVirsh } from '../../main/services/virsh';
import { defineXml, removeDomains, SYSTEM } from '../../test/libvirt-domains';
import { guestCacheDir, missingParts, repoRoot } from '../../test/real-parts';

const prefix = `vaw-swiotlb-${process.pid}-`;
const guest = path.join(guestCacheDir, 'guest');
const BOOT_LIMIT_MS = 240_000;

/** The test domain: 3 GiB (so memory above 4 GiB makes x86 print the pool), 2 vCPUs, one throttled disk. */
function domainXml(name: string, dir: string, cmdline: string): string {
  return `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>3072</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>${dir}/vmlinuz</kernel>
    <initrd>${dir}/initrd.gz</initrd>
    <cmdline>${cmdline}</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' queues='2' queue_size='64' iommu='on'/>
      <source file='${dir}/disk.raw'/>
      <target dev='vda' bus='virtio'/>
      <iotune>
        <total_bytes_sec>52428800</total_bytes_sec>
      </iotune>
    </disk>
    <controller type='usb' model='none'/>
    <serial type='file'>
      <source path='${dir}/console.log'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
`;
}

interface GuestRun {
  readonly log: string;
  /** "software IO TLB: mapped [mem …] (NMB)" */
  readonly mappedMiB: number | null;
  readonly full: number;
  readonly poolSlabs: number | null;
  readonly usedMax: number | null;
  readonly readersOk: string | null;
  readonly done: boolean;
}

function parseRun(log: string): GuestRun {
  const num = (re: RegExp) => {
    const m = re.exec(log);
    return m ? Number(m[1]) : null;
  };
  return {
    log,
    mappedMiB: num(/software IO TLB: mapped \[mem [^\]]+\] \((\d+)MB\)/),
    full: (log.match(/swiotlb buffer is full \(sz: \d+ bytes\), total \d+ \(slots\), used \d+ \(slots\)/g) ?? []).length,
    poolSlabs: num(/VAW-POOL-SLOTS (\d+)/),
    usedMax: num(/VAW-USED-MAX (\d+)/),
    readersOk: /VAW-READERS-OK (.*)/.exec(log)?.[1]?.trim() ?? null,
    done: log.includes('VAW-DONE'),
  };
}

const missing = missingParts('libvirtd', 'qemu', 'guest-kernel');
describe.skipIf(missing)(`SWIOTLB on a real guest (Debian's kernel under TCG) ${missing ? `(skipped: ${missing})` : ''}`, () => {
  let dir = '';
  let kernel: Version = { major: 0, minor: 0, micro: 0 };

  beforeAll(async () => {
    await removeDomains('vaw-swiotlb-');
    // libvirt's QEMU runs as libvirt-qemu: its files live in a folder it can enter; libvirt relabels them per run.
    dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-swiotlb-'));
    chmodSync(dir, 0o755);
    copyFileSync(path.join(guest, 'vmlinuz'), path.join(dir, 'vmlinuz'));
    execFileSync('bash', [path.join(repoRoot, 'scripts/swiotlb-guest/build-initramfs.sh'), path.join(dir, 'initrd.gz')]);
    writeFileSync(path.join(dir, 'disk.raw'), '');
    truncateSync(path.join(dir, 'disk.raw'), 256 * 1024 * 1024);
    const release = readFileSync(path.join(guest, 'kernel-release'), 'utf8');
    const [major, minor] = release.split('.').map(Number);
    kernel = { major: major!, minor: minor!, micro: 0 };
  });

  afterAll(async () => {
    await removeDomains(prefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The engine's input for the XML: a Linux guest whose kernel version is the package's. */
  const engineInput = (xml: string): EngineInput => ({
    domain: readDomainFacts(parseDomainXml(xml)),
    host: NO_HOST_FACTS,
    guest: { osinfoId: 'unknown', name: 'Debian kernel', family: 'linux', virtio1: 'yes', kernelVersion: kernel },
    goals: DEFAULT_GOALS,
  });

  function reportFor(xml: string): SwiotlbReport {
    const r = swiotlbReport(engineInput(xml));
    if (!r) throw new Error('swiotlb=force with an iommu disk must give a report');
    return r;
  }

  /** Defines and boots the domain, waits until the guest powers off, and returns what its console said. */
  async function boot(name: string, xml: string): Promise<GuestRun> {
    const logFile = path.join(dir, 'console.log');
    writeFileSync(logFile, '');
    chmodSync(logFile, 0o666);
    defineXml(xml);
    await runVirsh(SYSTEM, ['start', name], { timeoutMs: 60_000 });
    const started = Date.now();
    try {
      while ((await runVirsh(SYSTEM, ['domstate', name])).trim() !== 'shut off') {
        if (Date.now() - started > BOOT_LIMIT_MS) throw new Error(`the guest did not power off within ${BOOT_LIMIT_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      await runVirsh(SYSTEM, ['destroy', name]).catch(() => undefined);
      await runVirsh(SYSTEM, ['undefine', name]).catch(() => undefined);
    }
    const run = parseRun(readFileSync(logFile, 'utf8'));
    if (!run.done) throw new Error(`the guest did not finish its run; its console ended with:\n${run.log.slice(-3000)}`);
    return run;
  }

  // no_timer_check: under TCG on a busy host the kernel's IO-APIC timer check can time out and panic the boot
  // ("IO-APIC + timer doesn't work!"), as it did once in a full `npm test`; virtual machines skip it.
  const bootArgs = 'console=ttyS0 panic=-1 no_timer_check';
  const workload = `${bootArgs} vaw.readers=32 vaw.mib=8`;
  let small: { xml: string; report: SwiotlbReport } | null = null;

  it(
    'a deliberately small pool (swiotlb=3000,force): the guest maps the 8 MiB the engine predicts and logs "swiotlb buffer is full"',
    { timeout: BOOT_LIMIT_MS + 60_000 },
    async () => {
      const name = `${prefix}small`;
      const xml = domainXml(name, dir, `${workload} swiotlb=3000,force`);
      const report = reportFor(xml);
      // 3000 slabs → 3072 (a multiple of 128) → 4096 (a power of two, Linux 6.0 and later): 8 MiB.
      expect(report.currentMiB).toBe(8);
      expect(report.peakMiB).toBeGreaterThan(report.currentMiB);
      const run = await boot(name, xml);
      expect(run.mappedMiB).toBe(report.currentMiB);
      expect(run.poolSlabs).toBe(report.currentMiB * 512);
      expect(run.full).toBeGreaterThan(0);
      console.info(`[swiotlb guest] swiotlb=3000,force: ${run.mappedMiB} MiB mapped, ${run.full} "swiotlb buffer is full" lines`);
      small = { xml, report };
    },
  );

  it(
    "with the engine's recommendation written by its <os><cmdline> edit, the guest maps that pool, never logs it, and uses no more slabs than the estimate",
    { timeout: BOOT_LIMIT_MS + 60_000 },
    async () => {
      expect(small, 'runs after the small-pool case').not.toBeNull();
      const { report } = small!;
      // 2 queues × 64 requests × 643 slabs = 82304 slabs (161 MiB) → swiotlb=131072 (256 MiB).
      expect(report).toMatchObject({ recommendedMiB: 256, parameter: 'swiotlb=131072,force', where: 'os-cmdline' });
      const name = `${prefix}recommended`;
      const xml = applyEdits(small!.xml.replaceAll(`${prefix}small`, name), report.edits);
      expect(xml).toContain(`<cmdline>${workload} swiotlb=131072,force</cmdline>`);
      const after = reportFor(xml);
      expect(after.currentMiB).toBe(report.recommendedMiB);
      expect(evaluate(engineInput(xml)).map((f) => f.rule)).not.toContain('R-LNX-04');

      const run = await boot(name, xml);
      expect(run.mappedMiB).toBe(report.recommendedMiB);
      expect(run.full).toBe(0);
      expect(run.readersOk).toBe('32 of 32');
      // The load really needed more than the default 64 MiB (32768 slabs), and never more than the estimate.
      expect(run.usedMax).toBeGreaterThan(32768);
      expect(run.usedMax).toBeLessThanOrEqual(report.peakMiB * 512);
      console.info(
        `[swiotlb guest] ${report.parameter}: ${run.mappedMiB} MiB mapped, at most ${run.usedMax} slabs in use (estimate ${report.peakMiB * 512})`,
      );
    },
  );

  it("the default pool (swiotlb=force alone) is the engine's defaultMiB", { timeout: BOOT_LIMIT_MS + 60_000 }, async () => {
    const name = `${prefix}default`;
    const xml = domainXml(name, dir, `${bootArgs} vaw.readers=0 swiotlb=force`);
    const report = reportFor(xml);
    expect(report.defaultMiB).toBe(64);
    const run = await boot(name, xml);
    expect(run.mappedMiB).toBe(report.defaultMiB);
    expect(run.poolSlabs).toBe(report.defaultMiB * 512);
  });
});
