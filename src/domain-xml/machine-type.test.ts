import { describe, expect, it } from 'vitest';
import { classifyMachine } from './machine-type';

describe('classifyMachine', () => {
  it('names the family of each machine type and the QEMU version a versioned one implies', () => {
    const cases: [string, string, string][] = [
      ['pc-q35-7.2', 'q35', '7.2.0'],
      ['q35', 'q35', 'unknown'],
      ['pc-i440fx-9.1', 'pc', '9.1.0'],
      ['pc-1.3', 'pc', '1.3.0'],
      ['pc', 'pc', 'unknown'],
      ['pc-i440fx', 'pc', 'unknown'],
      ['s390-ccw-virtio-8.0', 's390-ccw-virtio', '8.0.0'],
      ['s390-ccw-virtio', 's390-ccw-virtio', 'unknown'],
      ['pseries-10.0', 'pseries', '10.0.0'],
      ['virt-11.1', 'virt', '11.1.0'],
      ['virt', 'virt', 'unknown'],
      ['microvm', 'microvm', 'unknown'],
      ['pc-q35-rhel9.6.0', 'q35', 'unknown'],
      ['pc-i440fx-rhel7.6.0', 'pc', 'unknown'],
      ['virt-rhel9.6.0', 'virt', 'unknown'],
      ['isapc', 'other', 'unknown'],
    ];
    const got = cases.map(([raw]) => {
      const { family, version } = classifyMachine(raw);
      return [raw, family, version === 'unknown' ? version : `${version.major}.${version.minor}.${version.micro}`];
    });
    expect(got).toEqual(cases);
  });
});
