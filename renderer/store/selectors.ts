/** Named selectors for what several views ask of the store (Zustand docs: select, don't reach in). */
import type { WizardState } from './store';

export const isLoaded = (s: WizardState): boolean => s.text !== '';

export const isBusy = (s: WizardState): boolean => s.busy !== null;

/** What the wizard is working on, in the user's words: the file, the domain and its connection, the sample. */
export function sourceTitle(s: WizardState): string | null {
  const src = s.source;
  if (!src) return null;
  switch (src.kind) {
    case 'file':
      return src.path;
    case 'libvirt':
      return `${src.name} on ${src.uri}`;
    case 'upload':
      return `${src.name} (uploaded copy)`;
    case 'sample':
    case 'template':
      return src.title;
  }
}
