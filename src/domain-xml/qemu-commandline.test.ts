import { describe, expect, it } from 'vitest';
import { parseDomainXml } from './domain-document';
import { readDomainFacts } from './read-domain-facts';
import { commandlineConfidentialObject, parseOptions } from './qemu-commandline';

const QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0';

const domainWith = (args: readonly string[], opts: { prefix?: string; uri?: string; launchSecurity?: string } = {}) => {
  const prefix = opts.prefix ?? 'qemu';
  const argXml = args.map((a) => `<${prefix}:arg value='${a}'/>`).join('');
  return readDomainFacts(
    parseDomainXml(
      `<domain type='kvm' xmlns:${prefix}='${opts.uri ?? QEMU_NS}'><name>d</name><os><type arch='x86_64' machine='q35'>hvm</type></os>${opts.launchSecurity ?? ''}<${prefix}:commandline>${argXml}</${prefix}:commandline></domain>`,
    ),
  ).launchSecurity;
};

describe("QEMU's option syntax", () => {
  it('splits key=value pairs at commas, reads ",," as a comma and the first bare item as the implied key', () => {
    expect(Object.fromEntries(parseOptions('sev-guest,id=s0,policy=0x5,sev-device=/dev/a,,b', 'qom-type'))).toEqual({
      'qom-type': 'sev-guest',
      id: 's0',
      policy: '0x5',
      'sev-device': '/dev/a,b',
    });
  });

  it('reads a JSON -object argument, and nothing of malformed JSON', () => {
    expect(Object.fromEntries(parseOptions('{"qom-type":"sev-snp-guest","id":"s0","cbitpos":51}', 'qom-type'))).toEqual({
      'qom-type': 'sev-snp-guest',
      id: 's0',
      cbitpos: '51',
    });
    expect(parseOptions('{"qom-type":', 'qom-type').size).toBe(0);
  });
});

describe('the confidential object in <qemu:commandline>', () => {
  it('is linked by a -machine confidential-guest-support naming its id, and gives the type', () => {
    const ls = domainWith([
      '-object',
      'sev-snp-guest,id=sev0,cbitpos=51,reduced-phys-bits=1',
      '-machine',
      'confidential-guest-support=sev0',
    ]);
    expect(ls).toMatchObject({ type: 'sev-snp', present: false });
    expect(ls.commandline).toEqual({
      qomType: 'sev-snp-guest',
      id: 'sev0',
      linked: true,
      properties: { cbitpos: '51', 'reduced-phys-bits': '1' },
    });
  });

  it('takes the older memory-encryption link, -M, and the last -machine value as QEMU merges them', () => {
    expect(domainWith(['-M', 'q35,memory-encryption=s0', '-object', 'sev-guest,id=s0']).type).toBe('sev');
    const relinked = ['-object', 'tdx-guest,id=a', '-machine', 'confidential-guest-support=a', '-machine', 'confidential-guest-support=b'];
    expect(domainWith(relinked)).toMatchObject({ type: 'none', commandline: { id: 'a', linked: false } });
  });

  it('reads sev-guest as SEV-ES when its policy sets bit 2, in hex, octal or decimal', () => {
    const link = ['-machine', 'confidential-guest-support=s0'];
    expect(domainWith(['-object', 'sev-guest,id=s0,policy=0x5', ...link]).type).toBe('sev-es');
    expect(domainWith(['-object', 'sev-guest,id=s0,policy=05', ...link]).type).toBe('sev-es');
    expect(domainWith(['-object', 'sev-guest,id=s0,policy=4', ...link]).type).toBe('sev-es');
    expect(domainWith(['-object', 'sev-guest,id=s0,policy=3', ...link]).type).toBe('sev');
    expect(domainWith(['-object', 'sev-guest,id=s0', ...link]).type).toBe('sev');
  });

  it('counts an object no -machine links, but the guest stays ordinary', () => {
    expect(domainWith(['-object', 'pef-guest,id=pef0'])).toMatchObject({
      type: 'none',
      commandline: { qomType: 'pef-guest', linked: false },
    });
  });

  it('follows the namespace, not the prefix: any prefix bound to the QEMU namespace counts, another namespace does not', () => {
    const args = ['-object', 's390-pv-guest,id=pv0', '-machine', 'confidential-guest-support=pv0'];
    expect(domainWith(args, { prefix: 'q' }).type).toBe('s390-pv');
    expect(domainWith(args, { uri: 'http://example.org/not-qemu' }).commandline).toBeNull();
  });

  it('leaves the type to <launchSecurity> when the element is there', () => {
    const ls = domainWith(['-object', 'tdx-guest,id=t', '-machine', 'confidential-guest-support=t'], {
      launchSecurity: "<launchSecurity type='sev-snp'><policy>0x30000</policy></launchSecurity>",
    });
    expect(ls).toMatchObject({ type: 'sev-snp', present: true, commandline: { qomType: 'tdx-guest', linked: true } });
  });

  it('ignores objects that are not confidential-guest-support types and arguments without a value', () => {
    expect(commandlineConfidentialObject(['-object', 'memory-backend-ram,id=m0,size=1G', '-object'])).toBeNull();
  });
});
