/**
 * A q35 domain with a given number of virtio devices (disks, NICs, RNGs, consoles, a balloon), built as text
 * so the engine and XML benchmarks measure the same document a user with a large guest would load.
 */
export function bigDomainXml(deviceCount: number): string {
  const devices: string[] = [];
  for (let i = 0; devices.length < deviceCount - 1; i++) {
    const kind = i % 4;
    if (kind === 0 || kind === 1) {
      const dev = `vd${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26)}`;
      devices.push(`    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/disk${i}.qcow2'/>
      <target dev='${dev}' bus='virtio'/>
    </disk>`);
    } else if (kind === 2) {
      devices.push(`    <interface type='network'>
      <mac address='52:54:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>`);
    } else {
      devices.push(`    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>`);
    }
  }
  devices.push(`    <memballoon model='virtio'/>`);
  return `<domain type='kvm'>
  <name>big-${deviceCount}</name>
  <memory unit='KiB'>8388608</memory>
  <vcpu>8</vcpu>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
${devices.join('\n')}
  </devices>
</domain>
`;
}
