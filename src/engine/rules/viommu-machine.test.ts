/** R-VIOMMU-01/machine on `virt` machines: libvirt's "ARM Virt" is aarch64's and armv7l's, not RISC-V's. */
import { describe, expect, it } from 'vitest';
import { NO_VIOMMU, type Arch, type ViommuModel } from '../../contracts/facts';
import { domain, input } from '../../../test/engine-facts';
import { evaluate } from '../interpreter';

const onVirt = (arch: Arch, model: ViommuModel) =>
  evaluate(
    input({
      domain: domain({
        arch,
        machine: { raw: 'virt', family: 'virt', version: 'unknown' },
        viommu: { ...NO_VIOMMU, model, target: '/domain/devices/iommu[1]' },
      }),
    }),
  ).find((f) => f.rule === 'R-VIOMMU-01' && /is not available on machine/.test(f.title))?.messages ?? [];

describe('R-VIOMMU-01/machine on virt machines', () => {
  it("refuses virtio-iommu and smmuv3 on RISC-V's virt, in libvirt's words (seen on 9.0 by QA helper-32), and takes them on Arm's", () => {
    expect(onVirt('riscv64', 'virtio')).toEqual(["IOMMU device: 'virtio' is only supported with Q35 and ARM Virt machines"]);
    expect(onVirt('riscv64', 'smmuv3')).toEqual(["IOMMU device: 'smmuv3' is only supported with ARM Virt machines"]);
    expect(onVirt('aarch64', 'virtio')).toEqual([]);
    expect(onVirt('aarch64', 'smmuv3')).toEqual([]);
  });
});
