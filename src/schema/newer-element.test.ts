import { describe, expect, it } from 'vitest';
import { errorsOnlyInLaunchSecurity, mayBeNewerThanSchema, newerElementWords, newerThanSchema } from './newer-element';
import type { SchemaError } from './xmllint-output';

const v = (major: number, minor: number) => ({ major, minor, micro: 0 });
const at = (target: string): SchemaError => ({ line: 9, element: 'launchSecurity', message: 'Extra element', target });

describe('an element newer than the schema libvirt', () => {
  it('is named with both versions when every error lies inside that <launchSecurity> and the schema predates it', () => {
    const n = newerThanSchema([at('/domain/launchSecurity'), at('/domain/launchSecurity/policy')], 'sev-snp', v(9, 0));
    expect(n).toEqual({ element: "<launchSecurity type='sev-snp'>", technology: 'AMD SEV-SNP', since: '10.5.0', here: '9.0.0' });
    expect(newerElementWords(n!)).toMatch(/newer than this machine's libvirt 9\.0\.0: libvirt learned it in 10\.5\.0/);
  });
  it('is not claimed when another element has an error, the schema is new enough, or nothing is known', () => {
    expect(newerThanSchema([at('/domain/launchSecurity'), at('/domain/devices/disk[1]')], 'sev-snp', v(9, 0))).toBeNull();
    expect(newerThanSchema([at('/domain/launchSecurity')], 'sev-snp', v(10, 5))).toBeNull();
    expect(newerThanSchema([at('/domain/launchSecurity')], 'sev-snp', null)).toBeNull();
    expect(newerThanSchema([at('/domain/launchSecurity')], 'sev', v(9, 0))).toBeNull();
    expect(newerThanSchema([], 'tdx', v(9, 0))).toBeNull();
  });
  it('asks for the schema libvirt only when every error lies inside the <launchSecurity> of a technology with a first release', () => {
    expect(errorsOnlyInLaunchSecurity([at('/domain/launchSecurity'), at('/domain/launchSecurity/policy')], 'tdx')).toBe(true);
    expect(errorsOnlyInLaunchSecurity([at('/domain/launchSecurity'), at('/domain/devices/disk[1]')], 'tdx')).toBe(false);
    expect(errorsOnlyInLaunchSecurity([at('/domain/launchSecurityX')], 'sev-snp')).toBe(false);
    expect(errorsOnlyInLaunchSecurity([], 'sev-snp')).toBe(false);
    expect(errorsOnlyInLaunchSecurity([at('/domain/launchSecurity')], 'none')).toBe(false);
  });
  it('may be newer than a schema before xmllint answers only for a <launchSecurity> element with a first release', () => {
    expect(mayBeNewerThanSchema('sev-snp')).toBe(true);
    expect(mayBeNewerThanSchema('tdx')).toBe(true);
    expect(mayBeNewerThanSchema('s390-pv')).toBe(true);
    // PEF and CCA have no element here; 'none' is no technology.
    expect(mayBeNewerThanSchema('pef')).toBe(false);
    expect(mayBeNewerThanSchema('cca')).toBe(false);
    expect(mayBeNewerThanSchema('none')).toBe(false);
  });
});
