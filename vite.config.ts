import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { dropUnappliedThemes } from './scripts/pf-theme-css.mjs';
import { dropUnrenderedPatternflyCss } from './scripts/pf-unrendered-css.mjs';
import { APPLIED_THEME_CLASSES } from './renderer/app/theme-classes.ts';
import { UNRENDERED_PATTERNFLY_CSS } from './renderer/app/unrendered-css.ts';

// The renderer is served from a custom protocol (Electron) or the loopback bridge (serve mode): relative asset
// paths keep both working, and no inline scripts are emitted, so the CSP can stay at script-src 'self'.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), dropUnrenderedPatternflyCss(UNRENDERED_PATTERNFLY_CSS)],
  // PatternFly's CSS without the themes the app never applies (felt, glass, high contrast): less to parse and match
  // before the first step shows (bench: ui.navigation-to-first-step).
  css: { postcss: { plugins: [dropUnappliedThemes(APPLIED_THEME_CLASSES)] } },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
  logLevel: 'warn',
});
