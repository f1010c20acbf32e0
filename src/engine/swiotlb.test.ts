import { describe, expect, it } from 'vitest';
import type { DomainFacts } from '../contracts/facts';
import { applyEdits, parseDomainXml, readDomainFacts } from '../domain-xml';
import { device, domain, input, LINUX_GUEST } from '../../test/engine-facts';
import { evaluate, planFor } from '.';
import { swiotlbAdvice, swiotlbReport } from './swiotlb';

const sev = (p: Partial<DomainFacts> = {}) =>
  domain({ launchSecurity: { ...domain().launchSecurity, type: 'sev', present: true, policy: '0x0003' }, ...p });
const report = (d: DomainFacts, guest = LINUX_GUEST) => swiotlbReport(input({ domain: d, guest }));

describe('when there is a SWIOTLB report', () => {
  it('for a confidential Linux (or unknown) guest, not for Windows or an ordinary guest', () => {
    expect(report(sev())).not.toBeNull();
    expect(report(domain())).toBeNull();
    expect(report(sev(), { ...LINUX_GUEST, family: 'windows' })).toBeNull();
  });

  it('for the goal of a plan: an ordinary domain that is to become SEV', () => {
    expect(swiotlbReport(input({ domain: domain(), guest: LINUX_GUEST, goals: { secure: 'sev' } }))?.defaultMiB).toBe(256);
  });

  it('with swiotlb=force in an ordinary guest, counting only the devices with iommu on', () => {
    const forced = (iommu: 'on' | 'absent') =>
      report(domain({ kernelCmdline: 'console=ttyS0 swiotlb=force', devices: [device({ driver: { iommu } })] }));
    expect(forced('absent')).toBeNull();
    expect(forced('on')?.devices.map((d) => d.label)).toEqual(['disk vda']);
  });
});

