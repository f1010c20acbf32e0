/**
 * The wizard's state: one Zustand store built from slices — the session (what was loaded), one slice per step that
 * has choices (Secure VM, Platform, Backends, Guest, Review), troubleshooting, and the UI. It holds what the user
 * chose and what the services returned; findings, plan and diff are derived by the engine (derived.ts), never
 * stored. The app makes one store (main.tsx) and hands it down through React context (context.tsx); each test
 * makes its own with `createWizardStore()`.
 */
import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';
import type { Backend, Evidence, GuestFacts, HostFacts, SecureType, VirtioModel } from '../../src/contracts/facts';
import { NO_GUEST_FACTS, NO_HOST_FACTS } from '../../src/contracts/facts';
import type { AppInfo } from '../../src/contracts/ipc';
import type { ApiError } from '../api';

export type Source =
  | { readonly kind: 'sample'; readonly id: string; readonly title: string }
  | { readonly kind: 'file'; readonly path: string; readonly fingerprint: string }
  | { readonly kind: 'upload'; readonly name: string }
  | { readonly kind: 'libvirt'; readonly uri: string; readonly name: string; readonly loadedXml: string }
  | { readonly kind: 'template'; readonly title: string };

/** The goal first (what the user came for), then what decides how it is reached, then the result. */
export const STEPS = ['start', 'secure', 'platform', 'backends', 'guest', 'review', 'apply'] as const;
export type StepId = (typeof STEPS)[number];

export const STEP_TITLES: Readonly<Record<StepId, string>> = {
  start: 'Start',
  secure: 'Secure VM',
  platform: 'Platform',
  backends: 'Backends',
  guest: 'Guest',
  review: 'Review',
  apply: 'Apply',
};

/** A service call running now: what it does in words, since when, and how to stop it (null: it cannot be). */
export interface Busy {
  readonly label: string;
  readonly startedAt: number;
  readonly cancel: (() => void) | null;
}

/** What went wrong, for the alert: its title says what failed, the error what happened and what to do. */
export interface Failure {
  readonly title: string;
  readonly error: ApiError;
}

interface SessionSlice {
  readonly source: Source | null;
  /** The domain XML as loaded (or as last saved); the plan is applied to it. */
  readonly text: string;
  readonly host: HostFacts;
  /** Why the host's capabilities could not be read with the domain (libvirt answered, domcapabilities failed). */
  readonly hostProblem: string | null;
  readonly evidence: readonly Evidence[];
  readonly qemuArgv: string | null;
  /** Counts loads: an answer to a read started before the latest load belongs to work the user left. */
  readonly generation: number;
  load(source: Source, text: string, extra?: { host?: HostFacts; qemuArgv?: string | null; hostProblem?: string | null }): void;
  /** The same domain read again (it changed elsewhere): new text, the user's choices and step kept. */
  reloaded(source: Source, text: string): void;
  setHost(host: HostFacts, hostProblem?: string | null): void;
  setEvidence(evidence: readonly Evidence[]): void;
  /** After a successful save/define the saved text becomes the new starting point. */
  saved(text: string, source: Source): void;
}

/** Review step: the planned XML as the user edited it by hand, which then replaces the plan (null: not edited). */
interface ReviewSlice {
  readonly manualXml: string | null;
  setManualXml(xml: string | null): void;
}

/** Platform step: virtio models the user chose, by device target; applied before the engine's plan. */
interface PlatformSlice {
  readonly models: Readonly<Record<string, VirtioModel>>;
  setModel(target: string, model: VirtioModel | null): void;
}

/** Secure VM step: the confidential technology to reach, and whether the VM must live-migrate. */
interface SecureSlice {
  readonly secure: SecureType | 'keep';
  readonly migration: boolean | 'unknown';
  /** A choice that became impossible (e.g. the host's capabilities arrived and say no), and why; shown once. */
  readonly dropped: { readonly name: string; readonly reason: string } | null;
  setSecure(secure: SecureType | 'keep'): void;
  /** Gives up a chosen technology that cannot work here: back to keeping the domain as it is, saying why. */
  dropSecure(name: string, reason: string): void;
  setMigration(migration: boolean | 'unknown'): void;
}

/** Backends step: the backend the user plans per device target. */
interface BackendsSlice {
  readonly backends: Readonly<Record<string, Backend>>;
  setBackend(target: string, backend: Backend | null): void;
}

/** Guest step: the guest OS (osinfo) and kernel. */
interface GuestSlice {
  readonly guest: GuestFacts;
  setGuest(guest: GuestFacts): void;
}

/** Troubleshooting: the symptom chosen and the user's answer; kept when the user goes to load a domain. */
interface TroubleshootSlice {
  readonly symptom: string | null;
  readonly answer: 'yes' | 'no' | null;
  chooseSymptom(id: string | null): void;
  setAnswer(answer: 'yes' | 'no' | null): void;
}

interface UiSlice {
  readonly step: StepId;
  readonly mode: 'wizard' | 'troubleshoot';
  /** Where a load leads: the next step, or back to troubleshooting when the user came from there to load. */
  readonly afterLoad: 'wizard' | 'troubleshoot';
  readonly failure: Failure | null;
  readonly busy: Busy | null;
  /** What the services said about themselves (mode, this machine's libvirt, where to save); null until asked. */
  readonly info: AppInfo | null;
  go(step: StepId): void;
  setInfo(info: AppInfo): void;
  setMode(mode: 'wizard' | 'troubleshoot'): void;
  /** From troubleshooting to Start, to come back with the loaded domain. */
  loadForTroubleshooting(): void;
  fail(failure: Failure | null): void;
  setBusy(busy: Busy | null): void;
}

