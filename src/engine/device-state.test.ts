import { describe, expect, it } from 'vitest';
import { NO_VIOMMU } from '../contracts/facts';
import { CAPABLE_HOST, device, domain, exact, input } from '../../test/engine-facts';
import { deviceStates } from './device-state';

const q35Root = device({ slot: 'pcie-root' });

describe('deviceStates', () => {
  it('offers a model choice for a 9p share on PCI, not for a virtiofs one, which libvirt refuses any model on', () => {
    const fs = (fsDriver: string) =>
      device({ kind: 'filesystem', function: 'fs', fsDriver, target: '/domain/devices/filesystem[1]', transport: 'pci' });
    const states = deviceStates(input({ domain: domain({ devices: [fs('path'), { ...fs('virtiofs'), backend: 'vhost-user' }] }) }));
    expect(states.map((s) => s.modelChoice)).toEqual([true, false]);
  });
  it('explains why model virtio on the q35 root bus keeps its legacy interface in an ordinary VM', () => {
    const [s] = deviceStates(input({ domain: domain({ devices: [q35Root] }) }));
    expect(s).toMatchObject({ legacy: 'yes', accessPlatform: 'no', bounces: 'no' });
    expect(s?.legacyBecause).toMatch(/PCI Express root bus/);
  });
  it("makes the same device modern, with the bit on and bouncing, once QEMU's confidential default applies", () => {
    const [s] = deviceStates(input({ domain: domain({ devices: [q35Root] }), host: CAPABLE_HOST, goals: { secure: 'sev' } }));
    expect(s).toMatchObject({ legacy: 'no', accessPlatform: 'yes', bounces: 'yes' });
    expect(s?.accessPlatformBecause).toMatch(/QEMU 6\.0 and later turn it on by default/);
  });
  it('says unknown, naming the fact, when the QEMU version decides', () => {
    const host = { ...CAPABLE_HOST, libvirtVersion: exact(10, 0), qemuVersion: { kind: 'unknown' as const } };
    const d = domain({ machine: { raw: 'q35', family: 'q35', version: 'unknown' }, devices: [device()] });
    const [s] = deviceStates(input({ domain: d, host, goals: { secure: 'sev' } }));
    expect(s?.accessPlatform).toBe('unknown');
    expect(s?.accessPlatformBecause).toMatch(/the QEMU version/);
  });
  it('marks vhost behind a vIOMMU as using a device IOTLB, and not without one on QEMU >= 6.2', () => {
    const nic = device({ kind: 'interface', function: 'net', backend: 'vhost-kernel', driver: { iommu: 'on' } });
    const intel = { ...NO_VIOMMU, model: 'intel' as const, target: '/domain/devices/iommu[1]' };
    expect(deviceStates(input({ domain: domain({ devices: [nic], viommu: intel }), host: CAPABLE_HOST }))[0]?.deviceIotlb).toBe('yes');
    expect(deviceStates(input({ domain: domain({ devices: [nic] }), host: CAPABLE_HOST }))[0]?.deviceIotlb).toBe('no');
    const old = { ...CAPABLE_HOST, libvirtVersion: exact(8, 0), qemuVersion: exact(6, 0) };
    const oldMachine = { raw: 'pc-q35-6.0', family: 'q35' as const, version: { major: 6, minor: 0, micro: 0 } };
    expect(deviceStates(input({ domain: domain({ devices: [nic], machine: oldMachine }), host: old }))[0]?.deviceIotlb).toBe('yes');
  });
  it('says the balloon never takes the bit, and lists the backends libvirt offers per device', () => {
    const balloon = device({ kind: 'memballoon', function: 'balloon', target: '/domain/devices/memballoon[1]' });
    const nic = device({ kind: 'interface', function: 'net', target: '/domain/devices/interface[1]' });
    const [b, n] = deviceStates(input({ domain: domain({ devices: [balloon, nic] }), goals: { secure: 'sev' }, host: CAPABLE_HOST }));
    expect(b).toMatchObject({ accessPlatform: 'no', accessPlatformBecause: expect.stringMatching(/balloon driver never accepts/) });
    expect(n?.backends).toEqual(['qemu', 'vhost-kernel', 'vhost-user', 'vdpa']);
  });
});
