/**
 * devicesAsChosen: the devices as the rules see them — as libvirt defines them, with the user's backend choices;
 * domainContext: the QEMU version the rules judge by.
 */
import { describe, expect, it } from 'vitest';
import { CAPABLE_HOST, device, domain, exact, input } from '../../test/engine-facts';
import { devicesAsChosen, domainContext } from './context';
import { evaluateAndPlan } from './plan';

/** A q35 domain whose machine type names no version, so it tells nothing of QEMU's. */
const UNVERSIONED_Q35 = { raw: 'q35', family: 'q35' as const, version: 'unknown' as const };

const armScsi = device({
  kind: 'controller',
  function: 'scsi',
  label: 'controller scsi 0',
  target: '/domain/devices/controller[1]',
  virtio: false,
  virtioModel: 'unknown',
  virtioFrom: { major: 11, minor: 6, micro: 0 },
});

describe('devicesAsChosen', () => {
  it('takes the virtio model a known libvirt release picks, and the older choice before it or where the release is unknown', () => {
    const seen = (libvirtVersion: Parameters<typeof exact> | null) =>
      devicesAsChosen(
        input({
          domain: domain({ devices: [armScsi] }),
          host: { ...CAPABLE_HOST, libvirtVersion: libvirtVersion ? exact(...libvirtVersion) : { kind: 'unknown' } },
        }),
      )[0];
    expect(seen([12, 8])).toMatchObject({ virtio: true, virtioModel: 'virtio' });
    expect(seen([11, 6])?.virtio).toBe(true);
    expect(seen([11, 5])).toBe(armScsi);
    expect(seen(null)).toBe(armScsi);
  });

  it("gives a virtio device the backend the user chose, and leaves the facts' own array alone without choices", () => {
    const nic = device({ kind: 'interface', function: 'net', target: '/domain/devices/interface[1]', backend: 'vhost-kernel' });
    const d = domain({ devices: [nic] });
    expect(devicesAsChosen(input({ domain: d }))).toBe(d.devices);
    const chosen = devicesAsChosen(input({ domain: d, goals: { backends: { '/domain/devices/interface[1]': 'qemu' } } }));
    expect(chosen[0]?.backend).toBe('qemu');
  });
});

describe('domainContext: the QEMU a confidential domain runs on', () => {
  const unknownVersions = { ...CAPABLE_HOST, libvirtVersion: { kind: 'unknown' as const }, qemuVersion: { kind: 'unknown' as const } };
  const judged = (secure: 'sev' | 'sev-snp' | 'tdx') =>
    evaluateAndPlan(input({ domain: domain({ devices: [device()], machine: UNVERSIONED_Q35 }), host: unknownVersions, goals: { secure } }));

  it("assumes the technology's own minimum, so SNP and TDX get QEMU's confidential default (6.0) even where QEMU is unknown", () => {
    const c = domainContext(input({ domain: domain({ machine: UNVERSIONED_Q35 }), host: unknownVersions, goals: { secure: 'sev-snp' } }));
    expect(c.qemu).toMatchObject({ kind: 'at-least', version: { major: 9, minor: 1 } });
    expect(c.confidentialDefault).toBe(true);
    for (const secure of ['sev-snp', 'tdx'] as const) {
      const r = judged(secure);
      expect(
        r.findings.filter((f) => f.target.startsWith('/domain/devices/') && f.severity !== 'info').map((f) => f.title),
        secure,
      ).toEqual([]);
      // The technology's own version requirement is still judged from what is known: nothing.
      expect(
        r.findings.map((f) => f.title),
        secure,
      ).toContainEqual(expect.stringMatching(/needs QEMU .* or later; this domain's QEMU version is not known/));
    }
  });

  it('leaves plain SEV (QEMU 2.12) to the versions as known: whether the default applies stays open', () => {
    const c = domainContext(input({ domain: domain({ machine: UNVERSIONED_Q35 }), host: unknownVersions, goals: { secure: 'sev' } }));
    expect(c.confidentialDefault).not.toBe(true);
  });
});

describe("a guest known only by its Linux kernel (--guest-kernel): VIRTIO 1.0 from the kernel's version", () => {
  const withKernel = (major: number, minor: number) => {
    const { findings, plan } = evaluateAndPlan(
      input({
        // A modern-only device: model='virtio' on a PCIe port, no iommu.
        domain: domain({ devices: [device({ slot: 'pcie', virtioModel: 'virtio', driver: { ...device().driver, iommu: 'absent' } })] }),
        guest: { osinfoId: 'unknown', name: 'unknown', family: 'linux', virtio1: 'unknown', kernelVersion: { major, minor, micro: 0 } },
      }),
    );
    return { titles: findings.filter((f) => f.rule === 'R-LNX-06').map((f) => `${f.severity}: ${f.title}`), plan };
  };

  it('before Linux 4.0 (no modern virtio-pci driver): a modern-only device is an error, and the plan makes it transitional', () => {
    const old = withKernel(3, 16);
    expect(old.titles).toEqual([
      'error: This guest (Linux 3.16.0) has only legacy virtio drivers and cannot use disk vda, which is modern-only',
    ]);
    expect(old.plan.edits).toContainEqual(expect.objectContaining({ target: '/domain/devices/disk[1]', value: 'virtio-transitional' }));
  });

  it('from 4.0 on, no such finding', () => {
    expect(withKernel(4, 0).titles).toEqual([]);
    expect(withKernel(6, 1).titles).toEqual([]);
  });
});
