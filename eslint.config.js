import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', 'dist/', 'web/dist/', 'web/.dist-*/', 'test-artifacts/', 'data/', 'web/vendor/', '.tmp/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['web/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', sessionStorage: 'readonly', location: 'readonly', FormData: 'readonly', fetch: 'readonly' } },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', sessionStorage: 'readonly', EventSource: 'readonly', MessageEvent: 'readonly', fetch: 'readonly' } },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['mqtt', 'fastify', 'pg', 'pino', 'isolated-vm', 'quickjs-emscripten', '@aws-sdk/*', '@azure/*', 'azure-*', 'rhea', '@google-cloud/*', 'node:sqlite'], message: 'core/ imports no SDK, driver or HTTP code (ARCHITECTURE §1.4)' },
        { group: ['../connectors/*', '../store/*', '../api/*', '../app/*', '../converters/*'], message: 'dependencies point inward: core imports nothing outside core' },
      ] }],
    },
  },
);