export type WizardState = SessionSlice &
  SecureSlice &
  PlatformSlice &
  BackendsSlice &
  GuestSlice &
  ReviewSlice &
  TroubleshootSlice &
  UiSlice;
export type WizardStore = StoreApi<WizardState>;

/** Every step's choices as they start; loading another domain returns to them. */
const initialChoices = {
  models: {},
  secure: 'keep' as const,
  migration: 'unknown' as const,
  backends: {},
  guest: NO_GUEST_FACTS,
  manualXml: null,
  dropped: null,
};

type Slice<T> = StateCreator<WizardState, [], [], T>;

/** A per-device choice set (value) or cleared (null), as a new record. */
function withEntry<V>(record: Readonly<Record<string, V>>, key: string, value: V | null): Readonly<Record<string, V>> {
  const next = { ...record };
  if (value === null) delete next[key];
  else next[key] = value;
  return next;
}

const createSessionSlice: Slice<SessionSlice> = (set) => ({
  source: null,
  text: '',
  host: NO_HOST_FACTS,
  hostProblem: null,
  evidence: [],
  qemuArgv: null,
  generation: 0,
  // A new domain starts a new wizard run: earlier choices belonged to the previous domain. The troubleshooting
  // symptom stays: the user loaded the domain to diagnose it.
  load: (source, text, extra = {}) =>
    set((s) => ({
      source,
      text,
      host: extra.host ?? NO_HOST_FACTS,
      hostProblem: extra.hostProblem ?? null,
      qemuArgv: extra.qemuArgv ?? null,
      ...initialChoices,
      generation: s.generation + 1,
      step: 'secure',
      mode: s.afterLoad,
      afterLoad: 'wizard',
      failure: null,
    })),
  reloaded: (source, text) => set((s) => ({ source, text, failure: null, generation: s.generation + 1 })),
  setHost: (host, hostProblem = null) => set({ host, hostProblem }),
  setEvidence: (evidence) => set({ evidence }),
  // What was written is the new starting point: the choices it contains are in the text now.
  saved: (text, source) => set((s) => ({ text, source, secure: 'keep', models: {}, manualXml: null, generation: s.generation + 1 })),
});

const createPlatformSlice: Slice<PlatformSlice> = (set) => ({
  models: initialChoices.models,
  // A new model or goal makes a new plan: a hand edit of the old one would silently hide it, so it goes.
  setModel: (target, model) => set((s) => ({ models: withEntry(s.models, target, model), manualXml: null })),
});

const createSecureSlice: Slice<SecureSlice> = (set) => ({
  secure: initialChoices.secure,
  migration: initialChoices.migration,
  dropped: initialChoices.dropped,
  setSecure: (secure) => set({ secure, manualXml: null, dropped: null }),
  dropSecure: (name, reason) => set({ secure: 'keep', manualXml: null, dropped: { name, reason } }),
  setMigration: (migration) => set({ migration }),
});

const createBackendsSlice: Slice<BackendsSlice> = (set) => ({
  backends: initialChoices.backends,
  setBackend: (target, backend) => set((s) => ({ backends: withEntry(s.backends, target, backend) })),
});

const createReviewSlice: Slice<ReviewSlice> = (set) => ({
  manualXml: initialChoices.manualXml,
  setManualXml: (manualXml) => set({ manualXml }),
});

const createGuestSlice: Slice<GuestSlice> = (set) => ({
  guest: initialChoices.guest,
  setGuest: (guest) => set({ guest }),
});

const createTroubleshootSlice: Slice<TroubleshootSlice> = (set) => ({
  symptom: null,
  answer: null,
  chooseSymptom: (symptom) => set({ symptom, answer: null }),
  setAnswer: (answer) => set({ answer }),
});

const createUiSlice: Slice<UiSlice> = (set) => ({
  step: 'start',
  mode: 'wizard',
  afterLoad: 'wizard',
  failure: null,
  busy: null,
  info: null,
  go: (step) => set({ step, mode: 'wizard', afterLoad: 'wizard' }),
  setInfo: (info) => set({ info }),
  setMode: (mode) => set({ mode, afterLoad: 'wizard' }),
  loadForTroubleshooting: () => set({ step: 'start', mode: 'wizard', afterLoad: 'troubleshoot' }),
  fail: (failure) => set({ failure }),
  setBusy: (busy) => set({ busy }),
});

/** The whole state from its slices. */
export const createWizardState: StateCreator<WizardState> = (...a) => ({
  ...createSessionSlice(...a),
  ...createSecureSlice(...a),
  ...createPlatformSlice(...a),
  ...createBackendsSlice(...a),
  ...createGuestSlice(...a),
  ...createReviewSlice(...a),
  ...createTroubleshootSlice(...a),
  ...createUiSlice(...a),
});

/** A new, independent store: one for the app, one per test. */
export function createWizardStore(): WizardStore {
  return createStore(createWizardState);
}