describe('the recommendation', () => {
  it('no parameter when the default pool covers the worst case', () => {
    const r = report(sev({ devices: [device({ queues: 1, io: { queueSize: 64 } })] }))!;
    expect(r).toMatchObject({ defaultMiB: 256, currentMiB: 256, peakMiB: 81, recommendedMiB: 256, parameter: null, edits: [] });
    expect(swiotlbAdvice(r)).toMatch(/^No swiotlb= is needed/);
  });

  it('where no larger pool fits in the guest, keeps the default and says the worst case is left uncovered', () => {
    // 64 MiB of guest memory: a pool may take half of it, less than the default 64 MiB pool already has.
    const r = report(sev({ memoryKiB: 65536, devices: [device({ queues: 2, io: { queueSize: 256 } })] }))!;
    expect(r).toMatchObject({ defaultMiB: 64, parameter: null, edits: [] });
    expect(r.peakMiB).toBeGreaterThan(r.defaultMiB);
    expect(swiotlbAdvice(r)).toMatch(
      /^The worst case \(\d+ MiB\) is more than this guest's memory leaves for a pool: keep the default pool \(64 MiB\)/,
    );
    expect(swiotlbAdvice(r)).not.toMatch(/covers/);
  });

  it('a power-of-two swiotlb= that holds the worst case, in the boot loader without direct kernel boot', () => {
    const r = report(sev({ devices: [device({ queues: 2, io: { queueSize: 128 } })] }))!;
    // 2 queues × 128 requests × 643 slabs = 164608 slabs (322 MiB) → 262144 slabs (512 MiB).
    expect(r).toMatchObject({ peakMiB: 322, recommendedMiB: 512, parameter: 'swiotlb=262144', where: 'boot-loader', edits: [] });
    expect(r.costMiB).toBe(518);
    expect(swiotlbAdvice(r)).toMatch(/^Add swiotlb=262144 to the guest kernel command line in its boot loader/);
  });

  it('with direct kernel boot, an edit of <os><cmdline> that replaces the old swiotlb= and keeps the rest', () => {
    const xml = `<domain type='kvm'><name>g</name><memory unit='GiB'>4</memory><vcpu>2</vcpu>
  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type><kernel>/boot/vmlinuz</kernel><cmdline>console=ttyS0 swiotlb=1024 root=/dev/vda</cmdline></os>
  <launchSecurity type='sev'><policy>0x0003</policy></launchSecurity>
  <devices><disk type='file' device='disk'><driver name='qemu' type='raw' queues='2' queue_size='128'/><source file='/d.raw'/><target dev='vda' bus='virtio'/></disk></devices>
</domain>`;
    const r = report(readDomainFacts(parseDomainXml(xml)))!;
    expect(r.currentMiB).toBe(2);
    expect(r.edits).toEqual([{ op: 'set-text', target: '/domain/os/cmdline', text: 'console=ttyS0 root=/dev/vda swiotlb=262144' }]);
    const after = readDomainFacts(parseDomainXml(applyEdits(xml, r.edits)));
    expect(report(after)).toMatchObject({ currentMiB: 512, recommendedMiB: 512, parameter: 'swiotlb=262144', edits: [] });
  });

  it('writes <cmdline> when direct kernel boot has none, and keeps force for an ordinary guest', () => {
    // 2 queues × 256 requests × 644 slabs = 644 MiB → 524288 slabs (1 GiB).
    const none = report(sev({ directKernelBoot: true, kernelCmdline: 'absent' }))!;
    expect(none.edits).toEqual([{ op: 'set-text', target: '/domain/os/cmdline', text: 'swiotlb=524288' }]);
    const forced = report(
      domain({ directKernelBoot: true, kernelCmdline: 'swiotlb=force', devices: [device({ driver: { iommu: 'on' } })] }),
    )!;
    expect(forced.parameter).toBe('swiotlb=524288,force');
    expect(forced.edits).toEqual([{ op: 'set-text', target: '/domain/os/cmdline', text: 'swiotlb=524288,force' }]);
  });

  it('keeps a swiotlb= that already covers the worst case, and takes out one smaller than a sufficient default', () => {
    const big = report(sev({ directKernelBoot: true, kernelCmdline: 'swiotlb=524288', devices: [device({ queues: 1 })] }))!;
    expect(big).toMatchObject({ currentMiB: 1024, recommendedMiB: 1024, parameter: 'swiotlb=524288', edits: [] });
    // Nothing to add: the advice says so instead of asking for the parameter it found.
    expect(swiotlbAdvice(big)).toBe(
      'Keep swiotlb=524288 in <os><cmdline>: its 1024 MiB pool (taking 1036 MiB of guest memory) covers the worst case (322 MiB).',
    );
    const small = report(
      sev({ directKernelBoot: true, kernelCmdline: 'quiet swiotlb=1024', devices: [device({ queues: 1, io: { queueSize: 16 } })] }),
    )!;
    expect(small).toMatchObject({ currentMiB: 2, parameter: null, recommendedMiB: 256 });
    expect(small.edits).toEqual([{ op: 'set-text', target: '/domain/os/cmdline', text: 'quiet' }]);
  });

  it('never more than half of the memory the pool can lie in; says so and how to lower the worst case', () => {
    // 4 GiB on q35: 2 GiB below 4 GiB, so at most 1 GiB; 8 queues × 256 × 644 slabs is 2576 MiB.
    const r = report(sev({ vcpus: { max: 8, current: 8 } }))!;
    expect(r.peakMiB).toBe(2576);
    expect(r).toMatchObject({ recommendedMiB: 1024, parameter: 'swiotlb=524288' });
    // Once written (what a plan does with direct kernel boot), the same pool is kept, and said to fall short.
    const written = report(sev({ vcpus: { max: 8, current: 8 }, directKernelBoot: true, kernelCmdline: 'swiotlb=524288' }))!;
    expect(written).toMatchObject({ recommendedMiB: 1024, parameter: 'swiotlb=524288', edits: [] });
    expect(swiotlbAdvice(written)).toMatch(
      /^Keep swiotlb=524288 in <os><cmdline>: its 1024 MiB pool .* is as much as this guest can set aside; the worst case is 2576 MiB/,
    );
    expect(r.assumptions.join(' ')).toMatch(
      /more than this guest can set aside.*fewer queues, a smaller queue_size or a lower max_sectors_kb/,
    );
  });

  it('states what it assumed when the kernel, the machine version and the vCPUs are unknown', () => {
    const r = swiotlbReport(
      input({
        domain: sev({ vcpus: { max: 'unknown', current: 'unknown' }, machine: { raw: 'q35', family: 'q35', version: 'unknown' } }),
        host: { ...input().host, qemuVersion: { kind: 'unknown' } },
      }),
    )!;
    const text = r.assumptions.join('\n');
    expect(text).toMatch(/guest kernel version is not known/);
    expect(text).toMatch(/vCPU count is not known: 1 is assumed/);
    expect(text).toMatch(/QEMU 5.2 or later defaults are assumed/);
  });

  it('names its sources: the kernel files, QEMU defaults, and the architecture that sizes the pool', () => {
    const keys = report(sev())!.sources.map((s) => s.key);
    expect(keys).toEqual(expect.arrayContaining(['LNX-SWIOTLB', 'LNX-SWIOTLB-H', 'LNX-KPARAMS', 'LNX-X86CC', 'LNX-VBLK', 'QEMU-VBLK']));
    expect(report(sev())!.sources.every((s) => s.url?.startsWith('https://'))).toBe(true);
  });
});

