/** R-VIOMMU-01/amd-passthrough by QEMU release: amd-iommu has pt in QEMU 10.0 (from x86-iommu), not in 11.1. */
import { describe, expect, it } from 'vitest';
import { NO_VIOMMU, type VersionFact } from '../../contracts/facts';
import { CAPABLE_HOST, domain, exact, input } from '../../../test/engine-facts';
import { evaluate } from '../interpreter';

const amdPassthrough = (qemuVersion: VersionFact) =>
  evaluate(
    input({
      domain: domain({ viommu: { ...NO_VIOMMU, model: 'amd', target: '/domain/devices/iommu[1]', passthrough: 'on' } }),
      host: { ...CAPABLE_HOST, qemuVersion },
    }),
  ).find((f) => f.rule === 'R-VIOMMU-01' && f.title.includes('passthrough'))?.severity ?? 'none';

describe('R-VIOMMU-01/amd-passthrough', () => {
  it('is silent where amd-iommu has pt (QEMU 10.0), an error where it has none (11.1), a warning between, after and when unknown', () => {
    expect([exact(9, 2), exact(10, 0), exact(10, 2), exact(11, 1), exact(11, 2), { kind: 'unknown' } as const].map(amdPassthrough)).toEqual(
      ['none', 'none', 'warning', 'error', 'warning', 'warning'],
    );
  });
});
