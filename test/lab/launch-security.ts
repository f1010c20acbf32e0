/**
 * Which `<launchSecurity type>` values a generation's libvirt knows, read from its own RelaxNG schema, and a
 * minimal TCG domain of each for the differential suite (libvirt must refuse them here: no KVM, no hardware).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SecureType } from '../../src/contracts/facts';
import { parseXml, type XmlElement } from '../../src/domain-xml';

/** The `type` values the schema's launchSecurity element accepts (e.g. sev, s390-pv; sev-snp from 10.5; tdx from 11.6). */
export function launchSecurityTypes(schemaDir: string): string[] {
  const rng = parseXml(readFileSync(path.join(schemaDir, 'domaincommon.rng'), 'utf8'), 'domaincommon.rng').root;
  const defines = new Map(rng.children('define').map((d) => [d.attr('name'), d]));
  const types = new Set<string>();
  const seen = new Set<string>();
  const walk = (el: XmlElement): void => {
    if (el.name === 'attribute' && el.attr('name') === 'type') {
      for (const value of el.children('value')) types.add(value.text().trim());
      return;
    }
    if (el.name === 'ref') {
      const name = el.attr('name') ?? '';
      const target = defines.get(name);
      if (target && !seen.has(name)) {
        seen.add(name);
        walk(target);
      }
      return;
    }
    // Another element's own type attribute (e.g. a nested element) is not launchSecurity's.
    if (el.name === 'element' && el.attr('name') !== 'launchSecurity') return;
    for (const child of el.children()) walk(child);
  };
  const root = defines.get('launchSecurity');
  if (!root) throw new Error(`${schemaDir}/domaincommon.rng has no launchSecurity definition`);
  walk(root);
  return [...types].sort();
}

/** The secure goals a generation's libvirt can express: none, PEF (no element needed), and each launchSecurity type. */
export function secureGoalsOf(types: readonly string[]): SecureType[] {
  const goals: SecureType[] = ['none', 'pef'];
  if (types.includes('sev')) goals.push('sev', 'sev-es');
  if (types.includes('sev-snp')) goals.push('sev-snp');
  if (types.includes('tdx')) goals.push('tdx');
  if (types.includes('s390-pv')) goals.push('s390-pv');
  return goals;
}

/** The launchSecurity element of each type with what its schema requires (a policy for the x86 ones). */
const ELEMENTS: Readonly<Record<string, string>> = {
  sev: "<launchSecurity type='sev'><policy>0x0033</policy></launchSecurity>",
  'sev-snp': "<launchSecurity type='sev-snp'><policy>0x00030000</policy></launchSecurity>",
  tdx: "<launchSecurity type='tdx'><policy>0x10000000</policy></launchSecurity>",
  's390-pv': "<launchSecurity type='s390-pv'/>",
};

/** A minimal TCG domain with `<launchSecurity type>` on its platform (s390x for s390-pv, q35 x86_64 otherwise). */
export function launchSecurityXml(name: string, type: string): { xml: string; arch: string; machine: string } {
  const element = ELEMENTS[type];
  if (!element) throw new Error(`no test domain for launchSecurity type '${type}'`);
  const [arch, machine] = type === 's390-pv' ? ['s390x', 's390-ccw-virtio'] : ['x86_64', 'q35'];
  const xml = [
    "<domain type='qemu'>",
    `  <name>${name}</name>`,
    "  <memory unit='MiB'>256</memory>",
    '  <vcpu>1</vcpu>',
    '  <os>',
    `    <type arch='${arch}' machine='${machine}'>hvm</type>`,
    '  </os>',
    '  <devices>',
    "    <memballoon model='none'/>",
    '  </devices>',
    `  ${element}`,
    '</domain>',
    '',
  ].join('\n');
  return { xml, arch, machine };
}
