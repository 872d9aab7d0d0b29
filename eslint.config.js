import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

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
    files: ['activities/**/*.ts', 'model/**/*.ts', 'worker/**/*.ts', 'client/**/*.ts', 'config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/simulators/**'], message: 'Product code never imports simulators.' }] },
      ],
    },
  },
);