describe('R-LNX-03 and R-LNX-04 take their figures from the report', () => {
  const xml = `<domain type='kvm'><name>g</name><memory unit='GiB'>4</memory><vcpu>2</vcpu>
  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type><kernel>/boot/vmlinuz</kernel></os>
  <launchSecurity type='sev'><policy>0x0003</policy></launchSecurity>
  <devices><disk type='file' device='disk'><driver name='qemu' type='raw' iommu='on'/><source file='/d.raw'/><target dev='vda' bus='virtio'/></disk></devices>
</domain>`;
  const sevInput = input({ domain: readDomainFacts(parseDomainXml(xml)), guest: LINUX_GUEST });

  it('R-LNX-03 says the pool, the worst case and the advice; R-LNX-04 warns with the per-device figures', () => {
    const r = swiotlbReport(sevInput)!;
    const findings = evaluate(sevInput);
    const info = findings.find((f) => f.rule === 'R-LNX-03')!;
    expect(info.explanation).toContain(
      `The guest's pool: ${r.currentMiB} MiB (its kernel's default). The worst case of its virtio devices: ${r.peakMiB} MiB.`,
    );
    const warning = findings.find((f) => f.rule === 'R-LNX-04')!;
    expect(warning.severity).toBe('warning');
    expect(warning.title).toBe(
      `The guest's bounce-buffer pool (256 MiB) is smaller than the worst case of its virtio I/O (${r.peakMiB} MiB)`,
    );
    expect(warning.explanation).toContain('disk vda: up to 644 MiB (2 queues × 256 requests × 644 slabs');
    expect(warning.fix.edits).toEqual(r.edits);
  });

  it("R-LNX-04 words each domain's own devices, whichever domain was judged before", () => {
    const devicesIn = (dev: string) =>
      input({ domain: readDomainFacts(parseDomainXml(xml.replace("dev='vda'", `dev='${dev}'`))), guest: LINUX_GUEST });
    const words = (i: ReturnType<typeof input>) => evaluate(i).find((f) => f.rule === 'R-LNX-04')!.explanation;
    expect(words(devicesIn('vdb'))).toContain('disk vdb: up to 644 MiB');
    expect(words(devicesIn('vdc'))).toContain('disk vdc: up to 644 MiB');
    expect(words(devicesIn('vdc'))).not.toContain('disk vdb');
    expect(words(devicesIn('vdb'))).toContain('disk vdb: up to 644 MiB');
  });

  it('the plan writes the recommended swiotlb= into a new <cmdline> after <kernel>', () => {
    const planned = applyEdits(xml, planFor(sevInput).edits);
    expect(planned).toContain('<kernel>/boot/vmlinuz</kernel>\n    <cmdline>swiotlb=524288</cmdline>');
    expect(evaluate({ ...sevInput, domain: readDomainFacts(parseDomainXml(planned)) }).map((f) => f.rule)).not.toContain('R-LNX-04');
  });
});
