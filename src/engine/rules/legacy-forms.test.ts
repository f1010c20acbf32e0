/**
 * Which device types keep a legacy interface where model='virtio' is transitional, so that iommu='on' makes QEMU
 * refuse them (R-XML-05): 9p always (virtio_legacy_allowed), vsock only on machine types up to 5.0, whose
 * x-disable-legacy-check keeps vhost-vsock-pci from forcing virtio 1 (hw/virtio/vhost-vsock-pci.c). 9p is also
 * seen on real QEMU: test/lab/ninep-legacy.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceFacts } from '../../contracts/facts';
import { device, domain, input } from '../../../test/engine-facts';
import { evaluate } from '../interpreter';

const onRootBus = (p: Partial<DeviceFacts>, machine = 'pc-q35-7.2') => {
  const [major, minor] = machine.replace('pc-q35-', '').split('.').map(Number);
  const d = device({ slot: 'pcie-root', virtioModel: 'virtio', driver: { ...device().driver, iommu: 'on' }, ...p });
  const findings = evaluate(
    input({
      domain: domain({ devices: [d], machine: { raw: machine, family: 'q35', version: { major: major!, minor: minor!, micro: 0 } } }),
    }),
  );
  return findings.filter((f) => f.rule === 'R-XML-05' && f.severity === 'error').map((f) => f.target);
};

describe('legacy forms of device types (R-XML-05)', () => {
  it('a 9p share keeps a legacy interface on the q35 root bus; virtiofs (vhost-user-fs-pci) is modern-only', () => {
    const fs = { kind: 'filesystem' as const, function: 'fs' as const, target: '/domain/devices/filesystem[1]' };
    expect(onRootBus({ ...fs, fsDriver: 'path' })).toEqual(['/domain/devices/filesystem[1]']);
    expect(onRootBus({ ...fs, fsDriver: 'virtiofs', backend: 'vhost-user' })).toEqual([]);
  });

  it('vsock keeps one only on machine types up to 5.0', () => {
    const vsock = {
      kind: 'vsock' as const,
      function: 'vsock' as const,
      target: '/domain/devices/vsock[1]',
      backend: 'vhost-kernel' as const,
    };
    expect(onRootBus(vsock, 'pc-q35-5.0')).toEqual(['/domain/devices/vsock[1]']);
    expect(onRootBus(vsock, 'pc-q35-5.1')).toEqual([]);
  });
});
