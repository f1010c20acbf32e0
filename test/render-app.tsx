/**
 * Renders the whole wizard in happy-dom with a fresh store state, for view tests; axe-core checks what is
 * on screen (colour contrast needs real layout and is checked in Chromium by the e2e suite instead).
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { expect } from 'vitest';
import axe from 'axe-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from '../renderer/app/app';
import { useWizard, type StepId } from '../renderer/store/store';
import { repoRoot } from './real-parts';

export function sampleXml(file: string): string {
  return readFileSync(path.join(repoRoot, 'assets/samples', file), 'utf8');
}

export function renderAt(step: StepId, sample?: string) {
  useWizard.setState(useWizard.getInitialState(), true);
  if (sample) useWizard.getState().load({ kind: 'sample', id: sample, title: sample }, sampleXml(sample));
  useWizard.getState().go(step);
  return render(<App />);
}

export async function axeViolations(container: HTMLElement): Promise<string[]> {
  const r = await axe.run(container, { rules: { 'color-contrast': { enabled: false } }, resultTypes: ['violations'] });
  return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * Opens a file through the Start step as a user types its path (real services behind window.api), then goes
 * to `step`.
 */
export async function openFileOnStart(file: string, step: StepId): Promise<void> {
  renderAt('start');
  fireEvent.change(screen.getByTestId('file-path'), { target: { value: file } });
  fireEvent.click(screen.getByRole('button', { name: 'Open' }));
  await waitFor(() => expect(useWizard.getState().source?.kind).toBe('file'));
  act(() => useWizard.getState().go(step));
}
