/**
 * Renders the whole wizard in happy-dom with a store of its own (each test gets a fresh one, as Zustand's guide
 * on stores in React context does it); axe-core checks what is on screen (colour contrast needs real layout and
 * is checked in Chromium by the e2e suite instead).
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { expect } from 'vitest';
import axe from 'axe-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from '../renderer/app/app';
import { WizardProvider } from '../renderer/store/context';
import { createWizardStore, type StepId, type WizardStore } from '../renderer/store/store';
import { repoRoot } from './real-parts';

export function sampleXml(file: string): string {
  return readFileSync(path.join(repoRoot, 'assets/samples', file), 'utf8');
}

/** A new store at `step`, with a sample loaded first when one is named, and the app rendered on it. */
export function renderAt(step: StepId, sample?: string): ReturnType<typeof render> & { store: WizardStore } {
  const store = createWizardStore();
  if (sample) store.getState().load({ kind: 'sample', id: sample, title: sample }, sampleXml(sample));
  store.getState().go(step);
  const r = render(
    <WizardProvider store={store}>
      <App />
    </WizardProvider>,
  );
  return { ...r, store };
}

/** Loads `text` as an upload named `name` and goes to `step`, in React's act. */
export function loadAt(store: WizardStore, name: string, text: string, step: StepId): void {
  act(() => {
    store.getState().load({ kind: 'upload', name }, text);
    store.getState().go(step);
  });
}

export async function axeViolations(container: HTMLElement): Promise<string[]> {
  const r = await axe.run(container, { rules: { 'color-contrast': { enabled: false } }, resultTypes: ['violations'] });
  return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * Opens a file through the Start step as a user types its path (real services behind window.api), then goes
 * to `step`.
 */
export async function openFileOnStart(file: string, step: StepId): Promise<WizardStore> {
  const { store } = renderAt('start');
  fireEvent.change(screen.getByTestId('file-path'), { target: { value: file } });
  fireEvent.click(screen.getByRole('button', { name: 'Open' }));
  await waitFor(() => expect(store.getState().source?.kind).toBe('file'));
  act(() => store.getState().go(step));
  return store;
}
