/**
 * Light, dark, or as the system says: the choice is kept in this browser (localStorage) and applied as
 * PatternFly's dark-theme class on <html>, following the system setting live when the choice is "system".
 */
import { useEffect, useState } from 'react';
import { DARK_THEME_CLASS } from './theme-classes';

export type ThemeChoice = 'light' | 'dark' | 'system';
export const THEME_CHOICES: readonly ThemeChoice[] = ['light', 'dark', 'system'];

const KEY = 'vaw-theme';

function stored(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

function systemDark(): MediaQueryList {
  return window.matchMedia('(prefers-color-scheme: dark)');
}

/** Applies a choice to the page now (also used before the first render, so the page never flashes light). */
export function applyTheme(choice: ThemeChoice): void {
  const dark = choice === 'dark' || (choice === 'system' && systemDark().matches);
  document.documentElement.classList.toggle(DARK_THEME_CLASS, dark);
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
}

export function applyStoredTheme(): void {
  applyTheme(stored());
}

export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(stored);
  useEffect(() => {
    applyTheme(choice);
    if (choice !== 'system') return;
    const media = systemDark();
    const follow = () => applyTheme('system');
    media.addEventListener('change', follow);
    return () => media.removeEventListener('change', follow);
  }, [choice]);
  return [
    choice,
    (next) => {
      localStorage.setItem(KEY, next);
      setChoice(next);
    },
  ];
}
