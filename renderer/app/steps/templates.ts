/** New domains from a template: arch + machine + a virtio disk + a virtio NIC, as libvirt would accept them. */
export interface TemplateChoice {
  readonly arch: 'x86_64' | 's390x' | 'aarch64' | 'ppc64le';
  readonly machine: string;
  readonly disk: boolean;
  readonly nic: boolean;
}

export const TEMPLATE_MACHINES: Record<TemplateChoice['arch'], readonly string[]> = {
  x86_64: ['q35', 'pc'],
  s390x: ['s390-ccw-virtio'],
  aarch64: ['virt'],
  ppc64le: ['pseries'],
};

export function templateXml(t: TemplateChoice): string {
  const efi = t.arch === 'x86_64' && t.machine === 'q35' ? " firmware='efi'" : '';
  const devices = [
    t.disk
      ? `    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n      <source file='/var/lib/libvirt/images/new-guest.qcow2'/>\n      <target dev='vda' bus='virtio'/>\n    </disk>`
      : '',
    t.nic ? `    <interface type='network'>\n      <source network='default'/>\n      <model type='virtio'/>\n    </interface>` : '',
  ].filter(Boolean);
  return `<domain type='kvm'>
  <name>new-guest</name>
  <memory unit='GiB'>4</memory>
  <vcpu>2</vcpu>
  <os${efi}>
    <type arch='${t.arch}' machine='${t.machine}'>hvm</type>
  </os>
  <devices>
${devices.join('\n')}
  </devices>
</domain>
`;
}
