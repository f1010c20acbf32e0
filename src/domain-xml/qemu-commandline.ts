/**
 * A confidential-guest-support object handed to QEMU through libvirt's `<qemu:commandline>` instead of
 * `<launchSecurity>`: the only way for POWER PEF (no libvirt element), and what guides did for SEV-SNP and TDX
 * before libvirt knew them. libvirt passes the arguments on unread (qemu_command.c appends them last), so QEMU,
 * not libvirt, decides: the object counts only when a `-machine` argument links it (QEMU hw/core/machine.c
 * `confidential-guest-support`, or the older `memory-encryption` alias).
 */
import type { CommandlineConfidentialObject } from '../contracts/facts';
import { namespaceOf } from './xml-namespaces';
import type { XmlElement } from './xml-tree';

/** libvirt's QEMU namespace (docs/drvqemu: "Pass-through of arbitrary qemu commands"); any prefix may stand for it. */
export const QEMU_NAMESPACE = 'http://libvirt.org/schemas/domain/qemu/1.0';

/** QEMU's confidential-guest-support object types (target/i386/sev.c, tdx.c; hw/s390x/pv.c; hw/ppc/pef.c). */
const CONFIDENTIAL_QOM_TYPES: ReadonlySet<string> = new Set(['sev-guest', 'sev-snp-guest', 'tdx-guest', 's390-pv-guest', 'pef-guest']);

const inQemuNamespace = (el: XmlElement, local: string): boolean => el.localName === local && namespaceOf(el) === QEMU_NAMESPACE;

/** Every `<qemu:arg value>` of the domain's `<qemu:commandline>` elements, in order. */
export function commandlineArgs(domain: XmlElement): string[] {
  const args: string[] = [];
  // Every domain's children pass here and hardly any is a command line: its name is tested before its namespace.
  const nodes = domain.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const cl = nodes[i]!;
    if (cl.kind !== 'element' || !cl.name.endsWith('commandline') || !inQemuNamespace(cl, 'commandline')) continue;
    for (const arg of cl.children()) {
      const value = arg.attr('value');
      if (value !== undefined && inQemuNamespace(arg, 'arg')) args.push(value);
    }
  }
  return args;
}

/**
 * QEMU's option syntax as `-object` and `-machine` take it (util/qemu-option.c, util/keyval.c): `key=value` pairs
 * split at commas, `,,` standing for a comma, a first item without `=` being the implied key (`qom-type` for
 * `-object`, `type` for `-machine`); or, for `-object`, one JSON object (qom/object_interfaces.c).
 */
export function parseOptions(text: string, impliedKey: string): Map<string, string> {
  const out = new Map<string, string>();
  if (text.trimStart().startsWith('{')) {
    try {
      const json: unknown = JSON.parse(text);
      if (json !== null && typeof json === 'object' && !Array.isArray(json))
        for (const [k, v] of Object.entries(json)) if (v !== null && typeof v !== 'object') out.set(k, String(v));
    } catch {
      // QEMU refuses such an argument; nothing of it counts.
    }
    return out;
  }
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ',' && text[i + 1] === ',') {
      current += ',';
      i++;
    } else if (ch === ',') {
      items.push(current);
      current = '';
    } else current += ch;
  }
  items.push(current);
  items.forEach((item, i) => {
    const eq = item.indexOf('=');
    if (eq === -1) {
      if (i === 0 && item !== '') out.set(impliedKey, item);
    } else out.set(item.slice(0, eq), item.slice(eq + 1));
  });
  return out;
}

const OBJECT_OPTIONS = new Set(['-object', '--object']);
const MACHINE_OPTIONS = new Set(['-machine', '--machine', '-M']);

/**
 * The confidential object the arguments give QEMU: the one a `-machine` argument links (a later `-machine` value
 * overrides an earlier, as QEMU merges them), else the first one defined, unlinked; null without one.
 */
export function commandlineConfidentialObject(args: readonly string[]): CommandlineConfidentialObject | null {
  const objects: CommandlineConfidentialObject[] = [];
  let link: string | undefined;
  for (let i = 0; i + 1 < args.length; i++) {
    const option = args[i]!;
    if (OBJECT_OPTIONS.has(option)) {
      const props = parseOptions(args[i + 1]!, 'qom-type');
      const qomType = props.get('qom-type');
      if (qomType !== undefined && CONFIDENTIAL_QOM_TYPES.has(qomType)) {
        props.delete('qom-type');
        const id = props.get('id') ?? '';
        props.delete('id');
        objects.push({ qomType, id, linked: false, properties: Object.fromEntries(props) });
      }
    } else if (MACHINE_OPTIONS.has(option)) {
      const props = parseOptions(args[i + 1]!, 'type');
      link = props.get('confidential-guest-support') ?? props.get('memory-encryption') ?? link;
    }
  }
  const linked = objects.find((o) => o.id !== '' && o.id === link);
  if (linked) return { ...linked, linked: true };
  return objects[0] ?? null;
}
