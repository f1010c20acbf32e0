/**
 * What `verify` (the CLI command and the Apply step's "Test start" channel `libvirt.verify`) reports: a throwaway
 * copy of the planned domain started paused on a real hypervisor, what libvirt/QEMU said, next to what the engine
 * predicted, and exactly what was and was not proven.
 */
import type { Severity } from './findings';

/** started: QEMU ran the copy (paused); refused: libvirt or QEMU refused it; untestable: it could not be tried. */
export type VerifyOutcome = 'started' | 'refused' | 'untestable';

/** One thing the copy does differently from the plan so the user's domain, disks and network identity are untouched. */
export interface VerifyChange {
  /** The element changed, e.g. `/domain/devices/disk[1]`. */
  readonly target: string;
  readonly what: string;
}

/** One attempt to define and start the copy (a second one follows when the first shows the host lacks KVM or the hardware). */
export interface VerifyAttempt {
  /** `as planned`, `under TCG (type='qemu')`, `without <launchSecurity>` ... */
  readonly as: string;
  readonly started: boolean;
  /** Where it failed. */
  readonly stage: 'define' | 'start' | null;
  /** libvirt's error text as printed (without virsh's `error:` prefixes); '' when it started. */
  readonly message: string;
  /** QEMU's own message inside libvirt's wrapper, when QEMU said something. */
  readonly qemuMessage: string | null;
}

export interface VerifyPrediction {
  /** The engine expected libvirt or QEMU to refuse the domain (it has error findings). */
  readonly refuses: boolean;
  readonly findings: readonly {
    readonly rule: string;
    readonly severity: Severity;
    readonly target: string;
    readonly title: string;
    readonly messages: readonly string[];
  }[];
}

export interface VerifyReport {
  readonly outcome: VerifyOutcome;
  /** One sentence: what this run proves, and what it does not. */
  readonly summary: string;
  readonly uri: string;
  readonly libvirtVersion: string | null;
  readonly qemuVersion: string | null;
  /** The copy's name (prefix `vaw-verify-`) and UUID; removed again before the report was made. */
  readonly copy: { readonly name: string; readonly uuid: string } | null;
  readonly changes: readonly VerifyChange[];
  readonly attempts: readonly VerifyAttempt[];
  /** What the started copy proves (empty unless something started). */
  readonly proven: readonly string[];
  /** What this host could not show, each with libvirt's refusal quoted where there was one. */
  readonly notProven: readonly string[];
  readonly prediction: VerifyPrediction;
  /** Whether the engine's prediction matches what happened (null when nothing could be tried). */
  readonly agrees: boolean | null;
  /** Both texts when it does not. */
  readonly disagreement: string | null;
  /** Why nothing could be tested (outcome untestable). */
  readonly reason: string | null;
}
