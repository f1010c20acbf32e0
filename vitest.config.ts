import { defineConfig } from 'vitest/config';

// One project per process kind (style anchors §5): pure src and Node services in node, renderer units in
// happy-dom, end-to-end tests (real Chromium, real services) last and serially.
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'src', environment: 'node', include: ['src/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'main',
          environment: 'node',
          include: [
            '*.test.ts',
            'docs/**/*.test.ts',
            'main/**/*.test.ts',
            'cli/**/*.test.ts',
            'scripts/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['renderer/**/*.test.{ts,tsx}'],
          setupFiles: ['test/renderer-setup.ts'],
        },
      },
      {
        // The version lab's differential suite (test/lab): real libvirt and QEMU of three generations, started by
        // scripts/lab.sh. Its parts run concurrently; each test bounds its own domain starts.
        extends: true,
        test: {
          name: 'lab',
          environment: 'node',
          include: ['test/lab/**/*.test.ts'],
          testTimeout: 40 * 60_000,
          hookTimeout: 120_000,
          maxConcurrency: 9,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
