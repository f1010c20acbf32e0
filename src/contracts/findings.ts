/**
 * The engine's outputs: findings and a plan of XML edits (design.md, "The engine").
 * The same shapes appear in `virtio-access check --json`, so they are part of the CLI contract.
 */

export type Severity = 'error' | 'warning' | 'info';

/**
 * One change to a domain document. Targets are absolute XPaths with 1-based indexes
 * (`/domain/devices/disk[2]/driver`).
 *
 * - `set-attribute` creates the target element (and missing ancestors) when it is absent, placing each new
 *   element where libvirt's own output puts it; an added attribute is appended after existing ones.
 * - `add-element` inserts a serialised element (`xml`, one element, single quotes like libvirt) as a child of
 *   `parent`, at libvirt's position for that element name, indented like its siblings. When an element with
 *   the same name already exists under `parent` and `replace` is true, that element is replaced instead.
 */
export type Edit =
  | { readonly op: 'set-attribute'; readonly target: string; readonly name: string; readonly value: string }
  | { readonly op: 'remove-attribute'; readonly target: string; readonly name: string }
  | { readonly op: 'add-element'; readonly parent: string; readonly xml: string; readonly replace?: boolean }
  | { readonly op: 'remove-element'; readonly target: string }
  | { readonly op: 'set-text'; readonly target: string; readonly text: string };

export interface Source {
  /** Key from domain-facts.md §0.2 (LV-FMT, QEMU-VPCI, ...) or a short name. */
  readonly key: string;
  /** What in that source: file, function, section, commit. */
  readonly detail: string;
  /** A public URL when one exists. */
  readonly url?: string;
}

export interface Fix {
  /** What to do, in plain words. */
  readonly text: string;
  /** The edits that do it (empty when there is nothing to edit in the XML, e.g. a host setting). */
  readonly edits: readonly Edit[];
}

export interface Finding {
  /** Fact-sheet rule id, e.g. `R-XML-05`, or `SCHEMA` for schema validation. */
  readonly rule: string;
  readonly severity: Severity;
  /** Absolute XPath of the element concerned, e.g. `/domain/devices/disk[2]` or `/domain`. */
  readonly target: string;
  readonly title: string;
  /** What happens, why, and what the user will see (exact messages included). */
  readonly explanation: string;
  /** Fix text plus edits. In `check --json` this is serialised as the object itself. */
  readonly fix: Fix;
  readonly sources: readonly Source[];
  /** Exact guest/QEMU/libvirt messages the user would see if this stays wrong. */
  readonly messages?: readonly string[];
  /** Facts that would decide a warning that depends on something unknown. */
  readonly unknowns?: readonly string[];
}

export interface Plan {
  readonly edits: readonly Edit[];
  /** Set when the goal cannot be reached; the findings say why. */
  readonly impossible: readonly Finding[];
}
