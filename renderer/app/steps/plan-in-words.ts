/**
 * The plan as Review leads with it: per device, what changes (each edit in words) and why (the findings the
 * plan fixes); and the findings left, with repeated notes (one rule, several devices) told once.
 */
import type { DomainFacts } from '../../../src/contracts/facts';
import type { Edit, Finding, Plan } from '../../../src/contracts/findings';

export interface DeviceChanges {
  readonly target: string;
  readonly label: string;
  readonly changes: readonly string[];
  /** The findings these changes fix. */
  readonly because: readonly Finding[];
}

/** `<driver>` from `/domain/devices/disk[1]/driver`, `<disk>` from `/domain/devices/disk[1]`. */
function elementName(path: string): string {
  const last = path.split('/').filter(Boolean).pop() ?? 'domain';
  return `<${last.replace(/\[\d+\]$/, '')}>`;
}

/** The start tag of a serialised element, e.g. `<launchSecurity type='sev'>`. */
function startTag(xml: string): string {
  const m = /^<[^>]*>/.exec(xml.trim());
  return m ? m[0].replace(/\/>$/, '>') : xml;
}

export function editInWords(e: Edit): string {
  switch (e.op) {
    case 'set-attribute':
      return `sets ${e.name}='${e.value}' on ${elementName(e.target)}`;
    case 'remove-attribute':
      return `removes ${e.name} from ${elementName(e.target)}`;
    case 'add-element':
      return `${e.replace ? 'writes' : 'adds'} ${startTag(e.xml)}${e.parent === '/domain' ? '' : ` in ${elementName(e.parent)}`}`;
    case 'remove-element':
      return `removes ${elementName(e.target)}`;
    case 'set-text':
      return `sets ${elementName(e.target)} to ${e.text}`;
  }
}

function editTarget(e: Edit): string {
  return e.op === 'add-element' ? e.parent : e.target;
}

/** The device (or the domain) an XPath belongs to: the longest device target it starts with. */
function ownerOf(path: string, facts: DomainFacts): { target: string; label: string } {
  let best: { target: string; label: string } = { target: '/domain', label: 'Domain' };
  for (const d of facts.devices)
    if ((path === d.target || path.startsWith(`${d.target}/`)) && d.target.length > best.target.length)
      best = { target: d.target, label: d.label };
  return best;
}

const same = (a: Edit, b: Edit) => JSON.stringify(a) === JSON.stringify(b);

/** The plan's edits grouped by device, each with the findings whose fix it is. */
export function planInWords(plan: Plan, findings: readonly Finding[], facts: DomainFacts): DeviceChanges[] {
  const groups = new Map<string, { label: string; changes: string[]; because: Finding[] }>();
  for (const e of plan.edits) {
    const owner = ownerOf(editTarget(e), facts);
    const g = groups.get(owner.target) ?? { label: owner.label, changes: [], because: [] };
    g.changes.push(editInWords(e));
    for (const f of findings) if (f.fix.edits.some((x) => same(x, e)) && !g.because.includes(f)) g.because.push(f);
    groups.set(owner.target, g);
  }
  return [...groups].map(([target, g]) => ({ target, ...g }));
}

const findingKey = (f: Finding) => `${f.rule}\u0000${f.target}`;

/** Findings the domain has now that the planned XML no longer has: the plan fixes them. */
export function fixedByPlan(now: readonly Finding[], after: readonly Finding[]): Finding[] {
  const left = new Set(after.map(findingKey));
  return now.filter((f) => !left.has(findingKey(f)));
}

export interface NoteGroup {
  readonly first: Finding;
  /** Every finding of the group (same rule, severity and words apart from the device), one per device. */
  readonly all: readonly Finding[];
  /** The title without a device's name in front, when the group has several devices. */
  readonly title: string;
}

const ORDER = { error: 0, warning: 1, info: 2 } as const;

/** A finding's title without the "disk vda: " its device's label puts in front. */
function titleWithoutDevice(f: Finding, labels: ReadonlyMap<string, string>): string {
  const label = labels.get(f.target);
  if (!label || !f.title.startsWith(`${label}: `)) return f.title;
  const rest = f.title.slice(label.length + 2);
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

/** Findings told once per note: the same rule saying the same on several devices becomes one group; most severe first. */
export function groupRepeated(findings: readonly Finding[], labels: ReadonlyMap<string, string>): NoteGroup[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const k = `${f.rule}\u0000${f.severity}\u0000${titleWithoutDevice(f, labels)}`;
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  return [...groups.values()]
    .map((all) => ({ first: all[0]!, all, title: all.length > 1 ? titleWithoutDevice(all[0]!, labels) : all[0]!.title }))
    .sort((a, b) => ORDER[a.first.severity] - ORDER[b.first.severity]);
}
