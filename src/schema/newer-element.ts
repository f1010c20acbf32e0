/**
 * A confidential guest planned on an older workstation for a newer host: libvirt 9.0's schema refuses
 * <launchSecurity type='sev-snp'> (libvirt learned it in 10.5) and <launchSecurity type='tdx'> (11.4), though
 * the document is right for the host that will run it. When every schema error lies inside such an element,
 * the errors say "this schema is too old", not "this XML is wrong"; the app and the CLI say so in the same words.
 */
import type { SecureType, Version } from '../contracts/facts';
import { compareVersions, formatVersion } from '../contracts/version';
import { technology } from '../engine/technologies';
import type { SchemaError } from './xmllint-output';

export interface NewerElement {
  /** The element as written, e.g. `<launchSecurity type='sev-snp'>`. */
  readonly element: string;
  readonly technology: string;
  /** The libvirt release that introduced it, and the release whose schema refused it. */
  readonly since: string;
  readonly here: string;
}

/**
 * The element newer than the schema's libvirt (`schemaLibvirt`), when every error is inside the `<launchSecurity>`
 * of `type` and that libvirt predates the technology's; null when any error lies elsewhere or nothing is known.
 */
export function newerThanSchema(
  errors: readonly Pick<SchemaError, 'target'>[],
  type: SecureType,
  schemaLibvirt: Version | null,
): NewerElement | null {
  if (schemaLibvirt === null || !errorsOnlyInLaunchSecurity(errors, type)) return null;
  const t = technology(type);
  if (!t.element || !t.libvirt || compareVersions(schemaLibvirt, t.libvirt) >= 0) return null;
  return {
    element: `<launchSecurity type='${t.element}'>`,
    technology: t.name,
    since: formatVersion(t.libvirt),
    here: formatVersion(schemaLibvirt),
  };
}

/**
 * Whether the errors could mean "newer than this schema": there are some, all inside the `<launchSecurity>` of a
 * technology libvirt learned at a known release. Only then is this machine's libvirt version worth asking.
 */
export function errorsOnlyInLaunchSecurity(errors: readonly Pick<SchemaError, 'target'>[], type: SecureType): boolean {
  const inside = (e: Pick<SchemaError, 'target'>) =>
    e.target === '/domain/launchSecurity' || e.target.startsWith('/domain/launchSecurity/');
  return errors.length > 0 && mayBeNewerThanSchema(type) && errors.every(inside);
}

/**
 * Whether a document whose `<launchSecurity>` is of `type` could be newer than some schema: its element came in a
 * known libvirt release. Known before xmllint has answered, so a caller can ask this machine's libvirt version
 * beside xmllint instead of after it.
 */
export function mayBeNewerThanSchema(type: SecureType): boolean {
  const t = technology(type);
  return Boolean(t.element && t.libvirt);
}

/** What the schema errors mean, in words shared by the app and the CLI. */
export function newerElementWords(n: NewerElement): string {
  return (
    `${n.element} (${n.technology}) is newer than this machine's libvirt ${n.here}: libvirt learned it in ${n.since}, ` +
    `so the schema here cannot validate it, and everything else in the document validates. ` +
    `Validate it where it will run (libvirt ${n.since} or later): \`virsh define --validate FILE\` on that host.`
  );
}
