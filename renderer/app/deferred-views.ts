/**
 * The views a first visit does not show (every step after Start, troubleshooting, the Start step's list of libvirt
 * domains, the banners of a running call and of a failure) load after the Start step is on screen, in a chunk of
 * their own, with the stylesheets of their components, so the page becomes usable sooner (bench:
 * ui.navigation-to-first-step).
 * `preloadViews()` starts loading them; a view asked for before it arrived suspends until it has.
 */
import { createElement, lazy, type ComponentType } from 'react';
import type { DomainListProps } from './steps/domain-list';

interface Deferred<P extends object = object> {
  readonly View: ComponentType<P>;
  preload(): Promise<void>;
}

function deferred<P extends object = object>(load: () => Promise<ComponentType<P>>): Deferred<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<void> | null = null;
  const preload = () =>
    (pending ??= load().then((c) => {
      loaded = c;
    }));
  const Lazy = lazy(() => preload().then(() => ({ default: loaded! })));
  // Once loaded, the view renders directly (no suspension on later visits, nor in tests that preload first).
  const View = (props: P) => createElement(loaded ?? Lazy, props);
  return { View, preload };
}

export const SecureStep = deferred(() => import('./steps/secure-step').then((m) => m.SecureStep));
export const PlatformStep = deferred(() => import('./steps/platform-step').then((m) => m.PlatformStep));
export const BackendsStep = deferred(() => import('./steps/backends-step').then((m) => m.BackendsStep));
export const GuestStep = deferred(() => import('./steps/guest-step').then((m) => m.GuestStep));
export const ReviewStep = deferred(() => import('./steps/review-step').then((m) => m.ReviewStep));
export const ApplyStep = deferred(() => import('./steps/apply-step').then((m) => m.ApplyStep));
export const TroubleshootView = deferred(() => import('../troubleshoot/troubleshoot-view').then((m) => m.TroubleshootView));
export const DomainList = deferred<DomainListProps>(() => import('./steps/domain-list').then((m) => m.DomainList));
export const FailureAlert = deferred(() => import('./failure-alert').then((m) => m.FailureAlert));
export const BusyBanner = deferred(() => import('./busy-banner').then((m) => m.BusyBanner));

/** Loads every deferred view (after the first paint in the app; before rendering in tests). */
export function preloadViews(): Promise<void> {
  return Promise.all(
    [SecureStep, PlatformStep, BackendsStep, GuestStep, ReviewStep, ApplyStep, TroubleshootView, DomainList, FailureAlert, BusyBanner].map(
      (d) => d.preload(),
    ),
  ).then(() => undefined);
}
