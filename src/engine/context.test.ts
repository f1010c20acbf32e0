/** devicesAsChosen: the devices as the rules see them — as libvirt defines them, with the user's backend choices. */
import { describe, expect, it } from 'vitest';
import { CAPABLE_HOST, device, domain, exact, input } from '../../test/engine-facts';
import { devicesAsChosen } from './context';

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
