import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is served from a custom protocol (Electron) or the loopback bridge (serve mode): relative asset
// paths keep both working, and no inline scripts are emitted, so the CSP can stay at script-src 'self'.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
  logLevel: 'warn',
});
