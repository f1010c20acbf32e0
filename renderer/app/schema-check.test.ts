import { describe, expect, it } from 'vitest';
import { newerThanThisLibvirt, type SchemaVerdict } from './schema-check';

/** The three errors libvirt 9.0's xmllint reports for <launchSecurity type='sev-snp'> (seen with xmllint --relaxng). */
const snpOn90: SchemaVerdict = {
  available: true,
  valid: false,
  errors: [
    { line: 41, message: 'Element launchSecurity failed to validate content', target: '/domain/launchSecurity' },
    { line: 41, message: 'Extra element launchSecurity in interleave', target: '/domain/launchSecurity' },
    { line: 41, message: 'Element domain failed to validate content', target: '/domain/launchSecurity' },
  ],
};

describe('an element newer than this machine’s libvirt', () => {
  it('is named with the technology, the libvirt that introduced it (from the engine) and this one', () => {
    expect(newerThanThisLibvirt(snpOn90, 'sev-snp', '9.0.0')).toEqual({
      element: "<launchSecurity type='sev-snp'>",
      technology: 'AMD SEV-SNP',
      since: '10.5.0',
      here: '9.0.0',
    });
    expect(newerThanThisLibvirt(snpOn90, 'tdx', '11.3.0')?.since).toBe('11.6.0');
  });

  it('is not the explanation when this libvirt knows the element, or when other elements fail too', () => {
    expect(newerThanThisLibvirt(snpOn90, 'sev-snp', '10.5.0')).toBeNull();
    expect(newerThanThisLibvirt(snpOn90, 'sev', '9.0.0')).toBeNull();
    const more = {
      ...snpOn90,
      errors: [...snpOn90.errors, { line: 30, message: 'Did not expect element bogus there', target: '/domain/devices/bogus' }],
    };
    expect(newerThanThisLibvirt(more, 'sev-snp', '9.0.0')).toBeNull();
    expect(newerThanThisLibvirt(snpOn90, 'sev-snp', null)).toBeNull();
  });
});
