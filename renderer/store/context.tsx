/**
 * The store reaches the views through React context, so the app and every test have their own store (Zustand's
 * guide on initialising state through context) instead of one module-level store that tests would reset.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { WizardState, WizardStore } from './store';

const StoreContext = createContext<WizardStore | null>(null);

export function WizardProvider({ store, children }: { store: WizardStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

/** The store itself, for event handlers and service calls that read or write it outside rendering. */
export function useWizardStore(): WizardStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useWizardStore: no WizardProvider above this component');
  return store;
}

/** A slice of the state; the component re-renders when it changes. */
export function useWizard<T>(selector: (s: WizardState) => T): T {
  return useStore(useWizardStore(), selector);
}
