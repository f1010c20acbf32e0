/**
 * What QEMU checks of a TD's CPU settings: R-TDX-01/tsc-frequency (multiples of 25 MHz, 100 MHz–10 GHz) and
 * R-TDX-01/phys-bits (the host's physical address width, which <maxphysaddr> may change).
 */
import { describe, expect, it } from 'vitest';
import { parseDomainXml, readDomainFacts } from '../../domain-xml';
import { CAPABLE_HOST, input } from '../../../test/engine-facts';
import { evaluate } from '../interpreter';

const td = (timer: string, cpu = "<cpu mode='host-passthrough'/>") =>
  readDomainFacts(
    parseDomainXml(`<domain type='kvm'><name>td</name><memory unit='GiB'>4</memory><vcpu>2</vcpu>
  <os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type></os><features><acpi/></features>${cpu}
  <clock offset='utc'>${timer}</clock><launchSecurity type='tdx'/><devices><memballoon model='none'/></devices></domain>`),
  );
const tscMessages = (timer: string) =>
  evaluate(input({ domain: td(timer), host: CAPABLE_HOST }))
    .filter((f) => f.title.startsWith("A TD's TSC"))
    .flatMap((f) => f.messages ?? []);

describe('a TD with a tsc timer frequency', () => {
  it("reads the frequency in Hz and quotes QEMU's refusal in kHz, as it counts", () => {
    expect(td("<timer name='tsc' frequency='2345678900'/>").tscFrequencyHz).toBe(2_345_678_900);
    expect(tscMessages("<timer name='tsc' frequency='2345678900'/>")).toEqual(['Invalid TSC 2345678 KHz, it must be multiple of 25MHz']);
    expect(tscMessages("<timer name='tsc' frequency='50000000'/>")).toEqual([
      'Invalid TSC 50000 KHz, must specify cpu_frequency between [100000, 10000000] kHz',
    ]);
  });

  it('says nothing of a multiple of 25 MHz in range, or of no frequency', () => {
    expect(tscMessages("<timer name='tsc' frequency='2500000000'/>")).toEqual([]);
    expect(tscMessages("<timer name='tsc' present='yes'/>")).toEqual([]);
    expect(td('').tscFrequencyHz).toBe('absent');
  });

  it("reads <maxphysaddr> and warns where it gives the TD another width than the host's may be", () => {
    const physBits = (maxphysaddr: string) => {
      const d = td('', `<cpu mode='host-passthrough'>${maxphysaddr}</cpu>`);
      return [
        d.maxPhysAddr,
        evaluate(input({ domain: d, host: CAPABLE_HOST })).some((f) =>
          f.messages?.some((m) => m.startsWith('TDX requires guest CPU physical bits')),
        ),
      ];
    };
    expect(physBits("<maxphysaddr mode='emulate' bits='46'/>")).toEqual([{ mode: 'emulate', bits: 46, limit: 'absent' }, true]);
    expect(physBits("<maxphysaddr mode='passthrough' limit='39'/>")).toEqual([{ mode: 'passthrough', bits: 'absent', limit: 39 }, true]);
    expect(physBits("<maxphysaddr mode='passthrough'/>")).toEqual([{ mode: 'passthrough', bits: 'absent', limit: 'absent' }, false]);
  });
});
