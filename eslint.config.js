// Process boundaries are enforced here as well as by the tsconfig projects: src/ is pure, only the
// Electron shell files may import electron, and only renderer/api may touch window.api.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'http',
  'https',
  'crypto',
  'url',
  'util',
  'stream',
  'events',
  'net',
  'zlib',
  'process',
  'buffer',
  'worker_threads',
];
const electronShell = ['main/app.ts', 'main/window.ts', 'main/protocol.ts', 'main/preload/**'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tsbuild/', 'release/', 'test-results/', 'e2e/artifacts/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    files: ['**/*.config.ts', '**/*.config.js', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'src/ is pure TypeScript shared by every process: no Node APIs.' },
            {
              group: ['electron', 'react', 'react-dom', 'zustand', '../main/*', '../renderer/*', '../../main/*', '../../renderer/*'],
              message: 'src/ must not depend on a process or UI framework.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'require', 'Buffer', 'navigator'],
    },
  },
  {
    files: ['main/**/*.ts', 'cli/**/*.ts', 'renderer/**/*.{ts,tsx}', 'bench/**/*.ts', 'e2e/**/*.ts', 'scripts/**/*.{ts,mjs}'],
    ignores: electronShell,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'Only main/app.ts, main/window.ts, main/protocol.ts and main/preload may import electron.' },
          ],
        },
      ],
    },
  },
  {
    files: ['main/**/*.ts', 'cli/**/*.ts', 'scripts/**/*.mjs', 'bench/**/*.{ts,mjs}', 'e2e/**/*.ts', 'test/**/*.ts', '**/*.test.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/api/**', 'renderer/**/*.test.{ts,tsx}'],
    rules: {
      'no-restricted-properties': ['error', { object: 'window', property: 'api', message: 'Only renderer/api touches window.api.' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer reaches the main process only through renderer/api.' }],
          patterns: [{ group: ['**/main/**', '../main/*', '../../main/*'], message: 'renderer/ cannot import main/.' }],
        },
      ],
    },
  },
);
