/**
 * The wizard's state: one Zustand store built from slices — the session (what was loaded), one slice per step that
 * has choices (Platform, Secure VM, Backends, Guest), and the UI. It holds what the user chose and what the
 * services returned; findings, plan and diff are derived by the engine (derived.ts), never stored.
 */
import { create, type StateCreator } from 'zustand';
import type { Backend, Evidence, GuestFacts, HostFacts, SecureType, VirtioModel } from '../../src/contracts/facts';
import { NO_GUEST_FACTS, NO_HOST_FACTS } from '../../src/contracts/facts';
import type { ApiError } from '../api';

export type Source =
  | { readonly kind: 'sample'; readonly id: string; readonly title: string }
  | { readonly kind: 'file'; readonly path: string; readonly fingerprint: string }
  | { readonly kind: 'upload'; readonly name: string }
  | { readonly kind: 'libvirt'; readonly uri: string; readonly name: string; readonly loadedXml: string }
  | { readonly kind: 'template'; readonly title: string };

export const STEPS = ['start', 'platform', 'secure', 'backends', 'guest', 'review', 'apply'] as const;
export type StepId = (typeof STEPS)[number];

interface SessionSlice {
  readonly source: Source | null;
  /** The domain XML as loaded (or as last saved); the plan is applied to it. */
  readonly text: string;
  readonly host: HostFacts;
  readonly evidence: readonly Evidence[];
  readonly qemuArgv: string | null;
  load(source: Source, text: string, host?: HostFacts, qemuArgv?: string | null): void;
  /** The same domain read again (it changed elsewhere): new text, the user's choices and step kept. */
  reloaded(source: Source, text: string): void;
  setHost(host: HostFacts): void;
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
  setSecure(secure: SecureType | 'keep'): void;
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

interface UiSlice {
  readonly step: StepId;
  readonly mode: 'wizard' | 'troubleshoot';
  readonly error: ApiError | null;
  readonly busy: string | null;
  go(step: StepId): void;
  setMode(mode: 'wizard' | 'troubleshoot'): void;
  fail(error: ApiError | null): void;
  setBusy(what: string | null): void;
}

export type WizardState = SessionSlice & PlatformSlice & SecureSlice & BackendsSlice & GuestSlice & ReviewSlice & UiSlice;

/** Every step's choices as they start; loading another domain returns to them. */
const initialChoices = {
  models: {},
  secure: 'keep' as const,
  migration: 'unknown' as const,
  backends: {},
  guest: NO_GUEST_FACTS,
  manualXml: null,
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
  evidence: [],
  qemuArgv: null,
  // A new domain starts a new wizard run: earlier choices belonged to the previous domain.
  load: (source, text, host = NO_HOST_FACTS, qemuArgv = null) =>
    set({ source, text, host, qemuArgv, ...initialChoices, step: 'platform', mode: 'wizard', error: null }),
  reloaded: (source, text) => set({ source, text, error: null }),
  setHost: (host) => set({ host }),
  setEvidence: (evidence) => set({ evidence }),
  // What was written is the new starting point: the choices it contains are in the text now.
  saved: (text, source) => set({ text, source, secure: 'keep', models: {}, manualXml: null }),
});

const createPlatformSlice: Slice<PlatformSlice> = (set) => ({
  models: initialChoices.models,
  // A new model or goal makes a new plan: a hand edit of the old one would silently hide it, so it goes.
  setModel: (target, model) => set((s) => ({ models: withEntry(s.models, target, model), manualXml: null })),
});

const createSecureSlice: Slice<SecureSlice> = (set) => ({
  secure: initialChoices.secure,
  migration: initialChoices.migration,
  setSecure: (secure) => set({ secure, manualXml: null }),
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

const createUiSlice: Slice<UiSlice> = (set) => ({
  step: 'start',
  mode: 'wizard',
  error: null,
  busy: null,
  go: (step) => set({ step, mode: 'wizard' }),
  setMode: (mode) => set({ mode }),
  fail: (error) => set({ error }),
  setBusy: (busy) => set({ busy }),
});

/** The whole state from its slices; `createStore(createWizardState)` gives tests a fresh store. */
export const createWizardState: StateCreator<WizardState> = (...a) => ({
  ...createSessionSlice(...a),
  ...createPlatformSlice(...a),
  ...createSecureSlice(...a),
  ...createBackendsSlice(...a),
  ...createGuestSlice(...a),
  ...createReviewSlice(...a),
  ...createUiSlice(...a),
});

export const useWizard = create<WizardState>()(createWizardState);
