/**
 * The shape of a rule record and of the facts it is evaluated against. Rules are data: an id from the fact
 * sheet, the conditions under which they apply, a consequence, words, a fix and sources. One interpreter
 * (interpreter.ts) evaluates them all.
 */
import type { EngineInput } from '../contracts/engine';
import type { DeviceFacts, SecureType, VersionFact } from '../contracts/facts';
import type { Edit, Severity, Source } from '../contracts/findings';

/** A condition's answer: holds, does not hold, or cannot be decided because the named facts are unknown. */
export type Verdict = boolean | { readonly unknown: readonly string[] };

/** Everything a domain-level rule can look at, derived once per evaluation (context.ts). */
export interface DomainContext {
  readonly input: EngineInput;
  /** The confidential VM type the domain is (or, with a goal, is to become). */
  readonly cvm: SecureType;
  /** Host QEMU version combined with the lower bound a versioned machine type implies. */
  readonly qemu: VersionFact;
  readonly libvirt: VersionFact;
  /** Whether QEMU's confidential-guest default (R-QEMU-01) turns iommu_platform/disable-legacy on. */
  readonly confidentialDefault: Verdict;
}

export interface DeviceContext extends DomainContext {
  readonly device: DeviceFacts;
}

export type Scope = 'domain' | 'device';
export type ContextOf<S extends Scope> = S extends 'device' ? DeviceContext : DomainContext;

/** A named test; the name is what the user is told when the answer depends on an unknown fact. */
export type Condition<C> = (c: C) => Verdict;

export interface RuleRecord<S extends Scope = Scope> {
  /** Unique key of this record: the fact-sheet id, plus `/aspect` when one sheet rule has several checks. */
  readonly key: string;
  /** The fact-sheet rule id (R-XML-05 ...). */
  readonly id: string;
  readonly scope: S;
  readonly severity: Severity;
  /**
   * What to do when a condition cannot be decided: `warning` reports it, naming the deciding facts (the default);
   * `skip` stays silent, for checks where an unknown is the normal case and a warning would only be noise.
   */
  readonly whenUnknown?: 'warning' | 'skip';
  /** Every condition must hold. */
  readonly when: readonly Condition<ContextOf<S>>[];
  readonly title: string | ((c: ContextOf<S>) => string);
  /** The general explanation: what the setting does and why it matters. Shown by `explain` too. */
  readonly explanation: string;
  /** What applies to this domain or device, put before the general explanation. */
  readonly detail?: (c: ContextOf<S>) => string;
  /** Exact guest/QEMU/libvirt messages the user would see: every wording, for `explain`. */
  readonly messages?: readonly string[];
  /**
   * The wording for this domain, device and host, when it depends on them (libvirt and QEMU word some messages
   * differently per release, devices name their own driver); `messages` is used when absent.
   */
  readonly messagesFor?: (c: ContextOf<S>) => readonly string[];
  readonly fix: {
    readonly text: string | ((c: ContextOf<S>) => string);
    /** The fix in general words, for `explain`, when `text` depends on the device or domain. */
    readonly general?: string;
    readonly edits?: (c: ContextOf<S>) => readonly Edit[];
  };
  /**
   * Put this record's fix edits into plans even when its severity is below error: the plan writes out what it
   * relies on (e.g. iommu='on' that QEMU >= 6.0 would default) instead of trusting defaults.
   */
  readonly inPlan?: boolean;
  readonly sources: readonly Source[];
}

export type AnyRule = RuleRecord<'domain'> | RuleRecord<'device'>;
