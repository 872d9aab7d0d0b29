import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const NO_SIMULATORS = { group: ['**/simulators/**'], message: 'Product code never imports simulators.' };

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'http', 'https', 'crypto'],
              message: 'Workflows must stay deterministic: no Node APIs.',
            },
            {
              group: ['**/simulators/**', '**/config/**'],
              message: 'Workflows import the model and activity types only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['simulators/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/activities/**',
                '**/workflows/**',
                '**/model/**',
                '**/config/**',
                '**/worker/**',
                '**/client/**',
              ],
              message: 'Simulators never import product code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['model/**/*.ts', 'worker/**/*.ts', 'config/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_SIMULATORS] }] },
  },
  {
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_SIMULATORS,
            {
              group: ['**/workflows/**'],
              message: 'Activities never import workflow code: messages and ids live in contracts/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_SIMULATORS,
            {
              group: ['**/activities/**'],
              message: 'The client talks to workflows; it never imports activities.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_SIMULATORS,
            {
              group: [
                '**/activities/**',
                '**/workflows/**',
                '**/client/**',
                '**/worker/**',
                '**/config/**',
                'node:*',
              ],
              message: 'Contracts are shared messages: they import only the model and Temporal definitions.',
            },
          ],
        },
      ],
    },
  },
);
